"""Pipelines: what a server can actually run, with the parts each generator needs and the VRAM of a real job.

Building is split in two so that ranking with another budget or job costs little:

* :func:`plan_pipelines` (budget-independent, :mod:`._pipeline_plan`): which parts each generator needs, and for
  every part the installed files that satisfy it.
* :func:`evaluate` (per budget and job, :mod:`._pipeline_eval`): picks one file per part and computes peak VRAM.

This module is what the rest of the package imports; it adds what pipelines give the models table
(:func:`adapter_columns`) and a pipeline's short name (:func:`pipeline_label`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..inference._text_columns import as_text
from ..rules import _rules
from ._pipeline_eval import evaluate, ready_generators
from ._pipeline_plan import Job, Plan, _Codes, plan_pipelines

__all__ = ["Job", "Plan", "adapter_columns", "evaluate", "pipeline_label", "plan_pipelines"]

# Kinds that adapt a generator and so have a base family to run on (applies_to / orphan).
ADAPTER_KINDS = (
    "lora", "controlnet", "ipadapter", "embedding", "hypernetwork", "style_model", "gligen", "photomaker",
    "motion_module", "model_patch", "latent_upscale",
)  # fmt: skip


def adapter_columns(models: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """``applies_to`` (the base family an adapter runs on) and ``orphan`` (no ready generator of a family it
    runs on, on its server) for adapters and motion modules; "" and NA for every other file.

    ``plan`` is :func:`plan_pipelines` of ``models``.
    """
    adapter = _Codes(plan.cols["kind"]).among(ADAPTER_KINDS)
    family = plan.cols["family"]
    applies_to = np.where(adapter, family, "").astype(object)
    gen = plan.pipes["gen"][: int((plan.pipes["module"] < 0).sum())]
    plain = gen[ready_generators(plan)]
    runnable = set(zip(plan.cols["server"][plain].tolist(), plan.cols["family"][plain].tolist()))
    runs_on = _rules.adapter_bases()
    rows = np.flatnonzero(adapter & (family != ""))
    orphan = np.zeros(len(models), dtype=bool)
    if rows.size:
        # decided once per distinct (server, family), a handful per server
        servers, server_names = pd.factorize(plan.cols["server"][rows], use_na_sentinel=False)
        families, family_names = pd.factorize(family[rows])
        pairs, pair_of = np.unique(servers * len(family_names) + families, return_inverse=True)
        # a family the rules table does not list (a new one from the server's templates) runs on itself
        bases = [runs_on.get(f, (f,)) for f in family_names.tolist()]
        lone = np.array([
            not any((server_names[k // len(family_names)], base) in runnable for base in bases[k % len(family_names)])
            for k in pairs.tolist()
        ], dtype=bool)  # fmt: skip
        orphan[rows] = lone[pair_of.reshape(-1)]
    other = np.ones(len(models), dtype=bool)  # not an adapter with a family: NA
    other[rows] = False
    return pd.DataFrame({"applies_to": as_text(applies_to).array,
                         "orphan": pd.arrays.BooleanArray(orphan, other)}, index=models.index)  # fmt: skip


def pipeline_label(row: pd.Series | dict[str, object]) -> str:
    """A pipeline's short name: its generator, and the motion module it animates with."""
    generator = str(row["generator"] or "(no base)")
    module = str(row.get("module") or "")
    return f"{generator} + {module.rsplit('/', 1)[-1]}" if module else generator
