"""CSV/Parquet export: collections joined, formula-like cells neutralised."""

from __future__ import annotations

import pandas as pd

from comfyframe._export import for_csv, for_parquet


def test_sets_and_tuples_become_sorted_joined_text() -> None:
    frame = pd.DataFrame({"capabilities": [frozenset({"text_to_video", "image_to_video"}), frozenset()],
                          "loader_nodes": [("UNETLoader", "A"), ()]})
    out = for_csv(frame)
    assert out["capabilities"].tolist() == ["image_to_video;text_to_video", ""]
    assert out["loader_nodes"].tolist() == ["A;UNETLoader", ""]
    assert for_parquet(frame)["capabilities"].tolist() == [["image_to_video", "text_to_video"], []]


def test_formula_like_names_are_neutralised() -> None:
    frame = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\")", "+1.safetensors", "ok.safetensors", None]},
                         dtype="string")
    out = for_csv(frame)
    assert out["name"].tolist()[:3] == ["'=HYPERLINK(\"http://x\")", "'+1.safetensors", "ok.safetensors"]
    assert pd.isna(out["name"].iloc[3])
