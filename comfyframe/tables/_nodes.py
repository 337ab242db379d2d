"""Parse ``/object_info``: node classes and the dropdown options that may be model files.

``/object_info`` is a dict of node classes. A dropdown ("combo") input comes in
two formats: legacy ``[["a.safetensors", …], {…}]`` and V3
``["COMBO", {"options": [...]}]``; both occur in ``required`` and ``optional``.
ComfyUI 0.8+ V3 dynamic inputs nest whole input specs: ``COMFY_DYNAMICCOMBO_V3``
options each carry ``inputs`` (named ``parent.child`` in a prompt) and
``COMFY_AUTOGROW_V3`` repeats a ``template`` input (``parent.image0``, ``parent.image1`` …,
recorded once as ``parent.image*``; a template with fixed ``names`` gives one input each).
This is JSON parsing, so it walks the dicts once and returns plain columns;
the tables are built from them in one step.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain, repeat
from typing import Any

import numpy as np
import pandas as pd

from ..snapshot._snapshot import Snapshot
from ._schema import NODES, from_columns

SECTIONS = ("required", "optional")
DYNAMIC_COMBO = "COMFY_DYNAMICCOMBO_V3"
AUTOGROW = "COMFY_AUTOGROW_V3"
_NESTED = frozenset({DYNAMIC_COMBO, AUTOGROW})
_SPECIAL_HEADS = frozenset({"COMBO", *_NESTED})  # input types that may hold a dropdown
MAX_NESTING = 8  # dynamic inputs inside dynamic inputs; deeper is a malformed answer
CORE_MODULE_ROOTS = frozenset({"nodes", "comfy_extras", "comfy_api_nodes", "comfy", "comfy_api"})


def dropdown_options(spec: Any) -> tuple[str, list[Any]] | None:
    """Return ``(format, options)`` when an input spec is a dropdown, else ``None``."""
    if not isinstance(spec, (list, tuple)) or not spec:
        return None
    head = spec[0]
    if isinstance(head, (list, tuple)):
        return "list", list(head)
    if head == "COMBO" and len(spec) > 1 and isinstance(spec[1], dict):
        options = spec[1].get("options")
        if isinstance(options, (list, tuple)):
            return "combo", list(options)
    return None


def package_of(module: str | None) -> str | None:
    """``custom_nodes.ComfyUI-GGUF`` → ``ComfyUI-GGUF``; core modules → ``comfy_core``."""
    if not module:
        return None
    parts = module.split(".")
    if parts[0] == "custom_nodes" and len(parts) > 1:
        return parts[1].split("@", 1)[0]
    if parts[0] in CORE_MODULE_ROOTS:
        return "comfy_core"
    return parts[0]


Dropdown = tuple[str, str, str, str, list[str]]  # node, input, section, format, the model files it offers


@dataclass
class ParsedNodes:
    """Node columns, and the dropdowns that offer model files as (node, input, section, format, options)."""

    columns: dict[str, Any] = field(default_factory=dict)
    dropdowns: list[Dropdown] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.columns.get("node", []))


def parse_object_info(snapshot: Snapshot, file_names: frozenset[str], extensions: frozenset[str]) -> ParsedNodes:
    """Walk ``/object_info`` once.

    Only options that may be model files are kept: names in ``file_names``
    (what the server listed) or names ending in a model extension. Sampler
    names, presets and the like never reach a table.
    """
    # One pass over the node classes: each spec dict is read once, for the nodes table's fields and for its
    # inputs (per-field passes over thousands of dicts cost a cache miss per dict each).
    # Every dropdown as (node, section, input, format, options), in walk_inputs order; inline, not a call per
    # node: object_info holds thousands of inputs, and class checks plus one lookup settle most of them.
    found: list[tuple[str, str, str, str, Sequence[Any]]] = []
    fields_of: tuple[list[Any], ...] = tuple([] for _ in _NODE_FIELDS)
    nodes, modules, names, categories, outputs, output_node, deprecated, experimental, api_node = fields_of
    for node, spec in snapshot.object_info.items():
        if spec.__class__ is not dict and not isinstance(spec, dict):
            continue
        get = spec.get
        nodes.append(node)
        modules.append(get("python_module"))
        names.append(get("display_name"))
        categories.append(get("category"))
        outputs.append(get("output"))
        output_node.append(get("output_node"))
        deprecated.append(get("deprecated"))
        experimental.append(get("experimental"))
        api_node.append(get("api_node"))
        inputs = get("input")
        if inputs.__class__ is not dict:
            continue
        for section in SECTIONS:
            fields = inputs.get(section)
            if fields.__class__ is not dict:
                continue
            for name, input_spec in fields.items():
                if input_spec.__class__ is list and input_spec:  # as servers send them
                    head = input_spec[0]
                    if head.__class__ is str:
                        if head not in _SPECIAL_HEADS:  # ["INT", {…}], ["MODEL"] …
                            continue
                        if head == "COMBO" and len(input_spec) > 1 and input_spec[1].__class__ is dict:
                            options = input_spec[1].get("options")
                            if options.__class__ is list:
                                found.append((node, section, name, "combo", options))
                                continue
                    elif head.__class__ is list:  # legacy dropdown
                        found.append((node, section, name, "list", head))
                        continue
                found += [(node, *dropdown) for dropdown in _input_dropdowns(section, name, input_spec)]
    columns = _node_columns(dict(zip(_NODE_FIELDS, fields_of)))
    return ParsedNodes(columns, _model_dropdowns(found, file_names, extensions))


# What the walk reads from each node class, in its order: the node's name, then its fields.
_NODE_FIELDS = ("node", "python_module", "display_name", "category", "output",
                "output_node", "deprecated", "experimental", "api_node")  # fmt: skip


def _input_dropdowns(section: str, name: str, spec: Any) -> list[tuple[str, str, str, Sequence[Any]]]:
    """(section, input name, format, options) of the dropdowns one input spec is or holds (V3 nesting).

    The walk's slow path, for what its inline checks did not settle: tuples, V3 dynamic inputs.
    """
    head = spec[0] if isinstance(spec, (list, tuple)) and spec else None
    if isinstance(head, str) and head in _NESTED:
        return [
            (inner_section, full, *dropdown)
            for inner_section, full, inner in walk_inputs({section: {name: spec}})
            if (dropdown := dropdown_options(inner)) is not None
        ]
    dropdown = dropdown_options(spec)
    return [] if dropdown is None else [(section, name, *dropdown)]


def _model_dropdowns(
    found: list[tuple[str, str, str, str, Sequence[Any]]], file_names: frozenset[str], extensions: frozenset[str]
) -> list[Dropdown]:
    """The dropdowns of ``found`` that offer model files, each with only those options."""
    dropdowns: list[Dropdown] = []
    # Many dropdowns repeat one list (every sampler node's sampler names, every loader's checkpoints):
    # each distinct list is filtered once, and its dropdowns share the result.
    kept: dict[tuple[Any, ...], list[str]] = {}
    for node, section, input_name, fmt, values in found:
        if not _may_offer_models(values, file_names):  # most lists; settled before the cache key is built
            continue
        try:
            key = tuple(values)
            models = kept.get(key)
        except TypeError:  # unhashable options (objects): not cached
            key, models = None, None
        if models is None:
            models = _model_options(values, file_names, extensions)
            if key is not None:
                kept[key] = models
        if models:
            dropdowns.append((node, input_name, section, fmt, models))
    return dropdowns


def _may_offer_models(values: Sequence[Any], file_names: frozenset[str]) -> bool:
    """False when no option can be a model file: all text, no dot anywhere, and no listed name."""
    try:  # most lists (sampler names, modes) are text without a dot: only a listed name could be a model there
        dotless = "." not in "".join(values)
    except TypeError:  # not all text
        return True
    return not dotless or not file_names.isdisjoint(values)


def _model_options(values: Sequence[Any], file_names: frozenset[str], extensions: frozenset[str]) -> list[str]:
    """The options that are listed files or "<stem>.<model extension>" names, in order."""
    # rpartition inline, "." first: thousands of options
    return [o for o in values if isinstance(o, str) and (o in file_names or (
        "." in o and (parts := o.rpartition("."))[0] != "" and parts[2].lower() in extensions))]


def _node_columns(fields: dict[str, list[Any]]) -> dict[str, Any]:
    """The nodes table's own columns from the walk's raw field values (one C-level pass per column where it can)."""
    nodes = fields["node"]
    modules = _texts(fields["python_module"])
    packages = {module: package_of(module) for module in set(modules)}  # a pack's nodes share their module
    names = _texts(fields["display_name"])
    return {
        "node": nodes,
        "display_name": names if None not in names else [name or node for name, node in zip(names, nodes)],
        "category": _texts(fields["category"]),
        "python_module": modules,
        "package": list(map(packages.__getitem__, modules)),
        "output_types": _output_types(fields["output"]),
        **{flag: np.fromiter(map(bool, fields[flag]), dtype=bool, count=len(nodes))
           for flag in ("output_node", "deprecated", "experimental", "api_node")},
    }  # fmt: skip


def _output_types(outputs: list[Any]) -> list[tuple[str, ...]]:
    """Each node's output types as a tuple of text (``()`` when not a list).

    Servers send text: ``str()`` runs only on the nodes that list something else (option lists), found
    by one pass over the types, not on every type of every node.
    """
    types = [tuple(o) if isinstance(o, list) else () for o in outputs]
    kinds = list(map(type, chain.from_iterable(types)))
    if kinds.count(str) == len(kinds):
        return types
    ends = list(accumulate(map(len, types)))  # ends[i]: where node i's types end in ``kinds``
    for node in {bisect_right(ends, i) for i, kind in enumerate(kinds) if kind is not str}:
        types[node] = tuple(map(str, types[node]))
    return types


def _texts(values: list[Any]) -> list[str | None]:
    """Each value that is non-empty text, else None; all text already (as servers send it): ``values`` itself."""
    if set(map(type, values)) == {str} and "" not in values:
        return values
    return [value if isinstance(value, str) and value else None for value in values]


def walk_inputs(inputs: dict[str, Any], prefix: str = "", depth: int = 0) -> Iterator[tuple[str, str, Any]]:
    """(section, input name, spec) of every input, the ones nested in V3 dynamic inputs included."""
    for section in SECTIONS:
        fields = inputs.get(section)
        if not isinstance(fields, dict):
            continue
        for name, spec in fields.items():
            full = f"{prefix}{name}"
            yield section, full, spec
            if depth >= MAX_NESTING or not isinstance(spec, (list, tuple)) or len(spec) < 2 or not isinstance(spec[1], dict):
                continue
            if spec[0] == DYNAMIC_COMBO:
                for option in spec[1].get("options") or []:
                    if isinstance(option, dict) and isinstance(option.get("inputs"), dict):
                        yield from walk_inputs(option["inputs"], full + ".", depth + 1)
            elif spec[0] == AUTOGROW and isinstance(spec[1].get("template"), dict):
                yield from _autogrow(spec[1]["template"], full + ".")


def _autogrow(template: dict[str, Any], prefix: str) -> Iterator[tuple[str, str, Any]]:
    """The inputs an autogrow template stands for: fixed ``names`` each, else ``prefix*`` once."""
    inner = template.get("input")
    specs = [(section, spec) for section, _name, spec in walk_inputs(inner, "", MAX_NESTING)] if isinstance(inner, dict) else []
    if not specs:
        return
    section, spec = specs[0]  # ComfyUI repeats the template's first input
    names = template.get("names")
    if isinstance(names, list):
        for name in names:
            if isinstance(name, str):
                yield section, f"{prefix}{name}", spec
    elif isinstance(template.get("prefix"), str):
        yield section, f"{prefix}{template['prefix']}*", spec


def build_nodes(
    snapshot: Snapshot, parsed: ParsedNodes, offers: Sequence[tuple[str, str, str, str, list[tuple[str, str]]]]
) -> pd.DataFrame:
    """The ``nodes`` table; ``offers`` are the (node, input, section, format, (folder, name) pairs) of
    :func:`comfyframe.tables._offers.match_offers`."""
    inputs = Counter(node for node, _input in {(offer[0], offer[1]) for offer in offers})
    by_node: dict[str, list[list[tuple[str, str]]]] = {}
    for node, _input, _section, _fmt, pairs in offers:
        by_node.setdefault(node, []).append(pairs)
    # an offer's pairs hold no repeats: one offer counts as it is, several are merged
    offered = {node: len(lists[0]) if len(lists) == 1 else len(set(chain.from_iterable(lists)))
               for node, lists in by_node.items()}  # fmt: skip
    n = parsed.count
    cols: dict[str, Any] = dict(parsed.columns)
    nodes = cols["node"]
    packages = np.fromiter(cols["package"], dtype=object, count=n)
    cols["is_core"] = pd.arrays.BooleanArray(packages == "comfy_core", pd.isna(packages))
    cols["model_inputs"] = np.fromiter(map(inputs.get, nodes, repeat(0)), dtype=np.int64, count=n)
    cols["models_offered"] = np.fromiter(map(offered.get, nodes, repeat(0)), dtype=np.int64, count=n)
    cols["loads_models"] = cols["model_inputs"] > 0
    cols["server"] = snapshot.url
    return from_columns(NODES, cols, n)
