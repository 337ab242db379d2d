"""Benchmark: a refresh (``discover(url, previous=...)``) against a metadata-free discovery.

A subprocess serves, with aiohttp as ComfyUI does, a server holding 5,000 LoRAs: ``/object_info`` with
``LoraLoader``, ``/models/loras``, ``/experiment/models/loras`` (sizes and dates) and
``/view_metadata/loras`` (kohya metadata per file). Three ways to discover it, alternating:

* full: ``discover(url)`` — one metadata request per LoRA;
* no-metadata: ``discover(url, metadata=False)`` — the floor a refresh is compared with;
* refresh: ``discover(url, previous=<full snapshot>)`` — nothing changed, so every answer is carried.

It checks that the refresh's tables equal the full discovery's, and prints the ratio refresh /
no-metadata. Target: at most 1.5x. Run: ``python benchmarks/bench_refresh.py [--files N --rounds N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pandas.testing as pdt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_discover import CORPUS, ROOT, free_port, wait_until_up  # noqa: E402

SERVER = textwrap.dedent(
    """
    import json, sys
    from aiohttp import web
    routes = {k: v.encode() for k, v in json.load(open(sys.argv[1])).items()}
    async def handle(request):
        name = request.query.get("filename")
        body = routes.get(request.path if name is None else f"{request.path}?filename={name}")
        if body is None:
            return web.Response(status=404)
        return web.Response(body=body, content_type="application/json")
    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[2]), print=None, access_log=None)
    """
)


def routes_for(count: int) -> dict[str, str]:
    """What a ComfyUI with ``count`` kohya LoRAs answers (names in subfolders, as real libraries have)."""
    names = [f"{('sdxl', 'flux', 'sd15', 'pony')[i % 4]}/style_{i:05d}_v{i % 7}.safetensors" for i in range(count)]
    base = {"sdxl": "sdxl_base_v1-0", "flux": "flux1", "sd15": "sd_v1", "pony": "sdxl_base_v1-0"}
    loader = {
        "input": {"required": {"model": ["MODEL", {}], "clip": ["CLIP", {}], "lora_name": [names, {}],
                               "strength_model": ["FLOAT", {"default": 1.0}], "strength_clip": ["FLOAT", {"default": 1.0}]}},
        "output": ["MODEL", "CLIP"], "name": "LoraLoader", "display_name": "Load LoRA", "category": "loaders",
        "python_module": "nodes", "output_node": False,
    }  # fmt: skip
    routes = {
        "/system_stats": (CORPUS / "system_stats" / "captured__cpu_posix_v0.3.75.json").read_text(),
        "/object_info": json.dumps({"LoraLoader": loader}),
        "/models": json.dumps(["loras"]),
        "/models/loras": json.dumps(names),
        "/embeddings": "[]",
        "/history": "{}",
        "/queue": json.dumps({"queue_running": [], "queue_pending": []}),
        "/experiment/models/loras": json.dumps(
            [{"name": n, "pathIndex": 0, "modified": 1.7e9 + i, "created": 1.7e9, "size": 150_000_000 + i}
             for i, n in enumerate(names)]
        ),
    }
    for name in names:
        family = name.split("/", 1)[0]
        routes[f"/view_metadata/loras?filename={name}"] = json.dumps(
            {"ss_base_model_version": base[family], "ss_network_module": "networks.lora", "ss_network_dim": "32",
             "ss_output_name": name.rsplit("/", 1)[-1][:-12]}
        )
    return routes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    import comfyframe as cf

    spec = ROOT / "benchmarks" / ".refresh_routes.json"
    spec.write_text(json.dumps(routes_for(args.files)))
    comfy = Path.home() / ".cache" / "comfyframe" / "comfyui-0.3.75-venv" / "bin" / "python"
    python = str(comfy) if comfy.exists() else sys.executable  # aiohttp as ComfyUI, else this env's
    port = free_port()
    server = subprocess.Popen([python, "-c", SERVER, str(spec), str(port)])
    url = f"http://127.0.0.1:{port}"
    warnings.simplefilter("ignore", cf.DegradedServerWarning)
    try:
        wait_until_up(url + "/models")
        full = cf.discover(url, progress=False)
        previous = full.snapshot

        def timed(**kwargs: object) -> tuple[float, cf.Discovery]:
            start = time.perf_counter()
            found = cf.discover(url, progress=False, **kwargs)  # type: ignore[arg-type]
            return time.perf_counter() - start, found

        runs: dict[str, list[float]] = {"full": [], "no-metadata": [], "refresh": []}
        refreshed = full
        for _ in range(args.rounds):
            runs["full"].append(timed()[0])
            runs["no-metadata"].append(timed(metadata=False)[0])
            seconds, refreshed = timed(previous=previous)
            runs["refresh"].append(seconds)
    finally:
        server.terminate()
        server.wait()
        spec.unlink(missing_ok=True)
    for table in ("models", "nodes", "edges", "hardware", "capabilities"):
        pdt.assert_frame_equal(getattr(refreshed, table), getattr(full, table))
    carried = sum(k.startswith("/view_metadata/") for k in refreshed.snapshot.carried)
    medians = {k: statistics.median(v) for k, v in runs.items()}
    print(f"{args.files} LoRAs, {args.rounds} alternating rounds, median seconds:")
    for name, seconds in medians.items():
        print(f"  {name:12s} {seconds:6.2f}")
    print(f"refresh carried {carried} metadata answers; tables identical to the full discovery")
    ratio = medians["refresh"] / medians["no-metadata"]
    print(f"ratio refresh / no-metadata: {ratio:.2f}x (target <= 1.5x)")
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
