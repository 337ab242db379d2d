"""An ipywidgets model picker: choose a job, a device and a VRAM budget; see the ranking.

The picker is a callback registry over DataFrames: every control change
re-ranks ``discovery.models`` synchronously (no HTTP), updates ``.ranked`` and
``.value`` and calls the functions registered with :meth:`Picker.observe`.
So its state can be driven from code and tested without a browser::

    p = cf.picker(found)
    p.capability.value = "text_to_video"
    p.budget.value = 12
    p.value["name"], p.ranked.head()
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import escape
from typing import Any, Literal

import pandas as pd

from ._plots import short_label
from ._pipelines import pipeline_label
from ._rank import CAPABILITIES, PREFERENCES, RANK_COLUMNS, Prefer
from .errors import MissingDependency

ANY = "(any)"
Callback = Callable[[Any], object]
TABLE_COLUMNS = ("rank", "name", "family", "kind", "variant", "vram_gb", "quality", "speed", "score", "headroom_gb",
                 "components", "missing")
HEADERS = {"rank": "#", "vram_gb": "VRAM GB", "headroom_gb": "spare GB"}
NAME_WIDTH = 44
PlotKind = Literal["vram_fit", "quality_vs_vram"]


def _widgets() -> Any:
    try:
        import ipywidgets
    except ImportError:
        raise MissingDependency("The model picker needs ipywidgets: pip install ipywidgets") from None
    return ipywidgets


def _fmt(value: object, column: str) -> str:
    if isinstance(value, (frozenset, set, tuple, list)):
        return ", ".join(sorted(map(str, value)))
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.1f}" if column.endswith("_gb") else f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _device_label(row: pd.Series, multi_server: bool) -> str:
    total = row["vram_total_gb"]
    size = "" if pd.isna(total) else f", {float(total):.0f} GB"
    where = f"{row['server']} · " if multi_server else ""
    return f"{where}#{row['device_index']} {row['gpu_name']}{size}"


class Picker:
    """Widgets that rank ``discovery.models`` for a job under a memory budget.

    Controls (each an ipywidgets widget, settable from code): ``capability``,
    ``device``, ``budget`` (GiB), ``prefer``, ``family``, ``kind`` and
    ``choice`` (which of the ranked models is selected; the top one after
    every re-rank). Results: ``ranked`` (DataFrame, best first), ``value``
    (the selected row of ``ranked`` as a Series, or None), ``model`` (its full
    row of ``discovery.models``), ``widget`` (the root box).
    """

    def __init__(
        self,
        discovery: Any,
        *,
        capability: str | None = None,
        device: int = 0,
        max_vram: float | None = None,
        prefer: Prefer = "quality",
        family: str | None = None,
        kind: str | None = None,
        top: int = 10,
        plot: PlotKind | None = "vram_fit",
    ) -> None:
        w = _widgets()
        self.discovery = discovery
        self.models: pd.DataFrame = discovery.models
        self.hardware: pd.DataFrame = discovery.hardware
        self.top = int(top)
        self.plot_kind = plot
        self.ranked: pd.DataFrame = pd.DataFrame(columns=RANK_COLUMNS)
        self._callbacks: list[Callback] = []
        self._quiet = 0
        self._generators = discovery.pipelines[discovery.pipelines["ready"].fillna(False)]

        hw = self.hardware
        multi = hw["server"].nunique() > 1
        devices = [(_device_label(row, multi), i) for i, (_, row) in enumerate(hw.iterrows())]
        if not devices:
            devices = [("no hardware information: all models", 0)]
        if not 0 <= device < len(devices):
            raise ValueError(f"device must be 0..{len(devices) - 1} (a row of the hardware table), not {device}.")
        if prefer not in PREFERENCES:
            raise ValueError(f"prefer must be one of {', '.join(PREFERENCES)}, not {prefer!r}.")
        wide = {"description_width": "90px"}
        self.device = w.Dropdown(options=devices, value=device, description="device", style=wide,
                                 disabled=len(devices) < 2, layout=w.Layout(width="460px"))
        self.capability = w.Dropdown(description="capability", style=wide, layout=w.Layout(width="300px"))
        self.budget = w.FloatSlider(min=0.0, max=1.0, step=0.1, description="VRAM budget", style=wide,
                                    tooltip="GB of memory the model's weights may use",
                                    readout_format=".1f", continuous_update=False, layout=w.Layout(width="460px"))
        self.prefer = w.ToggleButtons(options=list(PREFERENCES), value=prefer,
                                      tooltips=["highest quality", "fastest", "average of both"],
                                      style={"button_width": "80px"}, layout=w.Layout(width="auto"))
        self.family = w.Dropdown(description="family", style=wide, layout=w.Layout(width="300px"))
        self.kind = w.Dropdown(description="kind", style=wide, layout=w.Layout(width="300px"))
        self.choice = w.Dropdown(description="pick", style=wide, layout=w.Layout(width="620px"))
        self.summary = w.HTML()
        self.table = w.HTML()
        self.image = w.Image(format="png", layout=w.Layout(max_width="760px"))
        controls = w.VBox([
            w.HBox([self.capability, self.device]),
            w.HBox([self.budget, w.Label("prefer", layout=w.Layout(margin="0 6px 0 24px")), self.prefer]),
            w.HBox([self.family, self.kind]),
            self.choice,
        ])
        children = [controls, self.summary, self.table] + ([self.image] if plot else [])
        self.widget = w.VBox(children, layout=w.Layout(padding="4px"))
        self.widget.add_class("comfyframe-picker")

        if capability is not None and capability not in CAPABILITIES:
            raise ValueError(f"Unknown capability {capability!r}: use one of {', '.join(CAPABILITIES)}.")
        with self._held():
            self._device_changed(capability=None)
            given = {"capability": capability, "family": family, "kind": kind, "budget": max_vram}
            self._apply({k: v for k, v in given.items() if v is not None})
        self._rerank()
        for control in (self.capability, self.budget, self.prefer, self.family, self.kind):
            control.observe(self._on_change, names="value")
        self.device.observe(self._on_device, names="value")
        self.choice.observe(self._on_choice, names="value")

    # -- public API ------------------------------------------------------
    @property
    def value(self) -> pd.Series | None:
        """The selected model (a row of :attr:`ranked`), or None when nothing fits."""
        index = self.choice.value
        if index is None or index >= len(self.ranked):
            return None
        return self.ranked.iloc[index]

    @property
    def model(self) -> pd.Series | None:
        """The selected model's full row of ``discovery.models`` (path, size, metadata …), or None."""
        pick = self.value
        if pick is None:
            return None
        models = self.models
        same = (
            models["server"].eq(pick["server"]) & models["folder"].eq(pick["generator_folder"])
            & models["name"].eq(pick["generator"])
        )  # fmt: skip
        return models[same].iloc[0] if same.any() else None

    @property
    def device_row(self) -> pd.Series | None:
        """The hardware row of the selected device (None without hardware information)."""
        return self.hardware.iloc[self.device.value] if len(self.hardware) else None

    def observe(self, callback: Callback, *, now: bool = False) -> Callback:
        """Call ``callback(pick)`` after every change (pick: a Series or None); returns it.

        Usable as a decorator. ``now=True`` also calls it once with the current pick.
        """
        self._callbacks.append(callback)
        if now:
            callback(self.value)
        return callback

    def unobserve(self, callback: Callback) -> None:
        """Stop calling ``callback``."""
        self._callbacks.remove(callback)

    def set(self, **state: Any) -> Picker:
        """Set several controls at once with a single re-rank: ``p.set(capability=…, budget=8)``.

        Controls: ``device``, ``capability``, ``budget`` (may exceed the slider, whose range
        grows), ``prefer``, ``family`` and ``kind`` (None for any). Values the selected
        device's server cannot offer raise ValueError.
        """
        unknown = set(state) - {"capability", "device", "budget", "prefer", "family", "kind"}
        if unknown:
            raise TypeError(f"unknown control(s): {', '.join(sorted(unknown))}")
        with self._held():
            self._apply(state)
        self._update()
        return self

    def _apply(self, state: dict[str, Any]) -> None:
        """Set controls in dependency order (device, capability, filters, budget, prefer); no re-rank."""
        if "device" in state:
            device = state["device"]
            if not 0 <= device < len(self.device.options):
                raise ValueError(f"device must be 0..{len(self.device.options) - 1} (a row of the hardware table).")
            self.device.value = device
            self._device_changed(capability=self.capability.value)
        capability = state.get("capability")
        if capability is not None:
            if capability not in self.capability.options:
                known = ", ".join(self.capability.options) or "none"
                raise ValueError(f"Capability {capability!r} is not offered here (choose from: {known}).")
            self.capability.value = capability
        self._filters_changed(family=self.family.value, kind=self.kind.value)
        for name in ("family", "kind"):
            if name not in state:
                continue
            value = ANY if state[name] is None else state[name]
            control = getattr(self, name)
            offered = [v for _, v in control.options]
            if value not in offered:
                raise ValueError(
                    f"No {self.capability.value} model of {name} {value!r} here (choose from: {', '.join(offered[1:])})."
                )
            control.value = value
        if state.get("budget") is not None:
            budget = float(state["budget"])
            if budget > self.budget.max:
                self.budget.max = math.ceil(budget * 2) / 2
            self.budget.value = budget
        if "prefer" in state:
            if state["prefer"] not in PREFERENCES:
                raise ValueError(f"prefer must be one of {', '.join(PREFERENCES)}, not {state['prefer']!r}.")
            self.prefer.value = state["prefer"]

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        pick = self.value
        name = "nothing fits" if pick is None else pick["name"]
        return f"<Picker {self.capability.value} ≤ {self.budget.value:.1f} GB, prefer {self.prefer.value}: {name}>"

    # -- reactions -------------------------------------------------------
    @contextmanager
    def _held(self) -> Iterator[None]:
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    def _on_change(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        if change["owner"] is self.capability:
            with self._held():
                self._filters_changed(family=self.family.value, kind=self.kind.value)
        self._update()

    def _on_device(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        with self._held():
            self._device_changed(capability=self.capability.value)
            self._filters_changed(family=self.family.value, kind=self.kind.value)
        self._update()

    def _on_choice(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        self._render()
        self._notify()

    def _update(self) -> None:
        self._rerank()
        self._notify()

    def _notify(self) -> None:
        pick = self.value
        for callback in list(self._callbacks):
            callback(pick)

    # -- state -----------------------------------------------------------
    def _server_models(self) -> pd.DataFrame:
        row = self.device_row
        return self._generators if row is None else self._generators[self._generators["server"].eq(row["server"])]

    def _device_changed(self, capability: str | None) -> None:
        """New device: offer its server's capabilities, reset the budget slider to its budget."""
        models = self._server_models()
        present = {c for jobs in models["jobs"] for c in jobs}
        options = [c for c in CAPABILITIES if c in present]
        self.capability.options = options
        self.capability.value = capability if capability in options else (options[0] if options else None)
        row = self.device_row
        total = float(row["vram_total_gb"]) if row is not None and pd.notna(row["vram_total_gb"]) else 0.0
        budget = float(row["budget_gb"]) if row is not None and pd.notna(row["budget_gb"]) else None
        largest = float(models["vram_gb"].max()) if len(models) else 0.0
        start = budget if budget is not None else max(total, largest)
        top = math.ceil(max(total, largest, start, 1.0) * 2) / 2
        self.budget.max = max(top, self.budget.min)
        self.budget.value = float(start)

    def _filters_changed(self, family: str | None, kind: str | None) -> None:
        """New capability: offer the families and kinds of the models that can do it."""
        able = self._able()
        families = sorted(set(able["family"].fillna("").astype(str)))
        kinds = sorted(set(able["kind"].fillna("").astype(str)))
        self.family.options = [(ANY, ANY)] + [(f or "unknown", f) for f in families]
        self.kind.options = [(ANY, ANY)] + [(k or "unknown", k) for k in kinds]
        self.family.value = family if family in families else ANY
        self.kind.value = kind if kind in kinds else ANY

    def _able(self) -> pd.DataFrame:
        models = self._server_models()
        capability = self.capability.value
        if capability is None:
            return models.iloc[0:0]
        return models[models["jobs"].map(lambda jobs: capability in jobs)]

    def _rerank(self) -> None:
        capability = self.capability.value
        if capability is None:
            self.ranked = pd.DataFrame(columns=["name", *RANK_COLUMNS])
        else:
            ranked = self.discovery.best_for(capability, max_vram=float(self.budget.value),
                                             prefer=self.prefer.value, device=self.device.value)
            if self.family.value not in (None, ANY):
                ranked = ranked[ranked["family"].fillna("").eq(self.family.value)]
            if self.kind.value not in (None, ANY):
                ranked = ranked[ranked["kind"].fillna("").eq(self.kind.value)]
            ranked = ranked.assign(rank=range(1, len(ranked) + 1)).reset_index(drop=True)
            self.ranked = ranked.assign(name=[pipeline_label(r) for _, r in ranked.iterrows()])
        with self._held():
            shown = self.ranked.head(self.top)
            self.choice.options = [(f"{r} · {n}", i) for i, (r, n) in enumerate(zip(shown["rank"], shown["name"]))]
            self.choice.value = 0 if len(shown) else None
            self.choice.disabled = len(shown) < 2
        self._render()

    # -- rendering -------------------------------------------------------
    def _render(self) -> None:
        # The summary goes last: once a browser shows the new summary, table and plot are there too.
        if self.plot_kind:
            self.image.value = self.plot_png()
        self.table.value = self.table_html()
        self.summary.value = self.summary_html()

    def summary_html(self) -> str:
        """One line naming the pick (escaped), or why nothing fits."""
        pick = self.value
        capability = escape(str(self.capability.value or "no capability"))
        budget = f"{self.budget.value:.1f} GB"
        if self.capability.value is None:
            return "<div class='cf-pick'>No model on this server can be ranked for a job.</div>"
        if pick is None:
            able = self._able()
            smallest = able["vram_gb"].min() if len(able) else None
            hint = f" The smallest needs {smallest:.1f} GB." if smallest is not None and pd.notna(smallest) else ""
            return f"<div class='cf-pick'>Nothing that can do <b>{capability}</b> fits {budget}.{escape(hint)}</div>"
        family = escape(str(pick["family"] or "unknown family"))
        return (
            f"<div class='cf-pick'>Pick for <b>{capability}</b> within {budget}: "
            f"<b title='{escape(str(pick['name']))}'>{escape(str(pick['name']))}</b> "
            f"({family}, {pick['vram_gb']:.1f} GB, quality {_fmt(pick['quality'], 'quality') or '?'}, "
            f"{_fmt(pick['headroom_gb'], 'headroom_gb')} GB to spare) · "
            f"{len(self.ranked)} candidate(s)</div>"
        )

    def table_html(self) -> str:
        """The top rows of :attr:`ranked` as an HTML table; every cell escaped."""
        shown = self.ranked.head(self.top)
        columns = [c for c in TABLE_COLUMNS if c in shown.columns]
        head = "".join(f"<th>{escape(HEADERS.get(c, c))}</th>" for c in columns)
        rows = []
        selected = self.choice.value
        for i, (_, row) in enumerate(shown.iterrows()):
            style = " style='background:var(--jp-brand-color3,#dbe9f6);font-weight:600'" if i == selected else ""
            cells = "".join(
                f"<td title='{escape(str(row[c]))}'>{escape(short_label(row[c], NAME_WIDTH))}</td>" if c == "name"
                else f"<td>{escape(_fmt(row[c], c))}</td>"
                for c in columns
            )
            rows.append(f"<tr class='cf-row'{style}>{cells}</tr>")
        more = len(self.ranked) - len(shown)
        foot = f"<div style='color:#777'>… and {more} more (see <code>.ranked</code>)</div>" if more > 0 else ""
        style = ("<style>.cf-ranked{border-collapse:collapse;font-size:12px}"
                 ".cf-ranked td,.cf-ranked th{padding:2px 8px;line-height:1.5;"
                 "border-bottom:1px solid var(--jp-border-color2,#ddd);"
                 "text-align:left;white-space:nowrap}</style>")
        body = "".join(rows)
        return f"{style}<table class='cf-ranked'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{foot}"

    def plot_png(self) -> bytes:
        """The current plot as PNG bytes (matplotlib, drawn off-screen)."""
        from matplotlib.figure import Figure

        from ._plots import plot_quality_vs_vram, plot_vram_fit

        shown = self.ranked.head(self.top)
        if self.plot_kind == "quality_vs_vram":
            fig = Figure(figsize=(7.5, 4.2), layout="constrained")
            plot_quality_vs_vram(self._able(), ax=fig.add_subplot(), capability=self.capability.value)
        else:
            fig = Figure(figsize=(7.5, max(2.2, 0.6 + 0.28 * len(shown))), layout="constrained")
            pick = self.value
            plot_vram_fit(shown, self.device_row, ax=fig.add_subplot(), budget=float(self.budget.value),
                          highlight=None if pick is None else pick["name"])
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
        return buffer.getvalue()


def picker(discovery: Any, **options: Any) -> Picker:
    """An ipywidgets model picker over ``discovery`` (anything with ``models`` and ``hardware`` frames).

    Options: ``capability``, ``device`` (hardware row), ``max_vram`` (initial
    budget, default the device's ``budget_gb``), ``prefer``, ``family``,
    ``kind``, ``top`` (rows shown, default 10), ``plot`` (``"vram_fit"``,
    ``"quality_vs_vram"`` or None).
    """
    return Picker(discovery, **options)
