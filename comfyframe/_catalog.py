"""The ``models`` and ``edges`` tables: every model file, and which dropdowns offer it.

A dropdown input offers a model when its options match files the server listed
under ``/models/{folder}`` — found by matching, never by input names. A name
listed in several folders is given the folder(s) where that input finds most of
its options. Options that look like model files but were not listed (a node
scanning its own directory, an old server without ``/models``) still become
models, with ``listed=False``, so no file is lost.

A combined loader (model dropdowns drawing from two or more folders, e.g. 0.8.0's
``LTXAVTextEncoderLoader``: a text encoder plus any checkpoint) that offers every
file of a folder says nothing about what each of those files is: its outputs
belong to the combination. Such edges are flagged ``whole_folder``; they stay in
``edges`` and ``loader_nodes`` but give no loader evidence (``loader_outputs``,
kind votes, family hints).

Matching walks the parsed JSON in dicts (a few thousand options); the tables
are built once at the end.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from ._assets import asset_details
from ._nodes import ParsedNodes
from ._rules import loader_folders
from ._schema import EDGES, METADATA_COLUMNS, MODELS_BASE, from_columns
from ._snapshot import Snapshot

Edge = tuple[str, str, str, str, str, str]  # node, input, section, format, folder, name
WHOLE_FOLDER_MIN_FILES = 3  # smaller folders: offering all of them is no sign of indifference


def whole_folder_inputs(snapshot: Snapshot, edges: list[Edge]) -> set[tuple[str, str, str]]:
    """(node, input, folder) of combined loaders' dropdowns that offer every file of the folder."""
    dropdowns = {(node, input_name, folder) for node, input_name, _section, _fmt, folder, _name in edges if folder}
    folders_of: dict[str, dict[str, set[str]]] = {}  # node -> input -> folders its dropdown draws from
    for node, input_name, folder in dropdowns:
        folders_of.setdefault(node, {}).setdefault(input_name, set()).add(folder)
    # combined: another dropdown of the node draws from folders without this one
    combined = {
        (node, input_name, folder) for node, input_name, folder in dropdowns
        if any(i != input_name and folder not in f for i, f in folders_of[node].items())
    }  # fmt: skip
    offered: dict[tuple[str, str, str], set[str]] = {}
    for node, input_name, _section, _fmt, folder, name in edges if combined else ():
        if (node, input_name, folder) in combined:
            offered.setdefault((node, input_name, folder), set()).add(name)
    whole = set()
    sizes: dict[str, int] = {}
    for (node, input_name, folder), names in offered.items():
        size = sizes.get(folder)
        if size is None:
            size = sizes[folder] = len(set(snapshot.folder_files(folder) or ()))
        if size >= WHOLE_FOLDER_MIN_FILES and len(names) >= size:
            whole.add((node, input_name, folder))
    return whole


def listed_files(snapshot: Snapshot) -> dict[str, list[str]]:
    """name → folders that list it, in the server's folder order."""
    where: dict[str, list[str]] = {}
    for folder in snapshot.model_folders or []:
        for name in snapshot.folder_files(folder) or []:
            folders = where.setdefault(name, [])
            if folder not in folders:
                folders.append(folder)
    if snapshot.model_folders is None:
        # Servers before /models still list embeddings (without extension).
        for name in snapshot.embeddings or []:
            where.setdefault(name, ["embeddings"])
    return where


def match_edges(snapshot: Snapshot, parsed: ParsedNodes, listed: dict[str, list[str]]) -> list[Edge]:
    """Edges between dropdown inputs and model files (listed, or model-like and unlisted)."""
    # How many of each input's options every folder holds: an input's "home" folder.
    # Needed only for inputs offering a name that several folders list.
    torn = {(node, input_name) for node, input_name, _section, _fmt, option in parsed.options
            if len(listed.get(option, ())) > 1}  # fmt: skip
    home: Counter[tuple[str, str, str]] = Counter()
    for node, input_name, _section, _fmt, option in parsed.options if torn else ():
        if (node, input_name) in torn:
            for folder in listed.get(option, ()):
                home[(node, input_name, folder)] += 1
    fallback = _fallback_folders(parsed) if snapshot.model_folders is None else {}
    edges: dict[Edge, None] = {}
    for node, input_name, section, fmt, option in parsed.options:
        folders = listed.get(option)
        if folders is None:
            chosen = [fallback.get((node, input_name, option), "")]
        elif len(folders) == 1:
            chosen = folders
        else:
            best = max(home[(node, input_name, f)] for f in folders)
            chosen = [f for f in folders if home[(node, input_name, f)] == best]
        for folder in chosen:
            edges[(node, input_name, section, fmt, folder, option)] = None
    return list(edges)


def _fallback_folders(parsed: ParsedNodes) -> dict[tuple[str, str, str], str]:
    """Without ``/models``: core loaders name their folder; other inputs borrow it by shared options."""
    table = loader_folders()
    known = dict(zip(zip(table["node"], table["input"]), table["folder"]))
    by_option: dict[str, str] = {}
    for node, input_name, _section, _fmt, option in parsed.options:
        folder = known.get((node, input_name))
        if folder is not None:
            by_option.setdefault(option, folder)
    return {
        (node, input_name, option): known.get((node, input_name)) or by_option.get(option, "")
        for node, input_name, _section, _fmt, option in parsed.options
    }


def build_edges(snapshot: Snapshot, edges: list[Edge], whole: set[tuple[str, str, str]]) -> pd.DataFrame:
    """The ``edges`` table; ``whole`` is :func:`whole_folder_inputs` of the same edges."""
    columns: list[Any] = list(zip(*edges)) if edges else [[] for _ in range(6)]
    data: dict[str, Any] = dict(zip(("node", "input", "section", "format", "folder", "name"), columns))
    data["server"] = snapshot.url
    data["whole_folder"] = [(e[0], e[1], e[4]) in whole for e in edges]
    return from_columns(EDGES, data, len(edges))


def build_models(
    snapshot: Snapshot,
    listed: dict[str, list[str]],
    edges: list[Edge],
    outputs: dict[str, tuple[str, ...]],
    whole: set[tuple[str, str, str]],
) -> pd.DataFrame:
    """The ``models`` table: listed files plus model-like files seen only in dropdowns."""
    keys: dict[tuple[str, str], bool] = {}
    for name, folders in listed.items():
        for folder in folders:
            keys[(folder, name)] = True
    loaders: dict[tuple[str, str], set[str]] = {}
    for node, _input, _section, _fmt, folder, name in edges:
        offering = loaders.get((folder, name))
        if offering is None:
            offering = loaders[(folder, name)] = set()
            keys.setdefault((folder, name), False)
        offering.add(node)
    evidence = loaders  # loaders whose outputs say what the file is: all but the whole-folder ones
    if whole:
        evidence = {}
        for node, input_name, _section, _fmt, folder, name in edges:
            if (node, input_name, folder) not in whole:
                evidence.setdefault((folder, name), set()).add(node)
    # Listed order: folder order of the server, then the server's own file order.
    order = {f: i for i, f in enumerate(snapshot.model_folders or [])}
    ordered = sorted(keys, key=lambda k: (order.get(k[0], len(order)), not keys[k]))
    details = _details(snapshot)
    assets = asset_details(snapshot)  # newer servers: sizes /experiment/models leaves out, hashes
    for file, (size, modified, _hash) in assets.items():
        known = details.get(file, (None, None))
        details[file] = (known[0] if known[0] is not None else size, known[1] if known[1] is not None else modified)
    metadata = _metadata(snapshot, ordered)
    n = len(ordered)
    cols: dict[str, Any] = {
        "server": snapshot.url,
        "folder": [k[0] for k in ordered],
        "name": [k[1] for k in ordered],
        "listed": [keys[k] for k in ordered],
        "size_bytes": [details.get(k, (None, None))[0] for k in ordered],
        "modified": [details.get(k, (None, None))[1] for k in ordered],
        "has_metadata": [k in metadata for k in ordered],
        "hash": [assets.get(k, (None, None, None))[2] for k in ordered],
    }
    for column, key in METADATA_COLUMNS.items():
        cols[column] = [_meta_text(metadata.get(k, {}).get(key)) for k in ordered]
    found = [loaders.get(k, set()) for k in ordered]
    cols["loader_nodes"] = [tuple(sorted(s)) for s in found]
    speaking = [evidence.get(k, set()) for k in ordered]
    cols["loader_outputs"] = [tuple(sorted({o for node in s for o in outputs.get(node, ())})) for s in speaking]
    cols["loader_count"] = [len(s) for s in found]
    # A few hundred names: one compiled `re` per name costs less than pandas' string-method machinery.
    paths = [k[1].replace("\\", "/") for k in ordered]
    parts = [_PATH_PARTS.search(p) for p in paths]
    stems = [None if m is None else m["stem"] for m in parts]
    exts = ["" if m is None or m["ext"] is None else m["ext"].lower() for m in parts]
    cols["path"] = paths
    cols["subfolder"] = ["" if m is None or m["subfolder"] is None else m["subfolder"] for m in parts]
    cols["stem"] = stems
    cols["ext"] = exts
    cols["filename"] = [None if s is None else s + "." + e if e else s for s, e in zip(stems, exts)]
    return from_columns(MODELS_BASE, cols, n)


_PATH_PARTS = re.compile(r"^(?:(?P<subfolder>.*)/)?(?P<stem>[^/]*?)(?:\.(?P<ext>[A-Za-z0-9]{1,12}))?$")


def _details(snapshot: Snapshot) -> dict[tuple[str, str], tuple[int | None, datetime | None]]:
    found: dict[tuple[str, str], tuple[int | None, datetime | None]] = {}
    for folder in snapshot.model_folders or []:
        for item in snapshot.folder_details(folder) or []:
            name = item.get("name")
            if isinstance(name, str) and (folder, name) not in found:  # first path wins, as ComfyUI loads it
                found[(folder, name)] = (_int(item.get("size")), _time(item.get("modified")))
    return found


def _metadata(snapshot: Snapshot, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for folder, name in keys:
        meta = snapshot.metadata(folder, name) if folder else None
        if meta is not None:
            found[(folder, name)] = meta
    return found


def _meta_text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
