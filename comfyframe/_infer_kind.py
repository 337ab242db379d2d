"""What a model file is (``kind``): from its folder, else its loaders, else its name.

The folder decides when it is known (``rules/folder_kinds.csv``: core folders, their legacy aliases
``unet``/``clip``, GGUF folders and common custom-node folders). For a folder nobody planned for, every
dropdown offering the file votes through ``rules/loader_kinds.csv`` (the loader's output types and the
input's name, e.g. ``MOTION_MODEL_ADE`` -> motion_module, ``lora_name`` -> lora); the highest priority wins.
Names are the last resort (``rules/kind_hints.csv``). Kinds are int codes (``_rules.KIND_CODE``) here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _rules
from ._infer_edges import Dropdowns
from ._infer_text import as_text, contains, first_match, lookup

KIND_SOURCES: tuple[str, ...] = ("none", "folder", "loader", "name")


def folder_kinds(folder: pd.Series) -> np.ndarray:
    """Kind code by folder name (-1 when the folder is unknown or empty)."""
    names = lookup(as_text(folder).str.lower(), _rules.folder_kinds()["kind"], "")
    return _rules.codes(names, _rules.KIND_CODE)


def loader_kinds(models: pd.DataFrame, dd: Dropdowns, rows: np.ndarray) -> np.ndarray:
    """Kind code voted by the dropdowns offering each of ``rows`` (-1 when no rule matches).

    Every dropdown votes with its node's output types and its input name, and each row's
    ``loader_outputs`` (the union over its loaders) votes once more with no input name.
    """
    out = np.full(len(models), -1, dtype=np.int64)
    if rows.size == 0:
        return out
    given = np.full(rows.size, None, dtype=object)
    if "loader_outputs" in models.columns:
        given = models["loader_outputs"].to_numpy(dtype=object)[rows]
    votes_row, votes_outputs, votes_input = [rows], [given], [np.full(rows.size, "", dtype=object)]
    if not dd.empty:
        offered = np.flatnonzero(np.isin(dd.row, rows))
        keys, where = np.unique(dd.server_node[offered], return_inverse=True)
        produced = np.empty(len(keys), dtype=object)
        produced[:] = dd.outputs_of(keys)
        votes_row.append(dd.row[offered])
        votes_outputs.append(produced[where])
        votes_input.append(dd.inputs[dd.input[offered]])
    vote_row, vote_input = np.concatenate(votes_row), np.concatenate(votes_input)
    outputs = [tuple(o) if isinstance(o, (tuple, list, set, frozenset)) else () for o in np.concatenate(votes_outputs)]
    keep = np.fromiter((len(o) > 0 for o in outputs), dtype=bool, count=len(outputs))
    if not keep.any():
        return out
    # The rules run once per distinct (outputs, input) pair.
    pair_of: dict[tuple[tuple[str, ...], str], int] = {}
    codes = np.fromiter(
        (pair_of.setdefault((o, i), len(pair_of)) for o, i, k in zip(outputs, vote_input.tolist(), keep) if k),
        dtype=np.int64,
    )
    vote_row = vote_row[keep]
    pairs = list(pair_of)
    pair_outputs = [frozenset(o) for o, _ in pairs]
    inputs = as_text([i for _, i in pairs])
    best_kind = np.full(len(pairs), -1, dtype=np.int64)
    best_priority = np.full(len(pairs), -1, dtype=np.int64)
    best_rule = np.full(len(pairs), -1, dtype=np.int64)
    for index, rule in enumerate(_rules.rows("loader_kinds")):
        has = np.fromiter((rule.requires <= o for o in pair_outputs), dtype=bool, count=len(pair_outputs))
        if rule.input and has.any():
            has &= contains(inputs, rule.input)
        better = has & (rule.priority > best_priority)
        best_kind[better], best_priority[better], best_rule[better] = _rules.KIND_CODE[rule.kind], rule.priority, index
    # Highest priority wins; between equal priorities the earlier rule (table order), so ties are deterministic.
    voted = best_priority[codes] >= 0
    vote_row, codes = vote_row[voted], codes[voted]
    order = np.lexsort((best_rule[codes], -best_priority[codes], vote_row))
    winner = order[np.r_[True, vote_row[order][1:] != vote_row[order][:-1]]] if order.size else order
    out[vote_row[winner]] = best_kind[codes[winner]]
    return out


def infer_kind(models: pd.DataFrame, path_text: pd.Series, dd: Dropdowns) -> tuple[np.ndarray, np.ndarray]:
    """(kind code, kind-source code into KIND_SOURCES) per row."""
    n = len(models)
    kind = folder_kinds(models["folder"]) if "folder" in models.columns else np.full(n, -1, dtype=np.int64)
    source = np.where(kind >= 0, 1, 0)
    by_loader = loader_kinds(models, dd, np.flatnonzero(kind < 0))
    take = (kind < 0) & (by_loader >= 0)
    kind[take], source[take] = by_loader[take], 2
    open_rows = np.flatnonzero(kind < 0)
    if open_rows.size:
        hints = _rules.kind_hints()
        index = first_match(path_text.iloc[open_rows], hints["pattern"].tolist())
        named = np.append(_rules.codes(hints["kind"], _rules.KIND_CODE), -1)[index]
        kind[open_rows] = np.where(named >= 0, named, _rules.KIND_CODE["unknown"])
        source[open_rows] = np.where(named >= 0, 3, 0)
    return kind, source
