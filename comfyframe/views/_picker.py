"""What the model picker shows: ipywidgets controls, the ranked table, the pick and a plot.

The picker is a view over :class:`comfyframe.views._picker_state.PickerState`, which
computes everything (options, consistency, ranking) without widgets. Every
control change updates the state synchronously (no HTTP), re-ranks, redraws and
calls the functions registered with :meth:`Picker.observe` (and, with the ready official
workflows of the second tab, :meth:`Picker.observe_workflows`). So it can be driven from
code and tested without a browser::

    p = cf.picker(found)
    p.capability.value = "text_to_video"
    p.budget.value = 12
    p.value["name"], p.ranked.head(), p.workflows.head()
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import escape
from typing import Any, Literal

import pandas as pd

from ..errors import MissingDependency
from ..pipelines._rank import Prefer
from ..support._safe_text import for_terminal
from ._picker_state import ANY, CONTROLS, PickerState
from ._plots import short_label

Callback = Callable[[Any], object]
TABLE_COLUMNS = ("rank", "name", "family", "via", "vram_gb", "weights_gb", "activations_gb", "quality", "score",
                 "headroom_gb", "components", "missing")
HEADERS = {"rank": "#", "name": "pipeline", "vram_gb": "peak GiB", "weights_gb": "weights GiB",
           "activations_gb": "job GiB", "headroom_gb": "spare GiB", "components": "parts"}
WORKFLOW_TABLE_COLUMNS = ("rank", "template", "title", "family", "generator", "vram_gb", "headroom_gb", "score",
                          "width", "height", "frames")
WORKFLOW_HEADERS = {"rank": "#", "vram_gb": "peak GiB", "headroom_gb": "spare GiB", "generator": "generator file"}
TABS = ("pipelines", "ready workflows")
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
        return ", ".join(map(str, value))
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.1f}" if column.endswith("_gb") else f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


class Picker:
    """Widgets that rank ``discovery.models`` for a job under a memory budget.

    Controls (each an ipywidgets widget, settable from code): ``capability``,
    ``device``, ``budget`` (GiB), ``prefer``, ``family``, ``kind`` and
    ``choice`` (which of the ranked models is selected; the top one after
    every re-rank). Results: ``ranked`` (DataFrame, best first), ``value``
    (the selected row of ``ranked`` as a Series, or None), ``model`` (its full
    row of ``discovery.models``), ``workflows`` (the ready official workflow
    templates for the capability and budget, shown in the second tab of
    ``tabs``), ``widget`` (the root box), ``state`` (the
    :class:`~comfyframe.views._picker_state.PickerState` behind it all).
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
        self.state = state = PickerState(discovery, top=top, prefer=prefer, device=device)
        given = {"capability": capability, "family": family, "kind": kind, "budget": max_vram}
        state.apply({k: v for k, v in given.items() if v is not None})
        state.rerank()
        self.plot_kind = plot
        self._callbacks: list[Callback] = []
        self._workflow_callbacks: list[Callback] = []
        self._quiet = 0

        wide = {"description_width": "90px"}
        self.device = w.Dropdown(options=state.device_options, value=state.device, description="device", style=wide,
                                 disabled=len(state.device_options) < 2, layout=w.Layout(width="460px"))
        self.capability = w.Dropdown(description="capability", style=wide, layout=w.Layout(width="300px"))
        self.budget = w.FloatSlider(min=0.0, max=1.0, step=0.1, description="VRAM budget", style=wide,
                                    tooltip="GiB of memory the job may use at its peak",
                                    readout_format=".1f", continuous_update=False, layout=w.Layout(width="460px"))
        self.prefer = w.ToggleButtons(options=list(state.prefer_options), value=state.prefer,
                                      tooltips=["highest quality", "fastest", "average of both"],
                                      style={"button_width": "80px"}, layout=w.Layout(width="auto"))
        self.family = w.Dropdown(description="family", style=wide, layout=w.Layout(width="300px"))
        self.kind = w.Dropdown(description="kind", style=wide, layout=w.Layout(width="300px"))
        self.resolution = w.Dropdown(description="resolution", style=wide, layout=w.Layout(width="300px"),
                                     tooltip="job size: VRAM figures are the peak of this job")
        self.frames = w.Dropdown(description="frames", style=wide, layout=w.Layout(width="220px"))
        self.incomplete = w.Checkbox(description="also pipelines that miss a part", indent=False,
                                     layout=w.Layout(width="260px", margin="0 0 0 16px"))
        self.choice = w.Dropdown(description="pick", style=wide, layout=w.Layout(width="620px"))
        self.summary = w.HTML()
        self.table = w.HTML()
        self.workflow_table = w.HTML()
        self.tabs = w.Tab(children=[self.table, self.workflow_table])
        self.image = w.Image(format="png", layout=w.Layout(max_width="760px"))
        controls = w.VBox([
            w.HBox([self.capability, self.device]),
            w.HBox([self.budget, w.Label("prefer", layout=w.Layout(margin="0 6px 0 24px")), self.prefer]),
            w.HBox([self.family, self.kind]),
            w.HBox([self.resolution, self.frames, self.incomplete]),
            self.choice,
        ])
        children = [controls, self.summary, self.tabs] + ([self.image] if plot else [])
        self.widget = w.VBox(children, layout=w.Layout(padding="4px"))
        self.widget.add_class("comfyframe-picker")
        self._show()
        for control in (self.capability, self.budget, self.prefer, self.family, self.kind, self.device,
                        self.incomplete):
            control.observe(self._on_change, names="value")
        self.resolution.observe(self._on_resolution, names="value")
        self.frames.observe(self._on_frames, names="value")
        self.choice.observe(self._on_choice, names="value")

    # -- public API ------------------------------------------------------
    @property
    def ranked(self) -> pd.DataFrame:
        """Models that can do the job within the budget, best first (:meth:`Discovery.best_for` columns)."""
        return self.state.ranked

    @property
    def value(self) -> pd.Series | None:
        """The selected model (a row of :attr:`ranked`), or None when nothing fits."""
        return self.state.value

    @property
    def model(self) -> pd.Series | None:
        """The selected model's full row of ``discovery.models`` (path, size, metadata …), or None."""
        return self.state.model

    @property
    def device_row(self) -> pd.Series | None:
        """The hardware row of the selected device (None without hardware information)."""
        return self.state.device_row

    @property
    def top(self) -> int:
        return self.state.top

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

    @property
    def workflows(self) -> pd.DataFrame:
        """The ready official workflow templates for the capability and budget on the selected device, best first
        (:meth:`Discovery.best_workflow` columns); the second tab shows them. Empty when the discovery has none."""
        return self.state.workflows

    def observe_workflows(self, callback: Callback, *, now: bool = False) -> Callback:
        """Call ``callback(workflows)`` (a DataFrame, :attr:`workflows`) after every re-rank; returns it.

        Usable as a decorator. ``now=True`` also calls it once with the current workflows. Selecting another
        pipeline (``choice``) does not change the workflows and does not call it.
        """
        self._workflow_callbacks.append(callback)
        if now:
            callback(self.workflows)
        return callback

    def unobserve_workflows(self, callback: Callback) -> None:
        """Stop calling ``callback`` with the workflows."""
        self._workflow_callbacks.remove(callback)

    def set(self, **state: Any) -> Picker:
        """Set several controls at once with a single re-rank: ``p.set(capability=…, budget=8)``.

        Controls: ``device``, ``capability``, ``budget`` (may exceed the slider, whose range
        grows), ``prefer``, ``family`` and ``kind`` (None for any), the job's ``width``, ``height``,
        ``frames`` (None: the family's usual job) and ``batch``, and ``incomplete`` (also list
        pipelines that miss a part). Values the selected device's server cannot offer raise ValueError.
        """
        self.state.apply(state)
        self._update()
        return self

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        pick = self.value
        name = "nothing fits" if pick is None else pick["name"]
        return for_terminal(f"<Picker {self.state.capability} ≤ {self.state.budget:.1f} GiB, prefer {self.state.prefer}: {name}>")

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
        name = next(n for n in CONTROLS if getattr(self, n, None) is change["owner"])
        value = change["new"]
        self.state.apply({name: None if value == ANY else value})
        self._update()

    def _on_resolution(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        width, height = change["new"] if change["new"] != DEFAULT else (None, None)
        self.state.apply({"width": width, "height": height})
        self._update()

    def _on_frames(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        self.state.apply({"frames": None if change["new"] == DEFAULT else change["new"]})
        self._update()

    def _on_choice(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        self.state.choice = change["new"]
        self._render()
        self._notify()

    def _update(self) -> None:
        self.state.rerank()
        self._show()
        self._notify()
        workflows = self.workflows
        for callback in list(self._workflow_callbacks):
            callback(workflows)

    def _notify(self) -> None:
        pick = self.value
        for callback in list(self._callbacks):
            callback(pick)

    def _show(self) -> None:
        """Bring every widget to the state (without reacting to it), then redraw."""
        state = self.state
        with self._held():
            self.device.value = state.device
            self.capability.options = state.capability_options
            self.capability.value = state.capability
            self.family.options = state.family_options
            self.family.value = state.family
            self.kind.options = state.kind_options
            self.kind.value = state.kind
            self.budget.max = max(state.budget_max, self.budget.value)  # never clamp the value on the way
            self.budget.value = state.budget
            self.budget.max = max(state.budget_max, self.budget.min)
            self.prefer.value = state.prefer
            self.incomplete.value = state.incomplete
            self.resolution.options = _resolution_options(state.width, state.height)
            self.resolution.value = DEFAULT if state.width is None or state.height is None else (state.width, state.height)
            self.frames.options = _frame_options(state.frames)
            self.frames.value = DEFAULT if state.frames is None else state.frames
            shown = state.shown
            self.choice.options = [(f"{r} · {n}", i) for i, (r, n) in enumerate(zip(shown["rank"], shown["name"]))]
            self.choice.value = state.choice
            self.choice.disabled = len(shown) < 2
        self._render()

    # -- rendering -------------------------------------------------------
    def _render(self) -> None:
        # The summary goes last: once a browser shows the new summary, table and plot are there too.
        if self.plot_kind:
            self.image.value = self.plot_png()
        self.table.value = self.table_html()
        self.workflow_table.value = self.workflows_html()
        self.tabs.titles = (f"{TABS[0]} ({len(self.ranked)})", f"{TABS[1]} ({len(self.workflows)})")
        self.summary.value = self.summary_html()

    def summary_html(self) -> str:
        """One line naming the pick (escaped), or why nothing fits."""
        pick = self.value
        capability = escape(str(self.state.capability or "no capability"))
        budget = f"{self.state.budget:.1f} GiB"
        if self.state.capability is None:
            return "<div class='cf-pick'>No model on this server can be ranked for a job.</div>"
        if pick is None:
            smallest = self.state.smallest_need()
            hint = f" The smallest needs {smallest:.1f} GiB." if smallest is not None else ""
            reason = self.state.ranked.attrs.get("reason")  # best_for's words: what would help
            why = f"<br><small>{escape(str(reason))}</small>" if reason else ""
            return f"<div class='cf-pick'>Nothing that can do <b>{capability}</b> fits {budget}.{escape(hint)}{why}</div>"
        family = escape(str(pick["family"] or "unknown family"))
        return (
            f"<div class='cf-pick'>Pick for <b>{capability}</b> within {budget}: "
            f"<b title='{escape(str(pick['name']))}'>{escape(str(pick['name']))}</b> "
            f"({family}, {pick['vram_gb']:.1f} GiB, quality {_fmt(pick['quality'], 'quality') or '?'}, "
            f"{_fmt(pick['headroom_gb'], 'headroom_gb')} GiB to spare) · "
            f"{len(self.ranked)} candidate(s)</div>"
        )

    def table_html(self) -> str:
        """The top rows of :attr:`ranked` as an HTML table; every cell escaped."""
        shown = self.ranked.head(self.top)
        columns = [c for c in TABLE_COLUMNS if c in shown.columns]
        head = "".join(f"<th>{escape(HEADERS.get(c, c))}</th>" for c in columns)
        rows = []
        selected = self.state.choice
        for i, (_, row) in enumerate(shown.iterrows()):
            style = " style='background:var(--jp-brand-color3,#dbe9f6);font-weight:600'" if i == selected else ""
            cells = "".join(_cell_html(row[c], c) for c in columns)
            rows.append(f"<tr class='cf-row'{style}>{cells}</tr>")
        more = len(self.ranked) - len(shown)
        foot = f"<div style='color:#777'>… and {more} more (see <code>.ranked</code>)</div>" if more > 0 else ""
        style = ("<style>.cf-ranked{border-collapse:collapse;font-size:12px}"
                 ".cf-ranked td,.cf-ranked th{padding:2px 8px;line-height:1.5;"
                 "border-bottom:1px solid var(--jp-border-color2,#ddd);"
                 "text-align:left;white-space:nowrap}</style>")
        body = "".join(rows)
        return f"{style}<table class='cf-ranked'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{foot}"

    def workflows_html(self) -> str:
        """The top rows of :attr:`workflows` as an HTML table, every cell escaped; or why there are none."""
        state = self.state
        if state.capability is None:
            return "<div class='cf-workflows-none'>No capability to list workflows for.</div>"
        workflows = self.workflows
        if workflows.empty:
            capability = escape(str(state.capability))
            return (f"<div class='cf-workflows-none'>No ready official workflow template does <b>{capability}</b> "
                    f"within {state.budget:.1f} GiB here (the server's templates are listed in "
                    "<code>found.workflows</code>; a discovery with <code>templates=False</code> has none).</div>")
        shown = workflows.head(self.top)
        columns = [c for c in WORKFLOW_TABLE_COLUMNS if c in shown.columns]
        head = "".join(f"<th>{escape(WORKFLOW_HEADERS.get(c, c))}</th>" for c in columns)
        rows = "".join(
            "<tr class='cf-row'>" + "".join(_workflow_cell_html(row[c], c) for c in columns) + "</tr>"
            for _, row in shown.iterrows()
        )
        more = len(workflows) - len(shown)
        foot = f"<div style='color:#777'>… and {more} more (see <code>.workflows</code>)</div>" if more > 0 else ""
        style = ("<style>.cf-workflows{border-collapse:collapse;font-size:12px}"
                 ".cf-workflows td,.cf-workflows th{padding:2px 8px;line-height:1.5;"
                 "border-bottom:1px solid var(--jp-border-color2,#ddd);text-align:left;white-space:nowrap}</style>")
        return f"{style}<table class='cf-workflows'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{foot}"

    def plot_png(self) -> bytes:
        """The current plot as PNG bytes (matplotlib, drawn off-screen)."""
        from matplotlib.figure import Figure

        from ._plots import plot_quality_vs_vram, plot_vram_fit

        shown = self.ranked.head(self.top)
        if self.plot_kind == "quality_vs_vram":
            fig = Figure(figsize=(7.5, 4.2), layout="constrained")
            plot_quality_vs_vram(self.state.able(), ax=fig.add_subplot(), capability=self.state.capability)
        else:
            fig = Figure(figsize=(7.5, max(2.2, 0.6 + 0.28 * len(shown))), layout="constrained")
            pick = self.value
            plot_vram_fit(shown, self.device_row, ax=fig.add_subplot(), budget=self.state.budget,
                          highlight=None if pick is None else pick["name"])
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
        return buffer.getvalue()


def _cell_html(value: object, column: str) -> str:
    """One table cell, escaped; a pipeline's missing parts are marked."""
    if column == "name":
        return f"<td title='{escape(str(value))}'>{escape(short_label(value, NAME_WIDTH))}</td>"
    if column == "missing" and isinstance(value, tuple) and value:
        marked = ", ".join(f"✗ {escape(str(part))}" for part in value)
        return f"<td class='cf-missing' style='color:#b42318'>{marked}</td>"
    if column == "components" and isinstance(value, tuple):
        parts = [str(part).rsplit("/", 1)[-1] for part in value]
        return f"<td title='{escape(chr(10).join(map(str, value)))}'>{escape(', '.join(parts))}</td>"
    return f"<td>{escape(_fmt(value, column))}</td>"


def _workflow_cell_html(value: object, column: str) -> str:
    """One cell of the workflows table, escaped; long titles and file names shortened, whole in the tooltip."""
    if column in ("template", "title", "generator"):
        text = _fmt(value, column)
        return f"<td title='{escape(text)}'>{escape(short_label(text, NAME_WIDTH))}</td>"
    return f"<td>{escape(_fmt(value, column))}</td>"


DEFAULT = "default"  # the menus' "family default" entry (a Dropdown shows no label for None)
RESOLUTIONS = ((512, 512), (768, 768), (1024, 1024), (832, 480), (1280, 720), (1920, 1080))
FRAMES = (1, 17, 33, 49, 81, 121)


def _resolution_options(width: float | None, height: float | None) -> list[tuple[str, Any]]:
    sizes: list[tuple[float, float]] = list(RESOLUTIONS)
    if width is not None and height is not None and (width, height) not in sizes:
        sizes.append((width, height))  # a size set from code joins the menu
    return [("family default", DEFAULT)] + [(f"{w:g}×{h:g}", (w, h)) for w, h in sizes]


def _frame_options(frames: float | None) -> list[tuple[str, Any]]:
    counts = sorted({*FRAMES, *([frames] if frames is not None else [])})
    return [("family default", DEFAULT)] + [(f"{n:g}", float(n)) for n in counts]


def picker(discovery: Any, **options: Any) -> Picker:
    """An ipywidgets model picker over ``discovery`` (a :class:`Discovery`: ``models``, ``hardware``, ``best_for``).

    Options: ``capability``, ``device`` (hardware row), ``max_vram`` (initial
    budget, default the device's ``budget_gb``), ``prefer``, ``family``,
    ``kind``, ``top`` (rows shown, default 10), ``plot`` (``"vram_fit"``,
    ``"quality_vs_vram"`` or None).
    """
    return Picker(discovery, **options)
