"""The assets API of newer ComfyUI servers (``/api/assets``, started with ``--enable-assets``).

Where present it gives what ``/experiment/models`` leaves out: sizes of files with other extensions
(``.gguf``, ``.onnx``), content hashes (``blake3:…``) for duplicates, and dates. A server without it
answers 404 (older) or 503 ``SERVICE_DISABLED`` (not enabled): both mean "absent", never a failure.

Pages come with ``limit``/``offset`` or, on later versions, an opaque ``next_cursor`` that the next request
passes as ``after``; every page is merged into one list under the route key ``/api/assets``, and a page that
brings no new record (a server ignoring the page parameters) ends the walk. Records changed shape between versions, so
each field is read defensively: the file is ``loader_path`` (what a loader's dropdown offers) else
``name``; its folder is a tag naming a folder ``/models`` lists (tags were ``["models", "loras"]`` and
later grew more); the hash is ``hash`` or ``asset_hash``; the size ``size`` or ``size_bytes``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..errors import ServerHTTPError
from ..http._client import ComfyClient
from ..support._validate import file_size, plausible_time
from ._snapshot import ASSETS, Snapshot

PAGE_SIZE = 500  # the largest page ComfyUI allows
MAX_PAGES = 200  # a server that never stops paging is cut off, with a warning
MAX_RECORDS = 100_000  # far more model files than any real server holds
AssetDetail = tuple[int | None, datetime | None, str | None]  # size, modified, hash


async def fetch_assets(client: ComfyClient) -> tuple[list[dict[str, Any]] | None, str | None]:
    """Every asset record of the server (``None`` when it has no assets API: 404 or 503), and why paging
    stopped early, if it did (a repeated cursor or page, or more than :data:`MAX_PAGES` / :data:`MAX_RECORDS`).

    Paging goes on only while a page says ``"has_more": true`` (a JSON true, not the text ``"false"``).
    """
    records: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    cursors: set[str] = set()
    params: dict[str, str] = {"limit": str(PAGE_SIZE), "offset": "0"}  # no tag filter: tag schemes changed
    for pages in range(1, MAX_PAGES + 1):
        try:
            page = await client.get_json(ASSETS, params=params, missing_ok=True)
        except ServerHTTPError as exc:
            if exc.status_code == 503 and not records:
                return None, None
            raise
        if page is None:
            return None, None
        assets = page.get("assets") if isinstance(page, dict) else None
        if not isinstance(assets, list):
            return records or None, None
        fresh = [a for a in assets if isinstance(a, dict) and not _seen(a, seen_ids)]
        room = MAX_RECORDS - len(records)
        records.extend(fresh[:room])
        if len(fresh) > room or (len(records) >= MAX_RECORDS and page.get("has_more") is True):
            return records, f"more than {MAX_RECORDS:,} asset records; kept the first {len(records):,}"
        if page.get("has_more") is not True or not assets:
            return records, None
        if not fresh:
            return records, f"page {pages} repeated records already seen; kept {len(records):,}"
        cursor = page.get("next_cursor")
        if isinstance(cursor, str) and cursor:
            if cursor in cursors:
                return records, f"page {pages} repeated an earlier cursor; kept {len(records):,} records"
            cursors.add(cursor)
            params = {"limit": str(PAGE_SIZE), "after": cursor}  # ComfyUI 0.33 reads the keyset cursor as "after"
        else:
            params = {**params, "offset": str(int(params.get("offset", "0")) + len(assets))}
    return records, f"still more after {MAX_PAGES} pages; kept {len(records):,} records"


def _seen(record: dict[str, Any], ids: set[str]) -> bool:
    """Whether ``record``'s ``id`` came before (records without one are never taken as repeats)."""
    key = record.get("id")
    if not isinstance(key, (str, int)) or isinstance(key, bool):
        return False
    key = str(key)
    if key in ids:
        return True
    ids.add(key)
    return False


def asset_details(snapshot: Snapshot) -> dict[tuple[str, str], AssetDetail]:
    """(folder, name) -> (size, modified, hash) for the assets that match a listed file."""
    return {key: (_size(rec), _date(rec), _hash(rec)) for key, rec in asset_records(snapshot).items()}


def asset_base_models(snapshot: Snapshot) -> dict[tuple[str, str], str]:
    """(folder, name) -> the ``metadata.base_model`` the server read from the file (kohya / modelspec), if any."""
    found = {}
    for key, record in asset_records(snapshot).items():
        meta = record.get("metadata")
        value = meta.get("base_model") if isinstance(meta, dict) else None
        if isinstance(value, str) and value.strip():
            found[key] = value.strip()
    return found


def asset_records(snapshot: Snapshot) -> dict[tuple[str, str], dict[str, Any]]:
    """(folder, name) -> the asset record of each listed file (the folder from a ``model_type:<folder>`` tag
    or a bare folder tag, the name from ``loader_path`` else ``name``)."""
    records = snapshot.assets
    if not records:
        return {}
    listed = {folder: set(snapshot.folder_files(folder) or []) for folder in snapshot.model_folders or []}
    by_base = {
        folder: _unique_basenames(names) for folder, names in listed.items()
    }
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for record in records:
        tags = [t for t in record.get("tags") or [] if isinstance(t, str)] if isinstance(record.get("tags"), list) else []
        named = [t.split(":", 1)[1] if t.startswith("model_type:") else t for t in tags]
        folders = list(dict.fromkeys(t for t in named if t in listed and t != "models"))
        for key in ("loader_path", "name"):
            value = record.get(key)
            if not isinstance(value, str):
                continue
            for folder in folders:
                name = value if value in listed[folder] else by_base[folder].get(_base(value))
                if name is not None and (folder, name) not in found:
                    found[(folder, name)] = record
    return found


def _unique_basenames(names: set[str]) -> dict[str, str]:
    seen: dict[str, str | None] = {}
    for name in names:
        base = _base(name)
        seen[base] = None if base in seen else name
    return {k: v for k, v in seen.items() if v is not None}


def _base(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _size(record: dict[str, Any]) -> int | None:
    for key in ("size", "size_bytes"):
        value = record.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return file_size(value)
    return None


def _hash(record: dict[str, Any]) -> str | None:
    for key in ("hash", "asset_hash"):
        value = record.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _date(record: dict[str, Any]) -> datetime | None:
    for key in ("updated_at", "created_at"):
        value = record.get(key)
        if isinstance(value, str):
            try:
                when = datetime.fromisoformat(value.replace("Z", "+00:00"))
                return plausible_time(when if when.tzinfo else when.replace(tzinfo=timezone.utc))
            except (ValueError, OverflowError):  # 9999-12-31 with an offset runs past datetime's range
                continue
    return None


def implausible_assets(records: list[dict[str, Any]]) -> int:
    """How many asset records give a size or date outside what a file can have (they become NaN / NaT)."""
    bad = 0
    for record in records:
        sizes = [record.get(k) for k in ("size", "size_bytes") if isinstance(record.get(k), (int, float))]
        dates = [record.get(k) for k in ("updated_at", "created_at") if isinstance(record.get(k), str)]
        bad += bool((sizes and _size(record) is None) or (dates and _date(record) is None))
    return bad
