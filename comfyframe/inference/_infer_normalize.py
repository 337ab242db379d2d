"""Name normalisation: the form the inference rules are written against.

Names are normalised once per distinct value: upper-case tokens glued between others split out
(rules/glued_tokens.csv: "WAN22I2VGGUF" -> "WAN22 I2V GGUF"), CamelCase split, lower-cased, every run of characters other
than ``[a-z0-9.]`` turned into one space and padded (``"Wan2.1_T2V_1.3B"`` -> ``" wan2.1 t2v 1.3b "``).
Few names are normalised in Python ``re``, many in RE2 passes over the whole column (see :mod:`._regex_passes`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd

from ..rules import _rules
from ._regex_passes import _compiled, plain_texts
from ._text_columns import _arrow, _wrap, as_text, factorize, pa, pc

CAMEL = r"([a-z])([A-Z])"
# A digit before a capitalised word: "QR_v2Sd15" -> "v2 Sd15", "F1Dev" -> "F1 Dev" ("2DA" in "Flat2DAnime" stays).
DIGIT_CAMEL = r"([0-9])([A-Z][a-z])"
# An acronym glued to a capitalised word: "XLIllustrious" -> "XL Illustrious", "SDXLLightning" -> "SDXL Lightning".
# The word needs 3+ lower-case letters so that "SDXLv1" and "XLabs" stay whole. The acronym may hold digits
# after its first letter: "F1DRealism" -> "F1D Realism", "SD15Lora" -> "SD15 Lora".
ACRONYM = r"([A-Z][A-Z0-9]+)([A-Z][a-z]{3,})"
# An acronym glued to a version: "PNYv2" -> "PNY v2", "XLv31" -> "XL v31", "F1Dv2" -> "F1D v2" (digits inside it).
ACRONYM_VERSION = r"([A-Z][A-Z0-9]*[A-Z])(v[0-9])"
SEPARATORS = r"[^a-z0-9.]+"


@cache
def glued_pattern() -> str:
    """Alternation of the tokens split out of glued names (rules/glued_tokens.csv).

    Upper case only, except tokens with a digit between letters marked ``lower`` ("I2V", "TI2V"): no word holds
    such a run, so "wan22i2vfast" is cut too (both spellings, in the table's order: TI2V before I2V).
    """
    lower = _rules.glued_lower()
    return "(" + "|".join(f"{t}|{t.lower()}" if t in lower else t for t in _rules.glued_tokens()) + ")"


def normalize(values: pd.Series | Sequence[object] | np.ndarray) -> pd.Series:
    """Normalised, space-padded form of each name (see module docstring)."""
    text = as_text(values)
    data = _arrow(text)
    glued = glued_pattern()
    if data is not None and len(data) <= SMALL_NORMALIZE:
        plain = plain_texts(text)
        if plain is not None:
            return _wrap(pa.array(_normalize_plain(plain), type=data.type))
    if data is None:
        text = text.str.replace(glued, r" \1 ", regex=True)
        text = text.str.replace(ACRONYM_VERSION, r"\1 \2", regex=True)
        text = text.str.replace(ACRONYM, r"\1 \2", regex=True)
        text = text.str.replace(DIGIT_CAMEL, r"\1 \2", regex=True)
        text = text.str.replace(CAMEL, r"\1 \2", regex=True).str.lower()
        text = text.str.replace(SEPARATORS, " ", regex=True).str.strip()
        return " " + text + " "
    data = pc.replace_substring_regex(data, pattern=glued, replacement=r" \1 ")
    data = pc.replace_substring_regex(data, pattern=ACRONYM_VERSION, replacement=r"\1 \2")
    data = pc.replace_substring_regex(data, pattern=ACRONYM, replacement=r"\1 \2")
    data = pc.replace_substring_regex(data, pattern=DIGIT_CAMEL, replacement=r"\1 \2")
    data = pc.utf8_lower(pc.replace_substring_regex(data, pattern=CAMEL, replacement=r"\1 \2"))
    data = pc.utf8_trim_whitespace(pc.replace_substring_regex(data, pattern=SEPARATORS, replacement=" "))
    pad = pa.scalar(" ", data.type)
    return _wrap(pc.binary_join_element_wise(pad, data, pad, pa.scalar("", data.type)))


# Up to this many texts, normalising in Python ``re`` beats six RE2 passes, each of which compiles its pattern
# (measured: 1 text 10 µs vs 250 µs, 16 texts 125 vs 290 µs, 32 texts 290 vs 400 µs).
SMALL_NORMALIZE = 32


@cache
def _normalize_steps() -> tuple[tuple[re.Pattern[str], str], ...]:
    """normalize's replacements before lower-casing, compiled for Python ``re`` (the same as RE2 on printable ASCII)."""
    steps = ((glued_pattern(), r" \1 "), (ACRONYM_VERSION, r"\1 \2"), (ACRONYM, r"\1 \2"), (DIGIT_CAMEL, r"\1 \2"),
             (CAMEL, r"\1 \2"))  # fmt: skip
    return tuple((re.compile(pattern), replacement) for pattern, replacement in steps)


def _normalize_plain(values: list[str]) -> list[str]:
    """:func:`normalize` of printable ASCII texts in Python ``re``."""
    steps, separators = _normalize_steps(), _compiled((SEPARATORS,))[0]
    out = []
    for value in values:
        for pattern, replacement in steps:
            value = pattern.sub(replacement, value)
        out.append(" " + separators.sub(" ", value.lower()).strip() + " ")
    return out


def on_distinct(values: pd.Series | np.ndarray) -> tuple[np.ndarray, pd.Series]:
    """(codes, normalised distinct values): work once per distinct raw value, gather with codes."""
    codes, distinct = factorize(as_text(values))
    return codes, normalize(distinct)
