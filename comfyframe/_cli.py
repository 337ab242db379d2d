"""The ``comfyframe`` command line: snapshot, discover, best, export.

Every command takes a server URL (default ``$COMFYUI_URL``, then
``http://127.0.0.1:8188``), or ``--snapshot FILE``, or ``--demo``.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence

import pandas as pd

from ._discover import capture, default_url, discover
from ._discovery import Discovery
from ._export import for_csv
from ._options import DEADLINE_FACTOR, DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT, ConnectOptions, parse_header_lines
from ._rank import CAPABILITIES, PREFERENCES
from ._version import __version__
from .errors import ComfyFrameError, DegradedServerWarning


def _source_args(parser: argparse.ArgumentParser, *, offline: bool = True) -> None:
    if offline:
        parser.add_argument("url", nargs="*", help="server URL(s) (default: $COMFYUI_URL, then http://127.0.0.1:8188)")
    else:
        parser.add_argument("url", nargs="?", help="server URL (default: $COMFYUI_URL, then http://127.0.0.1:8188)")
    if offline:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--snapshot", metavar="FILE", help="analyse a saved snapshot instead of a server")
        group.add_argument("--demo", action="store_true", help="analyse the demo snapshot shipped with comfyframe")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per request (default %(default)s)")
    parser.add_argument(
        "--concurrency", type=int, default=DEFAULT_CONCURRENCY, help="parallel requests (default %(default)s)"
    )
    parser.add_argument(
        "--deadline", type=float, help=f"seconds for one server's whole discovery (default {DEADLINE_FACTOR} x --timeout)"
    )
    parser.add_argument(
        "-H", "--header", action="append", default=[], metavar="'NAME: VALUE'",
        help="send this header to the server (repeatable; also $COMFYUI_HEADERS, items separated by newlines or ';')",
    )
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--ca-bundle", metavar="FILE", help="trust the CA certificates in this PEM file (private CA)")
    tls.add_argument("--insecure", action="store_true", help="do not check TLS certificates (warns)")
    parser.add_argument("--no-metadata", action="store_true", help="skip reading safetensors metadata (faster)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="comfyframe", description="Ask a ComfyUI server what it can do; answers as tables."
    )
    parser.add_argument("--version", action="version", version=f"comfyframe {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    snap = commands.add_parser("snapshot", help="save a server's raw answers to a file for offline work")
    _source_args(snap, offline=False)
    snap.add_argument("-o", "--output", required=True, metavar="FILE", help="target .json or .json.gz")

    disc = commands.add_parser("discover", help="print a summary: hardware, models, best pick per capability")
    _source_args(disc)

    best = commands.add_parser("best", help="rank the models that can do a job and fit the GPU")
    best.add_argument("capability", choices=CAPABILITIES)
    _source_args(best)
    best.add_argument("--max-vram", type=float, metavar="GB", help="memory budget (default: the device's)")
    best.add_argument("--prefer", choices=PREFERENCES, default="quality")
    best.add_argument("--device", type=int, default=0, help="row of the hardware table (default 0)")
    best.add_argument("--top", type=int, default=10, help="rows to show (default %(default)s)")

    export = commands.add_parser("export", help="write models, nodes, edges, hardware tables")
    _source_args(export)
    export.add_argument("--out", required=True, metavar="DIR", help="output folder")
    export.add_argument("--format", choices=("csv", "parquet"), default="csv")
    return parser


def _options(args: argparse.Namespace) -> ConnectOptions:
    headers = parse_header_lines(os.environ.get("COMFYUI_HEADERS", ""), origin="$COMFYUI_HEADERS")
    for item in args.header:
        headers.update(parse_header_lines(item, origin="-H/--header", many=False))
    if args.insecure:
        print("comfyframe: warning: --insecure: TLS certificates are not checked; anyone on the path can read "
              "and change the answers and see your headers.", file=sys.stderr)
    return ConnectOptions(
        timeout=args.timeout,
        deadline=args.deadline,
        max_concurrency=args.concurrency,
        metadata=not args.no_metadata,
        progress=not args.quiet,
        headers=headers,
        verify=False if args.insecure else args.ca_bundle or True,
    )


def _discovery(args: argparse.Namespace) -> Discovery:
    if getattr(args, "demo", False):
        return discover(demo=True)
    if getattr(args, "snapshot", None):
        return discover(snapshot=args.snapshot)
    return discover(args.url or default_url(), options=_options(args))


def _print_table(frame: pd.DataFrame) -> None:
    if frame.empty:
        print("(no models)")
        return
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 60):
        print(for_csv(frame).to_string(index=False))


def run(args: argparse.Namespace) -> int:
    if args.command == "snapshot":
        snapshot = capture(args.url or default_url(), options=_options(args))
        path = snapshot.save(args.output)
        print(f"saved {len(snapshot.responses)} answers from {snapshot.url} to {path}")
        for route, failure in snapshot.failures.items():
            print(f"comfyframe: warning: {route}: {failure.get('message')}", file=sys.stderr)
        return 0
    found = _discovery(args)
    if args.command == "discover":
        print(found.status())
    elif args.command == "best":
        ranked = found.best_for(args.capability, max_vram=args.max_vram, prefer=args.prefer, device=args.device,
                                top=args.top)
        if ranked.empty:
            print(f"No model on the server can do {args.capability} within the memory budget.", file=sys.stderr)
            return 1
        columns = ["rank", "name", "folder", "family", "variant", "vram_gb", "quality", "speed", "score"]
        _print_table(ranked[columns])
    elif args.command == "export":
        for path in found.export(args.out, args.format):
            print(path)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``comfyframe`` command."""
    args = build_parser().parse_args(argv)

    def show(message: warnings.WarningMessage | Warning, category: type[Warning], *rest: object, **kw: object) -> None:
        print(f"comfyframe: warning: {message}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.simplefilter("always", DegradedServerWarning)
        warnings.showwarning = show  # type: ignore[assignment]
        try:
            return run(args)
        except ComfyFrameError as exc:
            print(f"comfyframe: error: {exc}", file=sys.stderr)
            return 2
        except ValueError as exc:
            print(f"comfyframe: error: {exc}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("comfyframe: interrupted", file=sys.stderr)
            return 130


if __name__ == "__main__":
    sys.exit(main())
