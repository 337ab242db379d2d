"""Recipes from the server's own workflow templates: the files an official template loads together.

A generator (checkpoint or diffusion model) an official template names exactly, of a family rules/recipes.csv
does not know, needs the other files of that template: text encoders, VAE, CLIP vision and audio encoders, and
the template's other generators (a second expert) are required; LoRAs, patches and other adapters, and any file
only a bypassed or muted node loads (an alternative), are used when installed. A generator whose own loader is the
bypassed one needs none of the template's other generators (one of them runs instead). Of the templates naming a generator, the one that misses the fewest required files on its server
speaks (then the most used). recipes.csv stays the recipe of the families it knows, of user files and of
servers without templates. Joins and group-bys over (generator, template, part) rows; no loop over models.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..inference._infer_templates import FOLDER_ALIASES, file_keys
from ..rules import _rules

# Part kind -> recipe role; kinds not listed are optional parts ("part").
ROLE_OF_KIND = {"text_encoder": "text_encoder", "clip_vision": "clip_vision", "audio_encoder": "audio_encoder",
                "vae": "vae", "checkpoint": "expert", "diffusion_model": "expert"}  # fmt: skip
NEEDS_COLUMNS = ("gen", "role", "label", "optional", "part")
RECIPE_KINDS = ("checkpoint", "diffusion_model")


def template_needs(models: pd.DataFrame, gen: np.ndarray, templates: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """The parts the templates give generators ``gen`` (row positions in ``models``) of families recipes.csv lacks.

    Columns: ``gen`` (index into ``gen``), ``role``, ``label`` ("role:file name"), ``optional`` and ``part`` (row
    position of the part's file on the generator's server, -1 when the server does not have it).
    """
    empty = {c: np.zeros(0, dtype=object if c in ("role", "label") else bool if c == "optional" else np.int64)
             for c in NEEDS_COLUMNS}  # fmt: skip
    if templates is None or templates.empty or gen.size == 0:
        return empty
    refs = templates[templates["source"].astype(str).eq("official")]
    if refs.empty:
        return empty
    row_of = pd.Index(file_keys(models).to_numpy())
    refs = pd.DataFrame({"server": refs["server"].astype(str).to_numpy(),
                         "template": refs["template"].astype(str).to_numpy(),
                         "folder": refs["folder"].astype(str).replace(FOLDER_ALIASES).to_numpy(),
                         "name": refs["name"].astype(str).to_numpy(),
                         "active": refs["active"].fillna(True).to_numpy(dtype=bool),
                         "usage": refs["usage"].fillna(0).to_numpy(dtype=np.int64),
                         "row": row_of.get_indexer(file_keys(refs).to_numpy())})  # fmt: skip
    family = models["family"].astype(str).to_numpy(dtype=object)
    kind = models["kind"].astype(str).to_numpy(dtype=object)
    # upscale models run alone: a template that also loads a checkpoint is no recipe of theirs
    asks = np.isin(kind[gen], RECIPE_KINDS) & ~np.isin(family[gen], list(_recipe_families()))
    gens = pd.DataFrame({"gen": np.flatnonzero(asks), "row": gen[asks]})
    pairs = gens.merge(refs[["server", "template", "row", "usage", "active"]], on="row")
    if pairs.empty:
        return empty
    # does the generator run in that template (a bypassed loader is an alternative to the one that runs)
    pairs = pairs.sort_values("active", ascending=False, kind="stable").drop_duplicates(["gen", "template"])
    pairs = pairs.rename(columns={"active": "runs"})
    parts = pairs.drop(columns="row").merge(refs.drop(columns="usage"), on=["server", "template"])
    parts = parts[parts["row"] != gen[parts["gen"].to_numpy()]]
    by_folder = _rules.folder_map("kind")
    part_kind = np.where(parts["row"].to_numpy() >= 0, kind[np.maximum(parts["row"].to_numpy(), 0)],
                         parts["folder"].str.lower().map(by_folder).fillna("unknown").to_numpy(dtype=object))  # fmt: skip
    role = pd.Series(part_kind).map(ROLE_OF_KIND).fillna("part").to_numpy(dtype=object)
    other = (role == "expert") & ~parts["runs"].to_numpy(dtype=bool)  # the generator that runs instead
    parts = parts.assign(role=role, optional=(role == "part") | ~parts["active"].to_numpy(dtype=bool))[~other]
    parts["missing"] = (~parts["optional"] & (parts["row"] < 0)).astype(np.int64)
    # the template that speaks for each generator: fewest required files missing, then most used
    score = parts.groupby(["gen", "template"], sort=False).agg(missing=("missing", "sum"), usage=("usage", "first"))
    score = score.reset_index().sort_values(["gen", "missing", "usage", "template"], ascending=[True, True, False, True])
    chosen = score.drop_duplicates("gen")[["gen", "template"]]
    parts = parts.merge(chosen, on=["gen", "template"]).sort_values("optional", kind="stable")
    parts = parts.drop_duplicates(["gen", "folder", "name"])  # required where any of its loaders runs
    label = parts["role"] + ":" + parts["name"].str.replace("\\", "/", regex=False).str.rsplit("/", n=1).str[-1]
    return {
        "gen": parts["gen"].to_numpy(dtype=np.int64), "role": parts["role"].to_numpy(dtype=object),
        "label": label.to_numpy(dtype=object), "optional": parts["optional"].to_numpy(dtype=bool),
        "part": parts["row"].to_numpy(dtype=np.int64),
    }  # fmt: skip


def _recipe_families() -> frozenset[str]:
    return frozenset(_rules.recipes()["family"])
