"""The default transport: an httpx custom transport over httpcore's public pool, errors mapped to httpx's."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import httpcore
import httpx
import pytest

from comfyframe.http._transport import _Transport, default_transport


@pytest.fixture()
def tiny_server() -> Iterator[tuple[str, list[bytes]]]:
    """A loopback HTTP/1.1 server: /ok answers a chunked body, /hang never answers; records each request."""
    seen: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                part = conn.recv(4096)
                if not part:
                    return
                data += part
            seen.append(data)
            if data.startswith(b"GET /hang"):
                stop.wait(10)
                return
            body = b'{"answer": 42}'
            conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
                         + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n")  # fmt: skip

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", seen
    stop.set()
    thread.join(5)
    listener.close()


def test_default_transport_is_ours_without_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    transport = default_transport("http://127.0.0.1:8188", True)
    assert isinstance(transport, _Transport)
    assert type(transport.pool) is httpcore.AsyncConnectionPool  # httpcore's own pool, nothing rewritten


def test_a_request_round_trips_and_streams(tiny_server: tuple[str, list[bytes]]) -> None:
    url, seen = tiny_server

    async def run() -> tuple[int, bytes, str]:
        transport = default_transport(url, True)
        async with httpx.AsyncClient(transport=transport) as client:
            response = await client.get(url + "/ok?x=1", headers={"X-Test": "yes"})
            return response.status_code, response.content, response.headers["content-type"]

    status, body, ctype = asyncio.run(run())
    assert (status, body, ctype) == (200, b'{"answer": 42}', "application/json")
    assert seen[0].startswith(b"GET /ok?x=1 HTTP/1.1\r\n") and b"x-test: yes" in seen[0].lower()


def test_errors_are_httpx_errors(tiny_server: tuple[str, list[bytes]]) -> None:
    url, _ = tiny_server
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead = f"http://127.0.0.1:{closed.getsockname()[1]}"
    closed.close()

    async def get(target: str, timeout: float) -> None:
        async with httpx.AsyncClient(transport=default_transport(target, True), timeout=timeout) as client:
            await client.get(target + "/hang")

    with pytest.raises(httpx.ConnectError):
        asyncio.run(get(dead, 5))
    with pytest.raises(httpx.ReadTimeout):
        asyncio.run(get(url, 0.3))
