"""The Discovery summaries (status text and notebook HTML): totals, memory labels, terminal safety."""

from __future__ import annotations

import pandas as pd
from test_picker import MODELS, T2I, device, make_discovery, model

import comfyframe as cf
from comfyframe.views._display import discovery_html, status_text, terminal_table


def test_totals_count_files_of_unknown_size() -> None:
    rows = MODELS + [model("q.gguf", 8.0, 6, [T2I]), model("r.onnx", 2.0, None, [])]
    found = make_discovery(rows, [device()])
    found.models.loc[found.models["name"].isin(["q.gguf", "r.onnx"]), "size_bytes"] = pd.NA
    listed = found.models["size_bytes"].sum() / 2**30
    expected = f"{len(rows)} model files ({listed:.1f} GiB listed + 2 files of unknown size)"
    assert expected in status_text(found)
    assert expected in discovery_html(found)
    one = make_discovery(MODELS, [device()])
    one.models.loc[0, "size_bytes"] = pd.NA
    assert "+ 1 file of unknown size)" in one.status()
    assert "unknown size" not in make_discovery(MODELS, [device()]).status()


def test_cpu_server_says_system_memory_not_vram() -> None:
    cpu = device(gpu="CPU", total=23.5, free=22.0, budget=22.0)
    cpu.update(device_type="cpu", vram_mode="cpu", vendor="CPU")
    found = make_discovery(MODELS, [cpu])
    line = status_text(found).splitlines()[1]
    assert "system memory 22.0 GiB free of 23.5 GiB" in line and "VRAM" not in line
    assert "system memory" in discovery_html(found)
    gpu_line = status_text(make_discovery(MODELS, [device()])).splitlines()[1]
    assert "VRAM 20.0 GiB free of 24.0 GiB" in gpu_line


def test_vram_bar_says_the_coloured_part_is_used_memory() -> None:
    html = discovery_html(make_discovery(MODELS, [device(total=24.0, free=18.0)]))
    assert 'title="25% in use"' in html and "25% used" in html


def test_status_shows_control_characters_escaped() -> None:
    rows = MODELS + [model("\x1b[2Jflux-evil.safetensors", 30.0, 10, [T2I])]
    found = make_discovery(rows, [device(gpu="GPU\x1b]0;title\x07", total=48, free=40, budget=40)],
                           problems=["/models/x\x1b[31m failed\r\nnext"])  # fmt: skip
    text = found.status()
    assert "\x1b" not in text and "\r" not in text and "\x07" not in text
    assert "GPU\\x1b]0;title\\x07" in text and "\\x1b[2Jflux-evil.safetensors" in text
    assert "warning: /models/x\\x1b[31m failed\\r\\nnext" in text


def test_terminal_table_joins_tuples_and_escapes() -> None:
    frame = pd.DataFrame({"name": ["a\x1bb", ""], "capabilities": [("image_to_image", "text_to_image"), ()]})
    shown = terminal_table(frame)
    assert "a\\x1bb" in shown and "image_to_image, text_to_image" in shown and "'" not in shown
    assert "(no models)" == terminal_table(frame.iloc[0:0])


def test_demo_summary_names_the_demo() -> None:
    found = cf.discover(demo=True)
    assert found.status().startswith(f"ComfyUI 0.3.75 at {found.url} (demo snapshot")
    assert "demo snapshot recorded from a test server" in found._repr_html_()


def test_reprs_show_control_characters_escaped() -> None:
    found = make_discovery(MODELS, [device()])
    found.snapshots = (cf.Snapshot(url="http://gpu\x1b[2J:8188"),)
    assert "\x1b" not in repr(found) and "gpu\\x1b[2J" in repr(found)


def test_summary_dict_counts_files_of_unknown_size() -> None:
    found = cf.discover(demo=True)
    summary = found.summary()
    assert summary["models_of_unknown_size"] == int(found.models["size_bytes"].isna().sum()) > 0
    assert f"+ {summary['models_of_unknown_size']} files of unknown size" in found.status()
