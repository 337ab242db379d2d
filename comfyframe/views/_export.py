"""Write the tables to CSV or Parquet, and read such an export back with its dtypes.

CSV is written for spreadsheets that must not be turned against their user:

- every text field is quoted (``csv.QUOTE_NONNUMERIC``), so a CR, LF or TAB in a
  model name stays inside its field and cannot start a new record;
- text a spreadsheet would run as a formula (``= + - @`` and their full-width
  forms, also after leading whitespace or control characters, or a leading
  control character) gets a leading apostrophe;
- tuple cells are ``;``-joined (``%`` and ``;`` inside a value as ``%25``/``%3B``);
- an empty field is the column's empty value: ``''`` in the columns where the
  builders write ``''`` for "none" (:data:`comfyframe.tables._schema.EMPTY_TEXT`:
  ``family``, ``variant``, ``subfolder`` …), ``()`` in tuple columns, NA
  elsewhere. Where ``''`` is not the empty value (server-provided text such as
  metadata), ``''`` is written as a lone apostrophe so it stays distinct from NA.

A file is written beside its target and renamed into place, so a link already in the output folder
is replaced, never written through; :func:`read_export` follows no link and reports wrong-typed or
out-of-range values as :class:`ComfyFrameError`.

The escaping is reversible: :func:`read_export` restores the exact values and
the dtypes declared in :mod:`comfyframe.tables._schema`. Parquet keeps tuples as lists
of strings (needs pyarrow). ``partition_by="server"`` writes each table as a
hive-partitioned Parquet dataset (``models/server=<URL-encoded>/part-0.parquet``):
pyarrow URL-encodes the value, so ``/``, ``\\`` and ``%`` cannot make a path, and
DuckDB, Spark, Dask and pyarrow decode it back. A value whose folder name would pass 200 bytes
(a 300-character URL) is shortened to its first 60 characters and a hash; the full value is kept in
the files' metadata, and :func:`read_export` restores it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import warnings
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

import numpy as np
import pandas as pd

from ..errors import ComfyFrameError, MissingDependency
from ..support._files import replace_file
from ..support._safe_text import for_terminal
from ..tables._schema import EMPTY_TEXT, EXPORTED, OBJECT, Table

TABLES = tuple(EXPORTED)
FORMATS = ("csv", "parquet")
PARTITION_COLUMNS = ("server",)
# Schema metadata of a partitioned file: the servers in their original order (a dataset reads back by directory).
_ORDER_KEY = b"comfyframe.server_order"
# ... and the full value of each partition whose folder name had to be shortened (see _partition_value).
_NAMES_KEY = b"comfyframe.server_names"
_MAX_PARTITION_NAME = 200  # bytes of URL-encoded value; a folder name may have 255
# After any apostrophes already there: end of text, a control character, or a formula
# character after optional whitespace/control characters. Matching text gets one more apostrophe.
_FORMULA = r"^'*(?:[\x00-\x1f\x7f]|[\s\x00-\x1f\x7f]*[=+\-@\uff1d\uff0b\uff0d\uff20])"
_FORMULA_OR_EMPTY = r"^'*(?:$|[\x00-\x1f\x7f]|[\s\x00-\x1f\x7f]*[=+\-@\uff1d\uff0b\uff0d\uff20])"
_ELEMENT_ESCAPES = {"%25": "%", "%3B": ";"}
# What a damaged or hand-edited export raises while read and cast (pyarrow's errors derive from these).
_READ_ERRORS = (OSError, ValueError, TypeError, OverflowError, LookupError, NotImplementedError)


def _is_collection(value: object) -> bool:
    return isinstance(value, (tuple, list, set, frozenset, np.ndarray))


def _join(value: object) -> object:
    """A tuple as ``;``-joined text; an empty element is a lone ``%``."""
    if not isinstance(value, (tuple, list, set, frozenset, np.ndarray)):
        return value
    parts = (str(v).replace("%", "%25").replace(";", "%3B") or "%" for v in value)
    return ";".join(parts)


def _split(text: str) -> tuple[str, ...]:
    if text == "":
        return ()
    return tuple("" if p == "%" else re.sub("%(25|3B)", lambda m: _ELEMENT_ESCAPES[m.group()], p)
                 for p in text.split(";"))


def _pattern(column: str, tuples: bool) -> str:
    """Which text gets an apostrophe: formulas, and ``''`` where an empty field would mean NA."""
    return _FORMULA if tuples or column in EMPTY_TEXT else _FORMULA_OR_EMPTY


def _neutralise(text: pd.Series, pattern: str) -> pd.Series:
    text = text.astype("string")
    risky = text.str.match(pattern).fillna(False).astype(bool)
    return text.mask(risky, "'" + text)


def _restore(text: pd.Series, pattern: str) -> pd.Series:
    text = text.astype("string")
    escaped = (text.str.startswith("'") & text.str.match(pattern)).fillna(False).astype(bool)
    return text.mask(escaped, text.str.slice(1))


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if frame[c].dtype == object or isinstance(frame[c].dtype, pd.StringDtype)]


def _holds_collections(values: pd.Series) -> bool:
    """Whether any cell is a tuple/list/set (an empty string column maps to strings, which cannot reduce)."""
    return any(_is_collection(v) for v in values.to_numpy(dtype=object))


def for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy ready for CSV: tuples ``;``-joined, formula-like and empty text escaped (see module doc)."""
    out = frame.copy()
    for column in _text_columns(out):
        values = out[column]
        tuples = _holds_collections(values)
        if tuples:
            values = values.map(_join)
        out[column] = _neutralise(values, _pattern(str(column), tuples))
    return out


def for_json(frame: pd.DataFrame, *, ascii: bool = False) -> str:
    """The frame as a JSON array of records: collections as sorted lists, NA as null, ``/`` unescaped.

    ``ascii`` (JSON printed to a terminal) writes every non-ASCII character as a ``\\uXXXX`` escape:
    the same data, and no bidirectional or invisible character reaches the screen.
    """
    text = for_parquet(frame).to_json(orient="records", date_format="iso", force_ascii=False)
    # pandas writes "\/" for every slash (legal JSON, but URLs and paths read badly): re-serialise without it
    return json.dumps(json.loads(text), ensure_ascii=ascii, separators=(",", ":"))


def for_parquet(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy ready for Parquet: tuple cells as lists of strings."""
    out = frame.copy()
    for column in _text_columns(out):
        if _holds_collections(out[column]):
            out[column] = out[column].map(lambda v: [str(x) for x in v] if _is_collection(v) else v)
    return out


def write_csv(frame: pd.DataFrame, target: str | Path | TextIO, *, terminal: bool = False) -> None:
    """Write ``frame`` as spreadsheet-safe CSV (see module doc) to a path or an open text file.

    ``terminal`` (CSV printed to stdout) also shows control, format and separator characters in text as
    escapes (:func:`for_terminal`), so no cell can move the cursor or recolour the screen.
    """
    out = for_csv(frame)
    if terminal:
        for column in _text_columns(out):
            out[column] = out[column].map(for_terminal, na_action="ignore")
    if isinstance(target, (str, Path)):
        replace_file(Path(target), lambda handle: out.to_csv(handle, index=False, quoting=csv.QUOTE_NONNUMERIC),
                      text=True)
    else:
        out.to_csv(target, index=False, quoting=csv.QUOTE_NONNUMERIC)


def export_tables(
    tables: Mapping[str, pd.DataFrame], out_dir: str | Path, format: str = "csv", partition_by: str | None = None
) -> list[Path]:
    """Write each table to ``out_dir/<name>.<format>``; returns the paths written.

    ``partition_by="server"`` (Parquet only) writes ``out_dir/<name>/server=<URL-encoded>/part-0.parquet``
    per table instead, and returns the table folders.
    """
    if format not in FORMATS:
        raise ComfyFrameError(f"Unknown export format {format!r}: use 'csv' or 'parquet'.")
    if partition_by is not None and partition_by not in PARTITION_COLUMNS:
        raise ComfyFrameError(f"Cannot partition by {partition_by!r}: use partition_by='server' (or none).")
    if partition_by is not None and format != "parquet":
        raise ComfyFrameError(
            f"--partition-by {partition_by} needs --format parquet: a partitioned dataset is Parquet files "
            "in server=… folders (CSV exports are one file per table)."
        )
    if format == "parquet":
        _need_pyarrow("Parquet export")
    target = Path(out_dir)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ComfyFrameError(f"Cannot create output folder {target}: {exc.strerror or exc}.") from None
    written: list[Path] = []
    for name, frame in tables.items():
        path = target / (name if partition_by else f"{name}.{format}")
        try:
            if partition_by:
                _write_partitioned(frame, path, partition_by)
            elif format == "csv":
                write_csv(frame, path)
            else:
                replace_file(path, partial(for_parquet(frame).to_parquet, index=False), text=False)
        except OSError as exc:
            raise ComfyFrameError(f"Cannot write {path}: {exc.strerror or exc}.") from None
        written.append(path)
    return written


def _write_partitioned(frame: pd.DataFrame, folder: Path, column: str) -> None:
    """One hive-partitioned dataset; an existing one at ``folder`` is replaced, never merged."""
    import shutil

    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    if folder.is_symlink():
        folder.unlink()  # a link is replaced by the dataset, never followed
    elif folder.is_dir():
        shutil.rmtree(folder)
    servers = [str(v) for v in pd.unique(frame[column].dropna())]
    order = json.dumps(servers).encode()
    short = {value: _partition_value(value) for value in servers}
    names = {v: k for k, v in short.items() if v != k}  # folder value -> full value, for the long ones
    data = for_parquet(frame)
    if names:
        data[column] = data[column].map(lambda v: short.get(v, v))
    table = pa.Table.from_pandas(data, preserve_index=False)
    metadata = {_ORDER_KEY: order, **({_NAMES_KEY: json.dumps(names).encode()} if names else {})}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    if frame.empty or frame[column].isna().any():
        if frame[column].isna().any():
            raise ComfyFrameError(f"Cannot partition {folder.name} by {column}: some rows have no {column}.")
        folder.mkdir(parents=True)  # no partitions to write: one empty file keeps the columns
        pq.write_table(table, folder / "part-0.parquet")
        return
    try:
        # Single-threaded: rows keep their order inside each partition. Hive values are URL-encoded ("uri").
        partitioning = ds.partitioning(pa.schema([table.schema.field(column)]), flavor="hive")
        ds.write_dataset(table, folder, format="parquet", partitioning=partitioning,
                         basename_template="part-{i}.parquet", use_threads=False)
    except pa.ArrowException as exc:
        raise ComfyFrameError(f"Cannot write {folder}: {exc}.") from None


def _partition_value(value: str) -> str:
    """The folder value of a partition: ``value`` itself, or when its URL encoding would make a folder name
    too long for a file system (255 bytes), a readable prefix and a hash of the whole (the full value is kept
    in the files' metadata and restored by :func:`read_export`)."""
    if len(quote(value, safe="")) <= _MAX_PARTITION_NAME:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "backslashreplace")).hexdigest()[:16]
    return f"{value[:60]}~{digest}"


def read_export(directory: str | Path) -> dict[str, pd.DataFrame]:
    """Load an export written by ``Discovery.export`` (CSV or Parquet) back into the original dtypes.

    Returns ``{"models": …, "nodes": …, "edges": …, "hardware": …, "capabilities": …}``
    for the tables present; tuple columns come back as tuples, escaped text unescaped.
    """
    folder = Path(directory)
    found: dict[str, pd.DataFrame] = {}
    for name, table in EXPORTED.items():
        parquet, text, dataset = folder / f"{name}.parquet", folder / f"{name}.csv", folder / name
        for path in (parquet, text, dataset):
            _refuse_link(path)
        try:
            if parquet.exists():
                _need_pyarrow("Reading a Parquet export")
                found[name] = _typed(pd.read_parquet(parquet), table, from_csv=False)
            elif dataset.is_dir():
                _need_pyarrow("Reading a Parquet dataset")
                found[name] = _typed(_read_partitioned(dataset, table), table, from_csv=False)
            elif text.exists():
                raw = pd.read_csv(text, dtype=str, keep_default_na=False, na_values=[""])
                found[name] = _typed(raw, table, from_csv=True)
        except _READ_ERRORS as exc:
            raise ComfyFrameError(
                f"Cannot read {name} from {folder}: {str(exc)[:300]}. Is it a comfyframe export? "
                "(A value of the wrong type or out of range in a column, or a damaged file.)"
            ) from None
    if not found:
        raise ComfyFrameError(
            f"No exported tables in {folder}: expected models.csv or models.parquet (written by Discovery.export)."
        )
    return found


def _read_partitioned(folder: Path, table: Table) -> pd.DataFrame:
    """A hive-partitioned dataset with its partition column back in place and the servers in their original order."""
    import pyarrow.dataset as ds

    dataset = ds.dataset(_dataset_files(folder), format="parquet", partitioning="hive",
                         partition_base_dir=str(folder))
    frame = dataset.to_table().to_pandas()
    for column in PARTITION_COLUMNS:
        if column in frame.columns and isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype(object)
    metadata = dataset.schema.metadata or {}
    if _NAMES_KEY in metadata and "server" in frame.columns:  # long values, shortened in their folder names
        names = json.loads(metadata[_NAMES_KEY])
        frame["server"] = frame["server"].map(lambda v: names.get(v, v))
    if _ORDER_KEY in metadata and "server" in frame.columns:
        order = {server: i for i, server in enumerate(json.loads(metadata[_ORDER_KEY]))}
        rank = frame["server"].map(order).fillna(len(order))
        frame = frame.iloc[np.argsort(rank.to_numpy(), kind="stable")].reset_index(drop=True)
    declared = [c.name for c in table.columns if c.name in frame.columns]
    return frame[declared + [c for c in frame.columns if c not in declared]]


def _dataset_files(folder: Path) -> list[str]:
    """The Parquet files of a dataset folder, found without following a link (a link is refused)."""
    files: list[str] = []
    for root, dirs, names in os.walk(folder, followlinks=False):
        for entry in [*dirs, *names]:
            _refuse_link(Path(root) / entry)
        files.extend(str(Path(root) / n) for n in sorted(names) if n.endswith(".parquet") and not n.startswith("."))
        dirs.sort()
    return files


def _refuse_link(path: Path) -> None:
    if path.is_symlink():
        raise ComfyFrameError(
            f"{path} is a symbolic link; read_export does not follow links (they can loop or point outside "
            "the export). Replace it with the file or folder itself."
        )


def _typed(frame: pd.DataFrame, table: Table, *, from_csv: bool) -> pd.DataFrame:
    """Cast the declared columns to their dtypes, undoing the CSV escapes."""
    out = frame.copy()
    for column in table.columns:
        if column.name not in out.columns:
            continue
        values = out[column.name]
        if from_csv and (column.dtype in (OBJECT, "string")):
            values = _restore(values, _pattern(column.name, column.dtype == OBJECT))
            if column.dtype == OBJECT or column.name in EMPTY_TEXT:
                values = values.fillna("")
        if column.dtype == OBJECT:
            cells = np.empty(len(values), dtype=object)  # element-wise: tuples must stay cells
            cells[:] = [_split(v) if isinstance(v, str) else tuple(map(str, v)) if _is_collection(v) else v
                        for v in values.astype(object)]
            out[column.name] = pd.Series(cells, index=out.index, dtype=object)
        elif column.dtype == "boolean" and from_csv:
            odd = values.notna() & ~values.isin(["True", "False"])
            if odd.any():
                raise ValueError(f"column {column.name} holds {str(values[odd].iloc[0])[:40]!r}, not True or False")
            out[column.name] = values.map({"True": True, "False": False}).astype("boolean")
        elif column.dtype.startswith("datetime64"):
            out[column.name] = _checked(values, pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce"),
                                        column.name, "an ISO 8601 time").astype(column.dtype)  # fmt: skip
        elif column.dtype in ("Int64", "int64", "float64") and from_csv:
            numbers = _checked(values, pd.to_numeric(values, errors="coerce"), column.name, "a number")
            if column.dtype != "float64":
                _check_whole(values, numbers, column.name)
            out[column.name] = numbers.astype(column.dtype)
        else:
            with warnings.catch_warnings():  # the ValueError below says it; numpy's cast warning would repeat it
                warnings.simplefilter("ignore", RuntimeWarning)
                out[column.name] = values.astype(column.dtype)
    return out


def _checked(raw: pd.Series, parsed: pd.Series, name: str, what: str) -> pd.Series:
    """``parsed``, or a ValueError naming the first cell that held something but did not parse."""
    bad = raw.notna() & parsed.isna()
    if bad.any():
        raise ValueError(f"column {name} holds {str(raw[bad].iloc[0])[:40]!r}, not {what}")
    return parsed


def _check_whole(raw: pd.Series, numbers: pd.Series, name: str) -> None:
    """A ValueError naming the first cell of an integer column that is fractional or beyond 64 bits."""
    finite = numbers.astype("float64")
    bad = finite.notna() & ((finite.abs() >= 2.0**63) | (finite % 1 != 0))
    if bad.any():
        raise ValueError(f"column {name} holds {str(raw[bad].iloc[0])[:40]!r}, not a whole number within 64 bits")


def _need_pyarrow(what: str) -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise MissingDependency(
            f"{what} needs pyarrow: pip install 'comfyframe[parquet]' (or pip install pyarrow), "
            "or use format='csv'."
        ) from None
