"""Each model reference of a workflow against one server's ``edges`` and ``models``: one status per reference.

Statuses, first match wins: ``present`` (that input offers the exact value), ``elsewhere`` (the same file
under another subfolder or with other separators: ``repair`` is the server's exact value; or in a folder this
input does not read: ``found`` says where), ``same_content`` (the same hash, or the same size and extension
under another name the input offers), ``alternative`` (another precision or quantisation of the same model,
named in ``found``, never substituted), ``missing`` (``url`` and, where another server has it, the size),
``node_missing`` (the node class is not on the server; ``pack`` from ``properties.cnr_id``/``aux_id``).
Values are compared normalised (``\\`` → ``/``); the written value is kept as is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from ..rules._rules import gguf_quants, loader_folders, model_extensions, precisions
from ._parse import FRONTEND_ONLY, Workflow

REFERENCE_COLUMNS = ["server", "node", "node_type", "input", "value", "folder", "status", "repair", "url",
                     "found", "size_bytes", "pack", "mode", "active", "path"]
STATUSES = ("present", "elsewhere", "same_content", "alternative", "missing", "node_missing")
READY_STATUSES = frozenset({"present", "same_content"})  # plus elsewhere with a repair
MIN_SAME_SIZE = 1 << 20  # equal sizes below this say nothing about content


def normalise(values: pd.Series) -> pd.Series:
    """Compare form of a model value: ``/`` separators, no leading ``./`` or ``/``."""
    return values.astype("string").str.replace("\\", "/", regex=False).str.replace(r"^(?:\./|/)+", "", regex=True)


def basename(values: pd.Series) -> pd.Series:
    """Lower-case file name of each value; computed once per distinct value (a fleet repeats every name)."""
    codes, distinct = pd.factorize(values.astype(object))
    names = normalise(pd.Series(distinct, dtype=object)).str.rsplit("/", n=1).str[-1].str.lower()
    picked = np.append(names.to_numpy(dtype=object, na_value=pd.NA), pd.NA)  # code -1 (missing) takes the last
    return pd.Series(pd.array(picked[codes], dtype="string"), index=values.index)


def core_key(values: pd.Series) -> pd.Series:
    """A name with precision and GGUF quant tokens removed: equal keys are one model in another precision."""
    codes, distinct = pd.factorize(values.astype(str), use_na_sentinel=False)
    names = pd.Series(distinct, dtype=object)
    text = " " + basename(names).str.replace(r"\.[a-z0-9]+$", "", regex=True).str.replace(r"[^a-z0-9.]+", " ", regex=True) + " "
    # twice: neighbouring tokens share the separator one match consumes ("fp8 e4m3fn scaled")
    text = text.str.replace(_precision_tokens(), " ", regex=True).str.replace(_precision_tokens(), " ", regex=True)
    keys = text.str.split().str.join(" ").to_numpy(dtype=object)
    return pd.Series(keys[codes], index=values.index, dtype=object)


@cache
def _precision_tokens() -> str:
    """One alternation of the precision and quant patterns (table order kept: at one position the first wins)."""
    return "|".join([*precisions()["pattern"], *gguf_quants()["pattern"], r"[^a-z](?:scaled|gguf|quant(?:ized)?)(?=[^a-z])"])


def model_inputs(edges: pd.DataFrame) -> pd.DataFrame:
    """(server, node, input) → folder of every model dropdown: from ``edges``, else the core loader rules."""
    offered = edges.loc[~edges["whole_folder"].fillna(False).astype(bool), ["server", "node", "input", "folder"]]
    offered = offered.drop_duplicates(["server", "node", "input"])
    return offered.astype({"server": object, "node": object, "input": object, "folder": object})


def extract_references(workflow: Workflow, server: str, node_types: frozenset[str],
                       inputs: Mapping[tuple[str, str], str]) -> list[dict[str, Any]]:
    """One row per model reference (and per node the server lacks) of ``workflow`` on ``server``."""
    rules, exts = _loader_rules(), _model_suffixes()
    rows: list[dict[str, Any]] = []
    for node in workflow.nodes:
        if node.type in FRONTEND_ONLY:
            continue
        hinted = {h.name.replace("\\", "/").rsplit("/", 1)[-1].lower(): h for h in node.hints}
        base = {"server": server, "node": node.id, "node_type": node.type, "pack": node.pack, "mode": node.mode}
        if node.type not in node_types:
            found = False
            for w in node.widgets:
                hint = hinted.get(_base(w.value))
                if hint is not None:
                    rows.append({**base, "input": w.input, "value": w.value, "folder": hint.directory, "url": hint.url,
                                 "hash": hint.hash, "status": "node_missing", "path": w.path})
                    found = True
            if not found:
                rows.append({**base, "input": "", "value": "", "folder": "", "url": "", "hash": "",
                             "status": "node_missing", "path": None})
            continue
        for w in node.widgets:
            if not isinstance(w.value, str) or not w.value or w.input in node.linked and workflow.format == "api":
                continue
            key = (node.type, w.input)
            hint = hinted.get(_base(w.value))
            folder = inputs.get(key) or rules.get(key)
            if folder is None and hint is None and not w.value.lower().endswith(exts):
                continue
            rows.append({**base, "input": w.input, "value": w.value,
                         "folder": folder or (hint.directory if hint else ""), "url": hint.url if hint else "",
                         "hash": hint.hash if hint else "", "status": None, "path": w.path})
    return rows


@cache
def _loader_rules() -> dict[tuple[str, str], str]:
    return {(n, i): f for n, i, f in loader_folders()[["node", "input", "folder"]].itertuples(index=False)}


@cache
def _model_suffixes() -> tuple[str, ...]:
    return tuple("." + e for e in model_extensions())


def _base(value: Any) -> str:
    return value.replace("\\", "/").rsplit("/", 1)[-1].lower() if isinstance(value, str) else ""


def resolve(refs: pd.DataFrame, edges: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    """Give every reference row without a status (``node_missing`` rows keep theirs) one of :data:`STATUSES`."""
    out = refs.copy()
    for column in ("repair", "found"):
        out[column] = ""
    out["size_bytes"] = pd.array([pd.NA] * len(out), dtype="Int64")
    if out.empty:
        return out
    open_ = out["status"].isna()
    offers = edges.loc[edges["server"].isin(out["server"].unique()), ["server", "node", "input", "name", "folder"]]
    offers = offers.astype(object).rename(columns={"node": "node_type", "name": "offered"}).drop(columns="folder")
    keyed = out.reset_index(names="row")
    left = keyed.loc[open_.to_numpy(), ["row", "server", "node_type", "input", "value", "hash"]]
    candidates = left.merge(offers, on=["server", "node_type", "input"], how="inner")
    cand_value = candidates["value"].astype("string")
    cand_offer = candidates["offered"].astype("string")

    def take(mask: pd.Series | np.ndarray, status: str, repair: bool) -> None:
        hit = candidates[np.asarray(mask, dtype=bool)].drop_duplicates("row")
        hit = hit[out.loc[hit["row"], "status"].isna().to_numpy()]
        out.loc[hit["row"], "status"] = status
        if repair:
            out.loc[hit["row"], "repair"] = hit["offered"].astype(str).to_numpy()
        out.loc[hit["row"], "found"] = hit["offered"].astype(str).to_numpy()

    take(cand_value.eq(cand_offer).fillna(False), "present", False)
    take(normalise(cand_value).eq(normalise(cand_offer)).fillna(False), "elsewhere", True)
    take(basename(cand_value).eq(basename(cand_offer)).fillna(False), "elsewhere", True)
    _same_content(out, candidates, models, take)
    value_key = core_key(cand_value)
    take((value_key == core_key(cand_offer)) & (value_key != ""), "alternative", False)
    _other_folder(out, models)
    still = out["status"].isna()
    out.loc[still, "status"] = "missing"
    _known_sizes(out, models)
    return out


def _same_content(out: pd.DataFrame, candidates: pd.DataFrame, models: pd.DataFrame, take: Any) -> None:
    """Same hash (assets API), or the same size and safetensors metadata as the file of the referenced name on
    another server of the discovery (size alone says little: LoRAs of one rank all have one size)."""
    fingerprint = models["fingerprint"] if "fingerprint" in models else pd.Series("", index=models.index)
    files = models[["server", "name", "size_bytes", "hash"]].astype({"server": object, "name": object}).assign(
        fingerprint=fingerprint.fillna("").astype(object))
    on_server = candidates.merge(files.rename(columns={"name": "offered", "hash": "offered_hash",
                                                       "fingerprint": "offered_print"}),
                                 on=["server", "offered"], how="left")
    ref_hash, offered_hash = _hash_digest(on_server["hash"]), _hash_digest(on_server["offered_hash"])
    same_hash = ((ref_hash != "") & (ref_hash == offered_hash)).to_numpy(dtype=bool)
    known = files[files["fingerprint"].ne("")].assign(base=basename(files["name"])).dropna(subset=["size_bytes"])
    known = known.drop_duplicates("base").set_index("base")
    base = basename(on_server["value"])
    ref_size = pd.to_numeric(base.map(known["size_bytes"]), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    ref_print = base.map(known["fingerprint"]).astype(object).fillna("").to_numpy(dtype=object)
    offered_size = pd.to_numeric(on_server["size_bytes"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    same_meta = (ref_print != "") & (ref_print == on_server["offered_print"].fillna("").to_numpy(dtype=object))
    same_size = (ref_size == offered_size) & (ref_size >= MIN_SAME_SIZE) & same_meta
    hit = on_server[same_hash | same_size].drop_duplicates("row")
    mask = candidates["row"].isin(hit["row"]) & candidates["offered"].isin(hit["offered"])
    take(mask.to_numpy(), "same_content", True)


def _ext(values: pd.Series) -> np.ndarray:
    return values.astype("string").str.extract(r"(\.[A-Za-z0-9]+)$")[0].str.lower().fillna("").to_numpy(dtype=object)


def _hash_digest(values: pd.Series) -> pd.Series:
    """``sha256:ABC`` / ``abc`` → ``abc`` ('' when none)."""
    return values.astype("string").fillna("").str.lower().str.replace(r"^[a-z0-9]+:", "", regex=True).astype(object)


def _other_folder(out: pd.DataFrame, models: pd.DataFrame) -> None:
    """The file is on the server, but in a folder this input does not read: ``elsewhere`` without a repair."""
    open_ = out["status"].isna()
    if not open_.any():
        return
    files = models[["server", "folder", "name"]].astype(object).assign(base=basename(models["name"]))
    files = files.drop_duplicates(["server", "base"])
    left = out.loc[open_, ["server", "value"]].assign(base=basename(out.loc[open_, "value"])).reset_index(names="row")
    hit = left.merge(files, on=["server", "base"], how="inner")
    out.loc[hit["row"], "status"] = "elsewhere"
    out.loc[hit["row"], "found"] = (hit["folder"].astype(str) + "/" + hit["name"].astype(str)).to_numpy()


def _known_sizes(out: pd.DataFrame, models: pd.DataFrame) -> None:
    """Size of each reference where any server of the discovery has a file of that name."""
    sizes = models.dropna(subset=["size_bytes"]).assign(base=basename(models["name"]))
    lookup = dict(zip(sizes["base"], sizes["size_bytes"]))
    out["size_bytes"] = pd.array(basename(out["value"]).map(lookup), dtype="Int64")


def references_frame(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    base = ["server", "node", "node_type", "input", "value", "folder", "status", "url", "hash", "pack", "mode", "path"]
    frame = pd.DataFrame(list(rows))
    frame = frame.reindex(columns=[*base, *[c for c in frame.columns if c not in base]])
    return frame.astype({"status": object})


def finish(resolved: pd.DataFrame) -> pd.DataFrame:
    """The public column order and dtypes; ``active`` is False on muted or bypassed nodes."""
    out = resolved.copy()
    out["active"] = ~out["mode"].isin(["muted", "bypassed"])
    out["repairable"] = out["repair"].ne("") & out["status"].isin(["elsewhere", "same_content"])
    cols = [*REFERENCE_COLUMNS, "repairable"]
    out = out.reindex(columns=[*cols, *[c for c in out.columns if c not in cols and c != "hash"]])
    text = [c for c in cols if c not in ("size_bytes", "active", "repairable", "path", "value")]
    out[text] = out[text].fillna("").astype("string")
    out["value"] = out["value"].astype(object)
    out["active"] = out["active"].astype(bool)
    out["repairable"] = out["repairable"].astype(bool)
    out["size_bytes"] = out["size_bytes"].astype("Int64")
    return out.reset_index(drop=True)


