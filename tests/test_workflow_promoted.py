"""Workflow parsing of newer frontends' shapes: V3 dynamic inputs, and widget values a subgraph instance promotes.

The V3 specs are trimmed from ComfyUI 0.33.0's /object_info (``ResizeImageMaskNode``, ``SaveVideo``) and from this
repo's V3 probe pack (``ComfyframeProbeDynamicV3``, a model dropdown inside a dynamic combo). The subgraph shapes
follow the official templates: values over the subgraph inputs that feed a widget (templates 0.7–0.11), and
``properties.proxyWidgets`` entries (``["-1", name]`` in 0.7.25, ``[node id, name]`` in the newest package).
"""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from test_workflows import CKPTS, LORAS, OBJECT_INFO, discovery, server_snapshot, ui_node, workflow

import comfyframe as cf
from comfyframe.workflows._parse import load_workflow, parse_workflow, widget_order

FLEET = Path(__file__).parent.parent / "notebooks" / "data" / "workflows_fleet.json.gz"

V3_INFO = {
    "ResizeImageMaskNode": {"input": {"required": {
        "input": ["COMFY_MATCHTYPE_V3", {"template": {"template_id": "input_type", "allowed_types": "IMAGE,MASK"}}],
        "resize_type": ["COMFY_DYNAMICCOMBO_V3", {"options": [
            {"key": "scale dimensions", "inputs": {"required": {
                "width": ["INT", {"default": 512, "min": 0, "max": 16384, "step": 1}],
                "height": ["INT", {"default": 512, "min": 0, "max": 16384, "step": 1}],
                "crop": ["COMBO", {"default": "center", "multiselect": False, "options": ["disabled", "center"]}]}}},
            {"key": "scale by multiplier", "inputs": {"required": {"multiplier": ["FLOAT", {"default": 1.0}]}}},
            {"key": "scale longer dimension", "inputs": {"required": {"longer_size": ["INT", {"default": 512}]}}},
            {"key": "match size", "inputs": {"required": {"match": ["IMAGE,MASK", {}],
                                                           "crop": ["COMBO", {"options": ["disabled", "center"]}]}}},
        ]}],
        "scale_method": ["COMBO", {"default": "area", "options": ["nearest-exact", "bilinear", "area", "lanczos"]}]}},
        "input_order": {"required": ["input", "resize_type", "scale_method"]}, "output": ["IMAGE"]},
    "SaveVideo": {"input": {"required": {
        "video": ["VIDEO", {}],
        "filename_prefix": ["STRING", {"default": "video/ComfyUI", "multiline": False}],
        "format": ["COMFY_DYNAMICCOMBO_V3", {"options": [
            {"key": "auto", "inputs": {"required": {"codec": ["COMFY_DYNAMICCOMBO_V3", {"options": [
                {"key": "auto", "inputs": {"required": {}}},
                {"key": "h264", "inputs": {"required": {}, "optional": {"encoding": ["COMFY_DYNAMICCOMBO_V3", {
                    "options": [{"key": "auto", "inputs": {"required": {}}},
                                {"key": "re-encode", "inputs": {"required": {"crf": ["FLOAT", {"default": 23.0}]}}}]}]}}},
            ]}]}}},
            {"key": "mp4", "inputs": {"required": {"codec": ["COMBO", {"options": ["auto", "h264"]}]}}},
        ]}]},
        "optional": {"codec": ["COMFY_DYNAMICCOMBO_V3", {"hidden": True, "options": [
            {"key": "auto", "inputs": {"required": {}}}, {"key": "h264", "inputs": {"required": {}}}]}]}},
        "input_order": {"required": ["video", "filename_prefix", "format"], "optional": ["codec"]}, "output": []},
    "TextGenerate": {"input": {"required": {
        "clip": ["CLIP", {}], "prompt": ["STRING", {"default": "", "multiline": True, "dynamicPrompts": True}],
        "max_length": ["INT", {"default": 512, "min": 1, "max": 32768}],
        "sampling_mode": ["COMFY_DYNAMICCOMBO_V3", {"display_name": "Sampling Mode", "options": [
            {"key": "on", "inputs": {"required": {
                "temperature": ["FLOAT", {"default": 0.7}], "top_k": ["INT", {"default": 64}],
                "top_p": ["FLOAT", {"default": 0.95}], "min_p": ["FLOAT", {"default": 0.05}],
                "repetition_penalty": ["FLOAT", {"default": 1.05}],
                "seed": ["INT", {"default": 0, "min": 0, "max": 18446744073709551615}]},
                "optional": {"presence_penalty": ["FLOAT", {"default": 0.0}]}}},
            {"key": "off", "inputs": {"required": {}}}]}]},
        "optional": {"image": ["IMAGE", {}], "thinking": ["BOOLEAN", {"default": False}],
                     "use_default_template": ["BOOLEAN", {"advanced": True, "default": True}]}},
        "input_order": {"required": ["clip", "prompt", "max_length", "sampling_mode"],
                        "optional": ["image", "thinking", "use_default_template"]}, "output": ["STRING"]},
    "ComfyframeProbeDynamicV3": {"input": {"required": {
        "source": ["COMFY_DYNAMICCOMBO_V3", {"options": [
            {"key": "checkpoint", "inputs": {"required": {"ckpt_name": ["COMBO", {"multiselect": False,
                                                                                   "options": CKPTS}]}}},
            {"key": "lora", "inputs": {"required": {"lora_name": ["COMBO", {"multiselect": False, "options": LORAS}],
                                                    "strength": ["FLOAT", {"default": 1.0}]}}}]}],
        "vaes": ["COMFY_AUTOGROW_V3", {"template": {"input": {"required": {"vae": ["COMBO", {
            "forceInput": True, "multiselect": False, "options": ["ae.safetensors"]}]}}, "prefix": "vae", "min": 1,
            "max": 4}}]}},
        "input_order": {"required": ["source", "vaes"]}, "output": ["MODEL"], "output_name": ["MODEL"],
        "name": "ComfyframeProbeDynamicV3", "display_name": "", "category": "comfyframe/probe",
        "python_module": "custom_nodes.comfyframe-v3-probe", "output_node": False},
}
ORDER = widget_order({**OBJECT_INFO, **V3_INFO})


def named(doc: dict[str, Any], node_id: str) -> dict[str, tuple[Any, tuple[Any, ...]]]:
    """``input → (value, path)`` of one parsed node."""
    node = next(n for n in parse_workflow(doc, ORDER).nodes if n.id == node_id)
    return {w.input: (w.value, w.path) for w in node.widgets}


def v3_discovery() -> cf.Discovery:
    snap = server_snapshot()
    snap.responses["/object_info"] = {**snap.responses["/object_info"], **copy.deepcopy(V3_INFO)}
    return discovery(snap)


# -- V3 dynamic inputs ------------------------------------------------------------------------------------------
def test_a_dynamic_combo_takes_its_key_then_the_chosen_options_values() -> None:
    doc = workflow(ui_node(1, "ResizeImageMaskNode", ["scale longer dimension", 2048, "lanczos"]),
                   ui_node(2, "ResizeImageMaskNode", ["scale dimensions", 832, 480, "disabled", "area"]),
                   ui_node(3, "ResizeImageMaskNode", ["match size", "center", "bilinear"]))
    assert named(doc, "1") == {"resize_type": ("scale longer dimension", ("nodes", 0, "widgets_values", 0)),
                               "resize_type.longer_size": (2048, ("nodes", 0, "widgets_values", 1)),
                               "scale_method": ("lanczos", ("nodes", 0, "widgets_values", 2))}
    second = named(doc, "2")
    assert {k: v for k, (v, _) in second.items()} == {"resize_type": "scale dimensions", "resize_type.width": 832,
                                                      "resize_type.height": 480, "resize_type.crop": "disabled",
                                                      "scale_method": "area"}
    assert named(doc, "3")["scale_method"][0] == "bilinear"  # a socket in the option ("match") takes no value


def test_dynamic_combos_nest_and_the_layout_follows_the_values() -> None:
    doc = workflow(ui_node(1, "SaveVideo", ["video/ComfyUI", "auto", "h264", "re-encode", 18.0, "auto"]),
                   ui_node(2, "SaveVideo", ["video/ComfyUI", "mp4", "h264", "auto"]))
    assert {k: v for k, (v, _) in named(doc, "1").items()} == {
        "filename_prefix": "video/ComfyUI", "format": "auto", "format.codec": "h264", "format.codec.encoding": "re-encode",
        "format.codec.encoding.crf": 18.0, "codec": "auto"}
    assert {k: v for k, (v, _) in named(doc, "2").items()} == {
        "filename_prefix": "video/ComfyUI", "format": "mp4", "format.codec": "h264", "codec": "auto"}


def test_a_seed_inside_a_dynamic_option_has_no_control_value() -> None:
    """The frontend names it ``sampling_mode.seed``: its seed-name rule (a control value after ``seed``) does not
    apply. The values are an official template's (TextGenerate, templates for ComfyUI 0.33)."""
    doc = workflow(ui_node(1, "TextGenerate", ["", 256, "on", 0.7, 64, 0.95, 0.05, 1.05, 0, 0, False, True]),
                   ui_node(2, "TextGenerate", ["", 256, "off", True, False]))
    on = {k: v for k, (v, _) in named(doc, "1").items()}
    assert (on["sampling_mode.seed"], on["sampling_mode.presence_penalty"], on["thinking"],
            on["use_default_template"]) == (0, 0, False, True)
    assert {k: v for k, (v, _) in named(doc, "2").items()} == {
        "prompt": "", "max_length": 256, "sampling_mode": "off", "thinking": True, "use_default_template": False}


def test_an_autogrow_input_is_sockets_and_a_model_inside_a_dynamic_combo_is_checked_and_repaired() -> None:
    doc = workflow(ui_node(1, "ComfyframeProbeDynamicV3", ["checkpoint", "sd_xl_base_1.0.safetensors"],
                           inputs=[{"name": "vaes.vae0", "type": "COMBO", "link": None}]),
                   ui_node(2, "ComfyframeProbeDynamicV3", ["lora", "styles/add_detail.safetensors", 0.8]))
    assert named(doc, "2")["source.strength"] == (0.8, ("nodes", 1, "widgets_values", 2))
    result = v3_discovery().check_workflow(doc)
    refs = result.references.set_index("node")
    assert refs.loc["1", "input"] == "source.ckpt_name" and refs.loc["1", "folder"] == "checkpoints"
    assert (refs.loc["1", "status"], refs.loc["1", "repair"]) == ("elsewhere", CKPTS[0])
    assert (refs.loc["2", "input"], refs.loc["2", "status"]) == ("source.lora_name", "present")
    fixed = result.repaired(result.summary["server"].iloc[0])
    assert fixed["nodes"][0]["widgets_values"] == ["checkpoint", CKPTS[0]]
    assert fixed["nodes"][1] == doc["nodes"][1]


# -- promoted subgraph widgets ----------------------------------------------------------------------------------
def subgraph(inputs: list[tuple[str, str, list[int]]], nodes: list[dict[str, Any]],
             links: list[tuple[int, int, int]], sg_id: str = "sg-1") -> dict[str, Any]:
    """A subgraph definition as the frontend saves it: inputs with their link ids, links as dicts."""
    return {"id": sg_id, "name": "group", "nodes": nodes,
            "inputs": [{"id": f"in-{name}", "name": name, "type": kind, "linkIds": ids} for name, kind, ids in inputs],
            "links": [{"id": lid, "origin_id": -10, "origin_slot": 0, "target_id": target, "target_slot": slot,
                       "type": "*"} for lid, target, slot in links]}


def widget_input(name: str, link: int, kind: str = "COMBO") -> dict[str, Any]:
    return {"name": name, "type": kind, "widget": {"name": name}, "link": link}


def inner_graph(sg_id: str = "sg-1") -> dict[str, Any]:
    """An image input (a socket), a checkpoint name and a step count fed from the subgraph's inputs."""
    loader = ui_node(1, "CheckpointLoaderSimple", ["inner_stale.safetensors"], inputs=[widget_input("ckpt_name", 34)])
    sampler = ui_node(7, "KSampler", [5, "fixed", 20, 7.0, "euler", "simple", 1.0],
                      inputs=[{"name": "model", "type": "MODEL", "link": 40}, widget_input("steps", 35, "INT")])
    return subgraph([("image", "IMAGE", [33]), ("ckpt_name", "COMBO", [34]), ("steps", "INT", [35])],
                    [loader, sampler], [(33, 7, 0), (34, 1, 0), (35, 7, 1)], sg_id)


def test_instance_values_over_the_subgraph_inputs_override_the_inner_widgets() -> None:
    instance = ui_node(19, "sg-1", ["sd_xl_base_1.0.safetensors", 30],
                       inputs=[{"name": "image", "type": "IMAGE", "link": 3}])
    doc = workflow(instance, subgraphs=[inner_graph()])
    assert named(doc, "19:1")["ckpt_name"] == ("sd_xl_base_1.0.safetensors", ("nodes", 0, "widgets_values", 0))
    sampler = named(doc, "19:7")
    assert sampler["steps"] == (30, ("nodes", 0, "widgets_values", 1)) and sampler["cfg"][0] == 7.0
    result = discovery().check_workflow(doc)
    refs = result.references
    assert refs["value"].tolist() == ["sd_xl_base_1.0.safetensors"]  # the inner stale value is not what runs
    assert (refs["status"].iloc[0], refs["repair"].iloc[0]) == ("elsewhere", CKPTS[0])
    fixed = result.repaired(refs["server"].iloc[0])
    assert fixed["nodes"][0]["widgets_values"] == [CKPTS[0], 30]  # rewritten at the instance's position
    assert fixed["definitions"] == doc["definitions"]  # the inner node is left as it was


def test_instance_values_that_do_not_match_the_inputs_leave_the_inner_values() -> None:
    doc = workflow(ui_node(19, "sg-1", ["sd_xl_base_1.0.safetensors"]), subgraphs=[inner_graph()])
    assert named(doc, "19:1")["ckpt_name"][0] == "inner_stale.safetensors"


def test_proxy_widgets_map_instance_values_by_entry_and_holes_leave_the_inner_value() -> None:
    proxies = [["1", "ckpt_name"], ["7", "$$canvas-image-preview"], ["7", "steps"]]
    doc = workflow(ui_node(19, "sg-1", ["sd_xl_base_1.0.safetensors", None, 12],
                           properties={"proxyWidgets": proxies}), subgraphs=[inner_graph()])
    assert named(doc, "19:1")["ckpt_name"] == ("sd_xl_base_1.0.safetensors", ("nodes", 0, "widgets_values", 0))
    assert named(doc, "19:7")["steps"] == (12, ("nodes", 0, "widgets_values", 2))
    as_text = workflow(ui_node(19, "sg-1", [None, None, 12], properties={"proxyWidgets": json.dumps(proxies)}),
                       subgraphs=[inner_graph()])
    assert named(as_text, "19:1")["ckpt_name"][0] == "inner_stale.safetensors"  # a hole: the inner value runs
    assert named(as_text, "19:7")["steps"][0] == 12
    # the newest templates' shape: proxy entries and no instance values
    empty = workflow(ui_node(19, "sg-1", [], properties={"proxyWidgets": proxies}), subgraphs=[inner_graph()])
    assert named(empty, "19:1")["ckpt_name"] == ("inner_stale.safetensors",
                                                 ("definitions", "subgraphs", 0, "nodes", 0, "widgets_values", 0))


def test_legacy_proxy_entries_name_a_subgraph_input() -> None:
    doc = workflow(ui_node(19, "sg-1", ["sd_xl_base_1.0.safetensors"],
                           properties={"proxyWidgets": [["-1", "ckpt_name"]]}), subgraphs=[inner_graph()])
    assert named(doc, "19:1")["ckpt_name"] == ("sd_xl_base_1.0.safetensors", ("nodes", 0, "widgets_values", 0))


def test_an_enclosing_instances_value_wins_over_a_nested_ones() -> None:
    inner = subgraph([], [ui_node(1, "UNETLoader", ["inner.safetensors", "default"])], [], "sg-inner")
    nested = ui_node(7, "sg-inner", ["flux1-dev-fp8_e4m3fn.safetensors"],
                     properties={"proxyWidgets": [["1", "unet_name"]]})
    outer = subgraph([], [nested], [], "sg-outer")
    doc = workflow(ui_node(50, "sg-outer", ["renamed_copy.safetensors"], properties={"proxyWidgets": [["7", "unet_name"]]}),
                   ui_node(51, "sg-outer", []), subgraphs=[inner, outer])
    assert named(doc, "50:7:1")["unet_name"] == ("renamed_copy.safetensors", ("nodes", 0, "widgets_values", 0))
    assert named(doc, "51:7:1")["unet_name"] == (
        "flux1-dev-fp8_e4m3fn.safetensors", ("definitions", "subgraphs", 1, "nodes", 0, "widgets_values", 0))


def test_real_templates_promoted_values_are_read_at_the_instance() -> None:
    """Official templates (package 0.7.25) recorded from the real ComfyUI 0.3.75 server."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)
        found = cf.discover(snapshot=FLEET)
    responses = found.snapshots[0].responses
    doc = responses["/templates/image_qwen_image_instantx_controlnet.json"]
    position = next(i for i, n in enumerate(doc["nodes"]) if n["id"] == 106)
    values = doc["nodes"][position]["widgets_values"]
    refs = found.check_workflow(doc).references
    refs = refs[refs["server"].eq(found.urls[0]) & refs["node"].str.startswith("106:")]
    assert sorted(map(tuple, refs["path"])) == [("nodes", position, "widgets_values", 0),
                                                ("nodes", position, "widgets_values", 1)]
    assert set(refs["value"]) == set(values[:2]) and set(refs["node_type"]) == {"VAELoader", "UNETLoader"}
    # ["-1", name] proxy entries (a subgraph input each): the instance's values reach the inner widgets
    doc = responses["/templates/image_qwen_image_instantx_inpainting_controlnet.json"]
    position, instance = next((i, n) for i, n in enumerate(doc["nodes"]) if n["id"] == 121)
    order = found._workflow_views[0].widgets
    promoted = [(w.input, w.value) for n in parse_workflow(doc, order).nodes if n.id.startswith("121:")
                for w in n.widgets if w.path[:2] == ("nodes", position)]
    assert [v for _, v in promoted] == instance["widgets_values"] and len(promoted) == 2


# -- on real servers --------------------------------------------------------------------------------------------
@pytest.mark.live
def test_widgets_after_dynamic_combos_in_the_servers_own_templates(comfyui,
                                                                    tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every template the server serves, parsed with its /object_info: a plain dropdown of a node class that has a
    V3 dynamic combo holds one of that dropdown's options (a misread position would put a number or an option key
    there). Servers without dynamic inputs (ComfyUI 0.3.75) have nothing to check."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)
        found = cf.discover(comfyui.url, progress=False, template_cache=tmp_path_factory.mktemp("template-cache"))
    snap = found.snapshots[0]
    info = snap.object_info
    order = widget_order(info)
    dynamic = {cls for cls, slots in order.items() if any(s.branches is not None for s in slots)}
    checked: list[tuple[str, str, Any]] = []
    wrong = []
    for route, body in snap.responses.items():
        if not route.startswith("/templates/") or route.endswith("index.json") or not isinstance(body, dict):
            continue
        for node in parse_workflow(load_workflow(body), order).nodes:
            if node.type not in dynamic:
                continue
            inputs = {**info[node.type]["input"].get("optional", {}), **info[node.type]["input"].get("required", {})}
            for w in node.widgets:
                spec = inputs.get(w.input)
                if isinstance(spec, list) and spec and isinstance(spec[0], list) or (
                        isinstance(spec, list) and spec and spec[0] == "COMBO" and isinstance(spec[1].get("options"), list)):
                    options = spec[0] if isinstance(spec[0], list) else spec[1]["options"]
                    checked.append((route, w.input, w.value))
                    if w.value not in options:
                        wrong.append((route, node.type, w.input, w.value))
    assert not wrong, wrong[:5]
    if dynamic & {n.type for body in snap.responses.values() if isinstance(body, dict) and isinstance(body.get("nodes"), list)
                  for n in parse_workflow(body, order).nodes}:
        assert checked  # dynamic nodes in the templates and nothing read after them would test nothing
