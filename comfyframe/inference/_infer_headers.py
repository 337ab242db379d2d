"""What a file's safetensors header says it is: kind, family, variants, precision, parameters and exact bytes.

The ``header`` column of ``models`` holds the headers read remotely (:mod:`comfyframe.snapshot._headers`).
They are laid out as one row per (file, tensor); each rule of rules/tensor_rules.csv is one pass over the
distinct tensor keys (a regex) plus a shape mask, and a file fires a rule when any of its tensors does.
For kind and family the first rule in table order that fires decides; every variant rule that fires adds
its label. Precision: a tensor_rules.csv precision rule, else the dtype holding most bytes among the
weight matrices (rules/tensor_dtypes.csv). ``evidence`` names the deciding rule and tensor per file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..rules import _rules

GIB = float(1 << 30)
_DIFFUSION_PREFIX = "model.diffusion_model."


@dataclass(frozen=True)
class HeaderVerdicts:
    """Per models row (all empty / NaN where no header was read)."""

    read: np.ndarray  # bool: a header was read
    kind: np.ndarray  # kind code, -1 = none
    family: np.ndarray  # family code, -1 = none
    tier: np.ndarray  # the deciding family rule's tier (0 = none)
    variants: list[tuple[str, ...]]
    precision: np.ndarray  # object: precision label or ""
    params_b: np.ndarray  # float: parameters of the file's own model, billions
    weights_gb: np.ndarray  # float: tensor bytes, GiB
    evidence: np.ndarray  # object: "tensor_rules.csv #n: key [shape]" of the kind and family decisions


def header_verdicts(models: pd.DataFrame) -> HeaderVerdicts | None:
    """Classify every row's ``header`` (None when no row has one)."""
    if "header" not in models.columns:
        return None
    headers = models["header"].to_numpy(dtype=object)
    rows = np.flatnonzero([isinstance(h, dict) and isinstance(h.get("tensors"), list) for h in headers])
    etn = np.flatnonzero([isinstance(h, dict) and isinstance(h.get("etn"), dict) for h in headers])
    if len(rows) == 0 and len(etn) == 0:
        return None
    n = len(models)
    if len(rows) == 0:
        return _etn_verdicts(n, etn, [headers[r]["etn"] for r in etn])
    t = _tensor_frame([headers[r] for r in rows])
    cache: dict[str, np.ndarray] = {}  # pattern -> per-tensor hits, shared by every pass
    kind, kind_ev = _decide(t, len(rows), "kind", None, cache)
    family, family_ev, tier = _decide_family(t, len(rows), kind, cache)
    variants = _variants(t, len(rows), family, cache)
    out = HeaderVerdicts(
        read=np.zeros(n, dtype=bool),
        kind=np.full(n, -1, dtype=np.int64),
        family=np.full(n, -1, dtype=np.int64),
        tier=np.zeros(n, dtype=np.int64),
        variants=[()] * n,
        precision=np.full(n, "", dtype=object),
        params_b=np.full(n, np.nan),
        weights_gb=np.full(n, np.nan),
        evidence=np.full(n, "", dtype=object),
    )
    out.read[rows] = True
    out.kind[rows] = kind
    out.family[rows] = family
    out.tier[rows] = tier
    for i, r in enumerate(rows):
        out.variants[r] = variants[i]
    out.precision[rows] = _precision(t, len(rows), cache)
    out.params_b[rows] = _params(t, len(rows))
    out.weights_gb[rows] = [float(headers[r].get("data_bytes", 0) or 0) / GIB for r in rows]
    out.evidence[rows] = [" ; ".join(e for e in pair if e) for pair in zip(kind_ev, family_ev)]
    if len(etn):
        _add_etn(out, etn, [headers[r]["etn"] for r in etn])
    return out


def _etn_verdicts(n: int, rows: np.ndarray, infos: list[dict[str, Any]]) -> HeaderVerdicts:
    out = HeaderVerdicts(read=np.zeros(n, dtype=bool), kind=np.full(n, -1, dtype=np.int64),
                         family=np.full(n, -1, dtype=np.int64), tier=np.zeros(n, dtype=np.int64), variants=[()] * n,
                         precision=np.full(n, "", dtype=object), params_b=np.full(n, np.nan),
                         weights_gb=np.full(n, np.nan), evidence=np.full(n, "", dtype=object))  # fmt: skip
    _add_etn(out, rows, infos)
    return out


def _add_etn(out: HeaderVerdicts, rows: np.ndarray, infos: list[dict[str, Any]]) -> None:
    """comfyui-tooling-nodes' verdicts (rules/etn_models.csv) for ``rows``: family, tier, variants, evidence."""
    table = _rules.etn_models()
    labels = pd.Series([str(i.get("base_model", "")) for i in infos], dtype=object)
    known = labels.isin(table.index).to_numpy()
    hit = labels[known]
    picked = rows[known]
    out.read[picked] = True
    out.family[picked] = [_rules.FAMILY_CODE[f] for f in table.loc[hit, "family"]]
    out.tier[picked] = table.loc[hit, "tier"].to_numpy()
    types = {"t2v": "t2v", "i2v": "i2v", "refiner": "refiner"}
    for row, info, variant in zip(picked, np.asarray(infos, dtype=object)[known], table.loc[hit, "variant"]):
        found = {variant} if variant else set()
        found |= {types[t] for t in [str(info.get("type", ""))] if t in types}
        if info.get("is_inpaint") is True:
            found.add("inpaint")
        out.variants[row] = tuple(sorted(found))
        out.evidence[row] = f"comfyui-tooling-nodes (ComfyUI's model detection on the server): base_model {info.get('base_model')}"


@dataclass(frozen=True)
class _Tensors:
    file: np.ndarray  # file position of each tensor
    key_codes: np.ndarray
    keys: pd.Series  # distinct keys (string dtype)
    dtype: np.ndarray  # object
    ndim: np.ndarray
    elements: np.ndarray  # float
    dims: dict[int, np.ndarray]  # dim index (0, 1, -1) -> size (-1 where absent)
    shapes: list[Any]


def _tensor_frame(headers: list[dict[str, Any]]) -> _Tensors:
    tensors = [(i, t) for i, h in enumerate(headers) for t in h["tensors"]]
    file = np.fromiter((i for i, _ in tensors), dtype=np.int64, count=len(tensors))
    key_codes, keys = pd.factorize(pd.Series([t[0] for _, t in tensors], dtype=object))
    shapes = [t[2] for _, t in tensors]
    ndim = np.fromiter(map(len, shapes), dtype=np.int64, count=len(shapes))
    dims = {d: np.fromiter((s[d] if len(s) > (d if d >= 0 else -d - 1) else -1 for s in shapes), dtype=np.int64,
                           count=len(shapes)) for d in (0, 1, -1)}  # fmt: skip
    elements = np.fromiter((float(math.prod(s)) for s in shapes), dtype=np.float64, count=len(shapes))
    return _Tensors(file, key_codes, pd.Series(keys, dtype="string"), np.asarray([t[1] for _, t in tensors], dtype=object),
                    ndim, elements, dims, shapes)  # fmt: skip


def _hits(t: _Tensors, pattern: str, cache: dict[str, np.ndarray]) -> np.ndarray:
    """Per tensor: does its key match ``pattern`` (evaluated once per distinct key)."""
    if pattern not in cache:
        cache[pattern] = t.keys.str.contains(pattern, regex=True).to_numpy(dtype=bool, na_value=False)[t.key_codes]
    return cache[pattern]


def _fires(t: _Tensors, n: int, rule: Any, cache: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(per file: the rule fires, per file: its first matching tensor or -1)."""
    mask = _hits(t, rule.pattern, cache)
    if not math.isnan(rule.dim):
        dim = int(rule.dim)
        size = t.dims.get(dim)
        if size is None:
            size = np.fromiter((s[dim] if len(s) > dim else -1 for s in t.shapes), dtype=np.int64, count=len(t.shapes))
        mask = mask & (size >= rule.min) & (size <= rule.max)
    first = np.full(n, -1, dtype=np.int64)
    idx = np.flatnonzero(mask)
    files, at = np.unique(t.file[idx], return_index=True)
    first[files] = idx[at]
    fired = first >= 0
    if rule.also:
        negate = rule.also.startswith("!")
        other = np.zeros(n, dtype=bool)
        other[t.file[_hits(t, rule.also.lstrip("!"), cache)]] = True
        fired &= ~other if negate else other
    return fired, first


def _when(rule: Any, kind: np.ndarray | None, family: np.ndarray | None, n: int) -> np.ndarray:
    if not rule.when:
        return np.ones(n, dtype=bool)
    if rule.when.startswith("family:"):
        codes = [_rules.FAMILY_CODE[f] for f in rule.when.removeprefix("family:").split(";")]
        return np.isin(family, codes) if family is not None else np.zeros(n, dtype=bool)
    codes = [_rules.KINDS.index(k) for k in rule.when.split(";")]
    return np.isin(kind, codes) if kind is not None else np.zeros(n, dtype=bool)


def _decide(t: _Tensors, n: int, target: str, kind: np.ndarray | None, cache: dict[str, np.ndarray]
            ) -> tuple[np.ndarray, list[str]]:  # fmt: skip
    table = _rules.tensor_rules()
    decided = np.full(n, -1, dtype=np.int64)
    evidence = [""] * n
    vocab = _rules.KINDS if target == "kind" else _rules.FAMILIES
    for index, rule in zip(table.index[table["target"] == target], table[table["target"] == target].itertuples()):
        open_ = decided < 0
        if not open_.any():
            break
        fired, first = _fires(t, n, rule, cache)
        take = open_ & fired & _when(rule, kind, None, n)
        decided[take] = vocab.index(rule.value)
        for f in np.flatnonzero(take):
            evidence[f] = _evidence(t, index, rule, first[f])
    return decided, evidence


def _decide_family(t: _Tensors, n: int, kind: np.ndarray, cache: dict[str, np.ndarray]
                   ) -> tuple[np.ndarray, list[str], np.ndarray]:  # fmt: skip
    family, evidence = _decide(t, n, "family", kind, cache)
    table = _rules.tensor_rules()
    tiers = np.zeros(n, dtype=np.int64)
    # the tier of the rule that decided: re-read from the evidence's rule number (cheap: one per file)
    for f, text in enumerate(evidence):
        if text:
            tiers[f] = int(table.at[int(text.split("#")[1].split(":")[0]), "tier"])
    return family, evidence, tiers


def _variants(t: _Tensors, n: int, family: np.ndarray, cache: dict[str, np.ndarray]) -> list[tuple[str, ...]]:
    table = _rules.tensor_rules()
    labels: list[set[str]] = [set() for _ in range(n)]
    for rule in table[table["target"] == "variant"].itertuples():
        fired, _first = _fires(t, n, rule, cache)
        for f in np.flatnonzero(fired & _when(rule, None, family, n)):
            labels[f].add(rule.value)
    return [tuple(sorted(s)) for s in labels]


def _precision(t: _Tensors, n: int, cache: dict[str, np.ndarray]) -> list[str]:
    table = _rules.tensor_rules()
    out = np.full(n, "", dtype=object)
    for rule in table[table["target"] == "precision"].itertuples():
        fired, _ = _fires(t, n, rule, cache)
        out[(out == "") & fired] = rule.value
    # the dtype holding most bytes among weight matrices
    weights = t.ndim >= 2
    frame = pd.DataFrame({"file": t.file[weights], "dtype": t.dtype[weights], "elements": t.elements[weights]})
    frame["bytes"] = frame["elements"] * frame["dtype"].map(_BYTES).fillna(1.0)
    top = frame.groupby(["file", "dtype"], sort=False)["bytes"].sum().reset_index()
    top = top.sort_values("bytes", ascending=False).drop_duplicates("file")
    by_dtype = top["dtype"].map(_rules.tensor_dtypes()).fillna("")
    fallback = np.full(n, "", dtype=object)
    fallback[top["file"].to_numpy()] = by_dtype.to_numpy(dtype=object)
    return list(np.where(out == "", fallback, out))


_BYTES = {"F64": 8.0, "F32": 4.0, "F16": 2.0, "BF16": 2.0, "F8_E4M3": 1.0, "F8_E5M2": 1.0, "I8": 1.0, "U8": 1.0}


def _params(t: _Tensors, n: int) -> np.ndarray:
    """Parameters (billions) of the file's own model: the ``model.diffusion_model.`` part of a checkpoint."""
    in_model = t.keys.str.startswith(_DIFFUSION_PREFIX).to_numpy(dtype=bool, na_value=False)[t.key_codes]
    has_model = np.zeros(n, dtype=bool)
    has_model[t.file[in_model]] = True
    counted = np.where(has_model[t.file], in_model, True)
    return np.bincount(t.file, weights=np.where(counted, t.elements, 0.0), minlength=n) / 1e9


def _evidence(t: _Tensors, index: int, rule: Any, tensor: int) -> str:
    key = str(t.keys.iloc[t.key_codes[tensor]]) if tensor >= 0 else ""
    shape = list(t.shapes[tensor]) if tensor >= 0 else []
    return f"tensor_rules.csv #{index}: {rule.value} from {key} {shape}"
