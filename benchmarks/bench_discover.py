"""Benchmark: ``discover`` against a local server vs. the floor of fetching + parsing /object_info.

A subprocess serves the largest corpus ``/object_info`` (about 4 MB, 2,100
nodes) with ``/system_stats``, ``/models`` and folder listings derived from the
dump's core loaders. Both sides run in this process, alternating, and the
medians are compared:

* floor: ``GET /object_info`` with httpx and ``json.loads`` — the least any
  client must do;
* tables: ``capture`` + ``build_frames`` — every request plus the four tables;
* discover: ``comfyframe.discover(url, metadata=False)`` — the tables plus
  inference and the capability table.

Target: discover within 1.5x of the floor. Run: ``python benchmarks/bench_discover.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("COMFYFRAME_CORPUS", ROOT.parent / "shared" / "corpus"))

# ComfyUI serves with aiohttp; the benchmark server does too when the cached ComfyUI
# environment (scripts/setup_comfyui.sh) is there, else it falls back to http.server.
AIOHTTP_SERVER = textwrap.dedent(
    """
    import json, sys
    from aiohttp import web
    routes = {k: v.encode() for k, v in json.load(open(sys.argv[1])).items()}
    async def handle(request):
        body = routes.get(request.path)
        if body is None:
            return web.Response(status=404)
        return web.Response(body=body, content_type="application/json")
    app = web.Application(client_max_size=1 << 30)
    app.router.add_get("/{tail:.*}", handle)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[2]), print=None, access_log=None)
    """
)
STDLIB_SERVER = textwrap.dedent(
    """
    import json, sys
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    routes = {k: v.encode() for k, v in json.load(open(sys.argv[1])).items()}
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_GET(self):
            body = routes.get(self.path.split("?", 1)[0])
            self.send_response(200 if body is not None else 404)
            body = body if body is not None else b"404: Not Found"
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *args):
            pass
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler).serve_forever()
    """
)


def server_command(spec: Path, port: int) -> tuple[list[str], str]:
    """(command, label) of the fastest realistic server available."""
    comfy = Path(os.environ.get("COMFYFRAME_CACHE", Path.home() / ".cache" / "comfyframe"))
    python = comfy / "comfyui-0.3.75-venv" / "bin" / "python"
    if python.exists() and subprocess.run([python, "-c", "import aiohttp"], capture_output=True).returncode == 0:
        return [str(python), "-c", AIOHTTP_SERVER, str(spec), str(port)], "aiohttp (as ComfyUI)"
    return [sys.executable, "-c", STDLIB_SERVER, str(spec), str(port)], "http.server (no ComfyUI env cached)"


def largest_dump() -> Path:
    return max((CORPUS / "object_info").glob("*.json"), key=lambda p: p.stat().st_size)


def routes_for(dump: Path) -> dict[str, str]:
    """The routes a ComfyUI holding the dump's core-loader files would answer."""
    import pandas as pd

    import comfyframe as cf
    from comfyframe._nodes import dropdown_options

    info = json.loads(dump.read_text())
    table = pd.read_csv(Path(cf.__file__).parent / "rules" / "loader_folders.csv", comment="#")
    wanted = set(zip(table["node"], table["input"]))
    listing: dict[str, set[str]] = {}
    folder_of = dict(zip(zip(table["node"], table["input"]), table["folder"]))
    for node, spec in info.items():
        for name, input_spec in ((spec.get("input") or {}).get("required") or {}).items():
            found = dropdown_options(input_spec)
            if found and (node, name) in wanted:
                listing.setdefault(folder_of[(node, name)], set()).update(o for o in found[1] if isinstance(o, str))
    stats = (CORPUS / "system_stats" / "captured__cpu_posix_v0.3.75.json").read_text()
    routes = {"/system_stats": stats, "/object_info": dump.read_text(), "/models": json.dumps(sorted(listing)),
              "/embeddings": "[]"}
    for folder, names in listing.items():
        routes[f"/models/{folder}"] = json.dumps(sorted(names))
        routes[f"/experiment/models/{folder}"] = json.dumps(
            [{"name": n, "pathIndex": 0, "modified": 1.7e9, "size": 2_000_000_000 + i} for i, n in enumerate(sorted(names))]
        )
    return routes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    import warnings

    import comfyframe as cf

    dump = largest_dump()
    routes = routes_for(dump)
    spec = ROOT / "benchmarks" / ".routes.json"
    spec.write_text(json.dumps(routes))
    port = free_port()
    command, label = server_command(spec, port)
    server = subprocess.Popen(command)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(url + "/system_stats", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)

        def floor() -> float:
            start = time.perf_counter()
            with httpx.Client() as client:
                json.loads(client.get(url + "/object_info").content)
            return time.perf_counter() - start

        def tables() -> float:
            from comfyframe._frames import build_frames

            start = time.perf_counter()
            build_frames(cf.capture(url, metadata=False, progress=False))
            return time.perf_counter() - start

        def full() -> float:
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cf.discover(url, metadata=False, progress=False)
            return time.perf_counter() - start

        floor(), tables(), full()  # warm caches, imports, rule tables
        floors, table_runs, fulls = [], [], []
        for _ in range(args.rounds):
            floors.append(floor())
            table_runs.append(tables())
            fulls.append(full())
        found = cf.discover(url, metadata=False, progress=False)
    finally:
        server.terminate()
        server.wait()
        spec.unlink(missing_ok=True)
    f, t, d = (statistics.median(x) for x in (floors, table_runs, fulls))
    fm, tm, dm = (min(x) for x in (floors, table_runs, fulls))
    print(f"server: {label}")
    print(f"object_info: {dump.name} ({dump.stat().st_size / 1e6:.1f} MB, {len(found.nodes)} nodes); "
          f"{len(found.models)} models, {len(found.edges)} edges, {len(routes)} routes served")
    print(f"{args.rounds} alternating rounds; median (min) in ms, ratio to the floor's median (min):")
    print(f"floor     GET /object_info + json.loads          {f * 1000:7.1f} ({fm * 1000:6.1f})")
    print(f"tables    all routes + the four tables            {t * 1000:7.1f} ({tm * 1000:6.1f})  "
          f"ratio {t / f:.2f}x ({tm / fm:.2f}x)")
    print(f"discover  tables + inference + capability table   {d * 1000:7.1f} ({dm * 1000:6.1f})  "
          f"ratio {d / f:.2f}x ({dm / fm:.2f}x)")
    print("target: discover within 1.5x of the floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
