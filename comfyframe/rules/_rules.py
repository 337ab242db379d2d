"""The capability-inference rule tables (``comfyframe/rules/*.csv``), loaded and validated once.

Every table is plain data with a ``#`` comment header explaining its columns. Name patterns are regular
expressions over a normalised name (see :func:`comfyframe.inference._infer_normalize.normalize`) written with boundary
macros (:data:`MACROS`); they may not contain anchors, lookarounds or capture groups, so that they run
unchanged on Python ``re`` and on RE2 (pyarrow) and a match can be traced back to its rule.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

KINDS: tuple[str, ...] = (
    "checkpoint", "diffusion_model", "lora", "vae", "vae_approx", "text_encoder", "clip_vision", "controlnet",
    "upscale", "embedding", "ipadapter", "motion_module", "style_model", "gligen", "photomaker", "hypernetwork",
    "model_patch", "audio_encoder", "latent_upscale", "unknown",
)  # fmt: skip
FAMILIES: tuple[str, ...] = (
    "sd15", "sd2", "sdxl", "sd3", "flux1", "flux2", "cascade", "kolors", "pixart", "hunyuan_dit", "hunyuan_image",
    "hunyuan_video", "qwen_image", "hidream", "chroma", "lumina2", "omnigen2", "wan21", "wan22", "ltxv", "ltx2",
    "cosmos", "svd", "mochi", "cogvideox", "stable_audio", "ace_step",
)  # fmt: skip
CAPABILITIES: tuple[str, ...] = (
    "text_to_image", "image_to_image", "text_to_video", "image_to_video", "upscale", "text_to_audio",
)  # fmt: skip
# "*": any modality; "unknown": a file whose family is unknown (a variant token may still speak).
MODALITIES: tuple[str, ...] = ("image", "video", "audio", "*", "unknown")
FAMILY_CODE: dict[str, int] = {f: i for i, f in enumerate(FAMILIES)}  # "" (no family) is -1
KIND_CODE: dict[str, int] = {k: i for i, k in enumerate(KINDS)}

# Token boundaries on the normalised text (only [a-z0-9.] and single spaces remain, padded with spaces).
MACROS: dict[str, str] = {
    "{B}": "[^a-z0-9]",  # token start
    "{E}": "[^a-z0-9]",  # token end
    "{b}": "[^a-z]",  # letter boundary: digits may touch ("i1fp8", "v6xl")
    "{e}": "[^a-z]",
    "{D}": "[^0-9]",  # not followed by a digit
    "{_}": "[ .]?",  # optional separator
}


class RuleError(ValueError):
    """A rule table is malformed (a packaging bug, not a user error)."""


def expand(pattern: str) -> str:
    """Replace the boundary macros of a rule pattern by their regex."""
    for macro, regex in MACROS.items():
        pattern = pattern.replace(macro, regex)
    return pattern


# Smaller releases a family can ship in (family_specs.csv, column quantized).
QUANTIZED_RELEASES = ("fp8", "gguf")

# Built-in extraction patterns (one capture group each, matched on the normalised name).
STEPS_PATTERN = expand(r"{B}([0-9]{1,2}){_}steps?{e}")  # "4steps", "8-step" -> 4, 8
# "1.3b", "a14b", "600m", and Kijai's "1_3B" / "0_6B" (normalised to "1 3b"; "qwen_3_4b" stays 4b).
PARAMS_PATTERN = r"[^a-z0-9.]a?([0-9]{1,3}(?:\.[0-9]{1,2})?[bm]|[01] [0-9][bm])[^a-z0-9]"

_FORBIDDEN = re.compile(r"(?<!\[)\^|(?<!\\)\$|\(\?[=!<]|\\[bAZ1-9]")


def _check_pattern(pattern: str, table: str) -> str:
    expanded = expand(pattern)
    try:
        compiled = re.compile(expanded)
    except re.error as exc:
        raise RuleError(f"rules/{table}.csv: bad pattern {pattern!r}: {exc}") from None
    if compiled.groups or _FORBIDDEN.search(expanded) or "{" in re.sub(r"\{\d+(,\d*)?\}", "", expanded):
        raise RuleError(f"rules/{table}.csv: pattern {pattern!r} uses a capture group, anchor, lookaround or unknown macro")
    return expanded


def _read(table: str, columns: dict[str, str]) -> pd.DataFrame:
    """Read a rule table; ``columns`` maps each required column to str, int, float, bool or pattern."""
    with resources.files("comfyframe").joinpath("rules", f"{table}.csv").open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, comment="#", dtype=str, keep_default_na=False, skipinitialspace=False)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise RuleError(f"rules/{table}.csv lacks column(s) {missing}")
    frame = frame[list(columns)].copy()
    for column, kind in columns.items():
        values = frame[column].str.strip()
        if kind == "int":
            frame[column] = values.astype("int64")
        elif kind == "float":
            frame[column] = [float(v) if v else float("nan") for v in values]
        elif kind == "bool":
            if not values.isin(["true", "false"]).all():
                raise RuleError(f"rules/{table}.csv: column {column} must be true/false")
            frame[column] = values.eq("true")
        elif kind == "pattern":
            frame[column] = [_check_pattern(p, table) for p in values]
        else:
            frame[column] = values.astype(object)
    return frame.reset_index(drop=True)


def _check_values(frame: pd.DataFrame, column: str, allowed: tuple[str, ...], table: str, *, sep: str = "") -> None:
    values = frame[column]
    items = {v for cell in values for v in (cell.split(sep) if sep else [cell]) if v}
    bad = sorted(items - set(allowed))
    if bad:
        raise RuleError(f"rules/{table}.csv: unknown {column} value(s) {bad}")


def capability_mask(capabilities: str) -> int:
    """Bit mask of a ';'-joined capability list (bit i = CAPABILITIES[i])."""
    return sum(1 << CAPABILITIES.index(c) for c in capabilities.split(";") if c)


@cache
def kinds() -> pd.DataFrame:
    """Kinds (index) with generator/has_family/rated/own_params flags, default family, capabilities, size."""
    frame = _read("kinds", {"kind": "str", "generator": "bool", "has_family": "bool", "default_family": "str",
                            "capabilities": "str", "rated": "bool", "own_params": "bool", "family_parts": "str",
                            "half_precision": "bool", "default_gb": "float", "expert_pairs": "bool"})  # fmt: skip
    _check_values(frame, "kind", KINDS, "kinds")
    _check_values(frame, "default_family", FAMILIES, "kinds")
    _check_values(frame, "capabilities", CAPABILITIES, "kinds", sep=";")
    if set(frame["kind"]) != set(KINDS):
        raise RuleError("rules/kinds.csv must list every kind exactly once")
    frame["caps_mask"] = [capability_mask(c) for c in frame["capabilities"]]
    spec_columns = {"params_b", "te_params_b", "vae_params_b"}
    if not {p for v in frame["family_parts"] for p in v.split(";") if p} <= spec_columns:
        raise RuleError(f"rules/kinds.csv: family_parts may only name {sorted(spec_columns)}")
    return frame.set_index("kind")


@cache
def folder_kinds() -> pd.DataFrame:
    """Model folder (lower-case, index) -> kind, whether every family shares it, default family."""
    frame = _read("folder_kinds", {"folder": "str", "kind": "str", "shared": "bool", "family": "str"})
    _check_values(frame, "kind", KINDS, "folder_kinds")
    _check_values(frame, "family", FAMILIES, "folder_kinds")
    frame["folder"] = frame["folder"].str.lower()
    if frame["folder"].duplicated().any():
        raise RuleError("rules/folder_kinds.csv lists a folder twice")
    return frame.set_index("folder")


@cache
def folder_map(column: str) -> dict[str, str]:
    """Lower-case folder name -> its ``folder_kinds()`` ``column`` (kind, family)."""
    return {str(k): str(v) for k, v in folder_kinds()[column].items()}


@cache
def loader_kinds() -> pd.DataFrame:
    """Loader output types / input name -> kind, with priority (for folders nobody planned for)."""
    frame = _read("loader_kinds", {"kind": "str", "outputs": "str", "input": "str", "priority": "int"})
    _check_values(frame, "kind", KINDS, "loader_kinds")
    frame["requires"] = [frozenset(o for o in v.split(";") if o) for v in frame["outputs"]]
    for pattern in frame["input"]:
        re.compile(pattern)
    return frame


@cache
def model_extensions() -> frozenset[str]:
    """Extensions that mark an unlisted dropdown option as a model file."""
    return frozenset(_read("model_extensions", {"ext": "str"})["ext"].str.lower())


@cache
def loader_folders() -> pd.DataFrame:
    """Core loader (node, input) -> folder, for servers that do not answer /models."""
    return _read("loader_folders", {"node": "str", "input": "str", "folder": "str"})


@cache
def outside_families() -> pd.DataFrame:
    """Name pattern of models outside the family vocabulary (only metadata and names may name a family)."""
    return _read("outside_families", {"pattern": "pattern"})


@cache
def glued_tokens() -> tuple[str, ...]:
    """Upper-case tokens set apart when glued between others, longest first within the table order."""
    return tuple(_glued()["token"])


@cache
def glued_lower() -> frozenset[str]:
    """The glued tokens whose lower-case spelling is set apart too (a digit between letters: I2V, T2V)."""
    frame = _glued()
    return frozenset(frame.loc[frame["lower"], "token"])


@cache
def _glued() -> pd.DataFrame:
    frame = _read("glued_tokens", {"token": "str", "lower": "bool"})
    if not frame["token"].str.fullmatch(r"[A-Z0-9]+").all():
        raise RuleError("rules/glued_tokens.csv: tokens are upper-case letters and digits only")
    if not frame.loc[frame["lower"], "token"].str.fullmatch(r"[A-Z]+[0-9][A-Z]+").all():
        raise RuleError("rules/glued_tokens.csv: lower=true only for tokens with a digit between letters")
    return frame


@cache
def kind_hints() -> pd.DataFrame:
    """Name pattern -> kind, the last resort for unknown folders."""
    frame = _read("kind_hints", {"kind": "str", "pattern": "pattern"})
    _check_values(frame, "kind", KINDS, "kind_hints")
    return frame


@cache
def family_specs() -> pd.DataFrame:
    """Families (index) with lineage, modality, generation, base quality, params, precision, overhead, caps,
    and the smaller releases (``quantized``: fp8, gguf) the family ships in."""
    frame = _read("family_specs", {
        "family": "str", "lineage": "str", "modality": "str", "generation": "int", "quality": "int",
        "params_b": "float", "te_params_b": "float", "vae_params_b": "float", "precision": "str",
        "overhead_gb": "float", "capabilities": "str", "quantized": "str",
    })  # fmt: skip
    _check_values(frame, "family", FAMILIES, "family_specs")
    _check_values(frame, "quantized", QUANTIZED_RELEASES, "family_specs", sep=";")
    _check_values(frame, "modality", MODALITIES[:3], "family_specs")
    _check_values(frame, "capabilities", CAPABILITIES, "family_specs", sep=";")
    if set(frame["family"]) != set(FAMILIES):
        raise RuleError("rules/family_specs.csv must describe every family exactly once")
    frame["caps_mask"] = [capability_mask(c) for c in frame["capabilities"]]
    return frame.set_index("family")


def _family_rules(table: str) -> pd.DataFrame:
    frame = _read(table, {"family": "str", "tier": "int", "pattern": "pattern"})
    _check_values(frame, "family", FAMILIES, table)
    return frame


@cache
def family_names() -> pd.DataFrame:
    """Name pattern -> family with tier (higher wins)."""
    return _family_rules("family_names")


@cache
def metadata_families() -> pd.DataFrame:
    """Metadata (modelspec.architecture, ss_base_model_version) pattern -> family with tier."""
    return _family_rules("metadata_families")


@cache
def variants() -> pd.DataFrame:
    """Variant token rules: variant, pattern, family scope (tuple), quality delta, unless-pattern."""
    frame = _read("variants", {"variant": "str", "pattern": "pattern", "family": "str", "quality_delta": "float",
                               "params_b": "float", "unless": "str"})  # fmt: skip
    _check_values(frame, "family", FAMILIES, "variants", sep=";")
    frame["unless"] = [_check_pattern(p, "variants") if p else "" for p in frame["unless"]]
    frame["scope"] = [tuple(f for f in v.split(";") if f) for v in frame["family"]]
    return frame


@cache
def variant_names() -> tuple[str, ...]:
    """Distinct variant labels in table order (bit i of a variant mask = variant_names()[i])."""
    return tuple(dict.fromkeys(variants()["variant"]))


@cache
def capability_rules() -> pd.DataFrame:
    """Variant x modality -> capability mask of a generator."""
    frame = _read("capability_rules", {"variant": "str", "modality": "str", "capabilities": "str"})
    _check_values(frame, "variant", variant_names(), "capability_rules")
    _check_values(frame, "modality", MODALITIES, "capability_rules")
    _check_values(frame, "capabilities", CAPABILITIES, "capability_rules", sep=";")
    frame["caps_mask"] = [capability_mask(c) for c in frame["capabilities"]]
    return frame


@cache
def precisions() -> pd.DataFrame:
    """Precision token rules in match order, with file/load bytes per weight and quality delta."""
    return _read("precisions", {"precision": "str", "pattern": "pattern", "file_bytes": "float",
                                "load_bytes": "float", "quality_delta": "float"})  # fmt: skip


@cache
def gguf_quants() -> pd.DataFrame:
    """GGUF quant type rules with bits per weight, quality delta and implied precision."""
    return _read("gguf_quants", {"quant": "str", "pattern": "pattern", "bpw": "float", "quality_delta": "float",
                                 "precision": "str"})  # fmt: skip


@cache
def component_params() -> pd.DataFrame:
    """Name pattern -> parameter count (billions) of well-known components."""
    return _read("component_params", {"pattern": "pattern", "params_b": "float"})


@cache
def family_sizes() -> pd.DataFrame:
    """Kind x file-size band (GB) x bytes per weight (NaN = any) -> family, for unidentified files."""
    frame = _read("family_sizes", {"kind": "str", "min_gb": "float", "max_gb": "float", "family": "str",
                                   "file_bytes": "float"})  # fmt: skip
    _check_values(frame, "kind", KINDS, "family_sizes")
    _check_values(frame, "family", FAMILIES, "family_sizes")
    return frame


@cache
def family_size_limits() -> pd.DataFrame:
    """Kind x family -> the file sizes (GB) physically possible; outside them weak evidence is vetoed."""
    frame = _read("family_size_limits", {"kind": "str", "family": "str", "min_gb": "float", "max_gb": "float"})
    _check_values(frame, "kind", KINDS, "family_size_limits")
    _check_values(frame, "family", FAMILIES, "family_size_limits")
    return frame


@cache
def name_masks() -> pd.DataFrame:
    """Name parts blanked before family matching (a family-like token that means something else there)."""
    return _read("name_masks", {"pattern": "pattern"})


def codes(values: object, index: dict[str, int]) -> np.ndarray:
    """Integer codes of family/kind labels (-1 for "" or unknown labels), resolved per distinct label."""
    found, distinct = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
    table = np.array([index.get(v, -1) if isinstance(v, str) else -1 for v in distinct] + [-1], dtype=np.int64)
    return table[found]


@cache
def by_family(column: str, default: object) -> np.ndarray:
    """``family_specs()[column]`` aligned to FAMILY_CODE, with ``default`` last (so code -1 yields it).

    Cached per process and read-only: index it (``by_family(...)[family]``), never write to it.
    """
    values = family_specs()[column].reindex(list(FAMILIES)).tolist()
    return _frozen(np.array([*values, default], dtype=object if isinstance(default, str) else None))


@cache
def by_kind(column: str, default: object) -> np.ndarray:
    """``kinds()[column]`` aligned to KIND_CODE, with ``default`` last (so code -1 yields it); cached, read-only."""
    values = kinds()[column].reindex(list(KINDS)).tolist()
    return _frozen(np.array([*values, default], dtype=object if isinstance(default, str) else None))


@cache
def column(table: str, name: str, dtype: str | None = None) -> np.ndarray:
    """A rule table's column as a cached read-only array (``table`` names a loader, e.g. "precisions")."""
    return _frozen(np.array(globals()[table]()[name].to_numpy(), dtype=dtype))


@cache
def by_rule(table: str, name: str, default: object) -> np.ndarray:
    """A rule table's column with ``default`` appended (so rule index -1 yields it); cached, read-only."""
    values = globals()[table]()[name].tolist()
    return _frozen(np.array([*values, default], dtype=object if isinstance(default, str) else None))


@cache
def patterns(table: str, name: str = "pattern") -> tuple[str, ...]:
    """A rule table's pattern column as a (hashable, cached) tuple."""
    return tuple(globals()[table]()[name].tolist())


@cache
def family_column(table: str) -> np.ndarray:
    """Family codes of a rule table's ``family`` column with -1 appended (so rule index -1 yields -1)."""
    return _frozen(np.append(codes(globals()[table]()["family"], FAMILY_CODE), -1))


@cache
def rows(table: str) -> tuple[Any, ...]:
    """A rule table's rows as named tuples, built once (passes that go rule by rule iterate them per call)."""
    return tuple(globals()[table]().itertuples(index=False))


def freeze(*arrays: np.ndarray) -> None:
    """Make ``arrays`` read-only: rule arrays are cached for the process and must never be written."""
    for array in arrays:
        array.flags.writeable = False


def _frozen(array: np.ndarray) -> np.ndarray:
    freeze(array)
    return array


def all_tables() -> dict[str, pd.DataFrame]:
    """Every rule table by name (loads and validates them all)."""
    loaders = (kinds, folder_kinds, loader_kinds, kind_hints, family_specs, family_names, metadata_families,
               variants, capability_rules, precisions, gguf_quants, component_params, family_sizes,
               family_size_limits, name_masks, outside_families)  # fmt: skip
    return {f.__name__: f() for f in loaders}


RECIPE_ROLES: tuple[str, ...] = ("text_encoder", "clip_vision", "audio_encoder", "vae", "audio_vae", "expert")


@cache
def recipes() -> pd.DataFrame:
    """What a generator of each family needs besides itself (rules/recipes.csv), one row per part."""
    frame = _read("recipes", {
        "family": "str", "when": "str", "unless": "str", "generator_pattern": "str", "generator_exclude": "str",
        "role": "str", "component": "str", "kinds": "str", "families": "str", "pattern": "str", "exclude": "str",
        "needs": "str", "bundled": "str", "for_job": "str", "optional": "bool",
    })  # fmt: skip
    _check_values(frame, "family", FAMILIES, "recipes")
    _check_values(frame, "families", FAMILIES, "recipes", sep=";")
    _check_values(frame, "kinds", KINDS, "recipes", sep=";")
    _check_values(frame, "role", RECIPE_ROLES, "recipes")
    _check_values(frame, "for_job", CAPABILITIES, "recipes")
    for column in ("when", "unless", "needs"):
        _check_values(frame, column, variant_names(), "recipes", sep=";")
    for column in ("generator_pattern", "generator_exclude", "pattern", "exclude"):
        frame[column] = [_check_pattern(p, "recipes") if p else "" for p in frame[column]]
    frame["bundled"] = [
        b if b in ("always", "never") else _check_pattern(b, "recipes") if b else "always" for b in frame["bundled"]
    ]
    return frame


@cache
def adapter_bases() -> dict[str, tuple[str, ...]]:
    """Adapter family -> generator families it runs on (rules/adapter_bases.csv; default: its own family)."""
    frame = _read("adapter_bases", {"family": "str", "runs_on": "str"})
    _check_values(frame, "family", FAMILIES, "adapter_bases")
    _check_values(frame, "runs_on", FAMILIES, "adapter_bases", sep=";")
    table: dict[str, tuple[str, ...]] = {f: (f,) for f in FAMILIES}
    table.update({f: tuple(r for r in runs.split(";") if r) for f, runs in zip(frame["family"], frame["runs_on"])})
    return table


@cache
def format_families() -> pd.DataFrame:
    """Kind x file extension -> the family nearly every such file has (a weak, default-tier guess)."""
    frame = _read("format_families", {"kind": "str", "ext": "str", "family": "str"})
    _check_values(frame, "kind", KINDS, "format_families")
    _check_values(frame, "family", FAMILIES, "format_families")
    return frame


# Template family keys: lower-case letters, digits and "_" (a new family from a server's templates, or a known one).
_TEMPLATE_KEY = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")


def template_key(name: str) -> str:
    """A template family name or tag normalised: lower case, runs of other characters than a-z, 0-9 -> "_"."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


@cache
def template_families() -> dict[str, str]:
    """Normalised template family name -> family key ("" = a maker or umbrella name) (rules/template_families.csv)."""
    frame = _read("template_families", {"name": "str", "key": "str"})
    bad = [v for v in [*frame["name"], *frame["key"]] if v and not _TEMPLATE_KEY.fullmatch(v)]
    if bad:
        raise RuleError(f"rules/template_families.csv: {bad} are not normalised names (a-z, 0-9 and single '_')")
    return dict(zip(frame["name"], frame["key"]))


@cache
def template_tags() -> dict[tuple[str, str], int]:
    """(normalised template tag, category type or "*") -> capability mask (rules/template_tags.csv)."""
    frame = _read("template_tags", {"tag": "str", "media": "str", "capabilities": "str"})
    _check_values(frame, "capabilities", CAPABILITIES, "template_tags", sep=";")
    bad = [v for v in [*frame["tag"], *frame["media"]] if v != "*" and not _TEMPLATE_KEY.fullmatch(v)]
    if bad:
        raise RuleError(f"rules/template_tags.csv: {bad} are not normalised tags or types (a-z, 0-9 and single '_')")
    if frame.duplicated(["tag", "media"]).any():
        raise RuleError("rules/template_tags.csv lists a (tag, media) pair twice")
    return {(t, m): capability_mask(c) for t, m, c in zip(frame["tag"], frame["media"], frame["capabilities"])}


@cache
def workflow_tags() -> pd.DataFrame:
    """Workflow template tag (lower case) -> ';'-joined workflow capabilities (support vocabulary)."""
    from ..support._validate import CAPABILITIES as WORKFLOW_CAPABILITIES

    frame = _read("workflow_tags", {"tag": "str", "capabilities": "str"})
    _check_values(frame, "capabilities", WORKFLOW_CAPABILITIES, "workflow_tags", sep=";")
    return frame.assign(tag=frame["tag"].str.lower())


@cache
def workflow_job_inputs() -> dict[str, str]:
    """Latent node widget input -> job column (width, height, frames, batch)."""
    frame = _read("workflow_job_inputs", {"input": "str", "column": "str"})
    _check_values(frame, "column", ("width", "height", "frames", "batch"), "workflow_job_inputs")
    return dict(zip(frame["input"], frame["column"]))


TENSOR_TARGETS = ("kind", "family", "variant", "precision")


@cache
def tensor_rules() -> pd.DataFrame:
    """tensor_rules.csv: kind / family / variant / precision from tensor keys and shapes (regexes compiled, checked)."""
    frame = _read("tensor_rules", {"target": "str", "value": "str", "tier": "int", "pattern": "str", "dim": "str",
                                   "min": "float", "max": "float", "also": "str", "when": "str"})  # fmt: skip
    _check_values(frame, "target", TENSOR_TARGETS, "tensor_rules")
    allowed = {"kind": KINDS, "family": FAMILIES, "variant": variant_names(), "precision": tuple(precisions()["precision"])}
    for target, values in allowed.items():
        _check_values(frame[frame["target"] == target], "value", values, "tensor_rules")
    for pattern in [*frame["pattern"], *(a.lstrip("!") for a in frame["also"] if a)]:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise RuleError(f"rules/tensor_rules.csv: bad pattern {pattern!r}: {exc}") from None
    for when in frame["when"]:
        items = when.removeprefix("family:").split(";") if when else []
        vocab = FAMILIES if when.startswith("family:") else KINDS
        if any(item not in vocab for item in items):
            raise RuleError(f"rules/tensor_rules.csv: unknown 'when' value {when!r}")
    frame["dim"] = [float(int(d)) if d else float("nan") for d in frame["dim"]]  # NaN: no shape test
    return frame


@cache
def tensor_dtypes() -> dict[str, str]:
    """tensor_dtypes.csv: safetensors dtype -> precision label."""
    frame = _read("tensor_dtypes", {"dtype": "str", "precision": "str"})
    _check_values(frame, "precision", tuple(precisions()["precision"]), "tensor_dtypes")
    return dict(zip(frame["dtype"], frame["precision"]))


@cache
def etn_models() -> pd.DataFrame:
    """etn_models.csv: comfyui-tooling-nodes' base_model label -> family, tier, variant (indexed by label)."""
    frame = _read("etn_models", {"base_model": "str", "family": "str", "tier": "int", "variant": "str"})
    _check_values(frame, "family", FAMILIES, "etn_models")
    _check_values(frame, "variant", variant_names(), "etn_models")
    return frame.set_index("base_model")
