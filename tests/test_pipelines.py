"""Pipelines: generators with the parts they need, job-sized VRAM, and rankings a server can act on.

Each test builds a server's raw answers (a Snapshot with folder listings, sizes and one GPU) with
:func:`server`, so the whole path from the snapshot to ``best_for`` runs as it does on a live server.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import comfyframe as cf
from comfyframe._cli import main
from comfyframe.pipelines._pipelines import Job

GB = 10**9


def server(files: dict[str, list[tuple[str, float]]], vram_gb: float = 24.0, url: str = "http://gpu:8188") -> cf.Discovery:
    """A Discovery of a server with ``files`` ({folder: [(name, size in GB)]}) and one CUDA GPU."""
    responses: dict[str, object] = {
        "/system_stats": {
            "system": {"os": "posix", "comfyui_version": "0.3.75", "python_version": "3.12", "pytorch_version": "2.7",
                       "argv": ["main.py", "--listen"], "ram_total": 64 * 2**30, "ram_free": 60 * 2**30},
            "devices": [{"name": "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync", "type": "cuda", "index": 0,
                         "vram_total": int(vram_gb * 2**30), "vram_free": int(vram_gb * 2**30),
                         "torch_vram_total": 0, "torch_vram_free": 0}],
        },
        "/object_info": {},
        "/models": list(files),
    }  # fmt: skip
    for folder, entries in files.items():
        responses[f"/models/{folder}"] = [name for name, _ in entries]
        responses[f"/experiment/models/{folder}"] = [
            {"name": name, "pathIndex": 0, "modified": 1748736000.0, "size": int(size * GB)} for name, size in entries
        ]
    snapshot = cf.Snapshot(url=url, responses=responses)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)
        return cf.Discovery(snapshot)


FLUX_PARTS = {
    "text_encoders": [("clip_l.safetensors", 0.246), ("t5xxl_fp16.safetensors", 9.79), ("t5xxl_fp8_e4m3fn.safetensors", 4.89)],
    "vae": [("ae.safetensors", 0.335)],
}
WAN_PARTS = {
    "text_encoders": [("umt5_xxl_fp8_e4m3fn_scaled.safetensors", 6.74)],
    "vae": [("wan_2.1_vae.safetensors", 0.254)],
}


def row(found: cf.Discovery, generator: str, module: str = "") -> pd.Series:
    p = found.pipelines
    hit = p[p["generator"].eq(generator) & p["module"].eq(module)]
    assert len(hit) == 1, (generator, module, p[["generator", "module"]])
    return hit.iloc[0]


def test_flux_diffusion_model_gets_its_encoders_and_vae() -> None:
    found = server({"diffusion_models": [("flux1-dev.safetensors", 23.8)], **FLUX_PARTS}, vram_gb=48)
    pick = row(found, "flux1-dev.safetensors")
    assert pick["ready"] and pick["missing"] == ()
    assert set(pick["components"]) == {"text_encoders/clip_l.safetensors", "text_encoders/t5xxl_fp16.safetensors",
                                       "vae/ae.safetensors"}  # fmt: skip
    assert set(pick["jobs"]) == {"text_to_image", "image_to_image"}
    assert pick["capabilities"] == ("text_to_image",)


def test_a_smaller_t5_is_chosen_where_the_larger_would_overflow_the_budget() -> None:
    found = server({"diffusion_models": [("flux1-dev-fp8.safetensors", 11.9)], **FLUX_PARTS}, vram_gb=9)
    pick = row(found, "flux1-dev-fp8.safetensors")
    assert "text_encoders/t5xxl_fp8_e4m3fn.safetensors" in pick["components"]
    roomy = found.best_for("text_to_image", max_vram=64, ready=True)
    assert "text_encoders/t5xxl_fp16.safetensors" in roomy.iloc[0]["components"]


def test_a_generator_without_its_vae_or_encoder_is_not_ready_and_says_what_it_misses() -> None:
    found = server({
        "diffusion_models": [("flux1-dev.safetensors", 23.8), ("hunyuan_video_t2v_720p_bf16.safetensors", 25.6),
                             ("flux2_dev_fp8mixed.safetensors", 35.5)],
        "text_encoders": [("clip_l.safetensors", 0.246), ("t5xxl_fp16.safetensors", 9.79),
                          ("llava_llama3_fp8_scaled.safetensors", 9.09)],
        "vae": [("flux2-vae.safetensors", 0.336)],
    })  # fmt: skip
    assert row(found, "flux1-dev.safetensors")["missing"] == ("vae:flux1",)
    assert row(found, "hunyuan_video_t2v_720p_bf16.safetensors")["missing"] == ("vae:hunyuan_video",)
    flux2 = row(found, "flux2_dev_fp8mixed.safetensors")
    assert flux2["missing"] == ("text_encoder:mistral_3_small",) and not flux2["ready"] and flux2["jobs"] == ()
    assert found.best_for("text_to_image", max_vram=100).empty
    listed = found.best_for("text_to_image", max_vram=100, ready=False)
    assert set(listed["generator"]) == {"flux1-dev.safetensors", "flux2_dev_fp8mixed.safetensors"}
    assert not listed["ready"].any()


def test_wan22_experts_pair_and_each_size_takes_its_own_vae() -> None:
    found = server({
        "diffusion_models": [("wan2.2_i2v_high_noise_14B_fp8_scaled.safetensors", 14.3),
                             ("wan2.2_i2v_low_noise_14B_fp8_scaled.safetensors", 14.3),
                             ("wan2.2_ti2v_5B_fp16.safetensors", 10.0)],
        "unet_gguf": [("Wan2.2-I2V-A14B-LowNoise-Q4_K_M.gguf", 9.65)],
        **WAN_PARTS,
    }, vram_gb=80)  # fmt: skip
    high = row(found, "wan2.2_i2v_high_noise_14B_fp8_scaled.safetensors")
    assert high["ready"]
    # the fp8 half pairs with the fp8 half, not with the GGUF one
    assert "diffusion_models/wan2.2_i2v_low_noise_14B_fp8_scaled.safetensors" in high["components"]
    assert "vae/wan_2.1_vae.safetensors" in high["components"]
    five = row(found, "wan2.2_ti2v_5B_fp16.safetensors")
    assert five["missing"] == ("vae:wan22",) and not five["ready"]


def test_wan21_i2v_needs_clip_vision_and_t2v_does_not() -> None:
    parts = {"diffusion_models": [("wan2.1_i2v_480p_14B_fp8_e4m3fn.safetensors", 16.4),
                                  ("wan2.1_t2v_1.3B_fp16.safetensors", 2.84)], **WAN_PARTS}  # fmt: skip
    found = server(parts)
    i2v = row(found, "wan2.1_i2v_480p_14B_fp8_e4m3fn.safetensors")
    assert i2v["missing"] == ("clip_vision:clip_vision_h",) and not i2v["ready"] and i2v["jobs"] == ()
    assert row(found, "wan2.1_t2v_1.3B_fp16.safetensors")["ready"]
    with_vision = server({**parts, "clip_vision": [("clip_vision_h.safetensors", 1.26)]}, vram_gb=48)
    i2v = row(with_vision, "wan2.1_i2v_480p_14B_fp8_e4m3fn.safetensors")
    assert i2v["ready"] and "clip_vision/clip_vision_h.safetensors" in i2v["components"]
    assert i2v["jobs"] == ("image_to_video",)


def test_all_in_one_checkpoints_bundle_what_their_family_ships_inside() -> None:
    found = server({
        "checkpoints": [("v1-5-pruned-emaonly.safetensors", 4.27), ("sd_xl_base_1.0.safetensors", 6.94),
                        ("ltx-video-2b-v0.9.5.safetensors", 6.34), ("sd3.5_medium_incl_clips.safetensors", 5.97),
                        ("sd3.5_large.safetensors", 16.5)],
        "text_encoders": [("t5xxl_fp8_e4m3fn.safetensors", 4.89)],
    })  # fmt: skip
    for name in ("v1-5-pruned-emaonly.safetensors", "sd_xl_base_1.0.safetensors"):
        assert row(found, name)["ready"] and row(found, name)["components"] == ()
    ltx = row(found, "ltx-video-2b-v0.9.5.safetensors")  # holds its VAE, not T5
    assert ltx["ready"] and ltx["components"] == ("text_encoders/t5xxl_fp8_e4m3fn.safetensors",)
    medium = row(found, "sd3.5_medium_incl_clips.safetensors")  # CLIP inside; T5 optional and used when present
    assert medium["ready"] and medium["components"] == ("text_encoders/t5xxl_fp8_e4m3fn.safetensors",)
    large = row(found, "sd3.5_large.safetensors")
    assert set(large["missing"]) == {"text_encoder:clip_g", "text_encoder:clip_l"}


def test_a_motion_module_is_never_ranked_alone() -> None:
    found = server({
        "checkpoints": [("dreamshaper_8.safetensors", 2.13), ("v1-5-pruned-emaonly.safetensors", 4.27)],
        "animatediff_models": [("mm_sd_v15_v2.ckpt", 1.82), ("hsxl_temporal_layers.f16.safetensors", 0.47)],
    })  # fmt: skip
    ranked = found.best_for("text_to_video", max_vram=48)
    assert len(ranked) == 1
    pick = ranked.iloc[0]
    assert pick["module"] == "animatediff_models/mm_sd_v15_v2.ckpt"
    assert pick["generator"] in {"dreamshaper_8.safetensors", "v1-5-pruned-emaonly.safetensors"}
    assert "animatediff_models/mm_sd_v15_v2.ckpt" in pick["components"]
    assert pick["family"] == "sd15" and pick["capabilities"] == ("text_to_video",)
    # its memory is the base model's plus the module's, with the frames as one batch
    base = row(found, str(pick["generator"]))
    assert pick["vram_gb"] > base["vram_gb"]
    assert pick["weights_gb"] > base["weights_gb"]
    # the SDXL module has no SDXL checkpoint to run in: listed only with ready=False, saying so
    orphan = row(found, "", "animatediff_models/hsxl_temporal_layers.f16.safetensors")
    assert orphan["missing"] == ("base:sdxl",) and not orphan["ready"]
    models = found.models.set_index("name")
    assert models.loc["hsxl_temporal_layers.f16.safetensors", "orphan"]
    assert not models.loc["mm_sd_v15_v2.ckpt", "orphan"]


def test_vram_grows_with_the_job() -> None:
    # a 14B model: sampling, not encoding, is the peak, so the job size shows
    found = server({"diffusion_models": [("wan2.1_t2v_14B_fp8_e4m3fn.safetensors", 14.3)], **WAN_PARTS}, vram_gb=200)

    def need(**job: float) -> float:
        return float(found.best_for("text_to_video", max_vram=1000, **job).iloc[0]["vram_gb"])

    small = need(width=480, height=320, frames=17)
    assert small < need(width=832, height=480, frames=17) < need(width=832, height=480, frames=81)
    assert need(width=832, height=480, frames=81) < need(width=832, height=480, frames=81, batch=2)
    ranked = found.best_for("text_to_video", max_vram=1000, width=1280, height=720, frames=81)
    top = ranked.iloc[0]
    assert (top["width"], top["height"], top["frames"]) == (1280, 720, 81)
    assert top["vram_gb"] == pytest.approx(max(top["weights_gb"] + top["activations_gb"], top["decode_gb"]), abs=0.02)


def test_image_to_image_ranks_edit_models_first_then_text_to_image_by_denoising() -> None:
    found = server({
        "diffusion_models": [("qwen_image_edit_2509_fp8_e4m3fn.safetensors", 20.4), ("flux1-dev.safetensors", 23.8)],
        "checkpoints": [("sd_xl_base_1.0.safetensors", 6.94), ("sd-v1-5-inpainting.ckpt", 4.27)],
        "text_encoders": [*FLUX_PARTS["text_encoders"], ("qwen_2.5_vl_7b_fp8_scaled.safetensors", 9.38)],
        "vae": [("ae.safetensors", 0.335), ("qwen_image_vae.safetensors", 0.254)],
    }, vram_gb=80)  # fmt: skip
    ranked = found.best_for("image_to_image")
    natives = ranked[ranked["via"].eq("native")]
    assert set(natives["generator"]) == {"qwen_image_edit_2509_fp8_e4m3fn.safetensors", "sd-v1-5-inpainting.ckpt"}
    assert list(ranked["via"]) == ["native"] * 2 + ["denoise"] * 2
    assert set(ranked.loc[ranked["via"].eq("denoise"), "generator"]) == {"flux1-dev.safetensors", "sd_xl_base_1.0.safetensors"}


def test_adapters_say_which_base_they_apply_to_and_whether_it_is_installed() -> None:
    found = server({
        "diffusion_models": [("flux1-dev.safetensors", 23.8), ("hunyuan_video_t2v_720p_bf16.safetensors", 25.6)],
        "loras": [("flux_realism_lora.safetensors", 0.02), ("hunyuan_video/hyvideo_style.safetensors", 0.3),
                  ("wan/lightx2v_T2V_14B_cfg_step_distill_v2_lora_rank64_bf16.safetensors", 0.7)],
        **FLUX_PARTS,
    }, vram_gb=48)  # fmt: skip
    models = found.models.set_index("name")
    assert models.loc["flux_realism_lora.safetensors", ["applies_to", "orphan"]].tolist() == ["flux1", False]
    # HunyuanVideo is installed but misses its VAE, so nothing can run the LoRA
    assert models.loc["hunyuan_video/hyvideo_style.safetensors", ["applies_to", "orphan"]].tolist() == ["hunyuan_video", True]
    assert models.loc["wan/lightx2v_T2V_14B_cfg_step_distill_v2_lora_rank64_bf16.safetensors", "orphan"]
    assert pd.isna(models.loc["ae.safetensors", "orphan"]) and models.loc["ae.safetensors", "applies_to"] == ""


def test_pipelines_of_several_servers_pick_parts_on_their_own_server() -> None:
    a = server({"diffusion_models": [("flux1-dev.safetensors", 23.8)], **FLUX_PARTS}, url="http://a:8188")
    b = server({"diffusion_models": [("flux1-dev.safetensors", 23.8)]}, url="http://b:8188")
    fleet = cf.Discovery([*a.snapshots, *b.snapshots], warn=False)
    by_server = fleet.pipelines.set_index("server")
    assert by_server.loc["http://a:8188", "ready"] and not by_server.loc["http://b:8188", "ready"]
    assert len(by_server.loc["http://b:8188", "missing"]) == 3


def test_bad_job_arguments_are_refused() -> None:
    found = server({"checkpoints": [("v1-5-pruned-emaonly.safetensors", 4.27)]})
    for bad in ({"width": 0}, {"height": -5}, {"frames": float("nan")}, {"batch": 0}, {"width": "big"}):
        with pytest.raises(ValueError):
            found.best_for("text_to_image", **bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Job(width=float("inf"))


def test_registry_facade_returns_the_generator_with_its_components() -> None:
    found = server({"diffusion_models": [("flux1-dev.safetensors", 23.8)], **FLUX_PARTS}, vram_gb=48)
    registry = cf.ModelRegistryV2("http://gpu:8188")
    registry.discovery = found
    best = registry.get_best_for(cf.Capability.TEXT_TO_IMAGE)
    assert best is not None and best.filename == "flux1-dev.safetensors"
    assert "vae/ae.safetensors" in best.components


def test_cli_best_lists_parts_and_missing_and_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = server({"diffusion_models": [("flux1-dev.safetensors", 23.8), ("hunyuan_video_t2v_720p_bf16.safetensors", 25.6)],
                    **FLUX_PARTS}, vram_gb=48)  # fmt: skip
    path = found.save(tmp_path / "s.json")
    assert main(["best", "text_to_video", "--snapshot", str(path), "--all", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records[0]["generator"] == "hunyuan_video_t2v_720p_bf16.safetensors"
    assert "vae:hunyuan_video" in records[0]["missing"] and records[0]["ready"] is False
    assert main(["best", "text_to_video", "--snapshot", str(path)]) == 1
    assert "--all" in capsys.readouterr().err
    assert main(["best", "text_to_image", "--snapshot", str(path), "--width", "2048", "--height", "2048"]) == 0
    out = capsys.readouterr().out
    assert "flux1-dev.safetensors" in out and "vae/ae.safetensors" in out


def test_demo_holds_complete_and_incomplete_pipelines() -> None:
    found = cf.discover(demo=True)
    p = found.pipelines
    assert p["ready"].any() and (~p["ready"]).any()
    assert (p["module"] != "").any()
    for cap in ("text_to_video", "image_to_video", "text_to_image", "image_to_image", "upscale"):
        ranked = found.best_for(cap, max_vram=1000)
        assert not ranked.empty, cap
        assert ranked["ready"].all()
        # a motion module always comes with a base generator
        assert not ranked["generator"].eq("").any()


CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.mark.parametrize("path", sorted((CORPUS / "object_info").glob("*.json")), ids=lambda p: p.stem[:40])
def test_every_corpus_dump_yields_a_pipelines_table(path: Path, corpus_dir: Path) -> None:
    info = json.loads(path.read_text(encoding="utf-8"))
    found = cf.Discovery(cf.Snapshot(url="http://127.0.0.1:8188", responses={"/object_info": info}), warn=False)
    p = found.pipelines
    assert list(p.columns) == cf.PIPELINES.names
    generators = found.models["kind"].isin(["checkpoint", "diffusion_model", "upscale"]).sum()
    modules = found.models["kind"].eq("motion_module").sum()
    assert len(p) == generators + modules
    # a pipeline is ready exactly when nothing it needs is missing (and a job is left)
    assert not (p["ready"] & p["missing"].map(bool)).any()
    assert (p.loc[~p["ready"], "jobs"].map(len) == 0).all()
    for capability in found.available_capabilities():
        ranked = found.best_for(capability, max_vram=1000)
        assert ranked["ready"].all() and not ranked["generator"].eq("").any()


def test_vae_decode_is_whole_where_it_fits_and_tiled_where_it_does_not() -> None:
    found = server({"checkpoints": [("sd_xl_base_1.0.safetensors", 6.94)]}, vram_gb=80)
    roomy = found.best_for("text_to_image", max_vram=80, width=2048, height=2048).iloc[0]
    tight = found.best_for("text_to_image", max_vram=12, width=2048, height=2048).iloc[0]
    # ComfyUI decodes the whole 2048² latent when memory allows (~17 GB), one tile otherwise
    assert roomy["decode_gb"] > 12 > tight["decode_gb"]
    assert tight["vram_gb"] <= 12 < roomy["vram_gb"]
