"""Every real-world /object_info dump in the corpus loads into the tables, with invariants."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

import comfyframe as cf
from comfyframe._frames import build_frames
from comfyframe.rules._rules import model_extensions
from comfyframe.tables._nodes import dropdown_options

CORPUS = Path(os.environ.get("COMFYFRAME_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")


def dumps() -> list[Path]:
    return sorted((CORPUS / "object_info").glob("*.json"))


@cache
def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def offered(info: dict) -> pd.DataFrame:
    """Independent reference: every (node, input, option) string of every dropdown."""
    rows = []
    for node, spec in info.items():
        for section in ("required", "optional"):
            for name, input_spec in ((spec.get("input") or {}).get(section) or {}).items():
                found = dropdown_options(input_spec)
                if found:
                    rows += [(node, name, o) for o in found[1] if isinstance(o, str)]
    return pd.DataFrame(rows, columns=["node", "input", "option"])


def test_corpus_is_there(corpus_dir: Path) -> None:
    assert len(dumps()) == 14, "expected the 14 object_info dumps of ../shared/corpus/object_info"


@pytest.mark.parametrize("path", dumps(), ids=lambda p: p.stem[:40])
def test_dump_without_model_listing(path: Path) -> None:
    """Old-server mode: no /models, so model files are the model-like dropdown options."""
    info = load(path)
    snap = cf.Snapshot(url="http://127.0.0.1:8188", responses={"/object_info": info})
    frames = build_frames(snap)
    assert len(frames.nodes) == sum(isinstance(v, dict) for v in info.values())
    assert list(frames.edges.columns) == cf.EDGES.names
    reference = offered(info)
    ext = reference["option"].str.extract(r"\.([A-Za-z0-9]+)$", expand=False).str.lower()
    model_like = reference[ext.isin(model_extensions())].drop_duplicates()
    got = frames.edges[["node", "input", "name"]].drop_duplicates()
    # every model file a dropdown offers becomes an edge, and nothing else does
    assert set(map(tuple, got.to_numpy())) == set(map(tuple, model_like.to_numpy()))
    assert not frames.edges["name"].isin(["taesd", "pixel_space", "None", "none"]).any()
    # every edge's file is a model row, every model row has a loader
    model_keys = set(zip(frames.models["folder"], frames.models["name"]))
    assert set(zip(frames.edges["folder"], frames.edges["name"])) == model_keys
    assert (frames.models["loader_count"] >= 1).all()
    assert not frames.models.duplicated(["folder", "name"]).any()


@pytest.mark.parametrize("path", dumps(), ids=lambda p: p.stem[:40])
def test_dump_with_model_listing(path: Path) -> None:
    """With /models: a folder listed per core loader; every listed file a loader offers is an edge."""
    info = load(path)
    reference = offered(info)
    table = pd.read_csv(Path(cf.__file__).parent / "rules" / "loader_folders.csv", comment="#")
    seeded = reference.merge(table, on=["node", "input"])
    listing = seeded.groupby("folder")["option"].agg(lambda s: sorted(set(s))).to_dict()
    responses = {"/object_info": info, "/models": sorted(listing)}
    responses.update({f"/models/{folder}": names for folder, names in listing.items()})
    frames = build_frames(cf.Snapshot(url="http://127.0.0.1:8188", responses=responses))
    listed = {(f, n) for f, names in listing.items() for n in names}
    listed_models = frames.models[frames.models["listed"]]
    assert set(zip(listed_models["folder"], listed_models["name"])) == listed
    for (folder, name) in list(listed)[:200]:
        offering = set(reference.loc[reference["option"].eq(name), "node"])
        edge_nodes = set(frames.edges.loc[frames.edges["name"].eq(name) & frames.edges["folder"].eq(folder), "node"])
        assert edge_nodes <= offering
        # the core loader that defines the folder always offers it
        assert edge_nodes & set(table.loc[table["folder"].eq(folder), "node"]), (folder, name)


def test_both_dropdown_formats_occur_and_are_read(corpus_dir: Path) -> None:
    formats = set()
    for path in dumps():
        frames = build_frames(cf.Snapshot(url="http://x:1", responses={"/object_info": load(path)}))
        formats |= set(frames.edges["format"])
    assert formats == {"list", "combo"}


def test_windows_backslash_names_are_kept(corpus_dir: Path) -> None:
    path = next(p for p in dumps() if p.name.startswith("offflinerpsy"))
    frames = build_frames(cf.Snapshot(url="http://x:1", responses={"/object_info": load(path)}))
    backslashed = frames.models[frames.models["name"].str.contains("\\", regex=False)]
    assert len(backslashed) > 0
    assert (backslashed["path"].str.count("/") == backslashed["name"].str.count(r"\\")).all()
    assert not backslashed["filename"].str.contains("\\\\|/", regex=True).any()


def test_video_loader_offering_every_diffusion_model_gets_the_same_folder(corpus_dir: Path) -> None:
    path = next(p for p in dumps() if "2026-01-14" in p.name)
    frames = build_frames(cf.Snapshot(url="http://x:1", responses={"/object_info": load(path)}))
    wan = frames.edges[frames.edges["node"].eq("WanVideoModelLoader")]
    z_image = wan[wan["name"].str.contains("Z-Image")]
    assert set(z_image["folder"]) == {"diffusion_models"}
