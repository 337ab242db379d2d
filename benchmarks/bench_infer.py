"""Benchmark ``infer_models`` on a synthetic 100,000-model table against a row-by-row reference.

The reference applies the SAME rule tables (``comfyframe.rules._rules``) one row at a time with Python ``re``
and plain loops; the benchmark checks that both give identical results, then times both, plus a simple
ranking step (filter by capability and VRAM, sort by quality).

    .venv/bin/python benchmarks/bench_infer.py [--rows 100000] [--reference-rows 20000] [--seed 0]

The reference is timed on ``--reference-rows`` rows (it is slow) and its time scaled to the full table.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from comfyframe.inference._infer import INFERRED, infer_models  # noqa: E402
from comfyframe.inference._infer_family import (  # noqa: E402
    BRAND_TIER,
    DEFAULT_TIER,
    EXPLICIT_TIER,
    FOLDER_TIER,
    HIGH_NOISE,
    LOADER_TIER,
    LOW_NOISE,
    SIBLING_MIN,
    SIBLING_SHARE,
    SIZE_TIER,
    SUBFOLDER_TIER,
)  # fmt: skip
from comfyframe.inference._infer_loaders import SELECTIVE_COVERAGE, SELECTIVE_MIN_FILES  # noqa: E402
from comfyframe.inference._infer_vram import (  # noqa: E402
    FP32_BYTES_PER_PARAM,
    GIB,
    PLAUSIBLE_FRACTION,
    UNKNOWN_FAMILY_OVERHEAD_GB,
)  # fmt: skip
from comfyframe.pipelines._pipelines import evaluate, plan_pipelines  # noqa: E402
from comfyframe.rules import _rules  # noqa: E402

# --------------------------------------------------------------------------- synthetic table

CANONICAL: dict[str, list[str]] = {
    "checkpoints": ["sd_xl_base_1.0.safetensors", "sd_xl_refiner_1.0.safetensors", "v1-5-pruned-emaonly-fp16.safetensors",
                    "juggernautXL_v9Rundiffusionphoto2.safetensors", "realisticVisionV60B1_v51VAE.safetensors",
                    "dreamshaper_8.safetensors", "ponyDiffusionV6XL.safetensors", "ltx-video-2b-v0.9.5.safetensors",
                    "svd_xt_1_1.safetensors", "sd3.5_medium.safetensors", "stable_audio_open_1.0.safetensors",
                    "ltx-2-19b-dev-fp8.safetensors", "sd1.5/v1-5-pruned-emaonly.ckpt", "SDXL\\albedobaseXL_v21.safetensors",
                    "hunyuan3d-dit-v2_fp16.safetensors", "aura_flow_0.3.safetensors"],
    "diffusion_models": ["flux1-dev.safetensors", "flux1-dev-fp8.safetensors", "flux1-fill-dev.safetensors",
                         "flux1-dev-kontext_fp8_scaled.safetensors", "flux2_dev_fp8mixed.safetensors",
                         "wan2.1_t2v_1.3B_fp16.safetensors", "wan2.1_i2v_720p_14B_fp8_scaled.safetensors",
                         "wan2.2_t2v_high_noise_14B_fp8_scaled.safetensors", "wan2.2_t2v_low_noise_14B_fp8_scaled.safetensors",
                         "wan2.2_ti2v_5B_fp16.safetensors", "hunyuan_video_t2v_720p_bf16.safetensors",
                         "qwen_image_fp8_e4m3fn.safetensors", "qwen_image_edit_2509_fp8_e4m3fn.safetensors",
                         "hidream_i1_full_fp16.safetensors", "z_image_turbo_bf16.safetensors", "Chroma1-HD.safetensors",
                         "cosmos_predict2_2B_t2i.safetensors", "Wan2_2-I2V-A14B-HIGH_fp8_e4m3fn_scaled_KJ.safetensors",
                         "Wan2.2\\wan_style_merge.safetensors", "mystery_model.safetensors"],
    "unet_gguf": ["flux1-dev-Q4_K_M.gguf", "flux1-dev-Q8_0.gguf", "Wan2.2-I2V-A14B-HighNoise-Q4_K_M.gguf",
                  "Wan2.2-I2V-A14B-LowNoise-Q4_K_M.gguf", "Qwen_Image_Edit-Q5_K_S.gguf", "hunyuan-video-t2v-720p-Q4_K_M.gguf",
                  "hidream_e1_full_bf16-Q8_0.gguf", "flux1-dev-BF16.gguf"],
    "loras": ["wan2.2_i2v_lightx2v_4steps_lora_v1_high_noise.safetensors", "Qwen-Image-Lightning-8steps-V1.0.safetensors",
              "sdxl_lightning_4step_lora.safetensors", "FLUX.1-Turbo-Alpha.safetensors", "SDXL/lcm/pytorch_lora_weights.safetensors",
              "Hyper-SD15-8steps-lora.safetensors", "ltx-2-19b-distilled-lora-384.safetensors", "add_detail.safetensors"],
    "vae": ["ae.safetensors", "sdxl_vae.safetensors", "wan_2.1_vae.safetensors", "wan2.2_vae.safetensors",
            "qwen_image_vae.safetensors", "vae-ft-mse-840000-ema-pruned.safetensors", "flux2-vae.safetensors"],
    "text_encoders": ["t5xxl_fp16.safetensors", "clip_l.safetensors", "umt5_xxl_fp8_e4m3fn_scaled.safetensors",
                      "llava_llama3_fp8_scaled.safetensors", "qwen_2.5_vl_7b_fp8_scaled.safetensors", "Flux/clip_l.safetensors"],
    "clip_gguf": ["t5-v1_1-xxl-encoder-Q8_0.gguf", "umt5-xxl-encoder-Q5_K_M.gguf"],
    "clip_vision": ["clip_vision_h.safetensors", "sigclip_vision_patch14_384.safetensors"],
    "controlnet": ["control_v11p_sd15_openpose_fp16.safetensors", "diffusers_xl_canny_full.safetensors",
                   "FLUX.1-dev-ControlNet-Union-Pro-2.0.safetensors", "control-lora-canny-rank256.safetensors"],
    "upscale_models": ["4x-UltraSharp.pth", "RealESRGAN_x4plus.pth", "4x_NMKD-Superscale-SP_178000_G.pth"],
    "embeddings": ["EasyNegative.safetensors", "negativeXL_D.safetensors", "badhandv4.pt"],
    "animatediff_models": ["mm_sd_v15_v2.ckpt", "v3_sd15_mm.ckpt", "mm_sdxl_v10_beta.ckpt", "temporaldiffMotion_v10.ckpt"],
    "ipadapter": ["ip-adapter_sd15.safetensors", "ip-adapter-plus_sdxl_vit-h.safetensors", "ip-adapter-faceid-plusv2_sdxl.bin"],
    "xlabs_ipadapters": ["ip_adapter.safetensors", "flux-ip-adapter-v2.safetensors"],
    "latent_upscale_models": ["ltx-2-spatial-upscaler-x2-1.0.safetensors"],
    "sams": ["sam_vit_h_4b8939.pth"],
    "LLM": ["Florence-2-large/model.safetensors"],
    "": ["rife47.pth", "film_net_fp32.pt"],
}
FOLDER_WEIGHTS = {"loras": 0.45, "checkpoints": 0.18, "diffusion_models": 0.1, "unet_gguf": 0.03, "vae": 0.03,
                  "text_encoders": 0.03, "clip_gguf": 0.01, "clip_vision": 0.01, "controlnet": 0.04, "upscale_models": 0.02,
                  "embeddings": 0.03, "animatediff_models": 0.01, "ipadapter": 0.01, "xlabs_ipadapters": 0.005,
                  "latent_upscale_models": 0.005, "sams": 0.005, "LLM": 0.005, "": 0.005}  # fmt: skip
TYPICAL_GB = {"loras": (0.02, 0.9), "checkpoints": (2.0, 7.2), "diffusion_models": (2.8, 24.0), "vae": (0.16, 1.4),
              "text_encoders": (0.24, 9.8), "clip_vision": (0.8, 3.7), "controlnet": (0.7, 3.5), "upscale_models": (0.03, 0.07),
              "embeddings": (0.00003, 0.0002), "animatediff_models": (0.8, 1.8), "ipadapter": (0.1, 1.0)}  # fmt: skip
WORDS = ("anime style detail realistic photo girl cyber punk neon portrait pixel oil paint sketch mecha car city "
         "night light dark fantasy watercolor retro vintage film grain cinematic soft glow ink comic chibi").split()
FAMILY_TOKENS = ["", "", "", "XL", "SDXL", "sd15", "Flux", "flux1", "pony", "IL", "ZiT", "wan", "Wan2.2", "qwen_image", "HiDream"]
SUBFOLDERS = ["", "", "", "", "Flux/", "SDXL/", "sd1.5/", "Wan2.2\\", "Qwen_Image\\", "characters/", "styles/"]
LORA_META = [(None, "sdxl_base_v1-0", "networks.lora"), ("Flux.1-dev/lora", None, None), (None, "sd_v1", "networks.lora"),
             ("wan2.1/lora", None, "networks.lora_wan"), (None, None, "networks.lora"), (None, None, "networks.lora_flux"),
             ("stable-diffusion-xl-v1-base/lora", "sdxl_base_v1-0", "networks.lora"), (None, "zimage_turbo", None)]  # fmt: skip
LOADERS: dict[str, tuple[str, tuple[str, ...], str, list[str]]] = {
    # node: (space-separated inputs, outputs, category, folders)
    "CheckpointLoaderSimple": ("ckpt_name", ("MODEL", "CLIP", "VAE"), "loaders", ["checkpoints"]),
    "LoraLoader": ("lora_name", ("MODEL", "CLIP"), "loaders", ["loras"]),
    "UNETLoader": ("unet_name", ("MODEL",), "advanced/loaders", ["diffusion_models"]),
    "UnetLoaderGGUF": ("unet_name", ("MODEL",), "bootleg", ["unet_gguf"]),
    "WanVideoModelLoader": ("model", ("WANVIDEOMODEL",), "WanVideoWrapper", ["diffusion_models", "unet_gguf"]),
    "VAELoader": ("vae_name", ("VAE",), "loaders", ["vae"]),
    "CLIPLoader": ("clip_name", ("CLIP",), "advanced/loaders", ["text_encoders"]),
    "CLIPLoaderGGUF": ("clip_name", ("CLIP",), "bootleg", ["text_encoders", "clip_gguf"]),
    "CLIPVisionLoader": ("clip_name", ("CLIP_VISION",), "loaders", ["clip_vision"]),
    "ControlNetLoader": ("control_net_name", ("CONTROL_NET",), "loaders", ["controlnet"]),
    "UpscaleModelLoader": ("model_name", ("UPSCALE_MODEL",), "loaders", ["upscale_models"]),
    "IPAdapterModelLoader": ("ipadapter_file", ("IPADAPTER",), "ipadapter", ["ipadapter"]),
    "ADE_LoadAnimateDiffModel": ("model_name", ("MOTION_MODEL_ADE",), "Animate Diff", ["animatediff_models"]),
    "LatentUpscaleModelLoader": ("model_name", ("LATENT_UPSCALE_MODEL",), "loaders", ["latent_upscale_models"]),
    "LoadFluxIPAdapter": ("ipadatper", ("IP_ADAPTER_FLUX_INSTANTX",), "XLabsNodes", ["xlabs_ipadapters"]),
    "SAMLoader": ("model_name", ("SAM_MODEL",), "ImpactPack", ["sams"]),
    "DownloadAndLoadFlorence2Model": ("model", ("FL2MODEL", "STRING"), "Florence2", ["LLM"]),
    "RIFE VFI": ("ckpt_name", ("IMAGE",), "ComfyUI-Frame-Interpolation/VFI", [""]),
    "Lora Loader Stack (rgthree)": ("lora_01 lora_02 lora_03 lora_04", ("MODEL", "CLIP"), "rgthree", ["loras"]),
    "CR LoRA Stack": ("lora_name_1 lora_name_2 lora_name_3", ("LORA_STACK",), "Comfyroll/LoRA", ["loras"]),
    "easy fullLoader": ("ckpt_name", ("PIPE_LINE", "MODEL", "VAE", "CLIP"), "EasyUse/Loaders", ["checkpoints"]),
    "Efficient Loader": ("ckpt_name", ("MODEL", "CONDITIONING", "VAE", "CLIP"), "Efficiency Nodes/Loaders", ["checkpoints"]),
}


def _civitai_name(rng: random.Random, ext: str) -> str:
    words = rng.sample(WORDS, rng.randint(1, 3))
    name = "_".join(w.capitalize() if rng.random() < 0.3 else w for w in words)
    token = rng.choice(FAMILY_TOKENS)
    if token:
        name = f"{name}{'_' if rng.random() < 0.6 else ''}{token}"
    name += f"_v{rng.randint(1, 12)}"
    if rng.random() < 0.3:
        name += f"-{rng.randint(1, 40):06d}"
    return rng.choice(SUBFOLDERS) + name + ext


def synthetic_frames(rows: int, seed: int = 0, files_per_server: int = 330) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(models, edges, nodes) shaped like comfyframe's discovery tables, with realistic names."""
    rng = random.Random(seed)
    folders, weights = list(FOLDER_WEIGHTS), list(FOLDER_WEIGHTS.values())
    records, seen = [], set()
    while len(records) < rows:
        server = f"http://host{len(records) // files_per_server}:8188"
        folder = rng.choices(folders, weights)[0]
        if folder in ("loras", "checkpoints", "embeddings") and rng.random() < 0.7:
            name = _civitai_name(rng, ".pt" if folder == "embeddings" and rng.random() < 0.3 else ".safetensors")
        else:
            name = rng.choice(CANONICAL[folder])
        low, high = TYPICAL_GB.get(folder, (0.1, 10.0))
        size = None if name.endswith(".gguf") or rng.random() < 0.1 else int(rng.uniform(low, high) * 1e9)
        arch, base, module = rng.choice(LORA_META) if folder == "loras" and rng.random() < 0.3 else (None, None, None)
        if (server, folder, name) not in seen:  # one row per (server, folder, name), as discovery lists them
            seen.add((server, folder, name))
            records.append((server, folder, name, size, arch, base, module))
    models = pd.DataFrame(records, columns=["server", "folder", "name", "size_bytes", "meta_architecture", "meta_base_model",
                                            "meta_network_module"])  # fmt: skip
    path = models["name"].str.replace("\\", "/", regex=False)
    parts = path.str.extract(r"^(?:(?P<subfolder>.*)/)?(?P<stem>[^/]*?)(?:\.(?P<ext>[A-Za-z0-9]{1,12}))?$")
    models["path"], models["subfolder"] = path, parts["subfolder"].fillna("")
    models["filename"], models["stem"], models["ext"] = path.str.extract(r"([^/]*)$")[0], parts["stem"], parts["ext"].str.lower().fillna("")
    for column in ("meta_title", "meta_implementation", "meta_sd_model_name"):
        models[column] = None
    models["has_metadata"] = models[["meta_architecture", "meta_base_model", "meta_network_module"]].notna().any(axis=1)
    by_folder = defaultdict(list)
    for node, (_, _, _, node_folders) in LOADERS.items():
        for f in node_folders:
            by_folder[f].append(node)
    models["loader_nodes"] = [tuple(sorted(by_folder[f])) for f in models["folder"]]
    models["loader_outputs"] = [tuple(sorted({o for n in by_folder[f] for o in LOADERS[n][1]})) for f in models["folder"]]
    for column in ("server", "folder", "name", "path", "subfolder", "filename", "stem", "ext", "meta_architecture",
                   "meta_base_model", "meta_title", "meta_implementation", "meta_sd_model_name", "meta_network_module"):
        models[column] = models[column].astype("string")
    models["size_bytes"] = models["size_bytes"].astype("Int64")
    servers = models["server"].unique()
    node_rows = [(s, n, n, cat, "custom_nodes.pack", "pack", outs) for s in servers for n, (_, outs, cat, _) in LOADERS.items()]
    nodes = pd.DataFrame(node_rows, columns=["server", "node", "display_name", "category", "python_module", "package", "output_types"])
    edge_parts = []
    for node, (inputs, _, _, node_folders) in LOADERS.items():
        offered = models.loc[models["folder"].isin(node_folders), ["server", "folder", "name"]]
        edge_parts += [offered.assign(node=node, input=inp, section="required") for inp in inputs.split()]
    edges = pd.concat(edge_parts, ignore_index=True)[["server", "node", "input", "section", "folder", "name"]].astype("string")
    return models, edges, nodes


# --------------------------------------------------------------------------- row-by-row reference


class Reference:
    """The same rules, applied one row at a time with Python ``re`` (no pandas in the per-row work)."""

    def __init__(self) -> None:
        self.family_rules = self._tiers(_rules.family_names())
        self.meta_rules = self._tiers(_rules.metadata_families())
        self.kinds = _rules.kinds().to_dict("index")
        self.specs = _rules.family_specs().to_dict("index")
        self.folders = _rules.folder_kinds().to_dict("index")
        self.sizes = list(_rules.family_sizes().itertuples(index=False))
        self.outside = [re.compile(p) for p in _rules.outside_families()["pattern"]]
        self.masks = [re.compile(p) for p in _rules.name_masks()["pattern"]]
        self.limits = {(r.kind, r.family): (r.min_gb, r.max_gb) for r in _rules.family_size_limits().itertuples()}
        self.formats = {(r.kind, r.ext): r.family for r in _rules.format_families().itertuples()}
        self.variants = [(r.variant, re.compile(r.pattern), re.compile(r.unless) if r.unless else None, set(r.scope),
                          r.quality_delta, r.params_b) for r in _rules.variants().itertuples(index=False)]  # fmt: skip
        self.caps = [(r.variant, r.modality, {c for c in r.capabilities.split(";") if c})
                     for r in _rules.capability_rules().itertuples(index=False)]  # fmt: skip
        self.precisions = [(re.compile(r["pattern"]), r) for r in _rules.precisions().to_dict("records")]
        self.quants = [(re.compile(r["pattern"]), r) for r in _rules.gguf_quants().to_dict("records")]
        self.block_quants = [q for q in self.quants if q[1]["bpw"] < 16]  # outrank float tags
        self.components = [(re.compile(r["pattern"]), r["params_b"]) for r in _rules.component_params().to_dict("records")]
        self.kind_hints = [(re.compile(r["pattern"]), r["kind"]) for r in _rules.kind_hints().to_dict("records")]
        self.loader_rules: list[tuple[int, object]] = []
        self.pairs: set[tuple[str, str, str]] = set()

    @staticmethod
    def _tiers(table: pd.DataFrame) -> list[tuple[int, re.Pattern[str], list[tuple[re.Pattern[str], str, int]]]]:
        out = []
        for tier in sorted(set(table["tier"]), reverse=True):
            rules = table[table["tier"] == tier]
            union = re.compile("(" + "|".join(f"(?:{p})" for p in rules["pattern"]) + ")")
            out.append((tier, union, [(re.compile(p), f, tier) for p, f in zip(rules["pattern"], rules["family"])]))
        return out

    @staticmethod
    def norm(value: object) -> str:
        text = "" if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA else str(value)
        text = re.sub("(" + "|".join(_rules.glued_tokens()) + ")", r" \1 ", text)
        text = re.sub(r"([A-Z]{2,})(v[0-9])", r"\1 \2", text)
        text = re.sub(r"([A-Z][A-Z0-9]+)([A-Z][a-z]{3,})", r"\1 \2", text)
        text = re.sub(r"([0-9])([A-Z][a-z])", r"\1 \2", text)
        text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower()
        return " " + re.sub(r"[^a-z0-9.]+", " ", text).strip() + " "

    def family_of(self, text: str, rules: list) -> tuple[str, int]:
        for tier, union, members in rules:
            found = union.search(text)
            if found:
                matched = found.group(1)
                for pattern, family, _ in members:
                    if pattern.fullmatch(matched):
                        return family, tier
        return "", 0

    def first(self, text: str, rules: list) -> object:
        best, where = None, None
        for pattern, value in rules:
            found = pattern.search(text)
            if found and (where is None or found.start() < where):
                best, where = value, found.start()
        return best

    def loader_evidence(self, models: pd.DataFrame, edges: pd.DataFrame, nodes: pd.DataFrame) -> tuple[dict, dict]:
        """(family per (server, folder, name), loader-kind votes per (server, folder, name))."""
        text = {}
        for row in nodes.itertuples(index=False):
            key = (str(row.server), str(row.node))
            if key not in text:
                values = (getattr(row, c) for c in ("node", "display_name", "category", "package"))
                text[key] = " ".join(str(v) if pd.notna(v) else "" for v in values)
        outputs = {}
        for row in nodes.itertuples(index=False):
            outputs.setdefault((str(row.server), str(row.node)), tuple(row.output_types))
        n_files = defaultdict(int)
        for server, folder in zip(models["server"], models["folder"]):
            n_files[(server, folder)] += 1
        seen = set()
        options = defaultdict(int)
        folders_of = defaultdict(set)
        votes = defaultdict(list)
        for row in edges.itertuples(index=False):
            values = (row.server, row.node, row.input, row.folder, row.name)
            server, node, inp, folder, name = (str(v) if pd.notna(v) else "" for v in values)
            votes[(server, folder, name)].append((outputs.get((server, node)), inp))
            if folder == "" or (server, node, inp, folder, name) in seen:
                continue
            seen.add((server, node, inp, folder, name))
            options[(server, node, inp, folder)] += 1
            folders_of[(server, node, inp)].add(folder)
        hint = {k: self.family_of(self.norm(text.get(k[:2], k[1])), self.family_rules)[0] for k in options}
        folder_hints = defaultdict(set)
        for (server, _node, _inp, folder), h in hint.items():
            folder_hints[(server, folder)].add(h)
        specific = {}
        for (server, node, inp, folder), count in options.items():
            h = hint[(server, node, inp, folder)]
            files = n_files.get((server, folder))
            shared = bool(self.folders.get(folder.lower(), {}).get("shared", False))
            owned = not shared and len(folder_hints[(server, folder)]) == 1 and h != ""
            selective = files is not None and count / files < SELECTIVE_COVERAGE and files >= SELECTIVE_MIN_FILES
            if len(folders_of[(server, node, inp)]) == 1 and h != "" and (owned or selective):
                specific[(server, node, inp, folder)] = h
        per_file = defaultdict(set)
        for server, node, inp, folder, name in seen:
            if (server, node, inp, folder) in specific:
                per_file[(server, folder, name)].add(specific[(server, node, inp, folder)])
        return {k: next(iter(v)) for k, v in per_file.items() if len(v) == 1}, votes

    def vote_kind(self, votes: list[tuple[tuple[str, ...] | None, str]]) -> str:
        """Per dropdown the first table rule of the highest priority; over dropdowns the best (priority, rule)."""
        best = (-1, 0, "")
        for outputs, inp in votes:
            if not outputs:
                continue
            for index, rule in self.loader_rules:  # sorted by priority, table order within a priority
                if rule.requires <= frozenset(outputs) and (not rule.input or re.search(rule.input, inp)):
                    best = max(best, (rule.priority, -index, rule.kind))
                    break
        return best[2]

    def infer(self, models: pd.DataFrame, edges: pd.DataFrame, nodes: pd.DataFrame) -> pd.DataFrame:
        rules = enumerate(_rules.loader_kinds().itertuples(index=False))
        self.loader_rules = sorted(rules, key=lambda indexed: -indexed[1].priority)
        loader_family, votes = self.loader_evidence(models, edges, nodes)
        out = defaultdict(list)
        self.pairs = self.expert_pairs(models)
        firsts = [self.evidence(row, loader_family, votes) for row in models.itertuples(index=False)]
        counts: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        twins: dict[tuple[str, str, str], set[str]] = defaultdict(set)  # identified stems less their last token
        for row, first in zip(models.itertuples(index=False), firsts):
            if first["identified"] and self.group(row)[2]:
                counts[self.group(row)][first["identified"]] += 1
                words = first["stem_t"].strip()
                if " " in words:
                    twins[self.group(row)].add(words.rsplit(" ", 1)[0])
        for row, first in zip(models.itertuples(index=False), firsts):
            found = counts.get(self.group(row), {})
            total = sum(found.values())
            best = max(found, key=lambda f: (found[f], -_rules.FAMILY_CODE[f])) if found else ""
            agree = total >= SIBLING_MIN and found.get(best, 0) / max(total, 1) >= SIBLING_SHARE and self.group(row)[2]
            agree = agree and first["stem_t"].strip() not in twins.get(self.group(row), set())
            self.one(row, first, best if agree else "", out)
        frame = models.drop(columns=[c for c in INFERRED if c in models.columns]).copy()
        for column, dtype in INFERRED.items():
            frame[column] = pd.Series(out[column], index=frame.index, dtype=None if dtype == "object" else dtype)
        return frame

    @staticmethod
    def group(row: object) -> tuple[str, str, str]:
        return tuple("" if pd.isna(getattr(row, c)) else str(getattr(row, c)) for c in ("server", "folder", "subfolder"))  # type: ignore[return-value]

    def expert_pairs(self, models: pd.DataFrame) -> set[tuple[str, str, str]]:
        """(server, folder, name) of every file whose high/low-noise twin sits in the same folder."""
        sides: dict[tuple[tuple[str, str, str], str, str], list[tuple[str, str, str]]] = defaultdict(list)
        for row in models.itertuples(index=False):
            stem_t = self.norm(row.stem if pd.notna(row.stem) else None)
            high, low = re.sub(HIGH_NOISE, " ~ ", stem_t), re.sub(LOW_NOISE, " ~ ", stem_t)
            key = ("" if pd.isna(row.server) else str(row.server), str(row.folder), str(row.name))
            if high != stem_t and low == stem_t:
                sides[(self.group(row), "high", high)].append(key)
            if low != stem_t and high == stem_t:
                sides[(self.group(row), "low", low)].append(key)
        out: set[tuple[str, str, str]] = set()
        for (group, side, text), keys in sides.items():
            if (group, "low" if side == "high" else "high", text) in sides:
                out.update(keys)
        return out

    def evidence(self, row: object, loader_family: dict, votes: dict) -> dict:  # noqa: C901 - kept linear
        """Kind and every family evidence but the siblings', plus the family metadata and the name give."""
        get = lambda c: getattr(row, c) if pd.notna(getattr(row, c)) else None  # noqa: E731
        folder, stem_t, sub_t = get("folder") or "", self.norm(get("stem")), self.norm(get("subfolder"))
        path_t, key = stem_t + sub_t, (get("server") or "", folder, get("name") or "")
        kind, kind_source = self.folders.get(folder.lower(), {}).get("kind", ""), "folder"
        if not kind:
            kind, kind_source = self.vote_kind([(tuple(row.loader_outputs), "")] + votes.get(key, [])), "loader"
        if not kind:
            kind = self.first(path_t, self.kind_hints) or ""
            kind, kind_source = (kind, "name") if kind else ("unknown", "none")
        spec = self.kinds[kind]
        meta_text = (str(get("meta_architecture") or "") + " " + str(get("meta_base_model") or "")).strip()
        if not meta_text and get("meta_network_module"):
            meta_text = "kohya legacy " + str(get("meta_network_module"))
        size = float(row.size_bytes) if pd.notna(row.size_bytes) else math.nan
        prec = self.first(path_t, self.precisions)
        per_weight = prec["file_bytes"] if prec is not None else math.nan
        size_family = ""
        for rule in self.sizes:
            fits = math.isnan(rule.file_bytes) or per_weight == rule.file_bytes
            if kind == rule.kind and rule.min_gb <= size / 1e9 <= rule.max_gb and fits and not size_family:
                size_family = rule.family
        default = self.folders.get(folder.lower(), {}).get("family", "") or spec["default_family"]
        ext = (get("name") or "").rsplit(".", 1)[-1].lower() if "." in (get("name") or "") else ""
        default = default or self.formats.get((kind, ext), "")
        loader_guess = loader_family.get(key, "")
        stem_f, stem_tier = self.family_of(self.mask(stem_t), self.family_rules)
        sub_f, sub_tier = self.family_of(self.mask(sub_t), self.family_rules)
        if not stem_f and key in self.pairs and spec["expert_pairs"]:  # a high/low-noise pair: Wan 2.2 experts
            stem_f, stem_tier = "wan22", BRAND_TIER
        meta = self.family_of(self.norm(meta_text), self.meta_rules)
        outside = any(p.search(stem_t) or p.search(sub_t) for p in self.outside)
        outside = outside or (not meta[0] and any(p.search(self.norm(meta_text)) for p in self.outside))
        if outside:  # outside the vocabulary (by name or metadata): no weak guesses
            loader_guess, size_family, default = "", "", ""
            stem_f = "" if stem_tier <= BRAND_TIER else stem_f
        title_f, title_tier = self.family_of(self.norm(get("meta_title")), self.family_rules)

        def ruled_out(f: str) -> bool:
            low, high = self.limits.get((kind, f), (-math.inf, math.inf))
            return bool(f) and (size / 1e9 < low or size / 1e9 > high)

        sub_f = "" if ruled_out(sub_f) else sub_f
        if sub_f and stem_f and stem_tier < EXPLICIT_TIER and max(sub_tier, SUBFOLDER_TIER) > stem_tier:
            stem_f = ""

        stem_f = "" if stem_tier < EXPLICIT_TIER and ruled_out(stem_f) else stem_f
        title_f, loader_guess, default = ("" if ruled_out(f) else f for f in (title_f, loader_guess, default))
        trained = self.family_of(self.norm(get("meta_sd_model_name")), self.family_rules)
        identified = self.decide([("", 1.0, *meta), ("", 1.0, *trained), ("", 1.0, stem_f, stem_tier)])[0]
        identified = identified if spec["has_family"] else ""
        return {"kind": kind, "kind_source": kind_source, "stem_t": stem_t, "path_t": path_t, "size": size,
                "prec": prec, "identified": identified, "outside": outside, "ruled_out": ruled_out,
                "evidence": [("metadata", 1.0, *meta), ("metadata", 0.95, *trained), ("name", 1.0, stem_f, stem_tier),
                             ("name", 0.9, sub_f, sub_tier), ("metadata", 0.8, title_f, title_tier),
                             ("loader", 1.0, loader_guess, LOADER_TIER)],
                "weaker": [("size", 1.0, size_family, SIZE_TIER), ("kind", 1.0, default, DEFAULT_TIER)]}  # fmt: skip

    def decide(self, evidence: list[tuple[str, float, str, int]]) -> tuple[str, str, float]:
        """(family, source, confidence): the first evidence decides, stronger evidence of its lineage refines."""
        family, tier, source, confidence = "", 0, "none", 0.0
        for src, weight, fam, t in evidence:
            if not family and fam:
                family, tier, source, confidence = fam, t, src, min(t / 100.0, 1.0) * weight
        for src, weight, fam, t in evidence:
            same_line = fam and family and self.specs[fam]["lineage"] == self.specs[family]["lineage"]
            if same_line and fam != family and t > tier:
                family, tier, source, confidence = fam, t, src, min(t / 100.0, 1.0) * weight
        return family, source, confidence

    def mask(self, text: str) -> str:
        for pattern in self.masks:
            text = pattern.sub(" ", text)
        return text + "|"

    def one(self, row: object, first: dict, siblings: str, out: dict) -> None:  # noqa: C901 - kept linear
        get = lambda c: getattr(row, c) if pd.notna(getattr(row, c)) else None  # noqa: E731
        kind, kind_source, stem_t, path_t, size = (first[k] for k in ("kind", "kind_source", "stem_t", "path_t", "size"))
        spec = self.kinds[kind]
        if first["outside"] or first["ruled_out"](siblings):
            siblings = ""
        evidence = first["evidence"] + [("folder", 1.0, siblings, FOLDER_TIER)] + first["weaker"]
        family, source, confidence = self.decide(evidence)
        if not spec["has_family"]:
            family, source, confidence = "", "none", 0.0
        fspec = self.specs[family] if family else None
        variants, delta, vparams = set(), 0.0, math.nan
        for name, pattern, unless, scope, qdelta, params in self.variants:
            if pattern.search(path_t) and not (unless and unless.search(path_t)) and (not scope or family in scope):
                variants.add(name)
                delta = min(delta, qdelta)
                vparams = params if math.isnan(vparams) else vparams
        steps = re.search(_rules.STEPS_PATTERN, path_t)
        step_label = {f"{min(int(steps.group(1)), 127)}step"} if steps and int(steps.group(1)) else set()
        labels = sorted(variants | step_label)
        caps, matched = set(), False
        modality = fspec["modality"] if fspec is not None else "unknown"
        for variant, mod, rule_caps in self.caps:
            if variant in variants and (mod == "*" or mod == modality):
                caps |= rule_caps
                matched = True
        kind_caps = {c for c in spec["capabilities"].split(";") if c}
        if spec["generator"]:
            family_caps = {c for c in fspec["capabilities"].split(";") if c} if fspec is not None else kind_caps
            caps = caps if matched else family_caps
        else:
            caps = kind_caps
        prec = first["prec"]
        gguf = (get("ext") or "").lower() == "gguf"
        quant = (self.first(stem_t, self.block_quants) or self.first(stem_t, self.quants)) if gguf else None
        token = re.search(_rules.PARAMS_PATTERN, path_t)
        named = math.nan
        if token:
            named = float(token.group(1)[:-1].replace(" ", ".")) / (1000.0 if token.group(1)[-1] == "m" else 1.0)
        named = vparams if math.isnan(named) else named
        own, generator, half = bool(spec["own_params"]), bool(spec["generator"]), bool(spec["half_precision"])
        quality_params = named
        if math.isnan(named) and not generator:
            part = self.first(path_t, self.components)
            named = math.nan if part is None else float(part)
        parts = [c for c in spec["family_parts"].split(";") if c]
        family_total = math.nan
        family_model = 0.0
        if parts and fspec is not None:
            family_total = 0.0
            for c in parts:
                family_total += float(fspec[c])
            family_model = float(fspec["params_b"]) if "params_b" in parts else 0.0
        has_named = own and not math.isnan(named)
        params = named if has_named else (family_model if generator else math.nan)
        params = params if own and params > 0 else math.nan
        extra = family_total - family_model
        total = named + (0.0 if math.isnan(extra) else extra) if has_named else family_total
        if quant is not None:
            file_bytes = load_bytes = quant["bpw"] / 8.0
        elif prec is not None:
            file_bytes, load_bytes = prec["file_bytes"], prec["load_bytes"]
        else:
            file_bytes = load_bytes = math.nan
        known, has_size = not math.isnan(file_bytes), not math.isnan(size) and size > 0
        fp32 = not known and has_size and total == total and total != 0 and size / (total * 1e9) > FP32_BYTES_PER_PARAM
        cast = (load_bytes / file_bytes if known else (0.5 if fp32 else 1.0)) if half else 1.0
        plausible = has_size and (math.isnan(total) or size >= PLAUSIBLE_FRACTION * total * 1e9 * 2.0)
        estimated = total * 1e9 * (load_bytes if known else 2.0) / GIB
        if plausible:
            weights = size / GIB * cast
        else:
            weights = float(spec["default_gb"]) if math.isnan(estimated) else estimated
        overhead = float(fspec["overhead_gb"]) if fspec is not None else UNKNOWN_FAMILY_OVERHEAD_GB
        quality = pd.NA
        if spec["rated"] and fspec is not None:
            dtype_delta = quant["quality_delta"] if quant is not None else prec["quality_delta"] if prec is not None else 0.0
            size_delta = 0.0
            if not math.isnan(quality_params):
                size_delta = float(np.clip(np.log2(quality_params / fspec["params_b"]), -2.0, 1.0))
            quality = int(np.clip(np.floor(fspec["quality"] + delta + dtype_delta + size_delta + 0.5), 1, 10))
        quant_precision = quant["precision"] if quant is not None else ""
        out["kind"].append(kind)
        out["family"].append(family)
        out["capabilities"].append(tuple(sorted(caps)))
        out["variant"].append(";".join(labels))
        out["precision"].append(quant_precision or (prec["precision"] if prec is not None else ""))
        out["quant"].append(quant["quant"] if quant is not None else "")
        out["params_b"].append(float(np.round(params, 3)))
        out["weights_gb"].append(float(np.round(weights, 2)))
        out["vram_gb"].append(float(np.round(weights + (overhead if generator else 0.0), 2)))
        out["quality"].append(quality)
        out["source"].append(source)
        out["confidence"].append(float(np.round(confidence, 3)))
        out["kind_source"].append(kind_source)


# --------------------------------------------------------------------------- run


def rank(table: pd.DataFrame, capability: str = "text_to_image", budget_gb: float = 24.0) -> pd.DataFrame:
    """The models that can do ``capability`` within ``budget_gb``, best first."""
    mask = _has(table["capabilities"], capability)
    fits = table[mask & table["vram_gb"].le(budget_gb)]
    return fits.sort_values(["quality", "vram_gb"], ascending=[False, True], na_position="last")


def _has(capabilities: pd.Series, capability: str) -> pd.Series:
    codes, distinct = pd.factorize(capabilities)
    return pd.Series(np.array([capability in caps for caps in distinct], dtype=bool)[codes], index=capabilities.index)


def compare(fast: pd.DataFrame, slow: pd.DataFrame) -> list[str]:
    problems = []
    for column in INFERRED:
        a, b = fast[column].reset_index(drop=True), slow[column].reset_index(drop=True)
        if column in ("params_b", "weights_gb", "vram_gb", "confidence"):
            same = (a == b) | (a.isna() & b.isna())
        else:
            same = (a.astype(object).fillna("<NA>") == b.astype(object).fillna("<NA>"))
        if not same.all():
            where = np.flatnonzero(~same.to_numpy())[:3]
            problems += [f"{column}: {fast['name'].iloc[i]!r} fast={a.iloc[i]!r} reference={b.iloc[i]!r}" for i in where]
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--reference-rows", type=int, default=20_000, help="rows the slow reference runs on")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    models, edges, nodes = synthetic_frames(args.rows, args.seed)
    print(f"synthetic table: {len(models):,} models on {models['server'].nunique()} servers, {len(edges):,} dropdown edges, "
          f"{models['path'].nunique():,} distinct paths")  # fmt: skip
    infer_models(models.head(200), edges, nodes)  # load and validate the rule tables once

    # Three timed runs, the fastest reported: the machine is shared, and the slower runs measure the neighbours.
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        fast = infer_models(models, edges, nodes)
        inferred = time.perf_counter() - start
        best = rank(fast)
        runs.append((inferred, time.perf_counter() - start))
    inferred, vectorized = min(runs)

    # Pipelines on the same table: plan (parts per generator, candidates per part) + evaluate (choice, job VRAM).
    pipeline_runs = []
    for _ in range(3):
        start = time.perf_counter()
        pipelines = evaluate(plan_pipelines(fast), 24.0)
        pipeline_runs.append(time.perf_counter() - start)
    piped = min(pipeline_runs)

    sample_servers = models["server"].drop_duplicates().iloc[: max(1, args.reference_rows // 330)]
    sample = models[models["server"].isin(sample_servers)].reset_index(drop=True)
    sample_edges, sample_nodes = edges[edges["server"].isin(sample_servers)], nodes[nodes["server"].isin(sample_servers)]
    start = time.perf_counter()
    slow = Reference().infer(sample, sample_edges, sample_nodes)
    rank(slow)
    reference = (time.perf_counter() - start) * len(models) / len(sample)

    problems = compare(infer_models(sample, sample_edges, sample_nodes), slow)
    full_problems = compare(fast[fast["server"].isin(sample_servers)].reset_index(drop=True), slow)
    print(f"vectorized infer_models: {inferred:.3f} s, + ranking: {vectorized:.3f} s, best of 3 "
          f"(all runs {', '.join(f'{r[1]:.2f}' for r in runs)} s; {len(best):,} text_to_image models fit 24 GB)")
    print(f"row-by-row reference:    {reference:.3f} s (measured on {len(sample):,} rows, scaled to {len(models):,})")
    print(f"speed-up: {reference / vectorized:.1f}x")
    print(f"pipelines: {piped:.3f} s best of 3 ({len(pipelines):,} pipelines, {int(pipelines['ready'].sum()):,} ready); "
          f"ratio to inference {piped / inferred:.2f}x (target <= 1.0x)")
    if problems or full_problems:
        print("MISMATCH between vectorized and reference:", *sorted(set(problems + full_problems))[:20], sep="\n  ")
        return 1
    print(f"identical results on {len(sample):,} rows (all {len(INFERRED)} inferred columns)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
