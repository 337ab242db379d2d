"""Family and capabilities from the server's own workflow templates.

A model file an official template names exactly (folder and name) takes its family from the template's index
``models`` entry and, for generators of a family the rules do not know, its capabilities from the template's
tags (rules/template_tags.csv).
This keeps up with families no rule table knows yet: the server's templates name them.

A template family name becomes a key (:func:`family_keys`): rules/template_families.csv first (makers and
umbrella names such as "FLUX" or "Stability" give none), then a family_names.csv rule that names a family
outright ("Wan2.1 InfiniteTalk" -> wan21), else the name normalised ("Krea 2" -> krea_2). A template listing
several names takes the first known family among them, else the first name with a key.

Which file gets which family: a generator the family of a template that loads it alone (its own template), else
generators and adapters the family most of the templates naming them give (a generator beside others counts for
its share: a depth model in a Qwen-Image template is no Qwen-Image model); components (text encoders, VAEs, CLIP vision, audio encoders, anything
else) only when every template naming them gives the same family: encoders shared by several families keep the
rules' verdict. The file's own metadata or name can beat a template that names another family
(:func:`apply_templates`).
Everything is joins and group-bys over the (file, template) pairs; nothing loops over models.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from ..rules import _rules
from ..support._safe_text import for_terminal
from ._infer_family import EXPLICIT_TIER, SOURCES, masked, name_families, size_vetoes, vetoed
from ._infer_normalize import normalize

# A family_names.csv rule at this tier or above names a family outright (not a brand guess: "FLUX" alone).
NAMING_TIER = 70
# Folder names older servers list beside (or instead of) the ones templates write.
FOLDER_ALIASES = {"unet": "diffusion_models", "clip": "text_encoders"}
# Template folders of generators (a template's family is theirs).
GENERATOR_FOLDERS = ("checkpoints", "diffusion_models")
# Kinds that take the majority family of their templates; every other kind needs all of them to agree.
OWN_FAMILY_KINDS = ("checkpoint", "diffusion_model", "lora", "controlnet", "model_patch", "motion_module",
                    "ipadapter", "style_model", "latent_upscale")  # fmt: skip
TEMPLATE_CONFIDENCE = 0.95
# The confidence of explicit evidence: a name token at EXPLICIT_TIER read from a subfolder (weight 0.9) and up.
EXPLICIT = EXPLICIT_TIER / 100 * 0.9 - 1e-9
# A file more than this factor larger or smaller than the median of its template family's files of its kind
# (at least SIZE_PEERS others) is reported; for known families rules/family_size_limits.csv decides.
SIZE_FACTOR, SIZE_PEERS = 8.0, 3


@dataclass(frozen=True)
class TemplateKnowledge:
    """Per model row: family key ("" = templates say nothing), the template that said so, capability mask."""

    family: np.ndarray
    template: np.ndarray
    caps: np.ndarray

    @property
    def named(self) -> np.ndarray:
        return self.family != ""


def family_keys(names: list[str]) -> dict[str, str]:
    """Template family name -> family key ("" for makers and umbrella names); see module docstring."""
    if not names:
        return {}
    table = _rules.template_families()
    normal = [_rules.template_key(n) for n in names]
    found, tier = name_families(masked(normalize(pd.Series(names, dtype="string"))))
    keys = {}
    for name, key, code, level in zip(names, normal, found.tolist(), tier.tolist()):  # distinct names: a few dozen
        if key in table:
            keys[name] = table[key]
        elif code >= 0 and level >= NAMING_TIER:
            keys[name] = _rules.FAMILIES[code]
        else:
            keys[name] = key
    return keys


def template_families(refs: pd.DataFrame) -> pd.DataFrame:
    """One row per (server, template) of ``refs`` (tables/_templates.py): its ``family`` key and capability mask."""
    per = refs.drop_duplicates(["server", "template"])[["server", "template", "source", "families", "tags", "media",
                                                        "usage"]]  # fmt: skip
    per = per[per["source"].astype(str).eq("official")]
    names = sorted({n for fams in per["families"] for n in fams})
    keys = family_keys(names)
    known = set(_rules.FAMILIES)

    def choose(families: tuple[str, ...]) -> str:
        given = [keys[n] for n in families if keys[n]]
        return next((k for k in given if k in known), given[0] if given else "")

    tags = _rules.template_tags()
    return pd.DataFrame({
        "server": per["server"].astype(str).to_numpy(), "template": per["template"].astype(str).to_numpy(),
        "family": [choose(f) for f in per["families"]],  # per template (hundreds), not per model
        "caps": np.array([_mask(t, str(m), tags) for t, m in zip(per["tags"], per["media"].fillna(""))], dtype=np.int64),
        "usage": per["usage"].fillna(0).to_numpy(dtype=np.int64),
    })  # fmt: skip


def tag_capabilities(tags: tuple[str, ...], media: str = "") -> tuple[str, ...]:
    """comfyframe capabilities of a template's tags, read for the type of its index category (rules/template_tags.csv)."""
    mask = _mask(tags, media, _rules.template_tags())
    return tuple(c for i, c in enumerate(_rules.CAPABILITIES) if mask >> i & 1)


def _mask(tags: tuple[str, ...], media: str, table: dict[tuple[str, str], int]) -> int:
    """Capability mask of a template's tags, read for the type of its category (rules/template_tags.csv); a
    category without a type reads every row of the tag."""
    out = 0
    for tag in map(_rules.template_key, tags):
        if media:
            out |= table.get((tag, "*"), 0) | table.get((tag, media), 0)
        else:
            out |= _any_media(table).get(tag, 0)
    return out


def _any_media(table: dict[tuple[str, str], int]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for (tag, _), mask in table.items():
        merged[tag] = merged.get(tag, 0) | mask
    return merged


def file_keys(frame: pd.DataFrame) -> pd.Series:
    """"server|folder|name" of each row, folder aliases resolved and backslashes as "/" (the join key)."""
    folder = frame["folder"].astype(str).replace(FOLDER_ALIASES)
    name = frame["name"].astype(str).str.replace("\\", "/", regex=False)
    server = frame["server"].astype(str) if "server" in frame.columns else ""
    return server + "|" + folder + "|" + name


def template_knowledge(models: pd.DataFrame, kind: np.ndarray, refs: pd.DataFrame | None) -> TemplateKnowledge:
    """What the official templates say about each row of ``models`` (``kind``: its kind codes)."""
    n = len(models)
    empty = TemplateKnowledge(np.full(n, "", dtype=object), np.full(n, "", dtype=object), np.zeros(n, dtype=np.int64))
    if refs is None or refs.empty or n == 0:
        return empty
    official = refs[refs["source"].astype(str).eq("official")]
    if official.empty:
        return empty
    pairs = pd.DataFrame({"key": file_keys(official).to_numpy(), "server": official["server"].astype(str).to_numpy(),
                          "template": official["template"].astype(str).to_numpy(),
                          "generator": official["folder"].astype(str).replace(FOLDER_ALIASES).isin(GENERATOR_FOLDERS).to_numpy()})  # fmt: skip
    pairs = pairs.drop_duplicates(["key", "server", "template"]).merge(template_families(official), on=["server", "template"])
    # a template's family is its generators' together: each of n generators speaks for 1/n of it (a depth or
    # pose model beside a Qwen-Image model is no Qwen-Image model); other files speak for the whole
    generators = pairs.groupby(["server", "template"])["generator"].transform("sum").to_numpy()
    pairs["weight"] = np.where(pairs["generator"].to_numpy(), 1.0 / np.maximum(generators, 1), 1.0)
    pairs["sole"] = pairs["generator"].to_numpy() & (generators == 1)  # the template is about this file
    row_of = pd.Index(file_keys(models).to_numpy())
    pairs["row"] = row_of.get_indexer(pairs["key"])
    pairs = pairs[pairs["row"] >= 0]
    if pairs.empty:
        return empty
    caps = np.zeros(n, dtype=np.int64)
    np.bitwise_or.at(caps, pairs["row"].to_numpy(), pairs["caps"].to_numpy())
    said = pairs[pairs["family"] != ""]
    votes = said.groupby(["row", "family"], sort=False).agg(sole=("sole", "max"), weight=("weight", "sum"),
                                                           usage=("usage", "sum"))  # fmt: skip
    # the template that speaks for a family: its most used one
    best = said.sort_values("usage", ascending=False, kind="stable").drop_duplicates(["row", "family"])
    votes = votes.reset_index().merge(best[["row", "family", "template"]], on=["row", "family"])
    votes["known"] = votes["family"].isin(_rules.FAMILIES)
    # the family of a template about this file alone, else the one most of its templates give (by weight), then a
    # known one, then the most used
    votes = votes.sort_values(["row", "sole", "weight", "known", "usage"], ascending=[True, False, False, False, False],
                              kind="stable")  # fmt: skip
    distinct = votes.groupby("row")["family"].transform("size").to_numpy()
    winner = votes.drop_duplicates("row")
    own = np.isin(np.asarray(_rules.KINDS, dtype=object)[kind], OWN_FAMILY_KINDS)
    rows = winner["row"].to_numpy()
    agreed = (distinct[votes.index.get_indexer(winner.index)] == 1) if len(winner) else np.zeros(0, dtype=bool)
    keep = own[rows] | agreed
    keep &= _rules.by_kind("has_family", True)[kind][rows].astype(bool)
    family, template = empty.family.copy(), empty.template.copy()
    family[rows[keep]] = winner["family"].to_numpy(dtype=object)[keep]
    template[rows[keep]] = winner["template"].to_numpy(dtype=object)[keep]
    return TemplateKnowledge(family, template, caps)


@cache
def _template_source() -> int:
    return SOURCES.index("template")


def apply_templates(
    knowledge: TemplateKnowledge, family: np.ndarray, source: np.ndarray, confidence: np.ndarray
) -> tuple[TemplateKnowledge, np.ndarray, np.ndarray, np.ndarray]:
    """(knowledge as applied, family code, source code, confidence) with the templates' verdict.

    The template decides, except against the file's own metadata or name: a known family the template names
    loses only to explicit evidence (metadata, a name token at EXPLICIT_TIER), a new one to any. A template is
    named after what it does ("HuMo", "SCAIL-2", "Marigold v2"), often a model built on a known family, while the
    file name ("wan2.1_14B_SCAIL_2", "humo_17B" in the brand list) says the architecture recipes and memory need.
    Where the rules win, the returned knowledge names no family for the row. A new family (no code) gets -1
    here: its key is in the knowledge, which :func:`family_labels` reads.
    """
    named = knowledge.named
    if not named.any():
        return knowledge, family, source, confidence
    codes = _rules.codes(knowledge.family, _rules.FAMILY_CODE)
    # the file's own name or metadata (read by comfyframe, or by the server for its assets API)
    own = np.isin(source, [SOURCES.index("metadata"), SOURCES.index("name"), SOURCES.index("assets")])
    explicit = own & (confidence >= EXPLICIT)
    used = named & ((family < 0) | (codes == family) | np.where(codes >= 0, ~explicit, ~own))
    knowledge = TemplateKnowledge(np.where(used, knowledge.family, ""), np.where(used, knowledge.template, ""),
                                  knowledge.caps)  # fmt: skip
    return (knowledge, np.where(used, codes, family), np.where(used, _template_source(), source),
            np.where(used, TEMPLATE_CONFIDENCE, confidence))  # fmt: skip


def family_labels(knowledge: TemplateKnowledge, family: np.ndarray) -> np.ndarray:
    """The ``family`` column: known family names by code, the templates' key where they name the file."""
    labels = np.asarray([*_rules.FAMILIES, ""], dtype=object)[family]
    return np.where(knowledge.named, knowledge.family, labels)


def template_capabilities(knowledge: TemplateKnowledge, kind: np.ndarray, family: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Capability masks: a generator of a family the rules do not know (``family`` code -1) that the templates
    name does what their tags say (nothing of the vocabulary for "3D" or "Pose Map" alone), not what its kind
    suggests (a checkpoint: text to image).

    A known family keeps the rules' capabilities: tags describe a whole workflow, not each of its files (an
    SDXL checkpoint drawing the first frame of a "Text to Video" template; a Wan inpainting model tagged
    "Inpainting"), while the rules read the file's own variant (i2v, ti2v, edit).
    """
    generator = _rules.by_kind("generator", False)[kind].astype(bool) & (family < 0)
    # a new family the templates name does only what they say: a pose or 3D checkpoint is no text-to-image model
    told = generator & (knowledge.named | (knowledge.caps != 0))
    return np.where(told, knowledge.caps, caps)


def size_problems(models: pd.DataFrame) -> list[str]:
    """Files the templates named whose size is far outside what the rest of their family suggests.

    Such a file keeps its family (the template named it exactly); the note says what to check. Known families:
    rules/family_size_limits.csv; new ones: more than SIZE_FACTOR from the median size of the family's files of
    the kind on the server (at least SIZE_PEERS besides this one).
    """
    if models.empty or "source" not in models.columns:
        return []
    mine = models[models["source"].astype(str).eq("template") & models["size_bytes"].notna()]
    if mine.empty:
        return []
    size = mine["size_bytes"].to_numpy(dtype=np.float64)
    kind = _rules.codes(mine["kind"].astype(str).to_numpy(dtype=object), _rules.KIND_CODE)
    family = _rules.codes(mine["family"].astype(str).to_numpy(dtype=object), _rules.FAMILY_CODE)
    odd = vetoed(family, size_vetoes(kind, size))
    group = mine.groupby(["server", "kind", "family"], sort=False)["size_bytes"]
    peers = group.transform("size").to_numpy() - 1
    median = group.transform("median").to_numpy(dtype=np.float64)
    ratio = size / np.where(median > 0, median, np.nan)
    new = family < 0
    odd |= new & (peers >= SIZE_PEERS) & ((ratio > SIZE_FACTOR) | (ratio < 1 / SIZE_FACTOR))
    notes = []
    for row in mine[odd].itertuples(index=False):  # the few odd files only
        notes.append(
            for_terminal(f"{row.server}: {row.folder}/{row.name} is named by an official template as {row.family}, "
                         f"but its size ({row.size_bytes / 1e9:.2f} GB) is far from that family's; kept as "
                         f"{row.family}: check the download.")
        )
    return notes
