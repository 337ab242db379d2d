"""Family and capability evidence on users' disks: each mechanism tested with invented names.

The names below are made up on purpose (no rule was written for them): they show that a mechanism
generalises instead of matching particular files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_infer import infer, one

from comfyframe.inference._infer_family import sibling_families
from comfyframe.inference._infer_normalize import normalize
from comfyframe.rules import _rules

GB = 1_000_000_000


# --------------------------------------------------------------------------- 1. glued community tokens


@pytest.mark.parametrize(
    ("raw", "tokens"),
    [
        ("modelWAN22I2VGGUF_q4", " model wan22 i2v gguf q4 "),
        ("skyrimTI2VFast", " skyrim ti2v fast "),
        ("animePNYv2", " anime pny v2 "),
        ("mixF1DRealism", " mix f1d realism "),
        ("glossXLv31", " gloss xl v31 "),
        ("realF1Dv2", " real f1d v2 "),  # an acronym holding a digit, glued to a version
        ("inkF1Sv10_fp8", " ink f1s v10 fp8 "),
    ],
)
def test_upper_case_tokens_glued_between_others_are_split(raw: str, tokens: str) -> None:
    assert normalize([raw])[0] == tokens


@pytest.mark.parametrize("raw", ["myzitlora", "pinkpony", "tiltshift", "villager"])
def test_lower_case_runs_are_never_cut(raw: str) -> None:
    assert normalize([raw])[0] == f" {raw} "


@pytest.mark.parametrize(
    ("folder", "name", "family"),
    [
        ("loras", "charPNY_v1.safetensors", "sdxl"),
        ("loras", "elfArcherPNYv3.safetensors", "sdxl"),
        ("loras", "watercolor_illu_v2.safetensors", "sdxl"),
        ("loras", "inkStyle_ILXL.safetensors", "sdxl"),
        ("checkpoints", "ILL/animeMix_v3.safetensors", "sdxl"),
        ("loras", "catgirl_ILL_v2.safetensors", "sdxl"),
        ("loras", "catGirlNoobai_v3.safetensors", "sdxl"),
        ("loras", "tinyKnightNOOBAIepsilon.safetensors", "sdxl"),
        ("loras", "detailer_f1d_v1.safetensors", "flux1"),
        ("loras", "RetroFilmF1D.safetensors", "flux1"),
        ("loras", "paperCut_F1S_1.safetensors", "flux1"),
        ("loras", "animeZIT_v1.safetensors", "lumina2"),
        ("loras", "oil_paint_zit.safetensors", "lumina2"),
        ("loras", "slowmo_hyv_v1.safetensors", "hunyuan_video"),
        ("loras", "dancing_hunyuan.safetensors", "hunyuan_video"),
        ("loras", "bokeh_sd35_v2.safetensors", "sd3"),
        ("diffusion_models", "modelWAN22I2VGGUF_q4.gguf", "wan22"),
    ],
)
def test_community_base_abbreviations(folder: str, name: str, family: str) -> None:
    assert one(folder, name)["family"] == family


@pytest.mark.parametrize(
    ("name", "family", "caps"),
    [
        ("LongCat_TI2V_dancer_bf16.safetensors", "", {"text_to_video", "image_to_video"}),  # TI2V alone is no Wan
        ("myLongCatTI2VMix_fp8.safetensors", "", {"text_to_video", "image_to_video"}),
        ("ti2v_5B_Q8_0.gguf", "wan22", {"text_to_video", "image_to_video"}),  # the 5B TI2V is Wan 2.2 only
        ("wanMotionTI2V_v2.safetensors", "wan22", {"text_to_video", "image_to_video"}),
    ],
)
def test_ti2v_names_wan_2_2_only_with_wan_or_5b(name: str, family: str, caps: set[str]) -> None:
    row = one("diffusion_models", name)
    assert (row["family"], set(row["capabilities"])) == (family, caps)


@pytest.mark.parametrize(
    ("folder", "name", "caps"),
    [
        ("diffusion_models", "krea2_lowlight_fp8.safetensors", {"text_to_image"}),
        ("diffusion_models", "sanaSprint_artsy_v1.safetensors", {"text_to_image"}),
        ("diffusion_models", "cogview4_portrait_bf16.safetensors", {"text_to_image"}),
        ("diffusion_models", "anima-finetune-v2.safetensors", {"text_to_image"}),
        ("checkpoints", "sd/dreamyAnima_v10.safetensors", {"text_to_image"}),
        ("diffusion_models", "minimax_h3_mymerge_int8.safetensors", {"image_to_video"}),
        ("diffusion_models", "LongCat-Avatar-multi_Q4_K_M.gguf", {"image_to_video"}),
    ],
)
def test_models_outside_the_vocabulary_keep_no_family_but_get_their_capability(folder: str, name: str,
                                                                               caps: set[str]) -> None:
    row = one(folder, name)
    assert (row["family"], set(row["capabilities"])) == ("", caps)


def test_anima_in_a_brand_does_not_silence_its_xl_marker() -> None:
    assert one("checkpoints", "animaPencilXL_v600.safetensors")["family"] == "sdxl"


@pytest.mark.parametrize(
    ("name", "family"),
    [("skyreels_v3_r2v_fp8.safetensors", "wan21"), ("SkyReels-V3-A2V_Q8_0.gguf", "wan21"),
     ("SkyReels-A2-P14B_bf16.safetensors", "wan21"), ("skyreels_v1_i2v_fp8.safetensors", "hunyuan_video"),
     ("myWan_SkyReels-V2-DF_mix_fp8.safetensors", "wan21")],
)
def test_each_skyreels_generation_has_its_base(name: str, family: str) -> None:
    assert one("diffusion_models", name)["family"] == family


def test_bare_hunyuan_does_not_reach_hunyuan_3d() -> None:
    assert one("checkpoints", "hunyuan_3d_turbo_fp16.safetensors", size=6_900_000_000)["family"] == ""


# --------------------------------------------------------------------------- 2. precedence


@pytest.mark.parametrize(
    "name",
    [
        "FluxFusionXL_v2.safetensors",
        "chromaMixXL_v1.safetensors",
        "sanaDreamXL.safetensors",
        "luminaVisionXL_v3.safetensors",
        "fluxiPonyMerge_v1.safetensors",
    ],
)
def test_architecture_marker_beats_a_family_word_inside_a_brand(name: str) -> None:
    assert one("checkpoints", name)["family"] == "sdxl"


@pytest.mark.parametrize(
    "name",
    ["omnigenxlNSFW_v10.safetensors", "chromamixxl_v1.safetensors", "luminaxl_v2.safetensors",
     "fluxboostxl.safetensors", "qwenlikexl_v3.safetensors"],
)
def test_xl_glued_in_lower_case_beats_the_family_word_it_is_glued_to(name: str) -> None:
    assert one("checkpoints", name)["family"] == "sdxl"


@pytest.mark.parametrize(
    ("folder", "name", "family"),
    [("text_encoders", "t5xxl_fp8_e4m3fn.safetensors", ""), ("text_encoders", "umt5xxl_enc_bf16.safetensors", ""),
     ("text_encoders", "byt5_small_glyphxl_fp16.safetensors", "hunyuan_image"),
     ("diffusion_models", "omnigen2_fp16.safetensors", "omnigen2")],
)
def test_glued_xl_leaves_t5xxl_glyphxl_and_omnigen2_alone(folder: str, name: str, family: str) -> None:
    assert one(folder, name)["family"] == family


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("Z-Image/portrait_v1.safetensors", "lumina2"),
        ("IL/dreamshaper_outfit.safetensors", "sdxl"),
        ("Wan2.2/camera_orbit.safetensors", "wan22"),
        ("Flux/majicmix_skin.safetensors", "flux1"),
    ],
)
def test_subfolder_naming_a_family_beats_a_weaker_name_guess(name: str, family: str) -> None:
    assert one("loras", name)["family"] == family


@pytest.mark.parametrize(
    ("folder", "name", "family"),
    [
        ("controlnet", "xinsir_flux_canny.safetensors", "flux1"),
        ("controlnet", "mistoLine_flux_v1.safetensors", "flux1"),
        ("controlnet", "xinsir_openpose_v2.safetensors", "sdxl"),
        ("controlnet", "flux_control_lora_depth.safetensors", "flux1"),
        ("controlnet", "control-lora-recolor-rank128.safetensors", "sdxl"),
    ],
)
def test_a_publisher_known_for_one_base_yields_to_a_stated_base(folder: str, name: str, family: str) -> None:
    assert one(folder, name)["family"] == family


@pytest.mark.parametrize(
    ("name", "family"),
    [("dreamshaper_6BakedVae.safetensors", "sd15"), ("DreamShaper_7_pruned.safetensors", "sd15"),
     ("dreamshaperLightning_sfw.safetensors", ""), ("dreamshaper_turbo_v2.safetensors", ""),
     ("dreamshaperXL_turboDPMSDE.safetensors", "sdxl"), ("DreamShaperFlux_v1.safetensors", "flux1")],
)
def test_a_brand_of_several_generations_needs_its_generation_marker(name: str, family: str) -> None:
    assert one("checkpoints", name)["family"] == family


def test_size_still_tells_the_generation_of_a_bare_brand() -> None:
    assert one("checkpoints", "dreamshaper_turbo_v2.safetensors", size=6_900_000_000)["family"] == "sdxl"


# --------------------------------------------------------------------------- 3. siblings


def test_siblings_give_an_unidentified_file_their_family() -> None:
    names = [
        "Char/aliceXL.safetensors",
        "Char/bob_pony.safetensors",
        "Char/carol_illustrious.safetensors",
        "Char/dave_sdxl.safetensors",
        "Char/mystery_person.safetensors",
    ]
    out = infer([{"folder": "loras", "name": n} for n in names])
    last = out.iloc[-1]
    assert (last["family"], last["source"]) == ("sdxl", "folder")
    assert 0 < last["confidence"] < out.iloc[0]["confidence"]


@pytest.mark.parametrize(
    "names",
    [
        ["mine/a_xl.safetensors", "mine/b_xl.safetensors", "mine/unknown_c.safetensors"],  # only 2 identified
        [
            "mine/a_xl.safetensors",
            "mine/b_xl.safetensors",
            "mine/c_flux.safetensors",
            "mine/d_wan21.safetensors",
            "mine/unknown_e.safetensors",
        ],  # 50 % agree
        ["a/x_xl.safetensors", "b/y_xl.safetensors", "c/z_xl.safetensors", "d/unknown.safetensors"],  # other folders
        ["x_flux.safetensors", "y_flux.safetensors", "z_flux.safetensors", "unknown.safetensors"],  # top level
    ],
)
def test_siblings_need_several_agreeing_identified_files(names: list[str]) -> None:
    out = infer([{"folder": "loras", "name": n} for n in names])
    assert out.iloc[-1]["family"] == ""


def test_siblings_never_override_a_name_or_metadata() -> None:
    rows = [{"folder": "loras", "name": f"Motion/clip{i}_wan22.safetensors"} for i in range(4)]
    rows += [
        {"folder": "loras", "name": "Motion/orbit_flux.safetensors"},
        {"folder": "loras", "name": "Motion/untitled.safetensors", "meta_architecture": "Flux.1-dev/lora"},
    ]
    out = infer(rows)
    assert list(out["family"][-2:]) == ["flux1", "flux1"]
    assert list(out["source"][-2:]) == ["name", "metadata"]


def test_sibling_groups_are_per_server_folder_and_subfolder() -> None:
    frame = pd.DataFrame({"server": ["s1"] * 4 + ["s2"], "folder": ["loras"] * 5, "subfolder": ["x"] * 5})
    frame = frame.astype("string")
    sdxl = _rules.FAMILY_CODE["sdxl"]
    family, share = sibling_families(frame, np.array([sdxl, sdxl, sdxl, -1, -1]))
    assert list(family) == [sdxl] * 4 + [-1]
    assert share[3] == 1.0 and share[4] == 0.0


# --------------------------------------------------------------------------- 4. sizes of diffusion models


@pytest.mark.parametrize(
    ("name", "gb", "family"),
    [
        ("mystery_model_fp16.safetensors", 23.8, "flux1"),
        ("someMerge_bf16.safetensors", 23.0, "flux1"),
        ("someMerge_fp8_e4m3fn.safetensors", 11.9, "flux1"),
        ("someMerge.safetensors", 23.8, ""),  # precision not stated: no decision
        ("someMerge_fp8.safetensors", 23.8, ""),  # 24 GB of fp8 is a 24B model: not FLUX.1
        ("someMerge_bf16.safetensors", 28.6, ""),  # Wan 14B / Cosmos 14B / LTXV 13B share this band
        ("portraitMix_bf16.safetensors", 12.3, "lumina2"),  # Z-Image fine-tunes ship as bare diffusion models
        ("portraitMix_fp8_e4m3fn.safetensors", 6.2, "lumina2"),
        ("portraitMix.safetensors", 12.3, ""),  # precision not stated: FLUX.1 fp8 is 11.9 GB
        ("portraitMix_fp16.safetensors", 10.0, ""),  # Wan 2.2 5B
        ("portraitMix_fp8.safetensors", 8.3, ""),  # HunyuanVideo 1.5 / Chroma / SD3.5 Large in fp8
        ("realismMerge_bf16.safetensors", 40.9, "qwen_image"),  # a 20B model in 16 bit
        ("realismMerge_fp8.safetensors", 20.4, ""),  # LTX-2's 19B transformer is as large in fp8
        ("realismMerge_bf16.safetensors", 43.3, ""),  # LTX-2 all-in-one
    ],
)
def test_diffusion_model_size_band_for_one_family_and_precision(name: str, gb: float, family: str) -> None:
    assert one("diffusion_models", name, size=int(gb * GB))["family"] == family


# --------------------------------------------------------------------------- 5. physics and context vetoes


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("SDXL/anything_goes.safetensors", "sd15"),  # subfolder vetoed; the size band speaks
        ("SDXL/juggernaut_fresh.safetensors", "sd15"),  # brand list vetoed
        ("SDXL/niceXL_pruned.safetensors", "sdxl"),
    ],  # an explicit token in the name still decides
)
def test_a_size_that_rules_a_family_out_vetoes_weak_evidence(name: str, family: str) -> None:
    assert one("checkpoints", name, size=2_100_000_000)["family"] == family


def test_size_veto_also_blocks_sibling_evidence() -> None:
    rows = [{"folder": "checkpoints", "name": f"m/{n}XL.safetensors", "size": 6_900_000_000} for n in "abc"]
    rows.append({"folder": "checkpoints", "name": "m/odd_one.safetensors", "size": 1_000_000_000})
    assert one_family(rows) == ""


def one_family(rows: list[dict[str, object]]) -> str:
    return str(infer(rows).iloc[-1]["family"])


@pytest.mark.parametrize(
    "name",
    [
        "flux1-dev-fp8-learned_svd.safetensors",
        "svdq-int4-flux.1-dev.safetensors",
        "kreaMix_svdq_fp4.safetensors",
        "artsy_nvfp4_svd.safetensors",
    ],
)
def test_svd_inside_a_quantisation_suffix_is_not_stable_video_diffusion(name: str) -> None:
    assert one("diffusion_models", name)["family"] != "svd"


def test_real_svd_is_still_svd() -> None:
    assert one("checkpoints", "svd_xt_1_1.safetensors")["family"] == "svd"


# --------------------------------------------------------------------------- 6. capabilities


@pytest.mark.parametrize(
    ("folder", "name", "caps"),
    [
        ("checkpoints", "juggernautXInpaint.safetensors", {"image_to_image"}),
        ("checkpoints", "someMergeXLInpaint_v2.safetensors", {"image_to_image"}),
        ("diffusion_models", "modelWAN22I2VGGUF_q4.gguf", {"image_to_video"}),
        ("diffusion_models", "wanMotionI2VQ5.gguf", {"image_to_video"}),
        ("diffusion_models", "mystery_t2v_bf16.safetensors", {"text_to_video"}),
        ("diffusion_models", "mystery_edit_fp8.safetensors", {"image_to_image"}),
        ("diffusion_models", "mystery_model_bf16.safetensors", set()),  # nothing speaks
        ("diffusion_models", "hunyuan_video_avatar_bf16.safetensors", {"image_to_video"}),  # audio-driven portrait
        ("diffusion_models", "Wan2_1-OmniAvatar-14B_fp8.safetensors", {"image_to_video"}),
        ("checkpoints", "avatarMixXL_v2.safetensors", {"text_to_image"}),  # an image model: the word is a style
    ],
)
def test_capabilities_from_glued_and_variant_tokens(folder: str, name: str, caps: set[str]) -> None:
    assert set(one(folder, name)["capabilities"]) == caps


@pytest.mark.parametrize(
    ("raw", "tokens"),
    [("SDXLrender_v2", " sdxl render v2 "), ("QR_v2Sd15", " qr v2 sd15 "), ("F1Dev_style", " f1 dev style "),
     ("SD15LoraMix", " sd15 lora mix "), ("Flat2DAnimerge", " flat2danimerge ")],
)
def test_digits_and_acronyms_before_a_capitalised_word_are_split(raw: str, tokens: str) -> None:
    assert normalize([raw])[0] == tokens


@pytest.mark.parametrize(
    ("folder", "name", "family"),
    [("loras", "Qwen/edit_style.safetensors", "qwen_image"), ("loras", "portrait_qwen.safetensors", "qwen_image"),
     ("loras", "qwen_cinematic_v2.safetensors", "qwen_image"),
     ("text_encoders", "qwen_2.5_vl_7b_fp8_scaled.safetensors", ""), ("text_encoders", "qwen3_4b.safetensors", ""),
     ("text_encoders", "Qwen_VL_chat.safetensors", "")],
)
def test_bare_qwen_is_qwen_image_but_not_its_llm_encoders(folder: str, name: str, family: str) -> None:
    assert one(folder, name)["family"] == family


def test_a_vetoed_subfolder_does_not_silence_the_file_name() -> None:
    # 3.0 GB: no size band speaks, the SDXL subfolder is ruled out, the SD1.5 brand in the name remains
    assert one("checkpoints", "SDXL/majicmixRealistic_v6.safetensors", size=3_000_000_000)["family"] == "sd15"


# --------------------------------------------------------------------------- glued tokens in lower case


@pytest.mark.parametrize(
    ("raw", "tokens"),
    [("wan22i2vfast", " wan22 i2v fast "), ("mixt2vlora", " mix t2v lora "), ("skyti2vmix", " sky ti2v mix "),
     ("catflf2vpro", " cat flf2v pro ")],
)
def test_lower_case_tokens_with_a_digit_between_letters_are_split(raw: str, tokens: str) -> None:
    """No word holds a letter-digit-letter run: cutting it invents nothing."""
    assert normalize([raw])[0] == tokens


def test_a_glued_lower_case_variant_gives_the_capability() -> None:
    assert one("diffusion_models", "wan22i2vfast_q4.gguf")["capabilities"] == ("image_to_video",)
    assert one("diffusion_models", "mytinyt2vmix_q4.gguf")["capabilities"] == ("text_to_video",)


@pytest.mark.parametrize(
    ("folder", "name", "family"),
    [
        ("checkpoints", "ponyrealism.safetensors", "sdxl"),
        ("checkpoints", "cyberrealisticpony_v8.safetensors", "sdxl"),  # marker beats the SD1.5 brand
        ("checkpoints", "animepony_v2.safetensors", "sdxl"),
        ("loras", "ponyfantasy_style.safetensors", "sdxl"),
        ("checkpoints", "mixnoobai_v3.safetensors", "sdxl"),
        ("loras", "ponytail_style.safetensors", ""),  # a word that holds "pony"
        ("loras", "PonyTails_v2.safetensors", ""),
        ("loras", "ponyo_v1.safetensors", ""),  # too short a glue to be a brand
        ("loras", "fluxus_paint.safetensors", ""),
        ("loras", "illusion_art.safetensors", ""),
        ("loras", "illustration_style.safetensors", ""),
        ("checkpoints", "glowflux_v2AIO.safetensors", "flux1"),  # FLUX glued to the end of a brand
        ("loras", "epicflux_skin.safetensors", "flux1"),
        ("loras", "influx_of_light.safetensors", ""),  # a word that ends in "flux"
        ("loras", "reflux_style.safetensors", ""),
    ],
)
def test_a_base_name_glued_in_lower_case(folder: str, name: str, family: str) -> None:
    assert one(folder, name)["family"] == family


# --------------------------------------------------------------------------- brands of several generations


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("juggernaut_v9.safetensors", ""),  # SD1.5 and SDXL both had a v9
        ("bluePencil_v10.safetensors", ""),
        ("leosam_portrait.safetensors", ""),
        ("juggernaut_ragnarok.safetensors", "sdxl"),
        ("juggernautXII_v1.safetensors", "sdxl"),
        ("juggernaut_final_pruned.safetensors", "sd15"),
        ("bluePencilXL_v9.safetensors", "sdxl"),
        ("leosamsMoonfilm_v2.safetensors", "sd15"),
        ("leosamHelloworld_v4.safetensors", "sdxl"),
    ],
)
def test_a_bare_brand_of_several_generations_stays_unknown(name: str, family: str) -> None:
    assert one("checkpoints", name)["family"] == family


# --------------------------------------------------------------------------- diffusion-model size limits


@pytest.mark.parametrize(
    ("name", "size", "family"),
    [
        ("Flux.1/tiny_q4.gguf", 1.5 * GB, ""),  # too small for a 12B model even in 2 bits
        ("Flux/other_q4.gguf", 6.8 * GB, "flux1"),
        ("Qwen/mystery_q4.gguf", 3.0 * GB, ""),
        ("SD15/unet_big.safetensors", 5.0 * GB, ""),  # an SD1.5 UNet is 3.4 GB even in fp32
        ("flux1-dev-Q2_K.gguf", 4.03 * GB, "flux1"),
        ("flux1-tiny-distill.gguf", 1.5 * GB, "flux1"),  # an explicit token still decides
    ],
)
def test_a_diffusion_models_size_vetoes_a_family_it_cannot_have(name: str, size: float, family: str) -> None:
    assert one("diffusion_models", name, size=int(size))["family"] == family


def test_size_rules_read_as_arrays_give_what_the_tables_say_rule_by_rule() -> None:
    """family_sizes.csv: the first rule that fits wins; family_size_limits.csv: every violated limit vetoes."""
    from comfyframe.inference._infer_family import size_families, size_vetoes

    rng = np.random.default_rng(7)
    sizes = [r for t in ("family_sizes", "family_size_limits") for r in _rules.rows(t)]
    n = 4000
    kind = rng.choice(sorted({_rules.KIND_CODE[r.kind] for r in sizes}), n)
    edges = np.array([x for r in sizes for x in (r.min_gb, r.max_gb)], dtype=np.float64) * GB
    size = np.where(rng.random(n) < 0.05, np.nan, rng.choice(edges, n) * rng.choice([0.99, 1.0, 1.01], n))
    precision = rng.integers(-1, len(_rules.rows("precisions")), n)
    per_weight = _rules.by_rule("precisions", "file_bytes", np.nan)[precision]
    expected = np.full(n, -1, dtype=np.int64)
    for rule in _rules.rows("family_sizes"):
        fits = (kind == _rules.KIND_CODE[rule.kind]) & (size / GB >= rule.min_gb) & (size / GB <= rule.max_gb)
        fits &= np.isnan(rule.file_bytes) | (per_weight == rule.file_bytes)
        expected[fits & (expected < 0)] = _rules.FAMILY_CODE[rule.family]
    vetoes = np.zeros((n, len(_rules.FAMILIES)), dtype=bool)
    for rule in _rules.rows("family_size_limits"):
        outside = (size / GB < rule.min_gb) | (size / GB > rule.max_gb)
        vetoes[:, _rules.FAMILY_CODE[rule.family]] |= (kind == _rules.KIND_CODE[rule.kind]) & outside
    found = size_families(kind, size, precision)
    assert (found == expected).all() and (found >= 0).sum() > 50
    assert (size_vetoes(kind, size) == vetoes).all() and vetoes.sum() > 50


# --------------------------------------------------------------------------- LoRA sizes


@pytest.mark.parametrize(
    ("name", "size", "family"),
    [
        ("Styles/mossyRuins.safetensors", 228_452_100, "sdxl"),  # rank 32 SDXL + header
        ("tinyDetail_v2.safetensors", 57_430_000, "sdxl"),  # rank 8 SDXL
        ("oldPhoto-000012.safetensors", 37_871_000, "sd15"),  # rank 32 SD1.5
        ("paperCraft_e10.safetensors", 151_140_000, "sd15"),  # rank 128 SD1.5
        ("somethingElse.safetensors", 218_000_000, ""),  # no band: no guess
        ("neonCity_flux.safetensors", 228_452_100, "flux1"),  # the name decides over a size band
    ],
)
def test_a_loras_exact_size_tells_its_base(name: str, size: int, family: str) -> None:
    assert one("loras", name, size=size)["family"] == family


@pytest.mark.parametrize(
    ("name", "family"),
    [("realDream_15SD15.safetensors", "sd15"), ("animeMix_v2SD15.safetensors", "sd15"),
     ("glowSD15v2.safetensors", "sd15"), ("epiCPhotoGasm_v1.safetensors", "sd15")],
)
def test_sd15_glued_to_a_version_and_camel_cased_brands(name: str, family: str) -> None:
    assert one("checkpoints", name)["family"] == family


@pytest.mark.parametrize(
    ("name", "family"),
    [("myToken.pt", "sd15"), ("grainy-neg.bin", "sd15"), ("myToken.safetensors", ""),  # safetensors: any base
     ("SDXL/myToken.pt", "sdxl"), ("cinematic_xl.pt", "sdxl")],  # a subfolder or name token wins
)
def test_an_embeddings_format_is_a_weak_guess(name: str, family: str) -> None:
    assert one("embeddings", name)["family"] == family
    assert one("loras", "style.pt")["family"] == ""  # only the kinds listed in format_families.csv
