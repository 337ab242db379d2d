"""Capture of workflow templates: the official index, its local templates, and custom-node example workflows.

Official template files depend only on the templates package version (``/system_stats``), so they are
cached on this machine per version (:class:`TemplateCache`) and shared between the servers of one
discovery; the snapshot still records every body it used (``carried`` says where a cached one came from).
API-only (cloud) templates are recorded in the index only. A server without these routes answers 404:
recorded as ``None`` ("absent"), not as a failure.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..errors import UnexpectedPayload
from ..http._client import ComfyClient
from ._progress import Progress
from ._snapshot import CUSTOM_TEMPLATES, TEMPLATES_INDEX, Snapshot, custom_template_route, template_route

MAX_TEMPLATES = 5000  # an index or pack map listing more is not a real one: the rest is skipped
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$")
Check = Callable[[str, Any], Any]
Optional = Callable[[str, Check, Callable[[], Awaitable[Any]]], Awaitable[None]]


def default_cache_dir() -> Path:
    """``$COMFYFRAME_TEMPLATE_CACHE``, else ``$COMFYFRAME_CACHE/templates``, else
    ``$XDG_CACHE_HOME/comfyframe/templates`` or ``~/.cache/comfyframe/templates``."""
    own = os.environ.get("COMFYFRAME_TEMPLATE_CACHE")
    if own:
        return Path(own)
    root = os.environ.get("COMFYFRAME_CACHE")
    if root:
        return Path(root) / "templates"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "comfyframe" / "templates"


class TemplateCache:
    """Template bodies on disk, one JSON file per (templates version, route key); best effort (never fails)."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()

    def _path(self, version: str, key: str) -> Path:
        return self.root / version / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".json")

    def get(self, version: str, key: str) -> Any:
        try:
            return json.loads(self._path(version, key).read_bytes())
        except (OSError, ValueError):
            return None

    def put(self, version: str, key: str, body: Any) -> None:
        path = self._path(version, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp", encoding="utf-8") as f:
                json.dump(body, f)
            os.replace(f.name, path)  # atomic: a concurrent reader sees the old file or the whole new one
        except (OSError, TypeError, ValueError):
            return


def templates_version(snapshot: Snapshot) -> str | None:
    """The installed templates package version from ``/system_stats`` (None when unknown or not a plain version)."""
    system = (snapshot.system_stats or {}).get("system")
    version = system.get("installed_templates_version") if isinstance(system, dict) else None
    return version if isinstance(version, str) and _VERSION.match(version) else None


def is_local(entry: dict[str, Any]) -> bool:
    """A template that runs on the server itself (not an API/cloud workflow)."""
    open_source = entry.get("openSource")
    if open_source is False:
        return False
    tags = entry.get("tags")
    return not (open_source is None and isinstance(tags, list) and "API" in tags)


def index_entries(index: Any) -> list[dict[str, Any]]:
    """The template entries of an index (a list of categories, each with ``templates``)."""
    if not isinstance(index, list):
        return []
    return [t for c in index if isinstance(c, dict) and isinstance(c.get("templates"), list)
            for t in c["templates"] if isinstance(t, dict) and isinstance(t.get("name"), str)]


def _safe_name(name: str) -> bool:
    return bool(name.strip()) and name.strip() not in (".", "..") and "\0" not in name


class TemplateCapture:
    """Fetch the templates of one server into its snapshot, through the capture's ``optional`` recorder."""

    def __init__(self, client: ComfyClient, snapshot: Snapshot, progress: Progress, optional: Optional,
                 cache: TemplateCache) -> None:
        self.client, self.snapshot, self.progress, self.optional, self.cache = client, snapshot, progress, optional, cache
        self.from_cache = 0

    async def run(self) -> None:
        version = templates_version(self.snapshot)
        self.progress.add(2, "templates")
        await asyncio.gather(self._official(version), self._custom())

    async def _official(self, version: str | None) -> None:
        await self._shared(TEMPLATES_INDEX, TEMPLATES_INDEX, _expect_list, version)
        names = [t["name"] for t in index_entries(self.snapshot.responses.get(TEMPLATES_INDEX)) if is_local(t)]
        names = list(dict.fromkeys(n for n in names if _safe_name(n)))[:MAX_TEMPLATES]
        self.progress.add(len(names), "templates")
        await asyncio.gather(*(self._shared(template_route(n), f"/templates/{quote(n, safe='')}.json",
                                            _expect_dict, version) for n in names))

    async def _custom(self) -> None:
        await self.optional(CUSTOM_TEMPLATES, _expect_dict,
                            lambda: self.client.get_json(CUSTOM_TEMPLATES, missing_ok=True))
        packs = self.snapshot.responses.get(CUSTOM_TEMPLATES)
        if not isinstance(packs, dict):
            return
        wanted = [(str(p), f"{n}.json") for p, names in packs.items() if isinstance(names, list) and _safe_name(str(p))
                  for n in names if isinstance(n, str) and _safe_name(n)][:MAX_TEMPLATES]
        self.progress.add(len(wanted), "templates")
        await asyncio.gather(*(self._fetch(custom_template_route(p, f),
                                           f"/api/workflow_templates/{quote(p, safe='')}/{quote(f, safe='')}",
                                           _expect_dict) for p, f in wanted))

    async def _fetch(self, key: str, path: str, check: Check) -> None:
        await self.optional(key, check, lambda: self.client.get_json(path, missing_ok=True))

    async def _shared(self, key: str, path: str, check: Check, version: str | None) -> None:
        """One official body: from the disk cache, from another server of this discovery, or asked and cached."""
        if version is None:
            return await self._fetch(key, path, check)
        cached = self.cache.get(version, key)
        if cached is not None:
            return self._take(key, cached, f"template cache {version}")
        claims = self.client.shared.claims
        claim = ("template", version, key)
        answer = claims.get(claim)
        if answer is None:
            claims[claim] = answer = asyncio.get_running_loop().create_future()
            try:
                await self._fetch(key, path, check)
            finally:
                body = self.snapshot.responses.get(key)
                answer.set_result((body, self.client.url) if body is not None else None)
            if body is not None:
                self.cache.put(version, key, body)
            return None
        taken = await asyncio.shield(answer)
        if taken is None:
            return await self._fetch(key, path, check)
        return self._take(key, taken[0], taken[1])

    def _take(self, key: str, body: Any, origin: str) -> None:
        self.snapshot.responses[key] = body
        self.snapshot.carried[key] = origin
        self.from_cache += 1
        self.progress.advance()


def _expect_list(url: str, body: Any) -> Any:
    return _expect(url, body, list, "a list of template categories")


def _expect_dict(url: str, body: Any) -> Any:
    return _expect(url, body, dict, "a JSON object (a workflow)")


def _expect(url: str, body: Any, kind: type, what: str) -> Any:
    if not isinstance(body, kind):
        raise UnexpectedPayload(f"{url} answered with JSON {type(body).__name__}, but ComfyUI sends {what} there.", url)
    return body
