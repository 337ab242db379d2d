"""HTTP layer: an async httpx client that speaks ComfyUI's JSON routes.

Only HTTP lives here (no pandas, no domain logic). Failures are translated into
the exceptions of :mod:`comfyframe.errors`, each naming the URL and a fix.
Credentials never reach a message: userinfo in the URL becomes an
``Authorization: Basic`` header, a query (``?token=…``) is sent with every
request but not shown, and header values are never printed.
Pass ``transport=`` (e.g. ``httpx.MockTransport``) to test without a network.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import sys
import zlib
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from functools import cache
from typing import Any, TypeVar, cast
from urllib.parse import quote

import httpx
import tenacity

from .._version import __version__
from ..errors import (
    ComfyFrameError,
    ServerDisconnected,
    ServerHTTPError,
    ServerTimeout,
    ServerUnreachable,
    TLSFailure,
    UnexpectedPayload,
)
from ._bodies import LargeRead, SharedBodies
from ._decode import BadEncoding, BoundedDecoder, TooLarge, codings
from ._options import CONNECT_TIMEOUT, DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT, MIB, ConnectOptions, Verify
from ._transport import default_transport, environment_proxy
from ._urls import normalize_url, printable, redact_url, split_server_url, strip_secrets

__all__ = ["DEFAULT_CONCURRENCY", "DEFAULT_TIMEOUT", "DEFAULT_URL", "ComfyClient", "normalize_url"]

DEFAULT_URL = "http://127.0.0.1:8188"
# What an httpx client would add to every request; comfyframe names itself.
_DEFAULT_HEADERS = {
    "Accept": "application/json",
    "Accept-Encoding": "gzip, deflate",
    "Connection": "keep-alive",
    "User-Agent": f"comfyframe/{__version__}",
}
MAX_REDIRECTS = 5
T = TypeVar("T")


_LOG = logging.getLogger("comfyframe.http")


def _redacted_url(url: httpx.URL, secret: frozenset[str]) -> str:
    """``url`` for a log line: the query values of the user's own URL (credentials such as ``?token=``) as ``***``."""
    pairs = url.params.multi_items()
    if not pairs:
        return printable(str(url))
    # A bare key of the user's own URL (``?S3CRET``) is the secret itself: it is shown as ``***`` too.
    query = "&".join(("***" if not v else f"{quote(k, safe='')}=***") if k in secret
                     else f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
    return printable(f"{url.copy_with(query=None)}?{query}")


@cache
def _default_ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs tens of milliseconds; one context serves every client.
    return httpx.create_ssl_context()


def _ssl_verify(verify: Verify) -> ssl.SSLContext | bool:
    if verify is True:
        return _default_ssl_context()
    if verify is False or isinstance(verify, ssl.SSLContext):
        return verify
    try:
        return ssl.create_default_context(cafile=str(verify))
    except (OSError, ssl.SSLError) as exc:
        raise ComfyFrameError(f"Cannot use {verify} as a CA bundle ({exc}): pass a PEM file of certificates.") from None


class RetryBudget:
    """How many retries one discovery may still spend, so a failing fleet cannot cause a storm."""

    def __init__(self, retries: int) -> None:
        self.left = retries

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


# Backoff before retry k (k = 1, 2, ...): 0.2 s x 2^(k-1), at most 4 s, plus up to 0.2 s of jitter. The first
# attempt runs outside tenacity, so its retrying counts from retry 1: its wait after its attempt k is retry k+1's.
_FIRST_BACKOFF = tenacity.wait_fixed(0.2) + tenacity.wait_random(0, 0.2)
_BACKOFF = tenacity.wait_exponential(multiplier=0.4, max=4.0) + tenacity.wait_random(0, 0.2)


class ComfyClient:
    """Async JSON client for one ComfyUI server with bounded parallelism.

    Use as ``async with ComfyClient(url) as client: await client.get_json("/object_info")``.
    Settings come from ``options`` (a :class:`ConnectOptions`); the keyword
    arguments override single fields of it.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        options: ConnectOptions | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | None = None,
        max_concurrency: int | None = None,
        headers: dict[str, str] | None = None,
        verify: Verify | None = None,
        shared: SharedBodies | None = None,
        budget: RetryBudget | None = None,
    ) -> None:
        self.options = (options or ConnectOptions()).with_changes(
            timeout=timeout, max_concurrency=max_concurrency, headers=headers, verify=verify
        )
        target = split_server_url(url)
        self.url = target.base
        self.timeout = self.options.timeout
        self.requests = 0
        self._params = target.params
        self._secret_query = frozenset(k for k, _ in target.params)
        self._transport = transport
        headers = {**_DEFAULT_HEADERS, **self.options.headers}
        if target.auth and not any(k.lower() == "authorization" for k in headers):
            headers["Authorization"] = target.auth
        self._headers = httpx.Headers(headers)
        limits = httpx.Timeout(self.timeout, connect=min(self.timeout, CONNECT_TIMEOUT))
        self._extensions = {"timeout": limits.as_dict()}
        self._origin = httpx.URL(self.url)
        self._limit = asyncio.Semaphore(self.options.max_concurrency)
        self._budget = budget or RetryBudget(4 * self.options.retries)
        self._shared = shared or SharedBodies(servers=1)
        self._http: httpx.AsyncBaseTransport | None = None
        self._cookies = httpx.Cookies()  # what the server (or its proxy) sets, sent back as a client would
        self._own_transport = False
        self._proxy: str | None = None  # the environment's proxy this client's own transport goes through

    @property
    def shared(self) -> SharedBodies:
        """What this client shares with the other servers of its discovery."""
        return self._shared

    async def __aenter__(self) -> ComfyClient:
        # Requests go straight to the transport: redirects are followed by hand (within the server's own
        # origin only), and a client layer's cookies, auth flow and URL merging would cost every request.
        self._own_transport = self._transport is None
        self._proxy = environment_proxy(self.url) if self._own_transport else None
        self._http = self._transport or default_transport(self.url, _ssl_verify(self.options.verify))
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._http is not None:
            if self._own_transport:
                await self._http.aclose()
            self._http = None

    async def get_json(
        self, route: str, params: dict[str, str] | None = None, *, missing_ok: bool = False
    ) -> Any:
        """GET ``route`` and decode its JSON body.

        With ``missing_ok`` a 404 answer returns ``None`` instead of raising.
        Connect errors, resets and 5xx answers are retried with backoff.
        """
        if self._http is None:
            raise RuntimeError("ComfyClient is not open: use 'async with ComfyClient(url) as client'.")
        try:
            async with self._limit:
                return await self._get_once(route, params, missing_ok)
        except Exception as exc:
            if self.options.retries < 1 or not self._worth_retry(exc):
                raise
        # A transient failure: tenacity runs the retries. Its objects exist only on this path: they form
        # reference cycles, which would cost every request of a healthy discovery a collector pass.
        retrying = tenacity.AsyncRetrying(
            stop=tenacity.stop_after_attempt(self.options.retries),
            wait=_BACKOFF,
            retry=tenacity.retry_if_exception(self._worth_retry),
            reraise=True,
        )
        await asyncio.sleep(_FIRST_BACKOFF(tenacity.RetryCallState(retrying, None, (), {})))
        async for attempt in retrying:
            with attempt:
                async with self._limit:
                    return await self._get_once(route, params, missing_ok)
        raise AssertionError("unreachable: tenacity reraises the last error")  # pragma: no cover

    async def read_prefix(self, route: str, need: Callable[[bytes], int], limit: int) -> bytes:
        """GET ``route`` but read only its first bytes, then close the connection (never the whole body).

        ``need(first)`` (given up to the first 64 bytes received) says how many bytes are wanted in all (it may raise on bad content, e.g.
        a header length over ``limit``); reading stops there, at ``limit`` bytes, or at the body's end,
        whatever the server keeps sending. No retries: a file's prefix is optional evidence.
        """
        if self._http is None:
            raise RuntimeError("ComfyClient is not open: use 'async with ComfyClient(url) as client'.")
        full = self.url + route
        async with self._limit:
            self.requests += 1
            try:
                return await asyncio.wait_for(self._prefix(full, need, limit), self.timeout)
            except (asyncio.TimeoutError, httpx.TimeoutException):
                raise ServerTimeout(f"{full} sent too little within {self.timeout:g} s; stopped reading.", full) from None
            except httpx.HTTPError as exc:
                raise ServerDisconnected(f"{full} failed mid-answer ({_reason(exc)}).", full) from None

    async def _prefix(self, full: str, need: Callable[[bytes], int], limit: int) -> bytes:
        assert self._http is not None
        request = httpx.Request("GET", httpx.URL(full, params=self._params), headers=self._headers,
                                extensions=self._extensions)
        response = await self._http.handle_async_request(request)
        try:
            if response.status_code >= 300:
                raise ServerHTTPError(f"{full} answered HTTP {response.status_code}. " + _status_hint(response.status_code),
                                      full, response.status_code)
            body = bytearray()
            want = min(need(b""), limit)
            async with aclosing(cast("AsyncGenerator[bytes, None]", response.aiter_bytes())) as chunks:
                async for chunk in chunks:
                    body += chunk[: max(limit - len(body), 0)]
                    want = min(need(bytes(body[:64])), limit)
                    if len(body) >= want:
                        break
            return bytes(body[:want])
        finally:
            await response.aclose()

    def _worth_retry(self, exc: BaseException) -> bool:
        transient = (isinstance(exc, ServerUnreachable) and not isinstance(exc, TLSFailure)) or (
            isinstance(exc, ServerHTTPError) and exc.status_code >= 500
        )
        return transient and self._budget.take()

    async def _get_once(self, route: str, params: dict[str, str] | None, missing_ok: bool) -> Any:
        full = self.url + route
        self.requests += 1
        large = LargeRead(self._shared)
        try:
            return await self._answer(route, params, missing_ok, full, large)
        finally:
            large.release()  # the body is parsed (or failed): its bytes are gone

    async def _answer(
        self, route: str, params: dict[str, str] | None, missing_ok: bool, full: str, large: LargeRead
    ) -> Any:
        try:
            status, reason, kind, body = await self._within_timeout(self._exchange(route, params, full, large), large)
        except (asyncio.TimeoutError, httpx.TimeoutException):
            raise ServerTimeout(
                f"{full} did not answer within {self.timeout:g} s. The server may be busy "
                "(a prompt running on a slow device); retry, or raise timeout= / --timeout.",
                full,
            ) from None
        except httpx.ConnectError as exc:
            if _is_tls(exc):
                raise TLSFailure(f"TLS with {self.url} failed ({_reason(exc)}). {_tls_hint(self.url, exc)}", full) from None
            if self._proxy is not None:
                raise ServerUnreachable(
                    f"Cannot reach {self.url} through the proxy {redact_url(self._proxy)} that the environment names "
                    f"(HTTP_PROXY / HTTPS_PROXY / ALL_PROXY) ({_reason(exc)}). Check that the proxy is running, "
                    "or add the server's host to NO_PROXY to connect directly.",
                    full,
                ) from None
            raise ServerUnreachable(
                f"Cannot connect to {self.url} ({_reason(exc)}). Check that ComfyUI is running, "
                f"that host and port are right{_port_hint(self.url)}, and that a remote server was started with "
                "'--listen 0.0.0.0'.",
                full,
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise ServerDisconnected(
                f"{self.url} closed the connection mid-answer to {route} ({_reason(exc)}). The server or a "
                "proxy in front of it dropped the request; retry later, or check its console log.",
                full,
            ) from None
        except httpx.DecodingError:
            raise UnexpectedPayload(f"{full} sent a damaged compressed body; retry, or check the proxy.", full) from None
        except httpx.HTTPError as exc:
            raise ServerUnreachable(
                f"Request to {full} failed ({type(exc).__name__}: {_reason(exc)}). "
                "Check the URL and any proxy between you and the server.",
                full,
            ) from None
        if status == 404 and missing_ok:
            return None
        if status >= 400:
            raise ServerHTTPError(f"{full} answered HTTP {status} {reason}. " + _status_hint(status), full, status)
        return self._shared.decode(body, full, kind)

    async def _within_timeout(self, exchange: Awaitable[T], large: LargeRead) -> T:
        """``await exchange`` within ``timeout`` seconds, not counting a wait for a large-read permit."""
        loop = asyncio.get_running_loop()
        if sys.version_info >= (3, 11):
            # In this task, no task of its own: the permit wait stops the clock by rescheduling it.
            large.deadline = loop.time() + self.timeout
            async with asyncio.timeout_at(large.deadline) as large.timer:
                return await exchange
        started = loop.time()
        task = asyncio.ensure_future(exchange)
        try:
            while True:
                if large.granted is not None and large.waiting:  # the clock stops until the permit is granted
                    await asyncio.wait((task, large.granted), return_when=asyncio.FIRST_COMPLETED)
                else:
                    await asyncio.wait((task,), timeout=max(started + self.timeout + large.waited - loop.time(), 0.0))
                if task.done():
                    return task.result()
                if not large.waiting and started + self.timeout + large.waited <= loop.time():
                    raise asyncio.TimeoutError
        finally:
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            elif not task.cancelled():
                task.exception()  # marks it retrieved: a failure that raced a cancellation is not logged as lost

    async def _exchange(
        self, route: str, params: dict[str, str] | None, full: str, large: LargeRead
    ) -> tuple[int, str, str, bytearray]:
        """Send the GET, follow same-origin redirects, read the body within the route's size limit."""
        assert self._http is not None
        url = httpx.URL(full, params=[*self._params, *(params or {}).items()])
        for _ in range(MAX_REDIRECTS + 1):
            request = httpx.Request("GET", url, headers=self._headers, extensions=self._extensions)
            if self._cookies:
                self._cookies.set_cookie_header(request)
            response = await self._http.handle_async_request(request)
            try:
                if "set-cookie" in response.headers:  # a proxy's session cookie, kept for this server only
                    response.request = request
                    self._cookies.extract_cookies(response)
                if _LOG.isEnabledFor(logging.INFO):
                    _LOG.info('HTTP Request: GET %s "%s %d %s"', _redacted_url(url, self._secret_query),
                              response.http_version, response.status_code, printable(response.reason_phrase))
                location = response.headers.get("location") if response.is_redirect else None
                if location is None:
                    body = await self._read_capped(response, route, full, large)
                    return response.status_code, response.reason_phrase, response.headers.get("content-type", ""), body
                url = self._redirect_target(url, location, full, response.status_code)
            finally:
                await response.aclose()
        raise ServerHTTPError(f"{full} redirected more than {MAX_REDIRECTS} times; check the URL.", full, 310)

    def _redirect_target(self, url: httpx.URL, location: str, full: str, status: int) -> httpx.URL:
        try:
            target = url.join(location)
        except httpx.InvalidURL:
            raise ServerHTTPError(f"{full} redirected to an invalid URL; check the URL.", full, status) from None
        if _origin(target) != _origin(self._origin):
            raise ServerHTTPError(
                f"{full} redirected to another origin, {_origin_text(target)}. comfyframe does not "
                "follow it, so your headers are not sent there; if you trust it, use that URL directly.",
                full,
                status,
            )
        return target

    async def _read_capped(self, response: httpx.Response, route: str, full: str, large: LargeRead) -> bytearray:
        limit = self.options.limits.for_route(route)
        threshold = self._shared.LARGE_BYTES
        try:
            decoder = BoundedDecoder(codings(response.headers.get_list("content-encoding")), limit)
        except BadEncoding as exc:
            raise UnexpectedPayload(f"{full} sent {exc}; comfyframe did not read it. Check the proxy.", full) from None
        if response.is_stream_consumed:  # built in memory and already read (httpx.MockTransport's answers)
            if len(response.content) > limit:
                raise self._too_large(full, limit)
            return bytearray(response.content)
        announced = response.headers.get("content-length", "")
        if announced.isdigit() and int(announced) >= threshold:
            await large.acquire()
        # One growing buffer, parsed in place: no second copy of a multi-megabyte body.
        body = bytearray()
        failed: str | None = None
        # The raw bytes, decoded here a bounded step at a time (see _decode), never by httpx.
        # Past the limit the response is closed and its stream run to its end (the closed connection ends
        # it at once): httpcore's nested stream generators then finish here, in this task, instead of
        # being finalised later by the collector, outside the event loop.
        async with aclosing(cast("AsyncGenerator[bytes, None]", response.aiter_raw())) as chunks:
            try:
                async for chunk in chunks:
                    if failed:
                        continue  # what the connection had already received: dropped
                    try:
                        for piece in decoder.feed(chunk):
                            if not large.held and len(body) + len(piece) >= threshold:
                                await large.acquire()
                            body += piece
                    except (TooLarge, zlib.error) as exc:
                        failed = "damaged" if isinstance(exc, zlib.error) else "large"
                        body = bytearray()
                        await response.aclose()
            except httpx.HTTPError:
                if not failed:
                    raise
        if failed == "damaged":
            raise UnexpectedPayload(f"{full} sent a damaged compressed body; retry, or check the proxy.", full)
        if failed:
            raise self._too_large(full, limit)
        return body

    @staticmethod
    def _too_large(full: str, limit: int) -> UnexpectedPayload:
        shown = f"{limit / MIB:g} MiB" if limit >= MIB else f"{limit} bytes"
        return UnexpectedPayload(
            f"{full} answered more than {shown} (decompressed), the limit for this route; "
            "comfyframe stopped reading it. Raise it with ConnectOptions(limits=SizeLimits(...)) "
            "if the server is trusted.",
            full,
        )


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default


def _origin_text(url: httpx.URL) -> str:
    scheme, host, port = _origin(url)
    return printable(f"{scheme}://{host}:{port}")


def _is_tls(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    text = str(exc)
    return "SSL" in text or "CERTIFICATE" in text.upper()


# OpenSSL's words for a TLS hello answered by something that is not TLS (a plain-HTTP server).
_NOT_TLS = ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "RECORD LAYER FAILURE", "PACKET_LENGTH_TOO_LONG",
            "HTTP_REQUEST", "UNKNOWN_PROTOCOL")  # fmt: skip


def _tls_hint(url: str, exc: BaseException) -> str:
    """A plain-HTTP server behind an https:// URL needs http://, not --insecure (which fails the same way)."""
    if url.startswith("https://") and any(word in str(exc).upper() for word in _NOT_TLS):
        return (f"The server answered in plain HTTP, not TLS: use {'http://' + url[len('https://'):]} "
                "(--insecure would fail the same way).")  # fmt: skip
    return ("If the server uses a private CA, pass its certificate with verify='ca.pem' / --ca-bundle FILE; "
            "--insecure skips the check.")


def _port_hint(url: str) -> str:
    """ComfyUI listens on 8188 unless told otherwise: say so when the URL names no port."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return ""
    if parsed.port is not None:
        return ""
    default = 443 if parsed.scheme == "https" else 80
    return f" (no port given, so {default} was tried; ComfyUI listens on 8188 by default: {parsed.scheme}://{parsed.host}:8188)"


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return printable(strip_secrets(text)) if text else type(exc).__name__


def _status_hint(status: int) -> str:
    if status in (401, 403):
        return (
            "The server or a proxy in front of it wants credentials: pass headers={...} (Python) "
            "or -H 'Name: value' (CLI), or put user:password@ in the URL."
        )
    if status == 404:
        return "This ComfyUI does not have that route; it may be older than the feature."
    if status >= 500:
        return "The server failed while answering; its console log says why."
    return "Check the URL."
