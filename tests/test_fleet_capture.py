"""Capturing a fleet: identical bodies parsed once, large bodies read a few at a time, the request log kept clean."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import warnings
from http.server import BaseHTTPRequestHandler
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

import pytest
from fault_server import FaultServer, hang, object_info, send_json, status

import comfyframe as cf
from comfyframe.http._bodies import LargeRead, SharedBodies
from comfyframe.http._client import ComfyClient
from comfyframe.snapshot._capture import capture_async

QUICK: dict[str, Any] = {"progress": False, "timeout": 5.0}
NAMES = [f"model_{i:05d}.safetensors" for i in range(20000)]  # a ~500 kB /object_info


def test_request_log_shows_no_query_credential(caplog: pytest.LogCaptureFixture) -> None:
    with FaultServer() as server, caplog.at_level(logging.INFO, logger="comfyframe.http"):
        cf.discover(server.url + "/?token=hunter2&key=s3cret", **QUICK)
    lines = [r.getMessage() for r in caplog.records if r.name == "comfyframe.http"]
    assert any("/object_info?token=***&key=***" in line and '"HTTP/1.1 200 OK"' in line for line in lines), lines[:3]
    assert any("filename=" in line for line in lines)  # comfyframe's own parameters stay readable
    assert not any("hunter2" in line or "s3cret" in line for line in lines)


def test_request_log_escapes_a_hostile_reason_phrase(caplog: pytest.LogCaptureFixture) -> None:
    with FaultServer() as server, caplog.at_level(logging.INFO, logger="comfyframe.http"):
        server.faults["/embeddings"] = status(500, reason="Oops\x1b[2J")
        with pytest.warns(cf.DegradedServerWarning, match="/embeddings failed"):
            cf.discover(server.url, **QUICK)
    lines = [r.getMessage() for r in caplog.records if "/embeddings" in r.getMessage()]
    assert lines and all("\x1b" not in line and "\\x1b[2J" in line for line in lines), lines


def test_equal_bodies_share_one_parse_and_equal_lengths_do_not() -> None:
    shared = SharedBodies()
    body = json.dumps(object_info(NAMES)).encode()
    twin = body.replace(b"model_00000", b"model_0000X")  # same length, other bytes
    first, second, other = (shared.decode(bytearray(b), "http://a/object_info", "") for b in (body, body, twin))
    assert first is second and other is not first
    assert "model_0000X.safetensors" in json.dumps(other) and "model_0000X" not in json.dumps(first)


def test_one_server_keeps_no_body_for_comparing() -> None:
    shared = SharedBodies(servers=1)
    body = json.dumps(object_info(NAMES)).encode()
    assert shared.decode(body, "u", "") is not shared.decode(body, "u", "")  # nothing kept: each parsed


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
        other, mine = LargeRead(shared), LargeRead(shared)
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


def test_after_the_wait_the_request_has_its_whole_timeout_and_no_more() -> None:
    class OneAtATime(SharedBodies):
        LARGE_READS = 1

    async def run() -> None:
        shared = OneAtATime()
        other, mine = LargeRead(shared), LargeRead(shared)
        await other.acquire()
        asyncio.get_running_loop().call_later(1.1, other.release)

        async def exchange() -> None:
            await asyncio.sleep(0.9)  # the headers take 0.9 s, then the body waits 0.2 s for a permit
            await mine.acquire()
            await asyncio.sleep(30)  # and never ends

        async with ComfyClient("http://127.0.0.1:1", timeout=1.0, shared=shared) as client:
            try:
                await client._within_timeout(exchange(), mine)
            finally:
                mine.release()

    started = time.perf_counter()
    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(run())
    assert 1.15 <= time.perf_counter() - started < 1.6  # its own 1 s plus the 0.2 s it waited


def test_the_timeout_still_bounds_the_request_itself() -> None:
    async def run() -> None:
        shared = SharedBodies()
        async with ComfyClient("http://127.0.0.1:1", timeout=0.5, shared=shared) as client:
            await client._within_timeout(asyncio.sleep(30), LargeRead(shared))

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


# -- safetensors metadata across a fleet -----------------------------------------------------------------------------
def _metadata_server(folders: dict[str, list[str]], sizes: dict[str, int] | None = None,
                     metadata: dict[str, dict[str, str]] | None = None) -> FaultServer:
    """A FaultServer whose file details carry ``sizes`` and whose /view_metadata answers ``metadata`` by file."""
    server = FaultServer(folders=folders)

    def details(handler: BaseHTTPRequestHandler) -> None:
        files = folders["loras"]
        send_json(handler, [{"name": n, "pathIndex": 0, "modified": 1.7e9, "size": (sizes or {}).get(n, 1000)}
                            for n in files])

    def view(handler: BaseHTTPRequestHandler) -> None:
        name = parse_qs(urlsplit(handler.path).query)["filename"][0]
        send_json(handler, (metadata or {}).get(name, {"ss_base_model_version": "sdxl_base_v1-0"}))

    server.faults.update({"/experiment/models/loras": details, "/view_metadata/loras": view})
    return server


def _metadata_asked(server: FaultServer) -> list[str]:
    return sorted(parse_qs(urlsplit(s.target).query)["filename"][0] for s in server.seen
                  if s.path == "/view_metadata/loras")


def test_a_fleet_reads_each_identical_file_once_and_records_where_it_came_from() -> None:
    loras = {"checkpoints": ["sd_xl_base_1.0.safetensors"], "loras": [f"style_{i}.safetensors" for i in range(6)]}
    servers = [_metadata_server(loras) for _ in range(3)]
    for server in servers:
        server.__enter__()
    try:
        found = cf.discover([s.url for s in servers], **QUICK)
    finally:
        for server in servers:
            server.__exit__()
    asked = [_metadata_asked(s) for s in servers]
    assert sorted(n for names in asked for n in names) == sorted(loras["loras"])  # each file read once in all
    by_url = {s.url: s for s in found.snapshots}
    for server, names in zip(servers, asked):
        snapshot = by_url[server.url]
        carried = {k: v for k, v in snapshot.carried.items() if k.startswith("/view_metadata/loras")}
        checkpoint = int("/view_metadata/checkpoints?filename=sd_xl_base_1.0.safetensors" in snapshot.carried)
        assert len(carried) == len(loras["loras"]) - len(names)
        assert snapshot.stats.get("metadata_from_fleet", 0) == len(carried) + checkpoint
        assert all(origin in by_url and origin != server.url for origin in carried.values())
        assert all(snapshot.metadata("loras", n) == {"ss_base_model_version": "sdxl_base_v1-0"} for n in loras["loras"])
    assert set(found.models.loc[found.models["folder"] == "loras", "family"]) == {"sdxl"}


def test_a_server_whose_files_differ_asks_for_its_own_metadata() -> None:
    same = {"checkpoints": ["sd_xl_base_1.0.safetensors"], "loras": ["a.safetensors", "b.safetensors"]}
    more = {**same, "loras": ["a.safetensors", "b.safetensors", "c.safetensors"]}
    flux = {"b.safetensors": {"modelspec.architecture": "flux-1-dev/lora"}}
    with _metadata_server(same) as first, \
            _metadata_server(more, sizes={"b.safetensors": 2000}, metadata=flux) as second:
        found = cf.discover([first.url, second.url], **QUICK)
    # b has another size on the second server, c is only there: both asked of it; a is read once in all
    assert "b.safetensors" in _metadata_asked(first) and "b.safetensors" in _metadata_asked(second)
    assert "c.safetensors" in _metadata_asked(second)
    assert sorted(_metadata_asked(first) + _metadata_asked(second)).count("a.safetensors") == 1
    one, two = (found.snapshots[0], found.snapshots[1]) if found.snapshots[0].url == first.url else found.snapshots[::-1]
    assert two.metadata("loras", "b.safetensors") == flux["b.safetensors"]
    assert one.metadata("loras", "b.safetensors") == {"ss_base_model_version": "sdxl_base_v1-0"}


def test_a_failed_metadata_answer_is_asked_again_of_each_server() -> None:
    loras = {"checkpoints": ["sd_xl_base_1.0.safetensors"], "loras": ["a.safetensors"]}
    with _metadata_server(loras) as first, _metadata_server(loras) as second:
        for server in (first, second):
            server.faults["/view_metadata/loras"] = status(500)
        with pytest.warns(cf.DegradedServerWarning, match="could not read safetensors metadata of 1 file"):
            found = cf.discover([first.url, second.url], retries=0, **QUICK)
    assert _metadata_asked(first) == _metadata_asked(second) == ["a.safetensors"]
    assert all("/view_metadata/loras?filename=a.safetensors" in s.failures for s in found.snapshots)
    assert not any(k.startswith("/view_metadata/loras") for s in found.snapshots for k in s.carried)


def test_a_server_hanging_on_metadata_does_not_cost_the_others_theirs() -> None:
    loras = {"checkpoints": ["sd_xl_base_1.0.safetensors"], "loras": ["a.safetensors", "b.safetensors"]}
    with _metadata_server(loras) as stuck, _metadata_server(loras) as fine:
        stuck.faults["/view_metadata/loras"] = hang(30)
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cf.DegradedServerWarning)  # the stuck server's metadata failed
            found = cf.discover([stuck.url, fine.url], progress=False, timeout=1.5, retries=0)
        took = time.perf_counter() - started
    good = next(s for s in found.snapshots if s.url == fine.url)
    assert all(good.metadata("loras", n) == {"ss_base_model_version": "sdxl_base_v1-0"} for n in loras["loras"])
    assert took < 5  # at most one timeout waiting for the stuck server, then its own answers
