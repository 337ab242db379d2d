"""Benchmark: a render farm of identical servers.

One subprocess (aiohttp, as ComfyUI, when the ComfyUI environment is cached; else
http.server) serves the largest corpus ``/object_info`` (about 4 MB) and the
routes of ``bench_discover``, under any path prefix, so ``http://127.0.0.1:P/s0``
… ``/s99`` are a hundred servers with the same image. Printed (medians of ``--runs``):

* CPU ratio: client CPU (``time.process_time``) of discovering 20 servers over
  that of one server (target ≤ 2), without safetensors metadata (37 requests a
  server) and with it (discover's default: 87 requests for one server; in a fleet
  each identical file's metadata is read from one server, see the README);
* the HTTP floor: httpx alone sending the same requests for 20 servers (no parsing,
  no tables), over one server's whole discovery: what any httpx-based client pays;
* peak RSS of a fresh process discovering 100 servers with the default settings (target < 600 MB).

Run: ``python benchmarks/bench_fleet.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from bench_discover import free_port, httpx_fetch, largest_dump, routes_for, server_command, wait_until_up

RSS_PROBE = textwrap.dedent(
    """
    import resource, sys, comfyframe as cf
    urls = [f"{sys.argv[1]}/s{i}" for i in range(int(sys.argv[2]))]
    found = cf.discover(urls, progress=False, timeout=300)
    # VmHWM is this program's own peak; ru_maxrss also keeps the peak of the parent it was forked from.
    peak = [int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")]
    print(len(found.urls), (peak[0] if peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024)
    for problem in found.problems[:3]:
        print(problem, file=sys.stderr)
    """
)


def cpu_seconds(base: str, count: int, metadata: bool) -> float:
    import comfyframe as cf

    started = time.process_time()
    cf.discover([f"{base}/s{i}" for i in range(count)], metadata=metadata, progress=False, timeout=300)
    return time.process_time() - started


def httpx_seconds(base: str, count: int, routes: list[str]) -> float:
    """Client CPU of fetching ``routes`` from ``count`` servers with plain httpx, as comfyframe sends them."""

    async def fleet() -> None:
        await asyncio.gather(*(httpx_fetch(f"{base}/s{i}", routes, parse=False) for i in range(count)))

    started = time.process_time()
    asyncio.run(fleet())
    return time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--fleet", type=int, default=20)
    parser.add_argument("--big-fleet", type=int, default=100)
    args = parser.parse_args()
    dump = largest_dump()
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "routes.json"
        spec.write_text(json.dumps(routes_for(dump)))
        port = free_port()
        command, label = server_command(spec, port, "--strip-prefix")
        server = subprocess.Popen(command)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base + "/s0/system_stats")
            import comfyframe as cf

            cpu_seconds(base, 1, True)  # warm: imports, rule tables
            cpu: dict[bool, tuple[float, float]] = {}
            for metadata in (False, True):
                one = statistics.median(cpu_seconds(base, 1, metadata) for _ in range(args.runs))
                many = statistics.median(cpu_seconds(base, args.fleet, metadata) for _ in range(args.runs))
                cpu[metadata] = (one, many)
            routes = [*cf.capture(base + "/s0", metadata=False, progress=False).responses]
            floor = statistics.median(httpx_seconds(base, args.fleet, routes) for _ in range(args.runs))
            probe = subprocess.run([sys.executable, "-c", RSS_PROBE, base, str(args.big_fleet)],
                                   capture_output=True, text=True, check=True)
            servers, rss = probe.stdout.split()
            sys.stderr.write(probe.stderr)
        finally:
            server.kill()
            server.wait()
    print(f"server: {label}; object_info: {dump.name} ({dump.stat().st_size / 1e6:.1f} MB)")
    for metadata, label in ((False, "without metadata"), (True, "with metadata (default)")):
        one, many = cpu[metadata]
        print(f"client CPU {label}: 1 server {one:.2f} s, {args.fleet} servers {many:.2f} s "
              f"-> ratio {many / one:.2f} (target <= 2)")
    print(f"httpx alone, the {len(routes)} requests of {args.fleet} servers without metadata: {floor:.2f} s "
          f"-> {floor / cpu[False][0]:.2f}x one server's whole discovery")
    print(f"peak RSS, {servers} of {args.big_fleet} servers discovered: {float(rss):.0f} MB (target < 600)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
