"""Safetensors headers of real architectures, for the header-classification tests.

Each :class:`HeaderCase` lists tensors with the key names, shapes and dtypes the real files carry (the
signature tensors ComfyUI's model detection reads, plus a few ordinary ones), the truth (kind, family,
variants) and a silent file name. :func:`write_sparse` writes one as a sparse file: the header, then holes.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass, field
from pathlib import Path

BYTES = {"F32": 4, "F16": 2, "BF16": 2, "F8_E4M3": 1, "F8_E5M2": 1, "I8": 1, "U8": 1}
Tensor = tuple[str, str, tuple[int, ...]]


@dataclass(frozen=True)
class HeaderCase:
    folder: str
    name: str  # says nothing about the model
    kind: str
    family: str  # "" = the structure cannot tell (and the test expects unknown, not a guess)
    tensors: tuple[Tensor, ...]
    variants: tuple[str, ...] = ()
    precision: str = ""
    metadata: dict[str, str] = field(default_factory=dict)

    def header(self) -> bytes:
        """The 8-byte length and JSON header of this file."""
        body: dict[str, object] = {"__metadata__": dict(self.metadata)} if self.metadata else {}
        offset = 0
        for key, dtype, shape in self.tensors:
            size = math.prod(shape) * BYTES[dtype]
            body[key] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + size]}
            offset += size
        raw = json.dumps(body).encode()
        raw += b" " * (-len(raw) % 8)
        return struct.pack("<Q", len(raw)) + raw

    @property
    def data_bytes(self) -> int:
        return sum(math.prod(s) * BYTES[d] for _, d, s in self.tensors)

    @property
    def size(self) -> int:
        return len(self.header()) + self.data_bytes


def write_sparse(base: Path, case: HeaderCase) -> Path:
    """Write ``case`` under ``base/models/<folder>/<name>`` (the data part is a hole)."""
    path = base / "models" / case.folder / case.name
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(case.header())
        fh.truncate(case.size)
    return path


def _unet(prefix: str, context: int, adm: int | None, dt: str = "F16") -> list[Tensor]:
    out: list[Tensor] = [
        (f"{prefix}input_blocks.0.0.weight", dt, (320, 4, 3, 3)),
        (f"{prefix}time_embed.0.weight", dt, (1280, 320)),
        (f"{prefix}input_blocks.4.1.transformer_blocks.0.attn2.to_k.weight", dt, (640, context)),
        (f"{prefix}input_blocks.4.1.transformer_blocks.0.attn1.to_q.weight", dt, (640, 640)),
        (f"{prefix}out.2.weight", dt, (4, 320, 3, 3)),
    ]
    if adm:
        out.append((f"{prefix}label_emb.0.0.weight", dt, (1280, adm)))
    return out


_VAE = [("first_stage_model.decoder.conv_in.weight", "F16", (512, 4, 3, 3)),
        ("first_stage_model.encoder.conv_in.weight", "F16", (128, 3, 3, 3))]
_FLUX = [
    ("double_blocks.0.img_attn.norm.key_norm.scale", "BF16", (128,)),
    ("double_blocks.0.img_attn.qkv.weight", "BF16", (9216, 3072)),
    ("double_blocks.18.img_attn.qkv.weight", "BF16", (9216, 3072)),
    ("img_in.weight", "BF16", (3072, 64)),
    ("single_blocks.0.linear1.weight", "BF16", (21504, 3072)),
    ("time_in.in_layer.weight", "BF16", (3072, 256)),
]


def _wan(dim: int, in_ch: int, extra: list[Tensor], dt: str = "F16") -> list[Tensor]:
    return [
        ("head.modulation", "F32", (1, 2, dim)),
        ("head.head.weight", dt, (64, dim)),
        ("patch_embedding.weight", dt, (dim, in_ch, 1, 2, 2)),
        ("blocks.0.self_attn.q.weight", dt, (dim, dim)),
        ("blocks.0.ffn.0.weight", dt, (dim * 4, dim)),
        *extra,
    ]


def _lora(keys: list[tuple[str, int]], rank: int = 16, down: str = "lora_down", up: str = "lora_up") -> list[Tensor]:
    """A LoRA's (down, up, alpha) triplets for (module, in_features) pairs; out_features = in_features."""
    out: list[Tensor] = []
    for module, width in keys:
        out.append((f"{module}.{down}.weight", "F16", (rank, width)))
        out.append((f"{module}.{up}.weight", "F16", (width, rank)))
        if down == "lora_down":
            out.append((f"{module}.alpha", "F16", ()))
    return out


CASES: tuple[HeaderCase, ...] = (
    HeaderCase("checkpoints", "model_a.safetensors", "checkpoint", "sd15",
               (*_unet("model.diffusion_model.", 768, None), *_VAE,
                ("cond_stage_model.transformer.text_model.encoder.layers.0.self_attn.q_proj.weight", "F16", (768, 768))),
               precision="fp16"),
    HeaderCase("checkpoints", "model_b.safetensors", "checkpoint", "sdxl",
               (*_unet("model.diffusion_model.", 2048, 2816), *_VAE,
                ("conditioner.embedders.0.transformer.text_model.encoder.layers.0.self_attn.q_proj.weight", "F16", (768, 768))),
               precision="fp16"),
    HeaderCase("checkpoints", "model_c.safetensors", "checkpoint", "sd2",
               (*_unet("model.diffusion_model.", 1024, None, "F32"), *_VAE), precision="fp32"),
    HeaderCase("checkpoints", "model_d.safetensors", "checkpoint", "sd3",
               (("model.diffusion_model.joint_blocks.0.context_block.attn.qkv.weight", "F16", (4608, 1536)),
                ("model.diffusion_model.x_embedder.proj.weight", "F16", (1536, 16, 2, 2)),
                ("first_stage_model.decoder.conv_in.weight", "F16", (512, 16, 3, 3))), variants=("medium",)),
    HeaderCase("checkpoints", "model_e.safetensors", "checkpoint", "ltxv",
               (("model.diffusion_model.adaln_single.emb.timestep_embedder.linear_1.weight", "BF16", (2048, 256)),
                ("model.diffusion_model.patchify_proj.weight", "BF16", (2048, 128)),
                ("model.diffusion_model.transformer_blocks.0.attn1.to_q.weight", "BF16", (2048, 2048)),
                ("vae.decoder.conv_in.conv.weight", "BF16", (1024, 128, 3, 3, 3))), precision="bf16"),
    HeaderCase("checkpoints", "model_f.safetensors", "checkpoint", "svd",
               (*_unet("model.diffusion_model.", 1024, 768),
                ("model.diffusion_model.input_blocks.1.0.time_stack.in_layers.2.weight", "F16", (320, 320, 3, 1, 1)),
                ("model.diffusion_model.input_blocks.1.0.time_mixer.mix_factor", "F32", (1,)), *_VAE)),
    HeaderCase("diffusion_models", "unet_1.safetensors", "diffusion_model", "flux1",
               (*_FLUX, ("guidance_in.in_layer.weight", "BF16", (3072, 256))), variants=("dev",), precision="bf16"),
    HeaderCase("diffusion_models", "unet_2.safetensors", "diffusion_model", "flux1", tuple(_FLUX), variants=("schnell",)),
    HeaderCase("diffusion_models", "unet_3.safetensors", "diffusion_model", "flux2",
               (("double_stream_modulation_img.lin.weight", "F8_E4M3", (36864, 6144)),
                ("double_blocks.0.img_attn.norm.key_norm.scale", "BF16", (128,)),
                ("double_blocks.0.img_attn.qkv.weight", "F8_E4M3", (18432, 6144)),
                ("img_in.weight", "BF16", (6144, 128))), precision="fp8_e4m3fn"),
    HeaderCase("diffusion_models", "unet_4.safetensors", "diffusion_model", "chroma",
               (("distilled_guidance_layer.in_proj.weight", "BF16", (5120, 64)),
                ("double_blocks.0.img_attn.norm.key_norm.scale", "BF16", (128,)),
                ("double_blocks.0.img_attn.qkv.weight", "BF16", (9216, 3072)), ("img_in.weight", "BF16", (3072, 64)))),
    HeaderCase("diffusion_models", "unet_5.safetensors", "diffusion_model", "wan21",
               tuple(_wan(1536, 16, [])), variants=("t2v",), precision="fp16"),
    HeaderCase("diffusion_models", "unet_6.safetensors", "diffusion_model", "wan21",
               tuple(_wan(5120, 36, [("img_emb.proj.0.weight", "F32", (1280,))], "F8_E4M3")), variants=("i2v",),
               precision="fp8_e4m3fn"),
    HeaderCase("diffusion_models", "unet_7.safetensors", "diffusion_model", "wan22",
               tuple(_wan(5120, 36, [("blocks.0.self_attn.q.scale_weight", "F32", (1,))], "F8_E4M3")),
               variants=("i2v",), precision="fp8_scaled"),
    HeaderCase("diffusion_models", "unet_8.safetensors", "diffusion_model", "wan22",
               tuple(_wan(3072, 48, [])), variants=("ti2v",)),
    HeaderCase("diffusion_models", "unet_9.safetensors", "diffusion_model", "hunyuan_video",
               (("txt_in.individual_token_refiner.blocks.0.norm1.weight", "BF16", (3072,)),
                ("img_in.proj.weight", "BF16", (3072, 16, 1, 2, 2)),
                ("double_blocks.0.img_attn_qkv.weight", "BF16", (9216, 3072))), variants=("t2v",)),
    HeaderCase("diffusion_models", "unet_10.safetensors", "diffusion_model", "ltx2",
               (("adaln_single.emb.timestep_embedder.linear_1.weight", "BF16", (4096, 256)),
                ("audio_adaln_single.linear.weight", "BF16", (12288, 2048)),
                ("patchify_proj.weight", "BF16", (4096, 128)))),
    HeaderCase("diffusion_models", "unet_11.safetensors", "diffusion_model", "qwen_image",
               (("txt_norm.weight", "BF16", (3584,)), ("img_in.weight", "BF16", (3072, 64)),
                ("transformer_blocks.0.img_mod.1.weight", "BF16", (18432, 3072)),
                ("transformer_blocks.0.img_mlp.net.0.proj.weight", "BF16", (12288, 3072)))),
    HeaderCase("diffusion_models", "unet_12.safetensors", "diffusion_model", "hidream",
               (("caption_projection.0.linear.weight", "BF16", (2560, 4096)),
                ("double_stream_blocks.0.block.attn1.to_q.weight", "BF16", (2560, 2560)))),
    HeaderCase("diffusion_models", "unet_13.safetensors", "diffusion_model", "lumina2",
               (("cap_embedder.1.weight", "BF16", (3840, 2560)),
                ("noise_refiner.0.attention.k_norm.weight", "BF16", (128,)),
                ("layers.0.attention.qkv.weight", "BF16", (11520, 3840)))),
    HeaderCase("diffusion_models", "unet_14.safetensors", "diffusion_model", "kolors",
               tuple(_unet("", 2048, 5632))),
    HeaderCase("diffusion_models", "unet_15.safetensors", "diffusion_model", "cosmos",
               (("blocks.block0.blocks.0.block.attn.to_q.0.weight", "BF16", (4096, 4096)),
                ("x_embedder.proj.1.weight", "BF16", (4096, 68)))),
    HeaderCase("diffusion_models", "unet_31.safetensors", "diffusion_model", "cosmos",
               (("blocks.0.mlp.layer1.weight", "BF16", (8192, 2048)), ("x_embedder.proj.1.weight", "BF16", (2048, 68)))),
    HeaderCase("diffusion_models", "unet_16.safetensors", "diffusion_model", "hunyuan_dit",
               (("mlp_t5.0.weight", "F16", (4096, 2048)), ("extra_embedder.0.weight", "F16", (5632, 3968)),
                ("x_embedder.proj.weight", "F16", (1408, 4, 2, 2)))),
    HeaderCase("diffusion_models", "unet_17.safetensors", "diffusion_model", "pixart",
               (("t_block.1.weight", "F16", (6912, 1152)), ("x_embedder.proj.weight", "F16", (1152, 4, 2, 2)))),
    HeaderCase("diffusion_models", "unet_18.safetensors", "diffusion_model", "mochi",
               (("t5_yproj.weight", "BF16", (3072, 4096)), ("blocks.0.attn.qkv_x.weight", "BF16", (9216, 3072)))),
    HeaderCase("diffusion_models", "unet_19.safetensors", "diffusion_model", "cogvideox",
               (("blocks.0.norm1.linear.weight", "BF16", (18432, 512)), ("patch_embed.proj.weight", "BF16", (3072, 16, 2, 2)))),
    HeaderCase("diffusion_models", "unet_20.safetensors", "diffusion_model", "omnigen2",
               (("time_caption_embed.timestep_embedder.linear_1.bias", "BF16", (2520,)),
                ("x_embedder.weight", "BF16", (2520, 64)))),
    HeaderCase("diffusion_models", "unet_21.safetensors", "diffusion_model", "cascade",
               (("clf.1.weight", "BF16", (64, 2048, 1, 1)), ("clip_txt_mapper.weight", "BF16", (8192, 1280)))),
    HeaderCase("checkpoints", "model_g.safetensors", "checkpoint", "stable_audio",
               (("model.model.transformer.rotary_pos_emb.inv_freq", "F32", (32,)),
                ("model.model.transformer.layers.0.self_attn.to_qkv.weight", "F16", (4608, 1536)),
                ("pretransform.model.decoder.layers.0.weight", "F16", (2048, 64, 7)))),
    HeaderCase("diffusion_models", "unet_22.safetensors", "diffusion_model", "ace_step",
               (("genre_embedder.weight", "F32", (15, 2560)), ("lyric_embs.weight", "F32", (6693, 1024))), precision="fp32"),
    # LoRAs: one per base and layout, names silent
    HeaderCase("loras", "style_1.safetensors", "lora", "sd15",
               tuple(_lora([("lora_unet_down_blocks_1_attentions_0_transformer_blocks_0_attn2_to_k", 768),
                            ("lora_unet_down_blocks_1_attentions_0_transformer_blocks_0_attn1_to_q", 640),
                            ("lora_te_text_model_encoder_layers_0_self_attn_k_proj", 768)]))),
    HeaderCase("loras", "style_2.safetensors", "lora", "sdxl",
               tuple(_lora([("lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k", 2048),
                            ("lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q", 640)]))),
    HeaderCase("loras", "style_3.safetensors", "lora", "sdxl",
               tuple(_lora([("unet.down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k", 2048)],
                           down="lora_A", up="lora_B"))),
    HeaderCase("loras", "style_4.safetensors", "lora", "sdxl",
               (("lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k.hada_w1_a", "F16", (640, 8)),
                ("lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k.hada_w1_b", "F16", (8, 2048)),
                ("lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k.hada_w2_a", "F16", (640, 8)),
                ("lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k.hada_w2_b", "F16", (8, 2048)))),
    HeaderCase("loras", "style_5.safetensors", "lora", "sdxl",
               (("lora_te2_text_model_encoder_layers_0_mlp_fc1.lokr_w1", "F16", (8, 8)),
                ("lora_te2_text_model_encoder_layers_0_mlp_fc1.lokr_w2", "F16", (640, 160)))),
    HeaderCase("loras", "style_6.safetensors", "lora", "flux1",
               tuple(_lora([("lora_unet_double_blocks_0_img_attn_qkv", 3072), ("lora_unet_double_blocks_18_img_mod_lin", 3072),
                            ("lora_unet_single_blocks_37_linear1", 3072)]))),
    HeaderCase("loras", "style_7.safetensors", "lora", "flux1",
               tuple(_lora([("transformer.single_transformer_blocks.37.attn.to_q", 3072),
                            ("transformer.transformer_blocks.0.attn.to_q", 3072)], down="lora_A", up="lora_B"))),
    HeaderCase("loras", "style_8.safetensors", "lora", "flux2",
               tuple(_lora([("diffusion_model.double_blocks.0.img_attn.qkv", 6144)], down="lora_A", up="lora_B"))),
    HeaderCase("loras", "style_9.safetensors", "lora", "wan21",
               tuple(_lora([("diffusion_model.blocks.0.self_attn.q", 1536), ("diffusion_model.blocks.0.cross_attn.k", 1536)],
                           down="lora_A", up="lora_B"))),
    HeaderCase("loras", "style_10.safetensors", "lora", "wan21",
               tuple(_lora([("diffusion_model.blocks.0.self_attn.q", 5120), ("diffusion_model.blocks.0.cross_attn.k_img", 5120)],
                           down="lora_A", up="lora_B")), variants=("i2v",)),
    HeaderCase("loras", "style_11.safetensors", "lora", "wan22",
               tuple(_lora([("lora_unet_blocks_0_self_attn_q", 3072)]))),
    HeaderCase("loras", "style_12.safetensors", "lora", "qwen_image",
               tuple(_lora([("transformer_blocks.0.img_mlp.net.0.proj", 3072), ("transformer_blocks.0.attn.to_q", 3072)],
                           down="lora_A", up="lora_B"))),
    HeaderCase("loras", "style_13.safetensors", "lora", "hunyuan_video",
               tuple(_lora([("diffusion_model.double_blocks.0.img_attn_qkv", 3072)], down="lora_A", up="lora_B"))),
    HeaderCase("loras", "style_14.safetensors", "lora", "ltxv",
               tuple(_lora([("diffusion_model.transformer_blocks.0.attn1.to_q", 2048)], down="lora_A", up="lora_B"))),
    HeaderCase("loras", "style_15.safetensors", "lora", "sd3",
               tuple(_lora([("transformer.transformer_blocks.0.attn.to_q", 1536)], down="lora_A", up="lora_B"))),
    HeaderCase("loras", "style_16.safetensors", "lora", "lumina2",
               tuple(_lora([("diffusion_model.layers.0.attention.qkv", 3840)], down="lora_A", up="lora_B"))),
    HeaderCase("loras", "style_17.safetensors", "lora", "hidream",
               tuple(_lora([("diffusion_model.double_stream_blocks.0.block.attn1.to_q", 2560)], down="lora_A", up="lora_B"))),
    HeaderCase("loras", "style_18.safetensors", "lora", "ltx2",
               tuple(_lora([("diffusion_model.transformer_blocks.0.attn1.to_q", 4096),
                            ("diffusion_model.transformer_blocks.0.audio_attn1.to_q", 2048)], down="lora_A", up="lora_B"))),
    HeaderCase("loras", "style_19.safetensors", "lora", "sd2",
               tuple(_lora([("lora_unet_down_blocks_1_attentions_0_transformer_blocks_0_attn2_to_k", 1024)]))),
    HeaderCase("loras", "style_20.safetensors", "lora", "sdxl",
               tuple(_lora([("lora_te1_text_model_encoder_layers_0_self_attn_k_proj", 768)]))),
    HeaderCase("loras", "style_21.safetensors", "lora", "sd3",
               tuple(_lora([("lora_unet_joint_blocks_0_x_block_attn_qkv", 1536)]))),
    HeaderCase("loras", "style_22.safetensors", "lora", "flux2",
               tuple(_lora([("transformer.single_transformer_blocks.0.attn.to_qkv_mlp_proj", 3072)],
                           down="lora_A", up="lora_B"))),
    HeaderCase("loras", "style_23.safetensors", "lora", "flux1",
               tuple(_lora([("diffusion_model.double_blocks.0.img_attn.qkv", 3072), ("diffusion_model.double_blocks.12.img_attn.qkv", 3072)],
                           down="lora_A", up="lora_B"))),
    HeaderCase("loras", "style_28.safetensors", "lora", "",
               tuple(_lora([("diffusion_model.double_blocks.0.img_attn.qkv", 3072), ("diffusion_model.single_blocks.19.linear1", 3072)],
                           down="lora_A", up="lora_B"))),
    HeaderCase("loras", "style_24.safetensors", "lora", "",
               tuple(_lora([("lora_unet_blocks_0_self_attn_q", 5120)]))),
    HeaderCase("loras", "style_25.safetensors", "lora", "",
               tuple(_lora([("transformer.blocks.0.attn1.to_q", 5120)], down="lora_A", up="lora_B"))),
    HeaderCase("loras", "style_26.safetensors", "lora", "ltx2",
               tuple(_lora([("diffusion_model.transformer_blocks.0.attn1.to_q", 4096)], down="lora_A", up="lora_B"))),
    HeaderCase("loras", "style_27.safetensors", "lora", "sd15",
               tuple(_lora([("lora_te_text_model_encoder_layers_0_self_attn_k_proj", 768)]))),
    HeaderCase("diffusion_models", "unet_23.safetensors", "diffusion_model", "hunyuan_video",
               (("cond_type_embedding.weight", "BF16", (3, 2048)),
                ("txt_in.individual_token_refiner.blocks.0.norm1.weight", "BF16", (2048,)),
                ("img_in.proj.weight", "BF16", (2048, 65, 1, 2, 2)))),
    HeaderCase("diffusion_models", "unet_24.safetensors", "diffusion_model", "hunyuan_image",
               (("byt5_in.fc1.weight", "BF16", (2048, 1472)),
                ("txt_in.individual_token_refiner.blocks.0.norm1.weight", "BF16", (3584,)),
                ("double_blocks.0.img_attn_qkv.weight", "BF16", (10752, 3584)))),
    HeaderCase("diffusion_models", "unet_25.safetensors", "diffusion_model", "",
               tuple(_wan(5120, 16, [], "BF16")), precision="bf16"),  # Wan 2.1 and 2.2 14B share the structure
    HeaderCase("text_encoders", "encoder_3.safetensors", "text_encoder", "",
               (("model.layers.0.self_attn.q_proj.weight", "BF16", (3584, 3584)),
                ("model.embed_tokens.weight", "BF16", (152064, 3584)))),
    HeaderCase("upscale_models", "upscaler_1.safetensors", "upscale", "",
               (("model.0.weight", "F32", (64, 3, 3, 3)), ("model.1.sub.0.RDB1.conv1.0.weight", "F32", (32, 64, 3, 3)))),
    HeaderCase("diffusion_models", "unet_26.safetensors", "diffusion_model", "flux1",
               (*_FLUX[:3], ("img_in.weight", "BF16", (3072, 384)), ("guidance_in.in_layer.weight", "BF16", (3072, 256))),
               variants=("fill", "dev")),
    HeaderCase("diffusion_models", "unet_27.safetensors", "diffusion_model", "wan21",
               tuple(_wan(1536, 16, [("vace_patch_embedding.weight", "F16", (1536, 96, 1, 2, 2))])),
               variants=("vace", "t2v")),
    HeaderCase("diffusion_models", "unet_28.safetensors", "diffusion_model", "wan21",
               tuple(_wan(5120, 36, [("img_emb.proj.0.weight", "F32", (1280,)), ("img_emb.emb_pos", "F32", (1, 514, 1280))])),
               variants=("flf2v", "i2v")),
    HeaderCase("diffusion_models", "unet_29.safetensors", "diffusion_model", "sd3",
               (("joint_blocks.0.context_block.attn.qkv.weight", "BF16", (7296, 2432)),
                ("x_embedder.proj.weight", "BF16", (2432, 16, 2, 2))), variants=("large",)),
    HeaderCase("checkpoints", "model_h.safetensors", "checkpoint", "sdxl",
               (*_unet("model.diffusion_model.", 1280, 2560), *_VAE), variants=("refiner",)),
    HeaderCase("controlnet", "control_2.safetensors", "controlnet", "sdxl",
               (("controlnet_cond_embedding.conv_in.weight", "F16", (16, 3, 3, 3)),
                ("down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight", "F16", (640, 2048)))),
    HeaderCase("controlnet", "control_3.safetensors", "controlnet", "sd15",
               (("control_model.input_hint_block.0.weight", "F16", (16, 3, 3, 3)),
                ("control_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight", "F16", (320, 768)))),
    HeaderCase("animatediff_models", "motion_1.safetensors", "motion_module", "",
               (("down_blocks.0.motion_modules.0.temporal_transformer.transformer_blocks.0.attention_blocks.0.to_q.weight",
                 "F16", (320, 320)),)),
    HeaderCase("ipadapter", "adapter_1.safetensors", "ipadapter", "sd15",
               (("image_proj.proj.weight", "F16", (3072, 1024)), ("ip_adapter.1.to_k_ip.weight", "F16", (320, 768)))),
    HeaderCase("ipadapter", "adapter_2.safetensors", "ipadapter", "sdxl",
               (("image_proj.proj.weight", "F16", (8192, 1280)), ("ip_adapter.1.to_k_ip.weight", "F16", (640, 2048)))),
    HeaderCase("style_models", "style_model_1.safetensors", "style_model", "flux1",
               (("redux_up.weight", "BF16", (12288, 1152)), ("redux_down.weight", "BF16", (4096, 12288)))),
    HeaderCase("diffusion_models", "unet_30.safetensors", "diffusion_model", "",  # Anima: Cosmos Predict2 + LLM adapter
               (("blocks.0.mlp.layer1.weight", "BF16", (8192, 2048)),
                ("llm_adapter.blocks.0.cross_attn.q_proj.weight", "BF16", (1024, 1024)))),
    HeaderCase("diffusion_models", "unet_32.safetensors", "diffusion_model", "wan22",
               tuple(_wan(5120, 36, [("img_emb.proj.0.weight", "F32", (1280,)),
                                     ("face_adapter.fuser_blocks.0.k_norm.weight", "BF16", (128,))]))),
    HeaderCase("diffusion_models", "unet_33.safetensors", "diffusion_model", "wan22",
               tuple(_wan(5120, 16, [("casual_audio_encoder.encoder.final_linear.weight", "BF16", (5120, 1024))]))),
    # components
    HeaderCase("vae", "decoder_1.safetensors", "vae", "flux2",
               (("decoder.conv_in.weight", "F32", (512, 32, 3, 3)), ("encoder.conv_in.weight", "F32", (128, 3, 3, 3)),
                ("bn.running_mean", "F32", (128,)), ("bn.running_var", "F32", (128,)))),
    HeaderCase("vae", "decoder_2.safetensors", "vae", "wan22",
               (("decoder.conv1.weight", "F16", (1024, 48, 3, 3, 3)), ("encoder.conv1.weight", "F16", (160, 12, 3, 3, 3)),
                ("decoder.middle.0.residual.0.gamma", "F16", (1024, 1, 1, 1)),
                ("decoder.upsamples.0.upsamples.0.residual.2.weight", "F16", (1024, 1024, 3, 3, 3)))),
    HeaderCase("vae", "decoder_4.safetensors", "vae", "",  # DC-AE: 32 latent channels but no batch norm: not FLUX.2
               (("decoder.conv_in.weight", "F32", (1024, 32, 3, 3)),)),
    HeaderCase("vae", "decoder_3.safetensors", "vae", "",
               (("decoder.conv_in.weight", "F32", (512, 4, 3, 3)), ("encoder.conv_in.weight", "F32", (128, 3, 3, 3)))),
    HeaderCase("text_encoders", "encoder_1.safetensors", "text_encoder", "",
               (("text_model.encoder.layers.0.self_attn.q_proj.weight", "F16", (768, 768)),)),
    HeaderCase("text_encoders", "encoder_2.safetensors", "text_encoder", "",
               (("encoder.block.0.layer.0.SelfAttention.q.weight", "F8_E4M3", (4096, 4096)),
                ("encoder.block.0.layer.0.SelfAttention.q.scale_weight", "F32", (1,))), precision="fp8_scaled"),
    HeaderCase("clip_vision", "vision_1.safetensors", "clip_vision", "",
               (("vision_model.embeddings.patch_embedding.weight", "F16", (1280, 3, 14, 14)),)),
    HeaderCase("controlnet", "control_1.safetensors", "controlnet", "",
               (("control_model.input_hint_block.0.weight", "F16", (16, 3, 3, 3)),)),
)


# --------------------------------------------------------------------------- GGUF

GGML = {"F32": (0, 1, 4), "F16": (1, 1, 2), "Q8_0": (8, 32, 34), "Q4_K": (12, 256, 144), "Q5_K": (13, 256, 176),
        "Q6_K": (14, 256, 210), "BF16": (30, 1, 2)}  # name -> (ggml type id, block elements, block bytes)


@dataclass(frozen=True)
class GGUFCase:
    """A GGUF file as city96's ComfyUI-GGUF converts diffusion models: state-dict names, ggml types."""

    folder: str  # the /models key listing it (ComfyUI-GGUF's unet_gguf)
    disk: str  # where it lives
    name: str
    kind: str
    family: str
    architecture: str
    tensors: tuple[Tensor, ...]  # shapes in PyTorch order; dtypes are GGML names

    def header(self) -> bytes:
        def string(text: str) -> bytes:
            raw = text.encode()
            return struct.pack("<Q", len(raw)) + raw

        out = b"GGUF" + struct.pack("<IQQ", 3, len(self.tensors), 2)
        out += string("general.architecture") + struct.pack("<I", 8) + string(self.architecture)
        out += string("general.quantization_version") + struct.pack("<II", 4, 2)
        offset = 0
        for key, dtype, shape in self.tensors:
            out += string(key) + struct.pack("<I", len(shape)) + b"".join(struct.pack("<Q", d) for d in shape[::-1])
            out += struct.pack("<IQ", GGML[dtype][0], offset)
            offset += -(-self._bytes(dtype, shape) // 32) * 32
        return out + b"\0" * (-len(out) % 32)

    @staticmethod
    def _bytes(dtype: str, shape: tuple[int, ...]) -> int:
        _, block, size = GGML[dtype]
        return math.prod(shape) // block * size

    @property
    def size(self) -> int:
        return len(self.header()) + sum(-(-self._bytes(d, s) // 32) * 32 for _, d, s in self.tensors)


def write_gguf(base: Path, case: GGUFCase) -> Path:
    path = base / case.disk / case.name
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(case.header())
        fh.truncate(case.size)
    return path


GGUF_CASES: tuple[GGUFCase, ...] = (
    GGUFCase("unet_gguf", "models/diffusion_models", "quantized_1.gguf", "diffusion_model", "flux1", "flux", (
        ("double_blocks.0.img_attn.norm.key_norm.scale", "F32", (128,)),
        ("double_blocks.0.img_attn.qkv.weight", "Q4_K", (9216, 3072)),
        ("img_in.weight", "Q8_0", (3072, 64)), ("guidance_in.in_layer.weight", "F16", (3072, 256)))),
    GGUFCase("unet_gguf", "models/diffusion_models", "quantized_2.gguf", "diffusion_model", "wan22", "wan", (
        ("head.modulation", "F32", (1, 2, 5120)), ("patch_embedding.weight", "F16", (5120, 36, 1, 2, 2)),
        ("blocks.0.self_attn.q.weight", "Q5_K", (5120, 5120)))),
)
