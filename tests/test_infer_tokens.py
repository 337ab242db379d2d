"""Name tokens parsed in Python give what pandas' parser gave, over every token the patterns can capture."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from comfyframe.inference._infer_normalize import normalize
from comfyframe.inference._infer_vram import _billions, params_from_name
from comfyframe.rules import _rules


def test_every_params_token_parses_as_pandas_does() -> None:
    numbers = {f"{w}.{d}" for i in range(1000) for w in (str(i), f"{i:03d}") for d in ("", *map(str, range(10)))}
    numbers |= {f"{w}.{d:02d}" for i in range(1000) for w in (str(i), f"{i:03d}") for d in range(100)}
    numbers = {n.rstrip(".") for n in numbers} | {f"{a} {b}" for a in "01" for b in "0123456789"}
    tokens = sorted(n + unit for n in numbers for unit in "bm")
    pattern = re.compile(_rules.PARAMS_PATTERN)
    assert all(pattern.fullmatch(f" {t} ") for t in tokens[:: len(tokens) // 50])  # tokens the pattern captures
    text = pd.Series(tokens, dtype="string")
    expected = pd.to_numeric(text.str.slice(0, -1).str.replace(" ", ".", regex=False), errors="coerce").to_numpy(float)
    expected = np.where(text.str.slice(-1).to_numpy(dtype=object) == "m", expected / 1000.0, expected)
    assert np.array_equal(np.array([_billions(t) for t in tokens]), expected)
    assert np.isnan(_billions(None))


def test_params_from_name() -> None:
    names = ["Wan2.1_T2V_1.3B", "wan2.2_A14B_high", "qwen_3_4b", "Kijai_0_6B", "sd15", "x_600M"]
    found = params_from_name(normalize(names))
    assert np.array_equal(found, [1.3, 14.0, 4.0, 0.6, np.nan, 0.6], equal_nan=True)
