"""Benchmark: a render farm of identical servers.

One subprocess serves the largest corpus ``/object_info`` (about 4 MB) and the
routes of ``bench_discover``, under any path prefix, so ``http://127.0.0.1:P/s0``
… ``/s99`` are a hundred servers with the same image. Printed:

* CPU ratio: client CPU (``time.process_time``) of discovering 20 servers over
  that of one server (target ≤ 2; each distinct body is parsed once by content hash, and servers with
  the same answers share one build of their tables and one inference pass);
* peak RSS of a fresh process discovering 100 servers (target < 600 MB).

Run: ``python benchmarks/bench_fleet.py``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx
from bench_discover import free_port, largest_dump, routes_for

PREFIX_SERVER = textwrap.dedent(
    """
    import json, sys
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    routes = {k: v.encode() for k, v in json.load(open(sys.argv[1])).items()}
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_GET(self):
            path = self.path.split("?", 1)[0]
            path = "/" + path.split("/", 2)[2] if path.count("/") >= 2 else path  # drop the /sN prefix
            body = routes.get(path)
            self.send_response(200 if body is not None else 404)
            body = body if body is not None else b"404: Not Found"
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *args):
            pass
    ThreadingHTTPServer.request_queue_size = 1024  # a hundred clients connect at once
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler).serve_forever()
    """
)
RSS_PROBE = textwrap.dedent(
    """
    import resource, sys, comfyframe as cf
    urls = [f"{sys.argv[1]}/s{i}" for i in range(int(sys.argv[2]))]
    found = cf.discover(urls, metadata=False, progress=False, timeout=300)
    print(len(found.urls), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    for problem in found.problems[:3]:
        print(problem, file=sys.stderr)
    """
)


def cpu_seconds(base: str, count: int) -> float:
    import comfyframe as cf

    started = time.process_time()
    cf.discover([f"{base}/s{i}" for i in range(count)], metadata=False, progress=False, timeout=300)
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
        server = subprocess.Popen([sys.executable, "-c", PREFIX_SERVER, str(spec), str(port)])
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    httpx.get(base + "/s0/system_stats", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            cpu_seconds(base, 1)  # warm: imports, rule tables
            one = statistics.median(cpu_seconds(base, 1) for _ in range(args.runs))
            many = statistics.median(cpu_seconds(base, args.fleet) for _ in range(args.runs))
            probe = subprocess.run([sys.executable, "-c", RSS_PROBE, base, str(args.big_fleet)],
                                   capture_output=True, text=True, check=True)
            servers, rss = probe.stdout.split()
            sys.stderr.write(probe.stderr)
        finally:
            server.kill()
            server.wait()
    print(f"object_info: {dump.name} ({dump.stat().st_size / 1e6:.1f} MB)")
    print(f"client CPU: 1 server {one:.2f} s, {args.fleet} servers {many:.2f} s -> ratio {many / one:.2f} (target <= 2)")
    print(f"peak RSS, {servers} of {args.big_fleet} servers discovered: {float(rss):.0f} MB (target < 600)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
