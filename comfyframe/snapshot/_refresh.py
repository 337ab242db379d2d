"""Fast refresh: what an earlier snapshot of the same server lets a new capture skip or keep.

Reading safetensors metadata costs one request per file, most of a discovery's time on a server with
thousands of LoRAs. A file whose size and modification time (``/experiment/models``) are unchanged has
unchanged metadata, so its answer is carried over from the previous snapshot instead of asked again. A
file that is new, changed, or whose size or date the server does not report is read again. Carried
answers are recorded in ``Snapshot.carried`` (route key -> ``taken_at`` of the snapshot they came from).

History is carried too: the prompts the previous snapshot saw and the server has since forgotten (a
restart, or the 10,000-prompt bound) are added to the new ``/history`` so usage accumulates.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from ..errors import DegradedServerWarning
from ..support._safe_text import for_terminal
from ._snapshot import HISTORY, Snapshot, details_route, metadata_route

FileStamp = tuple[int, Any]  # size, modified


def previous_snapshot(previous: Any, url: str) -> Snapshot | None:
    """The snapshot of ``url`` inside ``previous`` (a Snapshot, a Discovery or a saved file), else None."""
    if previous is None:
        return None
    if isinstance(previous, (str, Path)):
        previous = Snapshot.load(previous)
    candidates = previous.snapshots if hasattr(previous, "snapshots") else (previous,)
    if not all(isinstance(s, Snapshot) for s in candidates):
        raise TypeError(f"previous= takes a Snapshot, a Discovery or a saved snapshot file, not {type(previous).__name__}.")
    same = [s for s in candidates if s.url == url]
    if not same:
        others = ", ".join(dict.fromkeys(for_terminal(s.url) for s in candidates))
        warnings.warn(
            f"previous= / --previous holds a snapshot of {others}, not of {url}: it is not used, so every "
            "metadata file is read again and no history is carried. Give a snapshot of this server, spelled "
            "the same way (127.0.0.1 and localhost are different URLs to it).",
            DegradedServerWarning,
            stacklevel=2,
        )
        return None
    return max(same, key=lambda s: s.taken_at)


def file_stamps(snapshot: Snapshot, folder: str) -> dict[str, FileStamp]:
    """name -> (size, modified) from ``/experiment/models/{folder}``; files without both are left out."""
    stamps: dict[str, FileStamp] = {}
    for item in snapshot.folder_details(folder) or []:
        name, size, modified = item.get("name"), item.get("size"), item.get("modified")
        if isinstance(name, str) and isinstance(size, int) and isinstance(modified, (int, float)):
            stamps.setdefault(name, (size, modified))
    return stamps


def reusable_metadata(previous: Snapshot, current: Snapshot, folder: str) -> dict[str, str]:
    """Metadata route keys of ``folder`` whose previous answers still hold -> where they came from.

    Only files whose (size, modified) both snapshots report, equal, qualify; a previous failure is
    never carried (it is asked again).
    """
    if details_route(folder) not in current.responses:
        return {}
    now, before = file_stamps(current, folder), file_stamps(previous, folder)
    keep: dict[str, str] = {}
    for name, stamp in now.items():
        key = metadata_route(folder, name)
        if before.get(name) == stamp and key in previous.responses:
            keep[key] = previous.carried.get(key, previous.taken_at)
    return keep


def carry_history(previous: Snapshot, current: Snapshot) -> int:
    """Add the previous snapshot's prompts that the new ``/history`` lacks; return how many were added."""
    if HISTORY not in current.responses or not previous.history:
        return 0
    fresh = current.history
    missing = {k: v for k, v in previous.history.items() if k not in fresh}
    if missing:
        # Older prompts first, as ComfyUI orders its history.
        current.responses[HISTORY] = {**missing, **fresh}
        current.carried[HISTORY] = previous.carried.get(HISTORY, previous.taken_at)
    return len(missing)
