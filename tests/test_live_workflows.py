"""Workflows on real ComfyUI servers: the templates each version serves, the workflows table, ``check`` and
``--repair`` on the CLI, a custom-node pack's example workflow, and a server carrying the newest templates package."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from comfyui_server import NEWEST_TEMPLATES, build_model_tree, ensure_comfyui, ensure_templates_package, start_comfyui
from conftest import _unavailable

import comfyframe as cf
from comfyframe._cli import main
from comfyframe.snapshot._templates import index_entries, is_local

pytestmark = pytest.mark.live
PROBE = Path(__file__).parent / "custom_nodes" / "comfyframe-v3-probe" / "example_workflows" / "wan22_5b_probe.json"


def discover(url: str, cache: Path) -> cf.Discovery:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)
        return cf.discover(url, progress=False, template_cache=cache)


@pytest.fixture(scope="module")
def found(comfyui, tmp_path_factory: pytest.TempPathFactory) -> cf.Discovery:
    return discover(comfyui.url, tmp_path_factory.mktemp("template-cache"))


def row(found: cf.Discovery, template: str, source: str = "official") -> dict[str, object]:
    table = found.workflows
    hit = table[table["template"].eq(template) & table["source"].eq(source)]
    assert len(hit) == 1, (template, sorted(table["template"]))
    return hit.iloc[0].to_dict()


def test_every_local_template_of_the_servers_own_index_has_a_row(found: cf.Discovery) -> None:
    index = found.snapshot.responses["/templates/index.json"]
    local = {t["name"] for t in index_entries(index) if is_local(t)}
    official = found.workflows[found.workflows["source"].eq("official")]
    assert len(local) > 50 and set(official["template"]) == local
    assert official["ready"].any() and not official["ready"].all()
    assert official["capabilities"].map(len).gt(0).mean() > 0.8  # tags map to capabilities


def test_ready_templates_use_files_of_the_tree_and_repairs_point_at_them(found: cf.Discovery, comfyui) -> None:
    tree = {f.path for f in comfyui.files}
    ready = found.workflows[found.workflows["source"].eq("official") & found.workflows["ready"]]
    assert len(ready) >= 3
    for template in ready["template"]:
        refs = found.check_workflow(found.snapshot.responses[f"/templates/{template}.json"]).references
        active = refs[refs["active"]]
        assert set(active["status"]) <= {"present", "elsewhere", "same_content"}, template
        present = active.loc[active["status"].eq("present"), "value"].str.replace("\\", "/", regex=False)
        assert set(present) <= tree, template
        for value, repair in zip(active.loc[active["repairable"], "value"], active.loc[active["repairable"], "repair"]):
            assert repair in tree and repair.rsplit("/", 1)[-1] == value.replace("\\", "/").rsplit("/", 1)[-1]
    with_models = ready[ready["models"].gt(0)]  # utility templates (image stitching …) load no model
    assert len(with_models) >= 3 and (with_models["vram_gb"] > 0).all()


def test_a_complete_template_and_one_that_misses_its_model(found: cf.Discovery) -> None:
    ti2v = row(found, "video_wan2_2_5B_ti2v")
    assert ti2v["ready"] and ti2v["missing"] == () and ti2v["download_bytes"] == 0 and ti2v["frames"] > 1
    turbo = found.workflows[found.workflows["template"].str.startswith("image_z_image_turbo")]
    if len(turbo):  # Z-Image templates since templates 0.7.x
        assert not turbo["ready"].any()
        assert any("z_image_turbo" in m for cell in turbo["missing"] for m in cell)


def test_the_probe_packs_example_workflow_has_every_status(found: cf.Discovery) -> None:
    probe = row(found, "wan22_5b_probe", source="comfyframe-v3-probe")
    assert not probe["ready"] and probe["nodes_missing"] == ("RIFE VFI (comfyui-frame-interpolation)",)
    assert (probe["width"], probe["height"], probe["frames"]) == (1280.0, 704.0, 121.0)
    refs = found.check_workflow(PROBE).references.set_index("node")
    assert set(refs.loc[["1:11", "1:12", "1:13"], "status"]) == {"present"}
    assert (refs.loc["2", "status"], refs.loc["2", "repair"]) == (
        "elsewhere", "wan/wan2.2_i2v_lightx2v_4steps_lora_v1_low_noise.safetensors")
    assert refs.loc["2", "value"] == "wan\\wan2.2_i2v_lightx2v_4steps_lora_v1_low_noise.safetensors"
    assert refs.loc["5", "status"] == "missing" and refs.loc["5", "url"].startswith("https://huggingface.co/")
    assert refs.loc["6", "status"] == "node_missing"
    assert refs.loc["7", "status"] == "missing" and not refs.loc["7", "active"]


def test_cli_check_and_repair_on_the_live_server(comfyui, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMFYFRAME_TEMPLATE_CACHE", str(tmp_path / "cache"))
    assert main(["check", str(PROBE), comfyui.url, "-q", "--repair", str(tmp_path / "fixed.json")]) == 1
    err = capsys.readouterr().err
    assert "not ready on" in err and "wan2.2_t2v_lightx2v_4steps_lora_v1.1_high_noise" in err and "RIFE VFI" in err
    original, fixed = json.loads(PROBE.read_text()), json.loads((tmp_path / "fixed.json").read_text())
    assert fixed["nodes"][1]["widgets_values"][0] == "wan/wan2.2_i2v_lightx2v_4steps_lora_v1_low_noise.safetensors"
    fixed["nodes"][1]["widgets_values"][0] = original["nodes"][1]["widgets_values"][0]
    assert fixed == original  # nothing else changed
    complete = tmp_path / "complete.json"  # the probe without the file and the node the server lacks
    complete.write_text(json.dumps({**original, "nodes": [n for n in original["nodes"] if n["id"] not in (5, 6)]}))
    snapshot = tmp_path / "server.json.gz"
    assert main(["snapshot", comfyui.url, "-q", "-o", str(snapshot)]) == 0
    capsys.readouterr()
    assert main(["check", str(complete), "--snapshot", str(snapshot), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "server,node,node_type,input,value,folder,status,repair,url" and ",elsewhere," in out
    assert main(["workflows", "--snapshot", str(snapshot), "--ready", "--format", "json"]) == 0
    ready = json.loads(capsys.readouterr().out)
    assert ready and all(r["ready"] for r in ready) and "wan22_5b_probe" not in {r["template"] for r in ready}
    (tmp_path / "bad.json").write_text('{"not": "a workflow"}')
    assert main(["check", str(tmp_path / "bad.json"), "--snapshot", str(snapshot)]) == 2


@pytest.fixture(scope="module")
def newest(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """ComfyUI 0.33.0 serving the newest templates package (from PyPI, in a folder of its own on PYTHONPATH)."""
    try:
        python, comfy_dir = ensure_comfyui("0.33.0")
        site = ensure_templates_package(NEWEST_TEMPLATES)
    except Exception as exc:  # noqa: BLE001
        _unavailable(f"cannot set up ComfyUI 0.33.0 with templates {NEWEST_TEMPLATES}: {exc}")
    base = tmp_path_factory.mktemp("comfyui-newest-templates")
    build_model_tree(base)
    handle = start_comfyui(base, python=python, comfy_dir=comfy_dir, pythonpath=[site])
    try:
        yield handle.url
    finally:
        handle.stop()


def test_a_server_with_the_newest_templates_package(newest: str, tmp_path: Path) -> None:
    found = discover(newest, tmp_path)
    system = found.snapshot.system_stats["system"]  # type: ignore[index]
    assert system["installed_templates_version"] == NEWEST_TEMPLATES
    entries = index_entries(found.snapshot.responses["/templates/index.json"])
    assert len(entries) > 600
    local = [t for t in entries if is_local(t)]
    assert 200 < len(local) < 350
    table = found.workflows
    assert len(table[table["source"].eq("official")]) == len(local)
    assert table["ready"].any()
    again = discover(newest, tmp_path)  # the cache answers every template file of this version
    assert again.snapshot.stats["templates_from_cache"] == len(local) + 1
    assert again.workflows.astype(str).equals(table.astype(str))
