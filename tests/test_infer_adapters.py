"""Adapters on users' disks (LoRAs, ControlNets, motion modules): each mechanism tested with invented names.

The names are made up on purpose: no rule was written for any of them. The metadata values are the
strings real trainers write (kohya sd-scripts, musubi-tuner, ai-toolkit, OneTrainer), read from their
source: a LoRA carrying them must get the base they name, whatever its file is called.
"""

from __future__ import annotations

import pytest
from test_infer import infer, one

# --------------------------------------------------------------------------- community abbreviations


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("paperCraft_QIE_v2.safetensors", "qwen_image"),  # QIE = Qwen-Image-Edit
        ("qie2511_relight.safetensors", "qwen_image"),
        ("Qwen2509_poseFix.safetensors", "qwen_image"),  # Qwen-Image releases are named by year and month
        ("qwen_2512_watercolor.safetensors", "qwen_image"),
        ("QWEN/2511/2511 - Outfit Swap.safetensors", "qwen_image"),  # the release as a subfolder
        ("hazyDream_wan_HN.safetensors", "wan22"),  # HN / LN: the high / low-noise expert of Wan 2.2
        ("hazyDream_wan_LN.safetensors", "wan22"),
        ("WAN_kickflip_H.safetensors", "wan22"),  # a final -H / -L after Wan
        ("wan-kickflip-L.safetensors", "wan22"),
        ("wan_pirouette_hinoise.safetensors", "wan22"),
        ("lora_wan_pirouette_high.safetensors", "wan22"),  # Wan + a final high / low
        ("TWIRL-22-H-e4.safetensors", "wan22"),  # 22-H / 22_L: a Wan 2.2 expert LoRA without Wan named
        ("twirl_22_L_v2.safetensors", "wan22"),
        ("twirl_22_HN.safetensors", "wan22"),
    ],
)
def test_community_abbreviations_of_adapter_bases(name: str, family: str) -> None:
    assert one("loras", name)["family"] == family


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("qwen_2.5_vl_7b_fp8_scaled.safetensors", ""),  # the LLM encoder's version is no release date
        ("qwen_2999_demo.safetensors", ""),  # no month 99
        ("myStyle_HN.safetensors", ""),  # HN without Wan says nothing
        ("hikeL.safetensors", ""),
        ("wan_softlight_v2.safetensors", "wan21"),  # "light" is no -L: generic Wan stays Wan 2.1
        ("wan_ballet_lx2.safetensors", "wan21"),  # "lx2" is no -L suffix
        ("wan_sketch_highres.safetensors", "wan21"),  # highres is no high-noise expert
        ("poster_v22_H.safetensors", ""),  # a version 22 is no Wan 2.2
        ("calendar_2022_L.safetensors", ""),
        ("elfQueen_22_H_xl.safetensors", "sdxl"),  # a base named beside it wins
    ],
)
def test_abbreviations_are_not_read_into_other_tokens(name: str, family: str) -> None:
    folder = "text_encoders" if name.startswith("qwen_2.5") else "loras"
    assert one(folder, name)["family"] == family


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("controlnet11Models_lineart.safetensors", "sd15"),  # ControlNet 1.1 exists for SD1.5 only
        ("ControlNet-v1-1/control_shuffle.pth", "sd15"),
        ("controlnet_1.1_flux_tile.safetensors", "flux1"),  # a family named beside it wins
        ("controlnet_union_v1.1_sdxl.safetensors", "sdxl"),
        ("controlnet110_blur.safetensors", ""),
    ],
)
def test_a_controlnet_generation_that_exists_for_one_base(name: str, family: str) -> None:
    assert one("controlnet", name)["family"] == family


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("FastNegative_XL_v1.safetensors", "sdxl"),  # an SD1.5 embedding brand yields to a stated XL
        ("bad_dream_xl.safetensors", "sdxl"),
        ("EasyNegativeXL.safetensors", "sdxl"),
        ("verybadimagenegative_pony.safetensors", "sdxl"),
        ("easynegative_v2.safetensors", "sd15"),  # the bare brand is still SD1.5
        ("SDXL/easynegative.safetensors", "sd15"),  # and a folder the user named does not overrule it
    ],
)
def test_a_brand_known_for_one_base_yields_to_a_stated_base(name: str, family: str) -> None:
    assert one("embeddings", name)["family"] == family


# --------------------------------------------------------------------------- family words that are also words


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("cosmos_nebula_sdxl.safetensors", "sdxl"),
        ("CosmosGirlXL_v2.safetensors", "sdxl"),
        ("mochiBunny_PonyXL.safetensors", "sdxl"),
        ("Mochizuki_Rin_IL.safetensors", "sdxl"),  # a name that starts with "mochi" is not Mochi
        ("mochizuki_rin_v1.safetensors", ""),
    ],
)
def test_a_family_word_that_is_also_a_word_yields_to_an_architecture_marker(name: str, family: str) -> None:
    assert one("loras", name)["family"] == family


@pytest.mark.parametrize(
    ("folder", "name", "family"),
    [
        ("diffusion_models", "mochi_preview_fp8_e5m2.safetensors", "mochi"),
        ("vae", "mochi1_vae_bf16.safetensors", "mochi"),
        ("diffusion_models", "cosmos_predict2_2B_video2world_720p.safetensors", "cosmos"),
        ("loras", "cosmos_predict2_lowvram_lora.safetensors", "cosmos"),
    ],
)
def test_the_models_themselves_keep_their_family(folder: str, name: str, family: str) -> None:
    assert one(folder, name)["family"] == family


# --------------------------------------------------------------------------- metadata real trainers write


@pytest.mark.parametrize(
    ("architecture", "base", "family"),
    [
        ("stable-diffusion-v2-768-v/lora", "sd_v2_v", "sd2"),  # kohya sd-scripts
        ("stable-diffusion-3-5-large/lora", "", "sd3"),
        ("flux-1-schnell/lora", "", "flux1"),
        ("chroma/lora", "", "chroma"),
        ("lumina-2/lora", "", "lumina2"),
        ("", "sd_v1_v", "sd15"),
        ("hunyuan-video-1.5/lora", "hunyuan_video_1_5", "hunyuan_video"),  # musubi-tuner
        ("Flux.1-dev/lora", "flux_kontext", "flux1"),
        ("Flux.2-klein-4b/lora", "flux_2_klein_4b", "flux2"),
        ("Qwen-Image-Layered/lora", "qwen_image_layered", "qwen_image"),
        ("Z-Image/lora", "z_image", "lumina2"),
        ("HiDream-O1-Image/lora", "hidream_o1_image", "hidream"),
        ("", "wan_2.2_5b", "wan22"),  # ai-toolkit
        ("", "flux.1_kontext", "flux1"),
        ("", "zimage_diffsynth", "lumina2"),
        ("", "chroma_radiance", "chroma"),
        ("", "ssd", "sdxl"),
        ("", "vega", "sdxl"),
        ("", "sd_2.1", "sd2"),
        ("pixart-sigma/lora", "", "pixart"),  # OneTrainer
        ("stable-cascade-v1-prior/lora", "", "cascade"),
        ("stable-diffusion-xl-v1-base-inpainting/lora", "", "sdxl"),
        ("Chroma1/lora", "", "chroma"),
    ],
)
def test_lora_metadata_as_trainers_write_it(architecture: str, base: str, family: str) -> None:
    row = one("loras", "my_first_training_run-000012.safetensors", meta_architecture=architecture, meta_base_model=base)
    assert (row["family"], row["source"]) == (family, "metadata")


@pytest.mark.parametrize(
    ("architecture", "base"),
    [("Kandinsky-5/lora", "kandinsky5"), ("Krea-2/lora", "krea2"), ("Ideogram-4/lora", "ideogram4"), ("", "ernie_image")],
)
def test_metadata_naming_an_architecture_outside_the_vocabulary_drops_weak_guesses(architecture: str, base: str) -> None:
    rows = [{"folder": "loras", "name": f"Mix/known{i}_IL.safetensors"} for i in range(4)]
    rows.append({"folder": "loras", "name": "Mix/lantern_glow_IL.safetensors", "meta_architecture": architecture,
                 "meta_base_model": base})  # fmt: skip
    out = infer(rows)
    assert list(out["family"]) == ["sdxl"] * 4 + [""]  # neither its "IL" nor its siblings make it SDXL


@pytest.mark.parametrize(
    ("name", "family"),
    [("Kandinsky5/lantern_glow_IL.safetensors", ""), ("AuraFlow/ink_wash_pony_style.safetensors", "sdxl"),
     ("Sana/paper_cut_IL.safetensors", ""), ("anime/paper_cut_IL.safetensors", "sdxl")],
)
def test_a_subfolder_naming_a_model_outside_the_vocabulary_drops_weak_guesses(name: str, family: str) -> None:
    assert one("loras", name)["family"] == family  # an explicit Pony / XL still decides


def test_an_architecture_outside_the_vocabulary_keeps_an_explicit_name() -> None:
    row = one("loras", "lantern_glow_sdxl.safetensors", meta_architecture="Kandinsky-5/lora")
    assert row["family"] == "sdxl"  # only weak guesses go: a stated base is still read


# --------------------------------------------------------------------------- siblings on real layouts


def test_one_dissenting_sibling_shows_a_folder_sorted_by_purpose_mixes_bases() -> None:
    # Real disks sort LoRAs by purpose too: a "Style/" folder holds SDXL, Pony and Flux styles side by side.
    names = [f"Looks/velvet_{i}_pony.safetensors" for i in range(5)] + ["Looks/velvet_sdxl.safetensors",
             "Looks/velvet_flux.safetensors", "Looks/glossy_film.safetensors"]  # fmt: skip
    out = infer([{"folder": "loras", "name": n} for n in names])
    assert out.iloc[-1]["family"] == ""  # 6 of 7 agree: not enough when the folder demonstrably mixes bases


def test_a_generation_twin_among_the_siblings_keeps_the_file_unknown() -> None:
    names = ["Tweaks/glow_boost_xl.safetensors", "Tweaks/skin_pop_xl.safetensors", "Tweaks/hand_fix_pony.safetensors",
             "Tweaks/glow_boost.safetensors", "Tweaks/moody_grade.safetensors"]  # fmt: skip
    out = infer([{"folder": "loras", "name": n} for n in names]).set_index("name")
    assert out.at["Tweaks/glow_boost.safetensors", "family"] == ""  # kept beside its XL twin: another generation
    assert (out.at["Tweaks/moody_grade.safetensors", "family"], out.at["Tweaks/moody_grade.safetensors", "source"]) == (
        "sdxl", "folder")  # fmt: skip


def test_a_video_lora_sorted_among_image_loras_by_purpose_keeps_its_own_base() -> None:
    names = ["Poses/kneel_IL.safetensors", "Poses/leap_PONY.safetensors", "Poses/bow-IL.safetensors",
             "Poses/TWIRL-22-H-e4.safetensors", "Poses/untitled_pose.safetensors"]  # fmt: skip
    out = infer([{"folder": "loras", "name": n} for n in names]).set_index("name")
    assert out.at["Poses/TWIRL-22-H-e4.safetensors", "family"] == "wan22"
    assert out.at["Poses/untitled_pose.safetensors", "family"] == ""  # the folder mixes image and video bases


def test_a_twin_in_another_subfolder_does_not_count() -> None:
    names = ["Old/glow_boost_xl.safetensors"] + [f"Tweaks/fix{i}_xl.safetensors" for i in range(3)]
    out = infer([{"folder": "loras", "name": n} for n in [*names, "Tweaks/glow_boost.safetensors"]])
    assert out.iloc[-1]["family"] == "sdxl"


# --------------------------------------------------------------------------- capabilities of video adapters


@pytest.mark.parametrize(
    ("name", "caps"),
    [
        ("QuickMotion_sd15_i2v_beta.ckpt", ("image_to_video",)),  # the variant token names the video task
        ("QuickMotion_sd15_t2v_beta.ckpt", ("text_to_video",)),
        ("plainMotion_v2.ckpt", ("text_to_video",)),  # no token: the kind's own task
        ("motion_inpaint_sd15.ckpt", ("text_to_video",)),  # an image token does not make it an image model
    ],
)
def test_a_motion_modules_variant_token_names_its_video_task(name: str, caps: tuple[str, ...]) -> None:
    assert one("animatediff_models", name)["capabilities"] == caps


def test_an_upscalers_tokens_do_not_change_what_it_does() -> None:
    assert one("upscale_models", "2x_fill_edit_inpaint.pth")["capabilities"] == ("upscale",)


# --------------------------------------------------------------------------- high/low-noise expert pairs


@pytest.mark.parametrize(
    ("pair", "family"),
    [
        (["Moves/Shimmy_v3-H.safetensors", "Moves/Shimmy_v3-L.safetensors"], "wan22"),  # only Wan 2.2 comes in pairs
        (["hop_HN_e20.safetensors", "hop_LN_e20.safetensors"], "wan22"),
        (["sway_high_noise.safetensors", "sway_low_noise.safetensors"], "wan22"),
        (["Moves/Shimmy-H.safetensors", "Other/Shimmy-L.safetensors"], ""),  # a pair lives in one folder
        (["glow_high.safetensors", "glow_low.safetensors"], "wan22"),  # a final high / low pair too
        (["lighting_high_key.safetensors", "lighting_low_key.safetensors"], ""),  # not at the end: no expert
        (["SDXL/pose_a-H.safetensors", "SDXL/pose_a-L.safetensors"], "sdxl"),  # a family the folder names wins
        (["swirl_IL-H.safetensors", "swirl_IL-L.safetensors"], "sdxl"),  # as does one the name states
    ],
)
def test_a_high_low_noise_pair_in_one_folder_is_a_wan22_expert_pair(pair: list[str], family: str) -> None:
    out = infer([{"folder": "loras", "name": n} for n in pair])
    assert list(out["family"]) == [family, family]


def test_half_a_pair_says_nothing() -> None:
    assert one("loras", "Moves/Shimmy_v3-H.safetensors")["family"] == ""


@pytest.mark.parametrize(
    ("folder", "pair", "family"),
    [
        ("clip", ["clip_l.safetensors", "clip_h.safetensors"], ""),  # CLIP sizes, not noise levels
        ("clip_vision", ["CLIP-ViT-H.safetensors", "CLIP-ViT-L.safetensors"], ""),
        ("controlnet", ["depthmap_H.safetensors", "depthmap_L.safetensors"], ""),
        ("upscale_models", ["crisp-H.pth", "crisp-L.pth"], ""),
        ("diffusion_models", ["renamed_high.gguf", "renamed_low.gguf"], "wan22"),  # experts ship as models too
    ],
)
def test_only_kinds_that_ship_as_expert_pairs_read_a_pair(folder: str, pair: list[str], family: str) -> None:
    out = infer([{"folder": folder, "name": n} for n in pair])
    assert list(out["family"]) == [family, family]
