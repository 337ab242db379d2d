"""Snapshot → the four base tables (before inference), and what the snapshot lacks."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ._catalog import build_edges, build_models, listed_files, match_edges, whole_folder_inputs
from ._hardware import build_hardware
from ._nodes import build_nodes, parse_object_info
from ._rules import model_extensions
from ._snapshot import EMBEDDINGS, MODEL_FOLDERS, OBJECT_INFO, SYSTEM_STATS, Snapshot


@dataclass(frozen=True)
class Frames:
    hardware: pd.DataFrame
    nodes: pd.DataFrame
    edges: pd.DataFrame
    models: pd.DataFrame


def build_frames(snapshot: Snapshot) -> Frames:
    """Turn one snapshot into the ``hardware``, ``nodes``, ``edges`` and ``models`` tables."""
    listed = listed_files(snapshot)
    parsed = parse_object_info(snapshot, frozenset(listed), model_extensions())
    edges = match_edges(snapshot, parsed, listed)
    outputs = dict(zip(parsed.columns["node"], parsed.columns["output_types"]))
    whole = whole_folder_inputs(snapshot, edges)
    return Frames(
        hardware=build_hardware(snapshot),
        nodes=build_nodes(snapshot, parsed, edges),
        edges=build_edges(snapshot, edges, whole),
        models=build_models(snapshot, listed, edges, outputs, whole),
    )


def concat_frames(parts: list[Frames]) -> Frames:
    """Stack the tables of several servers (each row keeps its ``server``)."""
    if len(parts) == 1:
        return parts[0]
    return Frames(
        *(pd.concat([getattr(p, name) for p in parts], ignore_index=True) for name in ("hardware", "nodes", "edges", "models"))
    )


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
    notes.extend(_shape_problems(snapshot))
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
    meta = keys["/view_metadata/"]
    if meta:
        notes.append(
            f"{snapshot.url}: could not read safetensors metadata of {len(meta)} file(s) "
            f"({_first_line(failures[meta[0]])}); their family comes from names and loaders."
        )
    return notes


# Beyond this a device report is not real memory (the largest GPUs have under 300 GB).
ABSURD_VRAM_BYTES = 16 << 40


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
            bad = [d for d in devices if isinstance(d, dict) and not _plausible_bytes(d.get("vram_total"))]
            if bad:
                notes.append(
                    f"{snapshot.url}: {len(bad)} device(s) report impossible VRAM (negative, not a number or over "
                    "16 TiB); their memory budget is not trustworthy."
                )
    info = snapshot.responses.get(OBJECT_INFO)
    if isinstance(info, dict):
        odd_nodes = sum(1 for v in info.values() if not isinstance(v, dict))
        if odd_nodes:
            notes.append(f"{snapshot.url}: /object_info has {odd_nodes} node entr(ies) that are not objects; dropped.")
    return notes


def _plausible_bytes(value: object) -> bool:
    return (
        isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= ABSURD_VRAM_BYTES
        and value == value
    )


def _first_line(failure: dict[str, object]) -> str:
    status = failure.get("status")
    kind = str(failure.get("error", "error"))
    return f"HTTP {status}" if status else kind
