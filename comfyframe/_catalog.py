"""The ``models`` and ``edges`` tables: every model file, and which dropdowns offer it.

A dropdown input offers a model when its options match files the server listed
under ``/models/{folder}`` — found by matching, never by input names. A name
listed in several folders is given the folder(s) where that input finds most of
its options. Options that look like model files but were not listed (a node
scanning its own directory, an old server without ``/models``) still become
models, with ``listed=False``, so no file is lost.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ._rules_catalog import loader_folders, model_extensions
from ._schema import EDGES, METADATA_COLUMNS, MODELS_BASE, conform
from ._snapshot import Snapshot

EDGE_KEYS = ["node", "input", "section", "format", "folder", "name"]


def listed_files(snapshot: Snapshot) -> pd.DataFrame:
    """One row per (folder, name) the server listed, with size, mtime and metadata."""
    folders: list[str] = []
    names: list[str] = []
    for folder in snapshot.model_folders or []:
        files = snapshot.folder_files(folder) or []
        folders.extend([folder] * len(files))
        names.extend(files)
    if snapshot.model_folders is None and snapshot.embeddings:
        # Servers before /models still list embeddings (without extension).
        folders.extend(["embeddings"] * len(snapshot.embeddings))
        names.extend(snapshot.embeddings)
    frame = pd.DataFrame({"folder": folders, "name": names}, dtype="string").drop_duplicates()
    frame = frame.merge(_details(snapshot), how="left", on=["folder", "name"])
    return frame.merge(_metadata(snapshot, frame), how="left", on=["folder", "name"])


def _details(snapshot: Snapshot) -> pd.DataFrame:
    records: list[tuple[str, str, Any, Any]] = []
    for folder in snapshot.model_folders or []:
        for item in snapshot.folder_details(folder) or []:
            if isinstance(item.get("name"), str):
                records.append((folder, item["name"], item.get("size"), item.get("modified")))
    frame = pd.DataFrame(records, columns=["folder", "name", "size_bytes", "modified"])
    frame = frame.drop_duplicates(["folder", "name"])  # same relative name under two paths: first wins, as ComfyUI loads it
    frame[["folder", "name"]] = frame[["folder", "name"]].astype("string")
    frame["size_bytes"] = pd.to_numeric(frame["size_bytes"], errors="coerce").astype("Int64")
    seconds = pd.to_numeric(frame["modified"], errors="coerce")
    frame["modified"] = pd.to_datetime(seconds, unit="s", utc=True)
    return frame


def _metadata(snapshot: Snapshot, files: pd.DataFrame) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for folder, name in zip(files["folder"], files["name"]):
        meta = snapshot.metadata(folder, name)
        if meta is None:
            continue
        row: dict[str, Any] = {"folder": folder, "name": name, "has_metadata": True}
        for column, key in METADATA_COLUMNS.items():
            value = meta.get(key)
            row[column] = None if value is None or value == "" else str(value)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["folder", "name", "has_metadata", *METADATA_COLUMNS])
    return frame.astype({c: "string" for c in ["folder", "name", *METADATA_COLUMNS]})


def match_edges(snapshot: Snapshot, dropdowns: pd.DataFrame, files: pd.DataFrame) -> pd.DataFrame:
    """Edges between dropdown inputs and model files (listed or model-like)."""
    matched = dropdowns.merge(files[["folder", "name"]], left_on="option", right_on="name", how="inner")
    if not matched.empty:
        # For a name listed in several folders keep the folder this input draws most options from.
        home = matched.groupby(["node", "input", "folder"])["option"].transform("size")
        best = home.groupby([matched["node"], matched["input"], matched["option"]]).transform("max")
        matched = matched[home.eq(best)]
    unlisted = dropdowns[~dropdowns["option"].isin(files["name"])]
    unlisted = unlisted[_extension(unlisted["option"]).isin(model_extensions())].copy()
    unlisted["name"] = unlisted["option"]
    unlisted["folder"] = (
        _fallback_folders(unlisted, matched) if snapshot.model_folders is None else pd.Series("", index=unlisted.index)
    )
    edges = pd.concat([matched[EDGE_KEYS], unlisted[EDGE_KEYS]], ignore_index=True).drop_duplicates()
    edges["server"] = snapshot.url
    return conform(edges, EDGES)


def _fallback_folders(unlisted: pd.DataFrame, matched: pd.DataFrame) -> pd.Series:
    """Without ``/models``: core loaders name their folder; other inputs borrow it by shared options."""
    known = loader_folders()
    seeded = unlisted.merge(known, how="left", on=["node", "input"])["folder"].set_axis(unlisted.index)
    pairs = pd.DataFrame({"option": unlisted["option"], "folder": seeded}).dropna().drop_duplicates("option")
    borrowed = unlisted["option"].map(pairs.set_index("option")["folder"])
    return seeded.fillna(borrowed).fillna("").astype("string")


def build_models(snapshot: Snapshot, files: pd.DataFrame, edges: pd.DataFrame, nodes: pd.DataFrame) -> pd.DataFrame:
    """The ``models`` table: listed files plus model-like files seen only in dropdowns."""
    listed = files.assign(listed=True)
    extra = edges.loc[~edges.set_index(["folder", "name"]).index.isin(listed.set_index(["folder", "name"]).index)]
    extra = extra[["folder", "name"]].drop_duplicates().assign(listed=False)
    models = pd.concat([listed, extra], ignore_index=True)
    models["server"] = snapshot.url
    path = models["name"].astype("string").str.replace("\\", "/", regex=False)
    models["path"] = path
    parts = path.str.extract(r"^(?:(?P<subfolder>.*)/)?(?P<stem>[^/]*?)(?:\.(?P<ext>[A-Za-z0-9]{1,12}))?$")
    models["subfolder"] = parts["subfolder"].fillna("")
    models["stem"] = parts["stem"]
    models["ext"] = parts["ext"].str.lower().fillna("")
    models["filename"] = path.str.extract(r"(?P<f>[^/]*)$")["f"]
    models["has_metadata"] = models["has_metadata"].astype("boolean").fillna(False)
    return conform(_add_loaders(models, edges, nodes), MODELS_BASE)


def _add_loaders(models: pd.DataFrame, edges: pd.DataFrame, nodes: pd.DataFrame) -> pd.DataFrame:
    # Building tuple cells needs Python objects; one pass over the (few thousand) edges.
    outputs = dict(zip(nodes["node"], nodes["output_types"]))
    loaders: dict[tuple[str, str], set[str]] = {}
    for folder, name, node in zip(edges["folder"], edges["name"], edges["node"]):
        loaders.setdefault((folder, name), set()).add(node)
    keys = list(zip(models["folder"], models["name"]))
    found = [loaders.get(key, ()) for key in keys]
    out = models.copy()
    out["loader_nodes"] = pd.Series([tuple(sorted(n)) for n in found], index=out.index, dtype="object")
    out["loader_outputs"] = pd.Series(
        [tuple(sorted({o for node in n for o in outputs.get(node, ())})) for n in found], index=out.index, dtype="object"
    )
    out["loader_count"] = [len(n) for n in found]
    return out


def _extension(names: pd.Series) -> pd.Series:
    return names.astype("string").str.extract(r"\.([A-Za-z0-9]{1,12})$", expand=False).str.lower()
