"""Miniature of cubiq/ComfyUI_IPAdapter_plus: the ``ipadapter`` folder and its loader."""

import os

import folder_paths

if "ipadapter" not in folder_paths.folder_names_and_paths:
    current_paths = [os.path.join(folder_paths.models_dir, "ipadapter")]
else:
    current_paths, _ = folder_paths.folder_names_and_paths["ipadapter"]
folder_paths.folder_names_and_paths["ipadapter"] = (current_paths, folder_paths.supported_pt_extensions)


class IPAdapterModelLoader:
    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"ipadapter_file": (folder_paths.get_filename_list("ipadapter"),)}}

    RETURN_TYPES = ("IPADAPTER",)
    FUNCTION = "load_ipadapter_model"
    CATEGORY = "ipadapter/loaders"

    def load_ipadapter_model(self, ipadapter_file):
        raise NotImplementedError("test double")


NODE_CLASS_MAPPINGS = {"IPAdapterModelLoader": IPAdapterModelLoader}
NODE_DISPLAY_NAME_MAPPINGS = {"IPAdapterModelLoader": "IPAdapter Model Loader"}
