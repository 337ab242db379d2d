"""Usage, unused models, duplicates, diff and refresh against the real ComfyUI test server(s)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pandas.testing as pdt
import pytest
from comfyui_server import TREE_MTIME

import comfyframe as cf

pytestmark = pytest.mark.live

CKPT = "sd_xl_base_1.0.safetensors"
LORA = os.path.join("SD1.5", "add_detail.safetensors")
GGUF = "qwen-image-Q4_K_M.gguf"


def _post_prompt(url: str, graph: dict[str, Any]) -> str:
    request = urllib.request.Request(
        url + "/prompt", data=json.dumps({"prompt": graph}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback test server)
        return str(json.load(response)["prompt_id"])


def _wait_for_history(url: str, prompt_ids: list[str], timeout: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        with urllib.request.urlopen(url + "/history", timeout=30) as response:  # noqa: S310
            history = json.load(response)
        if all(p in history for p in prompt_ids) or time.monotonic() > deadline:
            return history
        time.sleep(0.5)


def _workflow(ckpt: str, lora: str, gguf: str) -> dict[str, Any]:
    """A small prompt: checkpoint -> empty latent -> VAE decode -> save, plus a LoRA and a GGUF loader.

    The sparse test weights make it fail when it runs; it still lands in /history, with status "error".
    """
    return {
        "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": ckpt}},
        "2": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
        "3": {"class_type": "VAEDecode", "inputs": {"samples": ["2", 0], "vae": ["1", 2]}},
        "4": {"class_type": "SaveImage", "inputs": {"images": ["3", 0], "filename_prefix": "cf"}},
        "5": {"class_type": "LoraLoader", "inputs": {"model": ["1", 0], "clip": ["1", 1], "lora_name": lora,
                                                     "strength_model": 1.0, "strength_clip": 1.0}},
        "6": {"class_type": "UnetLoaderGGUF", "inputs": {"unet_name": gguf}},
    }


def _discover(url: str, **kwargs: Any) -> cf.Discovery:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)
        return cf.discover(url, progress=False, **kwargs)


@pytest.fixture(scope="module")
def used(comfyui) -> tuple[cf.Discovery, list[str]]:
    """The server after two prompts ran (and failed on the sparse weights)."""
    ids = [_post_prompt(comfyui.url, _workflow(CKPT, LORA, GGUF)) for _ in range(2)]
    history = _wait_for_history(comfyui.url, ids)
    assert all(p in history for p in ids), "prompts did not reach /history"
    return _discover(comfyui.url), ids


def test_queued_prompts_show_up_as_usage(comfyui, used: tuple[cf.Discovery, list[str]]) -> None:
    found, ids = used
    usage = found.usage
    mine = usage[usage["prompt_id"].isin(ids)]
    assert set(zip(mine["node"], mine["input"], mine["folder"], mine["name"])) == {
        ("CheckpointLoaderSimple", "ckpt_name", "checkpoints", CKPT),
        ("LoraLoader", "lora_name", "loras", LORA),
        ("UnetLoaderGGUF", "unet_name", "unet_gguf", GGUF),
    }
    assert set(mine["status"]) == {"error"}  # failed prompts count: they were attempts to use the file
    assert mine["time"].notna().all()
    models = found.models.set_index(["folder", "name"])
    assert models.loc[("checkpoints", CKPT), "use_count"] >= 2
    assert models.loc[("checkpoints", CKPT), "last_used"] == mine["time"].max()
    assert models.loc[("loras", "my_style_v3.safetensors"), "use_count"] == 0
    assert pd.isna(models.loc[("loras", "my_style_v3.safetensors"), "last_used"])


def test_unused_lists_everything_but_the_used_files(comfyui, used: tuple[cf.Discovery, list[str]]) -> None:
    found, _ = used
    unused = found.unused()
    pairs = set(zip(unused["folder"], unused["name"]))
    assert ("checkpoints", CKPT) not in pairs and ("loras", LORA) not in pairs
    assert ("loras", "my_style_v3.safetensors") in pairs
    by_folder = found.reclaimable().set_index("folder")
    truth = sum(f.size_bytes for f in comfyui.files_in("checkpoints") if f.name != CKPT)
    assert by_folder.loc["checkpoints", "size_bytes"] == truth


def test_usage_survives_a_saved_snapshot_and_a_refresh(used: tuple[cf.Discovery, list[str]], tmp_path: Path) -> None:
    found, ids = used
    path = found.save(tmp_path / "before.json.gz")
    offline = cf.discover(snapshot=path)
    pdt.assert_frame_equal(offline.usage, found.usage)
    # A server that forgot its history (restart, 10,000-prompt bound) keeps the old prompts on refresh.
    forgotten = cf.Snapshot.load(path)
    forgotten.responses["/history"] = {}
    pooled = cf.Discovery([found.snapshot, forgotten])
    assert set(ids) <= set(pooled.usage["prompt_id"])
    assert pooled.snapshot.carried["/history"] == found.snapshot.taken_at


def test_cli_unused_against_the_live_server(comfyui, used: tuple[cf.Discovery, list[str]]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "comfyframe._cli", "unused", comfyui.url, "-q"], capture_output=True, text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "my_style_v3.safetensors" in done.stdout and "checkpoints" in done.stdout
    assert CKPT not in done.stdout


def test_a_copied_file_is_grouped_as_a_duplicate(comfyui) -> None:
    source = next(f for f in comfyui.files_in("loras") if f.name == LORA)
    copy = comfyui.base_dir / "models" / "loras" / "add_detail_copy.safetensors"
    shutil.copyfile(comfyui.base_dir / source.location, copy)
    try:
        found = _discover(comfyui.url)
    finally:
        copy.unlink()
    dupes = found.duplicates
    group = dupes[dupes["name"].isin([LORA, "add_detail_copy.safetensors"])]
    assert len(group) == 2 and group["group"].nunique() == 1
    assert set(group["reason"]) == {"same size and safetensors metadata"}
    assert found.reclaimable_duplicates()["size_bytes"].sum() >= source.size_bytes


def test_a_file_added_and_removed_shows_in_diff(comfyui, tmp_path: Path) -> None:
    before = cf.capture(comfyui.url, progress=False)
    added = comfyui.base_dir / "models" / "vae" / "added_between_snapshots.safetensors"
    shutil.copyfile(comfyui.base_dir / "models" / "vae" / "sdxl_vae.safetensors", added)
    try:
        after = cf.capture(comfyui.url, progress=False)
    finally:
        added.unlink()
    restored = cf.capture(comfyui.url, progress=False)
    change = cf.diff(before, after)
    models = change[change["table"].eq("models") & change["field"].isna()]
    assert set(zip(models["change"], models["folder"], models["name"])) == {
        ("added", "vae", "added_between_snapshots.safetensors")
    }
    gone = cf.diff(after, restored)
    assert ("removed", "added_between_snapshots.safetensors") in set(zip(gone["change"], gone["name"]))
    before.save(tmp_path / "a.json.gz")
    after.save(tmp_path / "b.json.gz")
    done = subprocess.run(
        [sys.executable, "-m", "comfyframe._cli", "diff", str(tmp_path / "a.json.gz"), str(tmp_path / "b.json.gz"),
         "--format", "csv"], capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = pd.read_csv(io.StringIO(done.stdout))
    added = rows[rows["change"].eq("added") & rows["table"].eq("models")]
    assert list(added["name"]) == ["added_between_snapshots.safetensors"] and added["field"].isna().all()


def test_refresh_reads_only_changed_files_and_equals_a_full_discovery(comfyui, tmp_path: Path) -> None:
    first = cf.capture(comfyui.url, progress=False)
    path = first.save(tmp_path / "first.json.gz")
    refreshed = cf.capture(comfyui.url, progress=False, previous=path)
    metadata_keys = {k for k in first.responses if k.startswith("/view_metadata/")}
    assert metadata_keys and set(refreshed.carried) >= metadata_keys  # nothing changed: every answer carried
    # A re-dated file is read again; the others are still carried.
    touched = next(f for f in comfyui.files_in("loras") if f.name == LORA)
    path_on_disk = comfyui.base_dir / touched.location
    os.utime(path_on_disk, (TREE_MTIME + 60, TREE_MTIME + 60))
    try:
        again = cf.capture(comfyui.url, progress=False, previous=first)
    finally:
        os.utime(path_on_disk, (TREE_MTIME, TREE_MTIME))
    key = f"/view_metadata/loras?filename={LORA}"
    assert key in again.responses and key not in again.carried
    assert set(again.carried) >= metadata_keys - {key}
    full = cf.capture(comfyui.url, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)
        a, b = cf.Discovery(refreshed), cf.Discovery(full)
    for table in ("nodes", "edges", "models"):
        pdt.assert_frame_equal(getattr(a, table), getattr(b, table))
    # budget_gb is total memory less the reserve: it does not move with what happens to be free
    volatile = ["vram_free_gb", "ram_free_gb", "torch_vram_free_gb", "torch_vram_total_gb", "budget_free_gb"]
    pdt.assert_frame_equal(a.hardware.drop(columns=volatile), b.hardware.drop(columns=volatile))


def test_v3_dynamic_inputs_are_searched_for_model_dropdowns(comfyui) -> None:
    """0.8+ nests dropdowns in DynamicCombo options and Autogrow templates; older servers have neither."""
    found = _discover(comfyui.url)
    probe = found.edges[found.edges["node"].eq("ComfyframeProbeDynamicV3")]
    if comfyui.version == "0.3.75":
        assert probe.empty and "ComfyframeProbeDynamicV3" not in set(found.nodes["node"])
        return
    offered = {(i, f) for i, f in zip(probe["input"], probe["folder"])}
    assert offered == {("source.ckpt_name", "checkpoints"), ("source.lora_name", "loras"), ("vaes.vae*", "vae")}
    assert set(probe.loc[probe["input"].eq("source.ckpt_name"), "name"]) == {f.name for f in comfyui.files_in("checkpoints")}
    graph = _workflow(CKPT, LORA, GGUF)
    graph["7"] = {"class_type": "ComfyframeProbeDynamicV3",
                  "inputs": {"source": "checkpoint", "source.ckpt_name": "svd_xt.safetensors",
                             "vaes.vae0": "sdxl_vae.safetensors"}}  # fmt: skip
    prompt_id = _post_prompt(comfyui.url, graph)
    assert prompt_id in _wait_for_history(comfyui.url, [prompt_id])
    usage = _discover(comfyui.url).usage
    mine = usage[usage["prompt_id"].eq(prompt_id) & usage["node"].eq("ComfyframeProbeDynamicV3")]
    assert set(zip(mine["input"], mine["name"])) == {("source.ckpt_name", "svd_xt.safetensors"),
                                                     ("vaes.vae0", "sdxl_vae.safetensors")}  # fmt: skip


def test_cli_snapshot_with_previous_carries_unchanged_metadata(comfyui, tmp_path: Path) -> None:
    first, second = tmp_path / "first.json.gz", tmp_path / "second.json.gz"
    for args in (["-o", str(first)], ["-o", str(second), "--previous", str(first)]):
        done = subprocess.run([sys.executable, "-m", "comfyframe._cli", "snapshot", comfyui.url, "-q", *args],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    old, new = cf.Snapshot.load(first), cf.Snapshot.load(second)
    carried = {k for k in new.carried if k.startswith("/view_metadata/")}
    assert carried == {k for k in old.responses if k.startswith("/view_metadata/")}
    assert {new.carried[k] for k in carried} == {old.taken_at}  # (template files carry their cache's name)
