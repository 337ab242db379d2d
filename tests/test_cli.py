"""The command line: error paths and offline commands (live ones are in test_live_discovery.py)."""

from __future__ import annotations

import subprocess
import sys
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
        f"{t}.csv" for t in ("models", "nodes", "edges", "hardware", "capabilities", "pipelines", "usage")
    )


def test_best_with_nothing_fitting_says_which_budget_and_what_would_fit(capsys: pytest.CaptureFixture[str]) -> None:
    found = cf.discover(demo=True)
    able = found.best_for("text_to_video", max_vram=1e9)
    smallest = able.loc[able["vram_gb"].idxmin()]
    # a budget above every pipeline's weights but below the smallest job: shrinking the job helps
    budget = round(float(able["weights_gb"].max()) + 0.05, 2)
    budget = min(budget, round(float(smallest["vram_gb"]) - 0.05, 2))
    assert main(["best", "text_to_video", "--demo", "--max-vram", f"{budget}"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"comfyframe: No ready pipeline that can do text_to_video fits the --max-vram budget of {budget:g} GiB")
    assert f"needs {smallest['vram_gb']:.1f} GiB for this job ({smallest['job']})" in err
    assert "--width/--height/--frames/--batch" in err
    assert main(["best", "text_to_video", "--demo", "--max-vram", f"{smallest['vram_gb'] + 0.1:.1f}"]) == 0


def test_best_says_when_the_weights_alone_are_over_the_budget(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["best", "text_to_video", "--demo", "--max-vram", "0.01"]) == 1
    err = capsys.readouterr().err
    assert "the weights alone are over it" in err and "a smaller job will not help" in err
    assert "No fp8 or GGUF variant that would fit is installed" in err
    assert "--width" not in err


@pytest.mark.parametrize(
    "args",
    [
        ["best", "upscale", "--demo"],
        ["best", "--demo", "upscale"],  # after the source
        ["best", "--demo", "--capability", "upscale"],
        ["best", "--demo", "-c", "upscale"],
        ["best", "--demo", "Upscale"],
    ],
)
def test_best_takes_its_capability_wherever_it_is_written(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 0
    assert "4x-UltraSharp.pth" in capsys.readouterr().out


def test_url_may_be_given_as_an_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    assert main(["discover", "--url", url, "-q", "--timeout", "5"]) == 2
    assert "Cannot connect to " + url in capsys.readouterr().err
    assert main(["snapshot", url, "--url", url, "-o", str(tmp_path / "s.json")]) == 2
    assert "snapshot asks one server: give one URL" in capsys.readouterr().err


def test_best_takes_the_url_before_the_capability(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    assert main(["best", url, "text-to-image", "-q", "--timeout", "5"]) == 2  # parsed: it tried the server
    assert "Cannot connect to " + url in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["best", "--demo"], "best needs a capability: choose one of text_to_image"),
        (["best", "--demo", "photos"], "'photos' is not a capability: choose one of text_to_image"),
        (["best", "--demo", "upscale", "text_to_image"], "best ranks for one capability; got upscale and text_to_image"),
        (["best", "--demo", "upscale", "-c", "text_to_video"], "best ranks for one capability"),
    ],
)
def test_best_without_one_capability_exits_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"comfyframe: error: {message}"), err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["best", "text_to_image", "--max-vram", "-4"], "--max-vram must be a positive number of GiB"),
        (["best", "text_to_image", "--max-vram", "0"], "--max-vram must be a positive number of GiB"),
        (["best", "text_to_image", "--max-vram", "nan"], "--max-vram must be a positive number of GiB"),
        (["best", "text_to_image", "--max-vram", "inf"], "--max-vram must be a positive number of GiB"),
        (["best", "text_to_image", "--top", "0"], "--top must be a whole number of rows, 1 or more"),
        (["best", "text_to_image", "--top", "-3"], "--top must be a whole number of rows, 1 or more"),
        (["best", "text_to_image", "--device", "-1"], "--device must be a device index on each server"),
        (["discover", "--timeout", "0"], "--timeout must be a positive number of seconds"),
        (["discover", "--timeout", "-1"], "--timeout must be a positive number of seconds"),
        (["export", "--out", "x", "--concurrency", "0"], "--concurrency must be a whole number"),
    ],
)
def test_nonsense_numbers_exit_2_before_anything_is_sent(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens: a request would fail differently
    at = 2 if args[0] == "best" else 1  # the URL right after the positionals
    assert main([*args[:at], url, *args[at:], "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"comfyframe: error: {message}"), err
    assert "Cannot connect" not in err


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"max_vram": -4}, "max_vram"), ({"max_vram": 0}, "max_vram"), ({"max_vram": float("nan")}, "max_vram"),
     ({"top": 0}, "top"), ({"top": -3}, "top"), ({"prefer": "cheap"}, "prefer"), ({"device": -1}, "device")],
)  # fmt: skip
def test_python_best_for_rejects_the_same_nonsense(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message} must be"):
        cf.discover(demo=True).best_for("text_to_image", **kwargs)  # type: ignore[arg-type]


def test_demo_says_it_is_the_demo_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    found = cf.discover(demo=True)
    assert found.url.startswith("demo://comfyui-")
    assert set(found.models["server"]) == set(found.hardware["server"]) == {found.url}
    assert "demo snapshot" in found.status().splitlines()[0] and "demo snapshot" in found._repr_html_()
    argv = found.hardware["argv"].iloc[0]
    assert "--port" not in argv and "--base-directory" not in argv and "--listen" not in argv
    assert main(["discover", "--demo"]) == 0
    assert "demo://comfyui-" in capsys.readouterr().out.splitlines()[0]


def test_help_does_not_load_pandas() -> None:
    code = ("import sys; from comfyframe._cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print('pandas' in sys.modules, 'comfyframe._discovery' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "--version" in done.stdout
    assert done.stderr.split() == ["False", "False"]


def test_help_texts_for_prefer_and_format(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("best", "export"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
    out = capsys.readouterr().out
    assert "rank by quality tier" in out and "spreadsheet-safe" in out


def test_terminal_output_shows_control_characters_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    snapshot = cf.demo_snapshot()
    hostile = "\x1b[2J\x1b]0;owned\x07sd_xl_base_1.0_evil.safetensors"
    snapshot.responses["/models/checkpoints"] = [*snapshot.responses["/models/checkpoints"], hostile]
    snapshot.responses["/system_stats"]["system"]["comfyui_version"] = "0.3.75\x1b[31m"
    path = snapshot.save(tmp_path / "hostile.json")
    assert main(["discover", "--snapshot", str(path)]) == 0
    assert main(["best", "text_to_image", "--snapshot", str(path), "--top", "50"]) == 0
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out + captured.err
    assert "0.3.75\\x1b[31m" in captured.out
    assert "\\x1b[2J\\x1b]0;owned\\x07sd_xl_base_1.0_evil.safetensors" in captured.out
