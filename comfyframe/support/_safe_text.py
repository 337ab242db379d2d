"""Server strings made safe for a terminal.

Model names, GPU names, versions, folders, reason phrases: all come from someone
else's machine. Printed raw, an ESC sequence in one of them can clear the screen,
retitle the window or hide text (and a lone surrogate from a non-UTF-8 file name
makes ``print`` raise). :func:`for_terminal` shows every such character as an
escape (``\\x1b``, ``\\u202e``, ``\\udcff``) instead, so the text stays readable
and nothing is lost.
"""

from __future__ import annotations

import re
from typing import Any

# C0 and C1 controls, DEL, zero-width and bidirectional controls, lone surrogates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_KEEP_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def for_terminal(text: object, *, multiline: bool = False) -> str:
    """``str(text)`` with control characters shown as escapes; ``multiline`` keeps ``\\n`` as a line break."""
    pattern = _UNSAFE_KEEP_NEWLINE if multiline else _UNSAFE
    return pattern.sub(_visible, str(text))


def scrub_surrogates(value: Any) -> Any:
    """``value`` with lone surrogates in strings replaced by visible ``\\xNN`` escapes.

    ComfyUI sends a file name that is not UTF-8 (``caf\\xe9`` on Linux) as lone
    surrogates; UTF-8 encoders (Arrow, CSV, terminals) reject them.
    """
    if isinstance(value, str):
        if value.isascii():
            return value
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            pass
        try:  # \udc80-\udcff: the bytes Python decoded with surrogateescape
            return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        return [scrub_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {scrub_surrogates(k): scrub_surrogates(v) for k, v in value.items()}
    return value
