"""Why a ranking came back empty, and the remedy that would help.

When even the weights of the smallest capable pipeline exceed the budget, a smaller job cannot help: the
answer names an installed fp8/GGUF variant that would fit, or says none is installed. Otherwise it says
what the smallest pipeline needs for this job and how to shrink the job.
"""

from __future__ import annotations

import math

import pandas as pd

from ._budget import Budget
from ._pipelines import pipeline_label
from ._rank import job_labels

# Weights of a smaller release relative to 16-bit: fp8 about half, a GGUF Q4_K_M about 0.3
# (keys: the values of family_specs.csv's ``quantized`` column).
SMALLER = {"fp8": ("an fp8 file", 0.5), "gguf": ("a GGUF Q4_K_M", 0.3)}


def nothing_fits(
    able: pd.DataFrame, pipelines: pd.DataFrame, capability: str, budgets: list[Budget], *, ready: bool = True,
    explicit: bool = False, cli: bool = False,
) -> str:  # fmt: skip
    """The reason ``best_for`` is empty. ``able``: the ranking without a limit (same job, same ``ready``);
    ``pipelines``: every pipeline evaluated for the job; ``explicit``: the budget was ``max_vram``."""
    from ..support._safe_text import for_terminal

    what = "ready pipeline" if ready else "pipeline"
    if able.empty:
        hint = "" if not ready else " (--all also lists pipelines that miss a part)" if cli else \
            " (ready=False also lists pipelines that miss a part)"  # fmt: skip
        return f"No {what} on the server can do {capability}{hint}."
    smallest = able.loc[able["vram_gb"].idxmin()]
    budget = next((b for b in budgets if b.server == smallest["server"]), budgets[0] if budgets else None)
    limit = math.nan if budget is None or budget.limit is None else budget.limit
    flag = "--max-vram" if cli else "max_vram="
    named = (f"the {flag.rstrip('=')} budget of {limit:g} GiB" if explicit
             else f"the budget of {_described(budget, cli)}" if budget is not None else "the memory budget")  # fmt: skip
    if not smallest["vram_gb"] > limit:  # the smallest fits: something else ruled the rest out
        return f"Nothing that can do {capability} fits {named}."
    label = for_terminal(pipeline_label(smallest))
    lightest = able.loc[able["weights_gb"].idxmin()]
    if lightest["weights_gb"] > limit:
        return (
            f"No {what} that can do {capability} fits {named}: the weights alone are over it "
            f"(the lightest, {for_terminal(pipeline_label(lightest))}, holds {lightest['weights_gb']:.1f} GiB of "
            f"weights), so a smaller job will not help. {_smaller_variant(pipelines, capability, lightest, limit)}"
        )
    size = job_labels(able.loc[[smallest.name]]).iloc[0]
    shrink = "--width/--height/--frames/--batch" if cli else "width=, height=, frames=, batch="
    return (
        f"No {what} that can do {capability} fits {named}; the smallest, {label}, needs "
        f"{smallest['vram_gb']:.1f} GiB for this job ({size}) (pass {flag}{' ' if cli else ''}"
        f"{math.ceil(smallest['vram_gb'] * 10) / 10:g} or more, or shrink the job with {shrink})."
    )


def _described(budget: Budget, cli: bool) -> str:
    """The budget's words; the free-memory basis names the CLI's option when ``cli``."""
    text = budget.describe()
    return text.replace("(budget='free')", "(--budget free)") if cli else text


def _smaller_variant(pipelines: pd.DataFrame, capability: str, lightest: pd.Series, limit: float) -> str:
    """Name an installed fp8/GGUF pipeline of the capability that would fit, else say none is installed."""
    from ..support._safe_text import for_terminal
    from ._rank import holds

    smaller = pipelines[
        holds(pipelines["capabilities"], capability)
        & (pipelines["quant"].fillna("").ne("") | pipelines["precision"].fillna("").str.startswith("fp8"))
        & pipelines["weights_gb"].le(limit)
    ].sort_values("vram_gb")
    if len(smaller):
        pick = smaller.iloc[0]
        missing = ", ".join(pick["missing"]) if len(pick["missing"]) else ""
        state = f" but misses {missing}" if missing else f", though its job needs {pick['vram_gb']:.1f} GiB"
        return (f"The smaller variant {for_terminal(pipeline_label(pick))} ({pick['weights_gb']:.1f} GiB of "
                f"weights) is installed{state}.")  # fmt: skip
    releases = _quantized_releases(lightest)
    if not releases:  # an upscaler, an audio model, a family nobody quantises: no variant to point at
        return "Only a device with more memory (or a model with fewer weights) would run it."
    sizes = [(SMALLER[r][0], _about(lightest["weights_gb"] * SMALLER[r][1]), r) for r in releases]
    if lightest["kind"] == "checkpoint":  # one file today; a GGUF is a bare diffusion model
        parts = [f"{what} {size}" + (" (a bare diffusion model: it needs its text encoders and VAE beside it)"
                                     if release == "gguf" else " (a single file, like this one)")
                 for what, size, release in sizes]  # fmt: skip
        return f"No fp8 or GGUF variant that would fit is installed; of the same model, {' or '.join(parts)}."
    listed = ", ".join(f"{what} {size}" for what, size, _ in sizes)
    return (f"No fp8 or GGUF variant that would fit is installed; of the same model, {listed} "
            "(install one next to its text encoders and VAE).")


def _quantized_releases(pipeline: pd.Series) -> list[str]:
    """The smaller releases (fp8, gguf) of the pipeline's generator, from its family's rules; none for
    non-generators (upscalers ...) and families without such releases."""
    from ..rules import _rules

    kinds, specs = _rules.kinds(), _rules.family_specs()
    kind, family = pipeline.get("kind"), pipeline.get("family")
    if kind not in kinds.index or not kinds.at[kind, "generator"] or family not in specs.index:
        return []
    return [r for r in str(specs.at[family, "quantized"]).split(";") if r in SMALLER]


def _about(gib: float) -> str:
    """``about 3.2 GiB``; a size below the display's resolution is not shown as 0.0."""
    return f"about {gib:.1f} GiB" if gib >= 0.05 else "under 0.1 GiB"
