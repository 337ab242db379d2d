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
from functools import cache

import numpy as np
import pandas as pd

from . import _rules
from ._infer_edges import Dropdowns
from ._infer_text import as_text, concat, first_match, lookup, normalize, on_distinct

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


def name_families(texts: pd.Series, table: str = "family_names") -> tuple[np.ndarray, np.ndarray]:
    """(family code, tier) per normalised text from ``family_names`` (or another family rule table)."""
    index = first_match(texts, _rules.patterns(table), tuple(_rules.column(table, "tier").tolist()))
    return _rules.family_column(table)[index], _tier_column(table)[index]


@cache
def _tier_column(table: str) -> np.ndarray:
    return np.append(_rules.column(table, "tier", "int64"), 0)


def distinct_families(values: pd.Series | np.ndarray, table: str = "family_names") -> tuple[np.ndarray, np.ndarray]:
    """``name_families`` of raw names, computed once per distinct value."""
    values = as_text(values)
    if not values.ne("").any():  # all blank (no metadata): the table's verdict on "" is a constant
        family, tier = _blank_families(table)
        return np.full(len(values), family, dtype=np.int64), np.full(len(values), tier, dtype=np.int64)
    codes, texts = on_distinct(values)
    families, tiers = name_families(texts, table)
    return families[codes], tiers[codes]


@cache
def _blank_families(table: str) -> tuple[int, int]:
    family, tier = name_families(normalize([""]), table)
    return int(family[0]), int(tier[0])


def metadata_text(models: pd.DataFrame) -> pd.Series:
    """"<architecture> <base model>"; without both, "kohya legacy <network module>" for a kohya LoRA."""
    arch, base = _column(models, "meta_architecture"), _column(models, "meta_base_model")
    module = _column(models, "meta_network_module")
    if not (arch.ne("").any() or base.ne("").any() or module.ne("").any()):  # no metadata at all (the common case): all ""
        return arch
    text = (arch + " " + base).str.strip()
    legacy = text.eq("") & module.ne("")
    return text.where(~legacy, "kohya legacy " + module)


def hinting_nodes(dd: Dropdowns) -> np.ndarray:
    """The (server, node) keys whose dropdowns draw from a named folder: the loaders that may hint a family."""
    if dd.empty:
        return np.zeros(0, dtype=np.int64)
    return np.unique(dd.server_node[dd.folders[dd.folder] != ""])


def loader_families(models: pd.DataFrame, dd: Dropdowns, hints: np.ndarray | None = None) -> np.ndarray:
    """Family code hinted by the specific loaders offering each row (-1 when none or they disagree).

    A dropdown (server, node, input) is specific for a folder when it draws from that folder only and
    either covers a minority of it (it filters by name) or the folder is pack-owned: not a shared core
    folder, and every dropdown offering it carries the same family hint. Files in folder "" (the server
    did not say) never get loader evidence: coverage of an unknown folder means nothing. ``hints`` is the
    family code of each of :func:`hinting_nodes` (computed here when not given).
    """
    out = np.full(len(models), -1, dtype=np.int64)
    named_folder = dd.folders[dd.folder] != "" if not dd.empty else np.zeros(0, dtype=bool)
    if not named_folder.any():
        return out
    nodes = hinting_nodes(dd)
    if hints is None:
        hints = distinct_families(dd.text_of(nodes))[0]
    dropdown, folder, row = dd.dropdown[named_folder], dd.folder[named_folder], dd.row[named_folder]
    # One group per (dropdown, folder); node and (server, folder) are functions of it.
    _, first, group = np.unique(dropdown * len(dd.folders) + folder, return_index=True, return_inverse=True)
    group = group.reshape(-1)
    n_options = np.bincount(group)
    g_dropdown, g_folder = dropdown[first], folder[first]
    g_server_folder = dd.edge_server_folder[named_folder][first]
    g_hint = hints[np.searchsorted(nodes, dd.server_node[named_folder][first])]
    _, per_dropdown, n_folders = np.unique(g_dropdown, return_inverse=True, return_counts=True)
    n_folders = n_folders[per_dropdown.reshape(-1)]
    n_files = np.bincount(dd.model_server_folder, minlength=int(g_server_folder.max()) + 1)[g_server_folder]
    _, per_folder = np.unique(g_server_folder, return_inverse=True)
    low, high = _min_max(per_folder.reshape(-1), g_hint, int(per_folder.max()) + 1)
    owned = ((low == high) & (low >= 0))[per_folder.reshape(-1)]  # every dropdown of the folder: one hint
    shared = _shared_folders(dd.folders)[g_folder]
    coverage = n_options / np.where(n_files > 0, n_files, n_options)
    selective = (coverage < SELECTIVE_COVERAGE) & (n_files >= SELECTIVE_MIN_FILES)
    specific = (n_folders == 1) & (g_hint >= 0) & ((owned & ~shared) | selective)
    take = specific[group] & (row >= 0)
    if not take.any():
        return out
    low, high = _min_max(row[take], g_hint[group[take]], len(models))
    agreed = (high >= 0) & (low == high)
    out[agreed] = low[agreed]
    return out


def _min_max(keys: np.ndarray, values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Per key 0..size-1: (min, max) of ``values`` (int64); keys without values get (max int, -1)."""
    low = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
    high = np.full(size, -1, dtype=np.int64)
    np.minimum.at(low, keys, values)
    np.maximum.at(high, keys, values)
    return low, high


def _shared_folders(folders: np.ndarray) -> np.ndarray:
    """Per folder name: is it a core folder every family shares (rules/folder_kinds.csv)."""
    shared = _shared()
    return np.array([shared.get(f.lower(), False) for f in folders.tolist()], dtype=bool)


@cache
def _shared() -> dict[str, bool]:
    return {k: bool(v) for k, v in _rules.folder_kinds()["shared"].items()}


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
    lineage = _lineages()

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
    models: pd.DataFrame, kind: np.ndarray, stem: tuple[pd.Series, np.ndarray], sub: tuple[pd.Series, np.ndarray],
    size_bytes: np.ndarray, dd: Dropdowns,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """(family code, source code, confidence) per row; ``stem``/``sub`` are (normalised texts, row codes).

    Every text ``family_names`` reads (stems, subfolders, training base, title, loader labels) goes
    through one batched pass: each regex pass has a fixed cost, and a server has few distinct texts.
    """
    n = len(models)
    meta = distinct_families(metadata_text(models), "metadata_families")
    nodes = hinting_nodes(dd)
    codes, texts = on_distinct(concat([_column(models, "meta_sd_model_name"), _column(models, "meta_title"),
                                       as_text(dd.text_of(nodes))]))  # fmt: skip
    family, tier = name_families(concat([stem[0], sub[0], texts]))
    a, b = len(stem[0]), len(stem[0]) + len(sub[0])
    stem_ev, sub_ev = (family[:a][stem[1]], tier[:a][stem[1]]), (family[a:b][sub[1]], tier[a:b][sub[1]])
    other, other_tier = family[b:][codes], tier[b:][codes]
    trained_on, title, hints = (other[:n], other_tier[:n]), (other[n : 2 * n], other_tier[n : 2 * n]), other[2 * n :]
    folder = lookup(_column(models, "folder").str.lower(), _rules.folder_kinds()["family"], "")
    by_folder = _rules.codes(folder, _rules.FAMILY_CODE)
    by_kind = _default_families()[kind]
    default = np.where(by_folder >= 0, by_folder, by_kind)
    flat = np.full(n, 0, dtype=np.int64)
    # A model outside the vocabulary keeps only what its metadata and name say; weaker guesses are dropped.
    outside = (first_match(stem[0], list(_rules.outside_families()["pattern"])) >= 0)[stem[1]]
    guesses = [loader_families(models, dd, hints), size_families(kind, size_bytes), default]
    loader, size, default = (np.where(outside, -1, g) for g in guesses)
    evidence = [
        Evidence("metadata", 1.0, *meta),
        Evidence("metadata", 0.95, *trained_on),
        Evidence("name", 1.0, *stem_ev),
        Evidence("name", 0.9, *sub_ev),
        Evidence("metadata", 0.8, *title),
        Evidence("loader", 1.0, loader, flat + LOADER_TIER),
        Evidence("size", 1.0, size, flat + SIZE_TIER),
        Evidence("kind", 1.0, default, flat + DEFAULT_TIER),
    ]
    return resolve(evidence, kind)


@cache
def _lineages() -> np.ndarray:
    """Lineage code per family code; -1 (no family) last."""
    lineage = pd.factorize(_rules.by_family("lineage", ""))[0]
    lineage[-1] = -1
    return lineage


@cache
def _default_families() -> np.ndarray:
    """Family code of each kind's default family (-1 when none), kind code -1 last."""
    return _rules.codes(_rules.by_kind("default_family", ""), _rules.FAMILY_CODE)


def _column(models: pd.DataFrame, name: str) -> pd.Series:
    if name not in models.columns:
        return as_text([""] * len(models))
    return as_text(models[name])
