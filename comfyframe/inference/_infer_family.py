"""Which base-model family a file belongs to, and which evidence said so.

Evidence, strongest first: safetensors metadata (``modelspec.architecture`` / ``ss_base_model_version``,
then the training base ``ss_sd_model_name``), the file name, its subfolders, ``modelspec.title``, the
loaders offering it, its siblings (source ``folder``), its size and finally a folder or kind that exists
for one family only. The first evidence that names a family decides, except that stronger (higher-tier)
later evidence of the same lineage refines it: metadata "wan2.1" (musubi labels every Wan LoRA so) + name
"Wan2.2" -> wan22; name "wan_style" + subfolder "Wan2.2/" -> wan22.

Precedence and vetoes, applied before that: name parts that only look like a family token are blanked
(rules/name_masks.csv: "learned_svd"); a subfolder naming a family beats a brand-list guess or an
abbreviation from the file name (tier below EXPLICIT_TIER); a size outside a family's physical range
(rules/family_size_limits.csv) vetoes all but metadata and explicit name tokens for that family; a model
outside the vocabulary (rules/outside_families.csv, by its name, its subfolder or its metadata: "Kandinsky-5/lora")
keeps only metadata and explicit name tokens.
Siblings: when at least SIBLING_MIN files of one (server, folder, subfolder) are identified by metadata
or their own name and SIBLING_SHARE of them agree, an unidentified file there gets that family (subfolders
only, see :func:`sibling_families`). All must agree: users sort by purpose too ("Style/" holding SDXL, Pony
and Flux styles side by side), and one dissenting sibling shows a folder mixes bases. A file that has a
generation twin among them ("detail_tweaker" beside "detail_tweaker_xl") gets no sibling evidence.

Loaders tell a file's role, not its family: a loader's family hint counts only where its dropdown is
specific (:mod:`._infer_loaders`). Families are int codes (``_rules.FAMILY_CODE``, -1 = none) inside this
module.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from ..rules import _rules
from ._infer_edges import Dropdowns
from ._infer_loaders import consulted_nodes, dropdown_groups, hinting_nodes, loader_families, node_hints
from ._infer_normalize import normalize, on_distinct
from ._regex_passes import contains_at, extract, first_match, plain_texts, replace, replace_at, replace_each
from ._text_columns import TEXT, all_blank, as_text, concat, factorize, fill_blank, join_words, strip, suffix, take

LOADER_TIER, FOLDER_TIER, SIZE_TIER, DEFAULT_TIER = 60, 40, 40, 35
# family_names.csv tiers: from EXPLICIT_TIER up a token names a family outright ("xl", "flux1", "wan2.2");
# at BRAND_TIER and below it is a guess from a brand list or an abbreviation.
EXPLICIT_TIER, BRAND_TIER, SUBFOLDER_TIER = 65, 50, 60
# Sibling evidence: a (server, folder, subfolder) needs this many identified files, this share agreeing (all).
SIBLING_MIN, SIBLING_SHARE = 3, 1.0
# Appended to a file name or subfolder before the family rules read it, so that a rule can tell the
# name's end from a following token (" qwen |" vs " qwen 2.5 vl |"); it is no letter, digit or separator.
END = "|"
# "folder" (sibling evidence), "template" (the server's workflow templates, _infer_templates.py), "assets" and
# "header" (_infer_headers) are appended: other modules index SOURCES.
SOURCES: tuple[str, ...] = ("none", "metadata", "name", "loader", "size", "kind", "folder", "template", "assets", "header")


@dataclass(frozen=True)
class Evidence:
    """One kind of family evidence for every row: family code (-1 = none) and tier."""

    source: str
    weight: float
    family: np.ndarray
    tier: np.ndarray


def name_families(texts: pd.Series, table: str = "family_names") -> tuple[np.ndarray, np.ndarray]:
    """(family code, tier) per normalised text from ``family_names`` (or another family rule table)."""
    index = first_match(texts, _rules.patterns(table), _tiers(table))
    return _rules.family_column(table)[index], _tier_column(table)[index]


@cache
def _tiers(table: str) -> tuple[int, ...]:
    return tuple(int(t) for t in _rules.column(table, "tier").tolist())


@cache
def _tier_column(table: str) -> np.ndarray:
    return np.append(_rules.column(table, "tier", "int64"), 0)


@cache
def _blank_families(table: str) -> tuple[int, int]:
    family, tier = name_families(normalize([""]), table)
    return int(family[0]), int(tier[0])


def metadata_text(models: pd.DataFrame) -> pd.Series:
    """ "<architecture> <base model>"; without both, "kohya legacy <network module>" for a kohya LoRA."""
    arch, base, module = (_given(models, c) for c in ("meta_architecture", "meta_base_model", "meta_network_module"))
    if arch is not None and base is not None:
        joined = join_words(arch, base)
    elif arch is not None:  # no base model in any row: nothing to join
        joined = strip(arch)
    elif base is not None:
        joined = strip(base)
    else:  # no architecture or base model at all (the common case: no metadata)
        joined = _column(models, "meta_architecture")
    return joined if module is None else fill_blank(joined, module, "kohya legacy ")


def _given(models: pd.DataFrame, name: str) -> pd.Series | None:
    """A column as text, None when it is absent or blank in every row (checked before NA is filled)."""
    if name not in models.columns:
        return None
    column = models[name]
    return None if all_blank(column if column.dtype == TEXT else as_text(column)) else as_text(column)


def metadata_families(
    texts: pd.Series | None, codes: np.ndarray, beyond: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(family code, tier, outside) per row of :func:`metadata_text`: ``codes`` index its normalised distinct
    ``texts`` (None: every row's metadata is blank), ``beyond`` is per text: outside_families.csv matches.

    ``outside``: the metadata names no family but an architecture outside the vocabulary
    ("Kandinsky-5/lora"); such a file is treated like a name from outside_families.csv: weak guesses are dropped.
    """
    n = len(codes)
    if texts is None:  # no metadata at all (the common case): the table's verdict on "" is a constant
        family, tier = _blank_families("metadata_families")
        return np.full(n, family, dtype=np.int64), np.full(n, tier, dtype=np.int64), np.zeros(n, dtype=bool)
    families, tiers = name_families(texts, "metadata_families")
    return families[codes], tiers[codes], beyond[codes] & (families[codes] < 0)


def size_families(kind: np.ndarray, size_bytes: np.ndarray, precision: np.ndarray) -> np.ndarray:
    """Family code from a tell-tale file size for the kind and the precision the name states (the first rule of
    family_sizes.csv that fits, as one (rows x rules) test)."""
    rule_kind, low, high, file_bytes, family = _size_rules()
    if len(family) == 0:
        return np.full(len(kind), -1, dtype=np.int64)
    gb = (size_bytes / 1e9)[:, None]
    per_weight = _rules.by_rule("precisions", "file_bytes", np.nan)[precision][:, None]
    hit = (kind[:, None] == rule_kind) & (gb >= low) & (gb <= high) & (np.isnan(file_bytes) | (per_weight == file_bytes))
    return np.where(hit.any(axis=1), family[hit.argmax(axis=1)], -1)


@cache
def _size_rules() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """family_sizes.csv as arrays: kind code, min and max GB, bytes per weight (NaN: any), family code."""
    rules = _rules.rows("family_sizes")
    file_bytes = np.array([r.file_bytes for r in rules], dtype=np.float64)
    family = np.array([_rules.FAMILY_CODE[r.family] for r in rules], dtype=np.int64)
    _rules.freeze(file_bytes, family)
    return (*_kind_ranges(rules), file_bytes, family)


def _kind_ranges(rules: tuple[Any, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The kind code, min GB and max GB of each size rule, read-only."""
    arrays = (np.array([_rules.KIND_CODE[r.kind] for r in rules], dtype=np.int64),
              np.array([r.min_gb for r in rules], dtype=np.float64), np.array([r.max_gb for r in rules], dtype=np.float64))  # fmt: skip
    _rules.freeze(*arrays)
    return arrays


def size_vetoes(kind: np.ndarray, size_bytes: np.ndarray) -> np.ndarray:
    """(rows x families) bool: the file's size rules the family out for its kind (family_size_limits.csv)."""
    rule_kind, low, high, families = _limit_rules()
    gb = (size_bytes / 1e9)[:, None]
    outside = (kind[:, None] == rule_kind) & ((gb < low) | (gb > high))  # (rows x rules)
    return (outside.astype(np.int64) @ families) > 0


@cache
def _limit_rules() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """family_size_limits.csv as arrays: kind code, min and max GB per rule, (rules x families) rule's family."""
    rules = _rules.rows("family_size_limits")
    families = np.zeros((len(rules), len(_rules.FAMILIES)), dtype=np.int64)
    families[np.arange(len(rules)), [_rules.FAMILY_CODE[r.family] for r in rules]] = 1
    _rules.freeze(families)
    return (*_kind_ranges(rules), families)


def vetoed(family: np.ndarray, veto: np.ndarray) -> np.ndarray:
    """Per row: is ``family`` (code, -1 = none) ruled out by ``veto`` (from :func:`size_vetoes`)."""
    rows = np.arange(len(family))
    return (family >= 0) & veto[rows, np.maximum(family, 0)]


def sibling_families(
    models: pd.DataFrame, identified: np.ndarray, keys: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(family code, share) the identified files of each row's (server, folder, subfolder) agree on.

    A group speaks when at least SIBLING_MIN identified files are in it and SIBLING_SHARE of them share
    one family; otherwise -1. Only subfolders form groups: a user sorts files into a subfolder
    ("Char/", "Motion/"), while a folder's top level holds whatever was downloaded, of every base.
    Computed with one factorize and one bincount; ``keys`` is :func:`subfolder_keys` (computed when not given).
    """
    n, families = len(models), len(_rules.FAMILIES)
    out, share = np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.float64)
    if n == 0 or not (identified >= 0).any():
        return out, share
    group, in_subfolder = subfolder_keys(models) if keys is None else keys
    group = pd.factorize(group)[0]  # renumbered 0..groups-1 for the count table
    groups = int(group.max()) + 1
    known = (identified >= 0) & in_subfolder
    counts = np.bincount(group[known] * families + identified[known], minlength=groups * families)
    counts = counts.reshape(groups, families)
    total, best = counts.sum(axis=1), counts.argmax(axis=1)
    ratio = counts.max(axis=1) / np.maximum(total, 1)
    speaks = (total >= SIBLING_MIN) & (ratio >= SIBLING_SHARE)
    out = np.where(speaks, best, -1)[group]
    share = np.where(speaks, ratio, 0.0)[group]
    out[~in_subfolder], share[~in_subfolder] = -1, 0.0
    return out, share


def generation_twins(
    models: pd.DataFrame, stem: tuple[pd.Series, np.ndarray], identified: np.ndarray, siblings: np.ndarray,
    keys: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:  # fmt: skip
    """Per row that sibling evidence would name: an identified file of its subfolder is named like it plus one
    token ("add_detail" beside "add_detail_xl"). A user who keeps both keeps two generations of one LoRA: the
    siblings' base is not this file's. ``stem`` is (normalised distinct stems, row codes); only the rows
    siblings would name and the identified files of their subfolders are read (integer keys, one ``isin``).
    """
    out = np.zeros(len(models), dtype=bool)
    asked = (siblings >= 0) & (identified < 0)
    if not asked.any():  # the common case: siblings name nothing
        return out
    group = (subfolder_keys(models) if keys is None else keys)[0]
    rows = np.flatnonzero(asked | ((identified >= 0) & np.isin(group, group[asked])))
    used, at = np.unique(stem[1][rows], return_inverse=True)
    names = replace(take(stem[0], used), r"^ +| +$", "")
    canon, distinct = pd.factorize(names.to_numpy(dtype=object))
    shorter = pd.Index(distinct).get_indexer(replace(names, r" [^ ]+$", "").to_numpy(dtype=object))
    shorter = np.where(shorter != canon, shorter, -1)[at.reshape(-1)]  # -1: a single token, or no stem that short
    width, mine = len(distinct) + 1, group[rows]
    twin = (identified[rows] >= 0) & (shorter >= 0)
    out[rows] = asked[rows] & np.isin(mine * width + canon[at.reshape(-1)], mine[twin] * width + shorter[twin])
    return out


# A high- / low-noise token: "-H" / "-L", HN / LN, hinoise / lownoise, high_noise / low_noise, or a final
# high / low ("lite_high" beside "lite_low"; "lighting_high_key" is no expert).
HIGH_NOISE = r" (?:h|hn|hinoise|hi noise|high noise) | high $"
LOW_NOISE = r" (?:l|ln|lonoise|lownoise|lo noise|low noise) | low $"


def expert_pairs(
    models: pd.DataFrame, stem: tuple[pd.Series, np.ndarray], keys: tuple[np.ndarray, np.ndarray] | None = None
) -> np.ndarray:
    """Per row: the file has a high/low-noise twin in its folder ("Dancing_v10-H" beside "Dancing_v10-L").

    Only Wan 2.2's A14B experts come in such pairs. ``stem`` is (normalised distinct stems, row codes);
    two regex passes over the distinct stems, integer keys per row and one ``isin`` per side.
    """
    plain = plain_texts(stem[0])
    high, low = contains_at(stem[0], None, HIGH_NOISE, plain), contains_at(stem[0], None, LOW_NOISE, plain)
    if not (high.any() and low.any()):  # the common case: no pair possible
        return np.zeros(len(models), dtype=bool)
    side = np.where(high & ~low, 1, np.where(low & ~high, 2, 0))  # per distinct stem: 1 high, 2 low
    cand = np.flatnonzero(side > 0)
    key = np.full(len(side), -1, dtype=np.int64)
    key[cand] = pd.factorize(_unpaired(stem[0], cand, side[cand] == 1, plain))[0]
    row_key, row_side = key[stem[1]], side[stem[1]]
    pairs = (subfolder_keys(models) if keys is None else keys)[0] * (int(key.max()) + 1) + row_key
    high_rows, low_rows = row_side == 1, row_side == 2
    return (high_rows & np.isin(pairs, pairs[low_rows])) | (low_rows & np.isin(pairs, pairs[high_rows]))


def _unpaired(stems: pd.Series, rows: np.ndarray, high: np.ndarray, plain: list[str] | None) -> np.ndarray:
    """Object array: ``stems`` at ``rows`` with their high-noise (``high``) or low-noise token replaced by " ~ "
    (``plain``: :func:`plain_texts` of ``stems``)."""
    out = np.empty(rows.size, dtype=object)
    out[high] = replace_at(stems, rows[high], HIGH_NOISE, " ~ ", plain)
    out[~high] = replace_at(stems, rows[~high], LOW_NOISE, " ~ ", plain)
    return out


def subfolder_keys(
    models: pd.DataFrame, server_folder: np.ndarray | None = None, subfolders: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(integer id of each row's (server, folder, subfolder), is the row in a subfolder): codes combined, no
    string joins. ``server_folder`` is a (server, folder) key per row when the caller has one (``Dropdowns``);
    ``subfolders`` the factorized subfolder column (row codes, distinct str) when the caller has it."""
    if subfolders is None:
        codes, texts = factorize(_column(models, "subfolder"))
        subfolders = codes, texts.to_numpy(dtype=object)
    codes, distinct = subfolders
    if server_folder is None:
        server_folder = np.zeros(len(models), dtype=np.int64)
        for column in ("server", "folder"):
            column_codes, column_distinct = pd.factorize(_column(models, column))
            server_folder = server_folder * (len(column_distinct) + 1) + column_codes
    in_subfolder = (distinct != "")[codes]
    return server_folder * (len(distinct) + 1) + codes, in_subfolder


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


def gather_evidence(
    models: pd.DataFrame, kind: np.ndarray, stem: tuple[pd.Series, np.ndarray], sub: tuple[pd.Series, np.ndarray],
    size_bytes: np.ndarray, precision: np.ndarray, dd: Dropdowns, subfolders: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[Evidence]:  # fmt: skip
    """Every piece of family evidence for every row, strongest first, precedence and vetoes applied.

    Every text ``family_names`` reads (stems, subfolders, training base, title, loader labels) goes
    through one batched pass (metadata texts are normalised in the same batch): each regex pass has a fixed
    cost, and a server has few distinct texts. ``subfolders``: see :func:`subfolder_keys`.
    """
    n = len(models)
    meta_text = metadata_text(models)
    groups = dropdown_groups(dd) if not dd.empty and dd.named_folder.any() else None
    consulted = consulted_nodes(dd, groups)
    codes, texts = on_distinct(concat([meta_text, _column(models, "meta_sd_model_name"), _column(models, "meta_title"),
                                       as_text(dd.text_of(consulted))]))  # fmt: skip
    meta_codes, meta_texts = codes[:n], None
    if not all_blank(meta_text):  # the distinct metadata texts only, for the metadata tables
        used = np.unique(meta_codes)
        meta_codes, meta_texts = np.searchsorted(used, meta_codes), take(texts, used)
    family, tier = name_families(concat([masked(concat([stem[0], sub[0]])), texts]))
    a, b = len(stem[0]), len(stem[0]) + len(sub[0])
    stem_family, stem_tier = family[:a][stem[1]], tier[:a][stem[1]]
    sub_family, sub_tier = family[a:b][sub[1]], tier[a:b][sub[1]]
    other, other_tier = family[b:][codes[n:]], tier[b:][codes[n:]]
    trained_on, title, hints = (other[:n], other_tier[:n]), (other[n : 2 * n], other_tier[n : 2 * n]), other[2 * n :]
    # A model outside the vocabulary keeps only metadata and strong name tokens; weaker guesses are dropped.
    # ... by its name, its subfolder ("Kandinsky5/") or its metadata; one pass over the three.
    read = [stem[0], sub[0]] if meta_texts is None else [stem[0], sub[0], meta_texts]
    beyond = first_match(concat(read), _rules.patterns("outside_families")) >= 0
    outside = beyond[:a][stem[1]] | beyond[a:b][sub[1]]
    meta_family, meta_tier, meta_outside = metadata_families(meta_texts, meta_codes, beyond[b:])
    meta = meta_family, meta_tier
    outside |= meta_outside
    # A high/low-noise pair in one folder is a Wan 2.2 expert pair: a brand-level guess from the names.
    keys = subfolder_keys(models, dd.model_server_folder, subfolders)
    pair = (stem_family < 0) & _rules.by_kind("expert_pairs", False)[kind].astype(bool)
    pair &= expert_pairs(models, stem, keys)
    stem_family = np.where(pair, _rules.FAMILY_CODE["wan22"], stem_family)
    stem_tier = np.where(pair, BRAND_TIER, stem_tier)
    stem_family = np.where(outside & (stem_tier <= BRAND_TIER), -1, stem_family)
    # Size limits veto weak evidence: a 2.1 GB checkpoint is not SDXL whatever its folder says.
    veto = size_vetoes(kind, size_bytes)
    sub_family = np.where(vetoed(sub_family, veto), -1, sub_family)
    # A subfolder naming a family beats a weaker guess (brand list, abbreviation) from the file name.
    # A folder a user named after a family ("IL/") is deliberate: it counts at least SUBFOLDER_TIER here.
    sub_first = (sub_family >= 0) & (stem_family >= 0) & (stem_tier < EXPLICIT_TIER)
    sub_first &= np.maximum(sub_tier, SUBFOLDER_TIER) > stem_tier
    stem_family = np.where(sub_first, -1, stem_family)
    by_folder = dd.by_folder(_rules.folder_map("family"), _rules.FAMILY_CODE)
    by_kind = _default_families()[kind]
    by_kind = np.where(by_kind >= 0, by_kind, format_families(kind, _column(models, "name")))
    flat = np.full(n, 0, dtype=np.int64)
    guesses = [loader_families(models, dd, node_hints(hinting_nodes(dd), consulted, hints), groups),
               size_families(kind, size_bytes, precision),
               np.where(by_folder >= 0, by_folder, by_kind)]  # fmt: skip
    loader, size, default = (np.where(outside, -1, g) for g in guesses)
    weak_stem = stem_tier < EXPLICIT_TIER
    stem_family = np.where(weak_stem & vetoed(stem_family, veto), -1, stem_family)
    title_family, loader, default = (np.where(vetoed(f, veto), -1, f) for f in (title[0], loader, default))
    identified, _, _ = resolve([Evidence("metadata", 1.0, *meta), Evidence("metadata", 1.0, *trained_on),
                                Evidence("name", 1.0, stem_family, stem_tier)], kind)  # fmt: skip
    siblings, _ = sibling_families(models, identified, keys)
    siblings = np.where(outside | vetoed(siblings, veto), -1, siblings)
    siblings = np.where(generation_twins(models, stem, identified, siblings, keys), -1, siblings)
    return [
        Evidence("metadata", 1.0, *meta),
        Evidence("metadata", 0.95, *trained_on),
        Evidence("name", 1.0, stem_family, stem_tier),
        Evidence("name", 0.9, sub_family, sub_tier),
        Evidence("metadata", 0.8, title_family, title[1]),
        Evidence("loader", 1.0, loader, flat + LOADER_TIER),
        Evidence("folder", 1.0, siblings, flat + FOLDER_TIER),
        Evidence("size", 1.0, size, flat + SIZE_TIER),
        Evidence("kind", 1.0, default, flat + DEFAULT_TIER),
    ]


def infer_family(
    models: pd.DataFrame, kind: np.ndarray, stem: tuple[pd.Series, np.ndarray], sub: tuple[pd.Series, np.ndarray],
    size_bytes: np.ndarray, precision: np.ndarray, dd: Dropdowns, subfolders: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """(family code, source code, confidence) per row; ``stem``/``sub`` are (normalised texts, row codes),
    ``subfolders`` (row codes, distinct str) of the subfolder column when the caller has them."""
    return resolve(gather_evidence(models, kind, stem, sub, size_bytes, precision, dd, subfolders), kind)


def format_families(kind: np.ndarray, names: pd.Series) -> np.ndarray:
    """Family code a file's format implies for its kind (rules/format_families.csv), -1 when none."""
    out = np.full(len(kind), -1, dtype=np.int64)
    rules = _format_rules()
    rows = np.flatnonzero(np.isin(kind, [k for k, _, _ in rules]))
    if rows.size == 0:  # the common case: no file of a listed kind; no string work at all
        return out
    found = extract(take(as_text(names), rows), r"\.([A-Za-z0-9]+)$").tolist()
    ext = np.array([e.lower() if e else "" for e in found], dtype=object)  # ASCII: lower() as Arrow's
    for rule_kind, rule_ext, family in rules:
        hit = (kind[rows] == rule_kind) & (ext == rule_ext) & (out[rows] < 0)
        out[rows[hit]] = family
    return out


@cache
def _format_rules() -> tuple[tuple[int, str, int], ...]:
    """rules/format_families.csv as (kind code, extension, family code) rows."""
    table = _rules.format_families()
    return tuple((_rules.KIND_CODE[r.kind], r.ext, _rules.FAMILY_CODE[r.family]) for r in table.itertuples(index=False))


def masked(texts: pd.Series) -> pd.Series:
    """Names as the family rules read them: name_masks.csv parts blanked, END appended (one pass per mask)."""
    return suffix(replace_each(texts, _rules.patterns("name_masks"), " "), END)


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
