"""What the real ComfyUI 0.3.75 test server answers, checked with plain httpx.

These tests document the server's behaviour the rest of the suite relies on;
they do not use comfyframe.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from comfyui_server import CUSTOM_FOLDERS, CUSTOM_LOADERS, TREE_MTIME

if TYPE_CHECKING:
    from conftest import LiveComfyUI

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def http(comfyui: LiveComfyUI) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=comfyui.url, timeout=60, trust_env=False) as client:
        yield client


@pytest.fixture(scope="module")
def object_info(http: httpx.Client) -> dict[str, Any]:
    response = http.get("/object_info")
    response.raise_for_status()
    return response.json()


def _folders(comfyui: LiveComfyUI) -> list[str]:
    return sorted({f.folder for f in comfyui.files})


def _dropdown(spec: list[Any]) -> tuple[str, list[Any]] | None:
    """(format, options) of an input spec, or None when it is not a dropdown."""
    if spec and isinstance(spec[0], list):
        return "list", spec[0]
    if spec and spec[0] == "COMBO" and len(spec) > 1 and isinstance(spec[1], dict):
        return "combo", list(spec[1].get("options", []))
    return None


def _model_dropdowns(object_info: dict[str, Any], names: set[str]) -> list[tuple[str, str, str, str, list[Any]]]:
    """(node, section, input, format, options) for every dropdown offering a tree file."""
    found = []
    for node, info in object_info.items():
        for section in ("required", "optional"):
            for key, spec in (info["input"].get(section) or {}).items():
                dropdown = _dropdown(spec)
                if dropdown and names & {o for o in dropdown[1] if isinstance(o, str)}:
                    found.append((node, section, key, dropdown[0], dropdown[1]))
    return found


def test_server_is_a_cpu_comfyui_of_the_requested_version(comfyui: LiveComfyUI, http: httpx.Client) -> None:
    stats = http.get("/system_stats").json()
    assert stats["system"]["comfyui_version"] == comfyui.version
    assert [d["type"] for d in stats["devices"]] == ["cpu"]
    assert comfyui.startup_seconds < 240


def test_every_file_is_listed_in_its_folder(comfyui: LiveComfyUI, http: httpx.Client) -> None:
    for folder in _folders(comfyui):
        listed = set(http.get(f"/models/{folder}").json())
        missing = {f.name for f in comfyui.files_in(folder)} - listed
        assert not missing, f"/models/{folder} lacks {sorted(missing)}"


def test_names_use_os_separators(comfyui: LiveComfyUI, http: httpx.Client) -> None:
    listed = http.get("/models/loras").json()
    assert os.path.join("SDXL", "lcm", "pytorch_lora_weights.safetensors") in listed


def test_custom_folders_appear_in_models(http: httpx.Client) -> None:
    folders = http.get("/models").json()
    assert set(CUSTOM_FOLDERS) <= set(folders)
    # ComfyUI also lists non-model keys; consumers must drop them themselves.
    assert {"configs", "custom_nodes", "diffusers", "classifiers"} <= set(folders)


def test_api_prefix_mirrors_routes(http: httpx.Client) -> None:
    assert http.get("/api/models").json() == http.get("/models").json()
    assert http.get("/api/models/loras").json() == http.get("/models/loras").json()


def test_gguf_files_only_under_gguf_keys(comfyui: LiveComfyUI, http: httpx.Client) -> None:
    ggufs = [f for f in comfyui.files if f.ext == ".gguf"]
    assert {f.folder for f in ggufs} == {"unet_gguf", "clip_gguf"}
    diffusion = set(http.get("/models/diffusion_models").json())
    text_encoders = set(http.get("/models/text_encoders").json())
    assert not {f.name for f in ggufs} & (diffusion | text_encoders)


def test_experiment_models_reports_exact_sizes(comfyui: LiveComfyUI, http: httpx.Client) -> None:
    for folder in _folders(comfyui):
        entries = http.get(f"/experiment/models/{folder}").json()
        by_name = {e["name"]: e for e in entries}
        for f in comfyui.files_in(folder):
            if not f.in_experiment_listing:
                assert f.name not in by_name, f"{folder}/{f.name} unexpectedly in /experiment/models"
                continue
            entry = by_name.get(f.name)
            assert entry is not None, f"/experiment/models/{folder} lacks {f.name}"
            assert entry["size"] == f.size_bytes, f.name
            assert entry["modified"] == TREE_MTIME


def test_experiment_models_of_gguf_key_lists_safetensors(comfyui: LiveComfyUI, http: httpx.Client) -> None:
    """unet_gguf shares diffusion_models' dirs; /experiment filters on supported_pt_extensions."""
    names = {e["name"] for e in http.get("/experiment/models/unet_gguf").json()}
    assert names == {f.name for f in comfyui.files_in("diffusion_models")}


def test_path_index_points_into_the_folder_list(comfyui: LiveComfyUI, http: httpx.Client) -> None:
    folders = {e["name"]: e["folders"] for e in http.get("/experiment/models").json()}
    entries = {e["name"]: e for e in http.get("/experiment/models/animatediff_models").json()}
    pack_model = entries["mm_sd_v15_v2.ckpt"]
    assert folders["animatediff_models"][pack_model["pathIndex"]].endswith(
        os.path.join("ComfyUI-AnimateDiff-Evolved", "models")
    )
    fill = {e["name"]: e for e in http.get("/experiment/models/diffusion_models").json()}
    assert folders["diffusion_models"][fill[os.path.join("FLUX1", "flux1-fill-dev.safetensors")]["pathIndex"]].endswith(
        os.path.join("models", "unet")
    )


def test_view_metadata(comfyui: LiveComfyUI, http: httpx.Client) -> None:
    for f in comfyui.files:
        response = http.get(f"/view_metadata/{f.folder}", params={"filename": f.name})
        if f.ext == ".safetensors" and f.metadata:
            assert response.status_code == 200, f.name
            assert response.json() == f.metadata
        else:
            assert response.status_code == 404, f.name


def test_embeddings_route_drops_extensions(comfyui: LiveComfyUI, http: httpx.Client) -> None:
    expected = {os.path.splitext(f.name)[0] for f in comfyui.files_in("embeddings")}
    assert set(http.get("/embeddings").json()) == expected


def test_custom_loader_nodes_exist(object_info: dict[str, Any]) -> None:
    for node, outputs in CUSTOM_LOADERS.items():
        assert node in object_info, node
        assert tuple(object_info[node]["output"]) == outputs, node
    assert object_info["ADE_LoadAnimateDiffModel"]["output_name"] == ["MOTION_MODEL"]
    assert object_info["UnetLoaderGGUF"]["python_module"] == "custom_nodes.ComfyUI-GGUF"


def test_video_loader_offers_every_diffusion_and_gguf_file(comfyui: LiveComfyUI, object_info: dict[str, Any]) -> None:
    options = object_info["WanVideoModelLoader"]["input"]["required"]["model"][0]
    expected = {f.name for f in comfyui.files if f.folder in ("diffusion_models", "unet_gguf")}
    assert set(options) == expected
    assert "flux1-schnell.safetensors" in options  # an image model offered by a video loader


def test_both_dropdown_formats_in_required_and_optional(comfyui: LiveComfyUI, object_info: dict[str, Any]) -> None:
    names = {f.name for f in comfyui.files}
    seen = {(fmt, section) for _, section, _, fmt, _ in _model_dropdowns(object_info, names)}
    assert seen == {("list", "required"), ("list", "optional"), ("combo", "required"), ("combo", "optional")}


def test_known_dropdown_formats(comfyui: LiveComfyUI, object_info: dict[str, Any]) -> None:
    names = {f.name for f in comfyui.files}
    formats = {(node, key): (section, fmt) for node, section, key, fmt, _ in _model_dropdowns(object_info, names)}
    assert formats[("CheckpointLoaderSimple", "ckpt_name")] == ("required", "list")
    assert formats[("UpscaleModelLoader", "model_name")] == ("required", "combo")  # V3 core node
    assert formats[("TripleCLIPLoader", "clip_name1")] == ("required", "combo")
    assert formats[("LTX2LoraLoaderAdvanced", "lora_name")] == ("required", "combo")  # V3 in a V1 mapping
    assert formats[("ComfyframeProbeLoaderV3", "vae_name")] == ("optional", "combo")  # comfy_entrypoint
    assert formats[("WanVideoLoraSelect", "lora")] == ("optional", "list")


def test_vae_loader_mixes_virtual_entries(object_info: dict[str, Any]) -> None:
    """VAELoader offers vae_approx files and names that are not files at all."""
    options = object_info["VAELoader"]["input"]["required"]["vae_name"][0]
    assert {"taesd", "pixel_space", "lighttaew2_1.safetensors"} <= set(options)


def test_custom_nodes_key_lists_pack_files(http: httpx.Client) -> None:
    """/models/custom_nodes has no extension filter: source files and stray models show up."""
    listed = http.get("/models/custom_nodes").json()
    assert os.path.join("ComfyUI-GGUF", "__init__.py") in listed
    assert os.path.join("ComfyUI-AnimateDiff-Evolved", "models", "mm_sd_v15_v2.ckpt") in listed
