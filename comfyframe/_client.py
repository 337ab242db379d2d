"""HTTP layer: an async httpx client that speaks ComfyUI's JSON routes.

Only HTTP lives here (no pandas, no domain logic). Failures are translated into
the exceptions of :mod:`comfyframe.errors`, each naming the URL and a fix.
Pass ``transport=`` (e.g. ``httpx.MockTransport``) to test without a network.
"""

from __future__ import annotations

import asyncio
import ssl
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from .errors import (
    ComfyFrameError,
    ServerHTTPError,
    ServerTimeout,
    ServerUnreachable,
    UnexpectedPayload,
)

DEFAULT_URL = "http://127.0.0.1:8188"
# A server with hundreds of node packs can take a minute to build /object_info the first time;
# an unreachable host should still fail fast, so connecting has its own, shorter limit.
DEFAULT_TIMEOUT = 120.0
CONNECT_TIMEOUT = 10.0
DEFAULT_CONCURRENCY = 8


def normalize_url(url: str) -> str:
    """Return ``url`` with a scheme and without a trailing slash.

    ``localhost:8188`` and ``10.0.0.5:8188/`` become ``http://…``; a path
    prefix (a ComfyUI behind a reverse proxy) is kept.
    """
    text = url.strip()
    if not text:
        raise ComfyFrameError("The server URL is empty: pass e.g. 'http://127.0.0.1:8188'.")
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ComfyFrameError(
            f"{url!r} is not an http(s) URL of a ComfyUI server: pass e.g. 'http://127.0.0.1:8188'."
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise ComfyFrameError(f"{url!r} has an invalid port ({exc}): pass e.g. 'http://host:8188'.") from None
    return text.rstrip("/")


@cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs tens of milliseconds; one context serves every client.
    return httpx.create_ssl_context()


class ComfyClient:
    """Async JSON client for one ComfyUI server with bounded parallelism.

    Use as ``async with ComfyClient(url) as client: await client.get_json("/object_info")``.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_concurrency: int = DEFAULT_CONCURRENCY,
        headers: dict[str, str] | None = None,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.url = normalize_url(url)
        self.timeout = timeout
        self._transport = transport
        self._headers = {"Accept": "application/json", **(headers or {})}
        self._limit = asyncio.Semaphore(max_concurrency)
        self._http: httpx.AsyncClient | None = None

    async def __aenter__(self) -> ComfyClient:
        self._http = httpx.AsyncClient(
            base_url=self.url,
            transport=self._transport,
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, CONNECT_TIMEOUT)),
            headers=self._headers,
            follow_redirects=True,
            verify=_ssl_context(),
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def get_json(
        self, route: str, params: dict[str, str] | None = None, *, missing_ok: bool = False
    ) -> Any:
        """GET ``route`` and decode its JSON body.

        With ``missing_ok`` a 404 answer returns ``None`` instead of raising.
        """
        if self._http is None:
            raise RuntimeError("ComfyClient is not open: use 'async with ComfyClient(url) as client'.")
        full = self.url + route
        async with self._limit:
            try:
                response = await self._http.get(route, params=params)
            except httpx.TimeoutException:
                raise ServerTimeout(
                    f"{full} did not answer within {self.timeout:g} s. The server may be busy "
                    "(a prompt running on a slow device); retry, or raise timeout= / --timeout.",
                    full,
                ) from None
            except (httpx.ConnectError, httpx.NetworkError) as exc:
                raise ServerUnreachable(
                    f"Cannot connect to {self.url} ({_reason(exc)}). Check that ComfyUI is running, "
                    "that host and port are right, and that a remote server was started with "
                    "'--listen 0.0.0.0'.",
                    full,
                ) from None
            except httpx.HTTPError as exc:
                raise ServerUnreachable(
                    f"Request to {full} failed ({type(exc).__name__}: {_reason(exc)}). "
                    "Check the URL and any proxy between you and the server.",
                    full,
                ) from None
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            raise ServerHTTPError(
                f"{full} answered HTTP {response.status_code} {response.reason_phrase}. "
                + _status_hint(response.status_code),
                full,
                response.status_code,
            )
        try:
            # orjson: /object_info of a server with many node packs is several megabytes.
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            kind = response.headers.get("content-type", "unknown content type")
            raise UnexpectedPayload(
                f"{full} answered with {kind}, not JSON. Is {self.url} a ComfyUI server "
                "(and not a login page or another web app behind the same address)?",
                full,
            ) from None


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__


def _status_hint(status: int) -> str:
    if status in (401, 403):
        return "The server or a proxy in front of it wants credentials: pass headers= with them."
    if status == 404:
        return "This ComfyUI does not have that route; it may be older than the feature."
    if status >= 500:
        return "The server failed while answering; its console log says why."
    return "Check the URL."
