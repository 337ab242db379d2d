"""use_count and last_used per model: distinct prompts per (server, folder, name), the latest known time."""

from __future__ import annotations

import numpy as np
import pandas as pd

from comfyframe.inventory._usage import usage_columns
from comfyframe.tables._schema import USAGE, from_columns

T1, T2 = pd.Timestamp("2026-01-01 10:00", tz="UTC"), pd.Timestamp("2026-01-02 09:30", tz="UTC")


def _usage(rows: list[tuple[str | None, str | None, pd.Timestamp | None, str | None, str | None]]) -> pd.DataFrame:
    """Usage rows (server, prompt_id, time, folder, name) on one loader input."""
    columns = ("server", "prompt_id", "time", "folder", "name")
    data = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    data.update(status=["success"] * len(rows), node=["Loader"] * len(rows), input=["ckpt_name"] * len(rows))
    return from_columns(USAGE, data, len(rows))


def test_counts_distinct_prompts_and_keeps_the_latest_time() -> None:
    models = pd.DataFrame({
        "server": pd.array(["s", "s", "s", "t", "s"], dtype="string"),
        "folder": pd.array(["checkpoints", "checkpoints", "loras", "checkpoints", None], dtype="string"),
        "name": pd.array(["a", "b", "a", "a", "c"], dtype="string"),
    }, index=[10, 11, 12, 13, 14])  # fmt: skip
    usage = _usage([
        ("s", "p1", T1, "checkpoints", "a"),
        ("s", "p1", T1, "checkpoints", "a"),  # the same prompt twice: one use
        ("s", "p2", T2, "checkpoints", "a"),
        ("s", "p3", None, "checkpoints", "b"),  # no known time
        ("s", None, T2, "loras", "a"),  # no prompt id: a time, but no counted prompt
        ("s", "p4", T1, None, "c"),  # an unknown folder matches an unknown folder
        ("u", "p5", T2, "checkpoints", "a"),  # another server's file
    ])  # fmt: skip
    got = usage_columns(models, usage)
    assert list(got.index) == [10, 11, 12, 13, 14]
    assert got["use_count"].dtype == "Int64" and got["use_count"].tolist() == [2, 1, 0, 0, 1]
    assert str(got["last_used"].dtype) == "datetime64[ns, UTC]"
    assert got["last_used"].tolist()[:2] == [T2, pd.NaT] and got["last_used"].tolist()[2:] == [T2, pd.NaT, T1]


def test_no_usage_gives_zero_and_nat() -> None:
    models = pd.DataFrame({"server": ["s"], "folder": ["vae"], "name": ["v"]}, dtype="string")
    got = usage_columns(models, _usage([]))
    assert got["use_count"].tolist() == [0] and got["last_used"].isna().all()
    assert np.array_equal(got.columns, ["use_count", "last_used"])
