"""Miniature of Kosinkadink/ComfyUI-AnimateDiff-Evolved: folders and Gen2 loaders only.

The real pack registers its own ``models``/``motion_lora`` dirs first and then
``models_dir/animatediff_models`` / ``animatediff_motion_lora`` through
add_model_folder_path (which creates the key with an EMPTY extension set), and
then adds supported_pt_extensions to it.
"""

import os
from pathlib import Path

import folder_paths

_HERE = Path(__file__).parent


class Folders:
    ANIMATEDIFF_MODELS = "animatediff_models"
    MOTION_LORA = "animatediff_motion_lora"
    VIDEO_FORMATS = "animatediff_video_formats"


def add_extension_to_folder_path(folder_name, extensions):
    if folder_name in folder_paths.folder_names_and_paths:
        exts = [extensions] if isinstance(extensions, str) else extensions
        for ext in exts:
            folder_paths.folder_names_and_paths[folder_name][1].add(ext)


folder_paths.add_model_folder_path(Folders.ANIMATEDIFF_MODELS, str(_HERE / "models"))
folder_paths.add_model_folder_path(Folders.ANIMATEDIFF_MODELS, os.path.join(folder_paths.models_dir, Folders.ANIMATEDIFF_MODELS))
add_extension_to_folder_path(Folders.ANIMATEDIFF_MODELS, folder_paths.supported_pt_extensions)

folder_paths.add_model_folder_path(Folders.MOTION_LORA, str(_HERE / "motion_lora"))
folder_paths.add_model_folder_path(Folders.MOTION_LORA, os.path.join(folder_paths.models_dir, Folders.MOTION_LORA))
add_extension_to_folder_path(Folders.MOTION_LORA, folder_paths.supported_pt_extensions)

folder_paths.add_model_folder_path(Folders.VIDEO_FORMATS, str(_HERE / "video_formats"))
add_extension_to_folder_path(Folders.VIDEO_FORMATS, ".json")

CATEGORY = "Animate Diff 🎭🅐🅓/② Gen2 nodes ②"


class LoadAnimateDiffModelNode:
    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {"model_name": (folder_paths.get_filename_list(Folders.ANIMATEDIFF_MODELS),)},
            "optional": {"ad_settings": ("AD_SETTINGS",)},
        }

    RETURN_TYPES = ("MOTION_MODEL_ADE",)
    RETURN_NAMES = ("MOTION_MODEL",)
    CATEGORY = CATEGORY
    FUNCTION = "load_motion_model"

    def load_motion_model(self, model_name, ad_settings=None):
        raise NotImplementedError("test double")


class AnimateDiffLoraLoader:
    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "lora_name": (folder_paths.get_filename_list(Folders.MOTION_LORA),),
                "strength": ("FLOAT", {"default": 1.0, "min": 0.0, "max": 10.0, "step": 0.001}),
            },
            "optional": {"prev_motion_lora": ("MOTION_LORA",)},
        }

    RETURN_TYPES = ("MOTION_LORA",)
    CATEGORY = "Animate Diff 🎭🅐🅓"
    FUNCTION = "load_motion_lora"

    def load_motion_lora(self, lora_name, strength, prev_motion_lora=None):
        raise NotImplementedError("test double")


NODE_CLASS_MAPPINGS = {
    "ADE_LoadAnimateDiffModel": LoadAnimateDiffModelNode,
    "ADE_AnimateDiffLoRALoader": AnimateDiffLoraLoader,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "ADE_LoadAnimateDiffModel": "Load AnimateDiff Model 🎭🅐🅓②",
    "ADE_AnimateDiffLoRALoader": "Load AnimateDiff LoRA 🎭🅐🅓",
}
