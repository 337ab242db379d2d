"""Record the two snapshots notebook 04 ("Housekeeping") analyses offline.

Starts the real ComfyUI 0.3.75 test server on the live tests' model tree plus one copied LoRA, queues
small prompts (they fail on the sparse weights and still land in /history), takes a snapshot, then
adds a LoRA, deletes a checkpoint, queues more prompts and takes a refreshed snapshot.

    .venv/bin/python scripts/record_housekeeping.py
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from comfyui_server import ModelFile, build_model_tree, ensure_comfyui, start_comfyui  # noqa: E402

import comfyframe as cf  # noqa: E402

TARGET = ROOT / "notebooks" / "data"
DEMO_URL = "http://127.0.0.1:8188"


def queue(url: str, ckpt: str, lora: str) -> str:
    graph: dict[str, Any] = {
        "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": ckpt}},
        "2": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
        "3": {"class_type": "VAEDecode", "inputs": {"samples": ["2", 0], "vae": ["1", 2]}},
        "4": {"class_type": "SaveImage", "inputs": {"images": ["3", 0], "filename_prefix": "cf"}},
        "5": {"class_type": "LoraLoader", "inputs": {"model": ["1", 0], "clip": ["1", 1], "lora_name": lora,
                                                     "strength_model": 1.0, "strength_clip": 1.0}},
    }
    request = urllib.request.Request(url + "/prompt", data=json.dumps({"prompt": graph}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
        return str(json.load(response)["prompt_id"])


def wait(url: str, ids: list[str]) -> None:
    for _ in range(240):
        with urllib.request.urlopen(url + "/history", timeout=30) as response:  # noqa: S310 (loopback)
            history = json.load(response)
        if all(i in history for i in ids):
            return
        time.sleep(0.5)
    raise RuntimeError("prompts did not reach /history")


def main() -> int:
    python, comfy_dir = ensure_comfyui()
    sd15_lora = os.path.join("SD1.5", "add_detail.safetensors")
    with tempfile.TemporaryDirectory(prefix="comfyframe-housekeeping-") as tmp:
        base = Path(tmp)
        build_model_tree(base)
        shutil.copyfile(base / "models" / "loras" / sd15_lora, base / "models" / "loras" / "add_detail_copy.safetensors")
        handle = start_comfyui(base, python=python, comfy_dir=comfy_dir)
        try:
            ids = [queue(handle.url, "sd_xl_base_1.0.safetensors", sd15_lora) for _ in range(2)]
            ids.append(queue(handle.url, os.path.join("FluxDev", "flux1-dev-fp8.safetensors"),
                             os.path.join("FLUX.1", "Amateurphoto_v6.safetensors")))
            wait(handle.url, ids)
            before = cf.capture(handle.url, progress=False)
            build_model_tree(base, [ModelFile("loras", "new_style_v1.safetensors", 151_000_000, "lora", "sdxl",
                                              metadata={"ss_base_model_version": "sdxl_base_v1-0"})])
            (base / "models" / "checkpoints" / "final_final_v2.safetensors").unlink()
            ids = [queue(handle.url, "sd_xl_base_1.0.safetensors", "new_style_v1.safetensors")]
            wait(handle.url, ids)
            after = cf.capture(handle.url, progress=False, previous=before)
        finally:
            handle.stop()
    for name, snapshot in (("before", before), ("after", after)):
        snapshot.url = DEMO_URL  # the test server listens on a random port
        print(snapshot.save(TARGET / f"housekeeping_{name}.json.gz"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
