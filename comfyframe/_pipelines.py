"""Pipelines: what a server can actually run, with the parts each generator needs and the VRAM of a real job.

A pipeline is a generator (checkpoint or diffusion model) plus the installed files it needs, chosen by the
recipes in ``rules/recipes.csv`` (text encoders, VAE, CLIP vision, the other half of a two-expert model). A
motion module makes a pipeline of its own around the best base checkpoint it runs inside.

Building is split in two so that ranking with another budget or job costs little:

* :func:`plan_pipelines` (budget-independent): which parts each generator needs, and for every part the
  files on the same server that satisfy it, sorted by size. Rule tables are applied rule by rule over whole
  columns; nothing loops over models.
* :func:`evaluate` (per budget and job): picks one file per part and computes peak VRAM.

Choosing a part: within a part's candidates, the largest file (the highest precision) that keeps its phase
within the budget, assuming the other parts of that phase take their smallest files; when none fits, the
smallest. Expert halves prefer the generator's own precision and quant (fp8 high-noise with fp8 low-noise).

Peak VRAM, the way ComfyUI spends it (it loads the text encoders, encodes, and unloads what does not fit
before it loads the diffusion model; VAE decode comes last)::

    encode = text encoders + CLIP vision + audio encoder weights (a checkpoint's bundled share included)
    sample = diffusion weights (+ motion module) + activations(width, height, frames, batch, params)  (_job_memory)
    decode = VAE weights + VAE decode(width, height, frames): the whole latent where it fits the budget,
             else one tile, as ComfyUI falls back to tiled decoding                                   (_job_memory)
    vram_gb = max(encode, sample, decode)

Activations are ComfyUI's own sampling estimate (``memory_required`` on the doubled cond/uncond batch), sized
by the generator's parameters where a family's sizes differ (Wan 1.3B / 14B).

An all-in-one checkpoint's weights are split into diffusion / text-encoder / VAE shares by its family's
parameter counts (``family_specs.csv``). Expert halves swap in turn, so only one counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from . import _rules
from ._infer_normalize import on_distinct
from ._job_memory import activation_gb, job_defaults, vae_decode_gb
from ._regex_passes import contains_at, plain_texts
from ._schema import PIPELINES, from_columns, object_cells
from ._text_columns import as_text, concat, take, to_objects
from ._validate import positive_number

# Upscale models (ESRGAN & co.) run on their own: a pipeline of one file.
GENERATOR_KINDS = ("checkpoint", "diffusion_model", "upscale")
# Parts loaded for the encode phase, the decode phase; experts replace the generator while sampling.
ENCODE_ROLES = ("text_encoder", "clip_vision", "audio_encoder")
DECODE_ROLES = ("vae", "audio_vae")
# Kinds that adapt a generator and so have a base family to run on (applies_to / orphan).
ADAPTER_KINDS = (
    "lora", "controlnet", "ipadapter", "embedding", "hypernetwork", "style_model", "gligen", "photomaker",
    "motion_module", "model_patch", "latent_upscale",
)  # fmt: skip
T2I, I2I = "text_to_image", "image_to_image"
# AnimateDiff's default context: 16 frames sampled as one batch.
MOTION_FRAMES = 16
# Width key for the (group, weight) searchsorted: weights are GiB, far below this.
_SPAN = 1e6


@dataclass(frozen=True)
class Job:
    """Job size; ``None`` fields take each family's default (``rules/job_memory.csv``)."""

    width: float | None = None
    height: float | None = None
    frames: float | None = None
    batch: float = 1

    def __post_init__(self) -> None:
        for name, unit in (("width", "pixels"), ("height", "pixels"), ("frames", "frames"), ("batch", "images")):
            value = getattr(self, name)
            if value is not None or name == "batch":
                positive_number(value, name, unit)


@dataclass(frozen=True)
class Plan:
    """The budget-independent part of the pipelines of a ``models`` table.

    ``cols``: the model columns evaluation reads, as numpy arrays (converted once).
    ``pipes``: one row per generator (``gen`` = its row position in models) and per motion module
    (``module`` = its position; its base generator is chosen at evaluation). ``needs``: one row per
    (pipe, required part) with ``group`` = the candidate group on the pipe's server (-1: nothing installed).
    ``pipes`` and ``needs`` are columns of equal length (numpy arrays: no DataFrame is built to plan).
    ``cands``: candidate files sorted by (group, weight), ``like``: the same within (group, precision, quant).
    """

    cols: dict[str, np.ndarray]
    pipes: dict[str, np.ndarray]
    needs: dict[str, np.ndarray]
    cand_pos: np.ndarray
    cand_key: np.ndarray
    like_pos: np.ndarray
    like_key: np.ndarray
    like_groups: dict[tuple[int, str, str], int]


# --------------------------------------------------------------------------- planning


def plan_pipelines(models: pd.DataFrame) -> Plan:
    """Which parts each generator needs and which installed files can be each part (see module docstring)."""
    cols = _column_arrays(models)  # models are read by position only: no re-indexed copy
    kind, family = cols["kind"], cols["family"]
    server = pd.factorize(cols["server"], use_na_sentinel=False)[0]
    spec_of_rule, specs = _rule_specs()
    rule_columns = _rule_columns()
    kinds = _Codes(kind)
    text = _normalised_paths(models, np.flatnonzero(kinds.among(_wanted_kinds())))
    labels = _labels(cols["variant"])
    gen = np.flatnonzero(kinds.among(GENERATOR_KINDS))
    modules = np.flatnonzero(kinds.among(("motion_module",)))

    pipe_of_need, rule_of_need = _needs(gen, kind, family, text, labels)

    # Candidate files per (server, spec): a spec is a distinct file condition of the recipe table.
    by_kind = {k: np.flatnonzero(kinds.codes == code) for k, code in kinds.index.items()}
    families = _Codes(family)
    spec_cands = [_spec_matches(spec, by_kind, families, text, labels) for spec in _parsed_specs()]
    cand_spec = np.concatenate([np.full(c.size, s, dtype=np.int64) for s, c in enumerate(spec_cands)] or [np.zeros(0, np.int64)])
    cand_file = np.concatenate(spec_cands or [np.zeros(0, np.int64)])
    weight, name = cols["weights_gb"], cols["name"]
    group_key = server[cand_file] * len(specs) + cand_spec
    group_of, groups = pd.factorize(group_key)
    order = np.lexsort((name[cand_file].astype(str), weight[cand_file], group_of))
    cand_pos, cand_key = cand_file[order], group_of[order] * _SPAN + weight[cand_file[order]]

    precision, quant = cols["precision"], cols["quant"]
    # (group, precision, quant) of each candidate as one int key: codes in order of first appearance
    prec_of, precs = pd.factorize(precision[cand_file])
    quant_of, quants = pd.factorize(quant[cand_file])
    n_prec, n_quant = max(len(precs), 1), max(len(quants), 1)
    like_of, like_keys = pd.factorize((group_of * n_prec + prec_of) * n_quant + quant_of)
    like_order = np.lexsort((name[cand_file].astype(str), weight[cand_file], like_of))
    like_pos, like_key = cand_file[like_order], like_of[like_order] * _SPAN + weight[cand_file[like_order]]

    pipes = {
        "gen": np.concatenate([gen, np.full(modules.size, -1)]),
        "module": np.concatenate([np.full(gen.size, -1), modules]),
    }
    pipe_server = server[np.concatenate([gen, modules])]
    spec = spec_of_rule[rule_of_need]
    lookup = pd.Index(groups)
    group = lookup.get_indexer(pipe_server[pipe_of_need] * len(specs) + spec) if len(pipe_of_need) else pipe_of_need
    # A generator listing the same part twice (two rules for one part) needs it once.
    labels_of, label_names = pd.factorize(rule_columns["label"][rule_of_need])
    first = np.sort(np.unique(pipe_of_need * max(len(label_names), 1) + labels_of, return_index=True)[1])
    rule = rule_of_need[first]
    needs = {
        "pipe": pipe_of_need[first], "rule": rule, "group": group[first],
        **{column: values[rule] for column, values in rule_columns.items()},
    }  # fmt: skip
    like_groups = {(int(k // (n_prec * n_quant)), str(precs[k // n_quant % n_prec]), str(quants[k % n_quant])): i
                   for i, k in enumerate(like_keys.tolist())}  # fmt: skip
    return Plan(cols, pipes, needs, cand_pos, cand_key, like_pos, like_key, like_groups)


STRING_COLUMNS = ("server", "folder", "name", "kind", "family", "variant", "precision", "quant")


def _column_arrays(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns planning and evaluation read, converted to numpy once."""
    cols = {c: to_objects(frame[c]) for c in STRING_COLUMNS}
    weights = frame["weights_gb"].to_numpy(dtype=np.float64, na_value=np.nan)
    cols["weights_gb"] = np.where(np.isnan(weights), 0.0, weights)
    cols["params_b"] = frame["params_b"].to_numpy(dtype=np.float64, na_value=np.nan)
    cols["quality"] = frame["quality"].to_numpy(dtype=object)
    cols["capabilities"] = frame["capabilities"].to_numpy(dtype=object)
    return cols


def _needs(gen: np.ndarray, kind: np.ndarray, family: np.ndarray, text: _Paths, labels: _Labels) -> tuple[np.ndarray, np.ndarray]:
    """(pipe, recipe row) of every part a generator needs; rule by rule over the generators of its family."""
    need_pipe: list[np.ndarray] = []
    need_rule: list[np.ndarray] = []
    of_family = _Codes(family[gen])
    for fam, rules in _recipes_by_family():
        code = of_family.index.get(fam)
        if code is None:  # no generator of this family
            continue
        pipe = np.flatnonzero(of_family.codes == code)  # a generator's pipe index is its index in gen
        members = gen[pipe]
        checkpoint = kind[members] == "checkpoint"
        searched: dict[str, np.ndarray] = {}  # each pattern searched once per family (rules share them)
        for i, rule in rules:
            hit = np.ones(members.size, dtype=bool)
            for label in rule["when_labels"]:
                hit &= labels.has(members, label)
            for label in rule["unless_labels"]:
                hit &= ~labels.has(members, label)
            if rule["generator_pattern"]:
                hit &= _search(searched, text, members, rule["generator_pattern"])
            if rule["generator_exclude"]:
                hit &= ~_search(searched, text, members, rule["generator_exclude"])
            bundled = rule["bundled"]  # what an all-in-one checkpoint holds, it does not need
            if bundled == "always":
                hit &= ~checkpoint
            elif bundled != "never":
                hit &= ~(checkpoint & _search(searched, text, members, bundled))
            need_pipe.append(pipe[hit])
            need_rule.append(np.full(int(hit.sum()), i, dtype=np.int64))
    empty = np.zeros(0, dtype=np.int64)
    return (np.concatenate(need_pipe) if need_pipe else empty), (np.concatenate(need_rule) if need_rule else empty)


def _search(done: dict[str, np.ndarray], text: _Paths, rows: np.ndarray, pattern: str) -> np.ndarray:
    """``text.contains(rows, pattern)``, searched once per pattern for one set of ``rows``."""
    if pattern not in done:
        done[pattern] = text.contains(rows, pattern)
    return done[pattern]


@cache
def _rule_columns() -> dict[str, np.ndarray]:
    """Per recipe row: the ``needs`` columns it gives (role, label, optional, for_job). Derived from the rule
    table once."""
    recipes = _rules.recipes()
    return {
        "role": recipes["role"].to_numpy(dtype=object),
        "label": (recipes["role"] + ":" + recipes["component"]).to_numpy(dtype=object),
        "optional": recipes["optional"].to_numpy(dtype=bool),
        "for_job": recipes["for_job"].to_numpy(dtype=object),
    }  # fmt: skip


@cache
def _wanted_kinds() -> tuple[str, ...]:
    """Every kind a recipe reads, generators included."""
    return tuple(sorted({k for spec in _rule_specs()[1] for k in spec[0].split(";")} | set(GENERATOR_KINDS)))


@cache
def _recipes_by_family() -> list[tuple[str, list[tuple[int, dict[str, Any]]]]]:
    """The recipe rules grouped by family (table order), each as (row, its fields, ``when`` and ``unless`` split
    into ``when_labels`` and ``unless_labels``): read once, not per plan."""
    recipes = _rules.recipes()
    records = [{**r, "when_labels": tuple(filter(None, r["when"].split(";"))),
                "unless_labels": tuple(filter(None, r["unless"].split(";")))} for r in recipes.to_dict("records")]  # fmt: skip
    return [(fam, [(int(i), records[int(i)]) for i in rows])
            for fam, rows in recipes.groupby("family", sort=False).indices.items()]  # fmt: skip


@dataclass(frozen=True)
class _Paths:
    """Normalised names of the models (see :func:`_normalised_paths`), also as Python str when plain."""

    series: pd.Series
    plain: list[str] | None

    def contains(self, rows: np.ndarray, pattern: str) -> np.ndarray:
        return contains_at(self.series, rows, pattern, self.plain)


def _normalised_paths(frame: pd.DataFrame, rows: np.ndarray) -> _Paths:
    """Normalised names of ``rows`` (the kinds recipes look at), "" for the others."""
    path = frame["path"] if "path" in frame.columns else frame["name"]
    codes, distinct = on_distinct(take(as_text(path), rows))
    at = np.full(len(frame), len(distinct), dtype=np.int64)  # the other rows: the "" after the distinct names
    at[rows] = codes
    series = take(concat([distinct, as_text([""])]), at)
    return _Paths(series, plain_texts(series))


@dataclass(frozen=True)
class _Labels:
    """Variant labels of each model, as one boolean column per label asked for (built once per distinct value)."""

    codes: np.ndarray
    distinct: list[str]  # ";label;label;" per distinct variant
    tables: dict[str, np.ndarray]

    def has(self, rows: np.ndarray, label: str) -> np.ndarray:
        table = self.tables.get(label)
        if table is None:
            needle = f";{label};"
            table = self.tables[label] = np.array([needle in v for v in self.distinct], dtype=bool)
        return table[self.codes[rows]]

    def has_all(self, rows: np.ndarray, labels: str) -> np.ndarray:
        out = np.ones(rows.size, dtype=bool)
        for label in filter(None, labels.split(";")):
            out &= self.has(rows, label)
        return out


def _labels(variant: np.ndarray) -> _Labels:
    """``variant``: str cells (NA as "")."""
    codes, distinct = pd.factorize(variant)
    return _Labels(codes, [f";{v};" for v in distinct.tolist()], {})


SPEC_COLUMNS = ("kinds", "families", "pattern", "exclude", "needs")


@cache
def _rule_specs() -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """:func:`_specs` of the recipe table, once."""
    return _specs(_rules.recipes())


def _specs(recipes: pd.DataFrame) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """(spec index of every recipe row, distinct file conditions)."""
    keys = list(zip(*(recipes[c] for c in SPEC_COLUMNS)))
    distinct = list(dict.fromkeys(keys))
    index = {k: i for i, k in enumerate(distinct)}
    return np.array([index[k] for k in keys], dtype=np.int64), distinct


@cache
def _parsed_specs() -> list[tuple[tuple[str, ...], tuple[str, ...], str, str, str]]:
    """The recipe table's file conditions with their kinds and families split: read once, not per plan."""
    return [(tuple(kinds.split(";")), tuple(families.split(";")) if families else (), pattern, exclude, needs)
            for kinds, families, pattern, exclude, needs in _rule_specs()[1]]  # fmt: skip


class _Codes:
    """A text column as codes into its distinct values: a membership test is then one table lookup per row."""

    def __init__(self, values: np.ndarray) -> None:
        self.codes, names = pd.factorize(values)
        self.index = {name: i for i, name in enumerate(names.tolist())}

    def isin(self, rows: np.ndarray, values: tuple[str, ...]) -> np.ndarray:
        """Is each of ``rows`` one of ``values``."""
        return self._allowed(values)[self.codes[rows]]

    def among(self, values: tuple[str, ...]) -> np.ndarray:
        """Is each row one of ``values``."""
        return self._allowed(values)[self.codes]

    def _allowed(self, values: tuple[str, ...]) -> np.ndarray:
        allowed = np.zeros(len(self.index) + 1, dtype=bool)  # the last slot: NA (code -1), never allowed
        allowed[[self.index[v] for v in values if v in self.index]] = True
        return allowed


_NO_ROWS = np.zeros(0, dtype=np.int64)


def _spec_matches(
    spec: tuple[tuple[str, ...], tuple[str, ...], str, str, str], by_kind: dict[str, np.ndarray], families: _Codes,
    text: _Paths, labels: _Labels,
) -> np.ndarray:  # fmt: skip
    """Row positions of the files that satisfy one part's file condition."""
    kinds, family_names, pattern, exclude, needs = spec
    if len(kinds) == 1:  # already in row order
        rows = by_kind.get(kinds[0], _NO_ROWS)
    else:
        rows = np.sort(np.concatenate([by_kind.get(k, _NO_ROWS) for k in kinds]))
    if family_names and rows.size:
        rows = rows[families.isin(rows, family_names)]
    if rows.size and (pattern or exclude):
        keep = np.ones(rows.size, dtype=bool)
        if pattern:
            keep &= text.contains(rows, pattern)
        if exclude:
            keep &= ~text.contains(rows, exclude)
        rows = rows[keep]
    if needs and rows.size:
        rows = rows[labels.has_all(rows, needs)]
    return rows


# --------------------------------------------------------------------------- evaluation


def evaluate(plan: Plan, budget: pd.Series | dict[str, float] | float | None, job: Job | None = None) -> pd.DataFrame:
    """The pipelines table for a memory budget (GiB, per server or one for all; None = unlimited) and a job."""
    job = job or Job()
    n_gen = int((plan.pipes["module"] < 0).sum())
    gen_pos = plan.pipes["gen"][:n_gen]
    server = plan.cols["server"]
    budgets = _budgets(budget, server[gen_pos])
    choice = _choose(plan, budgets, n_gen)
    gens = _generator_rows(plan, gen_pos, choice, job, budgets)
    modules = _module_rows(plan, gens, job, _budgets(budget, server[plan.pipes["module"][n_gen:]]))
    table = pd.concat([gens, modules], ignore_index=True) if len(modules) else gens
    for column in ("weights_gb", "activations_gb", "encode_gb", "decode_gb", "vram_gb"):
        table[column] = table[column].astype("float64").round(2)
    return from_columns(PIPELINES, {c: table[c].to_numpy() for c in table.columns}, len(table))


def _budgets(budget: pd.Series | dict[str, float] | float | None, servers: np.ndarray) -> np.ndarray:
    if budget is None:
        return np.full(servers.size, np.inf)
    if isinstance(budget, (int, float)):
        return np.full(servers.size, float(budget))
    mapping = pd.Series(budget, dtype="float64")
    values = mapping.reindex(servers).to_numpy(dtype=np.float64)
    return np.where(np.isnan(values), np.inf, values)


def _choose(
    plan: Plan, budgets: np.ndarray, n_gen: int
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Pick one file per need: (chosen needs, missing labels, jobs lost to missing parts, count of missing parts
    that block every job, and GiB per pipe of the encode / decode / expert parts)."""
    generator = plan.needs["pipe"] < n_gen
    needs = {column: values[generator] for column, values in plan.needs.items()}
    weight = plan.cols["weights_gb"]
    group = needs["group"]
    found = group >= 0
    pipe = needs["pipe"]
    # The smallest file of each part, then the room the other parts of its phase leave it.
    smallest = np.zeros(pipe.size)
    first = np.searchsorted(plan.cand_key, group[found] * _SPAN)
    smallest[found] = weight[plan.cand_pos[first]]
    role = needs["role"]
    phase = np.where(np.isin(role, ENCODE_ROLES), 0, np.where(np.isin(role, DECODE_ROLES), 1, 2))
    phase_min = pd.Series(smallest).groupby([pipe, phase]).transform("sum").to_numpy()
    room = budgets[pipe] - (phase_min - smallest)
    pos = np.full(pipe.size, -1, dtype=np.int64)
    pos[found] = _pick(plan.cand_key, plan.cand_pos, group[found], room[found])
    pos = _prefer_like(plan, needs, pos, room, found)
    chosen = {column: values[found] for column, values in {**needs, "pos": pos}.items()}
    missing, job_lost, blocking = _missing(needs, found, n_gen)
    w = weight[chosen["pos"]]
    role = chosen["role"]
    at = chosen["pipe"]
    phases = {
        name: np.bincount(at, weights=np.where(np.isin(role, roles), w, 0.0), minlength=n_gen)
        for name, roles in (("encode", ENCODE_ROLES), ("decode", DECODE_ROLES), ("expert", ("expert",)))
    }
    return chosen, missing, job_lost, blocking, phases


def _missing(
    needs: dict[str, np.ndarray], found: np.ndarray, n_gen: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(missing labels, jobs lost to missing parts, count of missing parts that block every job) per generator."""
    miss = ~found & ~needs["optional"]
    missing = group_tuples(needs["pipe"][miss], needs["label"][miss], n_gen)
    job_lost, blocking = _lost(needs, miss, n_gen)
    return missing, job_lost, blocking


def _lost(needs: dict[str, np.ndarray], miss: np.ndarray, n_gen: int) -> tuple[np.ndarray, np.ndarray]:
    """(jobs lost to missing parts, count of missing parts that block every job) per generator; ``miss``: which
    needs are missing (not found, not optional)."""
    pipe = needs["pipe"][miss]
    for_job = needs["for_job"][miss]
    scoped = for_job != ""
    blocking = np.bincount(pipe[~scoped], minlength=n_gen)
    jobs, job_names = pd.factorize(for_job[scoped])
    _, first = np.unique(pipe[scoped] * max(len(job_names), 1) + jobs, return_index=True)  # each (pipe, job) once
    job_lost = group_tuples(pipe[scoped][first], for_job[scoped][first], n_gen)
    return job_lost, blocking


def _ready(
    cols: dict[str, np.ndarray], gen: np.ndarray, blocking: np.ndarray, lost: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ready, capabilities, unknown) per generator: ready when no part blocks it and a job is left.

    ``unknown``: a bare diffusion model nothing identifies; nobody can say which encoders and VAE it needs.
    None of this depends on the budget or the job.
    """
    unknown = (cols["family"][gen] == "") & (cols["kind"][gen] == "diffusion_model")
    capabilities = sorted_tuples(cols["capabilities"][gen])
    blocked = blocking[: gen.size] != 0
    return ~unknown & ~blocked & _some_job_left(capabilities, lost), capabilities, unknown


def group_tuples(group: np.ndarray, labels: np.ndarray, n: int) -> np.ndarray:
    """Per group 0..n-1, the sorted tuple of its ``labels`` (``()`` for none).

    One sort, then one tuple built per distinct combination (thousands of generators share a few).
    """
    out = _filled(n, ())
    if not len(group):
        return out
    codes, names = pd.factorize(labels, sort=True)
    order = np.lexsort((codes, group))
    group, codes = group[order], codes[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    chunks = np.split(codes, starts[1:])
    keys, inverse = np.unique(np.array([c.tobytes() for c in chunks], dtype=object), return_inverse=True)
    table = _cells([tuple(names[chunks[i]]) for i in _first_of(inverse, len(keys))])
    out[group[starts]] = table[inverse]
    return out


def _first_of(inverse: np.ndarray, n: int) -> np.ndarray:
    """Index of the first occurrence of each of ``n`` codes in ``inverse``."""
    first = np.full(n, -1, dtype=np.int64)
    first[inverse[::-1]] = np.arange(len(inverse))[::-1]
    return first


def _pick(keys: np.ndarray, positions: np.ndarray, group: np.ndarray, room: np.ndarray) -> np.ndarray:
    """Per part: the largest file of its group within ``room`` GiB, else the group's smallest file.

    ``keys`` are ``group * _SPAN + weight``, sorted, so both ends are one ``searchsorted`` away.
    """
    first = np.searchsorted(keys, group * _SPAN)
    last = np.searchsorted(keys, group * _SPAN + np.clip(room, -1.0, _SPAN / 2), side="right") - 1
    return positions[np.where(last >= first, last, first)]


def _prefer_like(
    plan: Plan, needs: dict[str, np.ndarray], pos: np.ndarray, room: np.ndarray, found: np.ndarray
) -> np.ndarray:
    """Experts take a file of the generator's own precision and quant when one is installed."""
    expert = np.flatnonzero(found & (needs["role"] == "expert"))
    if not expert.size:
        return pos
    gen = plan.pipes["gen"][needs["pipe"][expert]]
    precision, quant = plan.cols["precision"][gen], plan.cols["quant"][gen]
    groups = needs["group"][expert]
    # one dict lookup per expert half (a handful per server), not per model
    like = np.array([plan.like_groups.get((int(g), str(p), str(q)), -1) for g, p, q in zip(groups, precision, quant)])
    has = like >= 0
    out = pos.copy()
    out[expert[has]] = _pick(plan.like_key, plan.like_pos, like[has], room[expert[has]])
    return out


def _shares(kind: np.ndarray, family: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(diffusion, text encoder, VAE) share of a file's weights: checkpoints split by family parameters."""
    codes = _rules.codes(family, _rules.FAMILY_CODE)
    params = _rules.by_family("params_b", np.nan).astype(np.float64)[codes]
    te = _rules.by_family("te_params_b", 0.0).astype(np.float64)[codes]
    vae = _rules.by_family("vae_params_b", 0.0).astype(np.float64)[codes]
    total = params + te + vae
    checkpoint = (kind == "checkpoint") & ~np.isnan(total) & (total > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        dm = np.where(checkpoint, params / total, 1.0)
        te_share = np.where(checkpoint, te / total, 0.0)
    return dm, te_share, 1.0 - dm - te_share


def _job_size(family: np.ndarray, job: Job) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    codes = _rules.codes(family, _rules.FAMILY_CODE)
    width, height, frames = job_defaults(codes)
    pick = lambda given, default: np.full(codes.size, float(given)) if given is not None else default  # noqa: E731
    return codes, pick(job.width, width), pick(job.height, height), pick(job.frames, frames)


def _generator_rows(
    plan: Plan, gen: np.ndarray,
    choice: tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]], job: Job,
    budgets: np.ndarray,
) -> pd.DataFrame:  # fmt: skip
    chosen, missing, job_lost, blocking, phases = choice
    cols = plan.cols
    n = gen.size
    kind = cols["kind"][gen]
    family = cols["family"][gen]
    weights = cols["weights_gb"][gen]
    dm, te_share, vae_share = _shares(kind, family)
    codes, width, height, frames = _job_size(family, job)
    params = cols["params_b"][gen]  # sizes within a family differ (Wan 1.3B / 14B): job_memory_variants.csv
    upscaler = kind == "upscale"
    act = activation_gb(codes, width, height, frames, job.batch, params_b=params)
    up = np.flatnonzero(upscaler)  # few servers hold many upscalers: the name pass runs on those only
    if up.size:
        act = act.copy()
        act[up] = _upscale_gb(cols["name"][gen][up], width[up], height[up], job.batch)
    decode_vae = phases["decode"] + weights * vae_share
    encode_gb = phases["encode"] + weights * te_share
    diffusion_gb = weights * dm
    decode = _decode(codes, width, height, frames, job.batch, params, decode_vae, budgets)
    decode_gb = decode_vae + np.where(upscaler, 0.0, decode)  # an upscale model works on pixels: no VAE
    ready, capabilities, unknown = _ready(cols, gen, blocking, job_lost)
    miss = missing.copy()
    miss[unknown] = _filled(int(unknown.sum()), ("recipe:unknown_family",))
    lost = job_lost
    comp = group_tuples(chosen["pipe"], _component_names(cols, chosen["pos"]), n)
    return pd.DataFrame({
        "server": cols["server"][gen],
        "generator_folder": cols["folder"][gen],
        "generator": cols["name"][gen],
        "module": np.full(n, "", dtype=object),
        "kind": kind, "family": family,
        "variant": cols["variant"][gen],
        "capabilities": capabilities, "jobs": _jobs(capabilities, lost, ready),
        "components": comp, "missing": miss, "ready": ready,
        "precision": cols["precision"][gen],
        "quant": cols["quant"][gen],
        "quality": cols["quality"][gen],
        "weights_gb": diffusion_gb, "activations_gb": act, "encode_gb": encode_gb, "decode_gb": decode_gb,
        "vram_gb": np.fmax(np.fmax(encode_gb, diffusion_gb + act), decode_gb),
        "width": width, "height": height, "frames": frames, "batch": np.full(n, float(job.batch)),
        "_vae_gb": decode_vae, "_params": params,
    })  # fmt: skip


def _cells(values: list[tuple[str, ...]]) -> np.ndarray:
    """Tuples as the cells of an object array (numpy would read equal-length tuples as a second axis)."""
    return object_cells(values, len(values))


def _filled(n: int, value: tuple[str, ...]) -> np.ndarray:
    """An object array of ``n`` cells all holding ``value`` (a tuple must not become a second axis)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


# ComfyUI's ImageUpscaleWithModel frees memory for a 512-pixel tile before it upscales:
# tile² × 3 channels × 4 bytes × scale × 384 (its own estimate of what such models take), plus the input image.
UPSCALE_TILE = 512
UPSCALE_FACTOR = 384.0
SCALE_TOKEN = r"(?:^|[^a-z0-9])(?:([1248])x|x([1248]))(?:[^a-z0-9]|$)"


def _upscale_gb(names: np.ndarray, width: np.ndarray, height: np.ndarray, batch: float) -> np.ndarray:
    """Memory an upscale model's job takes beside its weights, GiB, as ComfyUI estimates it (scale from the name's
    "4x" / "x2" token; 4 when the name has none)."""
    found = pd.Series(names, dtype=object).astype(str).str.lower().str.extract(SCALE_TOKEN)
    scale = pd.to_numeric(found[0].fillna(found[1]), errors="coerce").fillna(4.0).to_numpy(dtype=np.float64)
    tile = UPSCALE_TILE * UPSCALE_TILE * 3 * 4.0 * scale * UPSCALE_FACTOR
    image = width * height * 3 * 4.0 * batch
    return (tile + image) / float(1 << 30)


def _decode(
    codes: np.ndarray, width: np.ndarray, height: np.ndarray, frames: np.ndarray | float, batch: float,
    params: np.ndarray | None, vae_gb: np.ndarray, budgets: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """VAE decode memory as ComfyUI spends it: the whole latent at once where that fits the budget, else
    one tile (ComfyUI falls back to tiled decoding by itself when a full decode runs out of memory)."""
    full = vae_decode_gb(codes, width, height, frames, batch, params_b=params)
    tiled = vae_decode_gb(codes, width, height, frames, batch, tiled=True, params_b=params)
    return np.where(vae_gb + full <= budgets, full, np.minimum(full, tiled))


def _module_rows(plan: Plan, gens: pd.DataFrame, job: Job, budgets: np.ndarray) -> pd.DataFrame:
    """One pipeline per motion module, around the best base generator of a family it runs inside.

    The base is the ready text-to-image generator of the highest quality (then the smallest) on the module's
    server; frames run as one batch through the base model, as AnimateDiff does.
    """
    modules = plan.pipes["module"][plan.pipes["module"] >= 0]
    if not modules.size:
        return gens.iloc[0:0]
    cols = plan.cols
    bases = gens[gens["capabilities"].map(lambda caps: T2I in caps).to_numpy(dtype=bool)]
    bases = bases.assign(_q=pd.to_numeric(bases["quality"], errors="coerce").fillna(0))
    bases = bases.sort_values(["ready", "_q", "vram_gb", "generator"], ascending=[False, False, True, True], kind="stable")
    best = bases.drop_duplicates(["server", "family"]).set_index(["server", "family"])
    runs_on = _rules.adapter_bases()
    family = cols["family"][modules]
    wanted = pd.DataFrame({
        "m": np.arange(modules.size), "server": cols["server"][modules],
        "family": pd.Series(family, dtype=object).map(runs_on).to_numpy(),
    }).explode("family").dropna(subset=["family"])  # fmt: skip
    found = wanted.join(best, on=["server", "family"], how="inner")
    found = found.sort_values(["m", "ready", "_q", "vram_gb"], ascending=[True, False, False, True], kind="stable")
    base = found.drop_duplicates("m").set_index("m").reindex(pd.RangeIndex(modules.size))
    has = base["generator"].notna().to_numpy()

    n = modules.size
    module_names = _component_names(cols, modules)
    base_family = np.where(has, base["family"].fillna("").to_numpy(dtype=object), family)
    codes, width, height, _ = _job_size(base_family, job)
    frames = float(job.frames) if job.frames is not None else float(MOTION_FRAMES)
    batch = frames * float(job.batch)
    act = activation_gb(codes, width, height, np.ones(n), batch, params_b=base["_params"].astype("float64").to_numpy())
    module_gb = cols["weights_gb"][modules]
    weights = base["weights_gb"].astype("float64").fillna(0.0).to_numpy() + module_gb
    encode_gb = base["encode_gb"].astype("float64").fillna(0.0).to_numpy()
    vae_gb = base["_vae_gb"].astype("float64").fillna(0.0).to_numpy()
    decode_gb = vae_gb + _decode(codes, width, height, np.ones(n), batch, None, vae_gb, budgets)
    base_components = np.where(has, base["components"].to_numpy(dtype=object), None)
    base_missing = np.where(has, base["missing"].to_numpy(dtype=object), None)
    components = _cells([tuple(sorted((c or ()) + (m,))) for c, m in zip(base_components, module_names)])
    missing = _cells([tuple(m) if ok else (f"base:{f or 'unknown'}",) for m, ok, f in zip(base_missing, has, family)])
    ready = has & base["ready"].fillna(False).to_numpy(dtype=bool)
    capabilities = sorted_tuples(cols["capabilities"][modules])
    return pd.DataFrame({
        "server": cols["server"][modules],
        "generator_folder": base["generator_folder"].fillna("").to_numpy(dtype=object),
        "generator": base["generator"].fillna("").to_numpy(dtype=object),
        "module": module_names,
        "kind": base["kind"].fillna("").to_numpy(dtype=object),
        "family": base_family,
        "variant": cols["variant"][modules],
        "capabilities": capabilities,
        "jobs": np.where(ready, capabilities, _filled(n, ())),
        "components": components, "missing": missing, "ready": ready,
        "precision": base["precision"].fillna("").to_numpy(dtype=object),
        "quant": base["quant"].fillna("").to_numpy(dtype=object),
        "quality": cols["quality"][modules],
        "weights_gb": weights, "activations_gb": act, "encode_gb": encode_gb, "decode_gb": decode_gb,
        "vram_gb": np.fmax(np.fmax(encode_gb, weights + act), decode_gb),
        "width": width, "height": height, "frames": np.full(n, frames), "batch": np.full(n, float(job.batch)),
    })  # fmt: skip


def _component_names(cols: dict[str, np.ndarray], pos: np.ndarray) -> np.ndarray:
    return (cols["folder"][pos] + "/" + cols["name"][pos]).astype(object)


def sorted_tuples(cells: np.ndarray) -> np.ndarray:
    """Set-valued cells as sorted tuples of str (converted once per distinct cell)."""
    try:
        codes, distinct = pd.factorize(cells)
    except TypeError:  # unhashable cells (lists, after a Parquet round trip)
        codes, distinct = pd.factorize(pd.Series(cells, dtype=object).map(tuple).to_numpy())
    return _cells([tuple(sorted(map(str, cell))) for cell in distinct])[codes]


def _some_job_left(capabilities: np.ndarray, lost: np.ndarray) -> np.ndarray:
    """False where missing parts took every capability the generator has."""
    codes, distinct = pd.factorize(_cells(list(zip(capabilities, lost))))
    table = np.array([not caps or bool(set(caps) - set(gone)) for caps, gone in distinct], dtype=bool)
    return table[codes]


def _jobs(capabilities: np.ndarray, lost: np.ndarray, ready: np.ndarray) -> np.ndarray:
    """What a ready pipeline can run: its capabilities less the jobs a missing part takes, plus img2img by denoising."""
    keys = pd.Series(list(zip(capabilities, lost, ready)), dtype=object)
    codes, distinct = pd.factorize(keys)
    table = np.empty(len(distinct), dtype=object)
    for i, (caps, gone, ok) in enumerate(distinct):  # once per distinct (capabilities, lost, ready), not per row
        can = set(caps) - set(gone) if ok else set()
        if T2I in can:
            can.add(I2I)
        table[i] = tuple(sorted(can))
    return table[codes]


def ready_generators(plan: Plan) -> np.ndarray:
    """Per generator of the plan (``pipes`` rows without a module): is its pipeline ready, as in :func:`evaluate`.

    Readiness does not depend on the budget or the job, so this needs no evaluation.
    """
    n_gen = int((plan.pipes["module"] < 0).sum())
    needs = plan.needs  # every need is a generator's: motion modules borrow their base's parts
    job_lost, blocking = _lost(needs, (needs["group"] < 0) & ~needs["optional"], n_gen)
    return _ready(plan.cols, plan.pipes["gen"][:n_gen], blocking, job_lost)[0]


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
        lone = np.array([
            not any((server_names[k // len(family_names)], base) in runnable
                    for base in runs_on.get(family_names[k % len(family_names)], ()))
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
