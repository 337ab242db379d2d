"""Text columns of the inference as Arrow-backed strings, worked on in Arrow without per-row Python.

With pyarrow the helpers call its compute kernels directly on the Arrow array (a pandas ``Series.str`` step
wraps every result in a Series, which costs more than the work on a small table); without pyarrow pandas
does the same work. Texts handed around hold no NA (:func:`as_text`) and a fresh positional index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..tables._schema import arrow_strings

try:
    import pyarrow as pa
    import pyarrow.compute as pc

    TEXT: pd.StringDtype = pd.StringDtype("pyarrow")
except ImportError:  # pragma: no cover - pyarrow is optional
    pa = pc = None
    TEXT = pd.StringDtype("python")


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
    """Is every text "" (texts from :func:`as_text`, or Arrow-backed text whose NA count as blank)."""
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


def strip(texts: pd.Series) -> pd.Series:
    """Each text without surrounding whitespace (texts hold no NA)."""
    data = _arrow(texts)
    return texts.str.strip() if data is None else _wrap(pc.utf8_trim_whitespace(data))


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


def to_objects(texts: pd.Series) -> np.ndarray:
    """``texts.to_numpy(dtype=object, na_value="")``: an object array of str, straight from Arrow when Arrow-backed."""
    data = _arrow(texts)
    if data is None:
        return texts.to_numpy(dtype=object, na_value="")
    if data.null_count:
        data = pc.fill_null(data, pa.scalar("", data.type))
    return data.to_numpy(zero_copy_only=False)


def part(texts: pd.Series, start: int, stop: int) -> pd.Series:
    """``texts[start:stop]`` as a fresh positional series (Arrow slices without copying)."""
    data = _arrow(texts)
    if data is None:
        return texts.iloc[start:stop].reset_index(drop=True)
    return _wrap(data.slice(start, stop - start))


def lower(texts: pd.Series) -> pd.Series:
    """Each text lower-cased (Unicode, as ``Series.str.lower``)."""
    data = _arrow(texts)
    return texts.str.lower() if data is None else _wrap(pc.utf8_lower(data))


def objects_at(texts: pd.Series, rows: np.ndarray) -> np.ndarray:
    """``texts.iloc[rows].to_numpy(dtype=object, na_value="")`` (any index, NA allowed): straight from Arrow when
    Arrow-backed."""
    data = _arrow(texts)
    if data is None:
        return texts.iloc[rows].to_numpy(dtype=object, na_value="")
    found = data.take(pa.array(np.asarray(rows, dtype=np.int64)))
    if found.null_count:
        found = pc.fill_null(found, pa.scalar("", found.type))
    return found.to_numpy(zero_copy_only=False)


def take(texts: pd.Series, rows: np.ndarray) -> pd.Series:
    """``texts`` at positions ``rows``, as a fresh positional series."""
    data = _arrow(texts)
    if data is None:
        return texts.iloc[rows].reset_index(drop=True)
    return _wrap(data.take(pa.array(np.asarray(rows, dtype=np.int64))))


def lookup(values: pd.Series | np.ndarray, mapping: pd.Series | dict[object, object], default: object) -> np.ndarray:
    """``mapping[value]`` per value (``default`` when absent), resolved once per distinct value."""
    codes, distinct = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
    table = mapping.to_dict() if isinstance(mapping, pd.Series) else mapping
    found = np.empty(len(distinct) + 1, dtype=object)
    found[:-1] = [table.get(v, default) for v in distinct]
    found[-1] = default
    return found[codes]


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
