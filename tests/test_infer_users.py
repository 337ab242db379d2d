"""Names from users' provisioning scripts (tests/data/infer_users*.csv), and the accuracy report over all tables.

These sources were not used to write the rules: a row may come out unknown, but never with a wrong family
or kind, and most must be identified.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import accuracy  # noqa: E402


@pytest.fixture(scope="module")
def scored() -> tuple[pd.DataFrame, pd.DataFrame]:
    truth = accuracy.labelled()
    return truth, accuracy.predict(truth)


def test_users_table_is_well_formed() -> None:
    users = accuracy.labelled().query("table.str.startswith('users')")
    raw = pd.concat([pd.read_csv(p, comment="#", dtype=str, keep_default_na=False) for p in accuracy.USER_TABLES])
    assert len(accuracy.USER_TABLES) >= 2 and len(users) >= 40 and not users.duplicated(["folder", "name"]).any()
    assert raw["source"].ne("").all() and raw["reason"].ne("").all()  # every name says where it is from and why


def test_users_names_never_get_a_wrong_kind_or_family(scored: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    truth, got = scored
    users = truth["table"].str.startswith("users").to_numpy()
    assert (got["kind"][users].to_numpy() == truth["kind"][users].to_numpy()).all()
    given = got["family"][users].ne("").to_numpy()
    wrong = truth[users][given & (got["family"][users].to_numpy() != truth["family"][users].to_numpy())]
    assert wrong.empty, wrong[["folder", "name", "family"]]


def test_users_names_are_mostly_identified(scored: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    truth, got = scored
    users = truth["table"].str.startswith("users").to_numpy()
    score = accuracy.scores(truth[users].reset_index(drop=True), got[users].reset_index(drop=True))
    # Unknown is allowed, wrong is not. The table holds many bare brand names ("elegance", "liberty") that
    # no rule can place without inventing knowledge, hence a family floor below the goal.
    assert score["family"] >= 0.75 and score["capabilities"] >= 0.98


def test_accuracy_report_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert accuracy.main([]) == 0
    out = capsys.readouterr().out
    assert "per family" in out and "wrong" in out and "sdxl" in out
