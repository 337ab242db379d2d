"""Workflows offline: parsing (UI/API, subgraphs, widget order, seed control values, converted widgets), every
reference status, repair changing only repaired values, bad files, and the template cache."""

from __future__ import annotations

import asyncio
import copy
import json
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest

import comfyframe as cf
from comfyframe.snapshot._capture import capture_async
from comfyframe.workflows._parse import WorkflowError, load_workflow, parse_workflow, widget_order

URL = "http://127.0.0.1:8188"
GB = 1 << 30

CKPTS = ["SDXL/sd_xl_base_1.0.safetensors"]
UNETS = ["flux1-dev-fp8_e4m3fn.safetensors", "wan\\wan2.1_t2v_1.3B_fp16.safetensors", "renamed_copy.safetensors"]
LORAS = ["styles/add_detail.safetensors"]
VAES = ["ae.safetensors"]
TES = ["t5xxl_fp16.safetensors"]
SIZES = {"flux1-dev-fp8_e4m3fn.safetensors": 11.9, "wan\\wan2.1_t2v_1.3B_fp16.safetensors": 2.8,
         "renamed_copy.safetensors": 5.5, "SDXL/sd_xl_base_1.0.safetensors": 6.9, "ae.safetensors": 0.33,
         "styles/add_detail.safetensors": 0.15, "t5xxl_fp16.safetensors": 9.8}


def combo(options: list[str], **extra: Any) -> list[Any]:
    return [options, extra] if extra else [options]


def node_info(required: dict[str, Any], outputs: list[str], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"input": {"required": required, **({"optional": optional} if optional else {})},
            "input_order": {"required": list(required), **({"optional": list(optional)} if optional else {})},
            "output": outputs, "output_name": outputs, "name": "", "display_name": "", "category": "loaders",
            "python_module": "nodes", "output_node": False}


OBJECT_INFO = {
    "CheckpointLoaderSimple": node_info({"ckpt_name": combo(CKPTS)}, ["MODEL", "CLIP", "VAE"]),
    "UNETLoader": node_info({"unet_name": combo(UNETS), "weight_dtype": combo(["default", "fp8_e4m3fn"])}, ["MODEL"]),
    "LoraLoader": node_info({"model": ["MODEL"], "clip": ["CLIP"], "lora_name": combo(LORAS),
                             "strength_model": ["FLOAT", {"default": 1.0}], "strength_clip": ["FLOAT", {"default": 1.0}]},
                            ["MODEL", "CLIP"]),
    "VAELoader": node_info({"vae_name": combo(VAES)}, ["VAE"]),
    "CLIPLoader": node_info({"clip_name": combo(TES), "type": combo(["flux", "wan"])}, ["CLIP"]),
    "KSampler": node_info({"model": ["MODEL"], "seed": ["INT", {"default": 0, "control_after_generate": True}],
                           "steps": ["INT", {"default": 20}], "cfg": ["FLOAT", {}],
                           "sampler_name": combo(["euler"]), "scheduler": combo(["simple"]),
                           "positive": ["CONDITIONING"], "negative": ["CONDITIONING"], "latent_image": ["LATENT"],
                           "denoise": ["FLOAT", {}]}, ["LATENT"]),
    "EmptyLatentImage": node_info({"width": ["INT", {}], "height": ["INT", {}], "batch_size": ["INT", {}]}, ["LATENT"]),
    "CLIPTextEncode": node_info({"text": ["STRING", {"multiline": True}], "clip": ["CLIP"]}, ["CONDITIONING"]),
}


META = {"modelspec.architecture": "flux-1-dev", "modelspec.title": "my finetune"}


def server_snapshot(url: str = URL, *, drop: tuple[str, ...] = (), unets: list[str] | None = None,
                    metadata: dict[str, dict[str, str]] | None = None) -> cf.Snapshot:
    info = copy.deepcopy(OBJECT_INFO)
    for name in drop:
        info.pop(name)
    listing = {"checkpoints": CKPTS, "diffusion_models": UNETS if unets is None else unets, "loras": LORAS,
               "vae": VAES, "text_encoders": TES}
    if unets is not None:
        info["UNETLoader"]["input"]["required"]["unet_name"] = combo(unets)
    responses: dict[str, Any] = {"/object_info": info, "/models": list(listing)}
    for folder, names in listing.items():
        responses[f"/models/{folder}"] = names
        responses[f"/experiment/models/{folder}"] = [
            {"name": n, "pathIndex": 0, "modified": 1748736000.0, "size": int(SIZES.get(n, 1.0) * GB)} for n in names]
    for name, meta in (metadata or {}).items():
        responses[f"/view_metadata/diffusion_models?filename={name}"] = meta
    return cf.Snapshot(url=url, responses=responses)


def discovery(*snapshots: cf.Snapshot) -> cf.Discovery:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)
        return cf.Discovery(list(snapshots) or [server_snapshot()])


def ui_node(node_id: int, node_type: str, values: list[Any], *, mode: int = 0, inputs: list[dict[str, Any]] | None = None,
            properties: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": node_id, "type": node_type, "mode": mode, "inputs": inputs or [], "outputs": [],
            "properties": properties or {}, "widgets_values": values}


def workflow(*nodes: dict[str, Any], subgraphs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"last_node_id": 99, "nodes": list(nodes), "links": [], "version": 0.4}
    if subgraphs:
        doc["definitions"] = {"subgraphs": subgraphs}
    return doc


def refs_of(found: cf.Discovery, doc: Any) -> dict[str, dict[str, Any]]:
    rows = found.check_workflow(doc).references
    return {f"{r['node']}.{r['input']}": r for r in rows.to_dict("records")}


# -- parsing ------------------------------------------------------------------------------------------------------
def test_widget_values_follow_object_info_order_with_the_seed_control_value_skipped() -> None:
    doc = workflow(ui_node(3, "KSampler", [123, "randomize", 20, 7.0, "euler", "simple", 1.0]),
                   ui_node(5, "EmptyLatentImage", [832, 1216, 2]))
    parsed = parse_workflow(doc, widget_order(OBJECT_INFO))
    sampler = {w.input: w.value for w in parsed.nodes[0].widgets}
    assert sampler == {"seed": 123, "steps": 20, "cfg": 7.0, "sampler_name": "euler", "scheduler": "simple",
                       "denoise": 1.0}
    assert parsed.nodes[0].widgets[1].path == ("nodes", 0, "widgets_values", 2)  # steps sits after the control value


def test_an_older_frontends_converted_widget_takes_no_value() -> None:
    # seed converted to a socket and fed by a link: that frontend saved no value (nor control value) for it
    node = ui_node(3, "KSampler", [20, 7.0, "euler", "simple", 1.0],
                   inputs=[{"name": "seed", "type": "INT", "widget": {"name": "seed"}, "link": 7}])
    parsed = parse_workflow(workflow(node), widget_order(OBJECT_INFO))
    assert {w.input: w.value for w in parsed.nodes[0].widgets}["steps"] == 20
    # the current frontend keeps the value of a linked widget: positions stay
    node = ui_node(3, "KSampler", [5, "fixed", 20, 7.0, "euler", "simple", 1.0],
                   inputs=[{"name": "seed", "type": "INT", "widget": {"name": "seed"}, "link": 7}])
    parsed = parse_workflow(workflow(node), widget_order(OBJECT_INFO))
    assert {w.input: w.value for w in parsed.nodes[0].widgets}["steps"] == 20


def test_nested_subgraphs_are_instantiated_and_muted_instances_mark_their_inner_nodes() -> None:
    inner = {"id": "sg-inner", "nodes": [ui_node(1, "UNETLoader", ["flux1-dev-fp8_e4m3fn.safetensors", "default"])],
             "links": []}
    outer = {"id": "sg-outer", "nodes": [ui_node(7, "sg-inner", []), ui_node(8, "VAELoader", ["ae.safetensors"])],
             "links": []}
    doc = workflow(ui_node(50, "sg-outer", []), ui_node(51, "sg-outer", [], mode=4), subgraphs=[inner, outer])
    parsed = parse_workflow(doc, widget_order(OBJECT_INFO))
    assert [(n.id, n.type, n.mode) for n in parsed.nodes] == [
        ("50:7:1", "UNETLoader", "always"), ("50:8", "VAELoader", "always"),
        ("51:7:1", "UNETLoader", "bypassed"), ("51:8", "VAELoader", "bypassed")]
    assert parsed.nodes[0].widgets[0].path == ("definitions", "subgraphs", 0, "nodes", 0, "widgets_values", 0)


def test_a_subgraph_that_contains_itself_is_a_clear_error() -> None:
    loop = {"id": "sg", "nodes": [ui_node(1, "sg", [])], "links": []}
    with pytest.raises(WorkflowError, match="contains itself"):
        parse_workflow(workflow(ui_node(1, "sg", []), subgraphs=[loop]), widget_order(OBJECT_INFO))


def test_api_format_inputs_are_named_and_links_are_not_values() -> None:
    doc = {"4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "SDXL\\sd_xl_base_1.0.safetensors"}},
           "3": {"class_type": "KSampler", "inputs": {"seed": 1, "model": ["4", 0]}}}
    parsed = parse_workflow(load_workflow(doc), widget_order(OBJECT_INFO))
    assert parsed.format == "api"
    assert [(w.input, w.value, w.path) for w in parsed.nodes[0].widgets] == [
        ("ckpt_name", "SDXL\\sd_xl_base_1.0.safetensors", ("4", "inputs", "ckpt_name"))]
    assert [w.input for w in parsed.nodes[1].widgets] == ["seed"]


@pytest.mark.parametrize(("text", "message"), [
    ("not json at all {", "is not JSON"),
    ("[1, 2, 3]", "holds a JSON list"),
    ('{"name": "x"}', "not a ComfyUI workflow"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply|holds a JSON list"),
])
def test_files_that_are_not_workflows_get_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "w.json"
    path.write_text(text)
    with pytest.raises(WorkflowError, match=message):
        load_workflow(path)
    with pytest.raises(WorkflowError, match="Cannot read workflow"):
        load_workflow(tmp_path / "absent.json")


def test_a_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:
        handle.truncate(65 << 20)
    with pytest.raises(WorkflowError, match="at most"):
        load_workflow(path)


# -- statuses -----------------------------------------------------------------------------------------------------
def test_every_status_with_its_repair_url_and_pack() -> None:
    found = discovery()
    url = "https://huggingface.co/x/resolve/main/flux1-dev.safetensors"
    doc = workflow(
        ui_node(1, "CheckpointLoaderSimple", ["SDXL/sd_xl_base_1.0.safetensors"]),  # present
        ui_node(2, "CheckpointLoaderSimple", ["SDXL\\sd_xl_base_1.0.safetensors"]),  # separators: repair
        ui_node(3, "UNETLoader", ["wan2.1_t2v_1.3B_fp16.safetensors", "default"]),  # another subfolder
        ui_node(4, "UNETLoader", ["flux1-dev-fp16.safetensors", "default"]),  # fp8 on the server: alternative
        ui_node(5, "UNETLoader", ["qwen_image.safetensors", "default"],
                properties={"models": [{"name": "qwen_image.safetensors", "url": url, "directory": "diffusion_models"}]}),
        ui_node(6, "WanVideoModelLoader", ["wan2.1_i2v_14B.safetensors", "bf16"],
                properties={"aux_id": "kijai/ComfyUI-WanVideoWrapper",
                            "models": [{"name": "wan2.1_i2v_14B.safetensors", "directory": "diffusion_models"}]}),
        ui_node(7, "VAELoader", ["t5xxl_fp16.safetensors"]),  # on the server, but in a folder this input does not read
        ui_node(8, "Note", ["flux1-dev.safetensors"]),
    )
    refs = refs_of(found, doc)
    assert refs["1.ckpt_name"]["status"] == "present"
    assert (refs["2.ckpt_name"]["status"], refs["2.ckpt_name"]["repair"]) == ("elsewhere", "SDXL/sd_xl_base_1.0.safetensors")
    assert refs["2.ckpt_name"]["value"] == "SDXL\\sd_xl_base_1.0.safetensors"  # kept as written
    assert (refs["3.unet_name"]["status"], refs["3.unet_name"]["repair"]) == (
        "elsewhere", "wan\\wan2.1_t2v_1.3B_fp16.safetensors")
    assert (refs["4.unet_name"]["status"], refs["4.unet_name"]["repair"], refs["4.unet_name"]["found"]) == (
        "alternative", "", "flux1-dev-fp8_e4m3fn.safetensors")
    assert (refs["5.unet_name"]["status"], refs["5.unet_name"]["url"]) == ("missing", url)
    assert (refs["6."]["status"], refs["6."]["pack"], refs["6."]["value"]) == (
        "node_missing", "kijai/ComfyUI-WanVideoWrapper", "wan2.1_i2v_14B.safetensors")
    assert (refs["7.vae_name"]["status"], refs["7.vae_name"]["repair"], refs["7.vae_name"]["found"]) == (
        "elsewhere", "", "text_encoders/t5xxl_fp16.safetensors")
    assert not any(k.startswith("8.") for k in refs)
    summary = found.check_workflow(doc).summary.iloc[0]
    assert not summary["ready"]
    assert summary["nodes_missing"] == ("WanVideoModelLoader (kijai/ComfyUI-WanVideoWrapper)",)


def test_same_content_by_size_and_metadata_under_another_name_the_fleet_knows() -> None:
    # server B has the referenced name; server A has a file of the same size and metadata under another name
    SIZES["my_model.safetensors"] = 5.5
    try:
        b = server_snapshot("http://b:8188", unets=["my_model.safetensors"], metadata={"my_model.safetensors": META})
    finally:
        SIZES.pop("my_model.safetensors")
    doc = workflow(ui_node(1, "UNETLoader", ["my_model.safetensors", "default"]))
    for a_meta, status, repair in ((META, "same_content", "renamed_copy.safetensors"),
                                   ({**META, "modelspec.title": "another"}, "missing", ""), (None, "missing", "")):
        a = server_snapshot("http://a:8188", metadata={"renamed_copy.safetensors": a_meta} if a_meta else None)
        rows = discovery(a, b).check_workflow(doc).references.set_index("server")
        assert rows.loc["http://b:8188", "status"] == "present"
        assert (rows.loc["http://a:8188", "status"], rows.loc["http://a:8188", "repair"]) == (status, repair)


def test_unknown_node_type_with_properties_models_is_reported_not_a_crash() -> None:
    node = ui_node(9, "SomePackLoader", ["sub\\qwen.safetensors", 3],
                   properties={"cnr_id": "some-pack", "models": [{"name": "qwen.safetensors", "directory": "loras"}]})
    rows = discovery().check_workflow(workflow(node)).references
    assert rows[["node_type", "value", "folder", "status"]].to_dict("records") == [
        {"node_type": "SomePackLoader", "value": "sub\\qwen.safetensors", "folder": "loras", "status": "node_missing"}]


def test_bypassed_nodes_are_listed_but_do_not_block() -> None:
    doc = workflow(ui_node(1, "CheckpointLoaderSimple", ["SDXL/sd_xl_base_1.0.safetensors"]),
                   ui_node(2, "LoraLoader", ["gone.safetensors", 1.0, 1.0], mode=4))
    result = discovery().check_workflow(doc)
    gone = result.references[result.references["node"].eq("2")].iloc[0]
    assert (gone["status"], bool(gone["active"])) == ("missing", False)
    assert bool(result.summary["ready"].iloc[0]) and result.summary["inactive"].iloc[0] == ("2",)


def test_a_fleet_says_which_server_lacks_what() -> None:
    a = server_snapshot("http://a:8188", drop=("VAELoader",))
    b = server_snapshot("http://b:8188", unets=["other.safetensors"])
    doc = workflow(ui_node(1, "UNETLoader", ["flux1-dev-fp8_e4m3fn.safetensors", "default"]),
                   ui_node(2, "VAELoader", ["ae.safetensors"]))
    summary = discovery(a, b).check_workflow(doc).summary.set_index("server")
    assert not summary["ready"].any()
    assert summary.loc["http://b:8188", "elsewhere_in_fleet"] == (
        "diffusion_models/flux1-dev-fp8_e4m3fn.safetensors on http://a:8188",)
    assert summary.loc["http://a:8188", "nodes_missing"] == ("VAELoader",)


# -- repair -------------------------------------------------------------------------------------------------------
def _differences(a: Any, b: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), path
        return [d for k in a for d in _differences(a[k], b[k], (*path, k))]
    if isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), path
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _differences(x, y, (*path, i))]
    return [] if a == b and type(a) is type(b) else [path]


def test_repair_rewrites_only_the_repairable_values() -> None:
    inner = {"id": "sg", "nodes": [ui_node(1, "UNETLoader", ["wan2.1_t2v_1.3B_fp16.safetensors", "default"])],
             "links": []}
    doc = workflow(ui_node(2, "CheckpointLoaderSimple", ["SDXL\\sd_xl_base_1.0.safetensors"]),
                   ui_node(3, "KSampler", [1, "fixed", 20, 7.0, "euler", "simple", 1.0]),
                   ui_node(4, "UNETLoader", ["flux1-dev-fp16.safetensors", "default"]),  # alternative: untouched
                   ui_node(5, "sg", []), subgraphs=[inner])
    original = json.loads(json.dumps(doc))
    fixed = discovery().check_workflow(json.dumps(doc)).repaired()
    assert doc == original  # the input is not changed
    assert _differences(original, fixed) == [("nodes", 0, "widgets_values", 0),
                                             ("definitions", "subgraphs", 0, "nodes", 0, "widgets_values", 0)]
    assert fixed["nodes"][0]["widgets_values"][0] == "SDXL/sd_xl_base_1.0.safetensors"
    assert fixed["definitions"]["subgraphs"][0]["nodes"][0]["widgets_values"][0] == "wan\\wan2.1_t2v_1.3B_fp16.safetensors"
    assert discovery().check_workflow(fixed).summary["repairs"].iloc[0] == 0


def test_api_format_repair_and_job_size() -> None:
    doc = {"4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
           "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 832, "height": 1216, "batch_size": 1}}}
    result = discovery().check_workflow(doc)
    assert result.repaired()["4"]["inputs"]["ckpt_name"] == "SDXL/sd_xl_base_1.0.safetensors"
    assert bool(result.summary["ready"].iloc[0]) and result.summary["vram_gb"].iloc[0] > 6


# -- templates: capture and cache ---------------------------------------------------------------------------------
INDEX = [{"moduleName": "default", "title": "Image", "templates": [
    {"name": "sdxl_simple", "title": "SDXL", "tags": ["Text to Image", "Image"], "models": ["SDXL"], "size": 7_000,
     "usage": 12, "openSource": True},
    {"name": "api_cloud", "title": "Cloud", "tags": ["API"], "models": ["Cloud"], "openSource": False},
    {"name": "needs_new", "title": "Future", "tags": ["Image Edit"], "models": ["X"], "minComfyUIVersion": "9.0.0"},
]}]
TEMPLATES = {
    "sdxl_simple": workflow(ui_node(1, "CheckpointLoaderSimple", ["sd_xl_base_1.0.safetensors"]),
                            ui_node(2, "EmptyLatentImage", [1024, 1024, 1])),
    "needs_new": workflow(ui_node(1, "VAELoader", ["ae.safetensors"])),
}


def template_server(asked: list[str], version: str = "0.7.25") -> httpx.MockTransport:
    base = server_snapshot().responses
    stats = {"system": {"comfyui_version": "0.3.75", "installed_templates_version": version}, "devices": []}

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        asked.append(path)
        if path == "/system_stats":
            return httpx.Response(200, json=stats)
        if path == "/templates/index.json":
            return httpx.Response(200, json=INDEX)
        if path.startswith("/templates/") and path[len("/templates/"):-5] in TEMPLATES:
            return httpx.Response(200, json=TEMPLATES[path[len("/templates/"):-5]])
        if path == "/workflow_templates":
            return httpx.Response(200, json={"my-pack": ["example", "settings"], "../x": ["y"]})
        if path == "/api/workflow_templates/my-pack/settings.json":  # a pack's JSON that is no workflow
            return httpx.Response(200, json={"3": {"not": "a node"}, "theme": "dark"})
        if path == "/api/workflow_templates/my-pack/example.json":
            return httpx.Response(200, json=TEMPLATES["needs_new"])
        key = path[4:] if path.startswith("/api/") else path
        if key in base:
            return httpx.Response(200, json=base[key])
        return httpx.Response(404)

    return httpx.MockTransport(handler)


def capture(transport: httpx.MockTransport, cache: Path, **options: Any) -> cf.Snapshot:
    return asyncio.run(capture_async(URL, transport=transport, template_cache=cache, metadata=False, **options))


def test_templates_are_captured_cached_by_version_and_tabled_identically_offline(tmp_path: Path) -> None:
    asked: list[str] = []
    first = capture(template_server(asked), tmp_path)
    assert "/templates/sdxl_simple.json" in asked and "/templates/api_cloud.json" not in asked
    assert "/workflow_templates/my-pack/example.json" in first.responses
    asked.clear()
    second = capture(template_server(asked), tmp_path)
    assert not any(p.startswith("/templates/") for p in asked)  # index and files came from the cache
    assert second.carried["/templates/sdxl_simple.json"] == "template cache 0.7.25"
    assert second.stats["templates_from_cache"] == 3
    asked.clear()
    capture(template_server(asked, version="0.7.26"), tmp_path)
    assert "/templates/sdxl_simple.json" in asked  # another version: asked again
    table = discovery(second).workflows
    saved = tmp_path / "s.json.gz"
    second.save(saved)
    offline = cf.Discovery.from_snapshot(saved, warn=False).workflows
    assert table.astype(str).equals(offline.astype(str))
    rows = table.set_index("template")
    assert list(rows.index) == ["sdxl_simple", "needs_new", "example"]
    assert list(rows["source"]) == ["official", "official", "my-pack"]
    assert rows.loc["sdxl_simple", "ready"] and rows.loc["sdxl_simple", "repairs"] == 1
    assert rows.loc["sdxl_simple", "capabilities"] == ("text_to_image",)
    assert (rows.loc["sdxl_simple", "width"], rows.loc["sdxl_simple", "usage"]) == (1024.0, 12)
    assert not rows.loc["needs_new", "version_ok"] and not rows.loc["needs_new", "ready"]
    assert rows.loc["needs_new", "capabilities"] == ("image_edit",)
    best = discovery(second).best_workflow("text_to_image", max_vram=24)
    assert list(best["template"]) == ["sdxl_simple"]


def test_no_templates_skips_them_and_a_server_without_the_routes_is_absent_not_degraded(tmp_path: Path) -> None:
    asked: list[str] = []
    skipped = capture(template_server(asked), tmp_path, templates=False)
    assert not any("templates" in p for p in asked) and discovery(skipped).workflows.empty

    def bare(request: httpx.Request) -> httpx.Response:
        if request.url.path in ("/object_info", "/api/object_info"):
            return httpx.Response(200, json=OBJECT_INFO)
        if request.url.path == "/system_stats":
            return httpx.Response(200, json={"system": {}, "devices": []})
        return httpx.Response(404)

    snap = capture(httpx.MockTransport(bare), tmp_path)
    assert snap.responses["/templates/index.json"] is None and "/templates/index.json" not in snap.failures
    with warnings.catch_warnings():
        warnings.simplefilter("error", cf.DegradedServerWarning)
        found = cf.Discovery(snap, warn=False)
    assert not any("template" in p for p in found.problems)
    assert found.workflows.empty


def test_a_legacy_group_node_is_expanded_from_extra_group_nodes() -> None:
    group = {"nodes": [{"type": "CheckpointLoaderSimple", "index": 0, "widgets_values": ["SDXL\\sd_xl_base_1.0.safetensors"]},
                       {"type": "EmptyLatentImage", "index": 1, "widgets_values": [512, 768, 1]}],
             "links": [], "external": []}
    doc = workflow(ui_node(4, "workflow>Loader group", ["SDXL\\sd_xl_base_1.0.safetensors", 512, 768, 1]))
    doc["extra"] = {"groupNodes": {"Loader group": group}}
    parsed = parse_workflow(doc, widget_order(OBJECT_INFO))
    assert [(n.id, n.type) for n in parsed.nodes] == [("4:0", "CheckpointLoaderSimple"), ("4:1", "EmptyLatentImage")]
    refs = refs_of(discovery(), doc)
    assert (refs["4:0.ckpt_name"]["status"], refs["4:0.ckpt_name"]["repair"]) == ("elsewhere", "SDXL/sd_xl_base_1.0.safetensors")
    assert parsed.unknown_types == []
