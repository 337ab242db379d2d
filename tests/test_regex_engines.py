"""Small regex passes run in Python ``re``, large ones in RE2 (pyarrow): every table must be the same either way.

Each discovery is built twice: once with every pass forced through RE2, once with every pass that qualifies
(printable ASCII texts, a pattern both engines read alike) forced through Python ``re``. The inputs are the
demo snapshot, the labelled real-world names and the largest corpus ``/object_info`` with its loaders' files.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import comfyframe as cf
from comfyframe.inference import _infer_normalize, _regex_passes, _regex_unions

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import accuracy  # noqa: E402
import bench_discover  # noqa: E402

TABLES = ("models", "pipelines", "capabilities")


def _labelled_snapshot() -> cf.Snapshot:
    truth = accuracy.labelled()
    responses: dict[str, object] = {"/object_info": {}, "/models": sorted(set(truth["folder"]))}
    for folder, rows in truth.groupby("folder"):
        responses[f"/models/{folder}"] = rows["name"].drop_duplicates().tolist()
    return cf.Snapshot(url="http://127.0.0.1:1", responses=responses)


def _corpus_snapshot() -> cf.Snapshot:
    dump = bench_discover.largest_dump() if bench_discover.CORPUS.exists() else None
    if dump is None:  # like conftest's corpus_dir: skip with one line outside CI, fail in CI
        reason = f"no object_info dumps in {bench_discover.CORPUS} (../shared/corpus, the real-world captures)"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    routes = bench_discover.routes_for(dump)
    return cf.Snapshot(url="http://127.0.0.1:1", responses={k: json.loads(v) for k, v in routes.items()})


def _tables(snapshot: cf.Snapshot) -> dict[str, pd.DataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = cf.Discovery(snapshot, warn=False)
    return {name: getattr(found, name) for name in TABLES}


@pytest.mark.parametrize("source", [cf.demo_snapshot, _labelled_snapshot, _corpus_snapshot],
                         ids=["demo", "labelled", "corpus"])
def test_python_re_and_re2_give_the_same_tables(source: object, monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = source()  # type: ignore[operator]
    monkeypatch.setattr(_regex_passes, "SMALL_PASS", 0)
    monkeypatch.setattr(_infer_normalize, "SMALL_NORMALIZE", 0)
    re2 = _tables(snapshot)
    _regex_passes._python_regex.cache_clear()
    monkeypatch.setattr(_regex_passes, "SMALL_PASS", 10**12)
    monkeypatch.setattr(_infer_normalize, "SMALL_NORMALIZE", 10**12)
    python = _tables(snapshot)
    assert _regex_passes._python_regex.cache_info().currsize > 50  # the rule passes really ran in Python re
    for name in TABLES:
        pd.testing.assert_frame_equal(python[name], re2[name], check_exact=True, obj=name)


def test_normalize_in_python_re_equals_re2(monkeypatch: pytest.MonkeyPatch) -> None:
    names = accuracy.labelled()["name"].drop_duplicates().tolist() + ["Ünï_SDXL", "tab\there", "a\u00a0b", "", None]
    monkeypatch.setattr(_infer_normalize, "SMALL_NORMALIZE", 0)
    re2 = _infer_normalize.normalize(names)
    monkeypatch.setattr(_infer_normalize, "SMALL_NORMALIZE", 10**12)
    assert _infer_normalize._normalize_plain(["Wan2.1_T2V_1.3B"]) == [" wan2.1 t2v 1.3b "]
    pd.testing.assert_series_equal(_infer_normalize.normalize(names), re2)  # the non-ASCII texts stay with RE2
    plain = [n for n in names[:-5]]
    assert _infer_normalize._normalize_plain(plain) == re2.iloc[: len(plain)].tolist()


def test_re2_only_constructs_stay_with_re2() -> None:
    assert _regex_passes._python_regex("[[:digit:]]+") is None  # a POSIX class: a plain bracket to Python
    assert _regex_passes._python_regex("a{,3}") is None  # Python: a{0,3}; RE2: the literal text
    assert _regex_passes._python_regex("(?U)a+") is None  # RE2: ungreedy
    assert _regex_passes._python_regex(r"\C") is None  # not Python syntax
    assert _regex_passes._python_regex(r" sd ?1\.?5 ") is not None


def test_a_factored_union_matches_where_its_patterns_do() -> None:
    import re

    from comfyframe.rules import _rules

    union = _regex_unions.factored_union(("[^a-z0-9]foo", "[^a-z0-9]bar|baz", "[^a-z0-9]*q", "[^a-z0-9][]|]x", "x y"))
    # a top-level "|" keeps a pattern whole (last) and a quantified lead ungrouped; a "|" in a class does not
    assert union == "[^a-z0-9](?:(?:foo)|(?:[]|]x))|(?:[^a-z0-9]*q)|(?:x y)|(?:[^a-z0-9]bar|baz)"
    # leading letters and classes group all the way down (a trie); a quantified letter or an escaped class does not
    assert (_regex_unions.factored_union(("[^a-z]sdxl", "[^a-z]sd15", "[^a-z]s", "[^a-z]s?x", "[\\d]x", "[\\d]y"))
            == "[^a-z](?:s(?:d(?:(?:xl)|(?:15))|(?:))|(?:s?x))|(?:[\\d]x)|(?:[\\d]y)")  # fmt: skip
    names = accuracy.labelled()["name"].drop_duplicates()
    texts = [f" {t} |" for t in _infer_normalize.normalize(names).str.strip()]
    tables = ("family_names", "metadata_families", "variants", "outside_families", "precisions", "component_params",
              "kind_hints", "gguf_quants", "name_masks")  # fmt: skip
    for table in tables:
        patterns = tuple(_rules.patterns(table))
        factored = re.compile(_regex_unions.factored_union(patterns))
        assert _regex_unions.factored_union(patterns) != _regex_unions.alternation(patterns)
        plain = re.compile(_regex_unions.alternation(patterns))
        assert [bool(factored.search(t)) for t in texts] == [bool(plain.search(t)) for t in texts]


def test_an_ordered_alternation_finds_the_same_match_as_the_plain_one() -> None:
    import re

    from comfyframe.rules import _rules

    # runs of the shared lead are factored in place: "x" still wins over a later "[^a-z0-9]c" at its position
    assert (_regex_unions.ordered_alternation(["[^a-z0-9]a", "[^a-z0-9]b", "x", "[^a-z0-9]c"])
            == "[^a-z0-9](?:(?:a)|(?:b))|(?:x)|(?:[^a-z0-9]c)")  # fmt: skip
    names = accuracy.labelled()["name"].drop_duplicates()
    texts = [f" {t} |" for t in _infer_normalize.normalize(names).str.strip()]
    for table in ("family_names", "metadata_families", "variants"):
        patterns = _rules.patterns(table)
        ordered = re.compile("(" + _regex_unions.ordered_alternation(patterns) + ")")
        plain = re.compile("(" + _regex_unions.alternation(patterns) + ")")
        found = [(m.group(1) if (m := ordered.search(t)) else None) for t in texts]
        assert found == [(m.group(1) if (m := plain.search(t)) else None) for t in texts]
        assert sum(f is not None for f in found) > 50


def test_replace_at_in_python_re_equals_re2(monkeypatch: pytest.MonkeyPatch) -> None:
    from comfyframe.inference._infer_family import HIGH_NOISE
    from comfyframe.inference._text_columns import as_text

    texts = as_text([" wan22 a14b high noise ", " dancing v10 h ", " plain ", " x high "])
    rows = np.array([3, 0, 1])
    plain = _regex_passes.plain_texts(texts)
    monkeypatch.setattr(_regex_passes, "SMALL_PASS", 0)
    re2 = _regex_passes.replace_at(texts, rows, HIGH_NOISE, " ~ ", plain)
    monkeypatch.setattr(_regex_passes, "SMALL_PASS", 10**12)
    python = _regex_passes.replace_at(texts, rows, HIGH_NOISE, " ~ ", plain)
    assert python.tolist() == re2.tolist() == [" x ~ ", " wan22 a14b ~ ", " dancing v10 ~ "]
