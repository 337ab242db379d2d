"""``ConnectOptions``: how comfyframe talks to servers, in one frozen object.

``discover``, ``discover_async``, ``capture``, ``ComfyClient`` and the CLI all
take these settings; the keyword arguments of those functions build one.
"""

from __future__ import annotations

import math
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Union

from ..errors import ComfyFrameError

# A server with hundreds of node packs can take a minute to build /object_info the first time;
# an unreachable host should still fail fast, so connecting has its own, shorter limit.
DEFAULT_TIMEOUT = 120.0
CONNECT_TIMEOUT = 10.0
DEFAULT_CONCURRENCY = 8
DEFAULT_RETRIES = 2
# A discovery as a whole may take this many request timeouts before it is abandoned.
DEADLINE_FACTOR = 10
MIB = 1 << 20
TENSOR_HEADER_MODES = ("unknown", "all", "none")

Verify = Union[bool, str, Path, ssl.SSLContext]


@dataclass(frozen=True)
class SizeLimits:
    """Most decompressed bytes accepted per answer, by route kind.

    The largest real ``/object_info`` seen (a server with ~200 node packs) is
    about 30 MB; folder listings (and asset pages) and metadata are far smaller;
    ``history`` covers ``/history`` pages and ``/queue``.
    """

    object_info: int = 256 * MIB
    listing: int = 32 * MIB
    metadata: int = 8 * MIB
    history: int = 256 * MIB  # a page of 1,000 prompts with their workflows
    other: int = 8 * MIB
    tensor_header: int = 8 * MIB  # one safetensors JSON header read from a file's content (ComfyUI's own cap)

    def for_route(self, route: str) -> int:
        """The limit of the route kind ``route`` (a path such as ``/models/loras``) belongs to."""
        if route.startswith(("/object_info", "/api/object_info")):
            return self.object_info
        if route.startswith(("/models/", "/experiment/models/", "/api/assets")):
            return self.listing
        if route.startswith(("/history", "/queue")):
            return self.history
        if route.startswith("/view_metadata/"):
            return self.metadata
        return self.other


@dataclass(frozen=True)
class ConnectOptions:
    """Connection settings shared by every request of a discovery.

    ``timeout`` bounds each request's whole time (connect, answer and body);
    ``deadline`` bounds one server's whole discovery (default
    ``10 × timeout``): what has not answered by then is cancelled and
    recorded as missing, the rest is kept. ``headers`` go to every request of the server's origin,
    never to another origin. ``verify`` is ``True`` (system CAs), ``False``
    (no TLS check), a CA bundle path, or an ``ssl.SSLContext``. ``retries``
    is how often an idempotent GET is retried on connect errors, resets and
    5xx answers; a discovery of N servers spends at most ``retries × (N + 3)``
    retries in all. ``templates=False`` skips the workflow templates; ``template_cache`` is the folder
    their files are cached in, per templates package version (default ``~/.cache/comfyframe/templates``).
    retries in all. ``tensor_headers`` ("unknown", "all" or "none") says which
    files' safetensors / GGUF headers are read through the assets API, at most
    ``header_files`` files and ``header_bytes`` bytes per discovery.
    """

    timeout: float = DEFAULT_TIMEOUT
    deadline: float | None = None
    max_concurrency: int = DEFAULT_CONCURRENCY
    metadata: bool = True
    progress: Any = None
    # Values are credentials: kept out of the repr.
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    verify: Verify = True
    retries: int = DEFAULT_RETRIES
    limits: SizeLimits = field(default_factory=SizeLimits)
    # Workflow templates (official and custom-node examples); their files are cached on this machine by
    # templates package version in ``template_cache`` (None: ~/.cache/comfyframe/templates).
    templates: bool = True
    template_cache: str | Path | None = None
    # Safetensors headers read from files' content (assets API): "unknown" (files names and metadata leave
    # unknown or contradicted), "all" or "none"; at most header_files files and header_bytes bytes per discovery.
    tensor_headers: str = "unknown"
    header_files: int = 2000
    header_bytes: int = 512 * MIB

    def __post_init__(self) -> None:
        _positive("timeout", self.timeout, "e.g. timeout=30 (seconds)")
        if self.deadline is not None:
            _positive("deadline", self.deadline, "e.g. deadline=600 (seconds), or None for 10 × timeout")
        if isinstance(self.max_concurrency, bool) or not isinstance(self.max_concurrency, int) or self.max_concurrency < 1:
            raise ValueError(f"max_concurrency must be a whole number of at least 1, not {self.max_concurrency!r}.")
        if isinstance(self.retries, bool) or not isinstance(self.retries, int) or self.retries < 0:
            raise ValueError(f"retries must be a whole number of at least 0, not {self.retries!r}.")
        if not isinstance(self.templates, bool):
            raise ValueError(f"templates must be True or False, not {self.templates!r}.")
        object.__setattr__(self, "headers", MappingProxyType(check_headers(self.headers)))
        if isinstance(self.verify, (str, Path)) and not Path(self.verify).is_file():
            raise ComfyFrameError(f"No CA bundle file at {self.verify}: pass the path of a PEM file.")
        if self.tensor_headers not in TENSOR_HEADER_MODES:
            raise ValueError(f"tensor_headers must be one of {', '.join(TENSOR_HEADER_MODES)}, not {self.tensor_headers!r}.")
        for name in ("header_files", "header_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number of at least 0, not {value!r}.")
        for name in ("object_info", "listing", "metadata", "history", "other", "tensor_header"):
            value = getattr(self.limits, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"limits.{name} must be a positive number of bytes, not {value!r}.")

    @property
    def total_deadline(self) -> float:
        """Seconds one server's whole discovery may take."""
        return self.deadline if self.deadline is not None else DEADLINE_FACTOR * self.timeout

    def with_changes(self, **changes: Any) -> ConnectOptions:
        """A copy with ``changes`` applied (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _positive(name: str, value: object, example: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds, not {value!r}: pass {example}.")


def check_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """Validate header names and values; an error names the header, never its value."""
    checked: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not _is_token(name):
            raise ComfyFrameError(f"Header name {name!r} is not a valid HTTP header name (ASCII letters, digits, '-').")
        if not isinstance(value, str):
            raise ComfyFrameError(f"Header {name} must have a text value.")
        stripped = value.strip(" \t")
        if any(c in "\r\n\0" for c in stripped) or value.endswith(("\n", "\r")):
            raise ComfyFrameError(
                f"Header {name} has a line break or NUL in its value (a token copied with its newline?); "
                "remove it. The value is not shown."
            )
        if not stripped.isascii() or any(ord(c) < 32 and c != "\t" for c in stripped):
            raise ComfyFrameError(
                f"Header {name} has non-ASCII or control characters in its value; HTTP headers carry ASCII only. "
                "The value is not shown."
            )
        checked[name] = stripped
    return checked


def parse_header_lines(text: str, *, origin: str, many: bool = True) -> dict[str, str]:
    """Parse ``"Name: value"`` (CLI ``-H``), or with ``many`` one header per line (``$COMFYUI_HEADERS``).

    Lines are the only separator, as in curl's header files: a value may hold ``;`` (``Cookie: a=1; b=2``)
    or ``:``. An error names the line, never its text.
    """
    headers: dict[str, str] = {}
    for number, item in enumerate(text.splitlines() if many else [text], start=1):
        if not item.strip():
            continue
        where = f"{origin} line {number}" if many else origin
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            raise ComfyFrameError(f"{where}: expected 'Name: value', got text without a colon (not shown).")
        if not _is_token(name.strip()):
            raise ComfyFrameError(
                f"{where}: the part before the first ':' is not a valid HTTP header name (ASCII letters, digits, "
                "'-'); it is not shown, in case it is part of a value. One header per line: 'Name: value'."
            )
        headers[name.strip()] = value.strip()
    return check_headers(headers)


def _is_token(name: str) -> bool:
    return bool(name) and all(33 <= ord(c) < 127 and c not in '()<>@,;:\\"/[]?={}' for c in name)
