"""How a Discovery shows itself: plain text (CLI, ``status()``) and notebook HTML.

Every server-provided string (model names come from someone else's disk, node
names from third-party packs) is escaped before it reaches HTML, and shown with
its control characters visible (:func:`comfyframe.support._safe_text.for_terminal`)
before it reaches a terminal.

This module reads the tables of anything shaped like a Discovery
(:class:`Summarised`); it does not import :mod:`comfyframe._discovery`, so data
flows one way: frames → Discovery → display.
"""

from __future__ import annotations

import numbers
import shutil
import sys
from html import escape
from typing import Any, Protocol

import pandas as pd

from ..pipelines._pipelines import pipeline_label
from ..support._demo_address import is_demo
from ..support._safe_text import for_terminal


class Summarised(Protocol):
    """What the summaries read (a :class:`comfyframe.Discovery` has all of it)."""

    hardware: pd.DataFrame
    nodes: pd.DataFrame
    edges: pd.DataFrame
    models: pd.DataFrame
    problems: list[str]

    @property
    def capabilities(self) -> pd.DataFrame: ...
    @property
    def urls(self) -> list[str]: ...
    def available_capabilities(self) -> list[str]: ...
    def best_per_capability(
        self, prefer: Any = "quality", device: int = 0, server: str | None = None, *, cli: bool = False
    ) -> pd.DataFrame: ...


def _gb(value: Any) -> str:
    return "?" if value is None or pd.isna(value) else f"{float(value):.1f} GiB"


def _where(server: str, first: pd.Series | None) -> str:
    if is_demo(server):
        return "demo snapshot recorded from a test server, not a live server"
    return "remote" if first is not None and bool(first["is_remote"]) else "local"


def _basis(dev: pd.Series) -> str:
    """`` (total VRAM 24.0 GiB less …)``: how the device's budget was reached, when the table says."""
    basis = dev.get("budget_basis")
    return "" if basis is None or pd.isna(basis) or not str(basis) else f" ({basis})"


def _memory_label(dev: pd.Series) -> str:
    """ComfyUI reports system memory as "VRAM" on a CPU device; say what it is."""
    on_cpu = str(dev["device_type"]) == "cpu" or str(dev["vram_mode"]) == "cpu"
    return "system memory" if on_cpu else "VRAM"


def totals(models: pd.DataFrame) -> str:
    """``"89 model files (467.7 GiB listed + 3 files of unknown size)"``."""
    total = int(models["size_bytes"].fillna(0).sum())
    unknown = int(models["size_bytes"].isna().sum())
    more = f" + {unknown} file{'s' if unknown != 1 else ''} of unknown size" if unknown else ""
    return f"{len(models)} model files ({total / 2**30:.1f} GiB listed{more})"


MAX_NAMED = 3


def broken_lines(models: pd.DataFrame) -> list[str]:
    """``"  2 broken files (never ranked): checkpoints/x.safetensors: empty file (0 bytes), …"``."""
    if "broken" not in models.columns:
        return []
    broken = models[models["broken"].fillna("").ne("")]
    if broken.empty:
        return []
    named = [f"{r['folder']}/{r['name']}: {r['broken']}" for _, r in broken.head(MAX_NAMED).iterrows()]
    more = f"; and {len(broken) - MAX_NAMED} more (see models['broken'])" if len(broken) > MAX_NAMED else ""
    return [f"  {len(broken)} broken file{'s' if len(broken) != 1 else ''} (never ranked): {'; '.join(named)}{more}"]


def status_text(discovery: Summarised, problems: bool = True, *, cli: bool = False) -> str:
    """Server, devices, model counts and the best pick per capability (and ``problems``), as terminal-safe text;
    ``cli``: nothing-fits remedies in the command line's words."""
    lines: list[str] = []
    hw = discovery.hardware
    for server in discovery.urls:
        rows = hw[hw["server"].eq(server)]
        first = rows.iloc[0] if len(rows) else None
        version = first["comfyui_version"] if first is not None else "?"
        lines.append(f"ComfyUI {version} at {server} ({_where(server, first)})")
        for _, dev in rows.iterrows():
            memory = _memory_label(dev)
            ram = "" if memory != "VRAM" else f"RAM {_gb(dev['ram_free_gb'])} free of {_gb(dev['ram_total_gb'])}, "
            lines.append(
                f"  device {dev['device_index']}: {dev['gpu_name']} [{dev['vendor']}], "
                f"{memory} {_gb(dev['vram_free_gb'])} free of {_gb(dev['vram_total_gb'])}, {ram}"
                f"mode {dev['vram_mode']}, budget {_gb(dev['budget_gb'])}{_basis(dev)}"
            )
        if first is None:
            lines.append("  no hardware information")
    models = discovery.models
    lines.append(
        f"{totals(models)}, {len(discovery.nodes)} nodes, "
        f"{int(discovery.nodes['loads_models'].fillna(False).sum())} of them load models"
    )
    by_kind = models["kind"].value_counts()
    if len(by_kind):
        lines.append("  by kind: " + ", ".join(f"{k} {v}" for k, v in by_kind.items()))
    unknown = int(models["family"].eq("").sum())
    if unknown:
        lines.append(f"  family unknown for {unknown} file(s)")
    lines.extend(broken_lines(models))
    for _, row in hw.head(MAX_DEVICES_PICKS).iterrows():
        best = discovery.best_per_capability(device=int(row["device_index"]), server=str(row["server"]), cli=cli)
        if not len(best):
            continue
        which = f" on {row['server']} #{row['device_index']} {row['gpu_name']}" if len(hw) > 1 else ""
        lines.append(f"Best ready pipeline per capability{which} (prefer quality, default job, "
                     f"budget {_gb(row['budget_gb'])}):")
        for _, pick in best.iterrows():
            if pick.get("reason"):
                lines.append(f"  {pick['capability']:<15} none fits: {pick['reason']}")
                continue
            lines.append(
                f"  {pick['capability']:<15} {pipeline_label(pick)}  [{pick['family'] or '?'}, "
                f"{pick['job'] + ', ' if pick['job'] else ''}{_gb(pick['vram_gb'])} peak, "
                f"quality {_cell(pick['quality']) or '?'}]"
            )
    for problem in discovery.problems if problems else ():
        lines.append(f"warning: {problem}")
    return "\n".join(for_terminal(line) for line in lines)


def terminal_table(frame: pd.DataFrame, width: int | None = None) -> str:
    """``frame`` as aligned text for a terminal: tuples comma-joined, control characters visible.

    On a terminal the table fits its width (``shutil.get_terminal_size``; ``width`` overrides it): the widest
    text columns are cut with ``…``, paths keeping their file name. Piped output keeps every character.
    """
    if frame.empty:
        return "(no models)"
    shown = frame.astype(object).map(lambda v: for_terminal(_cell(v)))
    limit = width if width is not None else _terminal_width()
    if limit is not None:
        shown = _fit(shown, limit)
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", None,
                           "display.max_colwidth", None):
        return shown.to_string(index=False)


MIN_COLUMN = 8


def _terminal_width() -> int | None:
    """Columns of the terminal stdout writes to ($COLUMNS wins), or None when it is not a terminal (a pipe or
    file gets every character, whatever $COLUMNS says)."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def _fit(shown: pd.DataFrame, width: int) -> pd.DataFrame:
    """Cut the widest columns until the table (one space between columns) fits ``width``."""
    widths = {c: max([len(str(c)), *shown[c].map(len)]) for c in shown.columns}
    over = sum(widths.values()) + len(widths) - 1 - width
    while over > 0:
        column = max(widths, key=lambda c: widths[c])
        if widths[column] <= max(MIN_COLUMN, len(str(column))):
            break  # nothing left to cut: the table stays wider than the terminal
        target = max(MIN_COLUMN, len(str(column)), widths[column] - over)
        shown[column] = shown[column].map(lambda text, n=target: _abbreviate(text, n))
        over -= widths[column] - target
        widths[column] = target
    return shown


def _abbreviate(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters: comma-joined paths become file names first, then ``…``."""
    if len(text) <= width:
        return text
    short = ", ".join(part.rsplit("/", 1)[-1] for part in text.split(", "))
    return short if len(short) <= width else short[: width - 1] + "…"


_STYLE = """
<style>
div.cf-summary{font-family:var(--jp-ui-font-family,system-ui,sans-serif);font-size:13px;line-height:1.45;max-width:1000px;color:var(--jp-ui-font-color1,inherit)}
div.cf-summary h4{margin:.7em 0 .3em;font-size:14px;font-weight:600}
div.cf-summary table{border-collapse:collapse;margin:.2em 0}
div.cf-summary.cf-summary table td,div.cf-summary.cf-summary table th{padding:2px 8px;border-bottom:1px solid var(--jp-border-color2,#ddd);text-align:left}
div.cf-summary.cf-summary table td.num{text-align:right}
div.cf-summary .cf-bar{width:180px;height:12px;background:var(--jp-layout-color3,#e6e6e6);border-radius:3px;display:inline-block;vertical-align:middle;overflow:hidden;margin:0 4px}
div.cf-summary .cf-bar>span{display:block;height:100%}
div.cf-summary .cf-muted{color:var(--jp-ui-font-color2,#666)}
div.cf-summary .cf-warn{color:#9a6700;margin:.15em 0}
div.cf-summary .cf-flex{display:flex;gap:2.5em;flex-wrap:wrap}
</style>
"""
MAX_DEVICES_PICKS = 4
TOP_COUNTS = 10


def _vram_bar(total: Any, free: Any) -> str:
    """An inline bar of the memory in use (green, orange past 60 %, red past 85 %), then "N % used"."""
    if total is None or pd.isna(total) or not float(total):
        return ""
    free_gb = float(free) if free is not None and not pd.isna(free) else 0.0
    used = max(0.0, min(1.0, 1 - free_gb / float(total)))
    colour = "#54a24b" if used < 0.6 else "#f2a33a" if used < 0.85 else "#d6544d"
    return (
        f'<span class="cf-bar" title="{used:.0%} in use">'
        f'<span style="width:{used * 100:.0f}%;background:{colour}"></span></span>'
        f'<span class="cf-muted">{used:.0%} used</span> · '
    )


def _cell(value: object) -> str:
    if isinstance(value, (frozenset, set, tuple, list)):
        return ", ".join(sorted(map(str, value)))
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _table(frame: pd.DataFrame) -> str:
    """``frame`` as an HTML table, every header and cell escaped."""
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(_cell(v))}</td>' if isinstance(v, numbers.Number) and not isinstance(v, bool)
            else f"<td>{escape(_cell(v))}</td>"
            for v in row
        )
        + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _counts(values: pd.Series, name: str, what: str, top: int = TOP_COUNTS) -> pd.DataFrame:
    """Value counts as a two-column frame; past ``top`` rows the rest is one "other" row."""
    counts = values.astype(str).value_counts()
    if len(counts) > top:
        rest = counts.iloc[top - 1:]
        counts = pd.concat([counts.iloc[: top - 1], pd.Series({f"other ({len(rest)})": rest.sum()})])
    return pd.DataFrame({name: counts.index.astype(str), what: counts.to_numpy()})


def _best_picks(discovery: Summarised) -> pd.DataFrame:
    """Best fitting pick per capability: one column per device (first few devices)."""
    hw = discovery.hardware
    if hw.empty:
        return pd.DataFrame()
    multi_server = hw["server"].nunique() > 1
    caps = discovery.capabilities
    columns: dict[str, list[str]] = {"capability": discovery.available_capabilities()}
    for _, row in hw.head(MAX_DEVICES_PICKS).iterrows():
        name = row["server"] if multi_server else row["gpu_name"]
        label = f"{name} #{row['device_index']}" if multi_server else f"#{row['device_index']} {name}"
        picks = discovery.best_per_capability(device=int(row["device_index"]), server=str(row["server"]))
        best = {
            str(r["capability"]): f"{pipeline_label(r)} ({_gb(r['vram_gb'])}, q {_cell(r['quality']) or '?'})"
            if not r.get("reason") else "none fits: " + str(r["reason"])
            for _, r in picks.iterrows()
        }
        able = set(caps.loc[caps["server"].eq(row["server"]), "capability"])
        columns[label] = [
            best.get(c, "none fits the budget" if c in able else "—") for c in columns["capability"]
        ]
    return pd.DataFrame(columns)


def discovery_html(discovery: Summarised) -> str:
    """Rich notebook summary: servers, GPUs with VRAM bars, counts, best picks, warnings (all escaped)."""
    parts = [_STYLE, '<div class="cf-summary">']
    hw = discovery.hardware
    for server in discovery.urls:
        rows = hw[hw["server"].eq(server)]
        if len(rows):
            first = rows.iloc[0]
            where = _where(server, first)
            parts.append(
                f"<h4>ComfyUI {escape(_cell(first['comfyui_version']) or '?')} at <code>{escape(server)}</code> "
                f'<span class="cf-muted">({where}, {escape(_cell(first["platform"]))}, '
                f"PyTorch {escape(_cell(first['pytorch_version']) or '?')})</span></h4>"
            )
        else:
            parts.append(f"<h4>ComfyUI at <code>{escape(server)}</code></h4>")
            parts.append('<div class="cf-warn">no hardware information (the server did not answer /system_stats)</div>')
        for _, dev in rows.iterrows():
            parts.append(
                f"<div><b>#{escape(_cell(dev['device_index']))} {escape(_cell(dev['gpu_name']))}</b> "
                f'<span class="cf-muted">[{escape(_cell(dev["vendor"]))}]</span> {_memory_label(dev)}'
                f"{_vram_bar(dev['vram_total_gb'], dev['vram_free_gb'])}"
                f"{_gb(dev['vram_free_gb'])} free of {_gb(dev['vram_total_gb'])} · "
                + (f"RAM {_gb(dev['ram_free_gb'])} free of {_gb(dev['ram_total_gb'])} · "
                   if _memory_label(dev) == "VRAM" else "")
                + f"mode <code>{escape(_cell(dev['vram_mode']))}</code> · budget <b>{_gb(dev['budget_gb'])}</b></div>"
            )
    models = discovery.models
    loaders = int(discovery.nodes["loads_models"].fillna(False).sum())
    unknown = int(models["family"].fillna("").eq("").sum())
    parts.append(
        f"<div style='margin-top:.5em'>{totals(models)} · "
        f"<b>{len(discovery.nodes)}</b> nodes ({loaders} load models) · {len(discovery.edges)} model↔node edges"
        + (f' · <span class="cf-muted">family unknown for {unknown}</span>' if unknown else "")
        + "</div>"
    )
    for line in broken_lines(models):
        parts.append(f'<div class="cf-warn">{escape(line.strip())}</div>')
    kinds = _counts(models["kind"].fillna("unknown"), "kind", "files")
    families = _counts(models["family"].fillna("").replace("", "unknown"), "family", "files")
    caps = _counts(discovery.capabilities["capability"], "capability", "models")
    parts.append('<div class="cf-flex">')
    parts.append(f"<div><h4>Models by kind</h4>{_table(kinds)}</div>")
    parts.append(f"<div><h4>Models by family</h4>{_table(families)}</div>")
    parts.append(f"<div><h4>Models by capability</h4>{_table(caps)}</div>")
    parts.append("</div>")
    picks = _best_picks(discovery)
    if len(picks):
        parts.append(f"<h4>Best fitting pick per capability</h4>{_table(picks)}"
                     '<div class="cf-muted">prefer quality, within each device\'s budget; '
                     "try <code>.best_for(…)</code> or <code>cf.picker(…)</code></div>")
    for problem in discovery.problems:
        parts.append(f'<div class="cf-warn">⚠ {escape(problem)}</div>')
    parts.append("</div>")
    return "".join(parts)
