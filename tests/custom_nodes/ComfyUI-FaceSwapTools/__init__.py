"""Face-swap pack double. Several real face-swap packs register ``insightface`` and
``yolo`` with folder_paths.add_model_folder_path on a NEW key, which leaves the
extension set empty: ComfyUI then lists EVERY file there (.onnx included), while
/experiment/models still filters on supported_pt_extensions.
"""

import os

import folder_paths

insightface_model_dir = os.path.join(folder_paths.models_dir, "insightface")
folder_paths.add_model_folder_path("insightface", insightface_model_dir)
yolo_model_dir = os.path.join(folder_paths.models_dir, "yolo")
folder_paths.add_model_folder_path("yolo", yolo_model_dir)


class FaceSwapModelLoader:
    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {"swap_model": (folder_paths.get_filename_list("insightface"),)},
            "optional": {"detector": (["none"] + folder_paths.get_filename_list("yolo"), {"default": "none"})},
        }

    RETURN_TYPES = ("FACESWAP_MODEL",)
    FUNCTION = "load"
    CATEGORY = "face_swap"

    def load(self, swap_model, detector="none"):
        raise NotImplementedError("test double")


NODE_CLASS_MAPPINGS = {"FaceSwapModelLoader": FaceSwapModelLoader}
NODE_DISPLAY_NAME_MAPPINGS = {"FaceSwapModelLoader": "Load Face Swap Model"}
