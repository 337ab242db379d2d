"""discover() as a plain call inside a running event loop (as in Jupyter), and discover_async."""

from __future__ import annotations

import asyncio

import httpx
from test_client import comfy_handler

import comfyframe as cf


def test_plain_call_inside_a_running_loop() -> None:
    async def notebook_cell() -> cf.Discovery:
        # In Jupyter the cell runs inside a loop; a plain call must still work.
        return cf.discover("http://gpu-box:8188", transport=httpx.MockTransport(comfy_handler()), progress=False)

    found = asyncio.run(notebook_cell())
    assert len(found.models) == 3


def test_async_form_and_several_servers() -> None:
    transport = httpx.MockTransport(comfy_handler())
    found = asyncio.run(cf.discover_async(["http://a:8188", "http://b:8188"], transport=transport, progress=False))
    assert found.urls == ["http://a:8188", "http://b:8188"]
    assert sorted(found.hardware["server"]) == ["http://a:8188", "http://b:8188"]
    assert found.models.groupby("server").size().tolist() == [3, 3]
    both = found.best_for("text_to_image")  # every server ranked, each against its own device 0
    assert set(both["server"]) == {"http://a:8188", "http://b:8188"}
    second = found.best_for("text_to_image", server="http://b:8188")
    assert set(second["server"]) == {"http://b:8188"}


def test_a_plain_call_leaves_the_running_loop_as_it_was() -> None:
    async def notebook_cell() -> tuple[cf.Discovery, type]:
        loop = asyncio.get_running_loop()
        found = cf.discover("http://gpu-box:8188", transport=httpx.MockTransport(comfy_handler()), progress=False)
        # nest_asyncio would have patched the loop's class methods for the rest of the session
        return found, type(loop).run_until_complete

    found, method = asyncio.run(notebook_cell())
    assert len(found.models) == 3
    assert method is asyncio.BaseEventLoop.run_until_complete
