"""Edges from dropdowns, offline: repeated dropdowns and options, names several folders list, shared lists."""

from __future__ import annotations

from typing import Any

import comfyframe as cf
from comfyframe._frames import Frames, build_frames

CKPTS = ["m.safetensors", "c1.safetensors", "c2.safetensors"]
LORAS = ["m.safetensors", "l1.safetensors"]


def _frames(object_info: dict[str, Any]) -> Frames:
    responses = {"/object_info": object_info, "/models": ["checkpoints", "loras"],
                 "/models/checkpoints": CKPTS, "/models/loras": LORAS}  # fmt: skip
    return build_frames(cf.Snapshot(url="http://127.0.0.1:8188", responses=responses))


def _node(**inputs: Any) -> dict[str, Any]:
    return {"input": {"required": inputs}, "output": ["MODEL"], "python_module": "custom_nodes.pack"}


def _edges(frames: Frames) -> list[tuple[str, ...]]:
    return list(frames.edges[["node", "input", "folder", "name"]].itertuples(index=False, name=None))


def test_a_repeated_dropdown_and_repeated_options_give_each_edge_once_in_offered_order() -> None:
    template = {"input": {"required": {"x": ["COMBO", {"options": ["c2.safetensors", "c2.safetensors", "c1.safetensors"]}]}},
                "names": ["one", "one", "two"]}  # fmt: skip
    frames = _frames({"Grow": _node(g=["COMFY_AUTOGROW_V3", {"template": template}])})
    assert _edges(frames) == [
        ("Grow", "g.one", "checkpoints", "c2.safetensors"), ("Grow", "g.one", "checkpoints", "c1.safetensors"),
        ("Grow", "g.two", "checkpoints", "c2.safetensors"), ("Grow", "g.two", "checkpoints", "c1.safetensors"),
    ]  # fmt: skip
    assert frames.nodes.set_index("node").loc["Grow", ["model_inputs", "models_offered"]].tolist() == [2, 2]


def test_a_name_several_folders_list_goes_to_the_folder_holding_most_of_the_dropdown() -> None:
    frames = _frames({
        "Ckpt": _node(ckpt_name=[["c1.safetensors", "c2.safetensors", "m.safetensors"], {}]),
        "Lora": _node(lora_name=["COMBO", {"options": ["l1.safetensors", "m.safetensors"]}]),
        "Tie": _node(x=[["m.safetensors"], {}]),  # one option in each folder: both
    })  # fmt: skip
    assert [e for e in _edges(frames) if e[3] == "m.safetensors"] == [
        ("Ckpt", "ckpt_name", "checkpoints", "m.safetensors"), ("Lora", "lora_name", "loras", "m.safetensors"),
        ("Tie", "x", "checkpoints", "m.safetensors"), ("Tie", "x", "loras", "m.safetensors"),
    ]  # fmt: skip
    models = frames.models.set_index(["folder", "name"])
    assert models.loc[("checkpoints", "m.safetensors"), "loader_nodes"] == ("Ckpt", "Tie")
    assert models.loc[("loras", "m.safetensors"), "loader_nodes"] == ("Lora", "Tie")


def test_dropdowns_sharing_one_list_each_offer_it_and_a_node_counts_distinct_files() -> None:
    shared = ["c1.safetensors", "c2.safetensors", "sampler_name"]
    frames = _frames({
        "A": _node(ckpt_name=[list(shared), {}]),
        "B": _node(ckpt_name=["COMBO", {"options": list(shared)}]),
        "Two": _node(a=[list(shared), {}], b=[["c2.safetensors", "l1.safetensors", "unlisted.gguf"], {}]),
    })  # fmt: skip
    assert _edges(frames) == [
        ("A", "ckpt_name", "checkpoints", "c1.safetensors"), ("A", "ckpt_name", "checkpoints", "c2.safetensors"),
        ("B", "ckpt_name", "checkpoints", "c1.safetensors"), ("B", "ckpt_name", "checkpoints", "c2.safetensors"),
        ("Two", "a", "checkpoints", "c1.safetensors"), ("Two", "a", "checkpoints", "c2.safetensors"),
        ("Two", "b", "checkpoints", "c2.safetensors"), ("Two", "b", "loras", "l1.safetensors"),
        ("Two", "b", "", "unlisted.gguf"),
    ]  # fmt: skip
    assert frames.edges["format"].tolist() == ["list"] * 2 + ["combo"] * 2 + ["list"] * 5
    nodes = frames.nodes.set_index("node")
    assert nodes.loc["Two", ["model_inputs", "models_offered"]].tolist() == [2, 4]
    models = frames.models.set_index(["folder", "name"])
    assert models.loc[("checkpoints", "c2.safetensors"), "loader_nodes"] == ("A", "B", "Two")
    assert models.loc[("checkpoints", "c2.safetensors"), "loader_count"] == 3
    assert not models.loc[("", "unlisted.gguf"), "listed"]
    assert models.index[-1] == ("", "unlisted.gguf")  # files only dropdowns offer come after the listed ones
