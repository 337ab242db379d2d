"""Real ComfyUI servers (0.3.75, 0.8.0 and 0.33.0) for the live tests.

Three pieces, usable on their own:

* :func:`ensure_comfyui` builds (once, cached) the ComfyUI environment.
* :data:`MODEL_TREE` / :func:`build_model_tree` lay out a realistic ``models/``
  tree of sparse files (a 23 GB checkpoint costs one disk block) plus small
  custom node packs that register extra folders and loader nodes the way the
  popular packs do.
* :func:`start_comfyui` runs the server on a free loopback port and returns a
  :class:`ServerHandle`; ``handle.stop()`` terminates it (then kills it).

Every :class:`ModelFile` also carries the TRUTH the inference tests compare
against: ``kind``, ``family`` and ``capabilities``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection, Iterable, Sequence

REPO_ROOT = Path(__file__).resolve().parents[1]
SETUP_SCRIPT = REPO_ROOT / "scripts" / "setup_comfyui.sh"
# ComfyUI versions the live tests run against, each with the script that builds its cached environment.
SOURCE_SCRIPT = REPO_ROOT / "scripts" / "setup_comfyui_source.sh"
SETUP_SCRIPTS = {"0.3.75": [SETUP_SCRIPT], "0.8.0": [SOURCE_SCRIPT, "0.8.0"], "0.33.0": [SOURCE_SCRIPT, "0.33.0"]}
COMFYUI_VERSIONS = tuple(SETUP_SCRIPTS)
CUSTOM_NODES_SRC = Path(__file__).resolve().parent / "custom_nodes"

# ComfyUI's folder_paths.supported_pt_extensions: the only extensions that
# /experiment/models/{folder} reports, whatever the folder's own extensions are.
SUPPORTED_PT_EXTENSIONS = frozenset({".ckpt", ".pt", ".pt2", ".bin", ".pth", ".safetensors", ".pkl", ".sft"})
# Fixed modification time given to every file of the tree (2025-06-01T00:00:00Z).
TREE_MTIME = 1748736000

T2I = "text_to_image"
I2I = "image_to_image"
T2V = "text_to_video"
I2V = "image_to_video"
UPSCALE = "upscale"
T2A = "text_to_audio"


# --------------------------------------------------------------------------- environment


def ensure_comfyui(version: str = "0.3.75") -> tuple[Path, Path]:
    """Build the cached ComfyUI venv of ``version`` if needed; return (python, ComfyUI source dir)."""
    script, *args = SETUP_SCRIPTS[version]
    proc = subprocess.run(["bash", str(script), *args], cwd=REPO_ROOT, capture_output=True, text=True)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode == 3:  # the source tarball is not there (a plain clone without ../shared): one line
        raise RuntimeError(proc.stderr.strip().splitlines()[-1])
    if proc.returncode != 0 or not lines:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
        raise RuntimeError(f"scripts/{script.name} failed (exit {proc.returncode}):\n{tail}")
    python = Path(lines[-1].strip())
    marker = python.parent.parent / ".comfyui-dir"
    if not python.exists() or not marker.is_file():
        raise RuntimeError(f"{script.name} printed {python}, but {marker} is missing")
    comfy_dir = Path(marker.read_text().strip())
    if not (comfy_dir / "main.py").is_file():
        raise RuntimeError(f"no main.py in {comfy_dir}")
    return python, comfy_dir


NEWEST_TEMPLATES = "0.11.97"  # comfyui-workflow-templates on PyPI, October 2026 (644 templates)


def ensure_templates_package(version: str = NEWEST_TEMPLATES) -> Path:
    """``pip install --target`` the templates package ``version`` (and the bundles it pins) into a folder of its
    own under ~/.cache/comfyframe, once; return it, for a server started with it first on PYTHONPATH.

    The cached ComfyUI environments are never changed: only that server process sees this version.
    """
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "comfyframe" / f"wf-templates-{version}"
    site = root / "site"
    if (root / ".ready").is_file():
        return site
    staging = root / "site.partial"
    shutil.rmtree(staging, ignore_errors=True)
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           "--target", str(staging), f"comfyui-workflow-templates=={version}"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"pip install comfyui-workflow-templates=={version} failed:\n{proc.stderr[-2000:]}")
    shutil.rmtree(site, ignore_errors=True)
    staging.rename(site)
    (root / ".ready").write_text(version + "\n")
    return site


# --------------------------------------------------------------------------- model tree


@dataclass(frozen=True)
class ModelFile:
    """One file of the test tree, as ComfyUI lists it, plus the inference truth.

    ``name`` is what ``/models/{folder}`` returns (relative path, ``os.sep``
    subfolders). ``disk_dir`` is where the file lives, relative to the base
    directory (``models/<folder>`` unless a legacy or custom-node dir is used).
    """

    folder: str
    name: str
    size_bytes: int
    kind: str
    family: str = ""
    capabilities: frozenset[str] = frozenset()
    metadata: dict[str, str] | None = None
    disk_dir: str = ""
    note: str = ""

    @property
    def path(self) -> str:
        """``name`` with '/' separators."""
        return self.name.replace(os.sep, "/")

    @property
    def ext(self) -> str:
        return os.path.splitext(self.name)[1].lower()

    @property
    def stem(self) -> str:
        return os.path.splitext(os.path.basename(self.path))[0]

    @property
    def in_experiment_listing(self) -> bool:
        """True when /experiment/models/{folder} reports it (with its size)."""
        return self.ext in SUPPORTED_PT_EXTENSIONS

    @property
    def location(self) -> str:
        """Path on disk relative to the base directory, '/' separated."""
        return f"{self.disk_dir or 'models/' + self.folder}/{self.path}"


def _m(
    folder: str,
    name: str,
    size: int,
    kind: str,
    family: str = "",
    caps: Iterable[str] = (),
    meta: dict[str, str] | None = None,
    disk: str = "",
    note: str = "",
) -> ModelFile:
    return ModelFile(folder, name.replace("/", os.sep), size, kind, family, frozenset(caps), meta, disk, note)


# Kohya / modelspec metadata as real trainers write it (only string values).
_KOHYA_SD15 = {
    "ss_base_model_version": "sd_v1",
    "ss_network_module": "networks.lora",
    "ss_network_dim": "32",
    "ss_network_alpha": "16",
    "ss_sd_model_name": "v1-5-pruned-emaonly.safetensors",
    "ss_resolution": "(512, 512)",
    "ss_output_name": "add_detail",
}
_KOHYA_SDXL_ONLY = {  # the trap: nothing but the metadata says SDXL
    "ss_base_model_version": "sdxl_base_v1-0",
    "ss_network_module": "networks.lora",
    "ss_network_dim": "16",
    "ss_network_alpha": "8",
    "ss_resolution": "(1024, 1024)",
    "ss_output_name": "my_style_v3",
    "ss_training_started_at": "1716300000.0",
}
_KOHYA_FLUX = {
    "ss_base_model_version": "flux1",
    "ss_network_module": "networks.lora_flux",
    "ss_network_dim": "16",
    "modelspec.architecture": "flux-1-dev/lora",
    "modelspec.implementation": "https://github.com/black-forest-labs/flux",
    "modelspec.sai_model_spec": "1.0.0",
    "modelspec.title": "Amateurphoto_v6",
}
_SAI_SDXL_BASE = {
    "modelspec.sai_model_spec": "1.0.0",
    "modelspec.architecture": "stable-diffusion-xl-v1-base",
    "modelspec.implementation": "https://github.com/Stability-AI/generative-models",
    "modelspec.title": "Stable Diffusion XL 1.0 Base",
    "modelspec.author": "StabilityAI",
    "modelspec.date": "2023-07-26",
}
_COMFY_SAVED_SDXL = {  # what ComfyUI's CheckpointSave writes for an SDXL merge
    "modelspec.architecture": "stable-diffusion-xl-v1-base",
    "modelspec.sai_model_spec": "1.0.0",
    "modelspec.implementation": "sgm",
    "modelspec.title": "ComfyUI 1",
    "modelspec.predict_key": "epsilon",
}
_DIFFUSERS = {"format": "pt"}  # diffusers' save_pretrained metadata

_ADE_PACK_MODELS = "custom_nodes/ComfyUI-AnimateDiff-Evolved/models"

# Sizes: values marked "# corpus" are exact bytes from /work/shared/corpus/model_sizes
# (SimpleSDXL models_info, committed manifests); the others are realistic
# approximations of the real files' sizes.
#
# Truth conventions (documented choices where the spec leaves room):
# * LoRAs, ControlNets, IP-Adapters, motion LoRAs, style models, model patches,
#   GLIGEN and PhotoMaker take their base model's family and NO capabilities:
#   they adapt a generator, they generate nothing on their own.
# * Motion modules (AnimateDiff) are the exception the spec names: text_to_video.
# * VAEs / vae_approx / embeddings take the family they belong to; text encoders,
#   CLIP vision and audio encoders take a family only when exactly one family of
#   the vocabulary uses them (clip_l, t5xxl, umt5, qwen VL, clip_vision_h … are
#   shared and get ""). Components never have capabilities.
# * Upscalers: kind "upscale", family "", {upscale}; the LTX-2 latent upscaler is
#   kind "latent_upscale", family ltx2, {upscale}.
# * Flux.2 (which can also edit) counts as a still-image generator: text_to_image.
MODEL_TREE: tuple[ModelFile, ...] = (
    # --- checkpoints -------------------------------------------------------------
    _m("checkpoints", "SD1.5/v1-5-pruned-emaonly.safetensors", 4265146304, "checkpoint", "sd15", [T2I]),
    _m("checkpoints", "SD1.5/sd-v1-5-inpainting.ckpt", 4265437280, "checkpoint", "sd15", [I2I]),
    _m("checkpoints", "sd_xl_base_1.0.safetensors", 6938078334, "checkpoint", "sdxl", [T2I], _SAI_SDXL_BASE),  # corpus
    _m("checkpoints", "Pony/ponyDiffusionV6XL.safetensors", 6938041050, "checkpoint", "sdxl", [T2I]),  # corpus
    _m("checkpoints", "mergedModel_v7.safetensors", 6775430024, "checkpoint", "sdxl", [T2I], _COMFY_SAVED_SDXL,
       note="trap: only modelspec.architecture identifies it (saved by ComfyUI's CheckpointSave)"),
    _m("checkpoints", "final_final_v2.safetensors", 3854123776, "checkpoint", "",
       note="trap: nothing identifies it (no metadata, uninformative name, unusual size)"),
    _m("checkpoints", "FluxDev/flux1-dev-fp8.safetensors", 17246524772, "checkpoint", "flux1", [T2I]),  # corpus
    _m("checkpoints", "SD3x/sd3.5_medium_incl_clips_t5xxlfp8scaled.safetensors", 5973224240, "checkpoint", "sd3", [T2I]),  # corpus
    _m("checkpoints", "Alternative/hunyuan_dit_1.2.safetensors", 8240228270, "checkpoint", "hunyuan_dit", [T2I]),  # corpus
    _m("checkpoints", "svd_xt.safetensors", 9559625314, "checkpoint", "svd", [I2V]),
    _m("checkpoints", "ltx-video-2b-v0.9.5.safetensors", 6340746056, "checkpoint", "ltxv", [T2V, I2V]),
    _m("checkpoints", "ltx-2-19b-dev-fp8.safetensors", 27091032616, "checkpoint", "ltx2", [T2V, I2V]),
    _m("checkpoints", "stable_audio_open_1.0.safetensors", 4853522434, "checkpoint", "stable_audio", [T2A]),
    _m("checkpoints", "ace_step_v1_3.5b.safetensors", 7704180728, "checkpoint", "ace_step", [T2A]),
    # --- diffusion models (models/diffusion_models and the legacy models/unet) ----
    _m("diffusion_models", "flux1-schnell.safetensors", 23782506688, "diffusion_model", "flux1", [T2I],  # corpus
       note="trap: a Flux image model that WanVideoModelLoader (a video loader) offers"),
    _m("diffusion_models", "FLUX1/flux1-fill-dev.safetensors", 23802961608, "diffusion_model", "flux1", [I2I], disk="models/unet"),
    _m("diffusion_models", "flux2_dev_fp8mixed.safetensors", 35508121360, "diffusion_model", "flux2", [T2I]),
    _m("diffusion_models", "qwen_image_fp8_e4m3fn.safetensors", 20430635136, "diffusion_model", "qwen_image", [T2I]),
    _m("diffusion_models", "qwen_image_edit_2509_fp8_e4m3fn.safetensors", 20430635136, "diffusion_model", "qwen_image", [I2I]),
    _m("diffusion_models", "hidream_i1_dev_fp8.safetensors", 17190753552, "diffusion_model", "hidream", [T2I]),
    _m("diffusion_models", "Chroma1-HD.safetensors", 17800820576, "diffusion_model", "chroma", [T2I]),
    _m("diffusion_models", "kolors_unet_fp16.safetensors", 5159140240, "diffusion_model", "kolors", [T2I], disk="models/unet"),  # corpus
    _m("diffusion_models", "wan2.1_t2v_1.3B_fp16.safetensors", 2838303560, "diffusion_model", "wan21", [T2V]),  # corpus
    _m("diffusion_models", "wan2.1_i2v_480p_14B_fp8_e4m3fn.safetensors", 16397926168, "diffusion_model", "wan21", [I2V]),
    _m("diffusion_models", "wan2.1_flf2v_720p_14B_fp8_e4m3fn.safetensors", 16397952536, "diffusion_model", "wan21", [I2V]),  # corpus
    _m("diffusion_models", "wan2.2_i2v_high_noise_14B_fp8_scaled.safetensors", 14294742832, "diffusion_model", "wan22", [I2V]),  # corpus
    _m("diffusion_models", "wan2.2_i2v_low_noise_14B_fp8_scaled.safetensors", 14294742832, "diffusion_model", "wan22", [I2V]),  # corpus
    _m("diffusion_models", "wan2.2_ti2v_5B_fp16.safetensors", 9999658848, "diffusion_model", "wan22", [T2V, I2V]),  # corpus
    _m("diffusion_models", "hunyuan_video_t2v_720p_bf16.safetensors", 25641004464, "diffusion_model", "hunyuan_video", [T2V]),
    _m("diffusion_models", "hunyuan_video_image_to_video_720p_bf16.safetensors", 25641987720, "diffusion_model", "hunyuan_video", [I2V]),
    _m("diffusion_models", "cosmos/Cosmos-1_0-Diffusion-7B-Text2World.safetensors", 14510542672, "diffusion_model", "cosmos", [T2V]),
    # --- GGUF diffusion models: ComfyUI-GGUF's unet_gguf key (same dirs, .gguf only)
    _m("unet_gguf", "FluxDev/flux-hyp8-Q5_K_M.gguf", 8421981408, "diffusion_model", "flux1", [T2I], disk="models/diffusion_models"),  # corpus
    _m("unet_gguf", "flux-2-klein-4b-Q4_K_M.gguf", 2604311104, "diffusion_model", "flux2", [T2I], disk="models/diffusion_models"),  # corpus
    _m("unet_gguf", "LTX-2.5-Distilled-Q3_K_M.gguf", 11525623808, "diffusion_model", "ltx2", [T2V, I2V], disk="models/diffusion_models"),  # corpus
    _m("unet_gguf", "Wan2.2/Wan2.2-I2V-A14B-HighNoise-Q4_K_M.gguf", 9651728736, "diffusion_model", "wan22", [I2V], disk="models/diffusion_models"),
    _m("unet_gguf", "Wan2.2/Wan2.2-I2V-A14B-LowNoise-Q4_K_M.gguf", 9651728736, "diffusion_model", "wan22", [I2V], disk="models/diffusion_models"),
    _m("unet_gguf", "qwen-image-Q4_K_M.gguf", 13065746880, "diffusion_model", "qwen_image", [T2I], disk="models/unet"),
    # --- LoRAs ---------------------------------------------------------------------
    _m("loras", "SDXL/lcm/pytorch_lora_weights.safetensors", 393855224, "lora", "sdxl", meta=_DIFFUSERS),
    _m("loras", "my_style_v3.safetensors", 228458232, "lora", "sdxl", meta=_KOHYA_SDXL_ONLY,
       note="trap: only ss_base_model_version identifies it"),
    _m("loras", "SD1.5/add_detail.safetensors", 37861176, "lora", "sd15", meta=_KOHYA_SD15),
    _m("loras", "FLUX.1/Amateurphoto_v6.safetensors", 171969416, "lora", "flux1", meta=_KOHYA_FLUX),
    _m("loras", "Qwen_Image/Qwen-Image-Lightning-8steps-V1.1.safetensors", 849608296, "lora", "qwen_image"),
    _m("loras", "wan/lightx2v_I2V_14B_480p_cfg_step_distill_rank64_bf16.safetensors", 738005744, "lora", "wan21"),  # corpus
    _m("loras", "wan/wan2.2_i2v_lightx2v_4steps_lora_v1_high_noise.safetensors", 1226977424, "lora", "wan22"),  # corpus
    _m("loras", "wan/wan2.2_i2v_lightx2v_4steps_lora_v1_low_noise.safetensors", 1226977424, "lora", "wan22"),
    _m("loras", "ltx-2-19b-distilled-lora-384.safetensors", 7672420184, "lora", "ltx2"),
    _m("loras", "HunyuanVideo/hyvideo_FastVideo_LoRA-fp8.safetensors", 335891912, "lora", "hunyuan_video",
       note="orphan: HunyuanVideo is installed but misses its VAE, so nothing can run this LoRA"),
    # --- VAEs ------------------------------------------------------------------------
    _m("vae", "sdxl_vae.safetensors", 334641164, "vae", "sdxl"),
    _m("vae", "vae-ft-mse-840000-ema-pruned.safetensors", 334643268, "vae", "sd15"),
    _m("vae", "ae.safetensors", 335304388, "vae", "flux1"),  # corpus
    _m("vae", "flux2-vae.safetensors", 336213556, "vae", "flux2"),  # corpus
    _m("vae", "wan_2.1_vae.safetensors", 253815318, "vae", "wan21"),  # corpus
    _m("vae", "wan2.2_vae.safetensors", 1409400960, "vae", "wan22"),  # corpus
    _m("vae", "qwen_image_vae.safetensors", 253806966, "vae", "qwen_image"),
    _m("vae", "ltx-2.5-video-vae-bf16.safetensors", 1472223346, "vae", "ltx2"),  # corpus
    _m("vae", "ltx-2.5-audio-vae-bf16.safetensors", 364866540, "vae", "ltx2"),  # corpus
    # --- text encoders (models/text_encoders and the legacy models/clip) -------------
    _m("text_encoders", "clip_l.safetensors", 246144152, "text_encoder"),
    _m("text_encoders", "t5/t5xxl_fp8_e4m3fn.safetensors", 4893934904, "text_encoder"),
    _m("text_encoders", "umt5_xxl_fp8_e4m3fn_scaled.safetensors", 6735906897, "text_encoder"),  # corpus
    _m("text_encoders", "qwen_2.5_vl_7b_fp8_scaled.safetensors", 9384670680, "text_encoder"),
    _m("text_encoders", "qwen_3_4b.safetensors", 8044982048, "text_encoder"),  # corpus
    _m("text_encoders", "llava_llama3_fp8_scaled.safetensors", 9091392483, "text_encoder", "hunyuan_video"),
    _m("text_encoders", "clip_g.safetensors", 1389382176, "text_encoder", disk="models/clip"),
    # --- GGUF text encoders: ComfyUI-GGUF's clip_gguf key ---------------------------
    _m("clip_gguf", "gemma4-12b-with-proj-ltx-2.5-Q5_K_M.gguf", 9514920864, "text_encoder", "ltx2", disk="models/text_encoders"),  # corpus
    _m("clip_gguf", "t5-v1_1-xxl-encoder-Q8_0.gguf", 5061441088, "text_encoder", disk="models/text_encoders"),
    # --- image / audio encoders --------------------------------------------------------
    _m("clip_vision", "clip_vision_h.safetensors", 1264219396, "clip_vision"),  # corpus
    _m("audio_encoders", "whisper_large_v3_fp16.safetensors", 3087130976, "audio_encoder"),  # corpus
    # --- control / adapters ------------------------------------------------------------
    _m("controlnet", "SD1.5/control_v11p_sd15_canny_fp16.safetensors", 722601100, "controlnet", "sd15"),
    _m("controlnet", "FLUX.1/Shakker-Labs-ControlNet-Union-Pro/diffusion_pytorch_model.safetensors", 6603953920,
       "controlnet", "flux1", meta=_DIFFUSERS, note="only the subfolder names the family"),
    _m("controlnet", "t2iadapter_canny_sd15v2.pth", 308045735, "controlnet", "sd15", disk="models/t2i_adapter"),
    _m("style_models", "flux1-redux-dev.safetensors", 129063232, "style_model", "flux1"),
    _m("gligen", "gligen_sd14_textbox_pruned.safetensors", 418177434, "gligen", "sd15"),
    _m("photomaker", "photomaker-v1.bin", 934087314, "photomaker", "sdxl"),
    _m("hypernetworks", "SD1.5/aivazovsky.pt", 87588183, "hypernetwork", "sd15"),
    _m("model_patches", "qwen_image_canny_diffsynth_controlnet.safetensors", 2360001536, "model_patch", "qwen_image"),
    _m("ipadapter", "ip-adapter-plus_sdxl_vit-h.bin", 1013454427, "ipadapter", "sdxl"),  # corpus
    _m("ipadapter", "ip-adapter-faceid-plusv2_sd15.bin", 156558503, "ipadapter", "sd15"),
    # --- AnimateDiff (one motion model lives inside the pack's own models/ dir) ------
    _m("animatediff_models", "mm_sd_v15_v2.ckpt", 1817888431, "motion_module", "sd15", [T2V], disk=_ADE_PACK_MODELS,
       note="lives in custom_nodes/ComfyUI-AnimateDiff-Evolved/models (pathIndex 0)"),
    _m("animatediff_models", "hsxl_temporal_layers.f16.safetensors", 474372104, "motion_module", "sdxl", [T2V]),
    _m("animatediff_motion_lora", "v2_lora_ZoomIn.ckpt", 77474471, "lora", "sd15"),
    # --- upscalers ---------------------------------------------------------------------
    _m("upscale_models", "RealESRGAN_x4plus.pth", 67040989, "upscale", "", [UPSCALE]),
    _m("upscale_models", "4x-UltraSharp.pth", 66961958, "upscale", "", [UPSCALE]),
    _m("latent_upscale_models", "ltx-2.5-latent-spatial-upscaler-x2-bf16-1.0.safetensors", 995778752,
       "latent_upscale", "ltx2", [UPSCALE]),  # corpus
    # --- embeddings / previews ------------------------------------------------------------
    _m("embeddings", "SD1.5/EasyNegative.safetensors", 24655, "embedding", "sd15"),
    _m("embeddings", "SDXL/unaestheticXLv31.safetensors", 33296, "embedding", "sdxl"),  # corpus
    _m("vae_approx", "taesd_decoder.pth", 4915980, "vae_approx", "sd15"),
    _m("vae_approx", "taesd_encoder.pth", 4915788, "vae_approx", "sd15"),
    _m("vae_approx", "lighttaew2_1.safetensors", 22722856, "vae_approx", "wan21"),
    # --- a custom folder registered with no extension filter: every file is listed ---
    _m("insightface", "inswapper_128.onnx", 554253681, "unknown", "",
       note="trap: unusual extension in a custom folder (absent from /experiment/models)"),
    _m("insightface", "models/buffalo_l/det_10g.onnx", 16923827, "unknown", ""),
)

# Folders the custom node packs add to /models (besides ComfyUI's own).
CUSTOM_FOLDERS = (
    "unet_gguf",
    "clip_gguf",
    "animatediff_models",
    "animatediff_motion_lora",
    "animatediff_video_formats",
    "ipadapter",
    "insightface",
    "yolo",
)
# Loader nodes the packs add, with their output types.
CUSTOM_LOADERS: dict[str, tuple[str, ...]] = {
    "UnetLoaderGGUF": ("MODEL",),
    "CLIPLoaderGGUF": ("CLIP",),
    "DualCLIPLoaderGGUF": ("CLIP",),
    "ADE_LoadAnimateDiffModel": ("MOTION_MODEL_ADE",),
    "ADE_AnimateDiffLoRALoader": ("MOTION_LORA",),
    "IPAdapterModelLoader": ("IPADAPTER",),
    "WanVideoModelLoader": ("WANVIDEOMODEL",),
    "WanVideoLoraSelect": ("WANVIDLORA",),
    "WanVideoVAELoader": ("WANVAE",),
    "LoadWanVideoT5TextEncoder": ("WANTEXTENCODER",),
    "LTX2LoraLoaderAdvanced": ("MODEL",),
    "FaceSwapModelLoader": ("FACESWAP_MODEL",),
    "ComfyframeProbeLoaderV3": ("MODEL", "VAE"),
}


def _safetensors_header(size: int, metadata: dict[str, str] | None, kind: str) -> bytes:
    """8-byte length + JSON header whose tensors span exactly ``size`` bytes.

    A tiny plausible tensor comes first; a U8 padding tensor covers the rest so
    any safetensors reader accepts the (sparse) file.
    """
    tiny_name = {
        "lora": "lora_unet_input_blocks_4_1_proj_in.alpha",
        "embedding": "clip_l",
        "text_encoder": "text_model.final_layer_norm.bias",
        "vae": "decoder.conv_out.bias",
    }.get(kind, "model.diffusion_model.out.2.bias")
    tiny_len = 16  # F16 x 8
    header_len = 0
    for _ in range(8):
        data_len = size - 8 - header_len
        body: dict[str, object] = {"__metadata__": dict(metadata)} if metadata else {}
        body[tiny_name] = {"dtype": "F16", "shape": [8], "data_offsets": [0, tiny_len]}
        body["comfyframe.sparse_padding"] = {
            "dtype": "U8",
            "shape": [data_len - tiny_len],
            "data_offsets": [tiny_len, data_len],
        }
        raw = json.dumps(body, separators=(",", ":")).encode()
        padded = (len(raw) + 7) // 8 * 8
        if padded == header_len:
            break
        header_len = padded
    if size - 8 - header_len < tiny_len:
        raise ValueError(f"{size} bytes is too small for a safetensors header of {header_len} bytes")
    return struct.pack("<Q", header_len) + raw.ljust(header_len, b" ")


_GGUF_HEADER = b"GGUF" + struct.pack("<IQQ", 3, 0, 0)  # magic, version 3, no tensors, no KV pairs


def install_custom_nodes(base_dir: Path, exclude: Collection[str] = ()) -> list[str]:
    """Copy the packs from tests/custom_nodes (but ``exclude``) into ``base_dir/custom_nodes``; return their names."""
    target = base_dir / "custom_nodes"
    target.mkdir(parents=True, exist_ok=True)
    packs = []
    for pack in sorted(p for p in CUSTOM_NODES_SRC.iterdir() if (p / "__init__.py").is_file() and p.name not in exclude):
        shutil.copytree(pack, target / pack.name, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        packs.append(pack.name)
    return packs


def build_model_tree(
    base_dir: Path, files: Sequence[ModelFile] = MODEL_TREE, exclude_packs: Collection[str] = ()
) -> list[ModelFile]:
    """Create ``files`` (sparse) and the custom node packs (but ``exclude_packs``) under ``base_dir``."""
    base_dir = Path(base_dir)
    install_custom_nodes(base_dir, exclude_packs)
    seen: set[str] = set()
    for mf in files:
        if mf.location in seen:
            raise ValueError(f"duplicate file in tree: {mf.location}")
        seen.add(mf.location)
        path = base_dir / mf.location
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            if mf.ext == ".safetensors":
                fh.write(_safetensors_header(mf.size_bytes, mf.metadata, mf.kind))
            elif mf.ext == ".gguf":
                fh.write(_GGUF_HEADER)
            fh.truncate(mf.size_bytes)
        os.utime(path, (TREE_MTIME, TREE_MTIME))
    return list(files)


# --------------------------------------------------------------------------- server


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerHandle:
    """A running ComfyUI process. ``stop()`` is idempotent."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    base_dir: Path
    startup_seconds: float = 0.0
    _log_file: object = field(default=None, repr=False)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 20.0) -> None:
        """Terminate the server's process group, then kill it if it lingers."""
        proc = self.process
        if proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10.0)):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        try:  # stragglers left in the server's own process group
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self._log_file is not None:
            self._log_file.close()  # type: ignore[attr-defined]
            self._log_file = None

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _server_env(pythonpath: Sequence[Path] = ()) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(str(p) for p in pythonpath)
    env.update(
        PYTHONUNBUFFERED="1",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        DO_NOT_TRACK="1",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    return env


def _answers(url: str, base_dir: Path) -> bool:
    """True when OUR server (its argv names ``base_dir``) answers /system_stats."""
    try:
        with urllib.request.urlopen(url + "/system_stats", timeout=2) as resp:  # noqa: S310 (loopback)
            argv = json.load(resp).get("system", {}).get("argv", [])
    except (urllib.error.URLError, OSError, ValueError):
        return False
    return str(base_dir) in argv


def start_comfyui(
    base_dir: Path,
    port: int | None = None,
    extra_args: Sequence[str] = (),
    *,
    python: Path | None = None,
    comfy_dir: Path | None = None,
    timeout: float = 240.0,
    pythonpath: Sequence[Path] = (),
) -> ServerHandle:
    """Start ComfyUI on 127.0.0.1 with ``--base-directory base_dir``; wait for /system_stats.

    Logs go to ``base_dir/comfyui.log``. On failure the process is stopped and a
    RuntimeError carries the log tail. ``pythonpath`` folders go first on the server's PYTHONPATH (e.g. another
    templates package from :func:`ensure_templates_package`).
    """
    base_dir = Path(base_dir).resolve()
    base_dir.mkdir(parents=True, exist_ok=True)
    if python is None or comfy_dir is None:
        python, comfy_dir = ensure_comfyui()
    attempts = 1 if port else 3  # a free port can be taken between probe and bind
    for attempt in range(attempts):
        try:
            return _start_once(base_dir, port or free_port(), extra_args, python, comfy_dir, timeout, pythonpath)
        except _PortTaken:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


class _PortTaken(RuntimeError):
    pass


def _start_once(
    base_dir: Path, port: int, extra_args: Sequence[str], python: Path, comfy_dir: Path, timeout: float,
    pythonpath: Sequence[Path] = (),
) -> ServerHandle:
    url = f"http://127.0.0.1:{port}"
    cmd = [
        str(python), "main.py",
        "--cpu",
        "--listen", "127.0.0.1",
        "--port", str(port),
        "--base-directory", str(base_dir),
        "--disable-auto-launch",
        # keep the sqlite db out of the shared cached ComfyUI dir (and parallel runs apart)
        "--database-url", "sqlite:///:memory:",
        *extra_args,
    ]
    log_path = base_dir / "comfyui.log"
    log_file = open(log_path, "ab")  # noqa: SIM115 (closed by ServerHandle.stop)
    log_file.write(("$ " + " ".join(cmd) + "\n").encode())
    log_file.flush()
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd, cwd=comfy_dir, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        env=_server_env(pythonpath), start_new_session=True,
    )
    handle = ServerHandle(url, port, proc, log_path, base_dir, _log_file=log_file)
    while True:
        if proc.poll() is None and _answers(url, base_dir):
            handle.startup_seconds = time.monotonic() - started
            return handle
        if proc.poll() is not None:
            handle.stop()
            tail = handle.log_tail()
            error = _PortTaken if "address already in use" in tail.lower() else RuntimeError
            raise error(f"ComfyUI exited with code {proc.returncode} before answering:\n{tail}")
        if time.monotonic() - started > timeout:
            handle.stop()
            raise RuntimeError(f"ComfyUI did not answer {url}/system_stats within {timeout:.0f}s:\n{handle.log_tail()}")
        time.sleep(0.5)


class ComfyUIServer:
    """Context manager: build the tree in ``base_dir``, start the server, stop it on exit."""

    def __init__(self, base_dir: Path, files: Sequence[ModelFile] = MODEL_TREE, **start_kwargs: object) -> None:
        self.base_dir = Path(base_dir)
        self.files = list(files)
        self._start_kwargs = start_kwargs
        self.handle: ServerHandle | None = None

    @property
    def url(self) -> str:
        assert self.handle is not None, "server not started"
        return self.handle.url

    def __enter__(self) -> ComfyUIServer:
        build_model_tree(self.base_dir, self.files)
        self.handle = start_comfyui(self.base_dir, **self._start_kwargs)  # type: ignore[arg-type]
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            self.handle.stop()


if __name__ == "__main__":  # manual use: python tests/comfyui_server.py /tmp/somewhere
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/comfyframe-live")
    with ComfyUIServer(target) as server:
        assert server.handle is not None
        print(f"{server.url} up in {server.handle.startup_seconds:.1f}s; Ctrl-C to stop", flush=True)
        try:
            while server.handle.process.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
