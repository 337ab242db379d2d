"""Job-sized memory (comfyframe/_job_memory.py): growth with the job, latent geometry, defaults, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from comfyframe.pipelines._job_memory import (
    FALLBACK_FAMILY,
    activation_gb,
    job_defaults,
    job_memory_table,
    latent_shape_area,
    vae_decode_gb,
)
from comfyframe.rules import _rules

CODE = _rules.FAMILY_CODE
ALL = np.arange(len(_rules.FAMILIES))
VIDEO = ["hunyuan_video", "wan21", "wan22", "ltxv", "ltx2", "cosmos", "mochi", "cogvideox"]


def gb(family: str, width: float, height: float, frames: float = 1, batch: float = 1) -> float:
    return float(activation_gb(np.array([CODE[family]]), width, height, frames, batch)[0])


def test_table_lists_every_family_once_with_its_comfyui_config() -> None:
    table = job_memory_table()
    assert sorted(table.index) == sorted(_rules.FAMILIES)
    assert table.loc["sdxl", "memory_usage_factor"] == 0.8 and table.loc["flux1", "memory_usage_factor"] == 3.1
    assert table.loc["wan21", "memory_usage_factor"] == pytest.approx(5120 / 2222, rel=1e-4)
    assert (table["attention"] == "flash").all()


@pytest.mark.parametrize("axis", ["width", "height", "frames", "batch"])
def test_activations_grow_with_every_job_dimension(axis: str) -> None:
    width, height, frames = job_defaults(ALL)
    job = {"width": width, "height": height, "frames": frames, "batch": np.ones(ALL.size)}
    before = activation_gb(ALL, **job)
    job[axis] = job[axis] * 2 + (1 if axis == "frames" else 0)
    after = activation_gb(ALL, **job)
    image_or_audio = np.array([job_memory_table().loc[f, "frame_axis"] == "none" for f in _rules.FAMILIES])
    audio = np.array([job_memory_table().loc[f, "frame_axis"] == "audio" for f in _rules.FAMILIES])
    if axis == "frames":
        assert (after[~image_or_audio] > before[~image_or_audio]).all()
        assert (after[image_or_audio] == before[image_or_audio]).all()  # a still image has no frames
    elif axis in ("width", "height"):
        assert (after[~audio] > before[~audio]).all()
        assert (after[audio] == before[audio]).all()  # audio latents have no image axes
    else:
        np.testing.assert_allclose(after, 2 * before)


def test_sdxl_1024_is_comfyui_arithmetic() -> None:
    # 2 (cond+uncond) * 128 * 128 latent cells * 2 bytes * 0.01 * 0.8 MiB
    assert latent_shape_area([CODE["sdxl"]], 1024, 1024, 1, 1)[0] == 2 * 128 * 128
    assert gb("sdxl", 1024, 1024) == pytest.approx(2 * 128 * 128 * 2 * 0.01 * 0.8 / 1024)
    assert gb("sdxl", 1024, 1024) == pytest.approx(gb("sdxl", 1024, 1024, frames=49))
    # fp32 compute doubles it
    assert float(activation_gb([CODE["sdxl"]], 1024, 1024, 1, 1, dtype_bytes=4)[0]) == pytest.approx(
        2 * gb("sdxl", 1024, 1024)
    )


@pytest.mark.parametrize(
    ("family", "frames", "latent_frames", "cells"),
    [
        ("wan21", 81, 21, 60 * 104),  # 832x480, 4x in time, 8x in space
        ("hunyuan_video", 81, 21, 60 * 104),
        ("ltxv", 97, 13, 15 * 26),  # 32x in space, 8x in time
        ("mochi", 85, 15, 60 * 104),  # 6x in time
        ("cosmos", 121, 16, 60 * 104),  # 8x in time
        ("svd", 25, 25, 60 * 104),  # one latent per frame
    ],
)
def test_video_families_compress_time(family: str, frames: int, latent_frames: int, cells: int) -> None:
    area = latent_shape_area([CODE[family]], 832, 480, frames, 1)[0]
    assert area == 2 * latent_frames * cells
    # causal VAEs: 1 + 4k frames share the latent of 4k+1 .. 4k+4
    if family in ("wan21", "hunyuan_video"):
        assert latent_shape_area([CODE[family]], 832, 480, 84, 1)[0] == area


def test_audio_jobs_are_measured_in_seconds() -> None:
    short, long = activation_gb([CODE["ace_step"]] * 2, 1, 1, [30, 120], 1)
    assert long == pytest.approx(4 * short, rel=0.01)
    assert latent_shape_area([CODE["ace_step"]], 1, 1, 120, 1)[0] == 2 * 16 * 1291  # [1, 8, 16, 1291]


def test_defaults_per_family() -> None:
    width, height, frames = job_defaults([CODE["sd15"], CODE["sdxl"], CODE["wan21"], CODE["ltxv"], CODE["qwen_image"]])
    assert list(zip(width, height, frames)) == [
        (512, 512, 1),
        (1024, 1024, 1),
        (832, 480, 81),
        (768, 512, 97),
        (1328, 1328, 1),
    ]
    _, _, frames = job_defaults(ALL)
    video = [CODE[f] for f in VIDEO] + [CODE["svd"]]
    assert (frames[video] > 1).all()
    assert (frames[[CODE[f] for f in ("sd15", "flux1", "hidream", "chroma")]] == 1).all()


def test_unknown_family_falls_back_to_sdxl() -> None:
    unknown = job_defaults([-1])
    sdxl = job_defaults([CODE[FALLBACK_FAMILY]])
    assert [float(v[0]) for v in unknown] == [float(v[0]) for v in sdxl] == [1024, 1024, 1]
    codes = np.array([-1, CODE["sdxl"]])
    a = activation_gb(codes, 1536, 1024, 1, 2)
    d = vae_decode_gb(codes, 1536, 1024, 1, 2)
    assert a[0] == a[1] > 0 and d[0] == d[1] > 0


def test_scalars_and_arrays_broadcast() -> None:
    codes = np.array([CODE["sd15"], CODE["sdxl"], CODE["flux1"]])
    widths = np.array([512, 1024, 1024])
    out = activation_gb(codes, widths, widths, 1, 1)
    assert out.shape == (3,)
    assert out[2] == pytest.approx(out[1] * 3.1 / 0.8)
    assert activation_gb(CODE["sd15"], 512, 512, 1, 1).shape == ()
    grid = activation_gb(codes[:, None], np.array([512, 1024])[None, :], 512, 1, 1)
    assert grid.shape == (3, 2) and (grid[:, 1] > grid[:, 0]).all()


def test_vae_decode_follows_comfyui_lambdas() -> None:
    sdxl = float(vae_decode_gb([CODE["sdxl"]], 1024, 1024, 1, 1)[0])
    assert sdxl == pytest.approx(2178 * 128 * 128 * 64 * 2 / 2**30)
    # ComfyUI decodes a batch in chunks that fit: the need is one sample's
    assert float(vae_decode_gb([CODE["sdxl"]], 1024, 1024, 1, 4)[0]) == sdxl
    # Wan 2.1 VAE: 2200 per cell up to 4 latent frames, 7000 above
    wan = vae_decode_gb([CODE["wan21"]] * 3, 832, 480, [13, 17, 81], 1)
    assert wan[0] == pytest.approx(2200 * 60 * 104 * 64 * 2 / 2**30)
    assert wan[1] == wan[2] == pytest.approx(7000 * 60 * 104 * 64 * 2 / 2**30)
    # HunyuanVideo's conv3d VAE: min(8, (T - 1) * 4 + 1) frames of cache
    hv = vae_decode_gb([CODE["hunyuan_video"]] * 2, 848, 480, [1, 73], 1)
    assert hv[1] == pytest.approx(8 * hv[0])
    # LTX: linear in latent frames; SVD decodes frame by frame
    ltx = vae_decode_gb([CODE["ltxv"]] * 2, 768, 512, [9, 97], 1)
    assert ltx[1] == pytest.approx(ltx[0] * 13 / 2)
    svd = vae_decode_gb([CODE["svd"]] * 2, 1024, 576, [1, 25], 1)
    assert svd[0] == svd[1]
    grows = vae_decode_gb(ALL, 2048, 2048, 1, 1) > vae_decode_gb(ALL, 1024, 1024, 1, 1)
    audio = [CODE["stable_audio"], CODE["ace_step"]]
    assert grows[np.setdiff1d(ALL, audio)].all() and not grows[audio].any()


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("width", 0),
        ("height", -512),
        ("frames", float("nan")),
        ("batch", float("inf")),
        ("width", "big"),
        ("batch", None),
        ("frames", True),
        ("height", [512, 0]),
    ],
)
def test_bad_job_sizes_raise_naming_the_argument(argument: str, value: object) -> None:
    job: dict[str, object] = {"width": 512, "height": 512, "frames": 1, "batch": 1}
    job[argument] = value
    for function in (activation_gb, vae_decode_gb, latent_shape_area):
        with pytest.raises(ValueError, match=argument):
            function([CODE["sd15"], CODE["sdxl"]], **job)


def test_bad_family_codes_and_shapes_raise() -> None:
    for codes in ([len(_rules.FAMILIES)], [-2], ["sdxl"], [0.5]):
        with pytest.raises(ValueError, match="family_codes"):
            activation_gb(codes, 512, 512, 1, 1)
        with pytest.raises(ValueError, match="family_codes"):
            job_defaults(codes)
    with pytest.raises(ValueError, match="broadcast"):
        activation_gb([0, 1, 2], [512, 768], 512, 1, 1)
    with pytest.raises(ValueError, match="dtype_bytes"):
        activation_gb([0], 512, 512, 1, 1, dtype_bytes=0)
    assert activation_gb(np.array([], dtype=np.int64), 512, 512, 1, 1).shape == (0,)


def test_tiled_decode_is_one_tile_of_the_same_estimate() -> None:
    width, height, frames = job_defaults(ALL)
    full = vae_decode_gb(ALL, width, height, frames, 1)
    tiled = vae_decode_gb(ALL, width, height, frames, 1, tiled=True)
    assert (tiled <= full).all() and (tiled > 0).all()
    # sd15 at 512 is one 64x64 latent tile; SDXL at 1024 is four
    assert tiled[CODE["sd15"]] == full[CODE["sd15"]]
    assert tiled[CODE["sdxl"]] == pytest.approx(full[CODE["sdxl"]] / 4)
    # video tiles are 256 px over every frame: still grow with frames, not with size
    mochi = vae_decode_gb([CODE["mochi"]] * 3, [848, 848, 1696], 480, [85, 169, 85], 1, tiled=True)
    assert mochi[1] > mochi[0] == mochi[2]
    assert mochi[0] == pytest.approx(1000 * 15 * 32 * 32 * 384 * 2 / 2**30)


def test_parameter_count_picks_a_variant_config() -> None:
    wan = [CODE["wan21"]] * 4
    out = activation_gb(wan, 832, 480, 81, 1, params_b=[1.3, 14.0, float("nan"), 3.99])
    assert out[1] == out[2] == pytest.approx(gb("wan21", 832, 480, 81))  # 14B and unknown: the family row
    assert out[0] == out[3] == pytest.approx(out[1] * 1536 / 5120, rel=1e-6)  # 1.3B: dim 1536
    # Wan 2.2 TI2V 5B: 16x latent and its own VAE; the 14B experts keep the family's
    five, fourteen = latent_shape_area([CODE["wan22"]] * 2, 1280, 704, 121, 1, params_b=[5, 14])
    assert five == 2 * 31 * 44 * 80 and fourteen == 2 * 31 * 88 * 160
    decode = vae_decode_gb([CODE["wan22"]] * 2, 1280, 704, 121, 1, params_b=[5, 14])
    assert decode[0] == pytest.approx(8000 * 44 * 80 * 256 * 2 / 2**30)
    # the ranges belong to their family only, and scalars broadcast
    assert activation_gb(CODE["sdxl"], 1024, 1024, 1, 1, params_b=1.3) == pytest.approx(gb("sdxl", 1024, 1024))
    ltx = activation_gb([CODE["ltxv"]] * 2, 768, 512, 97, 1, params_b=np.array([2.0, 13.0]))
    assert ltx[1] == pytest.approx(2 * ltx[0])
    for bad in (-1.0, "13b", [1.0, -2.0]):
        with pytest.raises(ValueError, match="params_b"):
            activation_gb([CODE["wan21"]] * 2, 832, 480, 81, 1, params_b=bad)
