"""Parse ``/object_info``: the ``nodes`` table and the long table of dropdown options.

``/object_info`` is a dict of node classes. A dropdown ("combo") input comes in
two formats: legacy ``[["a.safetensors", …], {…}]`` and V3
``["COMBO", {"options": [...]}]``; both occur in ``required`` and ``optional``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ._schema import NODES, conform
from ._snapshot import Snapshot

SECTIONS = ("required", "optional")
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


def parse_object_info(
    snapshot: Snapshot, file_names: frozenset[str], extensions: frozenset[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(nodes, dropdowns)``.

    ``dropdowns`` has one row per option that may be a model file: a name in
    ``file_names`` (what the server listed) or one ending in a model extension.
    Filtering here keeps sampler names, presets and the like out of every later step.
    """
    info = snapshot.object_info
    node_rows: list[tuple[Any, ...]] = []
    dd_node: list[str] = []
    dd_input: list[str] = []
    dd_section: list[str] = []
    dd_format: list[str] = []
    dd_option: list[str] = []
    for node, spec in info.items():
        if not isinstance(spec, dict):
            continue
        inputs = spec.get("input") if isinstance(spec.get("input"), dict) else {}
        for section in SECTIONS:
            fields = inputs.get(section)
            if not isinstance(fields, dict):
                continue
            for input_name, input_spec in fields.items():
                found = dropdown_options(input_spec)
                if found is None:
                    continue
                fmt, options = found
                strings = [
                    o
                    for o in options
                    if isinstance(o, str) and (o in file_names or o.rpartition(".")[2].lower() in extensions)
                ]
                count = len(strings)
                dd_node.extend([node] * count)
                dd_input.extend([input_name] * count)
                dd_section.extend([section] * count)
                dd_format.extend([fmt] * count)
                dd_option.extend(strings)
        outputs = spec.get("output")
        module = spec.get("python_module")
        node_rows.append(
            (
                node,
                _text(spec.get("display_name")) or node,
                _text(spec.get("category")),
                _text(module),
                package_of(_text(module)),
                tuple(str(o) for o in outputs) if isinstance(outputs, list) else (),
                bool(spec.get("output_node", False)),
                bool(spec.get("deprecated", False)),
                bool(spec.get("experimental", False)),
                bool(spec.get("api_node", False)),
            )
        )
    nodes = pd.DataFrame(
        node_rows,
        columns=[
            "node", "display_name", "category", "python_module", "package", "output_types",
            "output_node", "deprecated", "experimental", "api_node",
        ],
    )
    nodes["server"] = snapshot.url
    nodes["is_core"] = nodes["package"].eq("comfy_core").astype("boolean").mask(nodes["package"].isna())
    dropdowns = pd.DataFrame(
        {"node": dd_node, "input": dd_input, "section": dd_section, "format": dd_format, "option": dd_option},
        dtype="string",
    )
    return nodes, dropdowns


def finish_nodes(nodes: pd.DataFrame, edges: pd.DataFrame) -> pd.DataFrame:
    """Add the model-loading columns once edges are known, and conform to the schema."""
    per_node = edges.groupby("node", sort=False).agg(
        model_inputs=("input", "nunique"), models_offered=("name", "nunique")
    )
    out = nodes.merge(per_node, how="left", left_on="node", right_index=True)
    out["model_inputs"] = out["model_inputs"].fillna(0)
    out["models_offered"] = out["models_offered"].fillna(0)
    out["loads_models"] = out["model_inputs"].gt(0)
    return conform(out, NODES)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
