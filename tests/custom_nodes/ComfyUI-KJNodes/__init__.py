"""Miniature of kijai/ComfyUI-KJNodes: a V3 (comfy_api.latest io) node registered
through the V1 NODE_CLASS_MAPPINGS dict, as the real pack does. Its io.Combo
inputs reach /object_info as ["COMBO", {"options": [...]}].
"""

import folder_paths
from comfy_api.latest import io


class LTX2LoraLoaderAdvanced(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="LTX2LoraLoaderAdvanced",
            display_name="LTX2 LoRA Loader Advanced",
            category="KJNodes/ltxv",
            description="Advanced LoRA loader with per-block strength control for LTX2 models",
            is_experimental=True,
            inputs=[
                io.Combo.Input("lora_name", options=folder_paths.get_filename_list("loras"), tooltip="The name of the LoRA."),
                io.Model.Input("model", tooltip="The diffusion model the LoRA will be applied to."),
                io.Float.Input("strength_model", default=1.0, min=-100.0, max=100.0, step=0.01),
                io.String.Input("opt_lora_path", optional=True, tooltip="Absolute path of a LoRA, overrides lora_name"),
            ],
            outputs=[io.Model.Output()],
        )

    @classmethod
    def execute(cls, lora_name, model, strength_model, opt_lora_path=None) -> io.NodeOutput:
        raise NotImplementedError("test double")


NODE_CLASS_MAPPINGS = {"LTX2LoraLoaderAdvanced": LTX2LoraLoaderAdvanced}
NODE_DISPLAY_NAME_MAPPINGS = {"LTX2LoraLoaderAdvanced": "LTX2 Lora Loader Advanced"}
