"""Benchmark: what workflow templates cost a discovery, first time and from the client's template cache.

Three ways to discover one real ComfyUI server, alternating, ``--rounds`` times each:

* no-templates: ``discover(url, templates=False)`` — the floor;
* first: ``discover(url, template_cache=<empty folder>)`` — the index and every local template file are asked;
* cached: ``discover(url, template_cache=<warm folder>)`` — the files come from the cache (keyed by the
  templates package version); only ``/workflow_templates`` and the custom-node examples are asked.

Prints the median seconds and requests of each, the ratios to the floor, the time to build the
``workflows`` table from the snapshot, and from a fleet of ``--fleet`` copies of it (identical servers, as a
render farm runs: each template body is parsed once for the fleet). Run against a server (``python benchmarks/bench_templates.py URL``), or let
it start the test server: ``--start 0.33.0`` (``--newest`` adds the newest templates package from PyPI).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import comfyframe as cf  # noqa: E402


@contextmanager
def server(url: str | None, start: str | None, newest: bool) -> Iterator[str]:
    if url:
        yield url
        return
    from comfyui_server import build_model_tree, ensure_comfyui, ensure_templates_package, start_comfyui

    python, comfy_dir = ensure_comfyui(start or "0.3.75")
    extra = [ensure_templates_package()] if newest else []
    with tempfile.TemporaryDirectory() as base:
        build_model_tree(Path(base))
        handle = start_comfyui(Path(base), python=python, comfy_dir=comfy_dir, pythonpath=extra)
        try:
            yield handle.url
        finally:
            handle.stop()


def timed(url: str, **settings: object) -> tuple[float, int, cf.Discovery]:
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)
        found = cf.discover(url, progress=False, **settings)
    return time.perf_counter() - started, int(found.snapshot.stats.get("requests", 0)), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", help="a ComfyUI server (default: start the test server)")
    parser.add_argument("--start", metavar="VERSION", help="start the test server of this ComfyUI version")
    parser.add_argument("--newest", action="store_true", help="with --start: the newest templates package")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--fleet", type=int, default=8, help="servers in the fleet whose workflows table is timed")
    args = parser.parse_args()
    with server(args.url, args.start, args.newest) as url, tempfile.TemporaryDirectory() as caches:
        warm = Path(caches) / "warm"
        timed(url, template_cache=warm)  # fills the warm cache (and warms the server's own caches)
        runs: dict[str, list[tuple[float, int]]] = {"no-templates": [], "first": [], "cached": []}
        found = None
        for round_ in range(args.rounds):
            runs["no-templates"].append(timed(url, templates=False)[:2])
            runs["first"].append(timed(url, template_cache=Path(caches) / f"cold{round_}")[:2])
            seconds, requests, found = timed(url, template_cache=warm)
            runs["cached"].append((seconds, requests))
        assert found is not None
        started = time.perf_counter()
        table = cf.Discovery(found.snapshot, warn=False).workflows
        build = time.perf_counter() - started
        fleet_build = fleet_seconds(found.snapshot, args.fleet)
    floor = statistics.median(s for s, _ in runs["no-templates"])
    version = ((found.snapshot.system_stats or {}).get("system") or {}).get("installed_templates_version")
    print(f"server {url}: templates package {version}, {len(table)} workflow rows, {int(table['ready'].sum())} ready")
    for name, values in runs.items():
        seconds = statistics.median(s for s, _ in values)
        requests = statistics.median(r for _, r in values)
        print(f"{name:>13}: {seconds:6.2f} s  {requests:5.0f} requests  {seconds / floor:5.2f}x the floor")
    print(f"workflows table from the snapshot: {build:.2f} s")
    print(f"workflows table of {args.fleet} identical servers: {fleet_build:.2f} s "
          f"({fleet_build / max(args.fleet, 1):.2f} s per server)")


def fleet_seconds(snapshot: cf.Snapshot, servers: int) -> float:
    """Seconds to build the ``workflows`` table of ``servers`` copies of ``snapshot``: each copy holds its own
    template bodies (as read from the template cache) and shares ``/object_info`` (as a discovery does)."""
    from comfyframe.snapshot._snapshot import OBJECT_INFO

    copies = []
    for i in range(servers):
        copy = cf.Snapshot.from_dict(snapshot.to_dict())
        copy.url = f"http://render-{i}:8188"
        copy.responses[OBJECT_INFO] = snapshot.responses[OBJECT_INFO]
        copies.append(copy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fleet = cf.Discovery(copies)
        _ = fleet.models, fleet.edges  # the tables workflows reads are not part of the measure
        started = time.perf_counter()
        _ = fleet.workflows
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
