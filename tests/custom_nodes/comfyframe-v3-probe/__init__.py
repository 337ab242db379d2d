"""Test-only pack using the V3 extension entry point (``comfy_entrypoint``).

It exists so that /object_info carries COMBO-format model dropdowns in BOTH the
required and the optional section (no built-in 0.3.75 node has an optional
model COMBO). On servers with V3 dynamic inputs (ComfyUI 0.8+) a second node nests
model dropdowns in a ``DynamicCombo`` option and an ``Autogrow`` template.
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


class ProbeDynamicV3(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="ComfyframeProbeDynamicV3",
            display_name="Dynamic model loader (V3 probe)",
            category="comfyframe/probe",
            inputs=[
                io.DynamicCombo.Input("source", options=[
                    io.DynamicCombo.Option("checkpoint", [
                        io.Combo.Input("ckpt_name", options=folder_paths.get_filename_list("checkpoints")),
                    ]),
                    io.DynamicCombo.Option("lora", [
                        io.Combo.Input("lora_name", options=folder_paths.get_filename_list("loras")),
                        io.Float.Input("strength", default=1.0),
                    ]),
                ]),
                io.Autogrow.Input("vaes", template=io.Autogrow.TemplatePrefix(
                    io.Combo.Input("vae", options=folder_paths.get_filename_list("vae")), prefix="vae", min=1, max=4,
                )),
            ],
            outputs=[io.Model.Output()],
        )

    @classmethod
    def execute(cls, source, vaes) -> io.NodeOutput:
        raise NotImplementedError("test double")


class ProbeExtension(ComfyExtension):
    async def get_node_list(self) -> list[type[io.ComfyNode]]:
        dynamic = hasattr(io, "DynamicCombo") and hasattr(io, "Autogrow")
        return [ProbeLoaderV3, *([ProbeDynamicV3] if dynamic else [])]


async def comfy_entrypoint() -> ProbeExtension:
    return ProbeExtension()
