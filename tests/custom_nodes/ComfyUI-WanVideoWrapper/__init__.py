"""Miniature of kijai/ComfyUI-WanVideoWrapper: loader signatures only.

Like the real pack, it (re)registers ComfyUI-GGUF's ``unet_gguf`` key itself and
its model loader offers unet_gguf + diffusion_models files in ONE dropdown, so
image models (Flux, Qwen…) are offered by a video loader too.
"""

import folder_paths


def update_folder_names_and_paths(key, targets):
    base = folder_paths.folder_names_and_paths.get(key, ([], {}))
    base = base[0] if isinstance(base[0], (list, set, tuple)) else []
    target = next((x for x in targets if x in folder_paths.folder_names_and_paths), targets[0])
    orig, _ = folder_paths.folder_names_and_paths.get(target, ([], {}))
    folder_paths.folder_names_and_paths[key] = (orig or base, {".gguf"})


update_folder_names_and_paths("unet_gguf", ["diffusion_models", "unet"])

CATEGORY = "WanVideoWrapper"


def _diffusion_files():
    return folder_paths.get_filename_list("unet_gguf") + folder_paths.get_filename_list("diffusion_models")


class WanVideoModelLoader:
    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "model": (_diffusion_files(), {"tooltip": "These models are loaded from the 'ComfyUI/models/diffusion_models' -folder"}),
                "base_precision": (["fp32", "bf16", "fp16", "fp16_fast"], {"default": "bf16"}),
                "quantization": (["disabled", "fp8_e4m3fn", "fp8_e4m3fn_fast", "fp8_e4m3fn_scaled", "fp8_e5m2"], {"default": "disabled"}),
                "load_device": (["main_device", "offload_device"], {"default": "offload_device"}),
            },
            "optional": {
                "attention_mode": (["sdpa", "flash_attn_2", "flash_attn_3", "sageattn", "comfy"], {"default": "sdpa"}),
                "compile_args": ("WANCOMPILEARGS",),
                "block_swap_args": ("BLOCKSWAPARGS",),
                "lora": ("WANVIDLORA", {"default": None}),
                "vace_model": ("VACEPATH", {"default": None}),
            },
        }

    RETURN_TYPES = ("WANVIDEOMODEL",)
    RETURN_NAMES = ("model",)
    FUNCTION = "loadmodel"
    CATEGORY = CATEGORY

    def loadmodel(self, model, base_precision, quantization, load_device, **kwargs):
        raise NotImplementedError("test double")


class WanVideoLoraSelect:
    # Upstream keeps "lora" in "required"; this double moves it to "optional" on
    # purpose so the suite covers a model dropdown in an optional input.
    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "strength": ("FLOAT", {"default": 1.0, "min": -1000.0, "max": 1000.0, "step": 0.0001}),
            },
            "optional": {
                "lora": (folder_paths.get_filename_list("loras"), {"tooltip": "LORA models are expected to be in ComfyUI/models/loras with .safetensors extension"}),
                "prev_lora": ("WANVIDLORA", {"default": None, "tooltip": "For loading multiple LoRAs"}),
                "low_mem_load": ("BOOLEAN", {"default": False}),
            },
            "hidden": {"unique_id": "UNIQUE_ID"},
        }

    RETURN_TYPES = ("WANVIDLORA",)
    RETURN_NAMES = ("lora",)
    FUNCTION = "getlorapath"
    CATEGORY = CATEGORY

    def getlorapath(self, strength, lora=None, prev_lora=None, low_mem_load=False, unique_id=None):
        raise NotImplementedError("test double")


class WanVideoVAELoader:
    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {"model_name": (folder_paths.get_filename_list("vae"), {"tooltip": "These models are loaded from 'ComfyUI/models/vae'"})},
            "optional": {"precision": (["fp16", "fp32", "bf16"], {"default": "bf16"}), "compile_args": ("WANCOMPILEARGS",)},
        }

    RETURN_TYPES = ("WANVAE",)
    RETURN_NAMES = ("vae",)
    FUNCTION = "loadmodel"
    CATEGORY = CATEGORY

    def loadmodel(self, model_name, precision="bf16", compile_args=None):
        raise NotImplementedError("test double")


class LoadWanVideoT5TextEncoder:
    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "model_name": (folder_paths.get_filename_list("text_encoders"), {"tooltip": "These models are loaded from 'ComfyUI/models/text_encoders'"}),
                "precision": (["fp32", "bf16"], {"default": "bf16"}),
            },
            "optional": {
                "load_device": (["main_device", "offload_device"], {"default": "offload_device"}),
                "quantization": (["disabled", "fp8_e4m3fn"], {"default": "disabled"}),
            },
        }

    RETURN_TYPES = ("WANTEXTENCODER",)
    RETURN_NAMES = ("wan_t5_model",)
    FUNCTION = "loadmodel"
    CATEGORY = CATEGORY

    def loadmodel(self, model_name, precision, load_device="offload_device", quantization="disabled"):
        raise NotImplementedError("test double")


class WanVideoVACEModelSelect:
    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"vace_model": (_diffusion_files(), {"tooltip": "VACE model to use when not using model that has it included"})}}

    RETURN_TYPES = ("VACEPATH",)
    RETURN_NAMES = ("extra_model",)
    FUNCTION = "getvacepath"
    CATEGORY = CATEGORY

    def getvacepath(self, vace_model):
        raise NotImplementedError("test double")


NODE_CLASS_MAPPINGS = {
    "WanVideoModelLoader": WanVideoModelLoader,
    "WanVideoLoraSelect": WanVideoLoraSelect,
    "WanVideoVAELoader": WanVideoVAELoader,
    "LoadWanVideoT5TextEncoder": LoadWanVideoT5TextEncoder,
    "WanVideoVACEModelSelect": WanVideoVACEModelSelect,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "WanVideoModelLoader": "WanVideo Model Loader",
    "WanVideoLoraSelect": "WanVideo Lora Select",
    "WanVideoVAELoader": "WanVideo VAE Loader",
    "LoadWanVideoT5TextEncoder": "WanVideo T5 Text Encoder Loader",
    "WanVideoVACEModelSelect": "WanVideo VACE Module Select",
}
