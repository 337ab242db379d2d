from __future__ import annotations

import io

import pytest

from comfyframe.support._safe_text import for_terminal

HOSTILE = [
    ("\x1b[2J\x1b[Hcleared", "\\x1b[2J\\x1b[Hcleared"),
    ("\x1b]0;owned\x07title", "\\x1b]0;owned\\x07title"),
    ("a\rb", "a\\rb"),
    ("tab\there", "tab\\there"),
    ("\x9b31mC1 CSI", "\\x9b31mC1 CSI"),
    ("bidi\u202eexe.txt", "bidi\\u202eexe.txt"),
    ("bad\udcffname", "bad\\udcffname"),
    ("del\x7f", "del\\x7f"),
]


@pytest.mark.parametrize(("raw", "shown"), HOSTILE)
def test_control_characters_are_shown_as_escapes(raw: str, shown: str) -> None:
    assert for_terminal(raw) == shown


def test_plain_text_and_unicode_names_are_unchanged() -> None:
    for text in ("NVIDIA GeForce RTX 4090", "模型_v1.safetensors", "Ünïcode ✓", "a\\x1b literal"):
        assert for_terminal(text) == text


def test_newlines_kept_only_when_the_layout_needs_them() -> None:
    assert for_terminal("one\ntwo") == "one\\ntwo"
    assert for_terminal("one\n\x1b[31mtwo", multiline=True) == "one\n\\x1b[31mtwo"


def test_result_always_encodes_to_utf8_and_has_no_escape_byte() -> None:
    shown = for_terminal("".join(chr(c) for c in range(0x00, 0xA0)) + "\ud800\udfff")
    shown.encode("utf-8")
    assert "\x1b" not in shown and "\r" not in shown
    stream = io.StringIO()
    print(shown, file=stream)
