"""Job-sized memory the way ComfyUI estimates it: sampling activations and VAE decode, per family.

The numbers come from ``rules/job_memory.csv`` (ComfyUI 0.8.0's model configs and VAE classes; the oracle test
``tests/test_memory_oracle.py`` runs ComfyUI's own code against them). Every function takes an array of family
codes (:data:`comfyframe.rules._rules.FAMILY_CODE`; -1 = unknown) and job sizes that broadcast against it.

Latent of one sample, per family row (``//`` = floor division, as ComfyUI's empty-latent nodes do)::

    H, W = height // spatial, width // spatial          (1, 1 for audio: spatial 0)
    T    = 1                                             frame_axis none   (still image; frames ignored)
           (frames - 1) // temporal + 1                  frame_axis latent (causal video VAE)
           frames                                        frame_axis batch  (SVD: one latent per frame)
           floor(frames * audio_rate)                    frame_axis audio  (frames = seconds)

Sampling (``comfy.sampler_helpers.estimate_memory`` -> ``model_base.BaseModel.memory_required``)::

    area          = (2 * batch) * T * H * W * area_scale     # cond + uncond: ComfyUI doubles the batch
    activation    = area * dtype_bytes * 0.01 * memory_usage_factor   MiB   (returned in GiB: / 1024)

This is the branch ComfyUI takes on a CUDA GPU with PyTorch attention (or xformers); without them it uses
``area * 0.15 * factor`` MiB, several times more. Nothing else is added: not ComfyUI's
``extra_reserved_memory`` (400 MiB) nor reference latents of edit models.

VAE decode (``sd.VAE.memory_used_decode``, bytes for one latent sample; ComfyUI decodes as many samples at
once as free memory allows, at least one, so the need does not grow with ``batch``)::

    t      = min(vae_t_cap, vae_t_mult * (T - 1) + 1)          # 1 where vae_t_mult is 0
    coef   = vae_coef_long if T > vae_long_after else vae_coef
    decode = coef * t * H * W * vae_pixels * dtype_bytes        (SVD decodes frame by frame: t = 1)

ComfyUI falls back to a tiled decode when that runs out of memory; ``vae_decode_gb(..., tiled=True)`` is the
same estimate for one tile (H, W capped at the tile), the least a decode needs. (Qwen-Image's VAE is 3D and
tiles at 256 px; comfyframe gives it the 64-cell image tile, which over-states its tile.)

A few families hold models with another ComfyUI config (Wan 2.1 1.3B, Wan 2.2 TI2V 5B, LTX-Video 13B,
HunyuanVideo 1.5, Cosmos Predict2 2B): ``rules/job_memory_variants.csv`` tells them apart by parameter count,
used where the caller passes ``params_b``.

An unknown family (code -1) is estimated as SDXL (:data:`FALLBACK_FAMILY`): a still-image model with the
default job 1024x1024, a middling factor for an image model. Sizes must be positive finite numbers.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from ..rules import _rules

FALLBACK_FAMILY = "sdxl"
FRAME_AXES = ("none", "latent", "batch", "audio")
_MIB_PER_GIB = 1024.0
_BYTES_PER_GIB = float(1 << 30)
# sd.VAE's tiled-decode fallback: decode_tiled_ (64x64 latent tiles), decode_tiled_1d (128 steps); decode
# falls back to decode_tiled_3d with 256-pixel tiles (256 // spatial latent cells) over all frames.
_IMAGE_TILE = 64.0
_AUDIO_TILE = 128.0


@cache
def job_memory_table() -> pd.DataFrame:
    """``rules/job_memory.csv``: one row per family (index), ComfyUI's memory constants and default job."""
    frame = _rules._read("job_memory", {
        "family": "str", "config": "str", "memory_usage_factor": "float", "spatial": "int", "frame_axis": "str",
        "temporal": "int", "audio_rate": "float", "area_scale": "float", "width": "float", "height": "float",
        "frames": "float", "attention": "str", "vae_coef": "float", "vae_pixels": "float", "vae_t_mult": "float",
        "vae_t_cap": "float", "vae_coef_long": "float", "vae_long_after": "float", "note": "str",
    })  # fmt: skip
    _rules._check_values(frame, "family", _rules.FAMILIES, "job_memory")
    _rules._check_values(frame, "frame_axis", FRAME_AXES, "job_memory")
    _rules._check_values(frame, "attention", ("flash",), "job_memory")
    if sorted(frame["family"]) != sorted(_rules.FAMILIES):
        raise _rules.RuleError("rules/job_memory.csv must list every family exactly once")
    audio = frame["frame_axis"].eq("audio")
    required = ["memory_usage_factor", "area_scale", "width", "height", "frames", "vae_coef", "vae_pixels"]
    values = frame[required].to_numpy(dtype=np.float64)
    if (
        not (np.isfinite(values) & (values > 0)).all()
        or (frame["temporal"] < 1).any()
        or (frame["spatial"] < 0).any()
        or (audio != frame["spatial"].eq(0)).any()
        or not (frame.loc[audio, "audio_rate"] > 0).all()
    ):
        raise _rules.RuleError(
            "rules/job_memory.csv: factors, sizes and VAE constants must be positive, temporal >= 1, and exactly the "
            "audio rows have spatial 0 and an audio_rate"
        )
    return frame.set_index("family")


@cache
def job_memory_variants() -> pd.DataFrame:
    """``rules/job_memory_variants.csv``: models of a family with another ComfyUI config, by parameter count."""
    frame = _rules._read("job_memory_variants", {
        "family": "str", "params_min": "float", "params_max": "float", "config": "str", "memory_usage_factor": "float",
        "spatial": "int", "temporal": "int", "vae_coef": "float", "vae_pixels": "float", "vae_t_mult": "float",
        "vae_t_cap": "float", "vae_coef_long": "float", "vae_long_after": "float", "note": "str",
    })  # fmt: skip
    _rules._check_values(frame, "family", _rules.FAMILIES, "job_memory_variants")
    frame["params_max"] = frame["params_max"].fillna(np.inf)
    required = frame[["memory_usage_factor", "vae_coef", "vae_pixels"]].to_numpy(dtype=np.float64)
    if (
        not (np.isfinite(required) & (required > 0)).all()
        or not (frame["params_min"] < frame["params_max"]).all()
        or (frame["spatial"] < 1).any()
        or (frame["temporal"] < 1).any()
    ):
        raise _rules.RuleError("rules/job_memory_variants.csv: bad factor, VAE constant, params range or geometry")
    return frame


@cache
def _profiles() -> pd.DataFrame:
    """One row per memory profile: the families (by code), then the variants, then the fallback (code -1)."""
    families = job_memory_table()
    variants = job_memory_variants()
    inherited = families.loc[
        variants["family"], ["frame_axis", "audio_rate", "area_scale", "width", "height", "frames"]
    ]
    variant_rows = pd.concat([variants.reset_index(drop=True), inherited.reset_index(drop=True)], axis=1)
    rows = [families.reindex(list(_rules.FAMILIES)), variant_rows, families.loc[[FALLBACK_FAMILY]]]
    return pd.concat(rows, ignore_index=True)


@cache
def _lookup() -> dict[str, np.ndarray]:
    """Profile columns as arrays indexed by profile (a family's code, a variant, or -1 for the fallback)."""
    table = _profiles()
    return {
        "factor": table["memory_usage_factor"].to_numpy(np.float64),
        "spatial": table["spatial"].to_numpy(np.float64),
        "axis": table["frame_axis"].map(FRAME_AXES.index).to_numpy(np.int64),
        "temporal": table["temporal"].to_numpy(np.float64),
        "audio_rate": table["audio_rate"].fillna(0.0).to_numpy(np.float64),
        "area_scale": table["area_scale"].to_numpy(np.float64),
        "width": table["width"].to_numpy(np.float64),
        "height": table["height"].to_numpy(np.float64),
        "frames": table["frames"].to_numpy(np.float64),
        "vae_coef": table["vae_coef"].to_numpy(np.float64),
        "vae_pixels": table["vae_pixels"].to_numpy(np.float64),
        "vae_t_mult": table["vae_t_mult"].fillna(0.0).to_numpy(np.float64),
        "vae_t_cap": table["vae_t_cap"].fillna(np.inf).to_numpy(np.float64),
        "vae_coef_long": table["vae_coef_long"].fillna(table["vae_coef"]).to_numpy(np.float64),
        "vae_long_after": table["vae_long_after"].fillna(np.inf).to_numpy(np.float64),
    }


def _profile(codes: np.ndarray, params_b: np.ndarray | None) -> np.ndarray:
    """Profile index per row: the family's, or a variant's where the parameter count falls in its range."""
    profile = codes.copy()
    if params_b is None:
        return profile
    offset = len(_rules.FAMILIES)
    for k, (family, low, high) in enumerate(_variant_ranges()):
        hit = (codes == family) & (params_b >= low) & (params_b < high)
        profile = np.where(hit, offset + k, profile)
    return profile


@cache
def _variant_ranges() -> list[tuple[int, float, float]]:
    """(family code, params_min, params_max) of each job_memory_variants row, read once."""
    table = job_memory_variants()
    return [(_rules.FAMILY_CODE[f], float(low), float(high))
            for f, low, high in zip(table["family"], table["params_min"], table["params_max"])]  # fmt: skip


def _codes(family_codes: object) -> np.ndarray:
    try:
        codes = np.asarray(family_codes)
        ok = codes.dtype.kind in "iu" or (codes.dtype.kind == "f" and bool(np.all(codes == np.round(codes))))
    except (TypeError, ValueError):
        ok = False
    if not ok or codes.size and (codes.min() < -1 or codes.max() >= len(_rules.FAMILIES)):
        raise ValueError(
            f"family_codes must be integer family codes from comfyframe.rules._rules.FAMILY_CODE (-1 = unknown), "
            f"0..{len(_rules.FAMILIES) - 1}; got {family_codes!r}."
        )
    return codes.astype(np.int64)


def _size(name: str, value: object) -> np.ndarray:
    """A job size as a float array; every value a positive finite number."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        array = None
    if array is None or isinstance(value, (bool, np.bool_)) or np.asarray(value).dtype.kind == "b":
        raise ValueError(f"{name} must be a positive finite number (or an array of them), not {value!r}.")
    if not (np.isfinite(array) & (array > 0)).all():
        raise ValueError(f"{name} must be positive finite numbers; got {value!r}. Pass e.g. {name}=1024.")
    return array


def _params(params_b: object) -> np.ndarray | None:
    if params_b is None:
        return None
    try:
        array = np.asarray(params_b, dtype=np.float64)
    except (TypeError, ValueError):
        array = None
    if array is None or (array < 0).any():
        raise ValueError(f"params_b must be parameter counts in billions (NaN when unknown), not {params_b!r}.")
    return array


def _job(
    family_codes: object, width: object, height: object, frames: object, batch: object, params_b: object = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Validated, broadcast (profile, width, height, frames, batch)."""
    names = ["family_codes", "width", "height", "frames", "batch"]
    arrays = [_codes(family_codes), _size("width", width), _size("height", height), _size("frames", frames),
              _size("batch", batch)]  # fmt: skip
    params = _params(params_b)
    if params is not None:
        names.append("params_b")
        arrays.append(params)
    try:
        broadcast = np.broadcast_arrays(*arrays)
    except ValueError:
        shapes = ", ".join(f"{n}{a.shape}" for n, a in zip(names, arrays))
        raise ValueError(f"job sizes do not broadcast against the family codes: {shapes}.") from None
    profile = _profile(broadcast[0], broadcast[5] if params is not None else None)
    return profile, broadcast[1], broadcast[2], broadcast[3], broadcast[4]


def _latent(codes: np.ndarray, width: np.ndarray, height: np.ndarray, frames: np.ndarray) -> tuple[np.ndarray, ...]:
    """Latent (T, H, W) of one sample, and the frame-axis code, per row (``codes``: profile indices)."""
    table = _lookup()
    spatial = table["spatial"][codes]
    axis = table["axis"][codes]
    has_image = spatial > 0
    step = np.where(has_image, spatial, 1.0)
    lat_h = np.where(has_image, np.maximum(np.floor(height / step), 1.0), 1.0)
    lat_w = np.where(has_image, np.maximum(np.floor(width / step), 1.0), 1.0)
    whole = np.maximum(np.floor(frames), 1.0)
    lat_t = np.select(
        [axis == FRAME_AXES.index("latent"), axis == FRAME_AXES.index("batch"), axis == FRAME_AXES.index("audio")],
        [np.floor((whole - 1.0) / table["temporal"][codes]) + 1.0, whole,
         np.maximum(np.floor(frames * table["audio_rate"][codes]), 1.0)],
        default=1.0,
    )  # fmt: skip
    return lat_t, lat_h, lat_w, axis


def job_defaults(family_codes: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Typical job per family: (width, height, frames) arrays; frames is seconds for audio families.

    An unknown family (-1) gets the fallback family's job (SDXL: 1024x1024, one frame).
    """
    codes = _codes(family_codes)
    table = _lookup()
    return table["width"][codes], table["height"][codes], table["frames"][codes]


def latent_shape_area(
    family_codes: object, width: object, height: object, frames: object, batch: object, *, params_b: object = None,
) -> np.ndarray:  # fmt: skip
    """ComfyUI's ``shape[0] * prod(shape[2:])`` of the sampling input: cond + uncond, i.e. batch doubled.

    ``params_b`` (optional, broadcast like the sizes; NaN = unknown): the diffusion model's parameter count,
    which picks a variant of ``rules/job_memory_variants.csv`` (Wan 1.3B/5B, LTX-Video 13B, ...).
    """
    profile, w, h, f, b = _job(family_codes, width, height, frames, batch, params_b)
    return _area(profile, w, h, f, b)


def _area(profile: np.ndarray, w: np.ndarray, h: np.ndarray, f: np.ndarray, b: np.ndarray) -> np.ndarray:
    lat_t, lat_h, lat_w, _ = _latent(profile, w, h, f)
    return 2.0 * b * lat_t * lat_h * lat_w * _lookup()["area_scale"][profile]


def activation_gb(
    family_codes: object, width: object, height: object, frames: object, batch: object, dtype_bytes: float = 2.0,
    *, params_b: object = None,
) -> np.ndarray:  # fmt: skip
    """ComfyUI's sampling memory (``memory_required``, PyTorch-attention branch) for the job, GiB.

    ``dtype_bytes`` is the size of the model's compute dtype (2 for fp16/bf16, also for fp8 weights that
    ComfyUI casts up; 4 for fp32). ``params_b``: as in :func:`latent_shape_area`.
    """
    dtype = _size("dtype_bytes", dtype_bytes)
    profile, w, h, f, b = _job(family_codes, width, height, frames, batch, params_b)
    return _area(profile, w, h, f, b) * dtype * 0.01 * _lookup()["factor"][profile] / _MIB_PER_GIB


def vae_decode_gb(
    family_codes: object, width: object, height: object, frames: object, batch: object, dtype_bytes: float = 2.0,
    *, tiled: bool = False, params_b: object = None,
) -> np.ndarray:  # fmt: skip
    """ComfyUI's VAE decode memory (``memory_used_decode``) for one latent sample of the job, GiB.

    ``batch`` is validated and broadcast but does not scale the result: ComfyUI splits a batch to fit.
    ``dtype_bytes`` is the VAE's working dtype size (bf16 on current GPUs: 2). ``tiled=True``: the same
    estimate for one tile of the tiled decode ComfyUI falls back to when the whole decode runs out of memory
    (64x64 latent tiles for images, 256-pixel tiles over all frames for video, 128 steps for audio), i.e. the
    least the decode needs. ``params_b``: as in :func:`latent_shape_area`.
    """
    dtype = _size("dtype_bytes", dtype_bytes)
    codes, w, h, f, _b = _job(family_codes, width, height, frames, batch, params_b)
    table = _lookup()
    lat_t, lat_h, lat_w, axis = _latent(codes, w, h, f)
    if tiled:
        video = axis == FRAME_AXES.index("latent")
        side = np.where(video, np.floor(256.0 / np.maximum(table["spatial"][codes], 1.0)), _IMAGE_TILE)
        lat_h, lat_w = np.minimum(lat_h, side), np.minimum(lat_w, side)
        lat_t = np.where(axis == FRAME_AXES.index("audio"), np.minimum(lat_t, _AUDIO_TILE), lat_t)
    per_sample_t = np.where(axis == FRAME_AXES.index("batch"), 1.0, lat_t)
    t_term = np.minimum(table["vae_t_cap"][codes], table["vae_t_mult"][codes] * (per_sample_t - 1.0) + 1.0)
    coef = np.where(
        per_sample_t > table["vae_long_after"][codes], table["vae_coef_long"][codes], table["vae_coef"][codes]
    )
    return coef * t_term * lat_h * lat_w * table["vae_pixels"][codes] * dtype / _BYTES_PER_GIB
