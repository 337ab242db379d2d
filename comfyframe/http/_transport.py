"""The transport a :class:`ComfyClient` uses unless one is passed in: httpx's, through the environment's proxy.

The client sends its requests to the transport itself (no ``httpx.AsyncClient`` in between),
so the proxy an httpx client would take from ``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``ALL_PROXY``
/ ``NO_PROXY`` is chosen here, once per server: a client talks to one origin.

Without a proxy, httpx's transport runs over :class:`_Backend`, httpcore's anyio backend with
one change: httpcore asks each idle connection "is your socket readable?" whenever a request
starts or ends, and anyio answers by rebuilding its table of socket attributes (a
``getpeername`` system call included) for every question — about a tenth of the client CPU of
a discovery. Here the stream keeps its socket and polls it directly. Its pool is httpcore's with
one method rewritten, see :class:`_Pool`.
"""

from __future__ import annotations

import select
import socket
import ssl
import sys
import urllib.request
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from ..errors import ComfyFrameError

SocketOption = Any  # httpcore's socket option tuples, passed through unchanged


def environment_proxy(url: str) -> str | None:
    """The proxy URL the environment names for ``url``, or ``None`` (no proxy set, or ``NO_PROXY`` covers it)."""
    parts = urlsplit(url)
    proxies = urllib.request.getproxies()  # as httpx reads them
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or _bypassed(parts.hostname or "", parts.netloc.rpartition("@")[2], proxies.get("no", "")):
        return None
    return proxy if "://" in proxy else "http://" + proxy


def _bypassed(host: str, hostport: str, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` covers the host. An IPv6 literal is matched as httpx matches it, by an entry
    spelling the same address (``NO_PROXY=::1`` covers ``http://[::1]:8188``); urllib's check would split
    it at its colons."""
    if ":" not in host:
        return bool(urllib.request.proxy_bypass(hostport))
    entries = [e.strip().lower() for e in no_proxy.split(",")]
    return "*" in entries or host.lower() in entries


def default_transport(url: str, verify: ssl.SSLContext | bool) -> httpx.AsyncBaseTransport:
    """httpx's own transport for the server at ``url``, through its environment proxy if there is one."""
    proxy = environment_proxy(url)
    if proxy is None:
        return _Transport(httpx.create_ssl_context(verify=verify) if isinstance(verify, bool) else verify)
    try:
        return httpx.AsyncHTTPTransport(verify=verify, proxy=proxy)
    except ImportError as exc:  # a socks5:// proxy without socksio
        raise ComfyFrameError(
            f"The proxy for {url} needs a package that is not installed ({exc}); run: pip install 'httpx[socks]'."
        ) from None
    except (ValueError, httpx.InvalidURL) as exc:
        raise ComfyFrameError(f"The environment's proxy setting for {url} is not usable ({exc}); fix or unset it.") from None


class _Transport(httpx.AsyncHTTPTransport):
    """httpx's transport (its request/response mapping and errors), its connection pool over :class:`_Backend`."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context)
        limits = httpx.Limits()  # httpx's defaults, as its own pool has them
        self._pool = _pool_class()(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_Backend(),
        )


def _pool_class() -> type[httpcore.AsyncConnectionPool]:
    """:class:`_Pool` where httpcore's pool has the shape it rewrites (httpcore 1.x), else httpcore's own."""
    base = httpcore.AsyncConnectionPool
    if httpcore.__version__.split(".")[0] == "1" and callable(getattr(base, "_assign_requests_to_connections", None)):
        return _Pool
    return base


class _Pool(httpcore.AsyncConnectionPool):
    """httpcore's pool, its request assignment in linear time.

    httpcore reassigns on every request start and end. For each idle connection it evaluates
    ``len([c.is_idle() for c in connections])`` — which is just the number of connections — so a
    pool of eight idle connections makes 64 calls each time, about 10,000 a discovery and 3-4 % of
    its client CPU. Below is the same rule (``tests/test_transport_pool.py`` compares the two on
    random pool states), with that count read as ``len(connections)`` and the first available or
    idle connection found without listing all of them.
    """

    def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
        closing: list[httpcore.AsyncConnectionInterface] = []
        connections = self._connections
        # Closed, expired and (past the keep-alive limit) idle connections leave the pool.
        for connection in list(connections):
            if connection.is_closed():
                connections.remove(connection)
            elif connection.has_expired() or (
                connection.is_idle() and len(connections) > self._max_keepalive_connections
            ):
                connections.remove(connection)
                closing.append(connection)
        # Each queued request: an available connection to its origin, else a new one (closing an idle
        # connection to make room when the pool is full), else it stays queued.
        for pool_request in [request for request in self._requests if request.is_queued()]:
            origin = pool_request.request.url.origin
            chosen = next((c for c in connections if c.can_handle_request(origin) and c.is_available()), None)
            if chosen is None:
                if len(connections) >= self._max_connections:
                    idle = next((c for c in connections if c.is_idle()), None)
                    if idle is None:
                        continue
                    connections.remove(idle)
                    closing.append(idle)
                chosen = self.create_connection(origin)
                connections.append(chosen)
            pool_request.assign_to_connection(chosen)
        return closing


class _Backend(httpcore.AsyncNetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _Stream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._readable = _ReadableCheck(inner.get_extra_info("socket"))

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._readable.sock is not None:
            return self._readable()
        return self._inner.get_extra_info(info)


class _ReadableCheck:
    """Whether a read on ``sock`` would return at once: data, or the b"" of a connection the server closed.

    The poll object is made once per connection (httpcore asks about every idle connection each time a
    request starts or ends); a closed socket reads as readable, so its connection is dropped.
    """

    def __init__(self, sock: socket.socket | None) -> None:
        self.sock = sock
        self._poll: Any = None
        if sock is not None and sock.fileno() >= 0 and sys.platform != "win32" and hasattr(select, "poll"):
            self._poll = select.poll()
            self._poll.register(sock.fileno(), select.POLLIN)

    def __call__(self) -> bool:
        assert self.sock is not None
        fd = self.sock.fileno()
        if fd < 0:
            return True
        if self._poll is None:
            return bool(select.select([fd], [], [], 0)[0])
        return bool(self._poll.poll(0))
