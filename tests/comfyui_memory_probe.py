"""ComfyUI's own sampling-memory estimate for comfyframe's families (run by a ComfyUI environment's python).

Usage: ``python comfyui_memory_probe.py COMFY_DIR JOBS_JSON`` where JOBS_JSON maps a family to a list of
``[width, height, frames, batch]`` jobs. Prints one JSON object: per family the ComfyUI model config used,
its ``memory_usage_factor``, and per job the latent shape ComfyUI's empty-latent node makes and the bytes
``comfy.sampler_helpers.estimate_memory`` asks for (cond + uncond batch, as when sampling).

Nothing is loaded: each model config is built from a minimal ``unet_config`` and ``BaseModel.memory_required``
runs unbound on a stand-in carrying the config's factor, dtype float16 and no manual cast. The attention branch
is forced to the one a CUDA GPU with PyTorch attention takes (``pytorch_attention_flash_attention() is True``).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import math
import sys
import types
from typing import Any

# family -> (supported_models class, unet_config keys that set its factor, latent node, node kwargs builder)
# The unet_config values are those of the typical model of the family (rules/job_memory.csv says which).
IMAGE = ("nodes", "EmptyLatentImage")
SD3 = ("comfy_extras.nodes_sd3", "EmptySD3LatentImage")
HUNYUAN_VIDEO = ("comfy_extras.nodes_hunyuan", "EmptyHunyuanLatentVideo")
CASES: dict[str, tuple[str, dict[str, Any], tuple[str, str]]] = {
    "sd15": ("SD15", {}, IMAGE),
    "sd2": ("SD20", {}, IMAGE),
    "sdxl": ("SDXL", {}, IMAGE),
    "kolors": ("SDXL", {}, IMAGE),
    "sd3": ("SD3", {}, SD3),
    "flux1": ("Flux", {}, SD3),
    "flux2": ("Flux2", {}, ("comfy_extras.nodes_flux", "EmptyFlux2LatentImage")),
    "cascade": ("Stable_Cascade_B", {}, ("comfy_extras.nodes_stable_cascade", "StableCascade_EmptyLatentImage")),
    "pixart": ("PixArtAlpha", {}, IMAGE),
    "hunyuan_dit": ("HunyuanDiT", {}, IMAGE),
    "hunyuan_image": ("HunyuanImage21", {}, ("comfy_extras.nodes_hunyuan", "EmptyHunyuanImageLatent")),
    "hunyuan_video": ("HunyuanVideo", {}, HUNYUAN_VIDEO),
    "qwen_image": ("QwenImage", {}, SD3),
    "hidream": ("HiDream", {}, SD3),
    "chroma": ("Chroma", {}, SD3),
    "lumina2": ("ZImage", {}, SD3),
    "lumina2/lumina_image_2": ("Lumina2", {}, SD3),
    "omnigen2": ("Omnigen2", {}, SD3),
    "wan21": ("WAN21_T2V", {"dim": 5120}, HUNYUAN_VIDEO),
    "wan22": ("WAN21_T2V", {"dim": 5120}, HUNYUAN_VIDEO),
    "ltxv": ("LTXV", {"cross_attention_dim": 2048}, ("comfy_extras.nodes_lt", "EmptyLTXVLatentVideo")),
    "ltx2": ("LTXAV", {"cross_attention_dim": 4096}, ("comfy_extras.nodes_lt", "EmptyLTXVLatentVideo")),
    "cosmos": ("CosmosT2V", {}, ("comfy_extras.nodes_cosmos", "EmptyCosmosLatentVideo")),
    "svd": ("SVD_img2vid", {}, ("", "SVD_img2vid_Conditioning")),
    "mochi": ("GenmoMochi", {}, ("comfy_extras.nodes_mochi", "EmptyMochiLatentVideo")),
    "stable_audio": ("StableAudio", {}, ("comfy_extras.nodes_audio", "EmptyLatentAudio")),
    "ace_step": ("ACEStep", {}, ("comfy_extras.nodes_ace", "EmptyAceStepLatentAudio")),
    # Variants (rules/job_memory_variants.csv), keyed family@parameters in billions.
    "wan21@1.3": ("WAN21_T2V", {"dim": 1536}, HUNYUAN_VIDEO),
    "wan22@5": ("WAN22_T2V", {"dim": 3072}, ("comfy_extras.nodes_wan", "Wan22ImageToVideoLatent")),
    "ltxv@13": ("LTXV", {"cross_attention_dim": 4096}, ("comfy_extras.nodes_lt", "EmptyLTXVLatentVideo")),
    "hunyuan_video@8.3": ("HunyuanVideo15", {}, ("comfy_extras.nodes_hunyuan", "EmptyHunyuanVideo15Latent")),
    "cosmos@2": ("CosmosT2IPredict2", {"model_channels": 2048}, HUNYUAN_VIDEO),
}
# family -> the keys (and shapes) of a VAE state dict that steer sd.VAE.__init__ to that family's VAE branch.
KL4 = {"decoder.conv_in.weight": (512, 4, 3, 3), "encoder.down.2.downsample.conv.weight": (1,),
       "post_quant_conv.weight": (4, 4, 1, 1)}  # fmt: skip
KL16 = {"decoder.conv_in.weight": (512, 16, 3, 3), "encoder.down.2.downsample.conv.weight": (1,)}
WAN21_VAE = {"decoder.middle.0.residual.0.gamma": (384, 1, 1, 1), "decoder.head.0.gamma": (96, 1, 1, 1),
             "encoder.conv1.weight": (96, 3, 3, 3, 3)}  # fmt: skip
LTX_VAE = {"decoder.up_blocks.0.res_blocks.0.conv1.conv.weight": (512, 512, 3, 3, 3)}
VAE_KEYS: dict[str, dict[str, tuple[int, ...]]] = {
    "sd15": KL4, "sd2": KL4, "sdxl": KL4, "kolors": KL4, "pixart": KL4, "hunyuan_dit": KL4,
    "sd3": KL16, "flux1": KL16, "hidream": KL16, "chroma": KL16, "lumina2": KL16, "omnigen2": KL16,
    "flux2": {"decoder.conv_in.weight": (512, 32, 3, 3), "encoder.down.2.downsample.conv.weight": (1,),
              "bn.running_mean": (128,)},
    "cascade": {"vquantizer.codebook.weight": (8192, 4)},
    "hunyuan_image": {"decoder.conv_in.weight": (1024, 64, 3, 3)},
    "hunyuan_video": {"decoder.conv_in.conv.weight": (512, 16, 3, 3, 3), "post_quant_conv.weight": (16, 16, 1, 1, 1)},
    "qwen_image": WAN21_VAE, "wan21": WAN21_VAE, "wan22": WAN21_VAE,
    "ltxv": LTX_VAE, "ltx2": LTX_VAE,
    "cosmos": {"decoder.unpatcher3d.wavelets": (1,)},
    "svd": {"decoder.mid.block_1.mix_factor": (1,)},
    "mochi": {"blocks.2.blocks.3.stack.5.weight": (1,)},
    "stable_audio": {"decoder.layers.1.layers.0.beta": (1,)},
    "ace_step": {"vocoder.backbone.channel_layers.0.0.bias": (1,)},
    "wan22@5": {"decoder.middle.0.residual.0.gamma": (384, 1, 1, 1),
                "decoder.upsamples.0.upsamples.0.residual.2.weight": (1,)},
    "hunyuan_video@8.3": {"decoder.conv_in.conv.weight": (1024, 32, 3, 3, 3)},
    "cosmos@2": WAN21_VAE,
}  # fmt: skip
AUDIO_SECONDS_NODES = {"EmptyLatentAudio", "EmptyAceStepLatentAudio"}
# LTX-2's audio latent (LTXVEmptyLatentAudio with the LTX-2 audio VAE): 8 channels x 16 mel bins, 25 latents/s.
LTX2_AUDIO = (8, 16, 25.0, 25.0)  # channels, frequency bins, latents per second, frame rate


def run_node(module: str, name: str, **kwargs: Any) -> list[Any]:
    """Call a V1 or V3 ComfyUI node and return its outputs."""
    node = getattr(importlib.import_module(module), name)
    if hasattr(node, "FUNCTION"):
        return list(getattr(node(), node.FUNCTION)(**kwargs))
    out = node.execute(**kwargs)
    return list(out.result if hasattr(out, "result") else out.args)


def latent_shape(torch: Any, family: str, node: tuple[str, str], job: list[float], packed: bool = True) -> list[int]:
    """The latent ComfyUI's empty-latent node makes for the job (the shape sampling starts from).

    ``packed=False``: LTX-2's video latent alone (what its video VAE decodes).
    """
    width, height, frames, batch = (int(v) for v in job)
    module, name = node
    if name == "SVD_img2vid_Conditioning":
        # The node needs a CLIP vision model and a VAE; its latent is torch.zeros([video_frames, 4, h // 8, w // 8]).
        return [frames * batch, 4, height // 8, width // 8]
    if name == "EmptyLatentAudio" and importlib.util.find_spec("torchaudio") is None:
        # comfy_extras.nodes_audio needs torchaudio to import; the node is torch.zeros([batch, 64, length]).
        return [batch, 64, round(frames * 44100 / 2048 / 2) * 2]
    if name in AUDIO_SECONDS_NODES:
        out = run_node(module, name, seconds=float(frames), batch_size=batch)
    elif name == "StableCascade_EmptyLatentImage":
        out = run_node(module, name, width=width, height=height, compression=42, batch_size=batch)[1:]  # stage B
    elif name in ("EmptyLatentImage", "EmptySD3LatentImage", "EmptyFlux2LatentImage", "EmptyHunyuanImageLatent"):
        out = run_node(module, name, width=width, height=height, batch_size=batch)
    elif name == "Wan22ImageToVideoLatent":
        # Without a start image the node returns before it repeats the latent batch_size times.
        out = run_node(module, name, vae=None, width=width, height=height, length=frames, batch_size=1)
        out[0]["samples"] = out[0]["samples"].repeat([batch] + [1] * (out[0]["samples"].ndim - 1))
    else:
        out = run_node(module, name, width=width, height=height, length=frames, batch_size=batch)
    shape = list(out[0]["samples"].shape)
    if family == "ltx2" and packed:
        # Video and audio latents are packed into one [batch, 1, n] tensor when sampling (samplers.py).
        import comfy.utils

        channels, bins, per_second, fps = LTX2_AUDIO
        audio = torch.zeros([batch, channels, math.ceil(frames / fps * per_second), bins])
        packed, _ = comfy.utils.pack_latents([torch.zeros(shape), audio])
        shape = list(packed.shape)
    return shape


def vae_decode_bytes(torch: Any, family: str, shape: list[int], latent_dims: int) -> float | str:
    """sd.VAE(sd=...).memory_used_decode for the latent VAEDecode gets, bfloat16; or why it cannot be built."""
    import comfy.sd

    keys = VAE_KEYS.get(family) or VAE_KEYS.get(family.split("@")[0])
    if keys is None:
        return "no VAE keys for this family"
    if latent_dims == 3 and len(shape) == 4:
        shape = shape[:2] + [1] + shape[2:]  # comfy.sample.fix_empty_latent_channels
    state = {k: torch.empty(*v, device="meta") for k, v in keys.items()}
    load_state_dict = torch.nn.Module.load_state_dict
    # No weights: construct the VAE (on the meta device where its code allows) and skip loading them.
    torch.nn.Module.load_state_dict = lambda self, *args, **kwargs: ([], [])
    try:
        try:
            with torch.device("meta"):
                vae = comfy.sd.VAE(sd=dict(state))
        except RuntimeError:
            vae = comfy.sd.VAE(sd=dict(state))
        return float(vae.memory_used_decode(shape, torch.bfloat16))
    except Exception as exc:  # noqa: BLE001 - reported to the test, which decides
        return f"{type(exc).__name__}: {exc}"
    finally:
        torch.nn.Module.load_state_dict = load_state_dict


def main() -> None:
    comfy_dir, jobs_json = sys.argv[1], sys.argv[2]
    sys.path.insert(0, comfy_dir)
    sys.argv = [sys.argv[0], "--cpu"]
    import comfy.options

    comfy.options.enable_args_parsing()
    import comfy.model_base
    import comfy.model_management
    import comfy.sampler_helpers
    import comfy.supported_models
    import torch

    comfy.model_management.pytorch_attention_flash_attention = lambda: True
    comfy.model_management.xformers_enabled = lambda: False
    jobs: dict[str, list[list[float]]] = json.loads(jobs_json)
    result: dict[str, Any] = {"version": None, "families": {}}
    try:
        import comfyui_version

        result["version"] = comfyui_version.__version__
    except ImportError:
        pass
    for family, (config_name, unet_config, node) in CASES.items():
        config_class = getattr(comfy.supported_models, config_name, None)
        if config_class is None or family not in jobs:
            continue
        config = config_class(dict(unet_config))
        stand_in = types.SimpleNamespace(
            memory_usage_factor=config.memory_usage_factor, memory_usage_factor_conds=(),
            memory_usage_shape_process={}, manual_cast_dtype=None, get_dtype=lambda: torch.float16,
        )  # fmt: skip
        stand_in.memory_required = types.MethodType(comfy.model_base.BaseModel.memory_required, stand_in)
        stand_in.extra_conds_shapes = lambda **kwargs: {}
        patcher = types.SimpleNamespace(model=stand_in)
        rows = []
        for job in jobs[family]:
            shape = latent_shape(torch, family, node, job)
            required, _minimum = comfy.sampler_helpers.estimate_memory(patcher, shape, {})
            decoded = latent_shape(torch, family, node, job, packed=False) if family == "ltx2" else shape
            vae = vae_decode_bytes(torch, family.split("/")[0], decoded, config.latent_format.latent_dimensions)
            rows.append({"job": job, "shape": shape, "bytes": float(required), "vae_bytes": vae})
        result["families"][family] = {"config": config_name, "factor": float(config.memory_usage_factor), "jobs": rows}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
