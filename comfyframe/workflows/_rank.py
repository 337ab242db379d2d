"""``best_workflow``: the workflows table ranked by the pipelines' ranking code (one code path, ``rank_pipelines``)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..pipelines._rank import Prefer, rank_pipelines

RANKED_COLUMNS = ["rank", "server", "source", "template", "title", "capabilities", "families", "family", "generator",
                  "ready", "missing", "nodes_missing", "download_bytes", "vram_gb", "quality", "speed", "score",
                  "headroom_gb", "width", "height", "frames", "batch", "usage"]


def rank_workflows(workflows: pd.DataFrame, models: pd.DataFrame, capability: str, *,
                   max_vram: float | Mapping[str, float | None] | None,
                   prefer: Prefer, top: int | None, ready: bool) -> pd.DataFrame:
    """``workflows`` rows that do ``capability``, best first, scored like pipelines by their generator file."""
    if workflows.empty:
        return pd.DataFrame(columns=RANKED_COLUMNS)
    generator = workflows["generator"].fillna("").astype(str)
    files = models[["server", "name", "kind", "variant", "precision", "quant", "quality"]].astype(
        {"server": object, "name": object}).drop_duplicates(["server", "name"])
    shaped = workflows.assign(generator=generator, server=workflows["server"].astype(object)).merge(
        files.rename(columns={"name": "generator"}), on=["server", "generator"], how="left")
    key = shaped["source"].astype(str) + "\0" + shaped["template"].astype(str)
    empty = np.empty(len(shaped), dtype=object)
    empty[:] = [()] * len(shaped)
    shaped = shaped.assign(
        generator_file=shaped["generator"], generator=key, generator_folder="", module="", components=empty, missing=shaped["missing"],
        jobs=np.where(shaped["ready"].to_numpy(dtype=bool), shaped["capabilities"].to_numpy(dtype=object), empty),
        weights_gb=np.nan, activations_gb=np.nan, encode_gb=np.nan, decode_gb=np.nan,
        variant=shaped["variant"].fillna(""), kind=shaped["kind"].fillna(""),
    )
    ranked = rank_pipelines(shaped, capability, max_vram=max_vram, prefer=prefer, top=None, ready=ready)
    info = shaped.assign(_key=key).drop_duplicates(["server", "_key"]).set_index(["server", "_key"])
    back = info.loc[list(zip(ranked["server"], ranked["generator"]))].reset_index(drop=True)
    out = ranked.assign(source=back["source"].to_numpy(), template=back["template"].to_numpy(),
                        title=back["title"].to_numpy(), families=back["families"].to_numpy(),
                        nodes_missing=back["nodes_missing"].to_numpy(), download_bytes=back["download_bytes"].to_numpy(),
                        usage=back["usage"].to_numpy(), generator=back["generator_file"].to_numpy())
    out = out[RANKED_COLUMNS].reset_index(drop=True)
    return out.head(top) if top is not None else out
