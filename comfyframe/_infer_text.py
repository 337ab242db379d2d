"""Vectorised name normalisation and rule matching shared by the inference modules.

Names are normalised once per distinct value: upper-case tokens glued between others split out
(rules/glued_tokens.csv: "WAN22I2VGGUF" -> "WAN22 I2V GGUF"), CamelCase split, lower-cased, every run of characters other
than ``[a-z0-9.]`` turned into one space and padded (``"Wan2.1_T2V_1.3B"`` -> ``" wan2.1 t2v 1.3b "``).
Rule tables are matched with a few regex passes over the whole column, never row by row. With pyarrow the
passes call its RE2 kernels directly on the Arrow array (pandas would re-parse every pattern in Python to
check that RE2 accepts it, and wrap every step in a Series, which costs more than the match on a small
table); without pyarrow ``Series.str`` does the same work. Every RE2 call compiles its pattern, so callers
batch texts into as few passes as they can, and small passes run in Python ``re`` (compiled once). A rule
table's alternation is written with the separator class its rules start with once (``factored_union``,
``ordered_alternation``), which makes even a few hundred names x two hundred rules cheaper in Python.
A Python pass searches only the texts holding a literal its pattern needs (``_infer_literals``: a ``str in``
test costs a tenth of a search), and texts are converted to Python once for all the passes over them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import cache, lru_cache
from itertools import accumulate
from typing import Any

import numpy as np
import pandas as pd

from . import _rules
from ._infer_literals import required_literals
from ._schema import arrow_strings

try:
    import pyarrow as pa
    import pyarrow.compute as pc

    TEXT: pd.StringDtype = pd.StringDtype("pyarrow")
except ImportError:  # pragma: no cover - pyarrow is optional
    pa = pc = None
    TEXT = pd.StringDtype("python")

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


def as_text(values: pd.Series | Sequence[object] | np.ndarray) -> pd.Series:
    """Strings as the fast string dtype with a fresh positional index, NA replaced by "" (texts already so, such
    as this module's results, are returned as they are: nothing here changes a Series in place)."""
    data = _arrow_text(values)
    if data is not None:
        if data.null_count:
            data = pc.fill_null(data, pa.scalar("", data.type))
        elif isinstance(values, pd.Series) and values.dtype == TEXT and _positional(values.index):
            return values
        return _wrap(data)
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
    if series.dtype != TEXT or series.hasnans:
        series = series.astype(TEXT).fillna("")
    return series.reset_index(drop=True)


def _positional(index: pd.Index) -> bool:
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


def _arrow_text(values: pd.Series | Sequence[object] | np.ndarray) -> Any:
    """``values`` as Arrow text without pandas' cell-by-cell pass: Arrow-backed text as it is, a list or
    array of str and None copied by Arrow; None for anything else (numbers, NaN …: pandas converts those)."""
    if pc is None or TEXT.storage != "pyarrow":
        return None
    if isinstance(values, pd.Series):
        if values.dtype == TEXT:
            return values.array.__arrow_array__()
        if values.dtype != object:
            return None
        values = values.to_numpy()
    return arrow_strings(values)


def all_blank(texts: pd.Series) -> bool:
    """Is every text "" (texts from :func:`as_text`: no NA)."""
    data = _arrow(texts)
    if data is None:
        return not texts.ne("").any()
    longest = pc.max(pc.binary_length(data)).as_py()
    return longest is None or longest == 0


def _arrow(texts: pd.Series) -> Any:
    if pc is not None and isinstance(texts.dtype, pd.StringDtype) and texts.dtype.storage == "pyarrow":
        return texts.array.__arrow_array__()
    return None


def _wrap(data: Any) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(data), copy=False)  # its dtype is TEXT


@cache
def glued_pattern() -> str:
    """Alternation of the tokens split out of glued names (rules/glued_tokens.csv).

    Upper case only, except tokens with a digit between letters ("I2V", "TI2V"): no word holds such a run,
    so "wan22i2vfast" is cut too (both spellings, in the table's order: TI2V before I2V).
    """
    tokens = _rules.glued_tokens()
    return "(" + "|".join(f"{t}|{t.lower()}" if re.fullmatch(r"[A-Z]+[0-9][A-Z]+", t) else t for t in tokens) + ")"


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


@lru_cache(maxsize=4096)
def _filter_literals(pattern: str) -> tuple[str, ...]:
    """The :func:`~comfyframe._infer_literals.required_literals` worth testing before a search: at most
    FILTER_LITERALS, none a single character (which nearly every text holds); () when none are."""
    literals = required_literals(pattern)
    if literals is None or len(literals) > FILTER_LITERALS or min(map(len, literals)) < 2:
        return ()
    return literals


# A replace pass in Python ``re`` on up to this many texts (the ones holding a literal the pattern needs) beats
# one in RE2, which compiles its pattern (~30 µs); a Python substitution costs 1-2 µs a text.
SMALL_REPLACE = 16


def suffix(texts: pd.Series, end: str) -> pd.Series:
    """Each text with ``end`` appended."""
    data = _arrow(texts)
    if data is None:
        return texts + end
    return _wrap(pc.binary_join_element_wise(data, pa.scalar(end, data.type), pa.scalar("", data.type)))


def join_each(left: pd.Series, right: pd.Series) -> pd.Series:
    """``left + right`` per row (texts hold no NA)."""
    a, b = _arrow(left), _arrow(right)
    if a is None or b is None:
        return (left + right).astype(TEXT)
    return _wrap(pc.binary_join_element_wise(a, b, pa.scalar("", a.type)))


def join_words(left: pd.Series, right: pd.Series) -> pd.Series:
    """``left + " " + right`` per row, surrounding whitespace stripped (texts hold no NA)."""
    a, b = _arrow(left), _arrow(right)
    if a is None or b is None:
        return (left + " " + right).str.strip()
    return _wrap(pc.utf8_trim_whitespace(pc.binary_join_element_wise(a, b, pa.scalar(" ", a.type))))


def fill_blank(texts: pd.Series, other: pd.Series, prefix: str) -> pd.Series:
    """Each blank text replaced by ``prefix + other`` where that row's ``other`` is not blank."""
    a, b = _arrow(texts), _arrow(other)
    if a is None or b is None:
        return texts.where(~(texts.eq("") & other.ne("")), prefix + other)
    blank = pc.and_(pc.equal(a, pa.scalar("", a.type)), pc.not_equal(b, pa.scalar("", b.type)))
    return _wrap(pc.if_else(blank, pc.binary_join_element_wise(pa.scalar(prefix, b.type), b, pa.scalar("", b.type)), a))


def concat(parts: Sequence[pd.Series]) -> pd.Series:
    """Texts of several series end to end (one regex pass instead of several)."""
    datas = [_arrow(p) for p in parts]
    if all(d is not None for d in datas):
        chunks = [c for d in datas for c in d.chunks]
        return _wrap(pa.chunked_array(chunks, type=datas[0].type) if chunks else datas[0])
    return pd.concat(list(parts), ignore_index=True)


def joint_codes(columns: Sequence[pd.Series]) -> tuple[np.ndarray, np.ndarray] | None:
    """``pd.factorize`` of the columns end to end, NA as "": (int64 codes, distinct str), straight in Arrow.

    None when a column is not Arrow-backed text (then factorize with pandas).
    """
    if pc is None or not all(isinstance(c.dtype, pd.StringDtype) and c.dtype.storage == "pyarrow" for c in columns):
        return None
    chunks = [chunk for c in columns for chunk in c.array.__arrow_array__().chunks]
    if not chunks or len({chunk.type for chunk in chunks}) > 1:
        return None
    data = pa.chunked_array(chunks).combine_chunks()
    if data.null_count:
        data = pc.fill_null(data, pa.scalar("", data.type))
    if len(data) and data[0] == data[-1] and pc.all(pc.equal(data, data[0])).as_py():  # one value (a server's URL)
        return np.zeros(len(data), dtype=np.int64), np.array([data[0].as_py()], dtype=object)
    encoded = pc.dictionary_encode(data)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)


def codes_in(texts: pd.Series, distinct: np.ndarray) -> np.ndarray:
    """Position of each text (NA as "") in ``distinct`` (str), -1 when absent."""
    text = as_text(texts)
    data = _arrow(text)
    if data is None or len(distinct) == 0:
        return pd.Index(distinct, dtype=object).get_indexer(text.to_numpy(dtype=object)).astype(np.int64)
    found = pc.index_in(data, value_set=pa.array(distinct.tolist(), type=data.type))
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def take(texts: pd.Series, rows: np.ndarray) -> pd.Series:
    """``texts`` at positions ``rows``, as a fresh positional series."""
    data = _arrow(texts)
    if data is None:
        return texts.iloc[rows].reset_index(drop=True)
    return _wrap(data.take(pa.array(np.asarray(rows, dtype=np.int64))))


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


def _groups(compiled: re.Pattern[str], values: list[str]) -> np.ndarray:
    """Object array of each value's first group ("" for a group that took no part, as RE2), None: no match."""
    found = np.empty(len(values), dtype=object)
    found[:] = [None if m is None else m.group(1) or "" for m in map(compiled.search, values)]
    return found


# Above this many substrings, testing each costs about what the search would (measured: ~50 ns a test, 0.3-1 µs a
# search of a rule alternation).
FILTER_LITERALS = 8


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


def extract(texts: pd.Series, pattern: str, scale: int = 1) -> np.ndarray:
    """Object array: the first capture group of the left-most match per text, None when none (``scale``: see
    :func:`contains`)."""
    if len(texts) == 0:
        return np.empty(0, dtype=object)
    data = _arrow(texts)
    if data is not None:
        named = pattern.replace("(", "(?P<m>", 1) if not pattern.startswith("(?P<") else pattern
        small = _small_pass(data, named, scale)
        if small is not None and small[0].groups == len(small[0].groupindex) > 0:
            return _groups(small[0], small[1])
        return pc.struct_field(pc.extract_regex(data, named), [0]).to_numpy(zero_copy_only=False)
    found = texts.str.extract(pattern, expand=False)
    return found.astype(object).where(found.notna(), None).to_numpy(dtype=object)


def alternation(patterns: Sequence[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


_LEADING_CLASS = re.compile(r"\[\^?\]?[^\]]*\]")


@cache
def factored_union(patterns: tuple[str, ...]) -> str:
    """A pattern that matches where any of ``patterns`` does, the leading class most of them share written once.

    Rule patterns mostly start with a separator class (``[^a-z0-9]sd[ .]?xl``): ``[^a-z0-9](?:(?:sd[ .]?xl)|…)``
    matches the same texts, and a backtracking engine tries the branches only after a separator. Only for
    "does any match" (which pattern, and where, may differ): patterns whose top level is not that class
    followed by a sequence are kept whole.
    """
    lead = _common_lead(patterns)
    rests = [_after_lead(p, lead) if lead else None for p in patterns]
    shared = [r for r in rests if r is not None]
    if len(shared) < 2:
        return alternation(patterns)
    whole = [p for p, r in zip(patterns, rests) if r is None]
    return "|".join([f"{lead}(?:{alternation(shared)})", *(f"(?:{p})" for p in whole)])


def ordered_alternation(patterns: Sequence[str]) -> str:
    """The alternation of ``patterns`` (same matches, same winner at each position: leftmost-first), each run
    of consecutive patterns that start with the most shared leading class written ``class(?:a|b|…)``.

    The class matches one character, so ``class(?:a|b)`` tries exactly what ``(?:class a)|(?:class b)`` does,
    in the same order; a backtracking engine tries the run's branches only where the class matches.
    """
    lead = _common_lead(tuple(patterns))
    parts: list[str] = []
    run: list[str] = []

    def close_run() -> None:
        if run:
            parts.append(f"{lead}(?:{alternation(run)})" if len(run) > 1 else f"(?:{lead}{run[0]})")
            run.clear()

    for pattern in patterns:
        rest = _after_lead(pattern, lead) if lead else None
        if rest is not None:
            run.append(rest)
            continue
        close_run()
        parts.append(f"(?:{pattern})")
    close_run()
    return "|".join(parts)


@cache
def _common_lead(patterns: tuple[str, ...]) -> str:
    """The bracket class most patterns start with ("" when none): one character, no escapes inside."""
    leads = [m.group() for p in patterns if (m := _LEADING_CLASS.match(p)) and "\\" not in m.group()]
    return max(sorted(set(leads)), key=leads.count) if leads else ""


def _after_lead(pattern: str, lead: str) -> str | None:
    """What follows ``lead`` when ``pattern`` is ``lead`` then a sequence: no quantifier on the lead and no
    top-level ``|`` (scanned past escapes, classes and groups); None otherwise."""
    rest = pattern[len(lead):]
    if not pattern.startswith(lead) or not rest or rest[0] in "*+?{":
        return None
    depth, i, in_class = 0, 0, False
    while i < len(rest):
        c = rest[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 1
            i += rest.startswith("^", i)
            i += rest.startswith("]", i)  # a "]" first in a class is a literal in both engines
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return None
        i += 1
    return rest


@cache
def _tiers(patterns: tuple[str, ...], tiers: tuple[int, ...] | None) -> tuple[str, list[tuple[np.ndarray, str]]]:
    """(:func:`factored_union` of all patterns, [(rule ids, capturing alternation)] per tier, highest tier first)."""
    levels = np.zeros(len(patterns), dtype=np.int64) if tiers is None else np.asarray(tiers, dtype=np.int64)
    groups = []
    for tier in sorted(set(levels.tolist()), reverse=True):
        ids = np.flatnonzero(levels == tier)
        groups.append((ids, "(" + ordered_alternation([patterns[i] for i in ids]) + ")"))
    return factored_union(patterns), groups


_NONE = np.array(None, dtype=object)


def first_match(texts: pd.Series, patterns: Sequence[str], tiers: Sequence[int] | None = None) -> np.ndarray:
    """Index of the winning rule per text, -1 when none matches.

    The highest tier with any match wins; within a tier the left-most match, and at one position the
    earlier rule. One ``extract`` per tier finds the match; the rule is identified by full-matching the
    distinct matched strings (a small vocabulary such as " sdxl ", memoised) against the tier's patterns:
    rules have no anchors or lookarounds, so the first rule that full-matches a matched string is the one
    the alternation chose. With a single tier the extract itself is the only pass.
    """
    out = np.full(len(texts), -1, dtype=np.int64)
    if len(texts) == 0 or len(patterns) == 0:
        return out
    pats = tuple(patterns)
    union, groups = _tiers(pats, None if tiers is None else tuple(int(t) for t in tiers))
    shortest = min(len(union), *(len(c) for _, c in groups))
    # converted for Python `re` once, and only when some pass is small enough to run there
    plain = plain_texts(texts) if len(texts) * shortest <= SMALL_PASS * UNION_SCALE else None
    literals = _table_literals(pats) if plain is not None else ()
    if plain is None or not literals:
        live = contains_at(texts, None, union, plain, UNION_SCALE) if len(groups) > 1 else np.ones(len(texts), dtype=bool)
    else:  # only the texts holding a literal some rule needs can match
        held = np.asarray(_Joined(plain).holding(literals), dtype=np.int64)
        live = np.zeros(len(texts), dtype=bool)
        if held.size:
            live[held] = contains_at(texts, held, union, plain, UNION_SCALE) if len(groups) > 1 else True
    for ids, capture in groups:
        rows = np.flatnonzero(live)
        if rows.size == 0:
            break
        found = extract_at(texts, rows if rows.size < len(texts) else None, capture, plain, UNION_SCALE)
        hit = np.flatnonzero(np.not_equal(found, _NONE))  # str or None cells
        if hit.size == 0:
            continue
        matched = found[hit].tolist()
        group = tuple(pats[i] for i in ids)
        rule_of = {m: _which(group, m) for m in dict.fromkeys(matched)}  # once per distinct matched string
        rule = np.fromiter((rule_of[m] for m in matched), dtype=np.int64, count=len(matched))
        out[rows[hit]] = np.where(rule >= 0, ids[np.maximum(rule, 0)], -1)
        live[rows[hit]] = False
    return out


def match_matrix(texts: pd.Series, patterns: Sequence[str]) -> np.ndarray:
    """Boolean (texts x patterns) matrix; each pattern only runs on the texts their union matches.

    Small passes run in Python ``re`` on the texts converted once, each only on the texts holding one of its
    :func:`_filter_literals`; the matches are set in one assignment.
    """
    out = np.zeros((len(texts), len(patterns)), dtype=bool)
    if len(texts) == 0 or len(patterns) == 0:
        return out
    pats = tuple(patterns)
    union = factored_union(pats)
    # converted for Python `re` only when some pass is small enough to run there
    small = len(texts) * min(len(union) / UNION_SCALE, min(map(len, pats))) <= SMALL_PASS
    plain = plain_texts(texts) if small else None
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


# Most substrings a rule table's prefilter tests (each costs one ``str.find`` over the joined texts).
TABLE_LITERALS = 64


@cache
def _table_literals(patterns: tuple[str, ...]) -> tuple[str, ...]:
    """Substrings one of which every match of any of ``patterns`` holds; () when some pattern has none worth
    testing (a single character) or there are over TABLE_LITERALS."""
    found: set[str] = set()
    for pattern in patterns:
        literals = required_literals(pattern)
        if literals is None or min(map(len, literals)) < 2:
            return ()
        found.update(literals)
    return tuple(sorted(found)) if len(found) <= TABLE_LITERALS else ()


class _Joined:
    """Printable texts joined by a newline (which none holds): which texts hold a substring is then a few
    ``str.find`` calls over one string instead of a test per text (a substring across a newline, which no rule
    literal holds, would only add a text to search)."""

    def __init__(self, values: list[str]) -> None:
        self.text = "\n".join(values)
        self.starts = list(accumulate((len(v) + 1 for v in values), initial=0))  # each text's start, then the end

    def holding(self, literals: Sequence[str]) -> list[int]:
        """Positions of the texts that hold at least one of ``literals``, in order."""
        found: set[int] = set()
        text, starts = self.text, self.starts
        for literal in literals:
            at = text.find(literal)
            while at >= 0:
                index = bisect_right(starts, at) - 1
                found.add(index)
                at = text.find(literal, starts[index + 1])
        return sorted(found)


def _holding(values: list[str], literals: tuple[str, ...]) -> list[int]:
    """Positions of the values that hold at least one of ``literals``, in order."""
    if len(literals) == 1:
        literal = literals[0]
        return [i for i, v in enumerate(values) if literal in v]
    return sorted({i for x in literals for i, v in enumerate(values) if x in v})


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
    codes, distinct = factorize(as_text(values))
    return codes, normalize(distinct)


def factorize(texts: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """``pd.factorize`` of texts without NA (from :func:`as_text`): (int64 codes, distinct texts in order of first
    appearance), straight in Arrow when the texts are Arrow-backed."""
    data = _arrow(texts)
    if data is None:
        codes, distinct = pd.factorize(texts, use_na_sentinel=False)
        return codes.astype(np.int64), as_text(np.asarray(distinct, dtype=object))
    if isinstance(data, pa.ChunkedArray):
        data = data.combine_chunks()
    encoded = pc.dictionary_encode(data)
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), _wrap(encoded.dictionary)
