"""Capturing a fleet: identical bodies parsed once, large bodies read a few at a time, httpx's log kept clean."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from http.server import BaseHTTPRequestHandler
from typing import Any, Literal

import pytest
from fault_server import FaultServer, object_info

import comfyframe as cf
from comfyframe._capture import capture_async
from comfyframe._client import ComfyClient, SharedBodies, _LargeRead

QUICK: dict[str, Any] = {"progress": False, "timeout": 5.0}
NAMES = [f"model_{i:05d}.safetensors" for i in range(20000)]  # a ~500 kB /object_info


def test_httpx_log_shows_no_query_credential(caplog: pytest.LogCaptureFixture) -> None:
    with FaultServer() as server, caplog.at_level(logging.INFO, logger="httpx"):
        cf.discover(server.url + "/?token=hunter2&key=s3cret", **QUICK)
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert any("/object_info?token=***&key=***" in line for line in lines), lines[:3]
    assert any("filename=" in line for line in lines)  # comfyframe's own parameters stay readable
    assert not any("hunter2" in line or "s3cret" in line for line in lines)


def test_httpx_log_of_other_requests_is_left_alone(caplog: pytest.LogCaptureFixture) -> None:
    import httpx

    with FaultServer() as server, caplog.at_level(logging.INFO, logger="httpx"):
        cf.discover(server.url + "/?token=hunter2", **QUICK)  # installs the filter
        httpx.get(server.url + "/embeddings?page=2")
    assert any("/embeddings?page=2" in r.getMessage() for r in caplog.records if r.name == "httpx")


def test_equal_bodies_share_one_parse_and_equal_lengths_do_not() -> None:
    shared = SharedBodies()
    body = json.dumps(object_info(NAMES)).encode()
    twin = body.replace(b"model_00000", b"model_0000X")  # same length, other bytes
    first, second, other = (shared.decode(bytearray(b), "http://a/object_info", "") for b in (body, body, twin))
    assert first is second and other is not first
    assert "model_0000X.safetensors" in json.dumps(other) and "model_0000X" not in json.dumps(first)


def test_bodies_kept_for_comparing_are_bounded() -> None:
    class Small(SharedBodies):
        KEEP_BYTES = 600_000  # room for one ~500 kB body

    shared = Small()
    one, two = (json.dumps(object_info(NAMES[: 20000 - i])).encode() for i in (0, 1))
    assert shared.decode(one, "u", "") is shared.decode(one, "u", "")
    assert shared.decode(two, "u", "") is not shared.decode(two, "u", "")  # past the bound: parsed each time


class _Counting(asyncio.Semaphore):
    def __init__(self, value: int) -> None:
        super().__init__(value)
        self.held = self.peak = self.granted = 0

    async def acquire(self) -> Literal[True]:
        await super().acquire()
        self.held += 1
        self.granted += 1
        self.peak = max(self.peak, self.held)
        return True

    def release(self) -> None:
        self.held -= 1
        super().release()


class _FewAtOnce(SharedBodies):
    LARGE_BYTES = 64 << 10
    LARGE_READS = 2

    @property
    def reading(self) -> asyncio.Semaphore:
        if self._reading is None:
            self._reading = _Counting(self.LARGE_READS)
        return self._reading


def _capture_fleet(urls: list[str], shared: SharedBodies, **settings: Any) -> list[cf.Snapshot]:
    async def run() -> list[cf.Snapshot]:
        return list(await asyncio.gather(*(capture_async(u, shared=shared, metadata=False, **settings) for u in urls)))

    return asyncio.run(run())


def test_large_bodies_are_read_a_few_at_a_time() -> None:
    servers = [FaultServer(folders={"checkpoints": NAMES}) for _ in range(6)]
    shared = _FewAtOnce()
    for server in servers:
        server.__enter__()
    try:
        snapshots = _capture_fleet([s.url for s in servers], shared, **QUICK)
    finally:
        for server in servers:
            server.__exit__()
    counting = shared.reading
    assert isinstance(counting, _Counting)
    # three large answers per server: /object_info, the folder listing and its file details
    assert counting.granted == 3 * 6 and counting.peak == 2 and counting.held == 0
    assert all(s.object_info is snapshots[0].object_info for s in snapshots)
    assert snapshots[0].folder_files("checkpoints") == NAMES


def _slow_half(body: bytes, pause: float):  # type: ignore[no-untyped-def]
    def run(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[: len(body) // 2])
        handler.wfile.flush()
        time.sleep(pause)
        handler.wfile.write(body[len(body) // 2:])

    return run


def test_waiting_for_a_large_read_does_not_count_against_the_timeout() -> None:
    """A server's body waits while other servers' large bodies are read; only its own time counts."""

    class OneAtATime(SharedBodies):
        LARGE_READS = 1

    async def run() -> tuple[str, float]:
        shared = OneAtATime()
        other, mine = _LargeRead(shared), _LargeRead(shared)
        await other.acquire()  # another server's large body is being read for 1.5 s
        asyncio.get_running_loop().call_later(1.5, other.release)

        async def exchange() -> str:
            await mine.acquire()
            await asyncio.sleep(0.8)  # then this body takes 0.8 s: 2.3 s in all, over the 1.5 s timeout
            return "read"

        started = time.perf_counter()
        async with ComfyClient("http://127.0.0.1:1", timeout=1.5, shared=shared) as client:
            answer = await client._within_timeout(exchange(), mine)
        mine.release()
        return answer, time.perf_counter() - started

    answer, took = asyncio.run(run())
    assert answer == "read" and took >= 2.2


def test_the_timeout_still_bounds_the_request_itself() -> None:
    async def run() -> None:
        shared = SharedBodies()
        async with ComfyClient("http://127.0.0.1:1", timeout=0.5, shared=shared) as client:
            await client._within_timeout(asyncio.sleep(30), _LargeRead(shared))

    started = time.perf_counter()
    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(run())
    assert time.perf_counter() - started < 2


def test_a_trickling_large_body_still_times_out() -> None:
    class OneAtATime(SharedBodies):
        LARGE_BYTES = 64 << 10
        LARGE_READS = 1

    body = json.dumps(object_info(NAMES)).encode()
    with FaultServer(faults={"/object_info": _slow_half(body, 30)}, folders={"checkpoints": NAMES}) as server:
        started = time.perf_counter()
        with pytest.raises(cf.ServerTimeout, match="did not answer within 1"):
            _capture_fleet([server.url], OneAtATime(), progress=False, timeout=1.0, retries=0)
    assert time.perf_counter() - started < 5
