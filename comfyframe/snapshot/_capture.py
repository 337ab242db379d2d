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
from ..http._options import DEADLINE_FACTOR, ConnectOptions
from . import _snapshot as routes
from ._assets import asset_base_models, fetch_assets
from ._etn import fetch_etn
from ._headers import Selector, read_headers
from ._history import slim_prompts, slim_queue
from ._progress import NullProgress, Progress, Watched, make_progress
from ._refresh import FileStamp, carry_history, file_stamps, previous_snapshot, reusable_metadata
from ._snapshot import Snapshot
from ._templates import TemplateCache, TemplateCapture

# ComfyUI's own model API skips configs and custom_nodes: they hold configs and node code, not models.
# ComfyUI 0.33 adds "datasets" (training images and captions, any extension, outside models/) to /models.
NON_MODEL_FOLDERS = frozenset({"configs", "custom_nodes", "datasets"})
METADATA_SUFFIX = ".safetensors"
HISTORY_PAGE = 1000
# ComfyUI keeps its newest 10,000 prompts; a server that sends more pages than that is cut off, with a warning.
MAX_HISTORY_PAGES = 20
MAX_HISTORY_PROMPTS = 20_000


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
    made = make_progress(opts.progress)
    started = time.perf_counter()
    try:
        async with ComfyClient(url, options=opts, transport=transport, shared=shared, budget=budget) as client:
            reporter = made if isinstance(made, NullProgress) else Watched(made, client.url)
            work = _Capture(client, reporter, opts.metadata, previous_snapshot(previous, client.url))
            watcher = asyncio.ensure_future(reporter.watch()) if isinstance(reporter, Watched) else None
            work.templates = TemplateCache(opts.template_cache) if opts.templates else None
            work.options, work.select_headers = opts, select_headers
            try:
                snapshot = await asyncio.wait_for(work.run(), opts.total_deadline)
            except asyncio.TimeoutError:
                if routes.OBJECT_INFO not in work.snapshot.responses:  # nothing to analyse without it
                    raise ServerTimeout(_deadline_message(client.url, opts), client.url) from None
                snapshot = work.at_deadline(opts.total_deadline)
            finally:
                if watcher is not None:
                    watcher.cancel()
                    await asyncio.gather(watcher, return_exceptions=True)
            snapshot.stats.update(seconds=round(time.perf_counter() - started, 3), requests=client.requests)
            if work.templates_from_cache:
                snapshot.stats["templates_from_cache"] = work.templates_from_cache
            if work.from_fleet:
                snapshot.stats["metadata_from_fleet"] = work.from_fleet
            return snapshot
    finally:
        made.close()


class _Capture:
    def __init__(self, client: ComfyClient, progress: Progress, metadata: bool, previous: Snapshot | None = None) -> None:
        self.client = client
        self.previous = previous
        self.progress = progress
        self.want_metadata = metadata
        self.snapshot = Snapshot(url=client.url, comfyframe_version=__version__)
        self.from_fleet = 0  # metadata answers another server of the discovery gave for the same file
        self.pending: dict[str, None] = {}  # routes asked and not yet answered or failed, in order asked
        self.templates: TemplateCache | None = None  # None: templates are not asked for
        self.templates_from_cache = 0
        self.options = ConnectOptions()
        self.select_headers: Selector | None = None
        self.assets_done = asyncio.Event()  # metadata requests wait for the asset records, which may settle them
        self.settled: set[tuple[str, str]] | None = None

    async def run(self) -> Snapshot:
        self.progress.add(7, "server")
        # /object_info is the long pole (megabytes); folder listings and metadata go on beside it.
        await _all(
            self._stats_then_templates(),
            self._required(routes.OBJECT_INFO, _expect(dict, "an object of node classes")),
            self._optional(routes.EMBEDDINGS, _expect(list, "a list of names")),
            self._optional(routes.HISTORY, _slimmed(dict, "an object of prompts", slim_prompts), fetch=self._history),
            self._optional(routes.QUEUE, _slimmed(dict, "an object of queue lists", slim_queue),
                           fetch=lambda: self.client.get_json(routes.QUEUE, missing_ok=True)),
            self._assets_then_signal(),
            self._models(),
        )
        if self.options.tensor_headers != "none":
            await read_headers(self.client, self.snapshot, self.options, self.progress, self.select_headers,
                               self.previous)
            if any(node.startswith("ETN_") for node in self.snapshot.object_info):  # comfyui-tooling-nodes
                await fetch_etn(self.client, self.snapshot)
        return self._finish()

    def _finish(self) -> Snapshot:
        if self.previous is not None:
            carry_history(self.previous, self.snapshot)
        return self.snapshot

    def at_deadline(self, deadline: float) -> Snapshot:
        """The snapshot so far, once the discovery's deadline cancelled the rest: every request still
        pending is recorded as a timeout, and one note names what is missing."""
        pending = [key for key in self.pending if key not in self.snapshot.responses]
        message = f"{self.client.url} had not answered at the discovery's deadline of {deadline:g} s."
        for key in pending:
            self.snapshot.failures[key] = {"error": "ServerTimeout", "status": None, "message": message}
        shown = ", ".join(pending[:3]) + (f" and {len(pending) - 3} more" if len(pending) > 3 else "")
        self.snapshot.failures[routes.cut_short("deadline")] = {
            "error": routes.CUT_SHORT,
            "status": None,
            "message": f"Discovery of {self.client.url} reached its deadline of {deadline:g} s with "
            f"{len(pending)} request(s) unanswered ({shown or 'none'}); they and what depends on them are "
            "missing, everything answered before is kept. Raise deadline= / --deadline for the rest.",
        }
        return self._finish()

    async def _stats_then_templates(self) -> None:
        """``/system_stats`` first: it names the templates package version the template cache is keyed by."""
        await self._optional(routes.SYSTEM_STATS, _expect(dict, "an object"))
        if self.templates is None:
            return
        work = TemplateCapture(self.client, self.snapshot, self.progress, self._optional, self.templates)
        await work.run()
        self.templates_from_cache = work.from_cache

    async def _assets_then_signal(self) -> None:
        """The asset records (which may settle files' metadata); metadata requests wait for them."""
        try:
            await self._optional(routes.ASSETS, _expect(list, "asset records"), fetch=self._assets)
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
        everything at once; a page that adds nothing new ends the walk. Past :data:`MAX_HISTORY_PAGES`
        pages or :data:`MAX_HISTORY_PROMPTS` prompts the walk stops: what came is kept, and a warning says so.
        """
        merged: dict[str, Any] = {}
        offset = 0
        for pages in range(1, MAX_HISTORY_PAGES + 1):
            params = {"max_items": str(HISTORY_PAGE), "offset": str(offset)}
            page = await self.client.get_json(routes.HISTORY, params=params, missing_ok=True)
            if page is None or not isinstance(page, dict):
                return page if not merged else merged
            fresh = {k: v for k, v in slim_prompts(page).items() if k not in merged}
            room = MAX_HISTORY_PROMPTS - len(merged)
            merged.update(fresh if len(fresh) <= room else dict(list(fresh.items())[:room]))
            if len(fresh) > room or (len(merged) >= MAX_HISTORY_PROMPTS and len(page) == HISTORY_PAGE):
                self._cut_short(routes.HISTORY, f"more than {MAX_HISTORY_PROMPTS:,} prompts after {pages} page(s), "
                                "twice what ComfyUI keeps; the first ones are kept")
                return merged
            if len(page) != HISTORY_PAGE or not fresh:  # more than a page: the server ignored max_items
                return merged
            offset += len(page)
        self._cut_short(routes.HISTORY, f"still more after {MAX_HISTORY_PAGES} pages of {HISTORY_PAGE:,}; "
                        f"the first {len(merged):,} prompts are kept")
        return merged

    async def _assets(self) -> Any:
        records, why = await fetch_assets(self.client)
        if why:
            self._cut_short(routes.ASSETS, why)
        return records

    def _cut_short(self, route: str, why: str) -> None:
        """Record that ``route``'s paging was stopped early (its answer so far is kept): a warning names it."""
        self.snapshot.failures[routes.cut_short(route)] = {
            "error": routes.CUT_SHORT,
            "status": None,
            "message": f"{self.client.url}{route} was cut short: {why}. The other tables are complete.",
        }

    async def _required(self, key: str, check: Callable[[str, Any], Any]) -> None:
        self.pending[key] = None
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
        self.pending.pop(key, None)

    async def _optional(
        self,
        key: str,
        check: Callable[[str, Any], Any],
        fetch: Callable[[], Awaitable[Any]] | None = None,
    ) -> None:
        self.pending[key] = None  # left there if the deadline cancels the request
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
        self.pending.pop(key, None)


def _deadline_message(url: str, opts: ConnectOptions) -> str:
    """The whole discovery ran out of time: name the setting that set the limit."""
    if opts.deadline is None:  # derived from the request timeout: that is the knob to turn
        return (f"Discovery of {url} did not finish within {opts.total_deadline:g} s ({DEADLINE_FACTOR} x the "
                f"request timeout of {opts.timeout:g} s); raise timeout= / --timeout (the deadline follows it), "
                "or check the server.")  # fmt: skip
    return (f"Discovery of {url} did not finish within its deadline of {opts.total_deadline:g} s (the server "
            "answers too slowly); raise deadline= / --deadline, or check the server.")


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
