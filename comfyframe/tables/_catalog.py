"""The ``models`` and ``edges`` tables: every model file, and which dropdowns offer it.

What each dropdown offers is matched in :mod:`comfyframe.tables._offers`; this module lays the offers
out as tables. Edges of a combined loader that offers every file of a folder are flagged
``whole_folder``; they stay in ``edges`` and ``loader_nodes`` but give no loader evidence
(``loader_outputs``, kind votes, family hints).

Dropdowns with equal options share one list of (folder, name) pairs, so the per-file loader
sets are gathered per list, not per edge; the tables are built once at the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from ..snapshot._assets import asset_base_models, asset_details
from ..snapshot._etn import etn_info
from ..snapshot._headers import tensor_header
from ..snapshot._snapshot import Snapshot, metadata_route
from ..support._validate import epoch_time, file_size
from ._offers import Offer, Pairs
from ._schema import EDGES, HEADER_COLUMN, METADATA_COLUMNS, MODELS_BASE, from_columns, text_take


def build_edges(snapshot: Snapshot, offers: list[Offer], whole: set[tuple[str, str, str]]) -> pd.DataFrame:
    """The ``edges`` table: one row per pair each offer holds; ``whole`` is :func:`whole_folder_inputs` of them."""
    lengths = np.fromiter(map(len, map(itemgetter(4), offers)), dtype=np.intp, count=len(offers))
    # Columns are gathered by Arrow from per-offer and per-file values: no Python loop per edge.
    rows = np.repeat(np.arange(len(offers)), lengths)  # the offer of each edge
    files: dict[tuple[str, str], int] = {}  # (folder, name) -> its position among the offered files
    picks: dict[int, np.ndarray] = {}  # id(pairs) -> positions of its pairs (offers share pairs lists)
    for *_, pairs in offers:
        if id(pairs) not in picks:
            picks[id(pairs)] = np.fromiter((files.setdefault(p, len(files)) for p in pairs), dtype=np.intp, count=len(pairs))
    file_rows = np.concatenate([picks[id(offer[4])] for offer in offers]) if offers else rows
    data: dict[str, Any] = {
        column: text_take(list(map(itemgetter(i), offers)), rows)
        for i, column in enumerate(("node", "input", "section", "format"))
    }
    data["folder"] = text_take([folder for folder, _name in files], file_rows)
    data["name"] = text_take([name for _folder, name in files], file_rows)
    data["server"] = snapshot.url
    data["whole_folder"] = _whole_flags(offers, lengths, whole)
    return from_columns(EDGES, data, len(rows))


def _whole_flags(offers: list[Offer], lengths: np.ndarray, whole: set[tuple[str, str, str]]) -> np.ndarray:
    """Per edge: does its (node, input, folder) offer a whole folder (:func:`whole_folder_inputs`)?"""
    flags = np.zeros(int(lengths.sum()), dtype=bool)
    whole_inputs = {(node, input_name) for node, input_name, _folder in whole}
    start = 0
    for (node, input_name, _section, _fmt, pairs), length in zip(offers, lengths.tolist()):
        if (node, input_name) in whole_inputs:
            flags[start:start + length] = [(node, input_name, folder) in whole for folder, _name in pairs]
        start += length
    return flags


def build_models(
    snapshot: Snapshot,
    listed: dict[str, list[str]],
    offers: list[Offer],
    outputs: dict[str, tuple[str, ...]],
    whole: set[tuple[str, str, str]],
) -> pd.DataFrame:
    """The ``models`` table: listed files plus model-like files seen only in dropdowns."""
    keys: dict[tuple[str, str], bool] = {}
    for name, folders in listed.items():
        for folder in folders:
            keys[(folder, name)] = True
    loaders = _loaders(offers, set())
    for file in loaders:  # in the order the edges first offer them
        keys.setdefault(file, False)
    # loaders whose outputs say what the file is: all but the whole-folder ones
    evidence = _loaders(offers, whole) if whole else loaders
    # Listed order: folder order of the server, then the server's own file order.
    order = {f: i for i, f in enumerate(snapshot.model_folders or [])}
    ordered = sorted(keys, key=lambda k: (order.get(k[0], len(order)), not keys[k]))
    details = _details(snapshot)
    assets = asset_details(snapshot)  # newer servers: sizes /experiment/models leaves out, hashes
    for file, (size, modified, _hash) in assets.items():
        known = details.get(file, (None, None))
        details[file] = (known[0] if known[0] is not None else size, known[1] if known[1] is not None else modified)
    metadata = _metadata(snapshot, ordered)
    headers = {k: h for k in ordered if k[0] and (h := tensor_header(snapshot, *k)) is not None}
    for file in ordered:  # comfyui-tooling-nodes' verdict (ComfyUI's own detection on the server) where no header
        if file[0] and file not in headers and (info := etn_info(snapshot, *file)) is not None:
            headers[file] = {"source": "etn", "etn": info}
    for file, header in headers.items():  # the header read remotely carries the metadata /view_metadata would
        if file not in metadata and header.get("metadata"):
            metadata[file] = header["metadata"]
    bases = asset_base_models(snapshot)
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
        "asset_base_model": [bases.get(k) for k in ordered],
    }
    for column, key in METADATA_COLUMNS.items():
        cols[column] = [_meta_text(metadata.get(k, {}).get(key)) for k in ordered]
    found = [loaders.get(k, set()) for k in ordered]
    cols["loader_nodes"] = _per_distinct(found, lambda nodes: tuple(sorted(nodes)))
    speaking = [evidence.get(k, set()) for k in ordered]
    cols["loader_outputs"] = _per_distinct(
        speaking, lambda nodes: tuple(sorted({o for node in nodes for o in outputs.get(node, ())}))
    )
    cols["loader_count"] = np.fromiter(map(len, found), dtype=np.int64, count=n)
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
    cols["broken"] = broken_reasons(snapshot, ordered, cols["size_bytes"])
    table = from_columns(MODELS_BASE, cols, n)
    if headers:  # internal: inference and explain read it, Discovery keeps it out of its models table
        cells = np.empty(n, dtype=object)
        cells[:] = [headers.get(k) for k in ordered]
        table[HEADER_COLUMN] = cells
    return table


# A safetensors file starts with an 8-byte header length, then that many bytes of JSON header.
SAFETENSORS_PREFIX = 8


def broken_reasons(snapshot: Snapshot, files: list[tuple[str, str]], sizes: list[int | None]) -> list[str]:
    """Why each file cannot be loaded ('' when nothing says so).

    Empty (0 bytes); a ``.safetensors`` file shorter than its 8-byte header length; a ``.safetensors`` file
    whose header the server could not read (``/view_metadata`` answered 5xx: ComfyUI fails to parse a
    truncated or corrupt header) while other files of its folder answered, so the server itself is fine.
    """
    failed = {
        key: int(status) for key, failure in snapshot.failures.items()
        if key.startswith("/view_metadata/") and isinstance(status := failure.get("status"), int) and status >= 500
    }  # fmt: skip
    answered: dict[str, int] = {}  # folder -> files whose metadata the server answered (a body or 404)
    if failed:
        for folder, name in files:
            if metadata_route(folder, name) in snapshot.responses:
                answered[folder] = answered.get(folder, 0) + 1
    reasons: list[str] = []
    for (folder, name), size in zip(files, sizes):
        safetensors = name.lower().endswith(".safetensors")
        status = failed.get(metadata_route(folder, name)) if failed else None
        if size == 0:
            reasons.append("empty file (0 bytes)")
        elif safetensors and size is not None and size < SAFETENSORS_PREFIX:
            reasons.append(f"{size} bytes: shorter than a safetensors header")
        elif safetensors and status is not None and answered.get(folder):
            reasons.append(
                f"unreadable safetensors header (/view_metadata answered HTTP {status} while "
                f"{answered[folder]} other file(s) of {folder} answered): truncated or corrupt"
            )
        else:
            reasons.append("")
    return reasons


def _loaders(offers: list[Offer], whole: set[tuple[str, str, str]]) -> dict[tuple[str, str], set[str]]:
    """(folder, name) -> nodes whose dropdowns offer it (but for ``whole`` dropdown folders), in edge order.

    Gathered per pairs list (dropdowns share a few dozen), not per edge: a list's files get all its nodes at once.
    """
    whole_inputs = {(node, input_name) for node, input_name, _folder in whole}
    by_list: dict[int, tuple[Pairs, set[str]]] = {}  # id(pairs) -> (pairs, nodes offering them), first use first
    for node, input_name, _section, _fmt, pairs in offers:
        if (node, input_name) in whole_inputs:
            pairs = [pair for pair in pairs if (node, input_name, pair[0]) not in whole]
        entry = by_list.get(id(pairs))
        if entry is None:
            by_list[id(pairs)] = (pairs, {node})  # the entry keeps a filtered list alive: its id stays unique
        else:
            entry[1].add(node)
    found: dict[tuple[str, str], set[str]] = {}
    for pairs, nodes in by_list.values():
        for pair in pairs:
            offering = found.get(pair)
            if offering is None:
                found[pair] = set(nodes)
            else:
                offering |= nodes
    return found


def _per_distinct(sets: list[set[str]], make: Callable[[frozenset[str]], tuple[str, ...]]) -> list[tuple[str, ...]]:
    """``make`` of each set, made once per distinct set: the files of a folder share their loaders."""
    made: dict[frozenset[str], tuple[str, ...]] = {}
    return [made[key] if (key := frozenset(s)) in made else made.setdefault(key, make(key)) for s in sets]


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
    return file_size(value)


def _time(value: Any) -> datetime | None:
    return epoch_time(value)
