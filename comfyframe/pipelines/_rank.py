"""Ranking: which pipeline is best for a job and fits the memory budget.

Reads the ``pipelines`` table (generator, parts, ``jobs``, peak ``vram_gb`` of the job, ``quality``,
``variant``) and the ``hardware`` table; all scores are column arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from ..support._validate import CAPABILITIES, _check_job_args

Prefer = Literal["quality", "speed", "balanced"]
# Adapters need a base model to run; they are never "the model" for a job.
ADAPTER_KINDS = ("lora", "controlnet", "ipadapter", "embedding", "hypernetwork", "style_model", "gligen", "photomaker")
# Variants that cut sampling steps: a large speed bonus, whatever the size.
FAST_VARIANTS = r"(?:^|;)(?:distilled|turbo|lightning|lcm|hyper|schnell|\d+steps?|causvid)(?:;|$)"

RANK_COLUMNS = [
    "rank", "generator", "generator_folder", "module", "family", "kind", "variant", "via", "components", "missing",
    "ready", "vram_gb", "weights_gb", "activations_gb", "encode_gb", "decode_gb", "quality", "speed", "score",
    "headroom_gb", "budget_gb", "precision", "quant", "capabilities", "jobs", "job", "width", "height", "frames",
    "batch", "server",
]  # fmt: skip


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


def rank_pipelines(
    pipelines: pd.DataFrame,
    capability: str,
    *,
    max_vram: float | Mapping[str, float | None] | None = None,
    prefer: Prefer = "quality",
    top: int | None = None,
    ready: bool = True,
) -> pd.DataFrame:
    """Pipelines that can run ``capability`` within ``max_vram`` GiB (one for all, or per ``server``), best first.

    ``via`` says how: ``native`` (the generator's own task) or ``denoise`` (image_to_image by a text-to-image
    pipeline); native rows rank first. ``ready=False`` adds incomplete pipelines, with what they miss. A
    two-expert model (Wan 2.2 high/low noise) is one pipeline: ranked once, under its first half.
    """
    capability = _check_capability(capability)
    _check_job_args(top=top, prefer=prefer)
    native = holds(pipelines["capabilities"], capability)
    denoise = ~native & (capability == "image_to_image") & holds(pipelines["capabilities"], "text_to_image")
    able = (native | denoise) & pipelines["vram_gb"].notna().to_numpy()
    if ready:
        able &= pipelines["ready"].fillna(False).to_numpy(dtype=bool) & holds(pipelines["jobs"], capability)
    picked = pipelines[able].copy()
    picked["via"] = np.where(native[able], "native", "denoise")
    picked["budget_gb"] = _limits(picked["server"], max_vram)
    picked = picked[~picked["vram_gb"].gt(picked["budget_gb"])]  # no limit (NaN) keeps every row
    picked["speed"] = speed_score(picked)
    quality = picked["quality"].astype("float64").fillna(1.0)
    picked["score"] = {
        "quality": quality,
        "speed": picked["speed"],
        "balanced": (quality + picked["speed"]) / 2,
    }[prefer].round(2)
    picked["headroom_gb"] = (picked["budget_gb"] - picked["vram_gb"]).round(2)
    picked["job"] = job_labels(picked)
    tiebreak = picked["speed"] if prefer == "quality" else quality
    picked = picked.assign(_tiebreak=tiebreak, _denoise=picked["via"].eq("denoise")).sort_values(
        ["_denoise", "ready", "score", "_tiebreak", "vram_gb", "generator", "module"],
        ascending=[True, False, False, False, True, True, True],
        kind="stable",
    )
    picked = picked[~_same_files(picked).duplicated()]
    picked["rank"] = np.arange(1, len(picked) + 1)
    ranked = picked[RANK_COLUMNS].reset_index(drop=True)
    return ranked.head(top) if top is not None else ranked


def _limits(servers: pd.Series, max_vram: float | Mapping[str, float | None] | None) -> np.ndarray:
    """Each row's budget in GiB (NaN: unlimited)."""
    if max_vram is None:
        return np.full(len(servers), np.nan)
    if not isinstance(max_vram, Mapping):
        return np.full(len(servers), float(max_vram))
    limits = pd.Series({k: np.nan if v is None else float(v) for k, v in max_vram.items()}, dtype="float64")
    return limits.reindex(servers.astype(object).to_numpy()).to_numpy(dtype=np.float64)


def _same_files(picked: pd.DataFrame) -> pd.Series:
    """A key equal for pipelines made of the same files: both halves of a two-expert model name each other
    as a component, so the generator plus its components is the same set either way."""
    generator = (picked["generator_folder"].fillna("") + "/" + picked["generator"].fillna("")).to_numpy(dtype=object)
    parts = [tuple(sorted({g, *c})) for g, c in zip(generator, picked["components"])]
    return pd.Series(list(zip(picked["server"].astype(object), picked["module"].astype(object), parts,
                              picked["via"])), index=picked.index)  # fmt: skip


def job_labels(frame: pd.DataFrame) -> pd.Series:
    """The job each row was sized for: ``832×480×81`` (video), ``1024×1024`` (image), ``120 s audio``,
    ``… ×2 batch``."""
    if frame.empty:
        return pd.Series([], index=frame.index, dtype="string")

    def whole(column: str) -> pd.Series:
        return frame[column].round().astype("Int64").astype("string")

    label = whole("width") + "×" + whole("height")
    label = label.where(~frame["frames"].gt(1), label + "×" + whole("frames"))
    audio = frame["width"].le(1) & frame["height"].le(1)  # audio jobs: frames are seconds (job_memory.csv)
    label = label.where(~audio, whole("frames") + " s audio")
    label = label.where(~frame["batch"].gt(1), label + " ×" + whole("batch") + " batch")
    return label.fillna("")


def holds(cells: pd.Series, value: str) -> np.ndarray:
    """Boolean array: does each set-valued cell hold ``value`` (decided once per distinct cell)."""
    codes, distinct = pd.factorize(cells.to_numpy(dtype=object), use_na_sentinel=True)
    return np.array([value in cell for cell in distinct] + [False], dtype=bool)[codes]


def _check_capability(capability: object) -> str:
    value = getattr(capability, "value", capability)
    if value not in CAPABILITIES:
        raise ValueError(f"Unknown capability {capability!r}: use one of {', '.join(CAPABILITIES)}.")
    return str(value)
