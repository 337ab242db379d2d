"""A workflow against every server of a discovery: its reference rows, its job size and its peak VRAM."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..pipelines._job_memory import activation_gb, job_defaults, vae_decode_gb
from ..rules._rules import FAMILY_CODE, codes, workflow_job_inputs
from ..snapshot._snapshot import Snapshot
from ._parse import INACTIVE_MODES, Slot, Workflow, parse_workflow, widget_order
from ._resolve import extract_references, finish, model_inputs, references_frame, resolve

GENERATOR_KINDS = ("checkpoint", "diffusion_model")
ENCODER_KINDS = ("text_encoder", "clip_vision", "audio_encoder")
GENERATOR_FOLDERS = ("checkpoints", "diffusion_models", "unet")


@dataclass
class ServerView:
    """What parsing needs of one server, computed once per discovery: widget order, node classes, model inputs."""

    url: str
    widgets: dict[str, list[Slot]]
    node_types: frozenset[str]
    inputs: dict[tuple[str, str], str]
    latent_nodes: frozenset[str]


def server_views(snapshots: Sequence[Snapshot], nodes: pd.DataFrame, edges: pd.DataFrame) -> list[ServerView]:
    found = model_inputs(edges)
    views = []
    for snap in snapshots:
        mine = found[found["server"].eq(snap.url)]
        own = nodes[nodes["server"].eq(snap.url)]
        latent = own.loc[[("LATENT" in (o or ())) for o in own["output_types"]], "node"]
        views.append(ServerView(snap.url, widget_order(snap.object_info), frozenset(own["node"].astype(str)),
                                {(n, i): f for n, i, f in zip(mine["node"], mine["input"], mine["folder"])},
                                frozenset(latent.astype(str))))
    return views


def workflow_references(document: dict[str, Any], views: Sequence[ServerView], edges: pd.DataFrame,
                        models: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Workflow]]:
    """One row per model reference (and missing node) per server, resolved; and the workflow as each server reads it."""
    rows: list[dict[str, Any]] = []
    parsed: dict[str, Workflow] = {}
    for view in views:
        workflow = parse_workflow(document, view.widgets)
        parsed[view.url] = workflow
        rows.extend(extract_references(workflow, view.url, view.node_types, view.inputs))
    return finish(resolve(references_frame(rows), edges, models)), parsed


def job_size(workflow: Workflow, latent_nodes: frozenset[str]) -> dict[str, float]:
    """(width, height, frames, batch) of the first active latent node with a width and a height (NaN when none)."""
    columns = workflow_job_inputs()
    for node in workflow.nodes:
        if node.mode in INACTIVE_MODES or (latent_nodes and node.type not in latent_nodes):
            continue
        values = {columns[w.input]: w.value for w in node.widgets if w.input in columns and _number(w.value)}
        if "width" in values and "height" in values:
            return {"width": float(values["width"]), "height": float(values["height"]),
                    "frames": float(values.get("frames", 1)), "batch": float(values.get("batch", 1))}
    return {"width": np.nan, "height": np.nan, "frames": np.nan, "batch": np.nan}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def peak_vram(refs: pd.DataFrame, models: pd.DataFrame, jobs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Peak GPU memory per (``keys``) group, by the memory model of ``pipelines``: max(encode, weights +
    sampling activations, VAE weights + decode) over the files of the group the server has.

    ``refs``: reference rows with ``keys``, ``server`` and the server's file (``file`` = the name it has);
    ``jobs``: ``keys`` + width, height, frames, batch (NaN: the family's default job is not guessed: NaN out).
    """
    have = refs[refs["file"].ne("")].merge(
        models[["server", "name", "kind", "family", "weights_gb", "params_b"]].rename(columns={"name": "file"}),
        on=["server", "file"], how="inner").drop_duplicates([*keys, "file"])
    weights = have["weights_gb"].fillna(0.0)
    parts = have.assign(gen=np.where(have["kind"].isin(GENERATOR_KINDS), weights, 0.0),
                        enc=np.where(have["kind"].isin(ENCODER_KINDS), weights, 0.0),
                        vae=np.where(have["kind"].eq("vae"), weights, 0.0))
    gens = parts[parts["kind"].isin(GENERATOR_KINDS)].sort_values("gen", ascending=False).drop_duplicates(keys)
    sums = parts.assign(any_=weights).groupby(keys, sort=False).agg(
        gen=("gen", "max"), enc=("enc", "sum"), vae=("vae", "max"), any_=("any_", "max")).reset_index()
    out = jobs.merge(sums, on=keys, how="left").merge(
        gens[[*keys, "family", "params_b", "file"]].rename(columns={"file": "generator"}), on=keys, how="left")
    known = out["gen"].gt(0).fillna(False).to_numpy(dtype=bool)
    # No generator in the workflow (an upscale or a tool workflow): its largest file. A generator the server
    # lacks: unknown.
    wants = refs.loc[refs["folder"].isin(GENERATOR_FOLDERS), keys].drop_duplicates().assign(_wants=True)
    out = out.merge(wants, on=keys, how="left")
    out["vram_gb"] = out["any_"].round(2).where(out["_wants"].isna())
    if known.any():
        sub = out[known]
        family = codes(sub["family"].fillna("").to_numpy(dtype=object), FAMILY_CODE)
        # a workflow without an empty-latent node (edit, image-to-image): the family's usual job
        usual = dict(zip(("width", "height", "frames"), job_defaults(family)))
        w, h, f, b = (np.where(np.isnan(v := sub[c].to_numpy(dtype=np.float64)), usual.get(c, 1.0), v)
                      for c in ("width", "height", "frames", "batch"))
        params = sub["params_b"].to_numpy(dtype=np.float64)
        act = activation_gb(family, w, h, f, b, params_b=params)
        dec = vae_decode_gb(family, w, h, f, b, params_b=params)
        peak = np.maximum.reduce([sub["enc"].fillna(0).to_numpy(), sub["gen"].to_numpy() + act,
                                  sub["vae"].fillna(0).to_numpy() + dec])
        out.loc[known, "vram_gb"] = np.round(peak, 2)
    out["generator"] = out["generator"].fillna("").astype(str)
    return out[[*keys, "vram_gb", "family", "generator"]]
