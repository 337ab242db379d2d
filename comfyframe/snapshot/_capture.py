"""Capture: ask one ComfyUI server every question and record the answers in a Snapshot.

Required: ``/object_info`` (without it there is nothing to analyse). Everything
else is optional: a server that lacks a route gives a smaller snapshot with the
failure recorded, never a crash.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import httpx

from .._version import __version__
from ..errors import ServerError, ServerHTTPError, ServerTimeout, UnexpectedPayload
from ..http._bodies import SharedBodies
from ..http._client import ComfyClient, RetryBudget
from ..http._options import ConnectOptions
from . import _snapshot as routes
from ._assets import asset_base_models, fetch_assets
from ._etn import fetch_etn
from ._headers import Selector, read_headers
from ._history import slim_prompts, slim_queue
from ._progress import Progress, make_progress
from ._refresh import FileStamp, carry_history, file_stamps, previous_snapshot, reusable_metadata
from ._snapshot import Snapshot

# ComfyUI's own model API skips configs and custom_nodes: they hold configs and node code, not models.
# ComfyUI 0.33 adds "datasets" (training images and captions, any extension, outside models/) to /models.
NON_MODEL_FOLDERS = frozenset({"configs", "custom_nodes", "datasets"})
METADATA_SUFFIX = ".safetensors"
HISTORY_PAGE = 1000


async def capture_async(
    url: str,
    *,
    options: ConnectOptions | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    shared: SharedBodies | None = None,
    budget: RetryBudget | None = None,
    previous: Any = None,
    select_headers: Selector | None = None,
    **settings: Any,
) -> Snapshot:
    """Fetch everything comfyframe needs from the server at ``url`` into a :class:`Snapshot`.

    ``options`` (a :class:`ConnectOptions`) or its fields as keywords (``timeout=``,
    ``deadline=``, ``headers=``, ``verify=`` …) set how the server is asked.
    ``shared`` lets the servers of one discovery parse identical answers once;
    ``budget`` caps the retries of a whole discovery (default ``4 × retries``).
    ``previous`` (a Snapshot, Discovery or saved file of the same server) makes it a fast refresh:
    metadata of files whose size and date did not change, and forgotten history, are carried over.
    ``select_headers(snapshot)`` picks the files whose safetensors headers ``tensor_headers="unknown"`` reads
    (see :mod:`._headers`).
    """
    opts = (options or ConnectOptions()).with_changes(**settings)
    reporter = make_progress(opts.progress)
    started = time.perf_counter()
    try:
        async with ComfyClient(url, options=opts, transport=transport, shared=shared, budget=budget) as client:
            work = _Capture(client, reporter, opts.metadata, previous_snapshot(previous, client.url))
            work.options, work.select_headers = opts, select_headers
            try:
                snapshot = await asyncio.wait_for(work.run(), opts.total_deadline)
            except asyncio.TimeoutError:
                raise ServerTimeout(
                    f"Discovery of {client.url} did not finish within its deadline of {opts.total_deadline:g} s "
                    "(the server answers too slowly); raise deadline= / --deadline, or check the server.",
                    client.url,
                ) from None
            snapshot.stats.update(seconds=round(time.perf_counter() - started, 3), requests=client.requests)
            if work.from_fleet:
                snapshot.stats["metadata_from_fleet"] = work.from_fleet
            return snapshot
    finally:
        reporter.close()


class _Capture:
    def __init__(self, client: ComfyClient, progress: Progress, metadata: bool, previous: Snapshot | None = None) -> None:
        self.client = client
        self.previous = previous
        self.progress = progress
        self.want_metadata = metadata
        self.snapshot = Snapshot(url=client.url, comfyframe_version=__version__)
        self.from_fleet = 0  # metadata answers another server of the discovery gave for the same file
        self.options = ConnectOptions()
        self.select_headers: Selector | None = None
        self.assets_done = asyncio.Event()  # metadata requests wait for the asset records, which may settle them
        self.settled: set[tuple[str, str]] | None = None

    async def run(self) -> Snapshot:
        self.progress.add(7, "server")
        # /object_info is the long pole (megabytes); folder listings and metadata go on beside it.
        await _all(
            self._optional(routes.SYSTEM_STATS, _expect(dict, "an object")),
            self._required(routes.OBJECT_INFO, _expect(dict, "an object of node classes")),
            self._optional(routes.EMBEDDINGS, _expect(list, "a list of names")),
            self._optional(routes.HISTORY, _slimmed(dict, "an object of prompts", slim_prompts), fetch=self._history),
            self._optional(routes.QUEUE, _slimmed(dict, "an object of queue lists", slim_queue),
                           fetch=lambda: self.client.get_json(routes.QUEUE, missing_ok=True)),
            self._assets(),
            self._models(),
        )
        if self.options.tensor_headers != "none":
            await read_headers(self.client, self.snapshot, self.options, self.progress, self.select_headers,
                               self.previous)
            if any(node.startswith("ETN_") for node in self.snapshot.object_info):  # comfyui-tooling-nodes
                await fetch_etn(self.client, self.snapshot)
        if self.previous is not None:
            carry_history(self.previous, self.snapshot)
        return self.snapshot

    async def _assets(self) -> None:
        try:
            await self._optional(routes.ASSETS, _expect(list, "asset records"), fetch=lambda: fetch_assets(self.client))
        finally:
            self.assets_done.set()

    async def _models(self) -> None:
        await self._optional(routes.MODEL_FOLDERS, _expect(list, "a list of folder names"))
        folders = self._refuse_dots([f for f in self.snapshot.model_folders or [] if f not in NON_MODEL_FOLDERS])
        if not folders:
            return
        self.progress.add(2 * len(folders), "folders")
        listings = (self._optional(routes.folder_route(f), _expect(list, "a list of file names")) for f in folders)
        await _all(self._details(folders), *listings)
        if self.want_metadata:  # after the sizes and dates: a refresh and a fleet compare them first
            await _all(*(self._fetch_metadata(f) for f in folders))

    async def _details(self, folders: list[str]) -> None:
        """Servers before the experimental model API 404 on it: ask once, then per folder."""
        first = routes.details_route(folders[0])
        await self._optional(first, _expect(list, "a list of file records"))
        if first not in self.snapshot.responses:
            self.progress.advance(len(folders) - 1)
            return
        await _all(*(self._optional(routes.details_route(f), _expect(list, "a list of file records")) for f in folders[1:]))

    async def _fetch_metadata(self, folder: str) -> None:
        wanted = [n for n in self.snapshot.folder_files(folder) or [] if n.lower().endswith(METADATA_SUFFIX)]
        await self.assets_done.wait()
        # The assets API read the file's header already: a base model there settles the family, no request needed.
        if self.settled is None:
            self.settled = set(asset_base_models(self.snapshot))
        settled = {name for (where, name) in self.settled if where == folder}
        wanted = [n for n in wanted if n not in settled]
        if self.previous is not None:
            asked = {routes.metadata_route(folder, n) for n in wanted}
            carried = {k: v for k, v in reusable_metadata(self.previous, self.snapshot, folder).items() if k in asked}
            for key, origin in carried.items():
                self.snapshot.responses[key] = self.previous.responses[key]
                self.snapshot.carried[key] = origin
            wanted = [n for n in wanted if routes.metadata_route(folder, n) not in carried]
        if not wanted:
            return
        self.progress.add(len(wanted), "safetensors metadata")
        stamps = file_stamps(self.snapshot, folder) if routes.details_route(folder) in self.snapshot.responses else {}
        await _all(*(self._fleet_metadata(folder, name, stamps.get(name)) for name in wanted))

    async def _fleet_metadata(self, folder: str, name: str, stamp: FileStamp | None) -> None:
        """Metadata of one file, or another fleet server's answer for the same file (name, size, modified).

        The refresh rule across a fleet: the first server to want a stamped file asks for it; the others of
        the discovery take its answer (recorded in ``carried`` as that server's URL) instead of asking their
        own. A file without size and date, or whose answer failed there, is asked of each server itself.
        """
        if stamp is None:
            return await self._metadata(folder, name)
        claims = self.client.shared.claims
        claim = ("view_metadata", folder, name, stamp)
        answer = claims.get(claim)
        key = routes.metadata_route(folder, name)
        if answer is None:
            claims[claim] = answer = asyncio.get_running_loop().create_future()
            try:
                await self._metadata(folder, name)
            finally:
                answer.set_result((self.snapshot.responses[key], self.client.url) if key in self.snapshot.responses
                                  else None)  # failed or cancelled: the others ask their own servers
            return None
        taken = await asyncio.shield(answer)  # a cancelled waiter must not cancel the answer others wait for
        if taken is None:
            return await self._metadata(folder, name)
        self.snapshot.responses[key], self.snapshot.carried[key] = taken
        self.from_fleet += 1
        self.progress.advance()
        return None

    def _refuse_dots(self, folders: list[str]) -> list[str]:
        """Folder names '.', '..' and '' would normalise into another route: record them as failures."""
        kept = []
        for folder in folders:
            if folder.strip() in ("", ".", ".."):
                self.snapshot.failures[routes.folder_route(folder)] = {
                    "error": "UnsafeName",
                    "status": None,
                    "message": f"{self.client.url}/models listed a folder named {folder!r}, which cannot be "
                    "asked for safely (it would name another route); skipped.",
                }
            else:
                kept.append(folder)
        return kept

    async def _metadata(self, folder: str, name: str) -> None:
        key = routes.metadata_route(folder, name)
        # 404 means "this file has no metadata", which is an answer, not a failure.
        await self._optional(
            key,
            _expect(dict, "an object of metadata"),
            fetch=lambda: self.client.get_json(
                f"/view_metadata/{_quote_segment(folder)}", params={"filename": name}, missing_ok=True
            ),
        )

    async def _history(self) -> Any:
        """``/history`` in pages (10,000 full prompts can be hundreds of MB), each slimmed as it arrives.

        404 (a proxy that hides it) is recorded as ``None``. A server that ignores ``offset`` answers
        everything at once; a page that adds nothing new ends the walk.
        """
        merged: dict[str, Any] = {}
        offset = 0
        while True:
            params = {"max_items": str(HISTORY_PAGE), "offset": str(offset)}
            page = await self.client.get_json(routes.HISTORY, params=params, missing_ok=True)
            if page is None or not isinstance(page, dict):
                return page if not merged else merged
            fresh = {k: v for k, v in slim_prompts(page).items() if k not in merged}
            merged.update(fresh)
            if len(page) != HISTORY_PAGE or not fresh:  # more than a page: the server ignored max_items
                return merged
            offset += len(page)

    async def _required(self, key: str, check: Callable[[str, Any], Any]) -> None:
        try:
            body = await self.client.get_json(key)
        except ServerHTTPError as exc:
            if exc.status_code not in (404, 405):
                raise
            # Every ComfyUI since 2023 answers /object_info; a web server without it is something else.
            raise UnexpectedPayload(
                f"{self.client.url} does not look like a ComfyUI server: {key} answered HTTP {exc.status_code}, "
                "and every ComfyUI answers it. Check host, port and any path prefix of a reverse proxy.",
                exc.url,
            ) from None
        finally:
            self.progress.advance()
        self.snapshot.responses[key] = check(self.client.url + key, body)

    async def _optional(
        self,
        key: str,
        check: Callable[[str, Any], Any],
        fetch: Callable[[], Awaitable[Any]] | None = None,
    ) -> None:
        try:
            body = await (fetch() if fetch else self.client.get_json(_quote_path(key)))
            self.snapshot.responses[key] = None if body is None else check(self.client.url + key, body)
        except ServerError as exc:
            if key == routes.SYSTEM_STATS and not isinstance(exc, (ServerHTTPError, UnexpectedPayload)):
                raise  # unreachable or timing out: nothing else will work either
            self.snapshot.failures[key] = {
                "error": type(exc).__name__,
                "status": getattr(exc, "status_code", None),
                "message": str(exc),
            }
        finally:
            self.progress.advance()


async def _all(*jobs: Awaitable[None]) -> None:
    """Run ``jobs`` concurrently; on the first error cancel the rest and raise it (a TaskGroup for 3.10)."""
    tasks = [asyncio.ensure_future(job) for job in jobs]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def _slimmed(kind: type, what: str, slim: Callable[[Any], Any]) -> Callable[[str, Any], Any]:
    check = _expect(kind, what)
    return lambda url, body: slim(check(url, body))


def _expect(kind: type, what: str) -> Callable[[str, Any], Any]:
    def check(url: str, body: Any) -> Any:
        if not isinstance(body, kind):
            raise UnexpectedPayload(
                f"{url} answered with JSON {type(body).__name__}, but ComfyUI sends {what} there. "
                "Is this a ComfyUI server, and is its version supported?",
                url,
            )
        return body

    return check


def _quote_segment(text: str) -> str:
    return quote(text, safe="")


def _quote_path(key: str) -> str:
    """The request path of route ``key``: a server-provided folder name becomes exactly one path segment."""
    for prefix in ("/experiment/models/", "/models/"):
        if key.startswith(prefix):
            return prefix + _quote_segment(key[len(prefix):])
    return key
