"""Discovery against the real ComfyUI test servers, 0.3.75 and 0.8.0 (see conftest.py)."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import httpx
import pandas as pd
import pandas.testing as pdt
import pytest

import comfyframe as cf
from comfyframe.tables._nodes import dropdown_options, walk_inputs

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def found(comfyui) -> cf.Discovery:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        discovery = cf.discover(comfyui.url, progress=False)
    # Sparse test files without a safetensors header make the server answer 500 for their metadata;
    # that is reported as a degraded-server warning, never as an exception.
    assert all(issubclass(w.category, cf.DegradedServerWarning) for w in caught), [str(w.message) for w in caught]
    return discovery


def test_every_file_in_every_folder_with_its_true_size(comfyui, found: cf.Discovery) -> None:
    models = found.models.set_index(["folder", "name"])
    for f in comfyui.files:
        assert (f.folder, f.name) in models.index, f"{f.folder}/{f.name} missing"
        row = models.loc[(f.folder, f.name)]
        assert bool(row["listed"])
        if f.in_experiment_listing:
            assert row["size_bytes"] == f.size_bytes, f.name
            assert row["modified"].timestamp() == pytest.approx(1748736000)
        else:  # ComfyUI's size listing only covers its own extensions (.gguf, .onnx are absent)
            assert pd.isna(row["size_bytes"]), f.name
    custom = {"unet_gguf", "clip_gguf", "animatediff_models", "animatediff_motion_lora", "ipadapter", "insightface"}
    assert custom <= set(found.models["folder"])
    assert "custom_nodes" not in set(found.models["folder"])


def test_hardware_has_the_cpu_device(comfyui, found: cf.Discovery) -> None:
    hw = found.hardware
    assert len(hw) == 1
    row = hw.iloc[0]
    assert row["device_type"] == "cpu" and row["gpu_name"] == "CPU" and row["vendor"] == "CPU"
    assert row["vram_mode"] == "cpu" and not row["is_remote"]
    assert row["comfyui_version"] == comfyui.version
    assert row["ram_total_gb"] > 0 and row["budget_gb"] > 0


def test_edges_link_each_loader_to_exactly_the_files_it_offers(comfyui, found: cf.Discovery) -> None:
    info = httpx.get(comfyui.url + "/object_info", timeout=60).json()
    listed = set(found.models.loc[found.models["listed"], "name"])
    expected = set()
    for node, spec in info.items():
        for section, name, input_spec in walk_inputs(spec.get("input") or {}):  # V3 dynamic inputs nest dropdowns
            options = dropdown_options(input_spec)
            if options:
                expected |= {(node, name, section, o) for o in options[1] if o in listed}
    got = set(zip(found.edges["node"], found.edges["input"], found.edges["section"], found.edges["name"]))
    assert got >= expected
    # anything beyond the listed files is an unlisted model-like option, never a listed one
    assert all(name not in listed for *_, name in got - expected)
    assert {"list", "combo"} <= set(found.edges["format"])
    assert "optional" in set(found.edges["section"])
    # the video loader offers Flux too (a fact of the server, not a capability)
    wan = found.edges[found.edges["node"].eq("WanVideoModelLoader")]
    assert "flux1-schnell.safetensors" in set(wan["name"])
    assert not found.edges["name"].isin(["taesd", "pixel_space"]).any()


def test_metadata_is_read_from_the_server(found: cf.Discovery) -> None:
    models = found.models.set_index(["folder", "name"])
    row = models.loc[("loras", "my_style_v3.safetensors")]
    assert row["has_metadata"] and row["meta_base_model"] == "sdxl_base_v1-0"
    assert models.loc[("checkpoints", "mergedModel_v7.safetensors"), "meta_architecture"].startswith(
        "stable-diffusion-xl"
    )


def test_snapshot_round_trip_gives_identical_tables(comfyui, tmp_path: Path) -> None:
    snapshot = cf.capture(comfyui.url, progress=False)
    path = snapshot.save(tmp_path / "live.json.gz")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)
        live, offline = cf.Discovery(snapshot), cf.discover(snapshot=path)
    for table in ("hardware", "nodes", "edges", "models", "capabilities"):
        pdt.assert_frame_equal(getattr(live, table), getattr(offline, table))


def test_inference_matches_the_truth_of_the_tree(comfyui, found: cf.Discovery) -> None:
    models = found.models.set_index(["folder", "name"])
    wrong_kind, wrong_family, wrong_caps = [], [], []
    for f in comfyui.files:
        row = models.loc[(f.folder, f.name)]
        if row["kind"] != f.kind:
            wrong_kind.append((f.name, row["kind"], f.kind))
        if row["family"] != f.family:
            wrong_family.append((f.name, row["family"], f.family))
        if set(row["capabilities"]) != set(f.capabilities):
            wrong_caps.append((f.name, sorted(row["capabilities"]), sorted(f.capabilities)))
    assert wrong_kind == []
    assert len(wrong_family) <= len(comfyui.files) // 20, wrong_family
    assert len(wrong_caps) <= len(comfyui.files) // 20, wrong_caps


def test_video_loader_does_not_make_flux_a_video_model(found: cf.Discovery) -> None:
    flux = found.models[found.models["name"].eq("flux1-schnell.safetensors")].iloc[0]
    assert "WanVideoModelLoader" in flux["loader_nodes"]
    assert flux["family"] == "flux1"
    assert set(flux["capabilities"]) == {"text_to_image"}
    ranked = found.best_for("text_to_video", max_vram=1000)
    assert not ranked["family"].isin(["flux1", "flux2"]).any()
    # SD-family entries are AnimateDiff motion modules running inside an SD checkpoint
    sd = ranked[ranked["family"].isin(["sdxl", "sd15"])]
    assert len(sd) and sd["module"].str.startswith("animatediff_models/").all() and sd["generator"].ne("").all()


def test_high_and_low_noise_halves_rank_equal(found: cf.Discovery) -> None:
    models = found.models
    pair = models[models["name"].str.contains("wan2.2_i2v_(?:high|low)_noise", regex=True)]
    assert len(pair) == 2 and pair["quality"].nunique() == 1 and pair["vram_gb"].nunique() == 1


def test_cli_export_against_the_live_server(comfyui, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "comfyframe._cli", "export", comfyui.url, "--out", str(out), "--format", "csv", "-q"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    models = pd.read_csv(out / "models.csv", keep_default_na=False)
    for column in ("folder", "name", "kind", "family", "capabilities", "vram_gb", "quality"):
        assert column in models.columns
    assert set(zip(models["folder"], models["name"])) >= {(f.folder, f.name) for f in comfyui.files}
    caps = models.set_index("name").loc["wan2.2_ti2v_5B_fp16.safetensors", "capabilities"]
    assert caps == "image_to_video;text_to_video"
    for table in ("nodes", "edges", "hardware", "capabilities"):
        assert (out / f"{table}.csv").stat().st_size > 0


def test_cli_discover_and_best_against_the_live_server(comfyui) -> None:
    status = subprocess.run(
        [sys.executable, "-m", "comfyframe._cli", "discover", comfyui.url, "-q"],
        capture_output=True, text=True, timeout=300,
    )
    assert status.returncode == 0, status.stderr
    assert f"ComfyUI {comfyui.version}" in status.stdout and "CPU" in status.stdout
    best = subprocess.run(
        [sys.executable, "-m", "comfyframe._cli", "best", "upscale", comfyui.url, "-q", "--top", "3"],
        capture_output=True, text=True, timeout=300,
    )
    assert best.returncode == 0, best.stderr
    assert "RealESRGAN_x4plus.pth" in best.stdout or "4x-UltraSharp.pth" in best.stdout
