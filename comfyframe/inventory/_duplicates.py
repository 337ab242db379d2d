"""Groups of model files that hold the same content as far as the server's answers show.

Reasons, strongest first; a file joins the group of the strongest reason that gives it company:

1. ``same hash``: the assets API (newer servers with ``--enable-assets``) reports equal content hashes.
2. ``same size and safetensors metadata``: equal byte size and an equal, non-empty ``__metadata__``.
3. ``same size and file name``: equal byte size and equal base name, in different folders or subfolders.

Groups span servers (a fleet). Within each group one copy per server is kept (the most used, then the
oldest, then the first by folder and name); ``keep`` marks it and the others are what deleting would
reclaim. Two folder keys of one server that share a directory (a pack re-registering a core folder) list
one file twice; a listing cannot tell that apart from a copy, so check such pairs before deleting.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..snapshot._snapshot import Snapshot

REASONS = ("same hash", "same size and safetensors metadata", "same size and file name")
COLUMNS = ("group", "server", "folder", "name", "size_bytes", "reason", "keep")


def metadata_fingerprints(snapshots: Sequence[Snapshot], models: pd.DataFrame) -> pd.Series:
    """Per model row: a digest of its full safetensors ``__metadata__`` ("" when it has none)."""
    digests: dict[tuple[str, str, str], str] = {}
    for snapshot in snapshots:
        prefix = "/view_metadata/"
        for key, body in snapshot.responses.items():
            if key.startswith(prefix) and isinstance(body, dict) and body:
                digests[(snapshot.url, *_split_metadata_key(key))] = hashlib.sha256(
                    json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
                ).hexdigest()
    keys = zip(models["server"].astype(object), models["folder"].astype(object), models["name"].astype(object))
    return pd.Series([digests.get(k, "") for k in keys], index=models.index, dtype=object)


def _split_metadata_key(key: str) -> tuple[str, str]:
    head, _, name = key.partition("?filename=")
    return head[len("/view_metadata/"):], name


def find_duplicates(models: pd.DataFrame, fingerprints: pd.Series) -> pd.DataFrame:
    """The duplicates table (see module docstring) from ``models`` and :func:`metadata_fingerprints`."""
    frame = models.reset_index(drop=True)
    size = frame["size_bytes"]
    hashes = frame["hash"].astype(object) if "hash" in frame.columns else pd.Series([None] * len(frame), dtype=object)
    keys = [
        hashes.where(hashes.notna() & hashes.ne(""), None),
        _joined(size, fingerprints.reset_index(drop=True).where(lambda s: s.ne(""), None)),
        _joined(size, frame["filename"].astype(object) if "filename" in frame.columns else frame["name"].astype(object)),
    ]
    group = np.full(len(frame), -1, dtype=np.int64)
    reason = np.full(len(frame), -1, dtype=np.int64)
    next_group = 0
    for index, key in enumerate(keys):
        open_rows = (group < 0) & key.notna().to_numpy()
        if not open_rows.any():
            continue
        codes, _ = pd.factorize(key[open_rows])
        counts = np.bincount(codes)
        shared = counts[codes] > 1
        rows = np.flatnonzero(open_rows)[shared]
        group[rows] = codes[shared] + next_group
        reason[rows] = index
        next_group += len(counts)
    hit = group >= 0
    found = frame.loc[hit, ["server", "folder", "name", "size_bytes"]].copy()
    found["group"] = group[hit]
    found["reason"] = np.asarray(REASONS, dtype=object)[reason[hit]]
    found["_uses"] = frame.loc[hit, "use_count"].fillna(0).to_numpy() if "use_count" in frame.columns else 0
    found["_modified"] = frame.loc[hit, "modified"] if "modified" in frame.columns else pd.NaT
    order = found.sort_values(["group", "server", "_uses", "_modified", "folder", "name"],
                              ascending=[True, True, False, True, True, True], na_position="last", kind="stable")
    order["keep"] = ~order.duplicated(["group", "server"])
    # Number the groups 1.. by the bytes they waste, biggest first.
    waste = order["size_bytes"].where(~order["keep"], 0).fillna(0).groupby(order["group"]).sum()
    ranking = {g: i + 1 for i, g in enumerate(sorted(waste.index, key=lambda g: (-waste[g], g)))}
    order["group"] = order["group"].map(ranking)
    order = order.sort_values(["group", "server", "keep", "folder", "name"], ascending=[True, True, False, True, True],
                              kind="stable")
    out = order[list(COLUMNS)].reset_index(drop=True)
    return out.astype({"group": "Int64", "server": "string", "folder": "string", "name": "string",
                       "size_bytes": "Int64", "reason": "string", "keep": "boolean"})


def _joined(size: pd.Series, other: pd.Series) -> pd.Series:
    """``size|other`` where both are known, else missing."""
    known = size.notna().to_numpy() & other.notna().to_numpy()
    text = size.astype(object).astype(str) + "|" + other.astype(object).astype(str)
    return text.where(known, None).reset_index(drop=True)


def reclaimable_duplicates(duplicates: pd.DataFrame) -> pd.DataFrame:
    """Per server: duplicate copies beyond one per group and the bytes deleting them would free."""
    extra = duplicates[~duplicates["keep"].fillna(True)]
    grouped = extra.groupby("server", observed=True)
    table = pd.DataFrame({"copies": grouped["name"].size(), "size_bytes": grouped["size_bytes"].sum(min_count=1)})
    return table.reset_index().astype({"copies": "Int64", "size_bytes": "Int64"})
