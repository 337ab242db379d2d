"""The command line: error paths and offline commands (live ones are in test_live_discovery.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from comfyui_server import free_port

import comfyframe as cf
from comfyframe._cli import main


def test_unreachable_server_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    assert main(["discover", url, "-q", "--timeout", "5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("comfyframe: error: Cannot connect to " + url)
    assert "Traceback" not in err


def test_missing_snapshot_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--snapshot", str(tmp_path / "none.json"), "--out", str(tmp_path)]) == 2
    assert "No snapshot file" in capsys.readouterr().err


def test_bad_url_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["discover", "ftp://nowhere", "-q"]) == 2
    assert "not an http(s) URL" in capsys.readouterr().err


def test_url_defaults_to_environment(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("COMFYUI_URL", url)
    assert cf.default_url() == url
    assert main(["discover", "-q", "--timeout", "5"]) == 2
    assert url in capsys.readouterr().err
    monkeypatch.delenv("COMFYUI_URL")
    assert cf.default_url() == "http://127.0.0.1:8188"


def test_demo_discover_export_and_best(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["discover", "--demo"]) == 0
    out = capsys.readouterr().out
    assert "ComfyUI 0.3.75" in out and "model files" in out
    assert main(["export", "--demo", "--out", str(tmp_path / "csv")]) == 0
    models = pd.read_csv(tmp_path / "csv" / "models.csv", keep_default_na=False)
    assert {"folder", "name", "kind", "family", "capabilities", "vram_gb", "quality"} <= set(models.columns)
    assert main(["export", "--demo", "--out", str(tmp_path / "pq"), "--format", "parquet"]) == 0
    parquet = pd.read_parquet(tmp_path / "pq" / "models.parquet")
    assert len(parquet) == len(models)
    assert main(["best", "text_to_image", "--demo", "--top", "3"]) == 0
    assert "rank" in capsys.readouterr().out


def test_snapshot_then_offline_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo = cf.demo_snapshot()
    path = demo.save(tmp_path / "demo.json.gz")
    assert main(["export", "--snapshot", str(path), "--out", str(tmp_path / "out")]) == 0
    written = capsys.readouterr().out.split()
    assert sorted(Path(p).name for p in written) == sorted(
        f"{t}.csv" for t in ("models", "nodes", "edges", "hardware", "capabilities", "pipelines")
    )


def test_best_with_nothing_fitting_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["best", "text_to_video", "--demo", "--max-vram", "0.01"]) == 1
    err = capsys.readouterr().err
    assert "fits the memory budget of 0.0 GB" in err and "needs" in err and "--max-vram" in err
