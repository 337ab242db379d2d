"""Issue 20 against real ComfyUI servers: broken files, the default budget, a fleet ranked as one."""

from __future__ import annotations

import struct
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from comfyui_server import ServerHandle, build_model_tree, ensure_comfyui, start_comfyui

import comfyframe as cf

pytestmark = pytest.mark.live

BROKEN = {
    "broken_download.safetensors": "empty file (0 bytes)",
    "truncated_sdxl.safetensors": "unreadable safetensors header",
}


@pytest.fixture(scope="module")
def damaged(comfyui, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    """A second server of the same version with the usual tree plus an empty and a truncated checkpoint,
    started with --reserve-vram 1."""
    python, comfy_dir = ensure_comfyui(comfyui.version)
    base = tmp_path_factory.mktemp(f"damaged-{comfyui.version}")
    build_model_tree(base)
    checkpoints = base / "models" / "checkpoints"
    (checkpoints / "broken_download.safetensors").write_bytes(b"")
    # a download cut short: the header says 4000 bytes of JSON, 60 arrived
    (checkpoints / "truncated_sdxl.safetensors").write_bytes(struct.pack("<Q", 4000) + b'{"__metadata__":{"a":"b"}' * 2)
    handle = start_comfyui(base, extra_args=["--reserve-vram", "1"], python=python, comfy_dir=comfy_dir)
    try:
        yield handle
    finally:
        handle.stop()


def quiet_discover(urls: str | list[str]) -> cf.Discovery:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)
        return cf.discover(urls, progress=False)


def test_broken_files_are_named_and_never_ranked(damaged: ServerHandle) -> None:
    found = quiet_discover(damaged.url)
    models = found.models.set_index("name")
    for name, reason in BROKEN.items():
        assert reason in models.loc[name, "broken"], name
        assert models.loc[name, "capabilities"] == ()
    assert models["broken"].ne("").sum() == len(BROKEN)  # the healthy files of the folder are not
    for capability in ("text_to_image", "image_to_image"):
        for prefer in ("quality", "speed"):
            ranked = found.best_for(capability, prefer=prefer, ready=False, max_vram=1e9)
            assert not ranked["generator"].isin(list(BROKEN)).any()
    parts = {c for cell in found.pipelines["components"] for c in cell}
    assert not any(p.rsplit("/", 1)[-1] in BROKEN for p in parts)
    assert "2 broken files (never ranked)" in found.status()


def test_default_budget_is_total_memory_and_named(damaged: ServerHandle) -> None:
    found = quiet_discover(damaged.url)
    hw = found.hardware.iloc[0]
    assert hw["reserve_vram_gb"] == 1.0
    # a --cpu server: RAM less the OS's share, whatever happens to be free
    total = hw["ram_total_gb"]
    assert hw["budget_gb"] == pytest.approx(total - max(2.0, total / 10), abs=0.01)
    first = found.best_for("text_to_image")
    assert first.attrs["budget"].startswith(f"{hw['budget_gb']:.1f} GiB (device 0: total RAM")
    again = quiet_discover(damaged.url).best_for("text_to_image")  # free memory moved; the answer did not
    assert again["generator"].tolist() == first["generator"].tolist()
    free = found.best_for("text_to_image", budget="free")
    assert free["budget_gb"].eq(hw["budget_free_gb"]).all()


def test_a_fleet_is_ranked_as_one_with_a_server_column(comfyui, damaged: ServerHandle) -> None:
    found = quiet_discover([comfyui.url, damaged.url])
    ranked = found.best_for("text_to_image", max_vram=1e9)
    assert set(ranked["server"]) == {comfyui.url, damaged.url}
    cli = [sys.executable, "-c", "import sys; from comfyframe._cli import main; sys.exit(main())"]
    done = subprocess.run([*cli, "best", "text_to_image", comfyui.url, damaged.url, "-q", "--top", "50"],
                          capture_output=True, text=True, timeout=300, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:2] == ["server", "rank"]
    assert any(comfyui.url in line for line in lines) and any(damaged.url in line for line in lines)
    assert any(line.startswith("budget: ") and damaged.url in line for line in lines)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    cli = [sys.executable, "-c", "import sys; from comfyframe._cli import main; sys.exit(main())"]
    return subprocess.run([*cli, *args], capture_output=True, text=True, timeout=300, cwd=Path(__file__).parent.parent)


def test_an_unreadable_header_is_warned_once_by_name_at_the_callers_line(damaged: ServerHandle) -> None:
    with pytest.warns(cf.DegradedServerWarning) as caught:
        cf.discover(damaged.url, progress=False)
    metadata = [w for w in caught if "safetensors metadata" in str(w.message)]
    assert len(metadata) == 1 and "checkpoints/truncated_sdxl.safetensors" in str(metadata[0].message)
    assert metadata[0].filename == __file__
    done = run_cli("discover", damaged.url, "-q")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("checkpoints/truncated_sdxl.safetensors") == 1  # once, on stderr only
    assert "warning:" not in done.stdout and "2 broken files (never ranked)" in done.stdout


def test_nothing_fits_names_the_remedy_and_the_budget_is_named(damaged: ServerHandle) -> None:
    done = run_cli("best", "text_to_video", damaged.url, "-q", "--max-vram", "0.5")
    assert done.returncode == 1
    assert "the weights alone are over it" in done.stderr and "--width" not in done.stderr
    free = run_cli("best", "text_to_image", damaged.url, "-q", "--budget", "free", "--top", "2")
    assert free.returncode == 0, free.stderr
    assert any(line.startswith("budget: ") and "budget='free'" in line for line in free.stdout.splitlines())
    assert "job" in free.stdout.splitlines()[0].split()
