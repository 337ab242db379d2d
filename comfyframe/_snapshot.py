"""The raw record of one discovery: every JSON answer as received, plus what failed.

A snapshot is the boundary between I/O and analysis: it is what the client
fetched, saved as ``.json`` or ``.json.gz`` and reloaded for offline work.
Tables built from a reloaded snapshot equal those built from the live server.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .errors import SnapshotError

FORMAT = "comfyframe-snapshot"
FORMAT_VERSION = 1

# Route keys, written without the optional "/api" prefix.
SYSTEM_STATS = "/system_stats"
OBJECT_INFO = "/object_info"
MODEL_FOLDERS = "/models"
EMBEDDINGS = "/embeddings"
HISTORY = "/history"  # finished prompts (success or error); ComfyUI keeps the newest 10,000, in memory only
QUEUE = "/queue"  # running and pending prompts
ASSETS = "/api/assets"  # newer servers started with --enable-assets: every page merged into one list


def folder_route(folder: str) -> str:
    return f"/models/{folder}"


def details_route(folder: str) -> str:
    return f"/experiment/models/{folder}"


def metadata_route(folder: str, name: str) -> str:
    return f"/view_metadata/{folder}?filename={name}"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(repr=False)
class Snapshot:
    """Raw answers of one ComfyUI server.

    ``responses`` maps a route key (``/object_info``, ``/models/loras``,
    ``/view_metadata/loras?filename=x.safetensors`` …) to its JSON body; a body
    of ``None`` means the server answered 404 (e.g. a file without metadata).
    ``failures`` maps a route key to ``{"error", "status", "message"}``.
    """

    url: str
    responses: dict[str, Any] = field(default_factory=dict)
    failures: dict[str, dict[str, Any]] = field(default_factory=dict)
    taken_at: str = field(default_factory=_now)
    comfyframe_version: str = ""
    # Route key -> taken_at of the earlier snapshot its body was carried over from (``previous=``).
    carried: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"Snapshot(url={self.url!r}, taken_at={self.taken_at!r}, "
            f"{len(self.responses)} responses, {len(self.failures)} failures)"
        )

    # -- accessors -------------------------------------------------------
    @property
    def system_stats(self) -> dict[str, Any] | None:
        value = self.responses.get(SYSTEM_STATS)
        return value if isinstance(value, dict) else None

    @property
    def object_info(self) -> dict[str, Any]:
        value = self.responses.get(OBJECT_INFO)
        return value if isinstance(value, dict) else {}

    @property
    def model_folders(self) -> list[str] | None:
        """Folders ``/models`` listed, or ``None`` when the server did not answer."""
        value = self.responses.get(MODEL_FOLDERS)
        return [str(v) for v in value] if isinstance(value, list) else None

    def folder_files(self, folder: str) -> list[str] | None:
        value = self.responses.get(folder_route(folder))
        return [str(v) for v in value] if isinstance(value, list) else None

    def folder_details(self, folder: str) -> list[dict[str, Any]] | None:
        value = self.responses.get(details_route(folder))
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else None

    def metadata(self, folder: str, name: str) -> dict[str, Any] | None:
        value = self.responses.get(metadata_route(folder, name))
        return value if isinstance(value, dict) else None

    @property
    def embeddings(self) -> list[str] | None:
        value = self.responses.get(EMBEDDINGS)
        return [str(v) for v in value] if isinstance(value, list) else None

    @property
    def history(self) -> dict[str, Any]:
        """``/history``: prompt id -> record (empty when the server did not answer)."""
        value = self.responses.get(HISTORY)
        return value if isinstance(value, dict) else {}

    @property
    def queue(self) -> dict[str, Any]:
        """``/queue``: ``queue_running`` and ``queue_pending`` lists (empty when not answered)."""
        value = self.responses.get(QUEUE)
        return value if isinstance(value, dict) else {}

    @property
    def assets(self) -> list[dict[str, Any]] | None:
        """Records of the assets API, or ``None`` when the server has none (404 / 503)."""
        value = self.responses.get(ASSETS)
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else None

    # -- persistence -----------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "url": self.url,
            "taken_at": self.taken_at,
            "comfyframe_version": self.comfyframe_version,
            "responses": self.responses,
            "failures": self.failures,
            "carried": self.carried,
        }

    @classmethod
    def from_dict(cls, data: Any, *, origin: str = "snapshot") -> Snapshot:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise SnapshotError(
                f"{origin} is not a comfyframe snapshot (no '\"format\": \"{FORMAT}\"' field). "
                "Create one with 'comfyframe snapshot URL -o FILE' or Snapshot.save()."
            )
        version = data.get("version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise SnapshotError(
                f"{origin} has snapshot format version {version!r}; this comfyframe reads up to "
                f"{FORMAT_VERSION}. Upgrade comfyframe to read it."
            )
        responses, failures = data.get("responses"), data.get("failures", {})
        carried = data.get("carried", {})
        if not isinstance(responses, dict) or not isinstance(failures, dict) or not isinstance(carried, dict):
            raise SnapshotError(f"{origin} is damaged: 'responses', 'failures' and 'carried' must be objects.")
        return cls(
            url=str(data.get("url", "")),
            responses=responses,
            failures=failures,
            taken_at=str(data.get("taken_at", "")),
            comfyframe_version=str(data.get("comfyframe_version", "")),
            carried={str(k): str(v) for k, v in carried.items()},
        )

    def save(self, path: str | Path) -> Path:
        """Write the snapshot as JSON (gzip-compressed when the name ends in ``.gz``)."""
        target = Path(path)
        payload = json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.suffix == ".gz":
                with gzip.open(target, "wb", compresslevel=6) as handle:
                    handle.write(payload)
            else:
                target.write_bytes(payload)
        except OSError as exc:
            raise SnapshotError(f"Cannot write snapshot to {target}: {exc.strerror or exc}.") from None
        return target

    @classmethod
    def load(cls, path: str | Path) -> Snapshot:
        """Read a snapshot written by :meth:`save` (``.json`` or ``.json.gz``)."""
        source = Path(path)
        try:
            raw = source.read_bytes()
        except FileNotFoundError:
            raise SnapshotError(f"No snapshot file at {source}: check the path.") from None
        except OSError as exc:
            raise SnapshotError(f"Cannot read snapshot {source}: {exc.strerror or exc}.") from None
        if raw[:2] == b"\x1f\x8b":
            try:
                raw = gzip.decompress(raw)
            except (OSError, EOFError) as exc:
                raise SnapshotError(f"{source} is a damaged gzip file ({exc}); capture it again.") from None
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SnapshotError(f"{source} is not valid JSON ({exc}); capture it again.") from None
        return cls.from_dict(data, origin=str(source))
