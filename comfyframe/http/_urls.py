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

# "http:/host", "http:\\host", "http//host", "http/host": a scheme whose "://" was mistyped.
_SCHEME_TYPO = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:[/\\]|https?/)", re.IGNORECASE)
# Where userinfo would start: after "scheme://", or a mistyped "scheme:/", "scheme//", "scheme:\\".
_AFTER_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*(?::[/\\]{1,3}|/{1,3})")
_QUERY_ITEM = re.compile(r"([?&])([^=&#]*)(=[^&#]*)?")


@dataclass(frozen=True)
class ServerURL:
    """A server URL split into what is shown and what is sent but never shown."""

    base: str  # scheme://host[:port][/prefix], no userinfo, no query: safe to print and store
    params: tuple[tuple[str, str], ...]  # the URL's query, sent with every request
    auth: str | None  # an Authorization header value built from the URL's userinfo


def split_server_url(url: str) -> ServerURL:
    """Validate ``url`` and split off its credentials (userinfo and query).

    Every error shows the URL through :func:`redact_url`: no part of a password, whatever it holds.
    """
    text = url.strip() if isinstance(url, str) else ""
    if not text:
        raise ComfyFrameError("The server URL is empty: pass e.g. 'http://127.0.0.1:8188'.")
    shown = redact_url(text)
    if "://" not in text:
        if _SCHEME_TYPO.match(text):
            raise ComfyFrameError(f"{shown!r} is not a URL (a mistyped 'http://'?): pass e.g. 'http://127.0.0.1:8188'.")
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ComfyFrameError(f"{shown!r} is not an http(s) URL of a ComfyUI server: pass e.g. 'http://127.0.0.1:8188'.")
    if _late_at(parts.netloc, parts.path, parts.query, parts.fragment):
        raise ComfyFrameError(
            f"{shown!r} has an '@' after its host: a password holding '#', '?' or '/' ends the host part early. "
            "Percent-encode them in the password (# as %23, ? as %3F, / as %2F). The password is not shown."
        )
    hostport = parts.netloc.rpartition("@")[2]
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
        if hostport.endswith(":"):
            raise ValueError("empty port")
    except ValueError:
        raise ComfyFrameError(f"{shown!r} has an invalid port: pass e.g. 'http://host:8188'.") from None
    auth = None
    if "@" in parts.netloc:
        user, password = unquote(parts.username or ""), unquote(parts.password or "")
        auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    base = f"{parts.scheme}://{hostport}{parts.path}".rstrip("/")
    return ServerURL(base, tuple(parse_qsl(parts.query, keep_blank_values=True)), auth)


def _late_at(netloc: str, path: str, query: str, fragment: str) -> bool:
    """Whether an '@' after the host marks userinfo cut short by an unencoded '#', '?' or '/' in the password.

    An '@' in the path or fragment always does; in the query only when what follows it is no query item
    (``?email=a@b.c&x=1`` is a query, ``?S3CRET@host:8188`` the tail of a password).
    """
    if "@" in path or "@" in fragment:
        return True
    if "@" not in query or "@" in netloc:
        return False
    tail = query.rpartition("@")[2]
    return "=" not in tail and "&" not in tail


def normalize_url(url: str) -> str:
    """Return ``url`` with a scheme, without a trailing slash, userinfo or query.

    ``localhost:8188`` and ``10.0.0.5:8188/`` become ``http://…``; a path
    prefix (a ComfyUI behind a reverse proxy) is kept.
    """
    return split_server_url(url).base


def redact_url(text: str) -> str:
    """A URL (perhaps mistyped) fit to show: everything from the scheme to the last ``@`` as ``***@``
    (a password may hold ``#``, ``?`` or ``/``), query values as ``***`` and bare query keys as ``***``."""
    at = text.rfind("@")
    if at >= 0:
        scheme = _AFTER_SCHEME.match(text)
        start = scheme.end() if scheme and scheme.end() <= at else 0
        text = f"{text[:start]}***@{text[at + 1:]}"
    return _QUERY_ITEM.sub(_redact_item, text)


def _redact_item(match: re.Match[str]) -> str:
    sep, key, value = match.groups()
    if value is not None:
        return f"{sep}{key}=***"
    return f"{sep}***" if key else sep


def strip_secrets(text: str) -> str:
    """``text`` (a message that may quote URLs) with every URL in it passed through :func:`redact_url`."""
    return re.sub(r"\S*(?:://|@)\S*", lambda m: redact_url(m.group()), text)


def printable(text: str) -> str:
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text[:200])
