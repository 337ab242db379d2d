"""The ``comfyframe`` command line: snapshot, discover, best, export, unused, duplicates, diff.

Every command takes a server URL (default ``$COMFYUI_URL``, then
``http://127.0.0.1:8188``), or ``--snapshot FILE``, or ``--demo``.
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from collections.abc import Sequence

import pandas as pd

from ._client import DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT
from ._discover import capture, default_url, discover
from ._discovery import Discovery
from ._export import for_csv
from ._rank import CAPABILITIES, PREFERENCES
from ._version import __version__
from .errors import ComfyFrameError, DegradedServerWarning


def _source_args(parser: argparse.ArgumentParser, *, offline: bool = True) -> None:
    parser.add_argument("url", nargs="?", help="server URL (default: $COMFYUI_URL, then http://127.0.0.1:8188)")
    if offline:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--snapshot", metavar="FILE", help="analyse a saved snapshot instead of a server")
        group.add_argument("--demo", action="store_true", help="analyse the demo snapshot shipped with comfyframe")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per request (default %(default)s)")
    parser.add_argument(
        "--concurrency", type=int, default=DEFAULT_CONCURRENCY, help="parallel requests (default %(default)s)"
    )
    parser.add_argument("--no-metadata", action="store_true", help="skip reading safetensors metadata (faster)")
    parser.add_argument(
        "--previous", metavar="FILE", help="earlier snapshot of the server: re-read metadata of changed files only"
    )
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

    unused = commands.add_parser("unused", help="models no prompt in the server's history used, and their bytes")
    _source_args(unused)
    unused.add_argument("--summary", action="store_true", help="only the reclaimable bytes per folder")

    dupes = commands.add_parser("duplicates", help="files that hold the same content, and the bytes copies waste")
    _source_args(dupes)

    change = commands.add_parser("diff", help="what changed between two snapshots (files or server URLs)")
    change.add_argument("a", help="older snapshot file (or server URL)")
    change.add_argument("b", help="newer snapshot file (or server URL)")
    change.add_argument("--format", choices=("table", "csv", "json"), default="table")
    change.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per request (default %(default)s)")
    return parser


def _discovery(args: argparse.Namespace) -> Discovery:
    if getattr(args, "demo", False):
        return discover(demo=True)
    if getattr(args, "snapshot", None):
        return discover(snapshot=args.snapshot)
    return discover(
        args.url or default_url(),
        timeout=args.timeout,
        max_concurrency=args.concurrency,
        metadata=not args.no_metadata,
        progress=not args.quiet,
        previous=args.previous,
    )


def _side(text: str, args: argparse.Namespace) -> Discovery:
    """A diff side: a server URL is discovered now, anything else is a snapshot file."""
    if re.match(r"^https?://", text):
        return discover(text, timeout=args.timeout, progress=False)
    return Discovery.from_snapshot(text, warn=False)


# C0/C1 control characters (ANSI escapes among them) in server-given names must not drive the terminal.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _for_terminal(frame: pd.DataFrame) -> pd.DataFrame:
    out = for_csv(frame)
    for column in out.columns:
        if out[column].dtype == object or isinstance(out[column].dtype, pd.StringDtype):
            out[column] = out[column].astype("string").str.replace(_CONTROL, lambda m: f"\\x{ord(m.group()):02x}", regex=True)
    return out


def _print_view(frame: pd.DataFrame, empty: str) -> None:
    if frame.empty:
        print(empty)
        return
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 80):
        print(_for_terminal(frame).to_string(index=False))


def _gib(value: object) -> str:
    if pd.isna(value):  # type: ignore[call-overload]
        return "unknown"
    size = int(value)  # type: ignore[call-overload]
    return f"{size / 2**30:,.1f} GiB" if size >= 2**30 else f"{size / 2**20:,.1f} MiB"


def _inventory_view(args: argparse.Namespace, found: Discovery) -> None:
    if args.command == "unused":
        unused = found.unused()
        if not args.summary:
            _print_view(unused[["folder", "name", "kind", "size_bytes", "server"]], "(every model was used)")
            print()
        by_folder = found.reclaimable()
        _print_view(by_folder, "(nothing to reclaim)")
        print(f"unused: {len(unused)} of {len(found.models)} models, {_gib(by_folder['size_bytes'].sum())} reclaimable")
        return
    dupes = found.duplicates
    _print_view(dupes, "(no duplicates)")
    if not dupes.empty:
        reclaim = found.reclaimable_duplicates()
        print(f"\nkeeping one copy per server reclaims {_gib(reclaim['size_bytes'].sum())} "
              f"({int(reclaim['copies'].sum())} extra cop{'y' if int(reclaim['copies'].sum()) == 1 else 'ies'})")


def _print_diff(args: argparse.Namespace) -> None:
    from ._diff import diff

    table = diff(_side(args.a, args), _side(args.b, args))
    if args.format == "csv":
        sys.stdout.write(for_csv(table).to_csv(index=False))
    elif args.format == "json":
        sys.stdout.write(table.to_json(orient="records", force_ascii=True) + "\n")
    else:
        _print_view(table, "(no changes)")


def _print_table(frame: pd.DataFrame) -> None:
    if frame.empty:
        print("(no models)")
        return
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 60):
        print(for_csv(frame).to_string(index=False))


def run(args: argparse.Namespace) -> int:
    if args.command == "snapshot":
        snapshot = capture(
            args.url or default_url(),
            timeout=args.timeout,
            max_concurrency=args.concurrency,
            metadata=not args.no_metadata,
            progress=not args.quiet,
            previous=args.previous,
        )
        path = snapshot.save(args.output)
        print(f"saved {len(snapshot.responses)} answers from {snapshot.url} to {path}")
        for route, failure in snapshot.failures.items():
            print(f"comfyframe: warning: {route}: {failure.get('message')}", file=sys.stderr)
        return 0
    if args.command == "diff":
        _print_diff(args)
        return 0
    found = _discovery(args)
    if args.command in ("unused", "duplicates"):
        _inventory_view(args, found)
    elif args.command == "discover":
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
