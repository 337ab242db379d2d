"""Record the fleet notebook 05 ("Workflows") analyses offline: two real ComfyUI 0.3.75 test servers.

``gpu-a`` serves the live tests' model tree. ``gpu-b`` is the same tree without the Wan 2.2 5B model and the
Flux Dev checkpoint, plus the Wan 2.2 text-to-video lightning LoRA that ``gpu-a`` lacks, so the probe pack's
example workflow has its parts spread over the two. Both serve their templates (templates package 0.7.25)
and the probe pack's example workflow. The addresses are renamed to ``http://gpu-a:8188`` / ``http://gpu-b:8188``.

    .venv/bin/python scripts/record_workflows.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from comfyui_server import MODEL_TREE, ModelFile, build_model_tree, ensure_comfyui, start_comfyui  # noqa: E402

import comfyframe as cf  # noqa: E402

TARGET = ROOT / "notebooks" / "data" / "workflows_fleet.json.gz"
LIGHTNING = ModelFile("loras", "wan2.2_t2v_lightx2v_4steps_lora_v1.1_high_noise.safetensors", 1226977424, "lora", "wan22")
NOT_ON_B = {"wan2.2_ti2v_5B_fp16.safetensors", "FluxDev/flux1-dev-fp8.safetensors"}


def record(name: str, files: list[ModelFile], python: Path, comfy_dir: Path, cache: Path) -> cf.Snapshot:
    with tempfile.TemporaryDirectory() as base:
        build_model_tree(Path(base), files)
        handle = start_comfyui(Path(base), python=python, comfy_dir=comfy_dir)
        try:
            snapshot = cf.capture(handle.url, progress=False, template_cache=cache)
        finally:
            handle.stop()
    snapshot.url = f"http://{name}:8188"
    return snapshot


def main() -> None:
    python, comfy_dir = ensure_comfyui("0.3.75")
    with tempfile.TemporaryDirectory() as cache:
        a = record("gpu-a", list(MODEL_TREE), python, comfy_dir, Path(cache))
        b_files = [f for f in MODEL_TREE if f.path not in NOT_ON_B] + [LIGHTNING]
        b = record("gpu-b", b_files, python, comfy_dir, Path(cache))
    found = cf.Discovery([a, b], warn=False)
    path = found.save(TARGET)
    print(f"saved {path} ({path.stat().st_size:,} bytes): {len(found.workflows)} workflow rows, "
          f"{int(found.workflows['ready'].sum())} ready")


if __name__ == "__main__":
    main()
