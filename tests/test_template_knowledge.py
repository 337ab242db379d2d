"""Knowledge from the server's own workflow templates: families, capabilities and recipes of new models.

Each test builds a server's raw answers with a small templates index and template workflows in the snapshot
(:func:`server`), so the path from the snapshot to ``models``, ``pipelines`` and ``explain`` runs as it does
on a live server.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

import comfyframe as cf
from comfyframe.inference._infer_templates import family_keys
from comfyframe.snapshot._snapshot import CUSTOM_TEMPLATES, TEMPLATES_INDEX, custom_template_route, template_route
from comfyframe.tables._templates import build_template_refs

GB = 10**9


def loader(node_type: str, *models: tuple[str, str]) -> dict[str, Any]:
    """A UI-format node whose ``properties.models`` names (folder, file) pairs."""
    return {"id": 1, "type": node_type, "widgets_values": [models[0][1]],
            "properties": {"models": [{"name": n, "directory": f, "url": f"https://example.test/{f}/{n}"} for f, n in models]}}  # fmt: skip


def workflow(*nodes: dict[str, Any], subgraph: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"nodes": list(nodes), "links": []}
    if subgraph:
        body["definitions"] = {"subgraphs": [{"id": "sg-1", "nodes": subgraph}]}
    return body


def entry(name: str, families: list[str], tags: list[str], usage: int = 10) -> dict[str, Any]:
    return {"name": name, "title": name.title(), "models": families, "tags": tags, "size": 1000, "usage": usage}


KREA = workflow(
    loader("UNETLoader", ("diffusion_models", "krea9_turbo.safetensors")),
    loader("VAELoader", ("vae", "krea9_vae.safetensors")),
    loader("UpscaleModelLoader", ("upscale_models", "4x_sharp.pth")),
    subgraph=[loader("CLIPLoader", ("text_encoders", "qwen3vl_4b.safetensors")),
              loader("LoraLoaderModelOnly", ("loras", "krea9_style.safetensors"))],
)  # fmt: skip
OTHER = workflow(  # another new family sharing the text encoder
    loader("UNETLoader", ("diffusion_models", "zeta_image_v1.safetensors")),
    loader("CLIPLoader", ("text_encoders", "qwen3vl_4b.safetensors")),
    loader("VAELoader", ("vae", "zeta_vae.safetensors")),
)
INDEX = [
    {"category": "Image", "templates": [
        entry("image_krea9_t2i", ["Krea 9"], ["Text to Image", "Image"], usage=50),
        entry("image_krea9_edit", ["Krea 9"], ["Image Edit"]),
        entry("image_zeta_t2i", ["Stability", "Zeta-Image"], ["Text to Image"]),
        entry("api_cloud_t2i", ["Cloud"], ["Text to Image", "API"]),  # API-only: no workflow served
        {"title": "no name"}, "not a template",
    ]},
    "not a category",
]  # fmt: skip
TREE = {
    "diffusion_models": [("krea9_turbo.safetensors", 12.0), ("zeta_image_v1.safetensors", 6.0)],
    "text_encoders": [("qwen3vl_4b.safetensors", 8.0)],
    "vae": [("krea9_vae.safetensors", 0.3), ("zeta_vae.safetensors", 0.3)],
    "loras": [("krea9_style.safetensors", 0.2)],
    "upscale_models": [("4x_sharp.pth", 0.07)],
}


def responses(tree: dict[str, list[tuple[str, float]]], templates: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"/object_info": {}, "/models": list(tree)}
    for folder, files in tree.items():
        out[f"/models/{folder}"] = [name for name, _ in files]
        out[f"/experiment/models/{folder}"] = [{"name": n, "size": int(s * GB), "modified": 1748736000.0} for n, s in files]
    if templates:
        out[TEMPLATES_INDEX] = INDEX
        out[template_route("image_krea9_t2i")] = KREA
        out[template_route("image_krea9_edit")] = KREA
        out[template_route("image_zeta_t2i")] = OTHER
    return out


def server(tree: dict[str, list[tuple[str, float]]] = TREE, templates: bool = True) -> cf.Discovery:
    snapshot = cf.Snapshot(url="http://gpu:8188", responses=responses(tree, templates))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)
        return cf.Discovery(snapshot)


def model(found: cf.Discovery, name: str) -> dict[str, Any]:
    rows = found.models[found.models["name"].eq(name)]
    assert len(rows) == 1, name
    return rows.iloc[0].to_dict()


def test_references_are_read_from_nodes_and_subgraphs_and_bad_entries_are_skipped() -> None:
    body = responses(TREE)
    body[template_route("image_zeta_t2i")] = {"nodes": [{"properties": {"models": [
        {"name": "ok.safetensors", "directory": "vae", "hash": "abc", "hash_type": "sha256"},
        {"name": 5, "directory": "vae"}, {"name": "x.safetensors"}, "junk", {"name": " ", "directory": "vae"}]}}]}  # fmt: skip
    body[CUSTOM_TEMPLATES] = {"pack-a": ["demo.json", 3], "pack-b": "not a list"}
    body[custom_template_route("pack-a", "demo.json")] = workflow(loader("VAELoader", ("vae", "pack_vae.safetensors")))
    refs = build_template_refs(cf.Snapshot(url="http://gpu:8188", responses=body))
    krea = refs[refs["template"].eq("image_krea9_t2i")]
    assert set(krea["name"]) == {"krea9_turbo.safetensors", "krea9_vae.safetensors", "qwen3vl_4b.safetensors",
                                 "krea9_style.safetensors", "4x_sharp.pth"}  # the subgraph's loaders too
    assert krea["families"].iloc[0] == ("Krea 9",) and krea["tags"].iloc[0] == ("Text to Image", "Image")
    assert set(krea["source"]) == {"official"} and krea["usage"].iloc[0] == 50
    zeta = refs[refs["template"].eq("image_zeta_t2i")]
    assert zeta[["folder", "name", "hash"]].values.tolist() == [["vae", "ok.safetensors", "sha256:abc"]]
    pack = refs[refs["source"].eq("pack-a")]
    assert pack[["template", "name"]].values.tolist() == [["demo.json", "pack_vae.safetensors"]]
    assert "api_cloud_t2i" not in set(refs["template"])
    assert build_template_refs(cf.Snapshot(url="http://gpu:8188", responses={})).empty


def test_a_deeply_nested_workflow_is_bounded() -> None:
    deep: Any = loader("VAELoader", ("vae", "deep.safetensors"))
    for _ in range(5000):
        deep = {"nodes": [deep]}
    body = responses(TREE)
    body[template_route("image_zeta_t2i")] = deep
    refs = build_template_refs(cf.Snapshot(url="http://gpu:8188", responses=body))
    assert "deep.safetensors" not in set(refs["name"])  # beyond MAX_DEPTH: not read, no RecursionError


def test_family_names_map_to_known_keys_or_normalise() -> None:
    keys = family_keys(["Wan2.2", "Wan 2.1", "FLUX.2 Klein", "Qwen-Image-Edit", "Stability", "FLUX", "Krea 2",
                        "ERNIE-Image", "Fibo 2.0", "Chroma"])  # fmt: skip
    assert keys == {"Wan2.2": "wan22", "Wan 2.1": "wan21", "FLUX.2 Klein": "flux2", "Qwen-Image-Edit": "qwen_image",
                    "Stability": "", "FLUX": "", "Krea 2": "krea_2", "ERNIE-Image": "ernie_image",
                    "Fibo 2.0": "fibo_2_0", "Chroma": "chroma"}  # fmt: skip


def test_files_the_templates_name_take_their_family_and_capabilities() -> None:
    found = server()
    gen = model(found, "krea9_turbo.safetensors")
    assert gen["family"] == "krea_9" and gen["source"] == "template"
    assert gen["capabilities"] == ("image_to_image", "text_to_image")  # both templates' tags
    lora = model(found, "krea9_style.safetensors")
    assert lora["family"] == "krea_9" and lora["applies_to"] == "krea_9"
    assert bool(lora["orphan"]) is False  # its generator is ready on the server
    assert model(found, "krea9_vae.safetensors")["family"] == "krea_9"  # a VAE only Krea 9 templates use
    assert model(found, "qwen3vl_4b.safetensors")["source"] != "template"  # shared by two families: none
    zeta = model(found, "zeta_image_v1.safetensors")
    assert zeta["family"] == "zeta_image" and zeta["capabilities"] == ("text_to_image",)  # the maker is skipped
    without = server(templates=False)
    assert model(without, "krea9_turbo.safetensors")["family"] == ""  # the rules alone do not know it


def test_explain_names_the_template() -> None:
    text = str(server().explain("diffusion_models", "krea9_turbo.safetensors"))
    assert "family krea_9 (from template" in text and "template: image_krea9_t2i" in text  # the most used one
    assert "DECIDES (template)" in text


def test_the_file_name_beats_a_template_named_after_what_it_does() -> None:
    tree = {**TREE, "diffusion_models": [*TREE["diffusion_models"], ("wan2.1_14B_scail_fp16.safetensors", 28.0)]}
    body = responses(tree)
    body[TEMPLATES_INDEX] = [{"templates": [*INDEX[0]["templates"], entry("video_scail", ["SCAIL-9"], ["Image to Video"])]}]
    body[template_route("video_scail")] = workflow(loader("UNETLoader", ("diffusion_models", "wan2.1_14B_scail_fp16.safetensors")))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)
        found = cf.Discovery(cf.Snapshot(url="http://gpu:8188", responses=body))
    scail = model(found, "wan2.1_14B_scail_fp16.safetensors")
    assert scail["family"] == "wan21" and scail["source"] == "name"
    assert scail["capabilities"] == ("text_to_video",)  # a known family keeps the rules' capabilities
    assert "loses" in str(found.explain("diffusion_models", "wan2.1_14B_scail_fp16.safetensors"))


def test_template_recipes_make_pipelines_of_new_families() -> None:
    pipes = server().pipelines.set_index("generator")
    krea = pipes.loc["krea9_turbo.safetensors"]
    assert bool(krea["ready"]) and krea["missing"] == ()
    assert set(krea["components"]) >= {"text_encoders/qwen3vl_4b.safetensors", "vae/krea9_vae.safetensors"}
    assert krea["vram_gb"] > 12 * GB / 2**30  # the generator's weights at least
    upscaler = pipes.loc["4x_sharp.pth"]  # runs alone: the template's other files are no recipe of its
    assert bool(upscaler["ready"]) and upscaler["missing"] == () and upscaler["components"] == ()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)  # no /system_stats: no memory limit
        best = server().best_for("text_to_image")
    assert {"krea9_turbo.safetensors", "zeta_image_v1.safetensors"} <= set(best["generator"])
    # without its VAE the template's recipe is incomplete: named, not ready
    short = {**TREE, "vae": [("zeta_vae.safetensors", 0.3)]}
    krea = server(short).pipelines.set_index("generator").loc["krea9_turbo.safetensors"]
    assert not bool(krea["ready"]) and krea["missing"] == ("vae:krea9_vae.safetensors",)


def test_size_does_not_undo_a_template_but_is_reported() -> None:
    tree = {**TREE, "checkpoints": [("tiny_base_v1.safetensors", 0.5)]}  # far below any SDXL checkpoint
    body = responses(tree)
    body[TEMPLATES_INDEX] = [{"templates": [*INDEX[0]["templates"], entry("sdxl_simple", ["SDXL", "Stability"], ["Text to Image"])]}]
    body[template_route("sdxl_simple")] = workflow(loader("CheckpointLoaderSimple", ("checkpoints", "tiny_base_v1.safetensors")))
    snapshot = cf.Snapshot(url="http://gpu:8188", responses=body)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = cf.Discovery(snapshot)
    tiny = model(found, "tiny_base_v1.safetensors")
    assert tiny["family"] == "sdxl" and tiny["source"] == "template"
    notes = [str(w.message) for w in caught if issubclass(w.category, cf.DegradedServerWarning)]
    assert any("tiny_base_v1.safetensors" in n and "far from that family" in n for n in notes)
    plain = {**tree}
    bare = cf.Discovery(cf.Snapshot(url="http://gpu:8188", responses=responses(plain, templates=False)), warn=False)
    assert model(bare, "tiny_base_v1.safetensors")["family"] == ""  # the rules alone do not know it


def test_hostile_names_stay_data() -> None:
    evil = "\x1b[31mred\x1b[0m<script>.safetensors"
    tree = {**TREE, "diffusion_models": [*TREE["diffusion_models"], (evil, 4.0)]}
    body = responses(tree)
    body[TEMPLATES_INDEX] = [{"templates": [entry("evil", ["\x1b]0;x\x07 Evil/../Family"], ["Text to Image"])]}]
    body[template_route("evil")] = workflow(loader("UNETLoader", ("diffusion_models", evil)))
    found = cf.Discovery(cf.Snapshot(url="http://gpu:8188", responses=body), warn=False)
    assert model(found, evil)["family"] == "0_x_evil_family"  # normalised: a-z, 0-9 and "_" only
    assert "\x1b" not in str(found.explain("diffusion_models", evil))


# --------------------------------------------------------------------------- the newest templates package

PACKAGE = "comfyui-workflow-templates-json==0.1.123"  # the JSON part of comfyui-workflow-templates 0.11.97


@pytest.fixture(scope="module")
def newest_templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cached = Path(os.environ.get("COMFYFRAME_TEMPLATES_DIR", tmp_path_factory.mktemp("templates")))
    folder = cached / "comfyui_workflow_templates_json" / "templates"
    if not (folder / "index.json").is_file():
        done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(cached),
                               PACKAGE], capture_output=True, text=True, timeout=600)  # fmt: skip
        if done.returncode != 0 or not (folder / "index.json").is_file():
            if os.environ.get("CI") == "true":
                pytest.fail(f"cannot install {PACKAGE}: {done.stderr[-500:]}")
            pytest.skip(f"{PACKAGE} cannot be installed here (no network to PyPI)")
    return folder


def test_newest_templates_give_official_files_a_family_and_ready_pipelines(newest_templates: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from bench_template_knowledge import FOLDERS, largest_object_info, load_package, measure, template_snapshot

    index, bodies = load_package(newest_templates)
    assert len(bodies) > 200
    found = cf.Discovery(template_snapshot(index, bodies, largest_object_info()), warn=False)
    result = measure(found, bodies)
    got = sum(result[f][0] for f in FOLDERS)
    total = sum(result[f][1] for f in FOLDERS)
    assert total > 200 and got / total >= 0.97, {f: result[f] for f in FOLDERS}
    ready, templates, not_ready = result["templates"]
    assert ready == templates, not_ready


def test_wav2vec2_is_not_cut_as_a_glued_v2v_token() -> None:
    """The official S2V audio encoder's name must reach the recipes whole (V2V is cut in upper case only)."""
    from comfyframe.inference._infer_normalize import normalize

    names = ["wav2vec2_large_english_fp16.safetensors", "wan22i2vfast", "modelWAN22V2VGGUF"]
    assert list(normalize(names)) == [" wav2vec2 large english fp16.safetensors ", " wan22 i2v fast ", " model wan22 v2v gguf "]


def test_a_size_far_from_a_new_familys_other_files_is_reported() -> None:
    sizes = [("krea9_a.safetensors", 12.0), ("krea9_b.safetensors", 11.0), ("krea9_c.safetensors", 13.0),
             ("krea9_broken.safetensors", 0.004)]  # fmt: skip
    tree = {**TREE, "diffusion_models": [*TREE["diffusion_models"], *sizes]}
    body = responses(tree)
    body[TEMPLATES_INDEX] = [{"templates": [*INDEX[0]["templates"], entry("krea9_more", ["Krea 9"], ["Text to Image"])]}]
    body[template_route("krea9_more")] = workflow(*(loader("UNETLoader", ("diffusion_models", n)) for n, _ in sizes))
    found = cf.Discovery(cf.Snapshot(url="http://gpu:8188", responses=body), warn=False)
    assert model(found, "krea9_broken.safetensors")["family"] == "krea_9"  # kept
    notes = [p for p in found.problems if "far from that family" in p]
    assert len(notes) == 1 and "krea9_broken.safetensors" in notes[0]


def test_a_bypassed_loader_is_an_alternative_not_a_required_part() -> None:
    bypassed = loader("UNETLoader", ("diffusion_models", "zeta_image_v1_small.safetensors"))
    muted_vae = loader("VAELoader", ("vae", "zeta_vae_alt.safetensors"))
    bypassed["mode"], muted_vae["mode"] = 4, 2
    body = responses(TREE)  # the tree has neither the small model nor the alternative VAE
    body[template_route("image_zeta_t2i")] = workflow(*OTHER["nodes"], bypassed, muted_vae)
    refs = build_template_refs(cf.Snapshot(url="http://gpu:8188", responses=body))
    flags = dict(zip(refs["name"], refs["active"]))
    assert flags["zeta_image_v1.safetensors"] and not flags["zeta_image_v1_small.safetensors"]
    assert not flags["zeta_vae_alt.safetensors"]
    found = cf.Discovery(cf.Snapshot(url="http://gpu:8188", responses=body), warn=False)
    zeta = found.pipelines.set_index("generator").loc["zeta_image_v1.safetensors"]
    assert bool(zeta["ready"]) and zeta["missing"] == ()
    # the alternative generator, installed, does not need the one that runs
    tree = {**TREE, "diffusion_models": [*TREE["diffusion_models"], ("zeta_image_v1_small.safetensors", 3.0)]}
    body.update({k: v for k, v in responses(tree).items() if k.startswith(("/models", "/experiment"))})
    found = cf.Discovery(cf.Snapshot(url="http://gpu:8188", responses=body), warn=False)
    small = found.pipelines.set_index("generator").loc["zeta_image_v1_small.safetensors"]
    assert small["family"] == "zeta_image" and bool(small["ready"])
    assert "vae/zeta_vae.safetensors" in small["components"]
    assert "diffusion_models/zeta_image_v1.safetensors" not in small["components"]  # it runs instead


def test_a_new_family_does_only_what_its_templates_say() -> None:
    tree = {**TREE, "checkpoints": [("posenet_wholebody_fp16.safetensors", 2.0)]}
    body = responses(tree)
    body[TEMPLATES_INDEX] = [{"templates": [*INDEX[0]["templates"], entry("utility_pose", ["PoseNet-OOD"], ["Pose Map", "ControlNet"])]}]
    body[template_route("utility_pose")] = workflow(loader("CheckpointLoaderSimple", ("checkpoints", "posenet_wholebody_fp16.safetensors")))
    found = cf.Discovery(cf.Snapshot(url="http://gpu:8188", responses=body), warn=False)
    pose = model(found, "posenet_wholebody_fp16.safetensors")
    assert pose["family"] == "posenet_ood" and pose["capabilities"] == ()  # not a text-to-image checkpoint
    bare = cf.Discovery(cf.Snapshot(url="http://gpu:8188", responses=responses(tree, templates=False)), warn=False)
    assert model(bare, "posenet_wholebody_fp16.safetensors")["capabilities"] == ("text_to_image",)  # a guess by kind


def test_a_tag_is_read_for_the_type_of_its_category() -> None:
    tree = {**TREE, "diffusion_models": [*TREE["diffusion_models"], ("vidpaint_v1.safetensors", 10.0)]}
    body = responses(tree)
    body[TEMPLATES_INDEX] = [*INDEX, {"type": "video", "templates": [entry("video_inpaint", ["VidPaint"], ["Inpainting", "Video"])]},
                             {"type": "image", "templates": [entry("image_inpaint", ["ImgPaint"], ["Inpainting"])]}]  # fmt: skip
    body[template_route("video_inpaint")] = workflow(loader("UNETLoader", ("diffusion_models", "vidpaint_v1.safetensors")))
    body[template_route("image_inpaint")] = workflow(loader("UNETLoader", ("diffusion_models", "zeta_image_v1.safetensors")))
    found = cf.Discovery(cf.Snapshot(url="http://gpu:8188", responses=body), warn=False)
    assert model(found, "vidpaint_v1.safetensors")["capabilities"] == ()  # video inpainting: not image to image
    assert "image_to_image" in model(found, "zeta_image_v1.safetensors")["capabilities"]
    refs = found.template_refs
    assert set(refs.loc[refs["template"].eq("video_inpaint"), "media"]) == {"video"}


def test_a_helper_model_beside_other_generators_takes_its_own_templates_family() -> None:
    depth = loader("UNETLoader", ("diffusion_models", "depthy_v1.safetensors"))
    tree = {**TREE, "diffusion_models": [*TREE["diffusion_models"], ("depthy_v1.safetensors", 2.0)]}
    body = responses(tree)
    body[TEMPLATES_INDEX] = [{"templates": [*INDEX[0]["templates"], entry("utility_depthy", ["Depthy"], ["Depth"], usage=1)]}]
    body[template_route("image_krea9_t2i")] = workflow(*KREA["nodes"], depth, subgraph=KREA["definitions"]["subgraphs"][0]["nodes"])
    body[template_route("image_krea9_edit")] = body[template_route("image_krea9_t2i")]
    body[template_route("image_zeta_t2i")] = workflow(*OTHER["nodes"], depth)
    body[template_route("utility_depthy")] = workflow(depth)
    found = cf.Discovery(cf.Snapshot(url="http://gpu:8188", responses=body), warn=False)
    assert model(found, "depthy_v1.safetensors")["family"] == "depthy"  # not krea_9, though named by more of its templates
    assert model(found, "krea9_turbo.safetensors")["family"] == "krea_9"


def test_tag_capabilities_read_the_shared_table() -> None:
    from comfyframe.inference._infer_templates import tag_capabilities

    assert tag_capabilities(("Text to Image", "Image Edit"), "image") == ("text_to_image", "image_to_image")
    assert tag_capabilities(("Inpainting", "Video"), "video") == ()
    assert tag_capabilities(("FLF2V",), "") == ("image_to_video",)
    assert tag_capabilities(("3D", "Image to 3D"), "3d") == ()
