"""Vectorised name normalisation and rule matching shared by the inference modules.

Names are normalised once per distinct value: CamelCase split, lower-cased, every run of characters other
than ``[a-z0-9.]`` turned into one space and padded (``"Wan2.1_T2V_1.3B"`` -> ``" wan2.1 t2v 1.3b "``).
Rule tables are matched with a few regex passes over the whole column, never row by row. With pyarrow the
passes call its RE2 kernels directly (pandas would re-parse every pattern in Python to check that RE2
accepts it, which costs more than the match); without pyarrow ``Series.str`` does the same work.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

try:
    import pyarrow.compute as pc

    TEXT: pd.StringDtype = pd.StringDtype("pyarrow")
except ImportError:  # pragma: no cover - pyarrow is optional
    pc = None
    TEXT = pd.StringDtype("python")

CAMEL = r"([a-z])([A-Z])"
SEPARATORS = r"[^a-z0-9.]+"


def as_text(values: pd.Series | Sequence[object] | np.ndarray) -> pd.Series:
    """Strings as the fast string dtype with a fresh positional index, NA replaced by ""."""
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
    return series.astype(TEXT).fillna("").reset_index(drop=True)


def normalize(values: pd.Series | Sequence[object] | np.ndarray) -> pd.Series:
    """Normalised, space-padded form of each name (see module docstring)."""
    text = as_text(values)
    text = text.str.replace(CAMEL, r"\1 \2", regex=True).str.lower()
    text = text.str.replace(SEPARATORS, " ", regex=True).str.strip()
    return " " + text + " "


def _arrow(texts: pd.Series) -> object | None:
    if pc is not None and isinstance(texts.dtype, pd.StringDtype) and texts.dtype.storage == "pyarrow":
        return texts.array.__arrow_array__()
    return None


def contains(texts: pd.Series, pattern: str) -> np.ndarray:
    """Boolean array: does the pattern occur in each text (texts hold no NA)."""
    if len(texts) == 0:
        return np.zeros(0, dtype=bool)
    data = _arrow(texts)
    if data is not None:
        return pc.match_substring_regex(data, pattern).to_numpy(zero_copy_only=False).astype(bool)
    return texts.str.contains(pattern, regex=True).to_numpy(dtype=bool, na_value=False)


def extract(texts: pd.Series, pattern: str) -> np.ndarray:
    """Object array: the first capture group of the left-most match per text, None when none."""
    if len(texts) == 0:
        return np.empty(0, dtype=object)
    data = _arrow(texts)
    if data is not None:
        named = pattern.replace("(", "(?P<m>", 1) if not pattern.startswith("(?P<") else pattern
        return pc.struct_field(pc.extract_regex(data, named), [0]).to_numpy(zero_copy_only=False)
    found = texts.str.extract(pattern, expand=False)
    return found.astype(object).where(found.notna(), None).to_numpy(dtype=object)


def alternation(patterns: Sequence[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


def first_match(texts: pd.Series, patterns: Sequence[str], tiers: Sequence[int] | None = None) -> np.ndarray:
    """Index of the winning rule per text, -1 when none matches.

    The highest tier with any match wins; within a tier the left-most match, and at one position the
    earlier rule. One ``extract`` per tier finds the match; the rule is identified by full-matching the
    distinct matched strings (a small vocabulary such as " sdxl ", memoised) against the tier's patterns:
    rules have no anchors or lookarounds, so the first rule that full-matches a matched string is the one
    the alternation chose.
    """
    texts = texts.reset_index(drop=True)
    out = np.full(len(texts), -1, dtype=np.int64)
    if len(texts) == 0 or len(patterns) == 0:
        return out
    pats = list(patterns)
    levels = np.zeros(len(pats), dtype=np.int64) if tiers is None else np.asarray(tiers, dtype=np.int64)
    live = contains(texts, alternation(pats))
    for tier in sorted(set(levels.tolist()), reverse=True):
        rows = np.flatnonzero(live)
        if rows.size == 0:
            break
        ids = np.flatnonzero(levels == tier)
        found = extract(texts.iloc[rows], "(" + alternation([pats[i] for i in ids]) + ")")
        hit = np.not_equal(found, None)
        if not hit.any():
            continue
        codes, distinct = pd.factorize(found[hit])
        group = tuple(pats[i] for i in ids)
        rule = np.fromiter((_which(group, m) for m in distinct), dtype=np.int64, count=len(distinct))
        out[rows[hit]] = np.where(rule >= 0, ids[np.maximum(rule, 0)], -1)[codes]
        live[rows[hit]] = False
    return out


def match_matrix(texts: pd.Series, patterns: Sequence[str]) -> np.ndarray:
    """Boolean (texts x patterns) matrix; each pattern only runs on the texts their union matches."""
    texts = texts.reset_index(drop=True)
    out = np.zeros((len(texts), len(patterns)), dtype=bool)
    if len(texts) == 0 or len(patterns) == 0:
        return out
    rows = np.flatnonzero(contains(texts, alternation(patterns)))
    subset = texts.iloc[rows]
    for j, pattern in enumerate(patterns):
        out[rows, j] = contains(subset, pattern)
    return out


@lru_cache(maxsize=None)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


@lru_cache(maxsize=65536)
def _which(patterns: tuple[str, ...], matched: str) -> int:
    """Position of the first pattern that full-matches a matched string."""
    for i, pattern in enumerate(_compiled(patterns)):
        if pattern.fullmatch(matched):
            return i
    return -1


def lookup(values: pd.Series | np.ndarray, mapping: pd.Series | dict[object, object], default: object) -> np.ndarray:
    """``mapping[value]`` per value (``default`` when absent), resolved once per distinct value."""
    codes, distinct = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
    table = mapping.to_dict() if isinstance(mapping, pd.Series) else mapping
    found = np.empty(len(distinct) + 1, dtype=object)
    found[:-1] = [table.get(v, default) for v in distinct]
    found[-1] = default
    return found[codes]


def on_distinct(values: pd.Series | np.ndarray) -> tuple[np.ndarray, pd.Series]:
    """(codes, normalised distinct values): work once per distinct raw value, gather with codes."""
    codes, distinct = pd.factorize(as_text(values), use_na_sentinel=False)
    return codes, normalize(np.asarray(distinct, dtype=object))
