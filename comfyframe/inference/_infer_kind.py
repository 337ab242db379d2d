"""What a model file is (``kind``): from its folder, else its loaders, else its name.

The folder decides when it is known (``rules/folder_kinds.csv``: core folders, their legacy aliases
``unet``/``clip``, GGUF folders and common custom-node folders). For a folder nobody planned for, every
dropdown offering the file votes through ``rules/loader_kinds.csv`` (the loader's output types and the
input's name, e.g. ``MOTION_MODEL_ADE`` -> motion_module, ``lora_name`` -> lora); the highest priority wins.
Names are the last resort (``rules/kind_hints.csv``). Kinds are int codes (``_rules.KIND_CODE``) here.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from ..rules import _rules
from ._infer_edges import Dropdowns
from ._regex_passes import contains_values, first_match
from ._text_columns import take

KIND_SOURCES: tuple[str, ...] = ("none", "folder", "loader", "name", "header")


def loader_kinds(models: pd.DataFrame, dd: Dropdowns, rows: np.ndarray) -> np.ndarray:
    """Kind code voted by the dropdowns offering each of ``rows`` (-1 when no rule matches).

    Every dropdown votes with its node's output types and its input name, and each row's
    ``loader_outputs`` (the union over its loaders) votes once more with no input name. The rules run
    once per distinct (outputs, input) pair, as one (pairs x output types) @ (output types x rules) product.
    """
    out = np.full(len(models), -1, dtype=np.int64)
    if rows.size == 0:
        return out
    given = np.full(rows.size, None, dtype=object)
    if "loader_outputs" in models.columns:
        given = models["loader_outputs"].to_numpy(dtype=object)[rows]
    pair_of: dict[tuple[str, ...], int] = {}  # the rows' own votes: one pair per distinct outputs, no input
    votes_pair = [np.fromiter((pair_of.setdefault(_outputs(o), len(pair_of)) for o in given.tolist()),
                              dtype=np.int64, count=rows.size)]  # fmt: skip
    pair_outputs, pair_inputs, votes_row = list(pair_of), [""] * len(pair_of), [rows]
    if not dd.empty:
        asked = np.zeros(len(models) + 1, dtype=bool)  # per model row, and False last for row -1 (not a model)
        asked[rows] = True
        offered = np.flatnonzero(asked[dd.row])
        keys, where = np.unique(dd.server_node[offered], return_inverse=True)
        produced = [() if o is None else o for o in dd.outputs_of(keys)]
        # the dropdowns' votes: one pair per distinct (node, input name)
        pair = where * len(dd.inputs) + dd.input[offered]
        _, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
        votes_pair.append(len(pair_outputs) + inverse.reshape(-1))
        votes_row.append(dd.row[offered])
        pair_outputs += [produced[w] for w in where[first].tolist()]
        pair_inputs += dd.inputs[dd.input[offered][first]].tolist()
    nonempty = np.fromiter((len(o) > 0 for o in pair_outputs), dtype=bool, count=len(pair_outputs))
    vote_row, codes = np.concatenate(votes_row), np.concatenate(votes_pair)
    keep = nonempty[codes]
    if not keep.any():
        return out
    vote_row, codes = vote_row[keep], codes[keep]
    best_kind, best_priority, best_rule = _best_rules(pair_outputs, pair_inputs)
    # Highest priority wins; between equal priorities the earlier rule (table order), so ties are deterministic.
    voted = best_priority[codes] >= 0
    vote_row, codes = vote_row[voted], codes[voted]
    order = np.lexsort((best_rule[codes], -best_priority[codes], vote_row))
    winner = order[np.r_[True, vote_row[order][1:] != vote_row[order][:-1]]] if order.size else order
    out[vote_row[winner]] = best_kind[codes[winner]]
    return out


def _outputs(value: object) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (tuple, list, set, frozenset)) else ()  # type: ignore[arg-type]


def _best_rules(outputs: list[tuple[str, ...]], inputs: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (outputs, input) pair: (kind code, priority, rule index) of the highest-priority matching rule,
    the earlier rule between equal priorities; (-1, -1, -1) when none matches."""
    types, required, sizes, kinds, priority = _rule_tables()
    cells = [(i, types[t]) for i, found in enumerate(outputs) for t in found if t in types]
    held = np.zeros((len(outputs), len(types)), dtype=np.float64)  # 0/1: BLAS counts them exactly
    if cells:
        held[tuple(np.array(cells, dtype=np.int64).T)] = 1
    # (pairs x rules): the node outputs every type the rule requires (a rule below priority 0 never wins)
    has = ((held @ required) == sizes) & (priority >= 0)
    for index, rule in enumerate(_rules.rows("loader_kinds")):
        if rule.input and has[:, index].any():
            has[:, index] &= contains_values(inputs, rule.input)
    n_rules = has.shape[1]
    score = np.where(has, priority * n_rules + (n_rules - 1 - np.arange(n_rules)), -1)
    rule = score.argmax(axis=1) if n_rules else np.zeros(len(outputs), dtype=np.int64)
    matched = has.any(axis=1)
    return (np.where(matched, kinds[rule], -1), np.where(matched, priority[rule], -1),
            np.where(matched, rule, -1))  # fmt: skip


@cache
def _rule_tables() -> tuple[dict[str, int], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """loader_kinds.csv as arrays: output type -> column, (types x rules) requirement matrix, types each rule
    requires, kind code and priority per rule."""
    rules = _rules.rows("loader_kinds")
    types = {t: i for i, t in enumerate(sorted({t for r in rules for t in r.requires}))}
    required = np.zeros((len(types), len(rules)), dtype=np.float64)  # 0/1, a float matrix for BLAS
    for index, rule in enumerate(rules):
        required[[types[t] for t in rule.requires], index] = 1
    kinds = np.array([_rules.KIND_CODE[r.kind] for r in rules], dtype=np.int64)
    priority = np.array([r.priority for r in rules], dtype=np.int64)
    sizes = required.sum(axis=0).astype(np.int64)
    _rules.freeze(required, sizes, kinds, priority)
    return types, required, sizes, kinds, priority


@cache
def _hint_kinds() -> np.ndarray:
    """Kind code of each kind_hints.csv rule, -1 appended (rule index -1: no hint)."""
    codes = np.append(_rules.codes(_rules.kind_hints()["kind"], _rules.KIND_CODE), -1)
    _rules.freeze(codes)
    return codes


def infer_kind(models: pd.DataFrame, path_text: pd.Series, dd: Dropdowns) -> tuple[np.ndarray, np.ndarray]:
    """(kind code, kind-source code into KIND_SOURCES) per row."""
    n = len(models)
    kind = np.full(n, -1, dtype=np.int64)
    if "folder" in models.columns:
        kind = dd.by_folder(_rules.folder_map("kind"), _rules.KIND_CODE)
    source = np.where(kind >= 0, 1, 0)
    by_loader = loader_kinds(models, dd, np.flatnonzero(kind < 0))
    voted = (kind < 0) & (by_loader >= 0)
    kind[voted], source[voted] = by_loader[voted], 2
    open_rows = np.flatnonzero(kind < 0)
    if open_rows.size:
        index = first_match(take(path_text, open_rows), _rules.patterns("kind_hints"))
        named = _hint_kinds()[index]
        kind[open_rows] = np.where(named >= 0, named, _rules.KIND_CODE["unknown"])
        source[open_rows] = np.where(named >= 0, 3, 0)
    return kind, source
