"""Snapshot → the four base tables (before inference), and what the snapshot lacks."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import orjson
import pandas as pd

from .rules._rules import model_extensions
from .snapshot._assets import implausible_assets
from .snapshot._snapshot import (
    ASSETS,
    CUT_SHORT,
    EMBEDDINGS,
    HISTORY,
    MODEL_FOLDERS,
    OBJECT_INFO,
    QUEUE,
    SYSTEM_STATS,
    Snapshot,
)
from .support._validate import epoch_time, file_size
from .tables._catalog import build_edges, build_models
from .tables._hardware import MAX_HOST_BYTES, build_hardware, implausible_memory
from .tables._nodes import build_nodes, parse_object_info
from .tables._offers import listed_files, match_offers, whole_folder_inputs
from .tables._templates import build_template_refs


@dataclass(frozen=True)
class Frames:
    hardware: pd.DataFrame
    nodes: pd.DataFrame
    edges: pd.DataFrame
    models: pd.DataFrame
    templates: pd.DataFrame  # one row per (template, model file it names): tables/_templates.py


def build_frames(snapshot: Snapshot) -> Frames:
    """Turn one snapshot into the ``hardware``, ``nodes``, ``edges``, ``models`` and ``templates`` tables."""
    listed = listed_files(snapshot)
    parsed = parse_object_info(snapshot, frozenset(listed), model_extensions())
    offers = match_offers(snapshot, parsed, listed)
    outputs = dict(zip(parsed.columns["node"], parsed.columns["output_types"]))
    whole = whole_folder_inputs(snapshot, offers)
    return Frames(
        hardware=build_hardware(snapshot),
        nodes=build_nodes(snapshot, parsed, offers),
        edges=build_edges(snapshot, offers, whole),
        models=build_models(snapshot, listed, offers, outputs, whole),
        templates=build_template_refs(snapshot),
    )


def build_fleet_frames(snapshots: Sequence[Snapshot]) -> tuple[list[Frames], list[int]]:
    """:func:`build_frames` for each snapshot, and each server's group: servers with the same answers share one build.

    A render farm runs identical images: the node, edge and model tables of servers whose ``/object_info``,
    folder listings, file details, embeddings and metadata are the same differ only in ``server``, so they
    are built once and relabelled (``hardware`` is always built per server). Servers of one group hold equal
    inputs, so :func:`infer_fleet` infers a group once as well.
    """
    groups: dict[Hashable, int] = {}
    first: list[Frames] = []
    out: list[Frames] = []
    membership: list[int] = []
    for snapshot in snapshots:
        # one server has no one to share a build with: its answers are not hashed
        key = _content_key(snapshot) if len(snapshots) > 1 else None
        group = groups.setdefault(key, len(groups))
        if group == len(first):
            first.append(build_frames(snapshot))
            frames = first[group]
        else:
            base = first[group]
            frames = Frames(
                hardware=build_hardware(snapshot),
                nodes=_relabel(base.nodes, snapshot.url),
                edges=_relabel(base.edges, snapshot.url),
                models=_relabel(base.models, snapshot.url),
                templates=_relabel(base.templates, snapshot.url),
            )
        out.append(frames)
        membership.append(group)
    return out, membership


def infer_fleet(parts: Sequence[Frames], groups: Sequence[int], urls: Sequence[str]) -> pd.DataFrame:
    """:func:`~comfyframe.inference._infer.infer_models` over every server's frames, once per group, stacked in order."""
    from .inference._infer import infer_models

    inferred: dict[int, pd.DataFrame] = {}
    pieces: list[pd.DataFrame] = []
    for part, group, url in zip(parts, groups, urls):
        if group not in inferred:
            inferred[group] = infer_models(part.models, part.edges, part.nodes, part.templates)
            pieces.append(inferred[group])
        else:
            pieces.append(_relabel(inferred[group], url))
    if len(pieces) == 1:
        return pieces[0]
    return pd.concat(pieces, ignore_index=True)


# Answers the node, edge and model tables do not read: hardware, and the prompt history (the usage table's).
_NOT_IN_FRAMES = {SYSTEM_STATS, OBJECT_INFO, HISTORY, QUEUE, ASSETS}


def _content_key(snapshot: Snapshot) -> Hashable:
    """Equal keys mean equal inputs to the node, edge and model tables.

    ``/object_info`` counts by identity: a discovery parses identical bodies once and shares the object, and
    hashing megabytes per server would cost what sharing saves. The other answers count by a hash of their
    JSON text (not a pickle, whose bytes depend on which equal strings happen to be one object): orjson's,
    fast enough for the megabytes of workflow templates; where it refuses (lone surrogates), the ASCII-escaped
    text of ``json``.
    """
    rest = sorted((k, v) for k, v in snapshot.responses.items() if k not in _NOT_IN_FRAMES)
    try:
        payload = orjson.dumps(rest)
    except (TypeError, orjson.JSONEncodeError):
        try:
            payload = json.dumps(rest, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        except (TypeError, ValueError, RecursionError):
            return ("unshared", id(snapshot))  # not plain JSON values (built by hand): this server builds alone
    digest = hashlib.blake2b(payload, digest_size=16).digest()
    return id(snapshot.responses.get(OBJECT_INFO)), digest


def _relabel(frame: pd.DataFrame, server: str) -> pd.DataFrame:
    """A copy of ``frame`` whose ``server`` column is ``server`` (same dtype)."""
    out = frame.copy(deep=False)
    out["server"] = pd.array([server] * len(frame), dtype=frame["server"].dtype)
    return out


def concat_frames(parts: list[Frames]) -> Frames:
    """Stack the tables of several servers (each row keeps its ``server``)."""
    if len(parts) == 1:
        return parts[0]
    return Frames(
        *(pd.concat([getattr(p, name) for p in parts], ignore_index=True) for name in ("hardware", "nodes", "edges", "models", "templates"))
    )


# A warning names this many files, then counts the rest.
NAMED_FILES = 3


def snapshot_problems(snapshot: Snapshot) -> list[str]:
    """Plain-language notes on what the server did not answer, grouped by route."""
    failures = snapshot.failures
    notes: list[str] = []
    if SYSTEM_STATS in failures:
        notes.append(f"{snapshot.url}: /system_stats failed ({_first_line(failures[SYSTEM_STATS])}); no hardware table.")
    if MODEL_FOLDERS in failures:
        notes.append(
            f"{snapshot.url}: /models failed ({_first_line(failures[MODEL_FOLDERS])}); models are only the files "
            "node dropdowns offer, folders are inferred and sizes unknown. ComfyUI 0.2 and newer answer /models."
        )
    if EMBEDDINGS in failures:
        notes.append(f"{snapshot.url}: /embeddings failed ({_first_line(failures[EMBEDDINGS])}); no embeddings listed.")
    if ASSETS in failures:
        notes.append(
            f"{snapshot.url}: /api/assets failed ({_first_line(failures[ASSETS])}); sizes, dates and hashes only "
            "the assets API gives (e.g. of .gguf files) are missing, so duplicates by content are not found."
        )
    if QUEUE in failures:
        notes.append(
            f"{snapshot.url}: /queue failed ({_first_line(failures[QUEUE])}); running and pending prompts are "
            "not counted in usage."
        )
    notes.extend(_shape_problems(snapshot))
    notes.extend(str(entry.get("message")) for entry in failures.values() if entry.get("error") == CUT_SHORT)
    keys = {prefix: [k for k in failures if k.startswith(prefix)] for prefix in ("/models/", "/experiment/models/", "/view_metadata/")}
    if keys["/models/"]:
        folders = ", ".join(k[len("/models/"):] for k in keys["/models/"])
        notes.append(f"{snapshot.url}: could not list folder(s) {folders}; their files are missing.")
    details = keys["/experiment/models/"]
    if details and any(failures[k].get("status") == 404 for k in details):
        notes.append(
            f"{snapshot.url}: no file sizes or dates (/experiment/models is missing; ComfyUI before late 2024); "
            "VRAM is estimated from names."
        )
    elif details:
        folders = ", ".join(k[len("/experiment/models/"):] for k in details)
        notes.append(f"{snapshot.url}: no file sizes for folder(s) {folders} ({_first_line(failures[details[0]])}).")
    unread = [k for k in failures if k.startswith("/tensor_header/")]
    if unread:
        notes.append(
            f"{snapshot.url}: {len(unread)} safetensors/GGUF header(s) could not be used "
            f"({failures[unread[0]].get('message', '')[:200]}); those files are identified by names and metadata."
        )
    meta = keys["/view_metadata/"]
    if meta:
        files = [k[len("/view_metadata/"):].replace("?filename=", "/", 1) for k in meta]
        named = ", ".join(files[:NAMED_FILES]) + (f" and {len(files) - NAMED_FILES} more" if len(files) > NAMED_FILES else "")
        notes.append(
            f"{snapshot.url}: could not read safetensors metadata of {len(meta)} file(s): {named} "
            f"({_first_line(failures[meta[0]])}); their family comes from names and loaders."
        )
    return notes


def _shape_problems(snapshot: Snapshot) -> list[str]:
    """Notes on answers that were JSON of the right kind but hold entries the tables cannot use."""
    notes: list[str] = []
    stats = snapshot.responses.get(SYSTEM_STATS)
    if isinstance(stats, dict):
        devices = stats.get("devices")
        if not isinstance(devices, list) or not devices:
            notes.append(f"{snapshot.url}: /system_stats lists no devices ({devices!r:.20}); the hardware table is empty.")
        else:
            odd = [d for d in devices if not isinstance(d, dict)]
            if odd:
                notes.append(f"{snapshot.url}: /system_stats has {len(odd)} device entr(ies) that are not objects; dropped.")
            bad = [
                d for d in devices
                if isinstance(d, dict) and (
                    d.get("vram_total") is None
                    or implausible_memory(d.get("vram_total"), d.get("vram_free"))
                    or implausible_memory(d.get("torch_vram_total"), d.get("torch_vram_free"))
                )
            ]
            if bad:
                notes.append(
                    f"{snapshot.url}: {len(bad)} device(s) report impossible VRAM (missing, negative, not a number, "
                    "over 16 TiB or more free than total); those values are NaN, and so is the memory budget they set."
                )
        system = stats.get("system")
        if isinstance(system, dict) and implausible_memory(system.get("ram_total"), system.get("ram_free"), MAX_HOST_BYTES):
            notes.append(
                f"{snapshot.url}: /system_stats reports impossible RAM (negative, not a number, over 64 TiB or "
                "more free than total); those values are NaN."
            )
    info = snapshot.responses.get(OBJECT_INFO)
    if isinstance(info, dict):
        odd_nodes = sum(1 for v in info.values() if not isinstance(v, dict))
        if odd_nodes:
            notes.append(f"{snapshot.url}: /object_info has {odd_nodes} node entr(ies) that are not objects; dropped.")
    notes.extend(_file_value_problems(snapshot))
    notes.extend(_name_problems(snapshot))
    return notes


def _name_problems(snapshot: Snapshot) -> list[str]:
    """Notes on listings with entries that are not names (numbers, null, objects): dropped, counted per route."""
    notes: list[str] = []
    for key, value in snapshot.responses.items():
        if key in (MODEL_FOLDERS, EMBEDDINGS) or key.startswith("/models/"):
            odd = sum(1 for v in value if not isinstance(v, str)) if isinstance(value, list) else 0
            if odd:
                notes.append(f"{snapshot.url}: {key} lists {odd} entr(ies) that are not names (numbers, null, "
                             "objects); dropped.")
    return notes


_IMPOSSIBLE = "a size or date no file can have (negative, over 1 PiB, not a number, or outside 1970-2200)"


def _file_value_problems(snapshot: Snapshot) -> list[str]:
    """Notes on file sizes and dates out of range: those values are NaN / NaT, the rows are kept."""
    notes: list[str] = []
    odd = sum(
        1
        for folder in snapshot.model_folders or []
        for item in snapshot.folder_details(folder) or []
        if ("size" in item and item["size"] is not None and file_size(item["size"]) is None)
        or ("modified" in item and item["modified"] is not None and epoch_time(item["modified"]) is None)
    )
    if odd:
        notes.append(f"{snapshot.url}: /experiment/models gives {odd} file(s) {_IMPOSSIBLE}; those values are NaN/NaT.")
    odd_assets = implausible_assets(snapshot.assets or [])
    if odd_assets:
        notes.append(f"{snapshot.url}: /api/assets gives {odd_assets} record(s) {_IMPOSSIBLE}; those values are NaN/NaT.")
    return notes


def _first_line(failure: dict[str, object]) -> str:
    status = failure.get("status")
    kind = str(failure.get("error", "error"))
    return f"HTTP {status}" if status else kind
