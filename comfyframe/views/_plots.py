"""Matplotlib views of a discovery: VRAM fit, quality against VRAM, inventory, disk use.

Every function takes ``ax=None`` (a new figure is made when it is None) and
returns the ``ax`` it drew on. They read DataFrames only. Long inventories stay
readable: the top N rows are drawn, the rest summed into "other", and long
labels are shortened in the middle (the extension stays visible). Labels from
the server pass through :func:`plot_label`: matplotlib reads text between two
``$`` as maths, so a model name holding two of them would be typeset (or fail
to parse) instead of shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from ..errors import MissingDependency
from ..pipelines._rank import ADAPTER_KINDS
from ..support._validate import CAPABILITIES

if TYPE_CHECKING:
    from matplotlib.axes import Axes

LABEL_WIDTH = 42
OTHER = "other"
# Bar colours: fits the free memory, fits the device only once memory is freed, does not fit.
FITS, TIGHT, TOO_BIG = "#4c78a8", "#f2a33a", "#d6544d"
FRONT = "#d6544d"
PALETTE = ("#4c78a8", "#f58518", "#54a24b", "#b279a2", "#72b7b2", "#eeca3b", "#9d755d", "#ff9da6", "#bab0ac")


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingDependency("comfyframe's plots need matplotlib: pip install matplotlib") from None
    return plt


def _axes(ax: Axes | None, rows: int, width: float = 7.5) -> Axes:
    """``ax``, or a new figure sized for ``rows`` horizontal bars."""
    if ax is not None:
        return ax
    _, new = _pyplot().subplots(figsize=(width, max(2.2, 0.6 + 0.28 * rows)), layout="constrained")
    return new


def short_label(text: object, width: int = LABEL_WIDTH) -> str:
    """``text`` cut to ``width`` characters with an ellipsis in the middle."""
    value = "" if text is None or (not isinstance(text, str) and pd.isna(text)) else str(text)
    if len(value) <= width:
        return value
    keep = width - 1
    head = (keep + 1) // 2
    return value[:head] + "…" + value[len(value) - (keep - head):]


def plot_label(text: object, width: int = LABEL_WIDTH) -> str:
    """``text`` shortened (:func:`short_label`) and with ``$`` escaped, so matplotlib shows it literally."""
    return short_label(text, width).replace("$", r"\$")


def _models_of(source: Any) -> pd.DataFrame:
    """The models frame of a Discovery, or the frame itself."""
    frame = getattr(source, "models", source)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected a DataFrame or a Discovery, not {type(source).__name__}")
    return frame


def _runnable_of(source: Any) -> pd.DataFrame:
    """What the VRAM plots draw: a Discovery's ready pipelines, or the given frame (a ``best_for`` result,
    a pipelines or a models table), with a ``name`` to label each row by."""
    pipelines = getattr(source, "pipelines", None)
    frame = pipelines[pipelines["ready"].fillna(False).to_numpy(dtype=bool)] if isinstance(pipelines, pd.DataFrame) \
        else _models_of(source)
    if "generator" in frame.columns and "name" not in frame.columns:
        from ..pipelines._pipelines import pipeline_label

        frame = frame.assign(name=[pipeline_label(row) for _, row in frame.iterrows()])
    return frame


def _hardware_row(source: Any, device: int = 0) -> pd.Series | None:
    """One hardware row from a Discovery, a hardware DataFrame or a Series (None: no device)."""
    if source is None:
        return None
    if isinstance(source, pd.Series):
        return source
    frame = getattr(source, "hardware", source)
    if isinstance(frame, pd.DataFrame):
        return frame.iloc[device] if 0 <= device < len(frame) else None
    raise TypeError(f"expected a hardware row, a hardware DataFrame or a Discovery, not {type(source).__name__}")


def _number(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if pd.isna(number) else number


def top_with_other(counts: pd.Series, top: int) -> pd.Series:
    """The ``top`` largest values of ``counts``; the rest summed into an ``"other"`` entry."""
    counts = counts.sort_values(ascending=False, kind="stable")
    if len(counts) <= top:
        return counts
    head = counts.iloc[: max(top - 1, 1)]
    rest = counts.iloc[len(head):].sum()
    return pd.concat([head, pd.Series({OTHER: rest})])


def plot_vram_fit(
    ranked_or_models: Any,
    hardware_row_or_discovery: Any = None,
    ax: Axes | None = None,
    top: int = 25,
    *,
    device: int = 0,
    budget: float | None = None,
    highlight: str | None = None,
) -> Axes:
    """Horizontal bars of each candidate's peak VRAM against the device's total and free VRAM.

    ``ranked_or_models`` is a :meth:`Discovery.best_for` result (drawn in rank
    order), a Discovery (its ready pipelines, largest first) or a models frame.
    Pipelines stack their weights and the job's activations; a tick marks a
    peak set by another phase (text encoders, VAE decode). ``budget`` adds the
    memory budget line (default: the device's ``budget_gb``); ``highlight``
    names a row to outline (the current pick).
    """
    frame = _runnable_of(ranked_or_models)
    hardware = hardware_row_or_discovery
    device_row = _hardware_row(
        hardware if hardware is not None else getattr(ranked_or_models, "hardware", None), device
    )
    data = frame[frame["vram_gb"].notna()] if "vram_gb" in frame else frame.iloc[0:0]
    if "rank" not in data.columns:
        data = data.sort_values("vram_gb", ascending=False, kind="stable")
    shown = data.head(top)
    ax = _axes(ax, len(shown))
    total = _number(device_row["vram_total_gb"]) if device_row is not None else None
    free = _number(device_row["vram_free_gb"]) if device_row is not None else None
    if budget is None and device_row is not None:
        budget = _number(device_row["budget_gb"])
    need = shown["vram_gb"].astype("float64").to_numpy()
    limit_free = budget if budget is not None else free
    colours = [
        TOO_BIG if total is not None and v > total else TIGHT if limit_free is not None and v > limit_free else FITS
        for v in need
    ]
    positions = list(range(len(shown)))
    stacked = {"weights_gb", "activations_gb"} <= set(shown.columns)
    if stacked:
        weights = shown["weights_gb"].astype("float64").fillna(0.0).to_numpy()
        jobs = shown["activations_gb"].astype("float64").fillna(0.0).to_numpy()
        bars = ax.barh(positions, weights, color=colours, gid="vram")
        ax.barh(positions, jobs, left=weights, color=colours, alpha=0.45, hatch="//", gid="activations")
        other = need > weights + jobs + 0.05  # the peak is the encode or decode phase
        ax.scatter(need[other], [p for p, o in zip(positions, other) if o], marker="|", s=120, color="#333333",
                   zorder=3, gid="peak")
    else:
        bars = ax.barh(positions, need, color=colours, gid="vram")
    if highlight is not None:
        for bar, name in zip(bars, shown["name"]):
            if name == highlight:
                bar.set_edgecolor("black")
                bar.set_linewidth(1.6)
    ax.set_yticks(list(positions), [plot_label(n) for n in shown["name"]], fontsize=8)
    ax.invert_yaxis()
    for value, style, label in ((total, "--", "total"), (free, ":", "free"), (budget, "-", "budget")):
        if value is not None:
            ax.axvline(value, color="#333333", linestyle=style, linewidth=1.2, label=f"{label} {value:.1f} GiB")
    if stacked:
        from matplotlib.patches import Patch

        ax.add_artist(ax.legend(handles=[Patch(color=FITS, label="weights"),
                                         Patch(facecolor=FITS, alpha=0.45, hatch="//", label="job activations")],
                                loc="upper right", fontsize=8, framealpha=0.9))
    if total is not None or free is not None or budget is not None:
        ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    ax.set_xlabel("peak VRAM of the job (GiB)" if stacked else "VRAM needed (GiB)")
    more = f" (top {len(shown)} of {len(data)})" if len(data) > len(shown) else ""
    gpu = f" on {plot_label(device_row['gpu_name'], 32)}" if device_row is not None else ""
    ax.set_title(f"VRAM fit{gpu}{more}", fontsize=10)
    if not len(shown):
        ax.text(0.5, 0.5, "no models to show", ha="center", va="center", transform=ax.transAxes)
    return ax


def pareto_front(frame: pd.DataFrame, x: str = "vram_gb", y: str = "quality") -> pd.DataFrame:
    """Rows no other row beats: none has less or equal ``x`` and more or equal ``y`` (one strictly).

    Returned sorted by ``x``; with ties on both, the first row by name is kept.
    """
    data = frame[frame[x].notna() & frame[y].notna()]
    order = [x, y] + (["name"] if "name" in data.columns else [])
    data = data.sort_values(order, ascending=[True, False] + [True] * (len(order) - 2), kind="stable")
    best = float("-inf")
    keep = []
    for label, value in zip(data.index, data[y].astype("float64")):
        if value > best:
            keep.append(label)
            best = value
    return data.loc[keep]


def plot_quality_vs_vram(
    models: Any,
    ax: Axes | None = None,
    front: bool = True,
    *,
    capability: str | None = None,
    labels: bool = True,
) -> Axes:
    """Scatter of quality against VRAM need, coloured by kind, Pareto front marked.

    Given a Discovery, the points are its ready pipelines (a generator with its parts, at the peak VRAM of
    its family's default job; a motion module only inside its base checkpoint). The front is the best quality
    available at each memory size: every point on it is the cheapest way to reach its quality. Only rows with
    a capability are drawn (adapters and components are left out); ``capability`` keeps only those that can
    do it; ``labels`` names the front's points.
    """
    frame = _runnable_of(models)
    if "module" in frame.columns:
        frame = frame.assign(kind=frame["kind"].where(frame["module"].fillna("").eq(""), "motion_module"))
    data = frame[frame["vram_gb"].notna() & frame["quality"].notna()]
    if "kind" in data.columns:
        data = data[~data["kind"].isin(ADAPTER_KINDS)]
    if "capabilities" in data.columns:
        wanted = (lambda caps: capability in caps) if capability is not None else (lambda caps: len(caps) > 0)
        data = data[data["capabilities"].map(wanted)]
    ax = _axes(ax, 12, width=8)
    kinds = (
        data["kind"].fillna("unknown").astype(str) if "kind" in data.columns else pd.Series("model", index=data.index)
    )
    order = kinds.value_counts().index.tolist()
    colour_of = {k: PALETTE[i] if i < len(PALETTE) - 1 else PALETTE[-1] for i, k in enumerate(order)}
    ax.scatter(
        data["vram_gb"].astype("float64"),
        data["quality"].astype("float64"),
        c=[colour_of[k] for k in kinds],
        s=28,
        alpha=0.75,
        gid="models",
        zorder=2,
    )
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], marker="o", linestyle="", color=colour_of[k], label=k if i < len(PALETTE) - 1 else OTHER)
        for i, k in enumerate(order[: len(PALETTE)])
    ]
    if front and len(data):
        # one front per capability: an audio model does not compete with an image model
        groups = _by_capability(data) if capability is None and "capabilities" in data.columns else [("", data)]
        styles: tuple[Literal["-", "--", ":", "-."], ...] = ("-", "--", ":", "-.")
        for i, (task, rows) in enumerate(groups):
            best = pareto_front(rows)
            xs, ys = best["vram_gb"].astype("float64"), best["quality"].astype("float64")
            style = styles[i % len(styles)]
            ax.step(xs, ys, where="post", color=FRONT, linestyle=style, linewidth=1.2, alpha=0.8, zorder=1)
            ax.scatter(xs, ys, s=90, facecolors="none", edgecolors=FRONT, linewidths=1.6, gid="pareto", zorder=3)
            name = f"Pareto front: {plot_label(task)}" if task else "Pareto front"
            handles.append(
                Line2D([], [], marker="o", linestyle=style, color=FRONT, markerfacecolor="none", label=name)
            )
            if labels:
                for xv, yv, label in zip(xs, ys, best["name"]):
                    ax.annotate(plot_label(label, 30), (xv, yv), xytext=(5, 4), textcoords="offset points", fontsize=7)
    if handles:
        ax.legend(handles=handles, fontsize=7, loc="lower right", framealpha=0.9)
    pipelines = "generator" in data.columns
    ax.set_xlabel("peak VRAM of the job (GiB)" if pipelines else "VRAM needed (GiB)")
    ax.set_ylabel("quality (1–10)")
    ax.grid(alpha=0.3)
    what = f" ({plot_label(capability)})" if capability else ""
    ax.set_title(f"Quality against VRAM{what}: {len(data)} {'pipelines' if pipelines else 'models'}", fontsize=10)
    return ax


def _by_capability(data: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The rows that can do each capability, in canonical order (a row may be in several)."""
    present = {c for caps in data["capabilities"] for c in caps}
    return [(c, data[data["capabilities"].map(lambda caps, c=c: c in caps)]) for c in CAPABILITIES if c in present]


def _barh_counts(ax: Axes, counts: pd.Series, fmt: str, gid: str) -> None:
    positions = list(range(len(counts)))
    bars = ax.barh(positions, counts.to_numpy(dtype="float64"), color=PALETTE[0], gid=gid)
    if len(counts) and counts.index[-1] == OTHER:
        bars[-1].set_color(PALETTE[-1])
    ax.set_yticks(positions, [plot_label(i, 32) for i in counts.index], fontsize=8)
    ax.invert_yaxis()
    for bar, value in zip(bars, counts):
        ax.annotate(fmt.format(value), (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                    xytext=(3, 0), textcoords="offset points", va="center", fontsize=7)
    ax.margins(x=0.15)


def plot_inventory(
    discovery_or_models: Any,
    by: Literal["kind", "family", "capability"] = "kind",
    ax: Axes | None = None,
    top: int = 15,
) -> Axes:
    """Model file counts by ``kind``, ``family`` (``""`` shown as unknown) or ``capability``."""
    if by not in ("kind", "family", "capability"):
        raise ValueError(f"by must be 'kind', 'family' or 'capability', not {by!r}")
    frame = _models_of(discovery_or_models)
    if by == "capability":
        values = frame["capabilities"].map(sorted).explode().dropna().astype(str)
    else:
        values = frame[by].fillna("").astype(str).replace("", "unknown")
    counts = top_with_other(values.value_counts(), top)
    ax = _axes(ax, len(counts), width=6.5)
    _barh_counts(ax, counts, "{:.0f}", "inventory")
    ax.set_xlabel("model files")
    ax.set_title(f"Models by {by}: {len(frame)} files", fontsize=10)
    return ax


def plot_disk_use(models: Any, ax: Axes | None = None, top: int = 15) -> Axes:
    """Disk space of the listed model files by folder (GiB), largest first."""
    frame = _models_of(models)
    known = frame["size_bytes"].notna()
    sizes = frame["size_bytes"].astype("Float64").fillna(0).astype("float64") / 2**30
    folders = frame["folder"].fillna("").astype(str).replace("", "(unknown folder)")
    per_folder = top_with_other(sizes.groupby(folders).sum(), top)
    ax = _axes(ax, len(per_folder), width=6.5)
    _barh_counts(ax, per_folder, "{:.1f} GiB", "disk")
    ax.set_xlabel("GiB on disk")
    unknown = int((~known).sum())
    more = f" + {unknown} file{'s' if unknown != 1 else ''} of unknown size" if unknown else ""
    ax.set_title(f"Disk use by folder: {sizes.sum():.1f} GiB in {int(known.sum())} files{more}", fontsize=10)
    return ax
