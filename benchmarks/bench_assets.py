"""Benchmark: a full discovery of a real ComfyUI 0.33.0 with the assets API on, over 5,000 LoRAs.

Starts ComfyUI 0.33.0 (the cached environment of tests/comfyui_server.py) with ``--enable-assets`` over
5,000 sparse kohya LoRA files (a real key layout and kohya metadata, ``ss_base_model_version`` included) in
subfolders, waits for its asset scan, then times, alternating:

* full: ``discover(url)`` (metadata and safetensors headers as by default);
* metadata-free: ``discover(url, metadata=False, tensor_headers="none")`` — the floor.

The assets records carry each file's base model (the server read it from the header), so a full discovery
needs no ``/view_metadata`` request per file. Prints the ratio full / metadata-free (target: at most 2x;
0.3.75, which has no assets API, needs one request per file). Run:
``python benchmarks/bench_assets.py [--files N --rounds N --version 0.33.0]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from comfyui_server import ensure_comfyui, start_comfyui  # noqa: E402
from conftest import wait_for_asset_scan  # noqa: E402
from header_fixtures import HeaderCase, write_sparse  # noqa: E402

BASES = {"sdxl": ("sdxl_base_v1-0", 2048), "sd15": ("sd_v1", 768), "pony": ("sdxl_base_v1-0", 2048),
         "flux": ("flux1", 3072)}


def lora(i: int) -> HeaderCase:
    """A kohya LoRA (unet and text-encoder modules) with kohya metadata, in a subfolder of its base."""
    sub = tuple(BASES)[i % 4]
    base, width = BASES[sub]
    modules = [(f"lora_unet_input_blocks_{b}_1_transformer_blocks_0_attn2_to_{p}", width)
               for b in (4, 5, 7, 8) for p in ("k", "v")] if sub != "flux" else [
        (f"lora_unet_double_blocks_{b}_img_attn_qkv", width) for b in range(19)]
    tensors = []
    for module, w in modules:
        tensors += [(f"{module}.lora_down.weight", "F16", (32, w)), (f"{module}.lora_up.weight", "F16", (w, 32)),
                    (f"{module}.alpha", "F16", ())]
    meta = {"ss_base_model_version": base, "ss_network_module": "networks.lora", "ss_network_dim": "32",
            "ss_output_name": f"style_{i:05d}"}
    return HeaderCase("loras", f"{sub}/style_{i:05d}_v{i % 7}.safetensors", "lora", "", tuple(tensors), metadata=meta)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--version", default="0.33.0")
    args = parser.parse_args()
    import comfyframe as cf

    python, comfy_dir = ensure_comfyui(args.version)
    with tempfile.TemporaryDirectory(prefix="bench-assets-") as tmp:
        base = Path(tmp)
        (base / "custom_nodes").mkdir()
        for i in range(args.files):
            write_sparse(base, lora(i))
        extra = ["--enable-assets"] if args.version != "0.3.75" else []
        handle = start_comfyui(base, python=python, comfy_dir=comfy_dir, extra_args=extra)
        try:
            started = time.perf_counter()
            if extra:
                wait_for_asset_scan(handle.url, timeout=900)
            print(f"ComfyUI {args.version} up; asset scan of {args.files} LoRAs took {time.perf_counter() - started:.1f} s")

            def timed(**kwargs: object) -> tuple[float, cf.Discovery]:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", cf.DegradedServerWarning)
                    t = time.perf_counter()
                    found = cf.discover(handle.url, progress=False, **kwargs)
                    return time.perf_counter() - t, found

            timed()  # warm-up: the server builds /object_info once
            runs: dict[str, list[float]] = {"full": [], "metadata-free": []}
            for _ in range(args.rounds):
                seconds, full = timed()
                runs["full"].append(seconds)
                runs["metadata-free"].append(timed(metadata=False, tensor_headers="none")[0])
        finally:
            handle.stop()
    medians = {k: statistics.median(v) for k, v in runs.items()}
    for name, values in runs.items():
        print(f"{name:>14}: median {medians[name]:.3f} s  ({', '.join(f'{v:.3f}' for v in values)})")
    loras = full.models[full.models["folder"] == "loras"]
    asked = sum(k.startswith("/view_metadata/") for k in full.snapshot.responses)
    print(f"full discovery: {asked} /view_metadata requests, {len(loras)} LoRAs, families "
          f"{loras['family'].value_counts().to_dict()}, sources {loras['source'].value_counts().to_dict()}")
    ratio = medians["full"] / medians["metadata-free"]
    print(f"ratio full / metadata-free: {ratio:.2f}x (target <= 2x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
