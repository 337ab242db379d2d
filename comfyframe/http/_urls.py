"""Server URLs: validated, and split into what is shown and what is sent but never shown.

Userinfo becomes an ``Authorization: Basic`` header value and the query (``?token=…``) is sent with
every request; neither is part of the URL that snapshots, tables and messages show. Text from a
server reaches messages through :func:`printable`.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from ..errors import ComfyFrameError

_SCHEME_TYPO = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/")


@dataclass(frozen=True)
class ServerURL:
    """A server URL split into what is shown and what is sent but never shown."""

    base: str  # scheme://host[:port][/prefix], no userinfo, no query: safe to print and store
    params: tuple[tuple[str, str], ...]  # the URL's query, sent with every request
    auth: str | None  # an Authorization header value built from the URL's userinfo


def split_server_url(url: str) -> ServerURL:
    """Validate ``url`` and split off its credentials (userinfo and query)."""
    text = url.strip() if isinstance(url, str) else ""
    if not text:
        raise ComfyFrameError("The server URL is empty: pass e.g. 'http://127.0.0.1:8188'.")
    if "://" not in text:
        if _SCHEME_TYPO.match(text):
            raise ComfyFrameError(
                f"{strip_secrets(text)!r} is not a URL (a mistyped 'http://'?): pass e.g. 'http://127.0.0.1:8188'."
            )
        text = "http://" + text
    parts = urlsplit(text)
    shown = strip_secrets(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ComfyFrameError(f"{shown!r} is not an http(s) URL of a ComfyUI server: pass e.g. 'http://127.0.0.1:8188'.")
    hostport = parts.netloc.rpartition("@")[2]
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
        if hostport.endswith(":"):
            raise ValueError("empty port")
    except ValueError as exc:
        raise ComfyFrameError(f"{shown!r} has an invalid port ({exc}): pass e.g. 'http://host:8188'.") from None
    auth = None
    if "@" in parts.netloc:
        user, password = unquote(parts.username or ""), unquote(parts.password or "")
        auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    base = f"{parts.scheme}://{hostport}{parts.path}".rstrip("/")
    return ServerURL(base, tuple(parse_qsl(parts.query, keep_blank_values=True)), auth)


def normalize_url(url: str) -> str:
    """Return ``url`` with a scheme, without a trailing slash, userinfo or query.

    ``localhost:8188`` and ``10.0.0.5:8188/`` become ``http://…``; a path
    prefix (a ComfyUI behind a reverse proxy) is kept.
    """
    return split_server_url(url).base


def strip_secrets(text: str) -> str:
    """``text`` with userinfo removed and query values replaced by ``***``, for messages."""
    text = re.sub(r"(://)[^/@?#]*@", r"\1", text)
    return re.sub(r"([?&][^=&#]*)=[^&#]*", r"\1=***", text)


def printable(text: str) -> str:
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text[:200])
