"""Pipelines on the real ComfyUI test server: complete and incomplete families, motion modules, job VRAM."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import comfyframe as cf

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def found(comfyui) -> cf.Discovery:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)
        return cf.discover(comfyui.url, progress=False)


def pipe(found: cf.Discovery, generator: str, module: str = "") -> pd.Series:
    p = found.pipelines
    hit = p[p["generator"].eq(generator) & p["module"].eq(module)]
    assert len(hit) == 1, generator
    return hit.iloc[0]


def test_a_complete_family_is_ready_with_its_parts(found: cf.Discovery) -> None:
    schnell = pipe(found, "flux1-schnell.safetensors")
    assert schnell["ready"] and schnell["missing"] == ()
    parts = set(schnell["components"])
    assert "text_encoders/clip_l.safetensors" in parts and "vae/ae.safetensors" in parts
    assert parts & {"text_encoders/t5/t5xxl_fp8_e4m3fn.safetensors", "clip_gguf/t5-v1_1-xxl-encoder-Q8_0.gguf"}
    qwen = pipe(found, "qwen_image_fp8_e4m3fn.safetensors")
    assert set(qwen["components"]) == {"text_encoders/qwen_2.5_vl_7b_fp8_scaled.safetensors", "vae/qwen_image_vae.safetensors"}
    i2v = pipe(found, "wan2.1_i2v_480p_14B_fp8_e4m3fn.safetensors")
    assert "clip_vision/clip_vision_h.safetensors" in i2v["components"] and i2v["ready"]


def test_families_missing_a_vae_or_an_encoder_are_not_ready(found: cf.Discovery) -> None:
    hunyuan = pipe(found, "hunyuan_video_t2v_720p_bf16.safetensors")
    assert not hunyuan["ready"] and hunyuan["missing"] == ("vae:hunyuan_video",)
    flux2 = pipe(found, "flux2_dev_fp8mixed.safetensors")
    assert not flux2["ready"] and flux2["missing"] == ("text_encoder:mistral_3_small",)
    ranked = found.best_for("text_to_video", max_vram=1000)
    assert "hunyuan_video_t2v_720p_bf16.safetensors" not in set(ranked["generator"])
    listed = found.best_for("text_to_video", max_vram=1000, ready=False)
    assert "hunyuan_video_t2v_720p_bf16.safetensors" in set(listed["generator"])
    lora = found.models.set_index("name").loc["HunyuanVideo/hyvideo_FastVideo_LoRA-fp8.safetensors"]
    assert lora["applies_to"] == "hunyuan_video" and bool(lora["orphan"])


def test_wan22_experts_pair_with_their_own_quant(found: cf.Discovery) -> None:
    gguf = pipe(found, "Wan2.2/Wan2.2-I2V-A14B-HighNoise-Q4_K_M.gguf")
    assert "unet_gguf/Wan2.2/Wan2.2-I2V-A14B-LowNoise-Q4_K_M.gguf" in gguf["components"]
    fp8 = pipe(found, "wan2.2_i2v_high_noise_14B_fp8_scaled.safetensors")
    assert "diffusion_models/wan2.2_i2v_low_noise_14B_fp8_scaled.safetensors" in fp8["components"]
    assert "vae/wan_2.1_vae.safetensors" in fp8["components"]
    assert "vae/wan2.2_vae.safetensors" in pipe(found, "wan2.2_ti2v_5B_fp16.safetensors")["components"]


def test_motion_modules_run_inside_a_base_checkpoint(found: cf.Discovery) -> None:
    ranked = found.best_for("text_to_video", max_vram=1000)
    modules = ranked[ranked["module"].ne("")]
    assert len(modules) == 2
    assert not modules["generator"].eq("").any()
    sd15 = modules[modules["module"].eq("animatediff_models/mm_sd_v15_v2.ckpt")].iloc[0]
    assert sd15["family"] == "sd15" and sd15["generator_folder"] == "checkpoints"


def test_vram_grows_with_the_job_on_the_real_server(found: cf.Discovery) -> None:
    def need(**job: float) -> float:
        ranked = found.best_for("image_to_video", max_vram=1000, **job).set_index("generator")
        return float(ranked.loc["wan2.2_i2v_high_noise_14B_fp8_scaled.safetensors", "vram_gb"])

    assert need(width=512, height=512, frames=17) < need(width=1280, height=720, frames=81) < need(
        width=1280, height=720, frames=121, batch=2
    )


def test_cli_best_against_the_live_server(comfyui, capsys: pytest.CaptureFixture[str]) -> None:
    from comfyframe._cli import main

    assert main(["best", "image_to_video", comfyui.url, "-q", "--max-vram", "200", "--all", "--top", "40"]) == 0
    out = capsys.readouterr().out
    assert "hunyuan_video_image_to_video_720p_bf16.safetensors" in out and "vae:hunyuan_video" in out
