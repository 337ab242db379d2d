"""Text helpers of the inference: the forms they return whatever they are given."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import comfyframe as cf
from comfyframe._frames import build_frames
from comfyframe.inference import _infer_normalize, _regex_passes
from comfyframe.inference._infer import infer_models
from comfyframe.inference._text_columns import TEXT, as_text, factorize, objects_at


def test_as_text_gives_text_without_na() -> None:
    for given in (pd.Series(["a", None, "b"], dtype=object), ["a", None, "b"], np.array(["a", None, "b"], dtype=object),
                  pd.Series(["a", None, "b"], dtype="string", index=[5, 6, 7])):  # fmt: skip
        text = as_text(given)
        assert text.dtype == TEXT and text.tolist() == ["a", "", "b"] and list(text.index) == [0, 1, 2]
    ready = as_text(["x", "y"])
    assert as_text(ready) is ready  # already text without NA, positional: returned as it is


def test_factorize_is_pandas_factorize() -> None:
    text = as_text(["b", "a", "b", "", "a"])
    codes, distinct = factorize(text)
    expected_codes, expected = pd.factorize(text.to_numpy(dtype=object))
    assert codes.tolist() == expected_codes.tolist() and distinct.tolist() == list(expected)


def test_object_columns_and_re2_only_passes_infer_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    frames = build_frames(cf.demo_snapshot())
    expected = infer_models(frames.models, frames.edges, frames.nodes)
    text_columns = [c for c in frames.models.columns if frames.models[c].dtype == "string"]
    objects = frames.models.astype({c: object for c in text_columns})
    monkeypatch.setattr(_regex_passes, "SMALL_PASS", 0)
    monkeypatch.setattr(_infer_normalize, "SMALL_NORMALIZE", 0)
    got = infer_models(objects, frames.edges, frames.nodes)
    pd.testing.assert_frame_equal(got.drop(columns=text_columns), expected.drop(columns=text_columns), check_exact=True)


@pytest.mark.parametrize("present", [(), ("arch",), ("base",), ("module",), ("arch", "base"), ("arch", "module"),
                                     ("base", "module"), ("arch", "base", "module")])  # fmt: skip
def test_metadata_text_joins_only_the_columns_that_say_something(present: tuple[str, ...]) -> None:
    from comfyframe.inference._infer_family import metadata_text

    cells = {"arch": [" flux-1 ", None, "", "sdxl"], "base": ["dev", "sd15 ", None, ""],
             "module": ["networks.lora", None, "lycoris", ""]}  # fmt: skip
    columns = {"arch": "meta_architecture", "base": "meta_base_model", "module": "meta_network_module"}
    frame = pd.DataFrame({columns[k]: pd.Series(cells[k] if k in present else [None] * 4, dtype="string")
                          for k in columns})  # fmt: skip
    value = {k: [c or "" for c in (cells[k] if k in present else [None] * 4)] for k in columns}
    joined = [f"{a} {b}".strip() for a, b in zip(value["arch"], value["base"])]
    expected = [j if j or not m else f"kohya legacy {m}" for j, m in zip(joined, value["module"])]
    text = metadata_text(frame)
    assert text.dtype == TEXT and text.tolist() == expected
    assert metadata_text(frame.drop(columns=[columns[k] for k in columns if k not in present])).tolist() == expected


def test_objects_at_is_iloc_with_na_as_blank() -> None:
    rows = np.array([3, 0, 1, 3])
    for column in (pd.Series(["a", None, "c", "d"], dtype="string", index=[7, 5, 9, 2]),
                   pd.Series(["a", None, "c", "d"], dtype=object, index=[7, 5, 9, 2])):  # fmt: skip
        got = objects_at(column, rows)
        assert got.dtype == object and got.tolist() == ["d", "a", "", "d"]
