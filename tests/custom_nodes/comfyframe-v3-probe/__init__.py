"""Test-only pack using the V3 extension entry point (``comfy_entrypoint``).

It exists so that /object_info carries COMBO-format model dropdowns in BOTH the
required and the optional section (no built-in 0.3.75 node has an optional
model COMBO).
"""

import folder_paths
from comfy_api.latest import ComfyExtension, io


class ProbeLoaderV3(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="ComfyframeProbeLoaderV3",
            display_name="Checkpoint + VAE Loader (V3 probe)",
            category="comfyframe/probe",
            inputs=[
                io.Combo.Input("ckpt_name", options=folder_paths.get_filename_list("checkpoints")),
                io.Combo.Input("vae_name", options=folder_paths.get_filename_list("vae"), optional=True),
                io.Combo.Input("lora_name", options=["none"] + folder_paths.get_filename_list("loras"), default="none", optional=True),
            ],
            outputs=[io.Model.Output(), io.Vae.Output()],
        )

    @classmethod
    def execute(cls, ckpt_name, vae_name=None, lora_name="none") -> io.NodeOutput:
        raise NotImplementedError("test double")


class ProbeExtension(ComfyExtension):
    async def get_node_list(self) -> list[type[io.ComfyNode]]:
        return [ProbeLoaderV3]


async def comfy_entrypoint() -> ProbeExtension:
    return ProbeExtension()
