"""Parse a ComfyUI workflow (UI or API format) into its nodes and widget values, without pandas.

UI format (what the editor saves): ``nodes`` with ``type``, ``mode``, ``inputs`` and ``widgets_values``;
subgraphs live in ``definitions.subgraphs`` and are instantiated by nodes whose ``type`` is a subgraph id
(nested, bounded); legacy group nodes (``workflow>Name``) in ``extra.groupNodes``. Widget values follow the
order of the node class's widget inputs in ``/object_info`` (``input_order`` where the server gives it), with
the frontend's hidden extra values (``control_after_generate`` after seeds, the upload button after an upload
combo). A V3 dynamic combo (``COMFY_DYNAMICCOMBO_V3``) takes its key, then the widget values of the chosen
option's inputs (named ``parent.child``, as ``edges`` names them); a V3 autogrow input is sockets only.
A subgraph instance may carry values of promoted widgets that override the inner node's: by its
``properties.proxyWidgets`` list (``[inner node id, widget name]``, one instance value each, newer frontends)
or else by the subgraph's inputs that feed a widget, in their order; such a value is read, and repaired, at
the instance's position. API format (what ``/prompt`` takes): ``{id: {class_type, inputs}}``.

Every value is kept exactly as written, with the JSON path to it, so a repair can rewrite that value alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import WorkflowError

MAX_BYTES = 64 << 20  # the largest real workflows are a few MB; a bigger file is not one
MAX_NODES = 20_000  # nodes after subgraph instantiation
MAX_DEPTH = 12  # subgraphs inside subgraphs
WIDGET_TYPES = frozenset({"INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"})
SEED_NAMES = frozenset({"seed", "noise_seed"})  # the frontend adds control_after_generate after these INTs
UPLOAD_FLAGS = ("image_upload", "video_upload", "audio_upload", "animated_image_upload", "3d_model_upload")
# Nodes the frontend draws that never reach a server (notes, reroutes, primitives).
FRONTEND_ONLY = frozenset({"Note", "MarkdownNote", "Reroute", "PrimitiveNode", "Label (rgthree)", "Fast Groups Bypasser (rgthree)",
                           "Fast Groups Muter (rgthree)", "Image Comparer (rgthree)", "SetNode", "GetNode"})
DYNAMIC_COMBO = "COMFY_DYNAMICCOMBO_V3"  # a combo whose chosen option adds its own inputs after it
MAX_DYNAMIC_DEPTH = 8  # dynamic combos inside dynamic combos
LEGACY_PROXY_PREFIX = re.compile(r"^\s*(\d+)\s*:\s*(.+)$")  # "28: ckpt_name" in older proxyWidgets entries
MODE_NAMES = {0: "always", 1: "on_event", 2: "muted", 3: "on_trigger", 4: "bypassed"}
INACTIVE_MODES = frozenset({"muted", "bypassed"})

Path_ = tuple[Any, ...]  # keys and indexes from the workflow root to one value


@dataclass(frozen=True)
class Widget:
    """One widget value of a node: ``input`` name ('' when its position is not known), the value, its JSON path."""

    input: str
    value: Any
    path: Path_


@dataclass(frozen=True)
class ModelHint:
    """An entry of a node's ``properties.models``: what the workflow says the file is and where to get it."""

    name: str
    directory: str
    url: str
    hash: str


@dataclass
class Node:
    """One node of a workflow after subgraph instantiation."""

    id: str  # "12" top level, "57:28" node 28 inside subgraph instance 57
    type: str
    mode: str
    widgets: list[Widget] = field(default_factory=list)
    raw_values: Any = None  # widgets_values as written (for nodes the server does not know)
    values_path: Path_ = ()
    hints: list[ModelHint] = field(default_factory=list)
    pack: str = ""  # properties.cnr_id / aux_id
    linked: frozenset[str] = frozenset()  # inputs fed by a link


@dataclass
class Workflow:
    """A parsed workflow: ``format`` ('ui' or 'api'), its nodes, and the document as given."""

    format: str
    nodes: list[Node]
    document: dict[str, Any]
    unknown_types: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Slot:
    """A widget input as the frontend serialises it: its name, how many values it takes, and for a V3 dynamic
    combo the slots each option adds right after it (``branches``: option key → slots, named ``name.child``)."""

    name: str
    taken: int
    branches: Mapping[str, tuple[Slot, ...]] | None = None


WidgetOrder = Mapping[str, list[Slot]]  # node class -> its widget slots in serialisation order


def widget_order(object_info: Mapping[str, Any]) -> dict[str, list[Slot]]:
    """Per node class, its widget inputs in the order the frontend serialises them, with how many values each takes."""
    out: dict[str, list[Slot]] = {}
    for cls, info in object_info.items():
        if not isinstance(info, dict) or not isinstance(info.get("input"), dict):
            continue
        order: dict[str, Any] = info["input_order"] if isinstance(info.get("input_order"), dict) else {}
        out[str(cls)] = _slots(info["input"], order, "", 0)
    return out


def _slots(spec: Mapping[str, Any], order: Mapping[str, Any], prefix: str, depth: int) -> list[Slot]:
    widgets: list[Slot] = []
    for section in ("required", "optional"):
        inputs = spec.get(section)
        if not isinstance(inputs, dict):
            continue
        listed = order.get(section)
        names: list[Any] = listed if isinstance(listed, list) else list(inputs)
        for name in names:
            field_spec = inputs.get(name)
            if _is_dynamic_combo(field_spec) and depth < MAX_DYNAMIC_DEPTH:
                branches = {
                    str(option["key"]): tuple(_slots(option["inputs"], {}, f"{prefix}{name}.", depth + 1))
                    if isinstance(option.get("inputs"), dict) else ()
                    for option in field_spec[1].get("options") or [] if isinstance(option, dict) and "key" in option
                }
                widgets.append(Slot(f"{prefix}{name}", 1, branches))
                continue
            taken = _values_taken(str(name), field_spec)
            if taken:
                widgets.append(Slot(f"{prefix}{name}", taken))
    return widgets


def _is_dynamic_combo(spec: Any) -> bool:
    return (isinstance(spec, (list, tuple)) and len(spec) > 1 and spec[0] == DYNAMIC_COMBO
            and isinstance(spec[1], dict) and not spec[1].get("forceInput"))


def _values_taken(name: str, spec: Any) -> int:
    """How many ``widgets_values`` entries an input takes: 0 (a socket), 1, or 2 (with a hidden extra value)."""
    if not isinstance(spec, (list, tuple)) or not spec:
        return 0
    head, options = spec[0], spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
    if isinstance(head, (list, tuple)):
        kind = "COMBO"
    elif isinstance(head, str) and head in WIDGET_TYPES:
        kind = head
    else:
        return 0
    if options.get("forceInput") or options.get("rawLink"):
        return 0
    extra = bool(options.get("control_after_generate")) or (kind == "INT" and name in SEED_NAMES)
    extra = extra or (kind == "COMBO" and any(options.get(flag) for flag in UPLOAD_FLAGS))
    return 2 if extra else 1


def load_workflow(source: Any) -> dict[str, Any]:
    """A workflow document from a path, JSON text, bytes or a dict; a clear :class:`WorkflowError` otherwise."""
    if isinstance(source, dict):
        return _unwrap(source, "the dict")
    origin = "the text"
    if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith(("{", "["))):
        path = Path(source)
        origin = str(path)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise WorkflowError(f"{path} is {path.stat().st_size:,} bytes; a workflow is at most {MAX_BYTES:,}.")
            source = path.read_bytes()
        except OSError as exc:
            raise WorkflowError(f"Cannot read workflow {path}: {exc.strerror or exc}. Pass a .json file, JSON text or a dict.") from None
    if isinstance(source, str):
        source = source.encode("utf-8", "surrogatepass")
    if not isinstance(source, (bytes, bytearray)):
        raise WorkflowError(f"A workflow is a path, JSON text or a dict, not {type(source).__name__}.")
    if len(source) > MAX_BYTES:
        raise WorkflowError(f"{origin} is {len(source):,} bytes; a workflow is at most {MAX_BYTES:,}.")
    try:
        data = json.loads(source)
    except RecursionError:
        raise WorkflowError(f"{origin} is nested too deeply to be a workflow.") from None
    except ValueError as exc:
        raise WorkflowError(f"{origin} is not JSON ({exc}); expected a ComfyUI workflow saved as .json "
                            "(UI format with 'nodes', or API format {id: {class_type, inputs}}).") from None
    if not isinstance(data, dict):
        raise WorkflowError(f"{origin} holds a JSON {type(data).__name__}; a ComfyUI workflow is a JSON object "
                            "(UI format with 'nodes', or API format {id: {class_type, inputs}}).")
    return _unwrap(data, origin)


def _unwrap(data: dict[str, Any], origin: str) -> dict[str, Any]:
    if is_ui(data) or is_api(data):
        return data
    for key in ("workflow", "prompt"):  # what PNG metadata and /history records wrap it in
        inner = data.get(key)
        if isinstance(inner, dict) and (is_ui(inner) or is_api(inner)):
            return inner
    raise WorkflowError(f"{origin} is JSON but not a ComfyUI workflow: expected the UI format (an object with a "
                        "'nodes' list) or the API format (an object of {id: {class_type, inputs}}).")


def is_ui(data: dict[str, Any]) -> bool:
    return isinstance(data.get("nodes"), list)


def is_api(data: dict[str, Any]) -> bool:
    return bool(data) and all(isinstance(v, dict) and isinstance(v.get("class_type"), str) for v in data.values())


def parse_workflow(document: dict[str, Any], widgets: WidgetOrder) -> Workflow:
    """Nodes of a loaded workflow, with widget values named by ``widgets`` (a server's :func:`widget_order`)."""
    if is_ui(document):
        walker = _UIWalker(document, widgets)
        nodes = walker.walk()
        fmt = "ui"
    else:
        nodes = list(_api_nodes(document))
        fmt = "api"
    unknown = sorted({n.type for n in nodes if n.type not in widgets and n.type not in FRONTEND_ONLY})
    return Workflow(fmt, nodes, document, unknown)


def _api_nodes(document: dict[str, Any]) -> Iterator[Node]:
    if len(document) > MAX_NODES:
        raise WorkflowError(f"The workflow has {len(document):,} nodes; at most {MAX_NODES:,} are read.")
    for node_id, node in document.items():
        inputs = node.get("inputs") if isinstance(node.get("inputs"), dict) else {}
        values = [Widget(str(k), v, (node_id, "inputs", k)) for k, v in inputs.items() if not isinstance(v, list)]
        linked = frozenset(str(k) for k, v in inputs.items() if isinstance(v, list))
        yield Node(str(node_id), node["class_type"], "always", values, inputs, (node_id, "inputs"), linked=linked)


class _UIWalker:
    def __init__(self, document: dict[str, Any], widgets: WidgetOrder) -> None:
        self.widgets = widgets
        definitions = document.get("definitions")
        subgraphs = definitions.get("subgraphs") if isinstance(definitions, dict) else None
        self.subgraphs: dict[str, tuple[dict[str, Any], Path_]] = {
            str(s["id"]): (s, ("definitions", "subgraphs", i)) for i, s in enumerate(subgraphs or [])
            if isinstance(s, dict) and "id" in s and isinstance(s.get("nodes"), list)}
        extra = document.get("extra")
        groups = extra.get("groupNodes") if isinstance(extra, dict) else None
        self.groups: dict[str, tuple[dict[str, Any], Path_]] = {
            str(k): (g, ("extra", "groupNodes", k)) for k, g in (groups or {}).items()
            if isinstance(g, dict) and isinstance(g.get("nodes"), list)}
        self.document = document
        self.out: list[Node] = []

    def walk(self) -> list[Node]:
        self._nodes(self.document["nodes"], ("nodes",), "", None, 0, (), {})
        return self.out

    def _nodes(self, nodes: list[Any], base: Path_, prefix: str, inherited: str | None, depth: int,
               stack: tuple[str, ...], overrides: Overrides) -> None:
        """Walk ``nodes``; ``overrides`` are the promoted widget values their subgraph instance sets
        (local node id → input name → the value at the instance's position)."""
        if depth > MAX_DEPTH:
            raise WorkflowError(f"Subgraphs are nested more than {MAX_DEPTH} deep; a real workflow is far shallower.")
        for index, node in enumerate(nodes):
            if not isinstance(node, dict):
                continue
            if len(self.out) >= MAX_NODES:
                raise WorkflowError(f"The workflow has more than {MAX_NODES:,} nodes (subgraphs instantiated).")
            node_type = str(node.get("type", ""))
            node_id = f"{prefix}{node.get('id', index)}"
            mode = inherited or MODE_NAMES.get(node.get("mode", 0) if isinstance(node.get("mode", 0), int) else 0, "always")
            if node_type in self.subgraphs:
                if node_type in stack:
                    raise WorkflowError(f"Subgraph {node_type!r} contains itself; the workflow is damaged.")
                graph, path = self.subgraphs[node_type]
                inner = promoted_values(node, (*base, index), graph, overrides.get(str(node.get("id", index)), {}))
                self._nodes(graph["nodes"], (*path, "nodes"), f"{node_id}:", _inactive(mode), depth + 1,
                            (*stack, node_type), inner)
                continue
            group = self._group(node_type)
            if group is not None:
                graph, path = group
                self._nodes(graph["nodes"], (*path, "nodes"), f"{node_id}:", _inactive(mode), depth + 1, stack, {})
                continue
            parsed = self._node(node, (*base, index), node_id, node_type, mode)
            _override(parsed, overrides.get(str(node.get("id", index)), {}))
            self.out.append(parsed)

    def _group(self, node_type: str) -> tuple[dict[str, Any], Path_] | None:
        for sep in (">", "/"):
            head, found, name = node_type.partition(sep)
            if found and head == "workflow" and name in self.groups:
                return self.groups[name]
        return None

    def _node(self, node: dict[str, Any], path: Path_, node_id: str, node_type: str, mode: str) -> Node:
        props: dict[str, Any] = node["properties"] if isinstance(node.get("properties"), dict) else {}
        pack = props.get("aux_id") or props.get("cnr_id") or ""
        hints = [ModelHint(str(m.get("name", "")), str(m.get("directory", "")), str(m.get("url", "")),
                           str(m.get("hash", "")))
                 for m in props.get("models") or [] if isinstance(m, dict) and isinstance(m.get("name"), str)]
        inputs: list[Any] = node["inputs"] if isinstance(node.get("inputs"), list) else []
        linked = frozenset(str(i.get("name")) for i in inputs if isinstance(i, dict) and i.get("link") is not None)
        converted = frozenset(str(i.get("name")) for i in inputs if isinstance(i, dict) and isinstance(i.get("widget"), dict)
                              and i.get("link") is not None)
        values = node.get("widgets_values")
        out = Node(node_id, node_type, mode, raw_values=values, values_path=(*path, "widgets_values"), hints=hints,
                   pack=str(pack) if pack != "comfy-core" else "", linked=linked)
        out.widgets = _name_values(values, self.widgets.get(node_type), converted, out.values_path)
        return out


Overrides = Mapping[str, Mapping[str, Widget]]  # inner node id -> input name -> the instance's value


def promoted_values(instance: dict[str, Any], path: Path_, graph: dict[str, Any],
                    outer: Mapping[str, Widget]) -> dict[str, dict[str, Widget]]:
    """The widget values a subgraph instance sets on its inner nodes, each at the instance's ``widgets_values``
    position: by ``properties.proxyWidgets`` (entry i ↔ value i; a missing or null value leaves the inner one) or,
    without it, by the subgraph inputs that feed a widget (in order; only when the counts agree). ``outer``: the
    values an enclosing instance sets on this one's promoted widgets, which win."""
    values = instance.get("widgets_values")
    values = values if isinstance(values, list) else []
    props = instance.get("properties") if isinstance(instance.get("properties"), dict) else {}
    feeds = _input_feeds(graph)
    proxies = _proxy_entries(props.get("proxyWidgets"))
    if proxies:  # an empty list (older frontends wrote one) promotes by the subgraph inputs, as no list does
        promoted = [(name, feeds.get(name, []) if source == "-1" else [(source, name)]) for source, name in proxies]
    else:
        promoted = [(name, targets) for name, targets in feeds.items() if targets]
        if len(promoted) != len(values):
            promoted = [(name, []) for name, _ in promoted]  # positions unknown: the inner values stand
    fed_from_outside = {str(i.get("name")) for i in instance.get("inputs") or []
                        if isinstance(i, dict) and i.get("link") is not None}
    out: dict[str, dict[str, Widget]] = {}
    for position, (name, targets) in enumerate(promoted):
        if name in fed_from_outside or name.startswith("$$"):  # a link's value, or a preview image
            continue
        value = outer.get(name)
        if value is None and position < len(values) and values[position] is not None:
            value = Widget(name, values[position], (*path, "widgets_values", position))
        if value is None:
            continue
        for node_id, input_name in targets:
            out.setdefault(node_id, {})[input_name] = Widget(input_name, value.value, value.path)
    return out


def _proxy_entries(raw: Any) -> list[tuple[str, str]] | None:
    """``properties.proxyWidgets`` as ``(inner node id, widget name)`` pairs (legacy ``"28: name"`` prefixes
    stripped), or None when the instance has none. The frontend has stored it as a list and as JSON text."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    if not isinstance(raw, list):
        return None
    entries = []
    for entry in raw:
        if not isinstance(entry, (list, tuple)) or len(entry) < 2:
            entries.append(("", ""))  # keeps the positions of the entries after it
            continue
        name = str(entry[1])
        while (match := LEGACY_PROXY_PREFIX.match(name)) is not None:
            name = match.group(2)
        entries.append((str(entry[0]), name))
    return entries


def _input_feeds(graph: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Subgraph input name → the (inner node id, input name) widget inputs it feeds, in the inputs' order."""
    nodes = {str(n.get("id")): n for n in graph.get("nodes") or [] if isinstance(n, dict)}
    links: dict[Any, tuple[str, Any]] = {}
    for link in graph.get("links") or []:
        if isinstance(link, dict):
            links[link.get("id")] = (str(link.get("target_id")), link.get("target_slot"))
        elif isinstance(link, list) and len(link) >= 5:  # [id, origin, origin_slot, target, target_slot, type]
            links[link[0]] = (str(link[3]), link[4])
    feeds: dict[str, list[tuple[str, str]]] = {}
    for spec in graph.get("inputs") or []:
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            continue
        targets = feeds.setdefault(spec["name"], [])
        for link_id in spec.get("linkIds") or []:
            node_id, slot = links.get(link_id, ("", None))
            slots = nodes.get(node_id, {}).get("inputs")
            if isinstance(slot, int) and isinstance(slots, list) and 0 <= slot < len(slots):
                target = slots[slot]
                if isinstance(target, dict) and isinstance(target.get("widget"), dict):
                    targets.append((node_id, str(target.get("name"))))
    return feeds


def _override(node: Node, values: Mapping[str, Widget]) -> None:
    """Put the instance's values in place of the inner node's own (same position in the list), or add them."""
    if not values:
        return
    left = dict(values)
    node.widgets = [left.pop(w.input) if w.input in left else w for w in node.widgets]
    node.widgets.extend(left.values())


def _inactive(mode: str) -> str | None:
    return mode if mode in INACTIVE_MODES else None


def _name_values(values: Any, order: list[Slot] | None, converted: frozenset[str], base: Path_) -> list[Widget]:
    """Name each widget value by the node class's widget order; values of an unknown class stay unnamed."""
    if isinstance(values, dict):  # some packs save {name: value}
        return [Widget(str(k), v, (*base, k)) for k, v in values.items() if not isinstance(v, (dict, list))]
    if not isinstance(values, list):
        return []
    if order is None:
        return [Widget("", v, (*base, i)) for i, v in enumerate(values)]
    layout = _layout(order, values)
    if sum(n for _, n in layout) != len(values) and converted:
        # Older frontends dropped the value of a widget converted to a socket: try that layout.
        without = _layout([slot for slot in order if slot.name not in converted], values)
        if sum(n for _, n in without) == len(values):
            layout = without
    named: list[Widget] = []
    position = 0
    for name, taken in layout:
        if position >= len(values):
            break
        named.append(Widget(name, values[position], (*base, position)))
        position += taken
    return named


def _layout(order: list[Slot] | tuple[Slot, ...], values: list[Any], start: int = 0) -> list[tuple[str, int]]:
    """``(name, values taken)`` in serialisation order, each dynamic combo followed by its chosen option's slots
    (the option is the value at the combo's position; an unknown option adds none)."""
    out: list[tuple[str, int]] = []
    position = start
    for slot in order:
        out.append((slot.name, slot.taken))
        if slot.branches is not None:
            chosen = values[position] if position < len(values) else None
            inner = _layout(slot.branches.get(str(chosen), ()), values, position + slot.taken)
            out.extend(inner)
            position += sum(n for _, n in inner)
        position += slot.taken
    return out
