"""``Discovery.workflows``: one row per template (official or a custom-node pack's example) per server.

The official index gives title, tags, families (its ``models``), ``minComfyUIVersion`` and ``usage``; the
template file gives the references, resolved against the server, and the job (latent node sizes). API-only
(cloud) templates are left out: they have no local files to check.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import orjson
import pandas as pd

from ..rules._rules import workflow_tags
from ..snapshot._snapshot import (
    CUSTOM_TEMPLATES,
    OBJECT_INFO,
    TEMPLATES_INDEX,
    Snapshot,
    custom_template_route,
    template_route,
)
from ..snapshot._templates import index_entries, is_local
from ._check import server_files, summarise, tuple_cells
from ._parse import WorkflowError, load_workflow, parse_workflow
from ._references import ServerView, job_size, peak_vram
from ._resolve import extract_references, finish, references_frame, resolve

WORKFLOW_COLUMNS = [
    "server", "source", "template", "title", "tags", "capabilities", "families", "min_comfyui_version", "version_ok",
    "nodes_missing", "models", "missing", "repairs", "download_bytes", "ready", "width", "height", "frames", "batch",
    "vram_gb", "usage", "family", "generator", "elsewhere_in_fleet",
]  # fmt: skip


def template_list(snapshot: Snapshot) -> list[dict[str, Any]]:
    """The server's templates with a captured file: index entries (source ``official``) and pack examples."""
    out = []
    for entry in index_entries(snapshot.responses.get(TEMPLATES_INDEX)):
        body = snapshot.responses.get(template_route(entry["name"]))
        if is_local(entry) and isinstance(body, dict):
            out.append({"source": "official", "template": entry["name"], "entry": entry, "body": body})
    packs = snapshot.responses.get(CUSTOM_TEMPLATES)
    for pack, names in (packs.items() if isinstance(packs, dict) else ()):
        for name in names if isinstance(names, list) else ():
            body = snapshot.responses.get(custom_template_route(str(pack), f"{name}.json"))
            if isinstance(body, dict):
                out.append({"source": str(pack), "template": str(name), "entry": {"title": str(name)}, "body": body})
    return out


def workflows_table(snapshots: Sequence[Snapshot], views: Sequence[ServerView], edges: pd.DataFrame,
                    models: pd.DataFrame) -> pd.DataFrame:
    """The ``workflows`` table of a discovery (see :data:`WORKFLOW_COLUMNS`).

    A fleet runs the same templates package on servers with the same nodes: a template body is parsed once
    per distinct (body, node definitions) and its job and references are reused, relabelled, for the rest.
    (The snapshots are read, never changed, so the shared results are never mutated.)
    """
    rows: list[dict[str, Any]] = []
    refs: list[dict[str, Any]] = []
    parsed: dict[Hashable, tuple[dict[str, float], list[dict[str, Any]]] | None] = {}
    for snap, view in zip(snapshots, views):
        version = _comfyui_version(snap)
        nodes_key = _view_key(snap, view) if len(snapshots) > 1 else None
        for number, item in enumerate(template_list(snap)):
            key = f"{item['source']}\0{item['template']}"
            body_key = (nodes_key, _body_key(item["body"])) if nodes_key is not None else None
            if body_key is None or body_key not in parsed:
                parsed_here = _parse(item["body"], view)
                if body_key is not None:
                    parsed[body_key] = parsed_here
            else:
                parsed_here = parsed[body_key]
            if parsed_here is None:
                continue  # not a workflow (a pack's example folder may hold other JSON)
            job, found = parsed_here
            entry = item["entry"]
            wanted = str(entry.get("minComfyUIVersion") or "")
            rows.append({"server": snap.url, "key": key, "order": number, "source": item["source"],
                         "template": item["template"], "title": str(entry.get("title") or item["template"]),
                         "tags": _strings(entry.get("tags")), "families": _strings(entry.get("models")),
                         "min_comfyui_version": wanted, "version_ok": _at_least(version, wanted),
                         "usage": entry.get("usage") if isinstance(entry.get("usage"), int) else None,
                         "index_size": entry.get("size") if isinstance(entry.get("size"), int) else None, **job})
            refs.extend({**r, "server": snap.url, "workflow": key} for r in found)
    if not rows:
        return _empty()
    table = pd.DataFrame(rows)
    resolved = finish(resolve(references_frame(refs), edges, models)) if refs else None
    if resolved is not None and len(resolved):
        resolved = resolved.assign(file=server_files(resolved))
        summary = summarise(resolved, [s.url for s in snapshots], ["server", "workflow"]).rename(columns={"workflow": "key"})
        counts = resolved[resolved["status"].ne("node_missing")].groupby(["server", "workflow"]).size().rename("models")
        vram = peak_vram(resolved, models, table.rename(columns={"key": "workflow"})[
            ["server", "workflow", "width", "height", "frames", "batch"]], ["server", "workflow"])
        table = (table.merge(summary, on=["server", "key"], how="left")
                 .merge(counts.reset_index().rename(columns={"workflow": "key"}), on=["server", "key"], how="left")
                 .merge(vram.rename(columns={"workflow": "key"}), on=["server", "key"], how="left"))
    return _finish(table)


def _parse(body: dict[str, Any], view: ServerView) -> tuple[dict[str, float], list[dict[str, Any]]] | None:
    """A template's job size and reference rows on the server of ``view`` (None: not a workflow)."""
    try:
        workflow = parse_workflow(load_workflow(body), view.widgets)
    except WorkflowError:
        return None
    return job_size(workflow, view.latent_nodes), extract_references(workflow, view.url, view.node_types, view.inputs)


def _view_key(snapshot: Snapshot, view: ServerView) -> Hashable:
    """Equal keys: the servers read a workflow alike. ``/object_info`` (which gives the widget order) counts by
    identity, as for the fleet's frames (``_frames._content_key``): a discovery shares identical bodies."""
    return id(snapshot.responses.get(OBJECT_INFO)), view.node_types, view.latent_nodes, frozenset(view.inputs.items())


def _body_key(body: dict[str, Any]) -> Hashable:
    """A digest of a template body's JSON text; its identity when it is not plain JSON (then never shared)."""
    try:
        return hashlib.blake2b(orjson.dumps(body, option=orjson.OPT_SORT_KEYS), digest_size=16).digest()
    except (TypeError, orjson.JSONEncodeError):
        return ("unshared", id(body))


def _finish(table: pd.DataFrame) -> pd.DataFrame:
    for column in ("missing", "nodes_missing", "elsewhere_in_fleet"):
        if column not in table:
            table[column] = [()] * len(table)
        table[column] = tuple_cells([v if isinstance(v, tuple) else () for v in table[column]])
    for column, default in (("repairs", 0), ("models", 0)):
        table[column] = table[column].fillna(default).astype("int64") if column in table else default
    if "ready" not in table:
        table["ready"] = True
    if "vram_gb" not in table:
        table["vram_gb"] = np.nan
    for column in ("family", "generator"):
        if column not in table:
            table[column] = ""
        table[column] = table[column].fillna("").astype(str)
    table["ready"] = table["ready"].fillna(True).astype(bool) & table["version_ok"].astype(bool)
    # The index's size is the whole template's download: it is the answer when the server has none of its files.
    table["download_bytes"] = table.get("download_bytes", pd.Series(pd.NA, index=table.index)).astype("Int64")
    none_here = table["missing"].map(len).ge(table["models"]) & table["models"].gt(0) & ~table["ready"]
    table.loc[none_here, "download_bytes"] = table.loc[none_here, "index_size"]
    table.loc[table["ready"], "download_bytes"] = 0
    table["capabilities"] = tuple_cells([_capabilities(tags) for tags in table["tags"]])
    table = table.sort_values(["server", "order"], kind="stable")
    out = table.reindex(columns=WORKFLOW_COLUMNS).reset_index(drop=True)
    return out.astype({"server": "string", "source": "string", "template": "string", "title": "string",
                       "min_comfyui_version": "string", "version_ok": "bool", "ready": "bool", "usage": "Int64",
                       "download_bytes": "Int64", "width": "float64", "height": "float64", "frames": "float64",
                       "batch": "float64", "vram_gb": "float64", "family": "string", "generator": "string"})


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in WORKFLOW_COLUMNS})


def _capabilities(tags: tuple[str, ...]) -> tuple[str, ...]:
    rules = workflow_tags()
    lookup = dict(zip(rules["tag"], rules["capabilities"]))
    found = {c for t in tags for c in lookup.get(t.lower(), "").split(";") if c}
    return tuple(sorted(found))


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value if isinstance(v, (str, int, float))) if isinstance(value, list) else ()


def _comfyui_version(snapshot: Snapshot) -> str:
    system = (snapshot.system_stats or {}).get("system")
    return str(system.get("comfyui_version") or "") if isinstance(system, dict) else ""


_NUMBERS = re.compile(r"\d+")


def _at_least(have: str, wanted: str) -> bool:
    """``have >= wanted`` on their leading numbers; unknown on either side counts as fine."""
    if not have or not wanted:
        return True
    a, b = [int(n) for n in _NUMBERS.findall(have)[:3]], [int(n) for n in _NUMBERS.findall(wanted)[:3]]
    return not a or not b or a >= b
