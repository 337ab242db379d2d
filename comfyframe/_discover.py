"""Entry points: ``discover`` / ``discover_async`` and ``capture`` / ``capture_async``.

The sync forms work in scripts (``asyncio.run``) and inside a running Jupyter
loop (the discovery then runs on a worker thread's own loop; the user's loop is left as it was).
"""

from __future__ import annotations

import asyncio
import os
import time
import warnings
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import httpx

from ._discovery import Discovery
from ._frames import build_frames
from .errors import ComfyFrameError, DegradedServerWarning
from .http._bodies import SharedBodies
from .http._client import DEFAULT_URL, RetryBudget, normalize_url
from .http._options import ConnectOptions
from .http._urls import redact_url
from .snapshot._capture import capture_async
from .snapshot._demo import label_demo
from .snapshot._snapshot import Snapshot
from .support._collector import collector_paused

T = TypeVar("T")
DEMO_RESOURCE = "demo_snapshot.json.gz"


def default_url() -> str:
    """``$COMFYUI_URL`` when set, else ``http://127.0.0.1:8188``."""
    return os.environ.get("COMFYUI_URL", "").strip() or DEFAULT_URL


def unsettled_files(snapshot: Snapshot) -> list[tuple[str, str]]:
    """(folder, name) of the files whose kind, family or variant names and metadata leave open: the ones
    ``tensor_headers="unknown"`` reads the safetensors header of (inference run on the snapshot so far)."""
    from .inference._header_precedence import unsettled
    from .inference._infer import infer_models

    frames = build_frames(snapshot)
    return unsettled(infer_models(frames.models, frames.edges, frames.nodes, frames.templates))


def demo_snapshot() -> Snapshot:
    """The snapshot shipped with comfyframe, recorded from a real ComfyUI 0.3.75 test server."""
    with resources.as_file(resources.files("comfyframe").joinpath("data").joinpath(DEMO_RESOURCE)) as path:
        return label_demo(Snapshot.load(path))


async def discover_async(
    url: str | Sequence[str] | None = None,
    *,
    options: ConnectOptions | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    previous: Any = None,
    **settings: Any,
) -> Discovery:
    """Ask one server (or several, given a list of URLs) and return a :class:`Discovery`.

    Settings are a :class:`ConnectOptions` or its fields as keywords. In a
    fleet, a server that fails gives a ``DegradedServerWarning`` and a row in
    ``Discovery.servers``; the others keep every table. When every server
    fails, the first server's error is raised. ``previous`` (a Snapshot,
    Discovery or saved file) makes it a fast refresh, see :func:`discover`.
    """
    opts = (options or ConnectOptions(progress=True)).with_changes(**settings)
    return warn_problems(await _discover(url, opts, transport, previous))


async def _discover(
    url: str | Sequence[str] | None, opts: ConnectOptions, transport: httpx.AsyncBaseTransport | None, previous: Any
) -> Discovery:
    """:func:`discover_async` without the warnings (the public forms warn, attributed to their caller)."""
    urls = [default_url()] if url is None else [url] if isinstance(url, str) else list(url)
    if not urls:
        raise ValueError("discover() got an empty list of servers: pass at least one URL.")
    urls = _one_per_server(urls)
    started = time.perf_counter()
    shared = SharedBodies(servers=len(urls))
    # One retry budget for the whole discovery: a failing fleet backs off instead of storming.
    budget = RetryBudget(opts.retries * (len(urls) + 3))
    # parsing the answers and building the tables allocate millions of objects: see comfyframe.support._collector
    with collector_paused():
        results = await asyncio.gather(
            *(capture_async(u, options=opts, transport=transport, shared=shared, budget=budget, previous=previous,
                            select_headers=unsettled_files)
              for u in urls),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, ComfyFrameError):
                raise result
        snapshots = [r for r in results if isinstance(r, Snapshot)]
        errors = [(u, r) for u, r in zip(urls, results) if isinstance(r, ComfyFrameError)]
        if not snapshots:
            raise errors[0][1]
        seconds = round(time.perf_counter() - started, 3)
        failed = [failed_server_row(u, exc, seconds) for u, exc in errors]
        return Discovery(snapshots, failed=failed, warn=False)


def _one_per_server(urls: list[str]) -> list[str]:
    """``urls`` with those naming a server already given dropped, with a warning.

    URLs that differ only in userinfo or query (``?node=gpu1`` / ``?node=gpu2``, ``bob:x@``) show as the same
    server URL: their tables could not be told apart, so only the first is discovered.
    """
    kept: dict[str, list[str]] = {}
    out: list[str] = []
    for url in urls:
        try:
            base = normalize_url(url)
        except (ComfyFrameError, TypeError):
            out.append(url)  # reported by its own capture
            continue
        if base in kept:
            kept[base].append(url)
        else:
            kept[base] = [url]
            out.append(url)
    for base, given in kept.items():
        if len(given) > 1:
            warnings.warn(
                f"{base} was given {len(given)} times, differing only in credentials or query (not shown); "
                "they show as one server, so only the first is discovered. To inventory servers behind one "
                "address, give each its own URL (host, port or path).",
                DegradedServerWarning,
                stacklevel=4,
            )
    return out


def failed_server_row(url: str, exc: ComfyFrameError, seconds: float) -> dict[str, Any]:
    """The ``Discovery.servers`` row of a server that could not be discovered."""
    try:
        shown = normalize_url(url)
    except ComfyFrameError:
        shown = redact_url(url.strip()) if isinstance(url, str) else "(invalid URL)"
    return {"server": shown, "error": f"{type(exc).__name__}: {exc}", "seconds": seconds}


def discover(
    url: str | Sequence[str] | None = None,
    *,
    snapshot: Snapshot | str | Path | None = None,
    demo: bool = False,
    options: ConnectOptions | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    previous: Any = None,
    **settings: Any,
) -> Discovery:
    """Discover a ComfyUI server: its hardware, nodes and every model file, as DataFrames.

    ``url`` defaults to ``$COMFYUI_URL``, then ``http://127.0.0.1:8188``; pass a
    list to inventory several servers at once. ``snapshot=`` analyses a saved
    snapshot (or fleet file) offline and ``demo=True`` the snapshot shipped with
    comfyframe. Connection settings: ``options=ConnectOptions(...)`` or its
    fields as keywords: ``timeout, deadline, max_concurrency, metadata,
    progress, headers, verify, retries, limits, templates, template_cache``.
    ``previous=`` (an earlier Snapshot, Discovery or saved file of the same server) refreshes: only
    files that are new or whose size or date changed have their metadata read again, and prompts the
    server has forgotten since are kept; ``Snapshot.carried`` records what was carried over.
    Works in scripts and in notebooks (inside Jupyter's running event loop).
    """
    if demo:
        return warn_problems(Discovery(demo_snapshot(), warn=False))
    if snapshot is not None:
        return warn_problems(Discovery.from_snapshot(snapshot, warn=False))
    opts = (options or ConnectOptions(progress=True)).with_changes(**settings)
    return warn_problems(run_sync(_discover(url, opts, transport, previous)))


def capture(
    url: str | None = None,
    *,
    options: ConnectOptions | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    previous: Any = None,
    **settings: Any,
) -> Snapshot:
    """Fetch a server's raw answers into a :class:`Snapshot` (save it with ``.save(path)``).

    Settings as for :func:`discover`; ``previous=`` refreshes from an earlier snapshot of the same
    server, as in :func:`discover`.
    """
    opts = (options or ConnectOptions(progress=True)).with_changes(**settings)
    return run_sync(capture_async(url or default_url(), options=opts, transport=transport, previous=previous,
                                  select_headers=unsettled_files))


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion from sync code, also inside a running loop (Jupyter): there on a worker
    thread's own event loop, so the caller's loop is not patched or re-entered."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="comfyframe-discover") as pool:
        return pool.submit(asyncio.run, coro).result()


def warn_problems(found: Discovery, stacklevel: int = 2) -> Discovery:
    """Warn once per problem of ``found``, attributed to the caller ``stacklevel`` frames up from here."""
    for problem in found.problems:
        warnings.warn(problem, DegradedServerWarning, stacklevel=stacklevel + 1)
    return found
