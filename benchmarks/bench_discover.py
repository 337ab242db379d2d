"""Benchmark: ``discover`` against a local server vs. the floor of fetching + parsing the same answers.

A subprocess serves the largest corpus ``/object_info`` (about 4 MB, 2,100
nodes) with ``/system_stats``, ``/models``, folder listings derived from the
dump's core loaders, their sizes and safetensors metadata. All sides run in this
process, alternating, and the medians of the client's CPU time
(``time.process_time``: stable on a shared machine, where wall time is not; the
server is another process; each side's time includes a ``gc.collect()`` after it, so every side pays for
its own garbage, reference cycles included, and none for another's) are compared:

* floor: the same requests ``discover`` sends, metadata included, fetched
  concurrently with one httpx client (the same concurrency, one SSL context kept
  across runs as comfyframe keeps one) and each body parsed with orjson — what
  any httpx-based client pays for the same answers;
* tables: ``capture`` + ``build_frames`` — every request plus the four tables;
* discover: ``comfyframe.discover(url)`` — the tables plus inference (``models``
  complete, adapter columns included). ``pipelines`` and ``capabilities`` are
  views of ``models`` that a Discovery computes on first use, so this side does
  not pay for them;
* first use: ``discover`` and then every table read once (the deferred views
  included) — what a session that looks at everything pays.

Two ratios are printed per side: the ratio of the medians, and the median of the per-round ratios (each
round runs every side once, so a slow stretch of the shared machine weighs on both sides of a pair).

Target: discover within 1.15x of the floor in CPU time. Measured on the shared 2-core development machine
(16 runs of 21 rounds; floor 135-156 ms): tables 0.94-1.04x, discover 1.01-1.14x (median 1.10x; per-round
pairs 1.04-1.14x, median 1.10x; every run within 1.15x), first use 1.09-1.22x (see the README).
Run: ``python benchmarks/bench_discover.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import socket
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
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
    strip_prefix = sys.argv[3:] == ["--strip-prefix"]  # serve /sN/route as /route: one process, many "servers"
    async def handle(request):
        path = request.path
        if strip_prefix and path.count("/") >= 2:
            path = "/" + path.split("/", 2)[2]
        body = routes.get(path)
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
    strip_prefix = sys.argv[3:] == ["--strip-prefix"]  # serve /sN/route as /route: one process, many "servers"
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if strip_prefix and path.count("/") >= 2:
                path = "/" + path.split("/", 2)[2]
            body = routes.get(path)
            self.send_response(200 if body is not None else 404)
            body = body if body is not None else b"404: Not Found"
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *args):
            pass
    ThreadingHTTPServer.request_queue_size = 1024  # a hundred clients may connect at once
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler).serve_forever()
    """
)


def server_command(spec: Path, port: int, *extra: str) -> tuple[list[str], str]:
    """(command, label) of the fastest realistic server available; ``extra``: ``--strip-prefix`` for a farm."""
    comfy = Path(os.environ.get("COMFYFRAME_CACHE", Path.home() / ".cache" / "comfyframe"))
    python = comfy / "comfyui-0.3.75-venv" / "bin" / "python"
    if python.exists() and subprocess.run([python, "-c", "import aiohttp"], capture_output=True).returncode == 0:
        return [str(python), "-c", AIOHTTP_SERVER, str(spec), str(port), *extra], "aiohttp (as ComfyUI)"
    return [sys.executable, "-c", STDLIB_SERVER, str(spec), str(port), *extra], "http.server (no ComfyUI env cached)"


def largest_dump() -> Path:
    return max((CORPUS / "object_info").glob("*.json"), key=lambda p: p.stat().st_size)


def routes_for(dump: Path) -> dict[str, str]:
    """The routes a ComfyUI holding the dump's core-loader files would answer."""
    import pandas as pd

    import comfyframe as cf
    from comfyframe.tables._nodes import dropdown_options

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
        # the servers answer per path: every file of a folder gets the same small header
        routes[f"/view_metadata/{folder}"] = json.dumps({"modelspec.architecture": "stable-diffusion-xl-v1-base"})
    return routes


def first_use(found: object) -> None:
    """Read every table of a discovery, so the views it computes on first use (pipelines, capabilities) are paid."""
    for name in ("hardware", "nodes", "edges", "models", "usage", "pipelines", "capabilities"):
        getattr(found, name)


def wait_until_up(probe: str, seconds: float = 10.0) -> None:
    """Poll ``probe`` (a URL the benchmark server answers) until it answers, at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            httpx.get(probe, timeout=1)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


async def httpx_fetch(base_url: str, routes: list[str], *, parse: bool) -> None:
    """GET ``routes`` from one server with one plain httpx client, as concurrently as comfyframe asks them;
    with ``parse`` each 200 body is parsed by orjson (the floor of a discovery)."""
    import orjson

    from comfyframe.http._client import DEFAULT_CONCURRENCY, _default_ssl_context

    limit = asyncio.Semaphore(DEFAULT_CONCURRENCY)
    # One SSL context for every run, as comfyframe keeps one: httpx would otherwise load the CA
    # bundle (~20 ms) for each client, work no client needs to fetch plain-http answers.
    async with httpx.AsyncClient(base_url=base_url, verify=_default_ssl_context()) as client:

        async def one(route: str) -> None:
            async with limit:
                response = await client.get(route)
            if parse and response.status_code == 200:
                orjson.loads(response.content)

        await asyncio.gather(*(one(r) for r in routes))


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
        wait_until_up(url + "/system_stats")

        from comfyframe._frames import build_frames

        sent = [*cf.capture(url, progress=False).responses]  # the routes discover asks, metadata included


        def timed(work: Callable[[], object]) -> tuple[float, float]:
            cpu, wall = time.process_time(), time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                work()
            gc.collect()  # each side pays for its own garbage, cycles included, and leaves none to the next
            return time.process_time() - cpu, time.perf_counter() - wall

        sides: dict[str, Callable[[], object]] = {
            "floor": lambda: asyncio.run(httpx_fetch(url, sent, parse=True)),
            "tables": lambda: build_frames(cf.capture(url, progress=False)),
            "discover": lambda: cf.discover(url, progress=False),
            "first use": lambda: first_use(cf.discover(url, progress=False)),
        }
        for work in sides.values():
            timed(work)  # warm caches, imports, rule tables
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
        for _ in range(args.rounds):
            for name, work in sides.items():
                runs[name].append(timed(work))
        found = cf.discover(url, progress=False)
    finally:
        server.terminate()
        server.wait()
        spec.unlink(missing_ok=True)
    cpu = {name: statistics.median(c for c, _ in r) for name, r in runs.items()}
    wall = {name: statistics.median(w for _, w in r) for name, r in runs.items()}
    paired = {name: statistics.median(c / f for (c, _), (f, _) in zip(r, runs["floor"])) for name, r in runs.items()}
    what = {
        "floor": "the same requests, concurrently + orjson",
        "tables": "capture + the four tables",
        "discover": "tables + inference (+ models' adapter columns)",
        "first use": "discover + first use of every table",
    }
    print(f"server: {label}")
    print(f"object_info: {dump.name} ({dump.stat().st_size / 1e6:.1f} MB, {len(found.nodes)} nodes); "
          f"{len(found.models)} models, {len(found.edges)} edges, {len(sent)} requests")
    print(f"{args.rounds} alternating rounds; medians in ms; client CPU (process_time) ratio to the floor: "
          "of the medians, and the median of the rounds' ratios (paired)")
    for name in sides:
        print(f"{name:<9} {what[name]:<46} cpu {cpu[name] * 1000:7.1f}  wall {wall[name] * 1000:7.1f}  "
              f"cpu ratio {cpu[name] / cpu['floor']:.2f}x  paired {paired[name]:.2f}x")
    print("target: discover within 1.15x of the floor in client CPU time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
