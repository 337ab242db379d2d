"""Miniature of city96/ComfyUI-GGUF: folder registration and loader signatures only.

Like the real pack it adds two keys that SHARE the path list of diffusion_models
and text_encoders but filter on {".gguf"}; it does not add .gguf to the original
keys, so GGUF files show up under /models/unet_gguf and /models/clip_gguf only.
"""

import folder_paths
import nodes


def update_folder_names_and_paths(key, targets):
    base = folder_paths.folder_names_and_paths.get(key, ([], {}))
    base = base[0] if isinstance(base[0], (list, set, tuple)) else []
    target = next((x for x in targets if x in folder_paths.folder_names_and_paths), targets[0])
    orig, _ = folder_paths.folder_names_and_paths.get(target, ([], {}))
    folder_paths.folder_names_and_paths[key] = (orig or base, {".gguf"})


update_folder_names_and_paths("unet_gguf", ["diffusion_models", "unet"])
update_folder_names_and_paths("clip_gguf", ["text_encoders", "clip"])


def _clip_names():
    return sorted(folder_paths.get_filename_list("clip") + folder_paths.get_filename_list("clip_gguf"))


class UnetLoaderGGUF:
    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"unet_name": (folder_paths.get_filename_list("unet_gguf"),)}}

    RETURN_TYPES = ("MODEL",)
    FUNCTION = "load_unet"
    CATEGORY = "bootleg"
    TITLE = "Unet Loader (GGUF)"

    def load_unet(self, unet_name):
        raise NotImplementedError("test double")


class CLIPLoaderGGUF:
    @classmethod
    def INPUT_TYPES(cls):
        base = nodes.CLIPLoader.INPUT_TYPES()
        return {"required": {"clip_name": (_clip_names(),), "type": base["required"]["type"]}}

    RETURN_TYPES = ("CLIP",)
    FUNCTION = "load_clip"
    CATEGORY = "bootleg"
    TITLE = "CLIPLoader (GGUF)"

    def load_clip(self, clip_name, type="stable_diffusion"):
        raise NotImplementedError("test double")


class DualCLIPLoaderGGUF(CLIPLoaderGGUF):
    @classmethod
    def INPUT_TYPES(cls):
        base = nodes.DualCLIPLoader.INPUT_TYPES()
        options = (_clip_names(),)
        return {"required": {"clip_name1": options, "clip_name2": options, "type": base["required"]["type"]}}

    TITLE = "DualCLIPLoader (GGUF)"


NODE_CLASS_MAPPINGS = {
    "UnetLoaderGGUF": UnetLoaderGGUF,
    "CLIPLoaderGGUF": CLIPLoaderGGUF,
    "DualCLIPLoaderGGUF": DualCLIPLoaderGGUF,
}
NODE_DISPLAY_NAME_MAPPINGS = {k: v.TITLE for k, v in NODE_CLASS_MAPPINGS.items()}
