"""Regex passes over a text column: rule tables matched with a few passes over the whole column, never row by row.

With pyarrow the passes call its RE2 kernels directly on the Arrow array (pandas would re-parse every pattern
in Python to check that RE2 accepts it, and wrap every step in a Series, which costs more than the match on a
small table); without pyarrow ``Series.str`` does the same work. Every RE2 call compiles its pattern, so callers
batch texts into as few passes as they can, and small passes run in Python ``re`` (compiled once). A rule
table's alternation is written with the separator class its rules start with once (:mod:`._regex_unions`),
which makes even a few hundred names x two hundred rules cheaper in Python. A Python pass searches only the
texts holding a literal its pattern needs (:mod:`._regex_prefilter`), and texts are converted to Python once
for all the passes over them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

import numpy as np
import pandas as pd

from ._regex_prefilter import _filter_literals, _holding, _Joined, _table_literals
from ._regex_unions import factored_union, ordered_alternation
from ._text_columns import _arrow, _wrap, as_text, pa, pc, take


def replace(texts: pd.Series, pattern: str, replacement: str) -> pd.Series:
    """Every match of ``pattern`` in each text replaced (one regex pass over the column)."""
    return replace_each(texts, (pattern,), replacement)


def replace_each(texts: pd.Series, patterns: Sequence[str], replacement: str) -> pd.Series:
    """Every match of each pattern in turn replaced by ``replacement`` (one pass per pattern).

    Over printable ASCII texts a pass with a selective literal (:func:`_filter_literals`; a match holding one
    is never empty, where the engines' rules differ) runs in Python ``re`` when few texts hold one
    (SMALL_REPLACE), on those texts only; the texts are converted once for all the patterns. Other passes
    run in RE2.
    """
    data = _arrow(texts)
    if data is None:
        for pattern in patterns:
            texts = texts.str.replace(pattern, replacement, regex=True)
        return texts
    plain: list[str] | None = None
    python = "\\" not in replacement
    for pattern in patterns:
        literals = _filter_literals(pattern)
        compiled = _small_regex(len(data), pattern) if python and literals else None
        if compiled is not None and plain is None:
            values = data.to_pylist()
            plain = values if _plain(values) else None
            python = plain is not None
        if compiled is not None and plain is not None:
            rows = _holding(plain, literals)
            if len(rows) <= SMALL_REPLACE:
                for i in rows:
                    plain[i] = compiled.sub(replacement, plain[i])
                continue
        if plain is not None:
            data, plain = pa.array(plain, type=data.type), None
        data = pc.replace_substring_regex(data, pattern=pattern, replacement=replacement)
    return _wrap(data if plain is None else pa.array(plain, type=data.type))


# A replace pass in Python ``re`` on up to this many texts (the ones holding a literal the pattern needs) beats
# one in RE2, which compiles its pattern (~30 µs); a Python substitution costs 1-2 µs a text.
SMALL_REPLACE = 16


# Below this many text characters x pattern characters, a compiled Python regex (cached) beats an RE2 pass,
# which compiles its pattern on every call; above it RE2's automaton wins (Python backtracks alternations).
SMALL_PASS = 60_000
# A rule table's union with its common leading class written once (see factored_union) costs Python a
# branch walk only where that class matches (a separator), not at every character: it stays cheaper than
# an RE2 pass up to this many times SMALL_PASS (measured: 176 names x a 7,600-character union, 0.8 ms vs 4.3 ms).
UNION_SCALE = 40


def _small_pass(data: Any, pattern: str, scale: int = 1) -> tuple[re.Pattern[str], list[str]] | None:
    """(Python regex, texts) when a small pass can run in Python ``re`` with RE2's exact answer, else None.

    The engines agree on printable ASCII texts and ASCII patterns without the few constructs whose meaning
    differs (POSIX classes, ``{,n}``, RE2's ungreedy flag); anything Python cannot compile stays with RE2.
    """
    compiled = _small_regex(len(data), pattern, scale)
    if compiled is None:
        return None
    values = data.to_pylist()
    if not _plain(values):
        return None
    return compiled, values


def _small_regex(size: int, pattern: str, scale: int = 1) -> re.Pattern[str] | None:
    """The Python regex of ``pattern`` when a pass over ``size`` texts is small enough for Python ``re``."""
    if size * len(pattern) > SMALL_PASS * scale or not pattern.isascii():
        return None
    return _python_regex(pattern)


def _plain(values: list[Any]) -> bool:
    """Every value is printable ASCII text: Python ``re`` and RE2 give the same answers on it."""
    try:
        joined = "".join(values)  # one check of all the characters; a non-str value (None) raises
    except TypeError:
        return False
    return joined.isascii() and joined.isprintable()


@lru_cache(maxsize=4096)
def _python_regex(pattern: str) -> re.Pattern[str] | None:
    if "[:" in pattern or "{," in pattern or "(?U" in pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error:
        return None


def contains(texts: pd.Series, pattern: str, scale: int = 1) -> np.ndarray:
    """Boolean array: does the pattern occur in each text (texts hold no NA).

    ``scale``: how many times :data:`SMALL_PASS` Python ``re`` may take (a :func:`factored_union`'s is cheap).
    """
    if len(texts) == 0:
        return np.zeros(0, dtype=bool)
    data = _arrow(texts)
    if data is not None:
        small = _small_pass(data, pattern, scale)
        if small is not None:
            return _search_all(small[0], pattern, small[1])
        return pc.match_substring_regex(data, pattern).to_numpy(zero_copy_only=False).astype(bool)
    return texts.str.contains(pattern, regex=True).to_numpy(dtype=bool, na_value=False, copy=True)  # callers write


def contains_values(values: list[str], pattern: str) -> np.ndarray:
    """Boolean array: does the pattern occur in each of ``values`` (str), a Python list such as a few input names:
    in Python ``re`` when the pass is small and the values are printable ASCII, else one pass over them as text."""
    compiled = _small_regex(len(values), pattern)
    if compiled is not None and _plain(values):
        return _search_all(compiled, pattern, values)
    return contains(as_text(values), pattern)


def plain_texts(texts: pd.Series) -> list[str] | None:
    """The texts as Python str when every one is printable ASCII (Python ``re`` and RE2 agree on them), else None."""
    data = _arrow(texts)
    values = data.to_pylist() if data is not None else texts.tolist()
    return values if _plain(values) else None


def contains_at(
    texts: pd.Series, rows: np.ndarray | None, pattern: str, plain: list[str] | None, scale: int = 1
) -> np.ndarray:
    """``contains(take(texts, rows), pattern)`` (``rows`` None: every text); ``plain`` is :func:`plain_texts` of
    ``texts``, converted once (``scale``: see :func:`contains`).

    Many small passes over one column (a rule per family, a pattern per variant) then run in Python ``re``
    without slicing the column or converting it again each time.
    """
    size = len(texts) if rows is None else rows.size
    compiled = _small_regex(size, pattern, scale) if plain is not None else None
    if plain is not None and compiled is not None:
        values = plain if rows is None else [plain[i] for i in rows.tolist()]
        return _search_all(compiled, pattern, values)
    return contains(texts if rows is None else take(texts, rows), pattern, scale)


def extract_at(
    texts: pd.Series, rows: np.ndarray | None, pattern: str, plain: list[str] | None, scale: int = 1
) -> np.ndarray:
    """``extract(take(texts, rows), pattern)`` (``rows`` None: every text), ``plain`` as for :func:`contains_at`."""
    size = len(texts) if rows is None else rows.size
    named = pattern.replace("(", "(?P<m>", 1) if not pattern.startswith("(?P<") else pattern
    compiled = _small_regex(size, named, scale) if plain is not None and size else None
    if plain is not None and compiled is not None and compiled.groups == len(compiled.groupindex) > 0:
        values = plain if rows is None else [plain[i] for i in rows.tolist()]
        return _groups(compiled, values)
    return extract(texts if rows is None else take(texts, rows), pattern, scale)


def replace_at(texts: pd.Series, rows: np.ndarray, pattern: str, replacement: str, plain: list[str] | None) -> np.ndarray:
    """Object array: ``replace(take(texts, rows), pattern, replacement)``, ``plain`` as for :func:`contains_at`.

    It runs in Python ``re`` where :func:`replace_each` would (a selective literal, no backslash in the
    replacement) and the pass is small.
    """
    python = plain is not None and "\\" not in replacement and bool(_filter_literals(pattern))
    compiled = _small_regex(rows.size, pattern) if python else None
    if plain is None or compiled is None:
        return replace(take(texts, rows), pattern, replacement).to_numpy(dtype=object)
    out = np.empty(rows.size, dtype=object)
    out[:] = [compiled.sub(replacement, plain[i]) for i in rows.tolist()]
    return out


def _groups(compiled: re.Pattern[str], values: list[str]) -> np.ndarray:
    """Object array of each value's first group ("" for a group that took no part, as RE2), None: no match."""
    found = np.empty(len(values), dtype=object)
    found[:] = [None if m is None else m.group(1) or "" for m in map(compiled.search, values)]
    return found


def _search_all(compiled: re.Pattern[str], pattern: str, values: list[str]) -> np.ndarray:
    """Boolean array: does ``compiled`` occur in each value; only values holding one of the pattern's
    :func:`_filter_literals` (if it has any) are searched."""
    search = compiled.search
    literals = _filter_literals(pattern)
    if not literals:
        return np.fromiter((search(v) is not None for v in values), dtype=bool, count=len(values))
    out = np.zeros(len(values), dtype=bool)
    out[[i for i in _holding(values, literals) if search(values[i])]] = True
    return out


def extract(texts: pd.Series, pattern: str, scale: int = 1, plain: list[str] | None = None) -> np.ndarray:
    """Object array: the first capture group of the left-most match per text, None when none (``scale``: see
    :func:`contains`; ``plain``: :func:`plain_texts` of ``texts`` when the caller has it)."""
    if len(texts) == 0:
        return np.empty(0, dtype=object)
    if plain is not None:
        return extract_at(texts, None, pattern, plain, scale)
    data = _arrow(texts)
    if data is not None:
        named = pattern.replace("(", "(?P<m>", 1) if not pattern.startswith("(?P<") else pattern
        small = _small_pass(data, named, scale)
        if small is not None and small[0].groups == len(small[0].groupindex) > 0:
            return _groups(small[0], small[1])
        return pc.struct_field(pc.extract_regex(data, named), [0]).to_numpy(zero_copy_only=False)
    found = texts.str.extract(pattern, expand=False)
    return found.astype(object).where(found.notna(), None).to_numpy(dtype=object)


@cache
def _tiers(
    patterns: tuple[str, ...], tiers: tuple[int, ...] | None
) -> tuple[str, list[tuple[np.ndarray, str, tuple[str, ...]]]]:
    """(:func:`factored_union` of all patterns, [(rule ids, capturing alternation, their patterns)] per tier,
    highest tier first)."""
    levels = np.zeros(len(patterns), dtype=np.int64) if tiers is None else np.asarray(tiers, dtype=np.int64)
    groups = []
    for tier in sorted(set(levels.tolist()), reverse=True):
        ids = np.flatnonzero(levels == tier)
        group = tuple(patterns[i] for i in ids)
        groups.append((ids, "(" + ordered_alternation(group) + ")", group))
    return factored_union(patterns), groups


_NONE = np.array(None, dtype=object)


def first_match(
    texts: pd.Series, patterns: Sequence[str], tiers: Sequence[int] | None = None, plain: list[str] | None = None
) -> np.ndarray:
    """Index of the winning rule per text, -1 when none matches.

    The highest tier with any match wins; within a tier the left-most match, and at one position the
    earlier rule. One ``extract`` per tier finds the match; the rule is identified by full-matching the
    distinct matched strings (a small vocabulary such as " sdxl ", memoised) against the tier's patterns:
    rules have no anchors or lookarounds, so the first rule that full-matches a matched string is the one
    the alternation chose. With a single tier the extract itself is the only pass. ``plain``: :func:`plain_texts`
    of ``texts`` when the caller has it (one conversion for several passes over the same texts).
    """
    out = np.full(len(texts), -1, dtype=np.int64)
    if len(texts) == 0 or len(patterns) == 0:
        return out
    pats = tuple(patterns)
    union, groups = _tiers(pats, tiers if tiers is None or isinstance(tiers, tuple) else tuple(int(t) for t in tiers))
    shortest = min(len(union), *(len(c) for _, c, _ in groups))
    # converted for Python `re` once, and only when some pass is small enough to run there
    if len(texts) * shortest > SMALL_PASS * UNION_SCALE:
        plain = None
    elif plain is None:
        plain = plain_texts(texts)
    literals = _table_literals(pats) if plain is not None else ()
    if plain is None or not literals:
        live = contains_at(texts, None, union, plain, UNION_SCALE) if len(groups) > 1 else np.ones(len(texts), dtype=bool)
    else:  # only the texts holding a literal some rule needs can match
        held = np.asarray(_Joined(plain).holding(literals), dtype=np.int64)
        live = np.zeros(len(texts), dtype=bool)
        if held.size:
            live[held] = contains_at(texts, held, union, plain, UNION_SCALE) if len(groups) > 1 else True
    for ids, capture, group in groups:
        rows = np.flatnonzero(live)
        if rows.size == 0:
            break
        found = extract_at(texts, rows if rows.size < len(texts) else None, capture, plain, UNION_SCALE)
        hit = np.flatnonzero(np.not_equal(found, _NONE))  # str or None cells
        if hit.size == 0:
            continue
        matched = found[hit].tolist()
        rule_of = {m: _which(group, m) for m in dict.fromkeys(matched)}  # once per distinct matched string
        rule = np.fromiter((rule_of[m] for m in matched), dtype=np.int64, count=len(matched))
        out[rows[hit]] = np.where(rule >= 0, ids[np.maximum(rule, 0)], -1)
        live[rows[hit]] = False
    return out


def match_matrix(texts: pd.Series, patterns: Sequence[str], plain: list[str] | None = None) -> np.ndarray:
    """Boolean (texts x patterns) matrix; each pattern only runs on the texts their union matches.

    Small passes run in Python ``re`` on the texts converted once (``plain``: :func:`plain_texts` of ``texts``
    when the caller has it), each only on the texts holding one of its :func:`_filter_literals`; the matches
    are set in one assignment.
    """
    out = np.zeros((len(texts), len(patterns)), dtype=bool)
    if len(texts) == 0 or len(patterns) == 0:
        return out
    pats = tuple(patterns)
    union = factored_union(pats)
    # converted for Python `re` only when some pass is small enough to run there
    small = len(texts) * min(len(union) / UNION_SCALE, min(map(len, pats))) <= SMALL_PASS
    plain = (plain if plain is not None else plain_texts(texts)) if small else None
    rows = np.flatnonzero(contains_at(texts, None, union, plain, UNION_SCALE))
    if rows.size == 0:
        return out
    values = None if plain is None else [plain[i] for i in rows.tolist()]
    joined = None if values is None else _Joined(values)
    subset: pd.Series | None = None
    hit_rows: list[int] = []
    hit_columns: list[int] = []
    for j, pattern in enumerate(pats):
        compiled = _small_regex(rows.size, pattern) if values is not None else None
        if values is None or compiled is None:
            subset = take(texts, rows) if subset is None else subset
            out[rows, j] = contains(subset, pattern)
            continue
        search, literals = compiled.search, _filter_literals(pattern)
        found = [i for i in joined.holding(literals) if search(values[i])] if joined and literals else [
            i for i, v in enumerate(values) if search(v)]  # fmt: skip
        hit_rows += found
        hit_columns += [j] * len(found)
    out[rows[hit_rows], hit_columns] = True
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
