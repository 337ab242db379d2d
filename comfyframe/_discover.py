"""Entry points: ``discover`` / ``discover_async`` and ``capture`` / ``capture_async``.

The sync forms work in scripts (``asyncio.run``) and inside a running Jupyter
loop (nest-asyncio is applied to that loop only when one is running).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import httpx

from ._capture import capture_async
from ._client import DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT, DEFAULT_URL
from ._demo import label_demo
from ._discovery import Discovery
from ._progress import Progress
from ._snapshot import Snapshot

T = TypeVar("T")
DEMO_RESOURCE = "demo_snapshot.json.gz"


def default_url() -> str:
    """``$COMFYUI_URL`` when set, else ``http://127.0.0.1:8188``."""
    return os.environ.get("COMFYUI_URL", "").strip() or DEFAULT_URL


def demo_snapshot() -> Snapshot:
    """The snapshot shipped with comfyframe, recorded from a real ComfyUI 0.3.75 test server."""
    with resources.as_file(resources.files("comfyframe").joinpath("data").joinpath(DEMO_RESOURCE)) as path:
        return label_demo(Snapshot.load(path))


async def discover_async(
    url: str | Sequence[str] | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_concurrency: int = DEFAULT_CONCURRENCY,
    metadata: bool = True,
    progress: bool | Progress | None = True,
    headers: dict[str, str] | None = None,
    previous: Any = None,
) -> Discovery:
    """Ask one server (or several, given a list of URLs) and return a :class:`Discovery`.

    ``previous`` (a Snapshot, Discovery or saved file) makes it a fast refresh, see :func:`discover`.
    """
    urls = [default_url()] if url is None else [url] if isinstance(url, str) else list(url)
    snapshots = await asyncio.gather(
        *(
            capture_async(
                u,
                transport=transport,
                timeout=timeout,
                max_concurrency=max_concurrency,
                metadata=metadata,
                progress=progress,
                headers=headers,
                previous=previous,
            )
            for u in urls
        )
    )
    return Discovery(list(snapshots))


def discover(
    url: str | Sequence[str] | None = None,
    *,
    snapshot: Snapshot | str | Path | None = None,
    demo: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_concurrency: int = DEFAULT_CONCURRENCY,
    metadata: bool = True,
    progress: bool | Progress | None = True,
    headers: dict[str, str] | None = None,
    previous: Any = None,
) -> Discovery:
    """Discover a ComfyUI server: its hardware, nodes and every model file, as DataFrames.

    ``url`` defaults to ``$COMFYUI_URL``, then ``http://127.0.0.1:8188``; pass a
    list to inventory several servers at once. ``snapshot=`` analyses a saved
    snapshot offline and ``demo=True`` the snapshot shipped with comfyframe.
    ``previous=`` (an earlier Snapshot, Discovery or saved file of the same server) refreshes: only
    files that are new or whose size or date changed have their metadata read again, and prompts the
    server has forgotten since are kept; ``Snapshot.carried`` records what was carried over.
    Works in scripts and in notebooks (inside Jupyter's running event loop).
    """
    if demo:
        return Discovery(demo_snapshot())
    if snapshot is not None:
        return Discovery.from_snapshot(snapshot)
    return run_sync(
        discover_async(
            url,
            transport=transport,
            timeout=timeout,
            max_concurrency=max_concurrency,
            metadata=metadata,
            progress=progress,
            headers=headers,
            previous=previous,
        )
    )


def capture(
    url: str | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_concurrency: int = DEFAULT_CONCURRENCY,
    metadata: bool = True,
    progress: bool | Progress | None = True,
    headers: dict[str, str] | None = None,
    previous: Any = None,
) -> Snapshot:
    """Fetch a server's raw answers into a :class:`Snapshot` (save it with ``.save(path)``).

    ``previous=`` refreshes from an earlier snapshot of the same server, as in :func:`discover`.
    """
    return run_sync(
        capture_async(
            url or default_url(),
            transport=transport,
            timeout=timeout,
            max_concurrency=max_concurrency,
            metadata=metadata,
            progress=progress,
            headers=headers,
            previous=previous,
        )
    )


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion from sync code, also inside a running loop (Jupyter)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    import nest_asyncio

    nest_asyncio.apply(loop)
    return loop.run_until_complete(coro)
