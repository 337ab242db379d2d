"""The ``comfyframe`` command line: snapshot, discover, best, export, unused, duplicates, diff.

Every command takes a server URL (default ``$COMFYUI_URL``, then
``http://127.0.0.1:8188``), or ``--snapshot FILE``, or ``--demo``.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._version import __version__
from .errors import ComfyFrameError, DegradedServerWarning
from .http._options import (
    DEADLINE_FACTOR,
    DEFAULT_CONCURRENCY,
    DEFAULT_TIMEOUT,
    TENSOR_HEADER_MODES,
    ConnectOptions,
    parse_header_lines,
)
from .support._safe_text import for_terminal
from .support._validate import CAPABILITIES, PREFERENCES, _check_job_args, positive_count, positive_number

if TYPE_CHECKING:  # pandas and the data modules load only when a command runs, not for --help
    from ._discovery import Discovery


def _source_args(parser: argparse.ArgumentParser, *, offline: bool = True) -> None:
    if offline:
        parser.add_argument("url", nargs="*", help="server URL(s) (default: $COMFYUI_URL, then http://127.0.0.1:8188)")
    else:
        parser.add_argument("url", nargs="?", help="server URL (default: $COMFYUI_URL, then http://127.0.0.1:8188)")
    parser.add_argument("--url", dest="url_option", action="append", default=[], metavar="URL",
                        help="server URL, as an option (the same as the positional URL)")
    if offline:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--snapshot", metavar="FILE", help="analyse a saved snapshot instead of a server")
        group.add_argument("--demo", action="store_true", help="analyse the demo snapshot shipped with comfyframe")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds for each request, answer included (default %(default)s)")
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
    parser.add_argument(
        "--headers", choices=TENSOR_HEADER_MODES, default="unknown",
        help="read safetensors headers (tensor names and shapes, never weights) through the assets API of servers "
             "started with --enable-assets: of files names and metadata leave unknown (default), all, or none",
    )
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
    best.add_argument(
        "capability", nargs="?", metavar="CAPABILITY",
        help=f"the job: {', '.join(CAPABILITIES)} (before or after the URL, or as --capability)",
    )
    _source_args(best)
    best.add_argument("-c", "--capability", dest="capability_option", choices=CAPABILITIES, metavar="CAPABILITY",
                      help="the job, as an option (the same as the positional CAPABILITY)")
    best.add_argument("--max-vram", type=float, metavar="GB", help="memory budget (default: the device's)")
    best.add_argument(
        "--prefer", choices=PREFERENCES, default="quality",
        help="rank by quality tier, by speed (smaller, step-distilled models first) or by their mean "
        "(default %(default)s)",
    )
    best.add_argument("--device", type=int, default=0, help="row of the hardware table (default 0)")
    best.add_argument("--top", type=int, default=10, help="rows to show (default %(default)s)")
    best.add_argument("--width", type=float, metavar="PX", help="job width in pixels (default: the family's usual job)")
    best.add_argument("--height", type=float, metavar="PX", help="job height in pixels (default: the family's)")
    best.add_argument("--frames", type=float, metavar="N", help="video frames (default: the family's)")
    best.add_argument("--batch", type=float, default=1, metavar="B", help="batch size (default %(default)s)")
    best.add_argument("--all", action="store_true", help="also list pipelines that miss a part, with what they miss")
    best.add_argument("--format", choices=("table", "csv", "json"), default="table",
                      help="table for reading, csv or json for scripts (default %(default)s)")

    export = commands.add_parser("export", help="write models, nodes, edges, hardware tables")
    _source_args(export)
    export.add_argument("--out", required=True, metavar="DIR", help="output folder")
    export.add_argument(
        "--format", choices=("csv", "parquet"), default="csv",
        help="csv (spreadsheet-safe text) or parquet (needs pyarrow) (default %(default)s)",
    )
    export.add_argument(
        "--partition-by", choices=("server",), default=None,
        help="with --format parquet: one hive-partitioned dataset per table (DIR/models/server=…/part-0.parquet)",
    )

    unused = commands.add_parser("unused", help="models no prompt in the server's history used, and their bytes")
    _source_args(unused)
    unused.add_argument("--summary", action="store_true", help="only the reclaimable bytes per folder")

    dupes = commands.add_parser("duplicates", help="files that hold the same content, and the bytes copies waste")
    _source_args(dupes)

    change = commands.add_parser("diff", help="what changed between two snapshots (files or server URLs)")
    change.add_argument("a", help="older snapshot file (or server URL)")
    change.add_argument("b", help="newer snapshot file (or server URL)")
    change.add_argument("--format", choices=("table", "csv", "json"), default="table")
    change.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds for each request, answer included (default %(default)s)")
    change.add_argument(
        "--concurrency", type=int, default=DEFAULT_CONCURRENCY, help="parallel requests (default %(default)s)"
    )

    why = commands.add_parser("explain", help="show the evidence behind one model file's kind and family")
    why.add_argument("name", metavar="NAME", help="the file: a bare file name, its path, or folder/path")
    _source_args(why)
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
        tensor_headers=getattr(args, "headers", "unknown"),
        progress=not args.quiet,
        headers=headers,
        verify=False if args.insecure else args.ca_bundle or True,
    )


def _check_args(args: argparse.Namespace) -> None:
    """Reject nonsense numbers before anything is sent (ValueError → exit 2)."""
    if getattr(args, "url_option", None):
        if isinstance(args.url, list):
            args.url = [*args.url, *args.url_option]
        elif args.url or len(args.url_option) > 1:
            raise ValueError(f"{args.command} asks one server: give one URL.")
        else:
            args.url = args.url_option[0]
    positive_number(args.timeout, "--timeout", "seconds")
    positive_count(args.concurrency, "--concurrency", "parallel requests")
    if args.command == "export" and args.partition_by and args.format != "parquet":
        raise ValueError(
            f"--partition-by {args.partition_by} needs --format parquet (CSV exports are one file per table)."
        )
    if args.command == "best":
        _capability_from_words(args)
        _check_job_args(args.max_vram, args.top, args.prefer, args.device, cli=True)
        for flag in ("width", "height", "frames", "batch"):
            if getattr(args, flag) is not None:
                positive_number(getattr(args, flag), f"--{flag}", "pixels" if flag in ("width", "height") else flag)


def _capability_from_words(args: argparse.Namespace) -> None:
    """``best``'s capability, wherever it was given (first word, after the URLs, ``--capability``); the rest are URLs."""
    words = ([args.capability] if args.capability else []) + list(args.url)
    named = [w for w in words if _as_capability(w) in CAPABILITIES]
    chosen = list(dict.fromkeys(([args.capability_option] if args.capability_option else [])
                                + [_as_capability(w) for w in named]))  # fmt: skip
    args.url = [w for w in words if w not in named]
    if len(chosen) > 1:
        raise ValueError(f"best ranks for one capability; got {' and '.join(chosen)}.")
    if not chosen:
        unknown = [w for w in args.url if not any(c in w for c in ":/.")]  # a word, not a host or URL
        what = f"{for_terminal(unknown[0])!r} is not a capability" if unknown else "best needs a capability"
        raise ValueError(f"{what}: choose one of {', '.join(CAPABILITIES)} (e.g. comfyframe best text_to_image URL).")
    args.capability = chosen[0]


def _as_capability(word: str) -> str:
    return word.strip().lower().replace("-", "_")


BEST_COLUMNS = ["rank", "generator", "family", "via", "vram_gb", "quality", "score", "components"]


def _best(found: Discovery, args: argparse.Namespace) -> int:
    from .pipelines._pipelines import pipeline_label
    from .views._display import terminal_table
    from .views._export import for_csv, for_json

    ranked = found.best_for(
        args.capability, max_vram=args.max_vram, prefer=args.prefer, device=args.device, top=args.top,
        width=args.width, height=args.height, frames=args.frames, batch=args.batch, ready=not args.all,
    )  # fmt: skip
    if ranked.empty:
        print(f"comfyframe: {_no_answer(found, args)}", file=sys.stderr)
        return 1
    if args.format == "csv":
        for_csv(ranked).to_csv(sys.stdout, index=False)
    elif args.format == "json":
        print(for_json(ranked))
    else:
        shown = ranked.assign(generator=[pipeline_label(r) for _, r in ranked.iterrows()])
        print(terminal_table(shown[BEST_COLUMNS + (["missing"] if args.all else [])]))
    return 0


def _no_answer(found: Discovery, args: argparse.Namespace) -> str:
    """Why ``best`` found nothing: which budget, and what the smallest capable pipeline needs for this job."""
    from .pipelines._pipelines import pipeline_label
    from .pipelines._rank import device_budget

    what = "pipeline" if args.all else "ready pipeline"
    job = {"width": args.width, "height": args.height, "frames": args.frames, "batch": args.batch}
    able = found.best_for(args.capability, max_vram=1e9, device=args.device, ready=not args.all, **job)
    if able.empty:
        hint = "" if args.all else " (--all also lists pipelines that miss a part)"
        return f"No {what} on the server can do {args.capability}{hint}."
    smallest = able.loc[able["vram_gb"].idxmin()]
    if args.max_vram is not None:
        limit, budget = float(args.max_vram), f"the --max-vram budget of {args.max_vram:g} GB"
    else:
        _, device_limit = device_budget(found.hardware, args.device, None)
        limit = math.nan if device_limit is None else device_limit
        budget = f"device {args.device}'s budget of {limit:.1f} GB" if limit == limit else "the memory budget"
    if not smallest["vram_gb"] > limit:  # the smallest fits: something else ruled the rest out
        return f"Nothing that can do {args.capability} fits {budget}."
    return (
        f"No {what} that can do {args.capability} fits {budget}; the smallest, "
        f"{for_terminal(pipeline_label(smallest))}, needs {smallest['vram_gb']:.1f} GB for this job "
        f"(pass --max-vram {math.ceil(smallest['vram_gb'] * 10) / 10:g} or more, or shrink the job with "
        "--width/--height/--frames/--batch)."
    )


def _discovery(args: argparse.Namespace) -> Discovery:
    from ._discover import default_url, discover

    if getattr(args, "demo", False):
        return discover(demo=True)
    if getattr(args, "snapshot", None):
        return discover(snapshot=args.snapshot)
    return discover(args.url or default_url(), options=_options(args), previous=args.previous)


def _side(text: str, args: argparse.Namespace) -> Discovery:
    """A diff side: a server URL is discovered now, anything else is a snapshot file."""
    from ._discover import discover
    from ._discovery import Discovery

    if re.match(r"^https?://", text):
        return discover(text, timeout=args.timeout, max_concurrency=args.concurrency, progress=False)
    return Discovery.from_snapshot(text, warn=False)


def _size(value: object) -> str:
    if value is None or value != value:  # NA / NaN
        return "unknown"
    size = int(str(value))
    return f"{size / 2**30:,.1f} GiB" if size >= 2**30 else f"{size / 2**20:,.1f} MiB"


def _inventory_view(args: argparse.Namespace, found: Discovery) -> None:
    """``unused`` and ``duplicates``: a table, then the bytes deleting would free."""
    from .views._display import terminal_table

    if args.command == "unused":
        unused = found.unused()
        if not args.summary:
            files = unused[["folder", "name", "kind", "size_bytes", "server"]]
            print(terminal_table(files) if not files.empty else "(every model was used)")
            print()
        by_folder = found.reclaimable()
        print(terminal_table(by_folder) if not by_folder.empty else "(nothing to reclaim)")
        total = by_folder["size_bytes"].sum()
        print(f"unused: {len(unused)} of {len(found.models)} models, {_size(total)} reclaimable")
        return
    dupes = found.duplicates
    if dupes.empty:
        print("(no duplicates)")
        return
    print(terminal_table(dupes))
    reclaim = found.reclaimable_duplicates()
    copies = int(reclaim["copies"].sum())
    print(f"\nkeeping one copy per server reclaims {_size(reclaim['size_bytes'].sum())} "
          f"({copies} extra cop{'y' if copies == 1 else 'ies'})")


def _print_diff(args: argparse.Namespace) -> None:
    from ._diff import diff
    from .views._display import terminal_table
    from .views._export import for_csv, for_json

    table = diff(_side(args.a, args), _side(args.b, args))
    if table.empty:  # nothing changed: a header, an empty list, or a note
        print({"csv": ",".join(table.columns), "json": "[]"}.get(args.format, "(no changes)"))
    elif args.format == "csv":
        for_csv(table).to_csv(sys.stdout, index=False)
    elif args.format == "json":
        print(for_json(table))
    else:
        print(terminal_table(table))


def run(args: argparse.Namespace) -> int:

    if args.command == "snapshot":
        from ._discover import capture, default_url

        snapshot = capture(args.url or default_url(), options=_options(args), previous=args.previous)
        path = snapshot.save(args.output)
        print(f"saved {len(snapshot.responses)} answers from {for_terminal(snapshot.url)} to {for_terminal(path)}")
        for route, failure in snapshot.failures.items():
            print(f"comfyframe: warning: {for_terminal(route)}: {for_terminal(failure.get('message'))}", file=sys.stderr)
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
        return _best(found, args)
    elif args.command == "explain":
        print(found.explain(None, args.name))
    elif args.command == "export":
        for path in found.export(args.out, args.format, args.partition_by):
            print(for_terminal(path))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``comfyframe`` command."""
    args = build_parser().parse_args(argv)

    def show(message: warnings.WarningMessage | Warning, category: type[Warning], *rest: object, **kw: object) -> None:
        print(f"comfyframe: warning: {for_terminal(message)}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.simplefilter("always", DegradedServerWarning)
        warnings.showwarning = show  # type: ignore[assignment]
        try:
            _check_args(args)
            return run(args)
        except (ComfyFrameError, ValueError) as exc:
            print(f"comfyframe: error: {for_terminal(exc)}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("comfyframe: interrupted", file=sys.stderr)
            return 130


if __name__ == "__main__":
    sys.exit(main())
