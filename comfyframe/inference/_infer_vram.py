"""Precision, GGUF quant, parameter count, GPU memory and quality tier of each file.

VRAM (GiB) = weights + activation overhead::

    weights = size_bytes / 2**30 * load_bytes / file_bytes      when the server reported a plausible size
            = params * 1e9 * load_bytes / 2**30                  otherwise (params from the name, else family)
            = kind default (rules/kinds.csv)                     when neither is known
    overhead = family overhead_gb (video > image) for generators (1 GiB if the family is unknown), else 0

``file_bytes``/``load_bytes`` are bytes per weight on disk / on the GPU: GGUF bits-per-weight / 8 for both
(ComfyUI-GGUF keeps the quantised blocks), the precision token's values otherwise (fp32 files are cast to
16 bit, so they need half their size), else 2 (every family runs in 16 bit by default). A file without a
precision token whose size is over 3 bytes per expected parameter is taken to be fp32 (old SD1.5 .ckpt).
The fp32 halving applies only to kinds ComfyUI runs in 16 bit (kinds.csv half_precision; not VAEs).
A size below 8 % of what the params predict at 16 bit is not plausible (a placeholder file): the estimate
is used instead. ``params`` for the weights of an all-in-one checkpoint add the text encoders and VAE its
family bundles (rules/family_specs.csv); adapters (LoRA, ControlNet ...) name their base model's size, so
only their size or kind default counts.

Quality (generators and motion modules of a known family) = family base tier + the most negative variant
delta (turbo, lightning, distilled ... -1; high/low-noise 0) + precision/quant delta + clip(log2(params
named / family typical params), -2, +1), rounded half up and clipped to 1..10.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from ..rules import _rules
from ._regex_passes import extract, first_match
from ._text_columns import take

GIB = float(2**30)
FP32_BYTES_PER_PARAM = 3.0
PLAUSIBLE_FRACTION = 0.08
UNKNOWN_FAMILY_OVERHEAD_GB = 1.0


def precision_and_quant(
    path_text: pd.Series, stem_text: pd.Series, ext: np.ndarray, plain: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(precision rule index, GGUF quant rule index) per text, -1 when absent (``plain``: the path texts as
    :func:`~comfyframe.inference._regex_passes.plain_texts` when the caller has them)."""
    prec = first_match(path_text, _rules.patterns("precisions"), plain=plain)
    quant = np.full(len(path_text), -1, dtype=np.int64)
    gguf = np.flatnonzero(ext == "gguf")
    if gguf.size:
        quant[gguf] = first_match(take(stem_text, gguf), _rules.patterns("gguf_quants"), _block_tiers())
    return prec, quant


@cache
def _block_tiers() -> tuple[int, ...]:
    """GGUF quant rule tiers: block types above float tags ("x_bf16-Q8_0.gguf": the float tag names the source
    weights, the block type the file's)."""
    return tuple((_rules.column("gguf_quants", "bpw", "float64") < 16).astype(np.int64).tolist())


def params_from_name(path_text: pd.Series, plain: list[str] | None = None) -> np.ndarray:
    """Billions of parameters named in the file name ("1.3B", "A14B", "600M"), NaN when absent (``plain``: as for
    :func:`precision_and_quant`)."""
    tokens = extract(path_text, _rules.PARAMS_PATTERN, plain=plain).tolist()
    value = {t: _billions(t) for t in set(tokens)}  # once per distinct token
    return np.fromiter((value[t] for t in tokens), dtype=np.float64, count=len(tokens))


def _billions(token: str | None) -> float:
    """A PARAMS_PATTERN token ("1.3b", "600m", "1 3b") in billions; its digits are exact in ``float``."""
    if not token:
        return float("nan")
    number = float(token[:-1].replace(" ", "."))
    return number / 1000.0 if token[-1] == "m" else number


def component_params(path_text: pd.Series, plain: list[str] | None = None) -> np.ndarray:
    """Parameters of well-known components (t5xxl, clip_l ...) from rules/component_params.csv (``plain``: as for
    :func:`precision_and_quant`)."""
    index = first_match(path_text, _rules.patterns("component_params"), plain=plain)
    return _rules.by_rule("component_params", "params_b", np.nan)[index]


def family_parts(kind: np.ndarray, family: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(parameters the kind's family_parts add up to, the diffusion-model share of them) per row."""
    total, model = _part_tables()
    return total[kind, family], model[kind, family]


@cache
def _part_tables() -> tuple[np.ndarray, np.ndarray]:
    """(kind code x family code) tables of ``family_parts``; code -1 (last row / column) is none."""
    specs = _rules.family_specs()
    total = np.full((len(_rules.KINDS) + 1, len(_rules.FAMILIES) + 1), np.nan)
    model = np.zeros_like(total)
    model_params = _rules.by_family("params_b", np.nan).astype(np.float64)
    for name, parts in _rules.kinds()["family_parts"].items():
        columns = [c for c in parts.split(";") if c]
        if columns:
            sums = specs[columns].sum(axis=1, min_count=len(columns)).reindex(list(_rules.FAMILIES)).to_numpy()
            total[_rules.KIND_CODE[name]] = np.append(sums, np.nan)
            if "params_b" in columns:
                model[_rules.KIND_CODE[name]] = model_params
    return total, model


def estimate(
    kind: np.ndarray, family: np.ndarray, size_bytes: np.ndarray, prec: np.ndarray, quant: np.ndarray,
    named_params: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """(params_b, weights_gb, vram_gb) per row; ``named_params`` is what the name says (NaN when silent)."""
    generator = _rules.by_kind("generator", False)[kind].astype(bool)
    own = _rules.by_kind("own_params", True)[kind].astype(bool)
    half = _rules.by_kind("half_precision", False)[kind].astype(bool)
    family_total, family_model = family_parts(kind, family)
    named = own & ~np.isnan(named_params)
    params = np.where(named, named_params, np.where(generator, family_model, np.nan))
    params = np.where(own & (params > 0), params, np.nan)
    total = np.where(named, named_params + np.nan_to_num(family_total - family_model), family_total)

    quant_bytes = _rules.by_rule("gguf_quants", "bpw", np.nan)[quant] / 8.0
    token_file = _rules.by_rule("precisions", "file_bytes", np.nan)[prec]
    token_load = _rules.by_rule("precisions", "load_bytes", np.nan)[prec]
    file_bytes = np.where(quant >= 0, quant_bytes, token_file)
    load_bytes = np.where(quant >= 0, quant_bytes, token_load)
    known = ~np.isnan(file_bytes)
    has_size = ~np.isnan(size_bytes) & (size_bytes > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        fp32 = ~known & has_size & (size_bytes / (total * 1e9) > FP32_BYTES_PER_PARAM)
        cast = np.where(known, load_bytes / np.where(known, file_bytes, 1.0), np.where(fp32, 0.5, 1.0))
    cast = np.where(half, cast, 1.0)
    plausible = has_size & (np.isnan(total) | (size_bytes >= PLAUSIBLE_FRACTION * total * 1e9 * 2.0))
    estimated = total * 1e9 * np.where(known, load_bytes, 2.0) / GIB
    fallback = _rules.by_kind("default_gb", 0.5)[kind].astype(np.float64)
    weights = np.where(plausible, size_bytes / GIB * cast, np.where(np.isnan(estimated), fallback, estimated))
    overhead = _rules.by_family("overhead_gb", UNKNOWN_FAMILY_OVERHEAD_GB).astype(np.float64)[family]
    vram = weights + np.where(generator, overhead, 0.0)
    return np.round(params, 3), np.round(weights, 2), np.round(vram, 2)


def quality(
    kind: np.ndarray, family: np.ndarray, variant_delta: np.ndarray, prec: np.ndarray, quant: np.ndarray,
    named_params: np.ndarray,
) -> pd.arrays.IntegerArray:  # fmt: skip
    """Int64 quality tier 1-10 (NA for unrated kinds and unknown families)."""
    rated = _rules.by_kind("rated", False)[kind].astype(bool) & (family >= 0)
    base = _rules.by_family("quality", np.nan).astype(np.float64)[family]
    typical = _rules.by_family("params_b", np.nan).astype(np.float64)[family]
    dtype_delta = np.where(
        quant >= 0,
        _rules.by_rule("gguf_quants", "quality_delta", 0.0)[quant],
        _rules.by_rule("precisions", "quality_delta", 0.0)[prec],
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        size_delta = np.clip(np.log2(named_params / typical), -2.0, 1.0)
    size_delta = np.where(np.isnan(size_delta), 0.0, size_delta)
    score = np.clip(np.floor(base + variant_delta + dtype_delta + size_delta + 0.5), 1, 10)
    known = rated & ~np.isnan(score)
    return pd.arrays.IntegerArray(np.where(known, score, 0).astype(np.int64), ~known)
