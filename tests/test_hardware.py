"""The hardware table from the real-world /system_stats bodies in the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import comfyframe as cf
from comfyframe._hardware import build_hardware, is_remote_url, parse_argv


def hardware_of(body: dict, url: str = "http://127.0.0.1:8188") -> pd.DataFrame:
    return build_hardware(cf.Snapshot(url=url, responses={"/system_stats": body}))


def stats_files(corpus_dir: Path) -> list[Path]:
    files = sorted((corpus_dir / "system_stats").glob("*.json"))
    assert len(files) >= 19
    return files


def test_every_corpus_body_loads(corpus_dir: Path) -> None:
    for path in stats_files(corpus_dir):
        body = json.loads(path.read_text())
        frame = hardware_of(body)
        assert len(frame) == len(body["devices"]) >= 1, path.name
        assert list(frame.columns) == cf.HARDWARE.names
        assert frame["gpu_name"].notna().all() and frame["gpu_name"].ne("").all(), path.name
        assert (frame["vram_total_gb"] > 0).all(), path.name
        assert frame["vendor"].ne("unknown").all(), (path.name, frame["device"].tolist())
        assert frame["budget_gb"].notna().all(), path.name


@pytest.mark.parametrize(
    ("file", "gpu", "vendor"),
    [
        ("report__rtx4090_nt_v0.2.2-77.json", "NVIDIA GeForce RTX 4090", "NVIDIA"),
        ("report__amd_zluda_nt_v0.3.39.json", "AMD Radeon RX 9070 XT [ZLUDA]", "AMD"),
        ("report__xpu_intel_arc_posix_v0.3.47.json", "Intel(R) Arc(TM) Graphics", "Intel"),
        ("report__mps_posix_v0.3.48.json", "Apple Silicon GPU (MPS)", "Apple"),
        ("captured__cpu_posix_v0.3.75.json", "CPU", "CPU"),
    ],
)
def test_gpu_names_and_vendors(corpus_dir: Path, file: str, gpu: str, vendor: str) -> None:
    frame = hardware_of(json.loads((corpus_dir / "system_stats" / file).read_text()))
    assert frame.loc[0, "gpu_name"] == gpu
    assert frame.loc[0, "vendor"] == vendor


def test_reserve_vram_and_cpu_flags(corpus_dir: Path) -> None:
    zluda = hardware_of(json.loads((corpus_dir / "system_stats" / "report__amd_zluda_nt_v0.3.39.json").read_text()))
    assert zluda.loc[0, "reserve_vram_gb"] == pytest.approx(0.9)
    assert zluda.loc[0, "budget_gb"] == pytest.approx(zluda.loc[0, "vram_free_gb"] - 0.9, abs=0.01)
    cpu = hardware_of(json.loads((corpus_dir / "system_stats" / "captured__cpu_posix_v0.3.75.json").read_text()))
    assert cpu.loc[0, "vram_mode"] == "cpu"
    assert cpu.loc[0, "budget_gb"] == pytest.approx(cpu.loc[0, "ram_free_gb"])


@pytest.mark.parametrize(
    ("argv", "mode", "reserve"),
    [
        (["main.py", "--lowvram"], "lowvram", 0.0),
        (["main.py", "--novram", "--reserve-vram=2"], "novram", 2.0),
        (["main.py", "--highvram"], "highvram", 0.0),
        (["main.py", "--gpu-only", "--reserve-vram", "1.5"], "gpu_only", 1.5),
        (["main.py", "--cpu", "--lowvram"], "cpu", 0.0),
        (["main.py", "--reserve-vram", "oops"], "normal", 0.0),
    ],
)
def test_parse_argv(argv: list[str], mode: str, reserve: float) -> None:
    assert parse_argv(argv) == (mode, reserve)


def test_lowvram_budget_spills_to_ram() -> None:
    body = {
        "system": {"os": "nt", "ram_total": 64 << 30, "ram_free": 32 << 30, "argv": ["main.py", "--lowvram"]},
        "devices": [{"name": "cuda:0 NVIDIA GeForce RTX 3060 : native", "type": "cuda",
                     "vram_total": 12 << 30, "vram_free": 10 << 30}],
    }
    frame = hardware_of(body)
    assert frame.loc[0, "budget_gb"] == pytest.approx(10 + 16)


def test_several_devices_become_several_rows() -> None:
    body = {"system": {"os": "linux", "argv": []},
            "devices": [{"name": f"cuda:{i} NVIDIA A100-SXM4-80GB : cudaMallocAsync", "type": "cuda",
                         "index": i, "vram_total": 80 << 30, "vram_free": (70 - i) << 30} for i in range(3)]}
    frame = hardware_of(body, "http://10.1.2.3:8188")
    assert frame["device_index"].tolist() == [0, 1, 2]
    assert frame["gpu_name"].eq("NVIDIA A100-SXM4-80GB").all()
    assert frame["is_remote"].all()


@pytest.mark.parametrize(
    ("url", "remote"),
    [
        ("http://localhost:8188", False),
        ("http://127.0.0.1:8188", False),
        ("http://127.8.9.10:8188", False),
        ("http://[::1]:8188", False),
        ("http://0.0.0.0:8188", False),
        ("http://localhost.evil.com:8188", True),
        ("http://127.0.0.1.nip.io:8188", True),
        ("http://192.168.1.20:8188", True),
        ("https://comfy.example.com", True),
    ],
)
def test_is_remote_is_a_real_host_check(url: str, remote: bool) -> None:
    assert is_remote_url(url) is remote
