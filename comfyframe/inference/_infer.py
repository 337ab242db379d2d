"""Capability inference: what every model file is, what it can do, what it needs and how good it is.

:func:`infer_models` adds, for each row of the ``models`` table:

=============  ==========  =====================================================================
column         dtype       meaning
=============  ==========  =====================================================================
kind           string      checkpoint, diffusion_model, lora, vae, ... unknown (_infer_kind.py)
family         string      base-model family (sd15 ... ace_step) or "" (_infer_family.py); a key from the
                           server's templates for families the rules do not know (krea_2, _infer_templates.py)
capabilities   object      sorted tuple of text_to_image, image_to_image, text_to_video,
                           image_to_video, upscale, text_to_audio
variant        string      ';'-joined sorted variant tokens (t2v, i2v, edit, turbo, 4step, ...)
precision      string      fp32, fp16, bf16, fp8_e4m3fn, fp8_e5m2, fp8_scaled, nvfp4, int8, ... or ""
quant          string      GGUF quant type (Q4_K_M, Q8_0, F16, ...) or ""
params_b       float64     parameters in billions of the file's own model (name token, else family
                           typical for generators; NaN when unknown and for adapters)
weights_gb     float64     the file's weights as ComfyUI holds them on the GPU, GiB (_infer_vram.py)
vram_gb        float64     GPU memory to run it, GiB: weights + a typical job's activations (_infer_vram.py)
quality        Int64       tier 1-10 for generators/motion modules of a known family, else NA
source         string      evidence that decided the family: metadata, name, loader, folder (siblings), size,
                           kind, template (the server's workflow templates name the file), none
confidence     float64     0-1 confidence in the family
kind_source    string      evidence that decided the kind: folder, loader, name, none
=============  ==========  =====================================================================

Decisions: components (VAE, text encoders, CLIP vision, embeddings, preview decoders) get no
capabilities and no quality. LoRAs, ControlNets, IP-Adapters and other adapters are not standalone
generators: they get no capabilities (a capability filter returns runnable models) but do get their base
family. Motion modules turn an image model into a video model: text_to_video (image_to_video when the name
says i2v), rated. Components get a
family only when their name ties them to one (wan_2.1_vae, ae, clip_l_hidream, llava_llama3); shared
encoders (t5xxl, clip_l, umt5, qwen_2.5_vl) keep "" unless a subfolder names one. Z-Image is ComfyUI's
``ZImage(Lumina2)`` model class, so it is lumina2.

Everything the name says is computed once per distinct path with whole-column regex passes; rows only
gather the results (cost grows with distinct names, not rows). Kinds and families travel as int codes.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from ..rules import _rules
from ..tables._schema import MODELS_INFERRED, typed_array
from ._header_precedence import header_families, header_kinds, header_variant_mask, with_asset_base_models
from ._infer_edges import dropdowns
from ._infer_family import SOURCES, infer_family
from ._infer_headers import header_verdicts
from ._infer_kind import KIND_SOURCES, infer_kind
from ._infer_normalize import normalize
from ._infer_templates import apply_templates, family_labels, template_capabilities, template_knowledge
from ._infer_vram import component_params, estimate, params_from_name, precision_and_quant, quality
from ._regex_passes import extract, match_matrix, plain_texts
from ._text_columns import as_text, concat, factorize, join_each, lower, part, take, to_objects

INFERRED: dict[str, str] = {name: dtype for name, dtype, _ in MODELS_INFERRED}


def infer_models(
    models: pd.DataFrame, edges: pd.DataFrame, nodes: pd.DataFrame, templates: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Return a new frame: the ``models`` columns plus the inferred columns (see module docstring).

    ``templates``: the servers' template references (tables/_templates.py); a file an official template names
    exactly takes its family and capabilities from it (source "template", :mod:`._infer_templates`).
    """
    frame, from_assets = with_asset_base_models(models.reset_index(drop=True))
    names = _name_features(frame)
    size = _sizes(frame)
    dd = dropdowns(frame, edges, nodes)
    kind, kind_source = infer_kind(frame, names["path_text"], dd)
    header = header_verdicts(frame)  # safetensors headers read remotely: the structure decides
    if header is not None:
        kind, by_header = header_kinds(kind, kind_source, header, KIND_SOURCES.index("folder"))
        kind_source = np.where(by_header, KIND_SOURCES.index("header"), kind_source)
    family, source, confidence = infer_family(
        frame, kind, names["stem"], names["sub"], size, names["precision"], dd, names["subfolders"]
    )
    source = np.where(from_assets & (source == SOURCES.index("metadata")), SOURCES.index("assets"), source)
    if header is not None:
        family, by_header, _contradicted = header_families(family, header, _rules.by_family("lineage", ""))
        source = np.where(by_header, SOURCES.index("header"), source)
        confidence = np.where(by_header, np.where(header.tier >= 100, 0.99, 0.7), confidence)
    told = template_knowledge(frame, kind, templates)
    told, family, source, confidence = apply_templates(told, family, source, confidence)
    vmask, vdelta, vparams = _variants(names["variant_hits"], family)
    if header is not None:
        vmask = header_variant_mask(vmask, header)
    named = _either(names["params"], vparams)  # size the name gives: "14B" token, else variant (SD3.5 medium)
    components = np.where(_rules.by_kind("generator", False)[kind].astype(bool), np.nan, names["part_params"])
    params, weights, vram = estimate(kind, family, size, names["precision"], names["quant"], _either(named, components))
    quant_precision = _rules.by_rule("gguf_quants", "precision", "")[names["quant"]]
    token_precision = _rules.by_rule("precisions", "precision", "")[names["precision"]]
    if header is not None:  # exact: parameters, bytes and dtypes of the tensors themselves
        exact = ~np.isnan(header.weights_gb)
        half = _rules.by_kind("half_precision", False)[kind].astype(bool)
        header_gb = header.weights_gb * np.where(half & (header.precision == "fp32"), 0.5, 1.0)
        vram = np.where(exact, vram - weights + header_gb, vram)
        weights = np.where(exact, header_gb, weights)
        own = _rules.by_kind("own_params", True)[kind].astype(bool)
        params = np.where(exact & own, header.params_b, params)
        token_precision = np.where(header.precision != "", header.precision, token_precision)
    result = {
        "kind": np.asarray(_rules.KINDS, dtype=object)[kind],
        "family": family_labels(told, family),
        "capabilities": _as_tuples(
            np.where(_is_broken(frame), 0, template_capabilities(told, kind, family, _capabilities(kind, family, vmask)))
        ),
        "variant": _variant_labels(vmask, names["steps"]),
        "precision": np.where(quant_precision != "", quant_precision, token_precision),
        "quant": _rules.by_rule("gguf_quants", "quant", "")[names["quant"]],
        "params_b": params,
        "weights_gb": weights,
        "vram_gb": vram,
        "quality": quality(kind, family, vdelta, names["precision"], names["quant"], named),
        "source": np.asarray(SOURCES, dtype=object)[source],
        "confidence": confidence,
        "kind_source": np.asarray(KIND_SOURCES, dtype=object)[kind_source],
    }
    stale = [c for c in INFERRED if c in models.columns]
    out = models.drop(columns=stale) if stale else models  # concat copies nothing into ``models``
    columns = {c: _typed(result[c], t, len(models)) for c, t in INFERRED.items()}
    return pd.concat([out, pd.DataFrame(columns, index=models.index, copy=False)], axis=1)


def _is_broken(frame: pd.DataFrame) -> np.ndarray:
    """Files that cannot be loaded (``broken`` reason given) can do nothing: no capabilities."""
    if "broken" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame["broken"].fillna("").ne("").to_numpy(dtype=bool)


def _typed(values: Any, dtype: str, length: int) -> Any:
    """An inferred column as its schema dtype (float64 columns are float64 arrays already: kept as they are)."""
    if dtype == "object":
        return values
    if dtype == "float64" and isinstance(values, np.ndarray) and values.dtype == np.float64:
        return values
    if dtype == "Int64" and isinstance(values, pd.arrays.IntegerArray) and values.dtype == dtype:
        return values
    return typed_array(values, dtype, length)


def _either(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(first), second, first)


def _sizes(frame: pd.DataFrame) -> np.ndarray:
    if "size_bytes" not in frame.columns:
        return np.full(len(frame), np.nan)
    column = frame["size_bytes"]
    if not pd.api.types.is_numeric_dtype(column.dtype):
        column = pd.to_numeric(column, errors="coerce")
    return column.to_numpy(dtype=np.float64, na_value=np.nan)


def _name_features(frame: pd.DataFrame) -> dict[str, Any]:
    """Everything the name says, computed once per distinct path and gathered back to rows.

    ``stem``/``sub`` are (normalised distinct texts, row codes) for :func:`infer_family`, ``subfolders`` the raw
    subfolders factorized (row codes, distinct str) when every path is distinct, else None.
    """
    path = as_text(frame["path"] if "path" in frame.columns else frame["name"])
    codes = factorize(path)[0]
    # the first row of each distinct path; None when every path is distinct (one server: codes are 0..n-1)
    first = None if int(codes.max(initial=-1)) + 1 == len(codes) else np.unique(codes, return_index=True)[1]
    stems = _at(_part(frame, "stem"), first)
    sub_codes, subs = factorize(_at(_part(frame, "subfolder"), first))  # few distinct
    both = normalize(concat([stems, subs]))  # one pass for stems and subfolders
    stem, sub_distinct = part(both, 0, len(stems)), part(both, len(stems), len(both))
    sub = take(sub_distinct, sub_codes)
    ext = to_objects(lower(_at(_part(frame, "ext"), first)))
    path_text = join_each(stem, sub)
    plain = plain_texts(path_text)  # converted for Python ``re`` once for the passes below
    prec, quant = precision_and_quant(path_text, stem, ext, plain)
    step_tokens = extract(path_text, _rules.STEPS_PATTERN, plain=plain).tolist()
    steps = np.array([int(t) if t else 0 for t in step_tokens], dtype=np.int64)
    hits = match_matrix(path_text, _rules.patterns("variants"), plain)
    has_unless = _unless_rules()
    if has_unless.size:
        unless = [_rules.patterns("variants", "unless")[i] for i in has_unless]
        hits[:, has_unless] &= ~match_matrix(path_text, unless, plain)
    return {
        "path_text": path_text if first is None else take(path_text, codes),
        "stem": (stem, codes), "sub": (sub_distinct, sub_codes[codes]),
        "precision": prec[codes], "quant": quant[codes],
        "steps": steps[codes],
        "params": params_from_name(path_text, plain)[codes], "part_params": component_params(path_text, plain)[codes],
        "variant_hits": hits[codes],
        # the subfolder column factorized (row codes, distinct str), when it was factorized whole
        "subfolders": (sub_codes, to_objects(subs)) if first is None else None,
    }  # fmt: skip


@cache
def _unless_rules() -> np.ndarray:
    return np.flatnonzero(_rules.variants()["unless"].ne("").to_numpy())


def _at(texts: pd.Series, rows: np.ndarray | None) -> pd.Series:
    return texts if rows is None else take(texts, rows)


def _part(frame: pd.DataFrame, column: str) -> pd.Series:
    return as_text(frame[column]) if column in frame.columns else as_text([""] * len(frame))


def _variants(hits: np.ndarray, family: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(variant bit mask, most negative quality delta, implied params) per row, family scopes applied.

    Whole-matrix operations over (rows x rules): a rule's params count from the first rule (table order)
    that names them.
    """
    bit, delta, params_b, scope = _variant_tables()
    hit = hits & scope[family]
    if hit.shape[1] == 0:
        return np.zeros(len(family), dtype=np.int64), np.zeros(len(family)), np.full(len(family), np.nan)
    mask = np.bitwise_or.reduce(np.where(hit, bit, 0), axis=1)
    worst = np.minimum(np.where(hit, delta, 0.0).min(axis=1), 0.0)
    named = hit & ~np.isnan(params_b)
    params = np.where(named.any(axis=1), params_b[named.argmax(axis=1)], np.nan)
    return mask, worst, params


@cache
def _variant_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per variant rule: its bit, quality delta, params; and (family code x rule) whether its family scope
    admits the family (no scope: every family and none; code -1 is the last row)."""
    bits = {v: i for i, v in enumerate(_rules.variant_names())}
    rules = _rules.rows("variants")
    bit = np.array([np.int64(1) << bits[r.variant] for r in rules], dtype=np.int64)
    delta = np.array([r.quality_delta for r in rules], dtype=np.float64)
    params_b = np.array([r.params_b for r in rules], dtype=np.float64)
    scope = np.ones((len(_rules.FAMILIES) + 1, len(rules)), dtype=bool)
    for i, rule in enumerate(rules):
        if rule.scope:
            scope[:, i] = False
            scope[[_rules.FAMILY_CODE[f] for f in rule.scope], i] = True
    _rules.freeze(bit, delta, params_b, scope)
    return bit, delta, params_b, scope


def _capabilities(kind: np.ndarray, family: np.ndarray, vmask: np.ndarray) -> np.ndarray:
    """Capability bit mask per row (see rules/capability_rules.csv), the rules applied as (rows x rules) arrays."""
    family_modality, rule_bit, rule_modality, rule_caps = _capability_tables()
    applies = ((vmask[:, None] >> rule_bit) & 1).astype(bool)
    applies &= (rule_modality < 0) | (family_modality[family][:, None] == rule_modality)
    caps = np.bitwise_or.reduce(np.where(applies, rule_caps, 0), axis=1) if applies.shape[1] else vmask * 0
    matched = applies.any(axis=1)
    kind_caps = _rules.by_kind("caps_mask", 0).astype(np.int64)[kind]
    family_caps = _rules.by_family("caps_mask", 0).astype(np.int64)[family]
    own = np.where(matched, caps, np.where(family >= 0, family_caps, kind_caps))
    # A video adapter's variant token names the video task it serves (AnimateLCM_sd15_i2v: image to video).
    task = np.where(matched & (kind_caps & _VIDEO_CAPS != 0) & (caps & _VIDEO_CAPS != 0), caps & _VIDEO_CAPS, kind_caps)
    return np.where(_rules.by_kind("generator", False)[kind].astype(bool), own, task)


_VIDEO_CAPS = _rules.capability_mask("text_to_video;image_to_video")


@cache
def _capability_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(modality code per family code, "unknown" last; per capability rule: variant bit, modality code (-1: any),
    capability mask)."""
    modalities = list(_rules.MODALITIES)
    by_family = [modalities.index(m) for m in _rules.by_family("modality", "*")[:-1]]
    family = np.array([*by_family, modalities.index("unknown")])
    bits = {v: i for i, v in enumerate(_rules.variant_names())}
    rules = _rules.rows("capability_rules")
    bit = np.array([bits[r.variant] for r in rules], dtype=np.int64)
    modality = np.array([-1 if r.modality == "*" else modalities.index(r.modality) for r in rules], dtype=np.int64)
    caps = np.array([r.caps_mask for r in rules], dtype=np.int64)
    _rules.freeze(family, bit, modality, caps)
    return family, bit, modality, caps


def _as_tuples(masks: np.ndarray) -> np.ndarray:
    """Capability masks -> sorted tuples of names, built once per distinct mask."""
    codes, distinct = pd.factorize(masks)
    sets = np.empty(len(distinct), dtype=object)
    sets[:] = [tuple(sorted(c for i, c in enumerate(_rules.CAPABILITIES) if int(m) >> i & 1)) for m in distinct]
    return sets[codes]


def _variant_labels(vmask: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """';'-joined sorted variant labels, built once per distinct (mask, steps)."""
    names = _rules.variant_names()
    codes, distinct = pd.factorize(vmask * 128 + np.clip(steps, 0, 127))
    labels = np.empty(len(distinct), dtype=object)
    for j, key in enumerate(distinct.tolist()):
        tokens, mask = [f"{key % 128}step"] if key % 128 else [], key // 128
        while mask:  # the set bits only
            low = mask & -mask
            tokens.append(names[low.bit_length() - 1])
            mask ^= low
        labels[j] = ";".join(sorted(tokens))
    return labels[codes]
