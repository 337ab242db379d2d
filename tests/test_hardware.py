"""The hardware table from the real-world /system_stats bodies in the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import comfyframe as cf
from comfyframe.tables._hardware import build_hardware, is_remote_url, parse_argv


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
    # the default budget is what the server can run: total memory less --reserve-vram (ComfyUI unloads for a job)
    assert zluda.loc[0, "budget_gb"] == pytest.approx(zluda.loc[0, "vram_total_gb"] - 0.9, abs=0.01)
    assert "less --reserve-vram 0.9 GiB" in zluda.loc[0, "budget_basis"]
    assert zluda.loc[0, "budget_free_gb"] == pytest.approx(zluda.loc[0, "vram_free_gb"] - 0.9, abs=0.01)
    cpu = hardware_of(json.loads((corpus_dir / "system_stats" / "captured__cpu_posix_v0.3.75.json").read_text()))
    assert cpu.loc[0, "vram_mode"] == "cpu"
    total = cpu.loc[0, "ram_total_gb"]
    assert cpu.loc[0, "budget_gb"] == pytest.approx(total - max(2.0, total / 10), abs=0.01)  # less the OS's share
    assert "for the OS and ComfyUI" in cpu.loc[0, "budget_basis"]
    assert cpu.loc[0, "budget_free_gb"] == pytest.approx(cpu.loc[0, "ram_free_gb"])


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
    # total VRAM less ComfyUI's default reserve (600 MiB on Windows), plus half the RAM left after the OS
    assert frame.loc[0, "budget_gb"] == pytest.approx(12 - 600 / 1024 + (64 - 6.4) / 2, abs=0.01)
    assert frame.loc[0, "budget_free_gb"] == pytest.approx(10 - 600 / 1024 + 16, abs=0.01)


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


GPU = {"name": "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync", "type": "cuda", "index": 0}


@pytest.mark.parametrize(
    ("total", "free", "expect_total", "expect_free"),
    [
        (-5 << 30, 1 << 30, None, None),                 # negative total: the free figure is not trusted either
        (10 * 10**15, 8 << 30, None, None),              # 10 PB
        (24 << 30, 30 << 30, 24.0, None),                # more free than total
        (24 << 30, -1, 24.0, None),                      # negative free
        (24 << 30, float("nan"), 24.0, None),
        (24 << 30, float("inf"), 24.0, None),
        ("24", 1 << 30, None, None),                     # not a number
        (True, 0, None, None),
        (16 << 40, 16 << 40, 16384.0, 16384.0),          # the bound itself is accepted
        ((16 << 40) + 1, 1 << 30, None, None),
        (24 << 30, 20 << 30, 24.0, 20.0),
    ],
)
def test_impossible_vram_becomes_nan_and_so_does_the_budget(
    total: object, free: object, expect_total: float | None, expect_free: float | None
) -> None:
    body = {"system": {"os": "posix", "argv": ["main.py"]},
            "devices": [GPU | {"vram_total": total, "vram_free": free, "torch_vram_total": 0, "torch_vram_free": 0}]}
    row = hardware_of(body).iloc[0]
    reserve = 400 / 1024  # ComfyUI's default
    budget = None if expect_total is None else expect_total - reserve
    budget_free = None if expect_free is None else expect_free - reserve
    for column, expected in (("vram_total_gb", expect_total), ("vram_free_gb", expect_free), ("budget_gb", budget),
                             ("budget_free_gb", budget_free)):
        if expected is None:
            assert pd.isna(row[column]), (column, row[column])
        else:
            assert row[column] == pytest.approx(expected, abs=0.001), column


def test_impossible_torch_and_ram_values_become_nan() -> None:
    body = {"system": {"os": "posix", "argv": ["main.py", "--cpu"], "ram_total": -1, "ram_free": 1 << 30},
            "devices": [GPU | {"vram_total": 24 << 30, "vram_free": 20 << 30,
                               "torch_vram_total": 1 << 30, "torch_vram_free": 2 << 30}]}
    row = hardware_of(body).iloc[0]
    assert row["torch_vram_total_gb"] == pytest.approx(1.0) and pd.isna(row["torch_vram_free_gb"])
    assert row["vram_free_gb"] == pytest.approx(20.0)
    assert pd.isna(row["ram_total_gb"]) and pd.isna(row["ram_free_gb"])
    # --cpu: the budget is RAM; NaN RAM is treated as unreported, so VRAM stands in (as for old servers)
    assert row["budget_free_gb"] == pytest.approx(20.0)
    assert row["budget_gb"] == pytest.approx(24.0 - 2.4)


def test_impossible_vram_warns_and_ranks_without_a_budget() -> None:
    body = {"system": {"os": "posix", "argv": ["main.py"], "comfyui_version": "0.3.75"},
            "devices": [GPU | {"vram_total": 24 << 30, "vram_free": 1 << 50}]}
    snapshot = cf.Snapshot(url="http://127.0.0.1:8188", responses={"/system_stats": body})
    with pytest.warns(cf.DegradedServerWarning, match="impossible VRAM"):
        found = cf.discover(snapshot=snapshot)
    assert pd.isna(found.hardware.loc[0, "budget_free_gb"])
    assert found.hardware.loc[0, "vram_total_gb"] == pytest.approx(24.0)
    assert found.hardware.loc[0, "budget_gb"] == pytest.approx(24.0 - 400 / 1024, abs=0.01)
