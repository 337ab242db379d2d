"""The raw record of one discovery: every JSON answer as received, plus what failed.

A snapshot is the boundary between I/O and analysis: it is what the client
fetched, saved as ``.json`` or ``.json.gz`` and reloaded for offline work.
Tables built from a reloaded snapshot equal those built from the live server.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import SnapshotError
from ..support._safe_text import scrub_surrogates

FORMAT = "comfyframe-snapshot"
FLEET_FORMAT = "comfyframe-fleet"
FORMAT_VERSION = 1

# Route keys, written without the optional "/api" prefix.
SYSTEM_STATS = "/system_stats"
OBJECT_INFO = "/object_info"
MODEL_FOLDERS = "/models"
EMBEDDINGS = "/embeddings"
HISTORY = "/history"  # finished prompts (success or error); ComfyUI keeps the newest 10,000, in memory only
QUEUE = "/queue"  # running and pending prompts
ASSETS = "/api/assets"  # newer servers started with --enable-assets: every page merged into one list
TEMPLATES_INDEX = "/templates/index.json"  # official templates: a list of categories, each with "templates"
CUSTOM_TEMPLATES = "/workflow_templates"  # custom-node packs' example workflows: {pack: [file names]}


def template_route(name: str) -> str:
    return f"/templates/{name}.json"


def custom_template_route(pack: str, file: str) -> str:
    return f"/workflow_templates/{pack}/{file}"  # served as /api/workflow_templates/{pack}/{file}


def folder_route(folder: str) -> str:
    return f"/models/{folder}"


def details_route(folder: str) -> str:
    return f"/experiment/models/{folder}"


def metadata_route(folder: str, name: str) -> str:
    return f"/view_metadata/{folder}?filename={name}"


_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(repr=False)
class Snapshot:
    """Raw answers of one ComfyUI server.

    ``responses`` maps a route key (``/object_info``, ``/models/loras``,
    ``/view_metadata/loras?filename=x.safetensors`` …) to its JSON body; a body
    of ``None`` means the server answered 404 (e.g. a file without metadata).
    ``failures`` maps a route key to ``{"error", "status", "message"}``.
    ``stats`` holds how the capture went (``seconds``, ``requests``).
    """

    url: str
    responses: dict[str, Any] = field(default_factory=dict)
    failures: dict[str, dict[str, Any]] = field(default_factory=dict)
    taken_at: str = field(default_factory=_now)
    comfyframe_version: str = ""
    # Route key -> where its body came from instead of this server's answer now: the taken_at of an earlier
    # snapshot (``previous=``), or the URL of another server of the same discovery (same file, size and date).
    carried: dict[str, str] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict, compare=False)

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
            **({"stats": self.stats} if self.stats else {}),
        }

    @classmethod
    def from_dict(cls, data: Any, *, origin: str = "snapshot") -> Snapshot:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise SnapshotError(
                f"{origin} is not a comfyframe snapshot (no '\"format\": \"{FORMAT}\"' field). "
                "Create one with 'comfyframe snapshot URL -o FILE' or Snapshot.save()."
            )
        _check_version(data.get("version"), origin)
        responses, failures = data.get("responses"), data.get("failures", {})
        carried = data.get("carried", {})
        if not isinstance(responses, dict) or not isinstance(failures, dict) or not isinstance(carried, dict):
            raise SnapshotError(f"{origin} is damaged: 'responses', 'failures' and 'carried' must be objects.")
        bad = [key for key, entry in failures.items() if not isinstance(entry, dict)]
        if bad:
            raise SnapshotError(
                f"{origin} is damaged: failure entries must be objects with 'error', 'status', 'message' "
                f"({len(bad)} are not, e.g. {bad[0][:80]!r}); capture it again."
            )
        stats = data.get("stats", {})
        return cls(
            url=str(data.get("url", "")),
            responses=responses,
            failures=failures,
            taken_at=str(data.get("taken_at", "")),
            comfyframe_version=str(data.get("comfyframe_version", "")),
            carried={str(k): str(v) for k, v in carried.items()},
            stats=stats if isinstance(stats, dict) else {},
        )

    def save(self, path: str | Path) -> Path:
        """Write the snapshot as JSON (gzip-compressed when the name ends in ``.gz``)."""
        return _write_json(path, self.to_dict())

    @classmethod
    def load(cls, path: str | Path) -> Snapshot:
        """Read a snapshot written by :meth:`save` (``.json`` or ``.json.gz``), or a one-server fleet file."""
        snapshots, _ = load_snapshots(path)
        if len(snapshots) != 1:
            raise SnapshotError(
                f"{path} is a fleet file of {len(snapshots)} servers; read it with cf.discover(snapshot=path) "
                "or comfyframe --snapshot FILE."
            )
        return snapshots[0]


def save_fleet(path: str | Path, snapshots: list[Snapshot], failed: list[dict[str, Any]]) -> Path:
    """Write several servers' snapshots (and the rows of servers that failed) to one file."""
    return _write_json(
        path,
        {"format": FLEET_FORMAT, "version": FORMAT_VERSION, "snapshots": [s.to_dict() for s in snapshots],
         "failed": failed},
    )


def load_snapshots(path: str | Path) -> tuple[list[Snapshot], list[dict[str, Any]]]:
    """Read a snapshot or a fleet file: its snapshots and the rows of servers that failed."""
    source = Path(path)
    data = _read_json(source)
    if not isinstance(data, dict) or data.get("format") != FLEET_FORMAT:
        return [Snapshot.from_dict(data, origin=str(source))], []
    _check_version(data.get("version"), str(source))
    items, failed = data.get("snapshots"), data.get("failed", [])
    if not isinstance(items, list) or not items or not isinstance(failed, list):
        raise SnapshotError(f"{source} is damaged: a fleet file needs a non-empty 'snapshots' list.")
    if not all(isinstance(row, dict) for row in failed):
        raise SnapshotError(f"{source} is damaged: 'failed' must be a list of objects.")
    return [Snapshot.from_dict(item, origin=f"{source} (server {i})") for i, item in enumerate(items)], failed


def _check_version(version: object, origin: str) -> None:
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SnapshotError(
            f"{origin} has an invalid format version {version!r}: it must be a positive whole number. "
            "The file is damaged or was not written by comfyframe; capture it again."
        )
    if version > FORMAT_VERSION:
        raise SnapshotError(
            f"{origin} has snapshot format version {version}; this comfyframe reads up to "
            f"{FORMAT_VERSION}. Upgrade comfyframe to read it."
        )


def _write_json(path: str | Path, data: dict[str, Any]) -> Path:
    target = Path(path)
    try:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:
        # Lone surrogates (non-UTF-8 file names on Linux) cannot be UTF-8: write them as \udcXX escapes.
        payload = json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode()
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


def _read_json(source: Path) -> Any:
    try:
        raw = source.read_bytes()
    except FileNotFoundError:
        raise SnapshotError(f"No snapshot file at {source}: check the path.") from None
    except OSError as exc:
        raise SnapshotError(f"Cannot read snapshot {source}: {exc.strerror or exc}.") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise SnapshotError(f"{source} is a damaged gzip file ({exc}); capture it again.") from None
    try:
        data = json.loads(raw)
        # Only files with escaped surrogates (pairs or lone ones) pay for the walk.
        return scrub_surrogates(data) if _ESCAPED_SURROGATE.search(raw) else data
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise SnapshotError(f"{source} is not valid JSON ({str(exc)[:200]}); capture it again.") from None
