"""Ranking: which model is best for a job and fits the memory budget.

Reads the inferred ``models`` columns (``capabilities``, ``vram_gb``,
``quality``, ``variant``, ``params_b``) and the ``hardware`` table; all scores
are column arithmetic.
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd

from ._validate import CAPABILITIES, PREFERENCES, _check_job_args
from .errors import DegradedServerWarning

Prefer = Literal["quality", "speed", "balanced"]
# Adapters need a base model to run; they are never "the model" for a job.
ADAPTER_KINDS = ("lora", "controlnet", "ipadapter", "embedding", "hypernetwork", "style_model", "gligen", "photomaker")
# Variants that cut sampling steps: a large speed bonus, whatever the size.
FAST_VARIANTS = r"(?:^|;)(?:distilled|turbo|lightning|lcm|hyper|schnell|\d+steps?|causvid)(?:;|$)"

RANK_COLUMNS = [
    "rank", "name", "folder", "kind", "family", "capabilities", "variant", "precision", "quant",
    "vram_gb", "quality", "speed", "score", "headroom_gb", "loader_nodes", "source", "confidence", "server",
]


def capability_table(models: pd.DataFrame) -> pd.DataFrame:
    """One row per (model, capability): the long form for group-bys."""
    columns = ["server", "folder", "name", "kind", "family", "vram_gb", "quality"]
    if models.empty:
        return pd.DataFrame({c: pd.Series(dtype=models[c].dtype) for c in columns}).assign(
            capability=pd.Series(dtype="string")
        )
    exploded = models["capabilities"].explode().dropna().rename("capability").astype("string")
    long = models[columns].join(exploded, how="inner").reset_index(names="model_row")
    # sets have no order: sort so the table is the same on every run
    return long.sort_values(["model_row", "capability"], kind="stable", ignore_index=True)


def speed_score(models: pd.DataFrame) -> pd.Series:
    """0–10, higher is faster: smaller weights, plus a bonus for step-distilled variants.

    ``10 - 2.5 * log2(vram_gb)`` puts a 1 GB model near 10 and a 24 GB one near
    0; step-distilled variants (turbo, lightning, 4-step …) gain 3.
    """
    vram = models["vram_gb"].astype("float64").clip(lower=1.0)
    base = 10 - 2.5 * np.log2(vram)
    fast = models["variant"].fillna("").astype("string").str.contains(FAST_VARIANTS, regex=True).fillna(False)
    return (base + 3 * fast.astype("float64")).clip(0, 10).round(2)


def best_for(
    models: pd.DataFrame,
    hardware: pd.DataFrame,
    capability: str,
    *,
    max_vram: float | None = None,
    prefer: Prefer = "quality",
    device: int = 0,
    top: int | None = None,
    capabilities: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Models that can do ``capability`` and fit ``max_vram`` GiB, best first.

    ``max_vram`` defaults to the memory budget of hardware row ``device``
    (free VRAM under the server's launch flags: ``--cpu`` uses RAM,
    ``--lowvram`` lets weights spill to RAM, ``--reserve-vram`` is subtracted).
    ``capabilities`` is :func:`capability_table` of ``models`` when the caller already has it.
    """
    _check_job_args(max_vram, top, prefer, device)
    capability = _check_capability(capability)
    if prefer not in PREFERENCES:
        raise ValueError(f"prefer must be one of {', '.join(PREFERENCES)}, not {prefer!r}.")
    candidates = models
    if not hardware.empty:
        if not 0 <= device < len(hardware):
            raise ValueError(f"device must be 0..{len(hardware) - 1} (a row of the hardware table), not {device}.")
        server = hardware["server"].iloc[device]
        candidates = candidates[candidates["server"].eq(server)]
        if max_vram is None:
            budget = hardware["budget_gb"].iloc[device]
            max_vram = None if pd.isna(budget) else float(budget)
    elif max_vram is None:
        warnings.warn(
            "No hardware information (the server did not answer /system_stats): ranking without a memory limit. "
            "Pass max_vram= to set one.",
            DegradedServerWarning,
            stacklevel=3,
        )
    long = capability_table(candidates) if capabilities is None else capabilities
    able = long.loc[long["capability"].eq(capability), "model_row"]
    picked = candidates.loc[candidates.index.isin(able) & ~candidates["kind"].isin(ADAPTER_KINDS)].copy()
    picked = picked[picked["vram_gb"].notna()]
    if max_vram is not None:
        picked = picked[picked["vram_gb"].le(max_vram)]
    picked["speed"] = speed_score(picked)
    quality = picked["quality"].astype("float64").fillna(1.0)
    picked["score"] = {
        "quality": quality,
        "speed": picked["speed"],
        "balanced": (quality + picked["speed"]) / 2,
    }[prefer].round(2)
    picked["headroom_gb"] = (max_vram - picked["vram_gb"]).round(2) if max_vram is not None else np.nan
    tiebreak = picked["speed"] if prefer == "quality" else quality
    picked = picked.assign(_tiebreak=tiebreak).sort_values(
        ["score", "_tiebreak", "vram_gb", "name"], ascending=[False, False, True, True], kind="stable"
    )
    picked["rank"] = np.arange(1, len(picked) + 1)
    ranked = picked[RANK_COLUMNS].reset_index(drop=True)
    return ranked.head(top) if top is not None else ranked


def _check_capability(capability: object) -> str:
    value = getattr(capability, "value", capability)
    if value not in CAPABILITIES:
        raise ValueError(f"Unknown capability {capability!r}: use one of {', '.join(CAPABILITIES)}.")
    return str(value)
