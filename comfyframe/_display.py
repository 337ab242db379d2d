"""How a Discovery shows itself: plain text (CLI, ``status()``) and notebook HTML.

Every server-provided string (model names come from someone else's disk, node
names from third-party packs) is escaped before it reaches HTML.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from ._discovery import Discovery


def _gb(value: object) -> str:
    return "?" if value is None or pd.isna(value) else f"{float(value):.1f} GB"


def status_text(discovery: Discovery) -> str:
    """Server, devices, model counts and the best pick per capability, as text."""
    lines: list[str] = []
    hw = discovery.hardware
    for server in discovery.servers:
        rows = hw[hw["server"].eq(server)]
        first = rows.iloc[0] if len(rows) else None
        where = "remote" if first is not None and bool(first["is_remote"]) else "local"
        version = first["comfyui_version"] if first is not None else "?"
        lines.append(f"ComfyUI {version} at {server} ({where})")
        for _, dev in rows.iterrows():
            lines.append(
                f"  device {dev['device_index']}: {dev['gpu_name']} [{dev['vendor']}], "
                f"VRAM {_gb(dev['vram_free_gb'])} free of {_gb(dev['vram_total_gb'])}, "
                f"RAM {_gb(dev['ram_free_gb'])} free of {_gb(dev['ram_total_gb'])}, "
                f"mode {dev['vram_mode']}, budget {_gb(dev['budget_gb'])}"
            )
        if first is None:
            lines.append("  no hardware information")
    models = discovery.models
    total = int(models["size_bytes"].fillna(0).sum())
    lines.append(
        f"{len(models)} model files ({total / 2**30:.1f} GB listed), {len(discovery.nodes)} nodes, "
        f"{int(discovery.nodes['loads_models'].fillna(False).sum())} of them load models"
    )
    by_kind = models["kind"].value_counts()
    if len(by_kind):
        lines.append("  by kind: " + ", ".join(f"{k} {v}" for k, v in by_kind.items()))
    unknown = int(models["family"].eq("").sum())
    if unknown:
        lines.append(f"  family unknown for {unknown} file(s)")
    best = discovery.best_per_capability() if len(hw) else pd.DataFrame()
    if len(best):
        lines.append("Best fitting model per capability (prefer quality):")
        for _, row in best.iterrows():
            lines.append(
                f"  {row['capability']:<15} {row['name']}  [{row['family'] or '?'}, "
                f"{_gb(row['vram_gb'])}, quality {row['quality']}]"
            )
    for problem in discovery.problems:
        lines.append(f"warning: {problem}")
    return "\n".join(lines)


_STYLE = """
<style>
.cf-summary{font-family:system-ui,sans-serif;font-size:13px;line-height:1.4;max-width:980px}
.cf-summary h4{margin:.6em 0 .3em}
.cf-summary table{border-collapse:collapse;margin:.2em 0}
.cf-summary td,.cf-summary th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}
.cf-bar{width:220px;height:12px;background:#e6e6e6;border-radius:3px;display:inline-block;vertical-align:middle;overflow:hidden}
.cf-bar>span{display:block;height:100%;background:#4c78a8}
.cf-warn{color:#9a6700}
</style>
"""


def _vram_bar(total: object, free: object) -> str:
    if total is None or pd.isna(total) or not float(total):
        return ""
    used = max(0.0, min(1.0, 1 - float(free if free is not None and not pd.isna(free) else 0) / float(total)))
    return f'<span class="cf-bar" title="{used:.0%} in use"><span style="width:{used * 100:.0f}%"></span></span>'


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: object) -> str:
    if isinstance(value, (frozenset, set, tuple, list)):
        return ", ".join(sorted(map(str, value)))
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def discovery_html(discovery: Discovery) -> str:
    """Rich notebook summary: servers, GPUs with VRAM bars, counts, best picks, warnings."""
    parts = [_STYLE, '<div class="cf-summary">']
    hw = discovery.hardware
    for server in discovery.servers:
        rows = hw[hw["server"].eq(server)]
        version = escape(str(rows["comfyui_version"].iloc[0])) if len(rows) else "?"
        where = "remote" if len(rows) and bool(rows["is_remote"].iloc[0]) else "local"
        parts.append(f"<h4>ComfyUI {version} at <code>{escape(server)}</code> ({where})</h4>")
        for _, dev in rows.iterrows():
            parts.append(
                f"<div>{escape(str(dev['gpu_name']))} [{escape(str(dev['vendor']))}] "
                f"{_vram_bar(dev['vram_total_gb'], dev['vram_free_gb'])} "
                f"{_gb(dev['vram_free_gb'])} free of {_gb(dev['vram_total_gb'])} · "
                f"mode {escape(str(dev['vram_mode']))} · budget {_gb(dev['budget_gb'])}</div>"
            )
    models = discovery.models
    parts.append(
        f"<div>{len(models)} model files · {len(discovery.nodes)} nodes · {len(discovery.edges)} model↔node edges</div>"
    )
    kinds = models["kind"].value_counts().rename_axis("kind").reset_index(name="files")
    caps = discovery.capabilities["capability"].value_counts().rename_axis("capability").reset_index(name="models")
    parts.append('<div style="display:flex;gap:2em;flex-wrap:wrap">')
    parts.append(f"<div><h4>Models by kind</h4>{_table(kinds)}</div>")
    parts.append(f"<div><h4>Models by capability</h4>{_table(caps)}</div>")
    parts.append("</div>")
    if len(hw):
        best = discovery.best_per_capability()
        if len(best):
            shown = best[["capability", "name", "family", "vram_gb", "quality"]]
            parts.append(f"<h4>Best fitting pick per capability</h4>{_table(shown)}")
    for problem in discovery.problems:
        parts.append(f'<div class="cf-warn">⚠ {escape(problem)}</div>')
    parts.append("</div>")
    return "".join(parts)
