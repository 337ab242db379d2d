"""Content-Encoding decoded by hand, every layer bounded.

httpx inflates a whole network chunk before anyone can look at its size, and it decodes as many
stacked encodings as a server names: ``Content-Encoding: gzip, gzip`` of 7 KB becomes gigabytes
before a limit is checked. Here the raw bytes (``Response.aiter_raw()``) are inflated with
``zlib``'s ``max_length``, a step at a time, and each layer's output is counted against the
route's limit, so a body costs at most the limit, whatever its compression ratio.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

MAX_LAYERS = 2  # a proxy may compress what the server compressed; more is an attack, not a server
STEP = 64 << 10  # most bytes one decompress call may produce
_GZIP = zlib.MAX_WBITS | 32  # gzip or zlib header, detected
_CODINGS = {"gzip": _GZIP, "x-gzip": _GZIP, "deflate": zlib.MAX_WBITS}


class TooLarge(Exception):
    """A layer produced more than the limit."""


class BadEncoding(ValueError):
    """The Content-Encoding header names something comfyframe does not decode."""


def codings(header_values: list[str]) -> list[str]:
    """The encodings named by ``Content-Encoding`` values, in the order they were applied.

    ``identity`` is dropped; an unknown encoding or more than :data:`MAX_LAYERS` raise :class:`BadEncoding`.
    """
    named = [c.strip().lower() for value in header_values for c in value.split(",")]
    named = [c for c in named if c and c != "identity"]
    unknown = [c for c in named if c not in _CODINGS]
    if unknown:
        raise BadEncoding(f"an encoding comfyframe does not decode ({unknown[0][:40]!r}; it asks for gzip or deflate)")
    if len(named) > MAX_LAYERS:
        raise BadEncoding(f"a body compressed {len(named)} times (at most {MAX_LAYERS} layers are decoded)")
    return named


class _Layer:
    """One encoding's inflater: output in steps of at most ``max_length`` bytes."""

    def __init__(self, coding: str) -> None:
        self._coding = coding
        self._inflate = zlib.decompressobj(_CODINGS[coding])
        self._started = False

    @property
    def ended(self) -> bool:
        return self._inflate.eof

    def step(self, data: bytes, max_length: int) -> tuple[bytes, bytes]:
        """Up to ``max_length`` bytes of output, and the input still to be fed (raises ``zlib.error``)."""
        if self._inflate.eof:
            return b"", b""  # bytes after the end of the stream are ignored, as httpx does
        try:
            out = self._inflate.decompress(data, max_length)
        except zlib.error:
            if self._coding != "deflate" or self._started:
                raise
            # "deflate" is often sent raw, without its zlib header (httpx falls back the same way).
            self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._inflate.decompress(data, max_length)
        self._started = True
        return out, (b"" if self._inflate.eof else self._inflate.unconsumed_tail)


class BoundedDecoder:
    """Decode a body's raw chunks through its encodings; no layer may pass ``limit`` bytes.

    :meth:`feed` yields decoded pieces of at most :data:`STEP` bytes and raises :class:`TooLarge`
    as soon as the raw bytes or any layer's output pass ``limit`` (before the excess is made),
    ``zlib.error`` on a damaged stream.
    """

    def __init__(self, encodings: list[str], limit: int) -> None:
        self._layers = [_Layer(c) for c in reversed(encodings)]  # the last applied is undone first
        self._limit = limit
        self._counts = [0] * (len(self._layers) + 1)  # bytes out of each layer; [0] is the raw body

    @property
    def complete(self) -> bool:
        """Whether every layer reached the end of its stream (false for a truncated body)."""
        return all(layer.ended for layer in self._layers)

    def feed(self, raw: bytes) -> Iterator[bytes]:
        """The decoded pieces of the next raw chunk (raises :class:`TooLarge`, ``zlib.error``)."""
        self._count(0, len(raw))
        yield from self._through(0, raw)

    def _count(self, layer: int, size: int) -> None:
        self._counts[layer] += size
        if self._counts[layer] > self._limit:
            raise TooLarge

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._layers):
            yield data
            return
        layer = self._layers[index]
        while True:
            room = min(STEP, self._limit - self._counts[index + 1] + 1)  # one byte over is enough to know
            out, rest = layer.step(data, room)
            if out:
                self._count(index + 1, len(out))
                yield from self._through(index + 1, out)
            if (not rest and len(out) < room) or (not out and rest == data):
                return  # input used up and nothing pending; or no progress possible
            data = rest
