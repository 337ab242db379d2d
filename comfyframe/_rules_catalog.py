"""Rule tables the catalog needs: model file extensions and core loader folders."""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd


def read_rule_table(name: str) -> pd.DataFrame:
    """Read ``comfyframe/rules/<name>.csv`` (``#`` lines are comments) as strings."""
    with resources.files("comfyframe").joinpath("rules").joinpath(f"{name}.csv").open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, comment="#", dtype="string", keep_default_na=False)


@cache
def model_extensions() -> frozenset[str]:
    return frozenset(read_rule_table("model_extensions")["ext"])


@cache
def loader_folders() -> pd.DataFrame:
    return read_rule_table("loader_folders")
