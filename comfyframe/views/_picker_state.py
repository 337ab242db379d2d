"""What the model picker computes: its controls' values and options, and the ranking. No widgets.

:class:`PickerState` holds the picker's choices (device, capability, budget,
prefer, family, kind, the job's width/height/frames/batch, whether incomplete
pipelines are listed, selected row) and keeps them consistent: a new device
offers its server's capabilities and resets the budget to that device's; a new
capability offers the families and kinds of the pipelines that can run it. Every
ranking goes through :meth:`PickerState.rank`, the one call into the discovery
(:meth:`Discovery.best_for`, which ranks pipelines); beside it :meth:`PickerState.rank_workflows`
lists the ready official workflow templates for the same capability, device and budget
(:meth:`Discovery.best_workflow`). :mod:`comfyframe.views._picker` shows this state with ipywidgets.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import pandas as pd

from ..errors import NothingFitsWarning
from ..pipelines._pipelines import pipeline_label
from ..pipelines._rank import RANK_COLUMNS, holds
from ..support._validate import CAPABILITIES, PREFERENCES, positive_number
from ..workflows._rank import RANKED_COLUMNS

ANY = "(any)"
CONTROLS = ("capability", "device", "budget", "prefer", "family", "kind", "width", "height", "frames", "batch",
            "incomplete")  # fmt: skip
JOB = ("width", "height", "frames", "batch")


def device_label(row: pd.Series, multi_server: bool) -> str:
    """``"#0 NVIDIA RTX 4090, 24 GiB"`` (with the server in front when there are several)."""
    total = row["vram_total_gb"]
    size = "" if pd.isna(total) else f", {float(total):.0f} GiB"
    where = f"{row['server']} · " if multi_server else ""
    return f"{where}#{row['device_index']} {row['gpu_name']}{size}"


class PickerState:
    """The picker's choices over a Discovery, kept consistent, and the ranking they give.

    Read ``capability, device, budget, budget_max, prefer, family, kind, width, height, frames, batch,
    incomplete, choice`` and the ``*_options``; change them with :meth:`apply`, then :meth:`rerank`.
    ``width``/``height``/``frames`` None mean each family's usual job.
    """

    prefer_options = PREFERENCES

    def __init__(self, discovery: Any, *, top: int = 10, prefer: str = "quality", device: int = 0) -> None:
        self.discovery = discovery
        self.models: pd.DataFrame = discovery.models
        self.hardware: pd.DataFrame = discovery.hardware
        self.top = int(top)
        self._generators: pd.DataFrame = discovery.pipelines
        multi = self.hardware["server"].nunique() > 1
        self.device_options: list[tuple[str, int]] = [
            (device_label(row, multi), i) for i, (_, row) in enumerate(self.hardware.iterrows())
        ] or [("no hardware information: all models", 0)]
        if not 0 <= device < len(self.device_options):
            raise ValueError(
                f"device must be 0..{len(self.device_options) - 1} (a row of the hardware table), not {device}."
            )
        if prefer not in PREFERENCES:
            raise ValueError(f"prefer must be one of {', '.join(PREFERENCES)}, not {prefer!r}.")
        self.device = device
        self.prefer = prefer
        self.capability: str | None = None
        self.capability_options: list[str] = []
        self.budget = 0.0
        self.budget_max = 1.0
        self.family = self.kind = ANY
        self.width: float | None = None
        self.height: float | None = None
        self.frames: float | None = None
        self.batch = 1.0
        self.incomplete = False
        self.family_options: list[tuple[str, str]] = [(ANY, ANY)]
        self.kind_options: list[tuple[str, str]] = [(ANY, ANY)]
        self.ranked: pd.DataFrame = pd.DataFrame(columns=["name", *RANK_COLUMNS])
        self.workflows: pd.DataFrame = pd.DataFrame(columns=list(RANKED_COLUMNS))
        self.choice: int | None = None
        self._device_changed()
        self._filters_changed()

    # -- reading -----------------------------------------------------------
    @property
    def device_row(self) -> pd.Series | None:
        """The hardware row of the selected device (None without hardware information)."""
        return self.hardware.iloc[self.device] if len(self.hardware) else None

    @property
    def shown(self) -> pd.DataFrame:
        """The top rows of :attr:`ranked`, the ones offered for selection."""
        return self.ranked.head(self.top)

    @property
    def value(self) -> pd.Series | None:
        """The selected row of :attr:`ranked`, or None when nothing fits."""
        if self.choice is None or self.choice >= len(self.ranked):
            return None
        return self.ranked.iloc[self.choice]

    @property
    def model(self) -> pd.Series | None:
        """The selected pipeline's generator: its full row of ``discovery.models``, or None."""
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
    def job(self) -> dict[str, float | None]:
        """The job size passed to ``best_for`` (None: the family's usual)."""
        return {name: getattr(self, name) for name in JOB}

    def able(self) -> pd.DataFrame:
        """Pipelines on the selected device's server that can run the capability (for the default job)."""
        pipes = self._server_models()
        if self.capability is None:
            return pipes.iloc[0:0]
        return pipes[holds(pipes["jobs" if not self.incomplete else "capabilities"], self.capability)
                     | (self.incomplete & (self.capability == "image_to_image")
                        & holds(pipes["capabilities"], "text_to_image"))]

    def smallest_need(self) -> float | None:
        """Peak VRAM (GiB) of the smallest pipeline that can run the capability for this job, whatever the budget."""
        if self.capability is None:
            return None
        every = self._best_for(max_vram=1e9)
        return float(every["vram_gb"].min()) if len(every) else None

    # -- changing ----------------------------------------------------------
    def apply(self, state: dict[str, Any]) -> None:
        """Set controls in dependency order (device, capability, filters, budget, prefer); no re-rank.

        ``family``/``kind`` None means any. Values the selected device's server cannot
        offer raise ValueError; a budget above the range grows the range.
        """
        unknown = set(state) - set(CONTROLS)
        if unknown:
            raise TypeError(f"unknown control(s): {', '.join(sorted(unknown))}")
        if "device" in state:
            device = state["device"]
            if not 0 <= device < len(self.device_options):
                raise ValueError(f"device must be 0..{len(self.device_options) - 1} (a row of the hardware table).")
            self.device = device
            self._device_changed()
        capability = state.get("capability")
        if capability is not None:
            if capability not in CAPABILITIES:
                raise ValueError(f"Unknown capability {capability!r}: use one of {', '.join(CAPABILITIES)}.")
            if capability not in self.capability_options:
                known = ", ".join(self.capability_options) or "none"
                raise ValueError(f"Capability {capability!r} is not offered here (choose from: {known}).")
            self.capability = capability
        self._filters_changed()
        for name in ("family", "kind"):
            if name not in state:
                continue
            value = ANY if state[name] is None else state[name]
            offered = [v for _, v in getattr(self, f"{name}_options")]
            if value not in offered:
                raise ValueError(
                    f"No {self.capability} model of {name} {value!r} here (choose from: {', '.join(offered[1:])})."
                )
            setattr(self, name, value)
        for name in JOB:
            if name in state:
                value = state[name]
                if value is None and name != "batch":
                    setattr(self, name, None)
                else:
                    setattr(self, name, positive_number(value, name, "pixels" if name in ("width", "height") else name))
        if "incomplete" in state:
            self.incomplete = bool(state["incomplete"])
            self._device_changed(keep_budget=True)
            self._filters_changed()
        if state.get("budget") is not None:
            budget = float(state["budget"])
            if budget > self.budget_max:
                self.budget_max = math.ceil(budget * 2) / 2
            self.budget = budget
        if "prefer" in state:
            if state["prefer"] not in PREFERENCES:
                raise ValueError(f"prefer must be one of {', '.join(PREFERENCES)}, not {state['prefer']!r}.")
            self.prefer = state["prefer"]

    def rerank(self) -> None:
        """Rank again for the current choices (pipelines and workflows) and select the top row."""
        self.ranked = self.rank()
        self.workflows = self.rank_workflows()
        self.choice = 0 if len(self.shown) else None

    def rank(self) -> pd.DataFrame:
        """The ranking for the current choices: the discovery's ``best_for``, then the family/kind filters.

        An empty ranking says why in ``attrs["reason"]`` (the picker shows it; no warning is emitted)."""
        if self.capability is None or self.budget <= 0:  # a zero budget fits nothing
            empty = pd.DataFrame(columns=["name", *RANK_COLUMNS])
            if self.capability is not None:
                empty.attrs["reason"] = f"Nothing that can do {self.capability} fits a budget of 0 GiB."
            return empty
        ranked = self._best_for(max_vram=self.budget, prefer=self.prefer)
        reason = ranked.attrs.get("reason")
        keep = pd.Series(True, index=ranked.index)
        if self.family != ANY:
            keep &= ranked["family"].fillna("").eq(self.family)
        if self.kind != ANY:
            keep &= ranked["kind"].fillna("").eq(self.kind)
        ranked = ranked[keep].reset_index(drop=True)
        ranked["rank"] = range(1, len(ranked) + 1)
        # "name": how the pipeline is shown (its generator, and the motion module it animates with)
        ranked.insert(1, "name", [pipeline_label(row) for _, row in ranked.iterrows()])
        if ranked.empty:
            chosen = " ".join(v for v in (self.family, self.kind) if v != ANY)
            ranked.attrs["reason"] = reason or (
                f"No {chosen} pipeline that can do {self.capability} fits {self.budget:.1f} GiB "
                f"(other families or kinds do: choose {ANY})."
            )
        return ranked

    def rank_workflows(self) -> pd.DataFrame:
        """The ready official workflow templates for the capability on the selected device within the budget.

        The discovery's ``best_workflow`` (its columns), official templates only, best first, renumbered. Each
        template runs its own job, so the picker's width/height/frames and family/kind filters do not apply.
        Empty without a capability, with a zero budget, or for a discovery that knows no workflows.
        """
        best = getattr(self.discovery, "best_workflow", None)
        if best is None or self.capability is None or self.budget <= 0:
            return pd.DataFrame(columns=list(RANKED_COLUMNS))
        ranked = best(self.capability, max_vram=self.budget, prefer=self.prefer, ready=True, **self._where())
        official = ranked[ranked["source"].eq("official")].reset_index(drop=True)
        official["rank"] = range(1, len(official) + 1)
        return official

    def _best_for(self, **options: Any) -> pd.DataFrame:
        """``best_for`` for the selected device, job and completeness; its reason stays in ``attrs["reason"]``
        instead of a warning on every control change."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NothingFitsWarning)
            return self.discovery.best_for(self.capability, ready=not self.incomplete, **self._where(), **self.job,
                                           **options)  # fmt: skip

    def _where(self) -> dict[str, Any]:
        """best_for's ``server`` and ``device`` for the selected hardware row."""
        row = self.device_row
        if row is None:
            return {"device": 0}
        return {"server": str(row["server"]), "device": int(row["device_index"])}

    # -- consistency -------------------------------------------------------
    def _server_models(self) -> pd.DataFrame:
        row = self.device_row
        return self._generators if row is None else self._generators[self._generators["server"].eq(row["server"])]

    def _device_changed(self, keep_budget: bool = False) -> None:
        """New device: offer its server's capabilities, reset the budget to the device's."""
        models = self._server_models()
        column = "capabilities" if self.incomplete else "jobs"
        present = {c for cell in models[column] for c in cell}
        self.capability_options = [c for c in CAPABILITIES if c in present]
        options = self.capability_options
        self.capability = self.capability if self.capability in options else (options[0] if options else None)
        row = self.device_row
        total = float(row["vram_total_gb"]) if row is not None and pd.notna(row["vram_total_gb"]) else 0.0
        budget = float(row["budget_gb"]) if row is not None and pd.notna(row["budget_gb"]) else None
        largest = float(models["vram_gb"].max()) if len(models) else 0.0
        start = self.budget if keep_budget else budget if budget is not None else max(total, largest)
        self.budget_max = math.ceil(max(total, largest, start, 1.0) * 2) / 2
        self.budget = float(start)

    def _filters_changed(self) -> None:
        """New capability: offer the families and kinds of the models that can do it; keep what still applies."""
        able = self.able()
        families = sorted(set(able["family"].fillna("").astype(str)))
        kinds = sorted(set(able["kind"].fillna("").astype(str)))
        self.family_options = [(ANY, ANY)] + [(f or "unknown", f) for f in families]
        self.kind_options = [(ANY, ANY)] + [(k or "unknown", k) for k in kinds]
        self.family = self.family if self.family in families else ANY
        self.kind = self.kind if self.kind in kinds else ANY
