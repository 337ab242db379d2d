"""The ``comfyframe`` command line: snapshot, discover, best, export, unused, duplicates, diff.

Every command takes a server URL (default ``$COMFYUI_URL``, then
``http://127.0.0.1:8188``), or ``--snapshot FILE``, or ``--demo``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

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


class _Parser(argparse.ArgumentParser):
    """argparse with the one-line errors every other failure prints (``comfyframe: error: …``, exit 2)."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.split(" ", 1)[1] + ": " if " " in self.prog else ""
        self.exit(2, f"comfyframe: error: {command}{for_terminal(message)} (see {self.prog} --help)\n")


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
    _connection_args(parser)
    parser.add_argument("--no-metadata", action="store_true", help="skip reading safetensors metadata (faster)")
    parser.add_argument("--no-templates", action="store_true",
                        help="skip the server's workflow templates (no 'workflows' table; faster first discovery)")
    parser.add_argument(
        "--headers", choices=TENSOR_HEADER_MODES, default="unknown",
        help="read safetensors headers (tensor names and shapes, never weights) through the assets API of servers "
             "started with --enable-assets: of files names and metadata leave unknown (default), all, or none",
    )
    parser.add_argument(
        "--previous", metavar="FILE", help="earlier snapshot of the server: re-read metadata of changed files only"
    )


def _connection_args(parser: argparse.ArgumentParser) -> None:
    """How a server is asked: every command that can ask one takes these."""
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds for each request, answer included (default %(default)s)")
    parser.add_argument(
        "--concurrency", type=int, default=DEFAULT_CONCURRENCY, help="parallel requests (default %(default)s)"
    )
    parser.add_argument(
        "--deadline", type=float, help=f"seconds for one server's whole discovery (default {DEADLINE_FACTOR} x --timeout)"
    )
    parser.add_argument(
        "-H", "--header", action="append", default=[], metavar="'NAME: VALUE'",
        help="send this header to the server (repeatable; also $COMFYUI_HEADERS, one header per line)",
    )
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--ca-bundle", metavar="FILE", help="trust the CA certificates in this PEM file (private CA)")
    tls.add_argument("--insecure", action="store_true", help="do not check TLS certificates (warns)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="comfyframe", description="Ask a ComfyUI server what it can do; answers as tables.")
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
    best.add_argument("--max-vram", type=float, metavar="GIB",
                      help="memory budget in GiB for every server (default: each device's total less the reserve)")
    best.add_argument("--budget", choices=("total", "free"), default="total",
                      help="default budget: total memory less the reserve (what the server can run) or what is "
                      "free now (default %(default)s)")
    best.add_argument(
        "--prefer", choices=PREFERENCES, default="quality",
        help="rank by quality tier, by speed (smaller, step-distilled models first) or by their mean "
        "(default %(default)s)",
    )
    best.add_argument("--device", type=int, default=0, help="device index on each server (default 0)")
    best.add_argument("--top", type=int, default=10, help="rows to show (default %(default)s)")
    best.add_argument("--width", type=float, metavar="PX", help="job width in pixels (default: the family's usual job)")
    best.add_argument("--height", type=float, metavar="PX", help="job height in pixels (default: the family's)")
    best.add_argument("--frames", type=float, metavar="N", help="video frames (default: the family's)")
    best.add_argument("--batch", type=float, default=1, metavar="B", help="batch size (default %(default)s)")
    best.add_argument("--all", action="store_true", help="also list pipelines that miss a part, with what they miss")
    best.add_argument("--format", choices=("table", "csv", "json"), default="table",
                      help="table for reading, csv or json for scripts (default %(default)s)")

    export = commands.add_parser(
        "export", help="write the models, nodes, edges, hardware, capabilities, pipelines and usage tables"
    )
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
    change.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="table for reading, csv or json for scripts (default %(default)s)")
    _connection_args(change)
    change.set_defaults(no_metadata=False, no_templates=False)

    _workflow_parsers(commands)

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
        templates=not args.no_templates,
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
    _one_source(args)
    if args.command == "best":
        _check_job_args(args.max_vram, args.top, args.prefer, args.device, cli=True)
        for flag in ("width", "height", "frames", "batch"):
            if getattr(args, flag) is not None:
                positive_number(getattr(args, flag), f"--{flag}", "pixels" if flag in ("width", "height") else flag)


def _one_source(args: argparse.Namespace) -> None:
    """A URL beside --snapshot or --demo would be ignored: refuse it."""
    if getattr(args, "url", None) and (getattr(args, "snapshot", None) or getattr(args, "demo", False)):
        source = "--demo" if args.demo else "--snapshot"
        raise ValueError(f"{args.command} got a server URL and {source}: give one source (the URL, or {source}).")


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


BEST_COLUMNS = ["rank", "generator", "family", "via", "job", "vram_gb", "quality", "score", "components"]


def _best(found: Discovery, args: argparse.Namespace) -> int:
    from .pipelines._pipelines import Job, pipeline_label
    from .views._display import terminal_table
    from .views._export import for_json, write_csv

    # best_for without its warning: an empty answer's reason comes in the CLI's flags (--max-vram, --width …)
    ranked = found._ranking(args.capability, args.max_vram, args.prefer, args.device, args.top,
                            Job(args.width, args.height, args.frames, args.batch), not args.all, args.budget, None,
                            cli=True)  # fmt: skip
    if ranked.empty:
        print(f"comfyframe: {ranked.attrs['reason']}", file=sys.stderr)
        return 1
    if args.format == "csv":
        write_csv(ranked, sys.stdout, terminal=True)
    elif args.format == "json":
        print(for_json(ranked, ascii=True))
    else:
        shown = ranked.assign(generator=[pipeline_label(r) for _, r in ranked.iterrows()])
        fleet = ["server"] if len(found.urls) > 1 else []
        print(terminal_table(shown[fleet + BEST_COLUMNS + (["missing"] if args.all else [])]))
        print(f"budget: {for_terminal(ranked.attrs.get('budget', ''))}")
        sized = [args.width, args.height, args.frames]
        if all(v is None for v in sized) and ranked["job"].nunique() > 1:
            print("note: rows use different default jobs (each family's usual size, in 'job'); "
                  "pass --width/--height/--frames to compare one job")
    return 0


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

    # A URL, or text that looks like a mistyped one (never shown as a file path: it may hold a password).
    if re.match(r"^https?://", text) or (not Path(text).exists() and re.match(r"^[A-Za-z][\w+.-]*:/|^https?/|[^/]*@", text)):
        return discover(text, options=_options(args))
    return Discovery.from_snapshot(text, warn=False)


def _size(value: object) -> str:
    if value is None or value != value:  # NA / NaN
        return "unknown"
    size = int(str(value))
    return f"{size / 2**30:,.1f} GiB" if size >= 2**30 else f"{size / 2**20:,.1f} MiB"


def _sized(frame: Any) -> Any:
    """``size_bytes`` shown as ``size`` in GiB/MiB (for reading; CSV exports keep the bytes)."""
    sizes = frame["size_bytes"].astype(object).where(frame["size_bytes"].notna(), None)
    return frame.assign(size_bytes=[_size(v) for v in sizes]).rename(columns={"size_bytes": "size"})


def _inventory_view(args: argparse.Namespace, found: Discovery) -> None:
    """``unused`` and ``duplicates``: a table, then the bytes deleting would free."""
    from .views._display import terminal_table

    if args.command == "unused":
        unused = found.unused()
        if not args.summary:
            files = _sized(unused[["folder", "name", "kind", "size_bytes", "server"]])
            print(terminal_table(files) if not files.empty else "(every model was used)")
            print()
        by_folder = found.reclaimable()
        print(terminal_table(_sized(by_folder)) if not by_folder.empty else "(nothing to reclaim)")
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
    from .views._export import for_json, write_csv

    table = diff(_side(args.a, args), _side(args.b, args))
    if table.empty:  # nothing changed: a header, an empty list, or a note
        print({"csv": ",".join(table.columns), "json": "[]"}.get(args.format, "(no changes)"))
    elif args.format == "csv":
        write_csv(table, sys.stdout, terminal=True)
    elif args.format == "json":
        print(for_json(table, ascii=True))
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
    if args.command == "check":
        _load_checked_workflow(args)  # a bad file fails (exit 2) before any server is asked
    found = _discovery(args)
    if args.command in ("unused", "duplicates"):
        _inventory_view(args, found)
    elif args.command == "discover":
        print(found.status(problems=False, cli=True))  # the problems were printed once, as warnings on stderr
    elif args.command == "best":
        return _best(found, args)
    elif args.command == "check":
        return _check_workflow(found, args)
    elif args.command == "workflows":
        return _workflows(found, args)
    elif args.command == "explain":
        print(found.explain(None, args.name))
    elif args.command == "export":
        for path in found.export(args.out, args.format, args.partition_by):
            print(for_terminal(path))
    return 0


# 128 + SIGPIPE: what a shell reports for a tool a closed pipe stopped.
PIPE_CLOSED = 141


def _silence_stdout() -> None:
    """Point stdout at /dev/null so nothing more (Python's exit-time flush included) writes to the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (captured in tests)
        pass


# -- workflows: check and workflows -------------------------------------------------------------------------------
CHECK_COLUMNS = ["server", "node", "node_type", "input", "value", "folder", "status", "repair", "url"]
WORKFLOW_COLUMNS = ["source", "template", "ready", "capabilities", "missing", "nodes_missing", "download_bytes",
                    "vram_gb", "server"]


def _workflow_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    check = commands.add_parser("check", help="can the server(s) run this workflow? what is missing, what to repair")
    check.add_argument("workflow", metavar="WORKFLOW.json", help="a workflow file, UI or API format")
    _source_args(check)
    check.add_argument("--format", choices=("table", "csv", "json"), default="table",
                       help="table adds a per-server summary; csv or json print the reference rows")
    check.add_argument("--repair", metavar="OUT.json",
                       help="write a copy with every repairable value set to the server's name (first ready server)")
    flows = commands.add_parser("workflows", help="the server's workflow templates, and which of them it can run")
    _source_args(flows)
    flows.add_argument("--ready", action="store_true", help="only the templates the server can run now")
    flows.add_argument("--capability", choices=CAPABILITIES, metavar="CAPABILITY",
                       help=f"only templates that do this: {', '.join(CAPABILITIES)}")
    flows.add_argument("--format", choices=("table", "csv", "json"), default="table")


def _download(value: object) -> str:
    """Bytes to fetch: '0' when nothing is missing, 'unknown' when no size is known."""
    import pandas as pd

    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return "unknown"
    return "0" if int(value) == 0 else _size(int(value))  # type: ignore[call-overload]


def _load_checked_workflow(args: argparse.Namespace) -> None:
    from .workflows._parse import load_workflow

    args.workflow_document = load_workflow(args.workflow)


def _print_frame(frame: object, fmt: str, columns: list[str]) -> None:
    from .views._display import terminal_table
    from .views._export import for_csv, for_json

    table = frame[columns]  # type: ignore[index]
    if fmt == "csv":
        for_csv(table).to_csv(sys.stdout, index=False)
    elif fmt == "json":
        print(for_json(table))
    else:
        print(terminal_table(table) if len(table) else "(none)")


def _check_workflow(found: Discovery, args: argparse.Namespace) -> int:
    import json

    import pandas as pd

    result = found.check_workflow(args.workflow_document)
    # no repair / no URL is an empty field in CSV and null in JSON, not an empty string
    references = result.references.assign(**{c: result.references[c].replace("", pd.NA) for c in ("repair", "url")})
    _print_frame(references, args.format, CHECK_COLUMNS)
    summary = result.summary
    if args.format == "table":
        print()
        _print_frame(summary.assign(download_bytes=summary["download_bytes"].map(_download)), "table",
                     ["server", "ready", "missing", "nodes_missing", "repairs", "download_bytes", "vram_gb", "inactive"])
    if args.repair:
        server = str((summary[summary["ready"]] if summary["ready"].any() else summary)["server"].iloc[0])
        with open(args.repair, "w", encoding="utf-8") as handle:
            json.dump(result.repaired(server), handle, indent=2, ensure_ascii=False)
        count = int(summary.loc[summary["server"].eq(server), "repairs"].iloc[0])
        print(f"comfyframe: wrote {for_terminal(args.repair)} with {count} value(s) repaired for {for_terminal(server)}",
              file=sys.stderr)
    if result.ready_anywhere:
        return 0
    for row in summary.itertuples(index=False):
        lacks = [*row.missing, *(f"node {n}" for n in row.nodes_missing)]
        print(f"comfyframe: not ready on {for_terminal(row.server)}: lacks {for_terminal(', '.join(lacks))}",
              file=sys.stderr)
        if row.elsewhere_in_fleet:
            print(f"comfyframe:   the fleet has {for_terminal('; '.join(row.elsewhere_in_fleet))}", file=sys.stderr)
    return 1


def _workflows(found: Discovery, args: argparse.Namespace) -> int:
    from .pipelines._rank import holds

    table = found.workflows
    if args.ready:
        table = table[table["ready"]]
    if args.capability:
        table = table[holds(table["capabilities"], args.capability)]
    if args.format == "table":
        table = table.assign(download_bytes=table["download_bytes"].map(_download))
        _print_frame(table, "table", WORKFLOW_COLUMNS)
        print(f"{int(found.workflows['ready'].sum())} of {len(found.workflows)} workflow templates ready")
    else:
        _print_frame(table, args.format, list(table.columns))
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
            code = run(args)
            sys.stdout.flush()  # a closed pipe shows here, not as a message at interpreter exit
            return code
        except BrokenPipeError:  # the reader went away (| head): stop quietly, as Unix tools do
            _silence_stdout()
            return PIPE_CLOSED
        except (ComfyFrameError, ValueError) as exc:
            print(f"comfyframe: error: {for_terminal(exc)}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("comfyframe: interrupted", file=sys.stderr)
            return 130


if __name__ == "__main__":
    sys.exit(main())
