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

# C0 and C1 controls, DEL, lone surrogates, and every Unicode format (Cf) and line/paragraph separator
# (Zl, Zp) character: soft hyphen, Arabic letter mark, zero-width and bidirectional controls, word joiner
# and invisible operators, BOM, interlinear annotation, tag characters (Unicode 15.1's list; a test
# checks it against Python's unicodedata).
_FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_FORMAT}]")
_UNSAFE_KEEP_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff{_FORMAT}]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code > 0xFFFF:
        return f"\\U{code:08x}"
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
