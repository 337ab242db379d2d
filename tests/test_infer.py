"""Tests of the capability-inference engine (comfyframe.inference._infer and its rule tables).

Small frames are built by hand with :func:`make_models`; the corpus tests run the real discovery builders
over the /object_info dumps in ``../shared/corpus`` (``COMFYFRAME_CORPUS`` overrides) and check properties
that must hold for every real name, not a handful of outputs.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from comfyframe.inference._infer import INFERRED, infer_models
from comfyframe.rules import _rules

GIB = 2**30
META = ["meta_architecture", "meta_base_model", "meta_title", "meta_implementation", "meta_sd_model_name",
        "meta_network_module"]  # fmt: skip
STRING_COLUMNS = ["server", "folder", "name", "path", "subfolder", "filename", "stem", "ext", *META]


def make_models(rows: list[dict[str, object]], server: str = "http://s") -> pd.DataFrame:
    """A models frame following the input contract; each row needs folder and name."""
    records = []
    for row in rows:
        name = str(row["name"])
        path = name.replace("\\", "/")
        subfolder, _, filename = path.rpartition("/")
        stem, dot, ext = filename.rpartition(".")
        if not dot:
            stem, ext = filename, ""
        record = {"server": server, "folder": row["folder"], "name": name, "path": path, "subfolder": subfolder,
                  "filename": filename, "stem": stem, "ext": ext.lower(), "size_bytes": row.get("size")}  # fmt: skip
        record.update({m: row.get(m) for m in META})
        record["has_metadata"] = any(row.get(m) is not None for m in META)
        record["loader_nodes"] = tuple(row.get("loader_nodes", ()))
        record["loader_outputs"] = tuple(row.get("loader_outputs", ()))
        records.append(record)
    frame = pd.DataFrame(records)
    for column in STRING_COLUMNS:
        frame[column] = frame[column].astype("string")
    frame["size_bytes"] = frame["size_bytes"].astype("Int64")
    frame["has_metadata"] = frame["has_metadata"].astype("boolean")
    return frame


EMPTY_EDGES = pd.DataFrame({c: pd.Series(dtype="string") for c in ["server", "node", "input", "section", "folder", "name"]})
EMPTY_NODES = pd.DataFrame({"server": pd.Series(dtype="string"), "node": pd.Series(dtype="string"),
                            "display_name": pd.Series(dtype="string"), "category": pd.Series(dtype="string"),
                            "python_module": pd.Series(dtype="string"), "package": pd.Series(dtype="string"),
                            "output_types": pd.Series(dtype=object)})  # fmt: skip


def infer(rows: list[dict[str, object]], edges: pd.DataFrame | None = None, nodes: pd.DataFrame | None = None) -> pd.DataFrame:
    return infer_models(make_models(rows), EMPTY_EDGES if edges is None else edges, EMPTY_NODES if nodes is None else nodes)


def one(folder: str, name: str, **extra: object) -> pd.Series:
    return infer([{"folder": folder, "name": name, **extra}]).iloc[0]


def loaders(offers: dict[tuple[str, str, tuple[str, ...]], list[tuple[str, str]]], server: str = "http://s") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(edges, nodes) from {(node, input, outputs): [(folder, name), ...]}."""
    edge_rows, node_rows = [], {}
    for (node, inp, outputs), files in offers.items():
        node_rows[node] = {"server": server, "node": node, "display_name": node, "category": "loaders",
                           "python_module": "nodes", "package": "comfy_core", "output_types": outputs}  # fmt: skip
        edge_rows += [{"server": server, "node": node, "input": inp, "section": "required", "folder": f, "name": n} for f, n in files]
    edges = pd.DataFrame(edge_rows).astype("string")
    nodes = pd.DataFrame(list(node_rows.values()))
    for column in ["server", "node", "display_name", "category", "python_module", "package"]:
        nodes[column] = nodes[column].astype("string")
    return edges, nodes


# --------------------------------------------------------------------------- traps from the brief


def test_flux_offered_by_a_video_loader_is_not_a_video_model() -> None:
    files = [("diffusion_models", "flux1-dev-fp8.safetensors"), ("diffusion_models", "wan2.1_t2v_14B_fp16.safetensors"),
             ("diffusion_models", "my_finetune.safetensors")]  # fmt: skip
    edges, nodes = loaders({
        ("UNETLoader", "unet_name", ("MODEL",)): files,
        ("WanVideoModelLoader", "model", ("WANVIDEOMODEL",)): files,
    })  # fmt: skip
    out = infer([{"folder": f, "name": n, "loader_nodes": ("UNETLoader", "WanVideoModelLoader"),
                  "loader_outputs": ("MODEL", "WANVIDEOMODEL")} for f, n in files], edges, nodes)  # fmt: skip
    flux, wan, unknown = out.iloc[0], out.iloc[1], out.iloc[2]
    assert flux["family"] == "flux1" and flux["capabilities"] == ("text_to_image",)
    assert wan["family"] == "wan21" and wan["capabilities"] == ("text_to_video",)
    assert unknown["family"] == "" and unknown["source"] == "none"  # the video loader is no evidence


def test_flux_only_folder_with_only_a_video_loader_is_still_not_video() -> None:
    edges, nodes = loaders({("WanVideoModelLoader", "model", ("WANVIDEOMODEL",)): [("diffusion_models", "flux1-krea-dev.safetensors")]})
    row = infer([{"folder": "diffusion_models", "name": "flux1-krea-dev.safetensors"}], edges, nodes).iloc[0]
    assert row["family"] == "flux1"
    assert not set(row["capabilities"]) & {"text_to_video", "image_to_video"}


@pytest.mark.parametrize(
    "high, low",
    [
        ("wan2.2_t2v_high_noise_14B_fp8_scaled.safetensors", "wan2.2_t2v_low_noise_14B_fp8_scaled.safetensors"),
        ("wan2.2_i2v_high_noise_14B_fp16.safetensors", "wan2.2_i2v_low_noise_14B_fp16.safetensors"),
        ("Wan2_2-T2V-A14B-HIGH_fp8_e4m3fn_scaled_KJ.safetensors", "Wan2_2-T2V-A14B-LOW_fp8_e4m3fn_scaled_KJ.safetensors"),
        ("Wan2.2-I2V-A14B-HighNoise-Q4_K_M.gguf", "Wan2.2-I2V-A14B-LowNoise-Q4_K_M.gguf"),
        ("Wan2.2\\Wan2.2_T2V_A14B_High_Q8_0.gguf", "Wan2.2\\Wan2.2_T2V_A14B_Low_Q8_0.gguf"),
    ],
)
def test_wan22_high_and_low_noise_halves_rank_equal(high: str, low: str) -> None:
    out = infer([{"folder": "diffusion_models", "name": high}, {"folder": "diffusion_models", "name": low}])
    assert list(out["family"]) == ["wan22", "wan22"]
    assert out["quality"].notna().all() and out["quality"].iloc[0] == out["quality"].iloc[1]
    assert out["vram_gb"].iloc[0] == out["vram_gb"].iloc[1]
    assert "high_noise" in out["variant"].iloc[0].split(";") and "low_noise" in out["variant"].iloc[1].split(";")


def test_metadata_only_sdxl_lora() -> None:
    row = one("loras", "my_cool_style_v3.safetensors", meta_base_model="sdxl_base_v1-0", meta_network_module="networks.lora")
    assert (row["kind"], row["family"], row["source"]) == ("lora", "sdxl", "metadata")
    assert row["confidence"] >= 0.9


def test_subfolder_names_the_family_of_a_generic_lora() -> None:
    row = one("loras", "SDXL/lcm/pytorch_lora_weights.safetensors")
    assert (row["kind"], row["family"]) == ("lora", "sdxl")
    assert "lcm" in row["variant"].split(";")


def test_unidentifiable_file_is_kept_with_empty_family() -> None:
    out = infer([{"folder": "loras", "name": "qwerty_000123.safetensors"}, {"folder": "mystery_folder", "name": "x.bin"}])
    assert len(out) == 2
    assert list(out["family"]) == ["", ""] and list(out["source"]) == ["none", "none"]
    assert list(out["kind"]) == ["lora", "unknown"]
    assert out["family"].notna().all()


def test_unidentified_generator_claims_only_its_kinds_capability() -> None:
    """A checkpoint of unknown family is an image model (video checkpoints name their family); a bare
    diffusion model of unknown family claims nothing."""
    row = one("checkpoints", "final_final_v2.safetensors", size=3_854_123_776)
    assert (row["family"], row["capabilities"]) == ("", ("text_to_image",))
    assert pd.isna(row["quality"])
    row = one("diffusion_models", "final_final_v2.safetensors", size=3_854_123_776)
    assert (row["family"], row["capabilities"]) == ("", ())
    assert one("checkpoints", "hunyuan3d-dit-v2_fp16.safetensors")["capabilities"] == ()  # a 3D variant speaks


def test_still_image_family_that_can_edit_counts_as_text_to_image() -> None:
    out = infer([{"folder": "diffusion_models", "name": "flux2_dev_fp8mixed.safetensors"},
                 {"folder": "unet_gguf", "name": "flux-2-klein-4b-Q4_K_M.gguf"}])  # fmt: skip
    assert list(out["family"]) == ["flux2", "flux2"]
    assert set(out["capabilities"]) == {("text_to_image",)}


def test_ltx_video_checkpoint_does_text_and_image_to_video() -> None:
    row = one("checkpoints", "ltx-video-2b-v0.9.5.safetensors")
    assert row["family"] == "ltxv"
    assert row["capabilities"] == ("image_to_video", "text_to_video")


def test_wan21_t2v_small() -> None:
    row = one("diffusion_models", "wan2.1_t2v_1.3B_fp16.safetensors")
    assert (row["family"], row["precision"]) == ("wan21", "fp16")
    assert row["capabilities"] == ("text_to_video",)
    assert "t2v" in row["variant"].split(";")
    assert row["params_b"] == pytest.approx(1.3)


def test_wan22_ti2v_does_both_video_capabilities() -> None:
    row = one("diffusion_models", "wan2.2_ti2v_5B_fp16.safetensors")
    assert row["family"] == "wan22" and row["params_b"] == pytest.approx(5.0)
    assert row["capabilities"] == ("image_to_video", "text_to_video")


@pytest.mark.parametrize("name", ["flux1-fill-dev.safetensors", "flux1-dev-kontext_fp8_scaled.safetensors",
                                  "qwen_image_edit_2509_fp8_e4m3fn.safetensors", "sd-v1-5-inpainting.ckpt"])  # fmt: skip
def test_edit_fill_inpaint_models_are_image_to_image_only(name: str) -> None:
    assert one("diffusion_models", name)["capabilities"] == ("image_to_image",)


def test_gguf_q4_needs_less_vram_than_q8_of_the_same_model() -> None:
    out = infer([{"folder": "unet_gguf", "name": "flux1-dev-Q4_K_M.gguf"}, {"folder": "unet_gguf", "name": "flux1-dev-Q8_0.gguf"}])
    assert list(out["quant"]) == ["Q4_K_M", "Q8_0"]
    assert out["vram_gb"].iloc[0] < out["vram_gb"].iloc[1]
    assert out["quality"].iloc[0] <= out["quality"].iloc[1]


def test_vram_comes_from_the_size_when_known() -> None:
    size = 12_700_000_000  # an fp8 Flux fine-tune a little bigger than the family typical
    known = one("diffusion_models", "flux1-dev-fp8.safetensors", size=size)
    unknown = one("diffusion_models", "flux1-dev-fp8.safetensors")
    overhead = float(_rules.family_specs().loc["flux1", "overhead_gb"])
    assert known["vram_gb"] == pytest.approx(size / GIB + overhead, abs=0.01)
    assert known["vram_gb"] != unknown["vram_gb"]
    bigger = one("diffusion_models", "flux1-dev-fp8.safetensors", size=2 * size)
    assert bigger["vram_gb"] > known["vram_gb"]


# --------------------------------------------------------------------------- kind


@pytest.mark.parametrize(
    "folder, name, kind",
    [
        ("unet", "flux1-dev.safetensors", "diffusion_model"),
        ("clip", "t5xxl_fp16.safetensors", "text_encoder"),
        ("unet_gguf", "wan2.1-t2v-14b-Q4_K_M.gguf", "diffusion_model"),
        ("clip_gguf", "umt5-xxl-encoder-Q8_0.gguf", "text_encoder"),
        ("animatediff_models", "mm_sd_v15_v2.ckpt", "motion_module"),
        ("ipadapter", "ip-adapter_sdxl_vit-h.safetensors", "ipadapter"),
        ("upscale_models", "4x-UltraSharp.pth", "upscale"),
        ("latent_upscale_models", "ltx-2-spatial-upscaler-x2-1.0.safetensors", "latent_upscale"),
        ("vae_approx", "taesdxl_decoder.pth", "vae_approx"),
        ("model_patches", "qwen_image_canny_diffsynth_controlnet.safetensors", "model_patch"),
        ("t2i_adapter", "t2iadapter_canny_sd15v2.pth", "controlnet"),
        ("Checkpoints", "model.safetensors", "checkpoint"),  # folder names compare case-insensitively
    ],
)
def test_kind_from_folder(folder: str, name: str, kind: str) -> None:
    row = one(folder, name)
    assert (row["kind"], row["kind_source"]) == (kind, "folder")


@pytest.mark.parametrize(
    "outputs, inp, kind",
    [
        (("MOTION_MODEL_ADE",), "model_name", "motion_module"),
        (("UPSCALE_MODEL",), "model_name", "upscale"),
        (("CONTROL_NET",), "control_net_name", "controlnet"),
        (("IPADAPTER",), "ipadapter_file", "ipadapter"),
        (("CLIP_VISION",), "clip_name", "clip_vision"),
        (("VAE",), "vae_name", "vae"),
        (("CLIP",), "clip_name", "text_encoder"),
        (("MODEL", "CLIP", "VAE"), "ckpt_name", "checkpoint"),
        (("WANVIDEOMODEL",), "model", "diffusion_model"),
        (("MODEL", "CLIP"), "lora_name", "lora"),
        (("IMAGE",), "ckpt_name", "unknown"),  # a frame interpolator's weights are no checkpoint
    ],
)
def test_kind_from_loader_outputs_for_unplanned_folders(outputs: tuple[str, ...], inp: str, kind: str) -> None:
    edges, nodes = loaders({("SomePackLoader", inp, outputs): [("my_pack_models", "weights_v2.pth")]})
    row = infer([{"folder": "my_pack_models", "name": "weights_v2.pth", "loader_outputs": outputs}], edges, nodes).iloc[0]
    assert row["kind"] == kind
    assert row["kind_source"] == ("loader" if kind != "unknown" else "none")


def test_kind_from_loader_outputs_column_without_edges() -> None:
    row = one("", "mm_sd_v15_v2.ckpt", loader_outputs=("MOTION_MODEL_ADE",))
    assert (row["kind"], row["kind_source"], row["family"]) == ("motion_module", "loader", "sd15")


def test_kind_from_name_as_last_resort() -> None:
    out = infer([{"folder": "", "name": "4x-UltraSharp.pth"}, {"folder": "", "name": "control_v11p_sd15_canny.pth"}])
    assert list(out["kind"]) == ["upscale", "controlnet"] and set(out["kind_source"]) == {"name"}


# --------------------------------------------------------------------------- family


@pytest.mark.parametrize(
    "folder, name, family",
    [
        ("checkpoints", "sd_xl_base_1.0.safetensors", "sdxl"),
        ("checkpoints", "juggernautXL_v9Rundiffusionphoto2.safetensors", "sdxl"),
        ("checkpoints", "ponyDiffusionV6XL_v6StartWithThisOne.safetensors", "sdxl"),
        ("checkpoints", "waiNSFWIllustrious_v140.safetensors", "sdxl"),
        ("checkpoints", "noobaiXLNAIXL_vPred10Version.safetensors", "sdxl"),
        ("checkpoints", "v1-5-pruned-emaonly-fp16.safetensors", "sd15"),
        ("checkpoints", "realisticVisionV60B1_v51VAE.safetensors", "sd15"),
        ("checkpoints", "v2-1_768-ema-pruned.safetensors", "sd2"),
        ("checkpoints", "sd3.5_large.safetensors", "sd3"),
        ("checkpoints", "SD-1.5/some_merge.safetensors", "sd15"),
        ("diffusion_models", "flux1-schnell.safetensors", "flux1"),
        ("diffusion_models", "FLUX.1\\flux_dev_finetune.safetensors", "flux1"),
        ("diffusion_models", "flux2_dev_fp8mixed.safetensors", "flux2"),
        ("diffusion_models", "flux-2-klein-4b.safetensors", "flux2"),
        ("diffusion_models", "wan2.1_i2v_720p_14B_fp8_scaled.safetensors", "wan21"),
        ("diffusion_models", "Wan2_1-T2V-14B_fp8_e4m3fn.safetensors", "wan21"),
        ("diffusion_models", "wan2.2_s2v_14B_bf16.safetensors", "wan22"),
        ("loras", "Wan2.2\\Instareal_high.safetensors", "wan22"),
        ("checkpoints", "ltxv-13b-0.9.7-dev.safetensors", "ltxv"),
        ("checkpoints", "ltx-2-19b-dev-fp8.safetensors", "ltx2"),
        ("vae", "LTX23_video_vae_bf16.safetensors", "ltx2"),
        ("loras", "ltx-2.3-22b-distilled-lora-384.safetensors", "ltx2"),
        ("diffusion_models", "hunyuan_video_t2v_720p_bf16.safetensors", "hunyuan_video"),
        ("diffusion_models", "hunyuanimage2.1_bf16.safetensors", "hunyuan_image"),
        ("checkpoints", "hunyuan_dit_1.2.safetensors", "hunyuan_dit"),
        ("diffusion_models", "cosmos_predict2_2B_t2i.safetensors", "cosmos"),
        ("checkpoints", "svd_xt.safetensors", "svd"),
        ("diffusion_models", "mochi_preview_bf16.safetensors", "mochi"),
        ("diffusion_models", "CogVideoX_5b_1_5_I2V_fp8_e4m3fn.safetensors", "cogvideox"),
        ("checkpoints", "stable_audio_open_1.0.safetensors", "stable_audio"),
        ("checkpoints", "ace_step_v1_3.5b.safetensors", "ace_step"),
        ("diffusion_models", "qwen_image_fp8_e4m3fn.safetensors", "qwen_image"),
        ("loras", "Qwen-Image-Edit-Lightning-8steps-V1.0.safetensors", "qwen_image"),
        ("diffusion_models", "hidream_i1_full_fp16.safetensors", "hidream"),
        ("diffusion_models", "Chroma1-HD.safetensors", "chroma"),
        ("diffusion_models", "lumina_2_model_bf16.safetensors", "lumina2"),
        ("diffusion_models", "z_image_turbo_bf16.safetensors", "lumina2"),
        ("loras", "Spec_Asian_ZiT.safetensors", "lumina2"),
        ("diffusion_models", "omnigen2_fp16.safetensors", "omnigen2"),
        ("checkpoints", "Kolors.safetensors", "kolors"),
        ("checkpoints", "PixArt-Sigma-XL-2-1024-MS.pth", "pixart"),
        ("checkpoints", "stable_cascade/stage_c_bf16.safetensors", "cascade"),
        ("vae", "ae.safetensors", "flux1"),
        ("vae", "wan_2.1_vae.safetensors", "wan21"),
        ("vae", "wan2.2_vae.safetensors", "wan22"),
        ("vae", "flux2-vae.safetensors", "flux2"),
        ("vae", "qwen_image_vae.safetensors", "qwen_image"),
        ("vae", "vae-ft-mse-840000-ema-pruned.safetensors", "sd15"),
        ("vae_approx", "lighttaew2_1.safetensors", "wan21"),
        ("vae_approx", "taesdxl_decoder.pth", "sdxl"),
        ("text_encoders", "clip_l_hidream.safetensors", "hidream"),
        ("controlnet", "control_v11p_sd15_openpose_fp16.safetensors", "sd15"),
        ("controlnet", "diffusers_xl_canny_full.safetensors", "sdxl"),
        ("controlnet", "FLUX.1-dev-ControlNet-Union-Pro-2.0.safetensors", "flux1"),
        ("ipadapter", "ip-adapter-plus_sdxl_vit-h.safetensors", "sdxl"),
        ("animatediff_models", "mm_sdxl_v10_beta.ckpt", "sdxl"),
        ("animatediff_models", "improvedHumansMotion_refinedHumanMovement.ckpt", "sd15"),
        ("embeddings", "EasyNegative.safetensors", "sd15"),
    ],
)
def test_family_from_real_names(folder: str, name: str, family: str) -> None:
    assert one(folder, name)["family"] == family


@pytest.mark.parametrize(
    "folder, name",
    [
        ("loras", "pixel_art_style_v2.safetensors"),  # "xl" inside pixel
        ("loras", "swan_lake_ballet.safetensors"),  # "wan" inside swan
        ("loras", "influx_of_light.safetensors"),  # "flux" inside a word
        ("loras", "cyberpunk_city_v1.5.safetensors"),  # a LoRA's own v1.5 is not SD 1.5
        ("loras", "chromatic_aberration.safetensors"),
        ("loras", "ponytail_hairstyle.safetensors"),
        ("text_encoders", "t5xxl_fp16.safetensors"),  # shared by many families
        ("text_encoders", "clip_l.safetensors"),
        ("text_encoders", "umt5_xxl_fp8_e4m3fn_scaled.safetensors"),
        ("upscale_models", "4x_NMKD-Superscale-SP_178000_G.pth"),
        ("clip_vision", "CLIP-ViT-bigG-14-laion2B-39B-b160k.safetensors"),
    ],
)
def test_no_false_family(folder: str, name: str) -> None:
    assert one(folder, name)["family"] == ""


def test_zavychroma_is_sdxl_not_chroma() -> None:
    assert one("checkpoints", "zavychromaxl_v90.safetensors")["family"] == "sdxl"


def test_explicit_file_name_token_beats_subfolder_of_another_family() -> None:
    out = infer([{"folder": "controlnet", "name": "sdxl/control_v11e_sd15_ip2p.pth"},
                 {"folder": "loras", "name": "Flux/detail_sdxl_v2.safetensors"}])  # fmt: skip
    assert list(out["family"]) == ["sd15", "sdxl"]


def test_subfolder_beats_a_brand_guess_unless_the_size_rules_it_out() -> None:
    out = infer([{"folder": "checkpoints", "name": "sdxl/majicmixRealistic_v7.safetensors"},
                 {"folder": "checkpoints", "name": "sdxl/majicmixRealistic_v6.safetensors", "size": 2_132_625_894}])  # fmt: skip
    assert list(out["family"]) == ["sdxl", "sd15"]


def test_stronger_name_of_the_same_lineage_refines() -> None:
    out = infer([
        {"folder": "loras", "name": "Wan2.2/wan_style_lora.safetensors"},
        {"folder": "loras", "name": "wan22_detail.safetensors", "meta_architecture": "wan2.1/lora"},
        {"folder": "loras", "name": "FLUX.2/flux_style.safetensors"},
    ])  # fmt: skip
    assert list(out["family"]) == ["wan22", "wan22", "flux2"]


def test_metadata_beats_the_name() -> None:
    row = one("loras", "sd15/my_lora.safetensors", meta_architecture="stable-diffusion-xl-v1-base/lora")
    assert (row["family"], row["source"]) == ("sdxl", "metadata")


@pytest.mark.parametrize(
    "column, value, family",
    [
        ("meta_architecture", "Flux.1-dev/lora", "flux1"),
        ("meta_architecture", "stable-diffusion-v1/lora", "sd15"),
        ("meta_architecture", "stable-diffusion-v3-medium", "sd3"),
        ("meta_base_model", "sd_v1", "sd15"),
        ("meta_base_model", "flux1", "flux1"),
        ("meta_base_model", "zimage_turbo", "lumina2"),
        ("meta_base_model", "wan_2.2_14b", "wan22"),
        ("meta_base_model", "flux2_klein_4b", "flux2"),
        ("meta_sd_model_name", "ponyDiffusionV6XL.safetensors", "sdxl"),
        ("meta_network_module", "networks.lora", "sd15"),  # kohya before version keys: SD1.x
    ],
)
def test_family_from_metadata(column: str, value: str, family: str) -> None:
    row = one("loras", "untitled_000010.safetensors", **{column: value})
    assert (row["family"], row["source"]) == (family, "metadata")


def test_loader_of_a_pack_owned_folder_is_family_evidence() -> None:
    files = [("xflux_ipa", "model_a.safetensors"), ("xflux_ipa", "model_b.safetensors")]
    edges, nodes = loaders({("LoadFluxIPAdapter", "ipadapter", ("IP_ADAPTER_FLUX",)): files})
    out = infer([{"folder": f, "name": n} for f, n in files], edges, nodes)
    assert list(out["family"]) == ["flux1", "flux1"] and set(out["source"]) == {"loader"}


def test_loader_hint_needs_agreement_on_the_folder() -> None:
    files = [("text_models", "Florence-2-large/model.safetensors"), ("text_models", "some_llm.safetensors")]
    edges, nodes = loaders({
        ("easy kolorsLoader", "chatglm3_name", ("PIPE_LINE",)): files,
        ("DownloadAndLoadFlorence2Model", "model", ("FL2MODEL",)): files,
    })  # fmt: skip
    assert list(infer([{"folder": f, "name": n} for f, n in files], edges, nodes)["source"]) == ["none", "none"]


def test_generic_utility_folder_is_never_family_evidence() -> None:
    files = [("LLM", "Qwen2.5-7B-Instruct/model.safetensors"), ("LLM", "some_llm.safetensors")]
    edges, nodes = loaders({("easy kolorsLoader", "chatglm3_name", ("PIPE_LINE",)): files})
    assert list(infer([{"folder": f, "name": n} for f, n in files], edges, nodes)["family"]) == ["", ""]


def test_selective_dropdown_of_a_shared_folder_is_evidence() -> None:
    files = [("checkpoints", f"merge_{i}.safetensors") for i in range(6)]
    edges, nodes = loaders({
        ("CheckpointLoaderSimple", "ckpt_name", ("MODEL", "CLIP", "VAE")): files,
        ("easy fluxLoader", "ckpt_name", ("PIPE_LINE", "MODEL", "VAE")): files[:2],  # lists only its own family
    })  # fmt: skip
    out = infer([{"folder": f, "name": n} for f, n in files], edges, nodes)
    assert list(out["family"]) == ["flux1", "flux1", "", "", "", ""]
    assert list(out["source"][:2]) == ["loader", "loader"]


def test_checkpoint_size_is_weak_family_evidence() -> None:
    out = infer([{"folder": "checkpoints", "name": "aresMix_v02.safetensors", "size": 6_938_041_042},
                 {"folder": "checkpoints", "name": "aresMix_v03.safetensors", "size": 2_132_625_894},
                 {"folder": "checkpoints", "name": "aresMix_v04.safetensors"}])  # fmt: skip
    assert list(out["family"]) == ["sdxl", "sd15", ""]
    assert list(out["source"]) == ["size", "size", "none"]


# --------------------------------------------------------------------------- capabilities, variants, numbers


@pytest.mark.parametrize(
    "folder, name, caps",
    [
        ("diffusion_models", "wan2.1_i2v_480p_14B_fp16.safetensors", {"image_to_video"}),
        ("diffusion_models", "wan2.1_flf2v_720p_14B_fp16.safetensors", {"image_to_video"}),
        ("diffusion_models", "wan2.1_vace_14B_fp16.safetensors", {"text_to_video", "image_to_video"}),
        ("diffusion_models", "hunyuan_video_image_to_video_720p_bf16.safetensors", {"image_to_video"}),
        ("diffusion_models", "cosmos_predict2_14B_video2world_480p_16fps.safetensors", {"image_to_video"}),
        ("diffusion_models", "cosmos_predict2_2B_t2i.safetensors", {"text_to_image"}),
        ("checkpoints", "svd_xt_1_1.safetensors", {"image_to_video"}),
        ("checkpoints", "sd_xl_refiner_1.0.safetensors", {"image_to_image"}),
        ("animatediff_models", "v3_sd15_mm.ckpt", {"text_to_video"}),
        ("upscale_models", "RealESRGAN_x4plus.pth", {"upscale"}),
        ("checkpoints", "stable_audio_open_1.0.safetensors", {"text_to_audio"}),
        ("vae", "wan_2.1_vae.safetensors", set()),
        ("text_encoders", "umt5_xxl_fp16.safetensors", set()),
        ("clip_vision", "clip_vision_h.safetensors", set()),
        ("embeddings", "EasyNegative.safetensors", set()),
        ("vae_approx", "taesd_decoder.pth", set()),
        ("loras", "wan2.2_i2v_lightx2v_4steps_lora_v1_high_noise.safetensors", set()),
        ("controlnet", "control_v11p_sd15_canny.pth", set()),
    ],
)
def test_capabilities(folder: str, name: str, caps: set[str]) -> None:
    row = one(folder, name)
    assert isinstance(row["capabilities"], tuple)
    assert row["capabilities"] == tuple(sorted(caps))


@pytest.mark.parametrize(
    "name, precision, quant",
    [
        ("t5xxl_fp8_e4m3fn_scaled.safetensors", "fp8_scaled", ""),
        ("flux1-dev-fp8.safetensors", "fp8_e4m3fn", ""),
        ("mochi_preview_fp8_e5m2.safetensors", "fp8_e5m2", ""),
        ("hidream_i1_dev_bf16.safetensors", "bf16", ""),
        ("chilloutmix_NiPrunedFp32Fix.safetensors", "fp32", ""),
        ("flux1-dev-bnb-nf4-v2.safetensors", "nf4", ""),
        ("flux1-dev-Q5_K_S.gguf", "", "Q5_K_S"),
        ("Qwen2.5-VL-7B-Instruct-mmproj-F16.gguf", "fp16", "F16"),
        ("svdq-int4_r32-flux.1-dev.safetensors", "int4", ""),
        ("qwen_image_2512_nvfp4.safetensors", "nvfp4", ""),
        ("plain_name.safetensors", "", ""),
    ],
)
def test_precision_and_quant(name: str, precision: str, quant: str) -> None:
    row = one("diffusion_models", name)
    assert (row["precision"], row["quant"]) == (precision, quant)


def test_params_tokens() -> None:
    out = infer([{"folder": "diffusion_models", "name": n} for n in
                 ["Wan2_2-I2V-A14B-HIGH_fp8.safetensors", "ltx-2-19b-dev.safetensors", "sd3.5_medium.safetensors",
                  "flux1-dev.safetensors"]])  # fmt: skip
    assert list(out["params_b"]) == pytest.approx([14.0, 19.0, 2.5, 11.9])
    kijai = infer([{"folder": "diffusion_models", "name": "Wan2_1-T2V-1_3B_bf16.safetensors"},
                   {"folder": "text_encoders", "name": "qwen_3_4b.safetensors"}])  # fmt: skip
    assert list(kijai["params_b"]) == pytest.approx([1.3, 4.0])
    assert math.isnan(one("loras", "Wan21_T2V_14B_lightx2v_cfg_step_distill_lora_rank64.safetensors")["params_b"])


def test_quality_follows_generation_size_and_variant() -> None:
    out = infer([{"folder": "diffusion_models", "name": n} for n in [
        "flux1-dev.safetensors", "flux1-schnell.safetensors", "wan2.1_t2v_14B_fp16.safetensors",
        "wan2.1_t2v_1.3B_fp16.safetensors", "sd_xl_base_1.0.safetensors", "sd_xl_turbo_1.0_fp16.safetensors",
        "v1-5-pruned-emaonly.safetensors", "qwen_image_fp8_e4m3fn.safetensors"]])  # fmt: skip
    q = dict(zip(out["name"], out["quality"]))
    assert q["flux1-dev.safetensors"] > q["flux1-schnell.safetensors"]
    assert q["wan2.1_t2v_14B_fp16.safetensors"] > q["wan2.1_t2v_1.3B_fp16.safetensors"]
    assert q["sd_xl_base_1.0.safetensors"] > q["sd_xl_turbo_1.0_fp16.safetensors"] > q["v1-5-pruned-emaonly.safetensors"]
    assert q["qwen_image_fp8_e4m3fn.safetensors"] > q["sd_xl_base_1.0.safetensors"]
    assert out["quality"].between(1, 10).all()


def test_components_and_adapters_are_not_rated() -> None:
    out = infer([{"folder": "vae", "name": "ae.safetensors"}, {"folder": "loras", "name": "FLUX.1-Turbo-Alpha.safetensors"}])
    assert out["quality"].isna().all()


def test_fp32_files_load_in_half_precision() -> None:
    row = one("checkpoints", "v1-5-pruned-emaonly.ckpt", size=4_265_380_512)
    overhead = float(_rules.family_specs().loc["sd15", "overhead_gb"])
    assert row["vram_gb"] == pytest.approx(4_265_380_512 / 2 / GIB + overhead, abs=0.01)


def test_placeholder_size_falls_back_to_the_estimate() -> None:
    tiny = one("diffusion_models", "flux1-dev.safetensors", size=1024)
    none = one("diffusion_models", "flux1-dev.safetensors")
    assert tiny["vram_gb"] == none["vram_gb"] > 20


def test_vram_estimates_without_size_are_ordered() -> None:
    out = infer([{"folder": "diffusion_models", "name": n} for n in
                 ["wan2.1_t2v_14B_fp16.safetensors", "wan2.1_t2v_14B_fp8_e4m3fn.safetensors", "wan2.1_t2v_1.3B_fp16.safetensors"]])  # fmt: skip
    assert out["vram_gb"].is_monotonic_decreasing and out["vram_gb"].is_unique


# --------------------------------------------------------------------------- frame contract


def test_output_columns_dtypes_and_purity() -> None:
    models = make_models([{"folder": "loras", "name": "a.safetensors"}, {"folder": "checkpoints", "name": "sd_xl_base_1.0.safetensors"}])
    models.index = [10, 20]
    before = models.copy()
    out = infer_models(models, EMPTY_EDGES, EMPTY_NODES)
    pd.testing.assert_frame_equal(models, before)
    assert list(out.columns) == list(models.columns) + list(INFERRED)
    assert list(out.index) == [10, 20]
    for column, dtype in INFERRED.items():
        assert str(out[column].dtype) == ("object" if dtype == "object" else dtype), column
    assert out["family"].notna().all() and out["kind"].notna().all()
    pd.testing.assert_frame_equal(out, infer_models(models, EMPTY_EDGES, EMPTY_NODES))


def test_empty_models() -> None:
    out = infer_models(make_models([{"folder": "loras", "name": "a.safetensors"}]).iloc[:0], EMPTY_EDGES, EMPTY_NODES)
    assert out.empty and list(INFERRED) == list(out.columns[-len(INFERRED):])


def test_rule_tables_are_consistent() -> None:
    tables = _rules.all_tables()
    assert set(tables["family_specs"].index) == set(_rules.FAMILIES)
    named = set(tables["family_names"]["family"])
    assert named == set(_rules.FAMILIES), f"families without a name rule: {set(_rules.FAMILIES) - named}"
    assert set(tables["kinds"].index) == set(_rules.KINDS)


# --------------------------------------------------------------------------- corpus


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path) -> pd.DataFrame:
    """The corpus's models, inferred (conftest's corpus_dir: skips with one line outside CI, fails in CI)."""
    dumps = sorted((corpus_dir / "object_info").glob("*.json"))
    assert dumps, f"no object_info dumps in {corpus_dir}"
    from comfyframe._frames import build_frames, concat_frames
    from comfyframe.snapshot._snapshot import Snapshot

    parts = [build_frames(Snapshot(url=f"http://{p.stem}", responses={"/object_info": json.loads(p.read_text())})) for p in dumps]
    frames = concat_frames(parts)
    return infer_models(frames.models, frames.edges, frames.nodes)


def test_corpus_values_are_in_vocabulary(corpus: pd.DataFrame) -> None:
    assert len(corpus) > 800
    assert set(corpus["kind"]) <= set(_rules.KINDS)
    assert set(corpus["family"]) <= set(_rules.FAMILIES) | {""}
    assert set().union(*corpus["capabilities"]) <= set(_rules.CAPABILITIES)
    assert corpus["vram_gb"].ge(0).all() and corpus["confidence"].between(0, 1).all()


def test_corpus_generators_mostly_identified(corpus: pd.DataFrame) -> None:
    generators = corpus[corpus["kind"].isin(["checkpoint", "diffusion_model"])]
    assert (generators["family"] != "").mean() > 0.9


def test_corpus_token_families(corpus: pd.DataFrame) -> None:
    """Every file whose own name carries an unambiguous family token gets that family."""
    stem = corpus["stem"].str.lower()
    for token, family in [("wan2.2", "wan22"), ("wan2.1", "wan21"), ("flux1-", "flux1"), ("sdxl", "sdxl"),
                          ("qwen_image", "qwen_image"), ("hunyuan_video", "hunyuan_video"), ("sd15", "sd15")]:  # fmt: skip
        rows = corpus[stem.str.contains(token, regex=False)]
        assert len(rows) and (rows["family"] == family).all(), (token, rows.loc[rows["family"] != family, "name"].tolist())


def test_corpus_subfolders(corpus: pd.DataFrame) -> None:
    flux_loras = corpus[(corpus["kind"] == "lora") & corpus["subfolder"].str.startswith("Flux")]
    assert len(flux_loras) > 30 and (flux_loras["family"] == "flux1").all()


def test_corpus_image_models_never_get_video(corpus: pd.DataFrame) -> None:
    image = corpus["family"].isin(["sd15", "sdxl", "flux1", "flux2", "qwen_image", "hidream", "lumina2"])
    image &= corpus["kind"].isin(["checkpoint", "diffusion_model"])
    video = corpus["capabilities"].map(lambda caps: bool(set(caps) & {"text_to_video", "image_to_video"}))
    assert not (image & video).any()


def test_corpus_wan22_pairs_rank_equal(corpus: pd.DataFrame) -> None:
    wan = corpus[(corpus["family"] == "wan22") & corpus["quality"].notna()].copy()
    wan["pair"] = wan["stem"].str.lower().str.replace(r"_?(high|low)(_?noise)?", "", regex=True)
    paired = wan.groupby("pair")["quality"].agg(["nunique", "size"])
    assert (paired["size"] > 1).any() and (paired["nunique"] == 1).all()


def test_model_sizes_corpus_vram_from_size(corpus_dir: Path) -> None:
    table = corpus_dir / "model_sizes" / "model_bytes_sha256_from_manifests.tsv"
    assert table.exists(), f"{table} is missing from the corpus"
    sizes = pd.read_csv(table, sep="\t")
    rows = [{"folder": d, "name": f, "size": int(b)} for d, f, b in zip(sizes["directory"], sizes["filename"], sizes["bytes"])]
    out = infer(rows)
    overhead = np.where(out["kind"].isin(["checkpoint", "diffusion_model"]),
                        out["family"].map(_rules.family_specs()["overhead_gb"]).fillna(1.0), 0.0)  # fmt: skip
    cast = np.where(out["precision"].eq("fp32") & out["kind"].ne("vae"), 0.5, 1.0)
    expected = (sizes["bytes"].to_numpy() / GIB * cast + overhead).round(2)
    assert out["vram_gb"].to_numpy() == pytest.approx(expected, abs=0.011)
    by_name = dict(zip(out["name"], out["family"]))
    assert by_name["wan2.2_ti2v_5B_fp16.safetensors"] == "wan22" and by_name["ae.safetensors"] == "flux1"
