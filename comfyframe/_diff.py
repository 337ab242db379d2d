"""What changed between two discoveries: ``cf.diff(a, b)``.

Each side is a Snapshot, a Discovery or a saved snapshot file. Rows are matched by server URL; when each
side holds exactly one server they are compared with each other whatever their URLs (a renamed host, or
two machines). The result has one row per change:

* ``models`` (key folder + name): added, removed; changed ``size_bytes`` (resized) or ``modified`` (re-dated).
* ``nodes`` (key node class) and ``packs`` (key package): added, removed.
* ``hardware`` (key device index): added, removed; changed device, VRAM, versions, launch flags.

``old`` and ``new`` are text ("" for an empty value); ``field``, ``old`` and ``new`` are missing (NA) for
added and removed rows, ``folder`` for tables without folders. ``server`` is the URL of the side that
has the row (``b``'s for changes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ._discovery import Discovery
from .snapshot._snapshot import Snapshot

COLUMNS = ("change", "table", "server", "folder", "name", "field", "old", "new")
MODEL_FIELDS = ("size_bytes", "modified")
HARDWARE_FIELDS = (
    "device", "gpu_name", "vram_total_gb", "ram_total_gb", "comfyui_version", "python_version", "pytorch_version",
    "vram_mode", "reserve_vram_gb", "argv",
)  # fmt: skip

Side = Snapshot | Discovery | str | Path


def as_discovery(side: Any, label: str) -> Discovery:
    """A Discovery from a Snapshot, a Discovery or a saved snapshot file (no warnings)."""
    if isinstance(side, Discovery):
        return side
    if isinstance(side, (Snapshot, str, Path)):
        return Discovery.from_snapshot(side, warn=False)
    raise TypeError(f"diff() compares Snapshots, Discoveries or saved snapshot files; {label} is a {type(side).__name__}.")


def diff(a: Side, b: Side) -> pd.DataFrame:
    """Changes from ``a`` (older) to ``b`` (newer): ``change, table, server, folder, name, field, old, new``."""
    old, new = as_discovery(a, "a"), as_discovery(b, "b")
    single = len(old.urls) == 1 and len(new.urls) == 1
    aliases = {old.urls[0]: new.urls[0]} if single else {}
    old_packs, new_packs = (d.nodes[["server", "package"]].dropna().drop_duplicates() for d in (old, new))
    parts = [
        _compare(old.models, new.models, "models", ["folder", "name"], MODEL_FIELDS, aliases),
        _compare(old.nodes, new.nodes, "nodes", ["node"], (), aliases),
        _compare(old_packs, new_packs, "packs", ["package"], (), aliases),
        _compare(old.hardware, new.hardware, "hardware", ["device_index"], HARDWARE_FIELDS, aliases),
    ]
    table = pd.concat(parts, ignore_index=True)
    return table.astype({c: "string" for c in COLUMNS})


def _compare(
    old: pd.DataFrame, new: pd.DataFrame, table: str, key: list[str], fields: tuple[str, ...], aliases: dict[str, str]
) -> pd.DataFrame:
    left = _keyed(old, key, fields).assign(server=lambda f: f["server"].replace(aliases))
    right = _keyed(new, key, fields)
    left["_server"] = old["server"].astype(object).to_numpy()
    keys = ["server", *key]
    both = left.merge(right, on=keys, how="outer", suffixes=("_old", "_new"), indicator=True)
    rows = []
    for change, side in (("removed", "left_only"), ("added", "right_only")):
        hit = both[both["_merge"] == side]
        server = hit["_server"] if change == "removed" else hit["server"]
        rows.append(_rows(change, table, server, hit, key, None, None, None))
    matched = both[both["_merge"] == "both"]
    for field in fields:
        before, after = matched[f"{field}_old"], matched[f"{field}_new"]
        moved = before.ne(after)
        if moved.any():
            rows.append(_rows("changed", table, matched["server"][moved], matched[moved], key, field,
                              before[moved], after[moved]))
    out = pd.concat(rows, ignore_index=True)
    return out.sort_values(["server", "change", "folder", "name", "field"], kind="stable").reset_index(drop=True)


def _rows(change: str, table: str, server: pd.Series, hit: pd.DataFrame, key: list[str], field: str | None,
          old: pd.Series | None, new: pd.Series | None) -> pd.DataFrame:
    name = hit[key[-1]].astype(object).astype(str).to_numpy()
    folder = hit["folder"].astype(object).to_numpy() if "folder" in key else [None] * len(hit)
    return pd.DataFrame({
        "change": change, "table": table, "server": server.to_numpy(), "folder": folder, "name": name,
        "field": field, "old": None if old is None else old.to_numpy(), "new": None if new is None else new.to_numpy(),
    }, columns=list(COLUMNS))  # fmt: skip


def _keyed(frame: pd.DataFrame, key: list[str], fields: tuple[str, ...]) -> pd.DataFrame:
    """Key columns as objects and field columns as comparable text ("" when missing, ISO timestamps)."""
    out = frame[["server", *key]].astype(object)
    for field in fields:
        column = frame[field]
        if isinstance(column.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(column):
            text = column.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
        else:
            text = column.astype("string")
        out[field] = text.fillna("").astype(object)
    return out
