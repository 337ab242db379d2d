"""Applying what headers say (:mod:`._infer_headers`) to the inferred columns, and which files to read.

Precedence: a header's kind replaces one a folder did not give; a tier-100 family rule beats names and
metadata (a contradicted name is reported by :func:`header_evidence` in ``explain``, not followed), a weaker
reading only fills a family nothing else gave; the header's variant labels replace the name's of the same
exclusive group (t2v / i2v / ti2v …). The assets API's ``base_model`` counts as metadata, labelled "assets".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..rules import _rules
from ._infer_headers import HeaderVerdicts, header_verdicts

_EXCLUSIVE = (("t2v", "i2v", "ti2v"), ("dev", "schnell"), ("medium", "large"))


def with_asset_base_models(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """``frame`` whose blank ``meta_base_model`` takes the assets API's ``base_model`` (the same header value:
    kohya's ss_base_model_version or modelspec.base_model), and the rows it filled."""
    if "asset_base_model" not in frame.columns or "meta_base_model" not in frame.columns:
        return frame, np.zeros(len(frame), dtype=bool)
    given = frame["asset_base_model"].astype("string").fillna("").str.strip()
    blank = frame["meta_base_model"].astype("string").fillna("").str.strip().eq("")
    filled = (blank & given.ne("")).to_numpy(dtype=bool)
    if not filled.any():
        return frame, filled
    out = frame.copy(deep=False)
    out["meta_base_model"] = frame["meta_base_model"].astype("string").mask(pd.Series(filled, index=frame.index), given)
    return out, filled


def header_kinds(kind: np.ndarray, kind_source: np.ndarray, verdicts: HeaderVerdicts, folder_code: int
                 ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Kinds with the header's where it decided and a folder did not (a folder is the user's own filing)."""
    take = (verdicts.kind >= 0) & ((kind == _rules.KINDS.index("unknown")) | (kind_source != folder_code))
    return np.where(take, verdicts.kind, kind), take


def header_families(family: np.ndarray, verdicts: HeaderVerdicts, lineage: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """(family, rows the header decided, rows whose earlier family the header contradicts).

    A tier-100 rule beats names and metadata of another lineage; of the same lineage it decides too (the
    structure is exact), except that a weaker (tier < 100) reading only fills a family nothing else gave.
    """
    header = verdicts.family
    certain = (header >= 0) & (verdicts.tier >= 100)
    guess = (header >= 0) & (verdicts.tier < 100) & (family < 0)
    take = certain | guess
    contradicted = certain & (family >= 0) & (family != header) & (lineage[np.maximum(family, 0)] != lineage[np.maximum(header, 0)])
    return np.where(take, header, family), take, contradicted


def header_variant_mask(mask: np.ndarray, verdicts: HeaderVerdicts) -> np.ndarray:
    """Variant bit masks with the header's labels: a header label replaces the name's of its exclusive group."""
    bits = {v: np.int64(1) << i for i, v in enumerate(_rules.variant_names())}
    out = mask.copy()
    for row in np.flatnonzero([bool(v) for v in verdicts.variants]):
        labels = verdicts.variants[row]
        for group in _EXCLUSIVE:
            if any(label in group for label in labels):
                for label in group:
                    if label in bits:
                        out[row] &= ~bits[label]
        for label in labels:
            if label in bits:
                out[row] |= bits[label]
    return out


# sources that name a family outright; anything weaker (loader, size, kind, folder siblings, none) is unsettled
_SETTLING = ("metadata", "name", "assets", "header")


def unsettled(inferred: pd.DataFrame) -> list[tuple[str, str]]:
    """(folder, name) of listed .safetensors and .gguf files whose kind is unknown, or whose family is unknown or rests on
    weak evidence (loader, size, kind default, siblings) though their kind has families."""
    if inferred.empty:
        return []
    has_family = pd.Series(_rules.by_kind("has_family", True)[: len(_rules.KINDS)], index=list(_rules.KINDS))
    kind = inferred["kind"].astype("string").fillna("unknown")
    open_family = kind.map(has_family).fillna(True).astype(bool) & ~inferred["source"].isin(_SETTLING)
    wanted = (inferred["ext"].astype("string").str.lower().isin(["safetensors", "gguf"]).fillna(False)
              & inferred["listed"].fillna(False).astype(bool) & (kind.eq("unknown") | open_family))  # fmt: skip
    rows = inferred.loc[wanted.to_numpy(dtype=bool), ["folder", "name"]]
    return list(zip(rows["folder"].astype(str), rows["name"].astype(str)))


def header_evidence(raw: pd.DataFrame, row: int, result: dict[str, object], others: pd.DataFrame) -> pd.DataFrame:
    """The evidence row the header of ``raw``'s ``row`` adds to an explanation (first: it is the strongest),
    then ``others``; a family that names or metadata gave and the header contradicts is reported here."""
    verdicts = header_verdicts(raw.iloc[[row]].reset_index(drop=True))
    if verdicts is None:
        return others
    family = int(verdicts.family[0])
    label = _rules.FAMILIES[family] if family >= 0 else ""
    tier = int(verdicts.tier[0])
    decided = others[others["verdict"].astype(str).str.startswith(("DECIDES", "REFINES"))]
    before = str(decided["family"].iloc[-1]) if len(decided) else ""
    role = str(decided["role"].iloc[-1]) if len(decided) else ""
    if result.get("source") == "header":
        verdict = f"DECIDES (header, tier {tier}: the tensors' structure beats names)"
        if before and before != label:
            verdict += f"; the {role} said {before}: contradicted by the tensors, not followed"
    elif family >= 0:
        verdict = "agrees" if label == result.get("family") else f"a weaker reading (tier {tier}): other evidence decided"
    else:
        verdict = "no family rule fired (kind and exact bytes only)"
    kind = _rules.KINDS[int(verdicts.kind[0])] if verdicts.kind[0] >= 0 else "unknown"
    gb = verdicts.weights_gb[0]
    read = f"kind {kind}; {verdicts.evidence[0] or 'no rule fired'}" + ("" if np.isnan(gb) else f"; {gb:.3f} GiB of tensors")
    record = {"role": "header", "source": "header", "read": read, "family": label, "tier": tier,
              "rule": "tensor_rules.csv", "verdict": verdict}  # fmt: skip
    return pd.concat([pd.DataFrame([record], columns=others.columns), others], ignore_index=True)
