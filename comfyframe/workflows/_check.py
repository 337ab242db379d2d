"""Check one workflow against the servers of a discovery: reference rows, a per-server summary, and repair."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._parse import load_workflow
from ._references import ServerView, job_size, peak_vram, workflow_references
from ._resolve import READY_STATUSES

CHECK_COLUMNS = ["server", "node", "node_type", "input", "value", "folder", "status", "repair", "url"]
SUMMARY_COLUMNS = ["server", "ready", "missing", "nodes_missing", "repairs", "download_bytes", "vram_gb",
                   "inactive", "elsewhere_in_fleet"]


@dataclass
class WorkflowCheck:
    """``references``: one row per reference and server; ``summary``: one row per server; ``document``: the input."""

    references: pd.DataFrame
    summary: pd.DataFrame
    document: dict[str, Any]

    @property
    def ready_anywhere(self) -> bool:
        return bool(self.summary["ready"].any())

    def repaired(self, server: str | None = None) -> dict[str, Any]:
        """A copy of the workflow with every repairable value rewritten to ``server``'s name (default: the first
        ready server, else the first), at its exact position; nothing else changes."""
        return repair(self.document, self.references, server or _default_server(self.summary))

    def _repr_html_(self) -> str:
        return self.summary._repr_html_()  # type: ignore[operator]


def tuple_cells(values: list[tuple[str, ...]]) -> np.ndarray:
    """An object array of tuples (a list of tuples, or numpy slice assignment, would be read as a 2-D block)."""
    cells = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        cells[i] = value
    return cells


def _distinct_per_group(rows: pd.DataFrame, keys: list[str], column: str, groups: pd.Index) -> list[tuple[str, ...]]:
    """The distinct values of ``column`` per group of ``groups`` (in order of appearance; () for none)."""
    values = rows[column].astype(str).to_numpy(dtype=object)
    found = {k: tuple(dict.fromkeys(values[i])) for k, i in rows.groupby(keys, sort=False).indices.items()}
    return [found.get(k, ()) for k in groups]


def blocking(refs: pd.DataFrame) -> pd.Series:
    """Reference rows that keep a workflow from running on their server (active nodes only)."""
    fine = refs["status"].isin(list(READY_STATUSES)) | refs["repairable"].astype(bool)
    return refs["active"].astype(bool) & ~fine


def server_files(refs: pd.DataFrame) -> pd.Series:
    """The name each reference has on its server ('' when the server does not have it usably)."""
    value = refs["value"].astype("string").fillna("")
    return pd.Series(np.where(refs["status"].eq("present"), value,
                              np.where(refs["repairable"].astype(bool), refs["repair"].astype("string"), "")),
                     index=refs.index).astype(str)


def check_workflow(source: Any, views: Sequence[ServerView], edges: pd.DataFrame, models: pd.DataFrame) -> WorkflowCheck:
    document = load_workflow(source)
    refs, parsed = workflow_references(document, views, edges, models)
    refs = refs.assign(file=server_files(refs), workflow="w")
    latent = {v.url: v.latent_nodes for v in views}
    jobs = pd.DataFrame([{"server": url, "workflow": "w", **job_size(wf, latent[url])} for url, wf in parsed.items()])
    vram = peak_vram(refs, models, jobs, ["server", "workflow"])
    summary = summarise(refs, [v.url for v in views], ["server"])
    summary = summary.merge(vram[["server", "vram_gb"]], on="server", how="left")
    return WorkflowCheck(refs[[*CHECK_COLUMNS, *[c for c in refs.columns if c not in CHECK_COLUMNS and c != "workflow"]]],
                         summary[SUMMARY_COLUMNS], document)


def summarise(refs: pd.DataFrame, servers: Sequence[str], keys: list[str]) -> pd.DataFrame:
    """Per ``keys`` group (``server`` first): ready, missing parts, missing nodes, repairs, download size, and
    for a workflow ready on no server, where the fleet has what each server lacks."""
    block = blocking(refs)
    label = refs["folder"].astype(str).where(refs["folder"].astype(str).eq(""), refs["folder"].astype(str) + "/") \
        + refs["value"].astype(str)
    files = refs.assign(_block=block, _label=label,
                        _missing=block & refs["status"].ne("node_missing"),
                        _node=block & refs["status"].eq("node_missing"),
                        _repair=refs["repairable"].astype(bool),
                        _bytes=refs["size_bytes"].where(block & refs["status"].ne("node_missing")))
    node_label = files["node_type"].astype(str) + np.where(files["pack"].astype(str).ne(""),
                                                         " (" + files["pack"].astype(str) + ")", "")
    files["_node_label"] = node_label
    grouped = files.groupby(keys, sort=False)
    out = pd.DataFrame({
        "ready": ~grouped["_block"].any(),
        "repairs": grouped["_repair"].sum().astype("int64"),
        "download_bytes": grouped["_bytes"].sum(min_count=1).astype("Int64"),
    })
    for column, mask, source in (("missing", files["_missing"], "_label"), ("nodes_missing", files["_node"], "_node_label"),
                                 ("inactive", ~files["active"].astype(bool), "node")):
        out[column] = tuple_cells(_distinct_per_group(files[mask], keys, source, out.index))
    out = out.reset_index()
    if keys == ["server"]:
        every = pd.DataFrame({"server": list(servers)})
        out = every.merge(out, on="server", how="left")
        out["ready"] = out["ready"].fillna(True).astype(bool)  # no references at all: nothing to miss
        for column in ("missing", "nodes_missing", "inactive"):
            out[column] = tuple_cells([v if isinstance(v, tuple) else () for v in out[column]])
        out["repairs"] = out["repairs"].fillna(0).astype("int64")
    out["download_bytes"] = out["download_bytes"].astype("Int64").mask(out["ready"], 0)
    out["elsewhere_in_fleet"] = tuple_cells(_fleet_notes(files, out, keys))
    return out


def _fleet_notes(files: pd.DataFrame, summary: pd.DataFrame, keys: list[str]) -> list[tuple[str, ...]]:
    """For a workflow ready on no server: each server's blocking references, with the servers that have them."""
    others = [k for k in keys if k != "server"]
    join = [*others, "node", "input", "value"]
    usable = files.loc[~files["_block"] & files["active"].astype(bool), [*join, "server"]]
    blocked = files.loc[files["_block"], [*keys, "node", "input", "value", "_label"]]
    if blocked.empty or usable.empty:
        return [()] * len(summary)
    holders = usable.groupby(join, sort=False)["server"].agg(lambda s: ", ".join(dict.fromkeys(s))).rename("holders")
    notes = blocked.merge(holders.reset_index(), on=join, how="inner")
    notes["note"] = notes["_label"] + " on " + notes["holders"]
    ready_somewhere = (summary.groupby(others)["ready"].transform("any") if others
                       else pd.Series(bool(summary["ready"].any()), index=summary.index))
    groups = pd.MultiIndex.from_frame(summary[keys]) if len(keys) > 1 else pd.Index(summary[keys[0]])
    per_group = _distinct_per_group(notes, keys, "note", groups)
    return [() if ready_somewhere.iloc[i] else n for i, n in enumerate(per_group)]


def repair(document: dict[str, Any], refs: pd.DataFrame, server: str) -> dict[str, Any]:
    """``document`` with each repairable reference of ``server`` set to its repair value at its JSON path."""
    fixed = copy.deepcopy(document)
    rows = refs[refs["server"].eq(server) & refs["repairable"].astype(bool)]
    for path, value in zip(rows["path"], rows["repair"]):
        if not path:
            continue
        target: Any = fixed
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = str(value)
    return fixed


def _default_server(summary: pd.DataFrame) -> str:
    ready = summary[summary["ready"]]
    return str((ready if len(ready) else summary)["server"].iloc[0])
