"""Parse a ComfyUI workflow (UI or API format) into its nodes and widget values, without pandas.

UI format (what the editor saves): ``nodes`` with ``type``, ``mode``, ``inputs`` and ``widgets_values``;
subgraphs live in ``definitions.subgraphs`` and are instantiated by nodes whose ``type`` is a subgraph id
(nested, bounded); legacy group nodes (``workflow>Name``) in ``extra.groupNodes``. Widget values follow the
order of the node class's widget inputs in ``/object_info`` (``input_order`` where the server gives it), with
the frontend's hidden extra values (``control_after_generate`` after seeds, the upload button after an upload
combo). API format (what ``/prompt`` takes): ``{id: {class_type, inputs}}``.

Every value is kept exactly as written, with the JSON path to it, so a repair can rewrite that value alone.
"""

from __future__ import annotations

import json
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


WidgetOrder = Mapping[str, list[tuple[str, int]]]  # node class -> [(input name, values it takes)]


def widget_order(object_info: Mapping[str, Any]) -> dict[str, list[tuple[str, int]]]:
    """Per node class, its widget inputs in the order the frontend serialises them, with how many values each takes."""
    out: dict[str, list[tuple[str, int]]] = {}
    for cls, info in object_info.items():
        if not isinstance(info, dict) or not isinstance(info.get("input"), dict):
            continue
        spec = info["input"]
        order: dict[str, Any] = info["input_order"] if isinstance(info.get("input_order"), dict) else {}
        widgets: list[tuple[str, int]] = []
        for section in ("required", "optional"):
            inputs = spec.get(section)
            if not isinstance(inputs, dict):
                continue
            listed = order.get(section)
            names: list[Any] = listed if isinstance(listed, list) else list(inputs)
            for name in names:
                taken = _values_taken(str(name), inputs.get(name))
                if taken:
                    widgets.append((str(name), taken))
        out[str(cls)] = widgets
    return out


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
        self._nodes(self.document["nodes"], ("nodes",), "", None, 0, ())
        return self.out

    def _nodes(self, nodes: list[Any], base: Path_, prefix: str, inherited: str | None, depth: int,
               stack: tuple[str, ...]) -> None:
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
                self._nodes(graph["nodes"], (*path, "nodes"), f"{node_id}:", _inactive(mode), depth + 1,
                            (*stack, node_type))
                continue
            group = self._group(node_type)
            if group is not None:
                graph, path = group
                self._nodes(graph["nodes"], (*path, "nodes"), f"{node_id}:", _inactive(mode), depth + 1, stack)
                continue
            self.out.append(self._node(node, (*base, index), node_id, node_type, mode))

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


def _inactive(mode: str) -> str | None:
    return mode if mode in INACTIVE_MODES else None


def _name_values(values: Any, order: list[tuple[str, int]] | None, converted: frozenset[str], base: Path_) -> list[Widget]:
    """Name each widget value by the node class's widget order; values of an unknown class stay unnamed."""
    if isinstance(values, dict):  # some packs save {name: value}
        return [Widget(str(k), v, (*base, k)) for k, v in values.items() if not isinstance(v, (dict, list))]
    if not isinstance(values, list):
        return []
    if order is None:
        return [Widget("", v, (*base, i)) for i, v in enumerate(values)]
    full = sum(n for _, n in order)
    if len(values) != full and converted:
        # Older frontends dropped the value of a widget converted to a socket: try that layout.
        without = [(name, n) for name, n in order if name not in converted]
        if sum(n for _, n in without) == len(values):
            order = without
    named: list[Widget] = []
    position = 0
    for name, taken in order:
        if position >= len(values):
            break
        named.append(Widget(name, values[position], (*base, position)))
        position += taken
    return named
