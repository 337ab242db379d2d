"""Which base-model family a file belongs to, and which evidence said so.

Evidence, strongest first: safetensors metadata (``modelspec.architecture`` / ``ss_base_model_version``,
then the training base ``ss_sd_model_name``), the file name, its subfolders, ``modelspec.title``, the
loaders offering it, its size (checkpoints only) and finally a folder or kind that exists for one family
only. The first evidence that names a family decides, except that stronger (higher-tier) later evidence of
the same lineage refines it: metadata "wan2.1" (musubi labels every Wan LoRA so) + name "Wan2.2" -> wan22;
name "wan_style" + subfolder "Wan2.2/" -> wan22.

Loaders tell a file's role, not its family: ``WanVideoModelLoader`` lists every diffusion model, Flux
included. A loader's family hint (read from its node name, display name, category and package) counts only
where its dropdown is specific (see :func:`loader_families`). Families are int codes (``_rules.FAMILY_CODE``,
-1 = none) inside this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _rules
from ._infer_edges import Dropdowns
from ._infer_text import as_text, first_match, lookup, on_distinct

# Below this fraction of a folder a dropdown is taken to filter by family.
SELECTIVE_COVERAGE = 0.6
SELECTIVE_MIN_FILES = 3
LOADER_TIER, SIZE_TIER, DEFAULT_TIER = 60, 40, 35
SOURCES: tuple[str, ...] = ("none", "metadata", "name", "loader", "size", "kind")


@dataclass(frozen=True)
class Evidence:
    """One kind of family evidence for every row: family code (-1 = none) and tier."""

    source: str
    weight: float
    family: np.ndarray
    tier: np.ndarray


def name_families(texts: pd.Series, table: pd.DataFrame | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(family code, tier) per normalised text from ``family_names`` (or another family rule table)."""
    rules = _rules.family_names() if table is None else table
    index = first_match(texts, rules["pattern"].tolist(), rules["tier"].tolist())
    family = np.append(_rules.codes(rules["family"], _rules.FAMILY_CODE), -1)[index]
    tier = np.append(rules["tier"].to_numpy(dtype=np.int64), 0)[index]
    return family, tier


def distinct_families(
    values: pd.Series | np.ndarray, table: pd.DataFrame | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``name_families`` of raw names, computed once per distinct value."""
    codes, texts = on_distinct(values)
    family, tier = name_families(texts, table)
    return family[codes], tier[codes]


def metadata_text(models: pd.DataFrame) -> pd.Series:
    """"<architecture> <base model>"; without both, "kohya legacy <network module>" for a kohya LoRA."""
    arch, base = _column(models, "meta_architecture"), _column(models, "meta_base_model")
    module = _column(models, "meta_network_module")
    text = (arch + " " + base).str.strip()
    legacy = text.eq("") & module.ne("")
    return text.where(~legacy, "kohya legacy " + module)


def loader_families(models: pd.DataFrame, dd: Dropdowns) -> np.ndarray:
    """Family code hinted by the specific loaders offering each row (-1 when none or they disagree).

    A dropdown (server, node, input) is specific for a folder when it draws from that folder only and
    either covers a minority of it (it filters by name) or the folder is pack-owned: not a shared core
    folder, and every dropdown offering it carries the same family hint. Files in folder "" (the server
    did not say) never get loader evidence: coverage of an unknown folder means nothing.
    """
    out = np.full(len(models), -1, dtype=np.int64)
    named_folder = dd.folders[dd.folder] != "" if not dd.empty else np.zeros(0, dtype=bool)
    if not named_folder.any():
        return out
    edge = pd.DataFrame({"dropdown": dd.dropdown, "folder": dd.folder, "node": dd.server_node,
                         "server_folder": dd.edge_server_folder, "row": dd.row})[named_folder]  # fmt: skip
    per = edge.groupby(["dropdown", "folder"], sort=False).agg(
        n_options=("row", "size"), node=("node", "first"), server_folder=("server_folder", "first")
    ).reset_index()
    per["n_folders"] = per.groupby("dropdown", sort=False)["folder"].transform("size")
    n_files = np.bincount(dd.model_server_folder, minlength=int(per["server_folder"].max()) + 1)
    per["n_files"] = n_files[per["server_folder"].to_numpy()]
    nodes = per["node"].drop_duplicates().to_numpy()
    hint_of = dict(zip(nodes.tolist(), distinct_families(dd.text_of(nodes))[0].tolist()))
    per["hint"] = per["node"].map(hint_of).astype(np.int64)
    agree = per.groupby("server_folder", sort=False)["hint"].agg(["first", "nunique"])
    per["owned"] = per["server_folder"].map(agree["first"].where(agree["nunique"].eq(1), -1)).ge(0)
    folders = pd.Series(dd.folders, dtype=object).str.lower()
    shared = lookup(folders, _rules.folder_kinds()["shared"], False).astype(bool)
    per["shared"] = shared[per["folder"].to_numpy()]
    coverage = per["n_options"] / per["n_files"].where(per["n_files"] > 0, per["n_options"])
    selective = coverage.lt(SELECTIVE_COVERAGE) & per["n_files"].ge(SELECTIVE_MIN_FILES)
    specific = per["n_folders"].eq(1) & per["hint"].ge(0) & ((per["owned"] & ~per["shared"]) | selective)
    per = per.loc[specific, ["dropdown", "folder", "hint"]]
    hinted = edge[edge["row"] >= 0].merge(per, how="inner", on=["dropdown", "folder"])
    if hinted.empty:
        return out
    per_row = hinted.groupby("row", sort=False)["hint"].agg(["first", "nunique"])
    agreed = per_row[per_row["nunique"].eq(1)]
    out[agreed.index.to_numpy(dtype=np.int64)] = agreed["first"].to_numpy(dtype=np.int64)
    return out


def size_families(kind: np.ndarray, size_bytes: np.ndarray) -> np.ndarray:
    """Family code from a tell-tale file size (all-in-one checkpoints)."""
    gb = size_bytes / 1e9
    out = np.full(len(kind), -1, dtype=np.int64)
    for rule in _rules.family_sizes().itertuples(index=False):
        hit = (kind == _rules.KIND_CODE[rule.kind]) & (gb >= rule.min_gb) & (gb <= rule.max_gb) & (out < 0)
        out[hit] = _rules.FAMILY_CODE[rule.family]
    return out


def resolve(evidence: list[Evidence], kind: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Combine evidence (in order of strength) into (family code, source code, confidence)."""
    n = len(kind)
    family = np.full(n, -1, dtype=np.int64)
    tier = np.zeros(n, dtype=np.int64)
    source = np.zeros(n, dtype=np.int64)
    confidence = np.zeros(n, dtype=np.float64)
    lineage = pd.factorize(_rules.by_family("lineage", ""))[0]  # lineage code per family code; last = none
    lineage[-1] = -1

    def take(rows: np.ndarray, ev: Evidence) -> None:
        family[rows], tier[rows], source[rows] = ev.family[rows], ev.tier[rows], SOURCES.index(ev.source)
        confidence[rows] = np.minimum(ev.tier[rows] / 100.0, 1.0) * ev.weight

    for ev in evidence:
        take((family < 0) & (ev.family >= 0), ev)
    for ev in evidence:
        same_line = (ev.family >= 0) & (ev.family != family) & (lineage[ev.family] == lineage[family])
        take(same_line & (family >= 0) & (ev.tier > tier), ev)
    applies = _rules.by_kind("has_family", True)[kind].astype(bool)
    family[~applies], source[~applies], confidence[~applies] = -1, 0, 0.0
    return family, source, np.round(confidence, 3)


def infer_family(
    models: pd.DataFrame, kind: np.ndarray, stem: tuple[np.ndarray, np.ndarray], sub: tuple[np.ndarray, np.ndarray],
    size_bytes: np.ndarray, dd: Dropdowns,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """(family code, source code, confidence) per row; ``stem``/``sub`` are the name evidence."""
    n = len(models)
    meta = distinct_families(metadata_text(models), _rules.metadata_families())
    trained_on = distinct_families(_column(models, "meta_sd_model_name"))
    title = distinct_families(_column(models, "meta_title"))
    folder = lookup(_column(models, "folder").str.lower(), _rules.folder_kinds()["family"], "")
    by_folder = _rules.codes(folder, _rules.FAMILY_CODE)
    by_kind = _rules.codes(_rules.by_kind("default_family", ""), _rules.FAMILY_CODE)[kind]
    default = np.where(by_folder >= 0, by_folder, by_kind)
    flat = np.full(n, 0, dtype=np.int64)
    evidence = [
        Evidence("metadata", 1.0, *meta),
        Evidence("metadata", 0.95, *trained_on),
        Evidence("name", 1.0, *stem),
        Evidence("name", 0.9, *sub),
        Evidence("metadata", 0.8, *title),
        Evidence("loader", 1.0, loader_families(models, dd), flat + LOADER_TIER),
        Evidence("size", 1.0, size_families(kind, size_bytes), flat + SIZE_TIER),
        Evidence("kind", 1.0, default, flat + DEFAULT_TIER),
    ]
    return resolve(evidence, kind)


def _column(models: pd.DataFrame, name: str) -> pd.Series:
    if name not in models.columns:
        return as_text([""] * len(models))
    return as_text(models[name])
