"""Write the tables to CSV or Parquet.

CSV: set/tuple cells become ``;``-joined sorted values, and text cells that a
spreadsheet would run as a formula (leading ``= + - @``, tab, CR) get a leading
apostrophe, so a hostile model name cannot execute in Excel.
Parquet keeps sets and tuples as lists of strings (needs pyarrow).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .errors import ComfyFrameError, MissingDependency

if TYPE_CHECKING:
    from ._discovery import Discovery

TABLES = ("models", "nodes", "edges", "hardware", "capabilities", "pipelines")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _collection_columns(frame: pd.DataFrame) -> list[str]:
    return [
        c
        for c in frame.columns
        if frame[c].dtype == object and frame[c].map(lambda v: isinstance(v, (tuple, frozenset, set, list))).any()
    ]


def for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy ready for CSV: collections joined with ``;``, formula-like text neutralised."""
    out = frame.copy()
    for column in _collection_columns(out):
        out[column] = out[column].map(
            lambda v: ";".join(sorted(map(str, v))) if isinstance(v, (tuple, frozenset, set, list)) else v
        )
    for column in out.columns:
        if out[column].dtype == object or isinstance(out[column].dtype, pd.StringDtype):
            text = out[column].astype("string")
            risky = text.str.startswith(FORMULA_START).fillna(False)
            if risky.any():
                out[column] = text.mask(risky, "'" + text)
    return out


def for_json(frame: pd.DataFrame) -> str:
    """The frame as a JSON array of records: collections as sorted lists, NA as null."""
    return for_parquet(frame).to_json(orient="records", date_format="iso", force_ascii=False)


def for_parquet(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy ready for Parquet: collections as sorted lists of strings."""
    out = frame.copy()
    for column in _collection_columns(out):
        out[column] = out[column].map(lambda v: sorted(map(str, v)) if isinstance(v, (tuple, frozenset, set, list)) else v)
    return out


def export_tables(discovery: Discovery, out_dir: str | Path, format: str = "csv") -> list[Path]:
    """Write every table of ``discovery`` into ``out_dir``; returns the paths written."""
    if format not in ("csv", "parquet"):
        raise ComfyFrameError(f"Unknown export format {format!r}: use 'csv' or 'parquet'.")
    if format == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise MissingDependency(
                "Parquet export needs pyarrow: pip install 'comfyframe[parquet]' (or pip install pyarrow), "
                "or export with format='csv'."
            ) from None
    target = Path(out_dir)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ComfyFrameError(f"Cannot create output folder {target}: {exc.strerror or exc}.") from None
    written: list[Path] = []
    for name in TABLES:
        frame: pd.DataFrame = getattr(discovery, name)
        path = target / f"{name}.{format}"
        try:
            if format == "csv":
                for_csv(frame).to_csv(path, index=False)
            else:
                for_parquet(frame).to_parquet(path, index=False)
        except OSError as exc:
            raise ComfyFrameError(f"Cannot write {path}: {exc.strerror or exc}.") from None
        written.append(path)
    return written
