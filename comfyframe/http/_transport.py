"""The transport a :class:`ComfyClient` uses unless one is passed in: httpx's, through the environment's proxy.

The client sends its requests to the transport itself (no ``httpx.AsyncClient`` in between),
so the proxy an httpx client would take from ``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``ALL_PROXY``
/ ``NO_PROXY`` is chosen here, once per server: a client talks to one origin.

Without a proxy, httpx's transport runs over :class:`_Backend`, httpcore's anyio backend with
one change: httpcore asks each idle connection "is your socket readable?" whenever a request
starts or ends, and anyio answers by rebuilding its table of socket attributes (a
``getpeername`` system call included) for every question — about a tenth of the client CPU of
a discovery. Here the stream keeps its socket and polls it directly. Both are documented extension
points: httpcore's pool takes a ``network_backend``, and :class:`_Transport` is an httpx custom transport
over that pool (nothing private of httpx or httpcore is used).
"""

from __future__ import annotations

import select
import socket
import ssl
import sys
import urllib.request
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
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


class _Transport(httpx.AsyncBaseTransport):
    """An httpx transport over httpcore's connection pool on :class:`_Backend`.

    Built only on documented extension points: httpx's custom-transport interface
    (``handle_async_request``/``aclose``) and httpcore's public pool with a custom network backend.
    httpcore's errors become httpx's, as httpx's own transport maps them.
    """

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        limits = httpx.Limits()  # httpx's defaults, as its own pool has them
        self.pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_Backend(),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
            headers=request.headers.raw,
            content=request.stream,  # type: ignore[arg-type]  # an httpx async byte stream is an async iterable of bytes
            extensions=request.extensions,
        )
        with _httpx_errors(request):
            response = await self.pool.handle_async_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream, request),  # type: ignore[arg-type]
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.pool.aclose()


class _Body(httpx.AsyncByteStream):
    """httpcore's response body as httpx reads it, its errors mapped to httpx's."""

    def __init__(self, stream: Any, request: httpx.Request) -> None:
        self._stream, self._request = stream, request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _httpx_errors(self._request):
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        if hasattr(self._stream, "aclose"):
            with _httpx_errors(self._request):
                await self._stream.aclose()


# httpcore's exceptions and the httpx ones its transport raises for them (httpx documents the mapping's targets).
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def _httpx_errors(request: httpx.Request) -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for core, mapped in _ERRORS:
            if isinstance(exc, core):
                raise mapped(str(exc), request=request) from exc
        raise


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
