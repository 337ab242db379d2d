"""Planning pipelines: which parts each generator needs and which installed files can be each part.

A pipeline is a generator (checkpoint or diffusion model) plus the installed files it needs, chosen by the
recipes in ``rules/recipes.csv`` (text encoders, VAE, CLIP vision, the other half of a two-expert model); a generator
of a family recipes.csv lacks, named by an official template of its server, by that template's files
(:mod:`._template_recipes`). A motion module makes a pipeline of its own around the best base checkpoint it
runs inside.

:func:`plan_pipelines` is budget-independent: which parts each generator needs, and for every part the files on
the same server that satisfy it, sorted by size. Rule tables are applied rule by rule over whole columns; nothing
loops over models. Picking one file per part and the peak VRAM of a job are in :mod:`._pipeline_eval`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from ..inference._infer_normalize import on_distinct
from ..inference._regex_passes import contains_at, plain_texts
from ..inference._text_columns import as_text, concat, take, to_objects
from ..rules import _rules
from ..support._validate import positive_number
from ._template_recipes import template_needs

# Upscale models (ESRGAN & co.) run on their own: a pipeline of one file.
GENERATOR_KINDS = ("checkpoint", "diffusion_model", "upscale")
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
                if name != "frames" and not float(value).is_integer():  # frames are seconds for audio
                    raise ValueError(f"{name} must be a whole number of {unit}, not {value!r}.")


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


def plan_pipelines(models: pd.DataFrame, templates: pd.DataFrame | None = None) -> Plan:
    """Which parts each generator needs and which installed files can be each part (see module docstring).

    ``templates``: the servers' template references (tables/_templates.py): generators of families recipes.csv
    does not know take their parts from the official templates naming them (:mod:`._template_recipes`).
    """
    cols = _column_arrays(models)  # models are read by position only: no re-indexed copy
    # A broken file (empty, unreadable header) is neither a generator nor a part: it gets no kind here.
    kind = np.where(cols["broken"], "", cols["kind"]).astype(object) if cols["broken"].any() else cols["kind"]
    family = cols["family"]
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
    told = template_needs(models, gen, templates)
    # each installed template part is a candidate group of its own (one exact file), after the recipe groups
    part_group, part_rows = pd.factorize(told["part"][told["part"] >= 0])
    if len(part_rows):
        cand_pos = np.concatenate([cand_pos, part_rows])
        cand_key = np.concatenate([cand_key, (len(groups) + np.arange(len(part_rows))) * _SPAN + weight[part_rows]])

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
    if told["gen"].size:  # template parts: rule -1, group of their exact file (-1: not installed)
        groups_of_part = np.full(told["part"].size, -1, dtype=np.int64)
        groups_of_part[told["part"] >= 0] = len(groups) + part_group
        extra = {"pipe": told["gen"], "rule": np.full(told["gen"].size, -1, dtype=np.int64), "group": groups_of_part,
                 "role": told["role"], "label": told["label"], "optional": told["optional"],
                 "for_job": np.full(told["gen"].size, "", dtype=object)}  # fmt: skip
        needs = {column: np.concatenate([values, extra[column]]) for column, values in needs.items()}
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
    broken = frame["broken"] if "broken" in frame.columns else pd.Series("", index=frame.index)
    cols["broken"] = broken.fillna("").ne("").to_numpy(dtype=bool)
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
