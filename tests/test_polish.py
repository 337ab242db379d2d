"""Leftovers of issues 18-20: nothing-fits remedies, warnings the user should not see twice, CLI wording."""

from __future__ import annotations

import html
import re
import warnings
from typing import Any

import pandas as pd
import pytest

import comfyframe as cf
from comfyframe.pipelines._budget import Budget, fleet_budgets
from comfyframe.pipelines._nothing_fits import nothing_fits
from comfyframe.pipelines._pipelines import Job
from comfyframe.pipelines._rank import rank_pipelines
from comfyframe.rules import _rules


@pytest.fixture(scope="module")
def demo() -> cf.Discovery:
    return cf.discover(demo=True)


def reason(found: cf.Discovery, capability: str, max_vram: float) -> str:
    with pytest.warns(cf.NothingFitsWarning):
        ranked = found.best_for(capability, max_vram=max_vram)
    assert ranked.empty
    return str(ranked.attrs["reason"])


def test_quantised_variants_are_suggested_only_where_the_family_ships_them(demo: cf.Discovery) -> None:
    upscale = reason(demo, "upscale", 0.01)
    assert "4x-UltraSharp" in upscale and "weights alone" in upscale
    assert "fp8" not in upscale and "GGUF" not in upscale and "text encoders" not in upscale
    assert not re.search(r"\b0\.0 GiB", upscale)
    # SVD (image_to_video's lightest here) has no fp8/GGUF releases in the family rules
    assert not _rules.family_specs().at["svd", "quantized"]
    svd = reason(demo, "image_to_video", 0.01)
    assert "svd_xt" in svd and "GGUF" not in svd
    # Wan 2.1 does: its diffusion model gets both, to go next to its text encoders and VAE
    assert set(_rules.family_specs().at["wan21", "quantized"].split(";")) == {"fp8", "gguf"}
    wan = reason(demo, "text_to_video", 0.01)
    assert "an fp8 file about" in wan and "a GGUF Q4_K_M about" in wan and "next to its text encoders" in wan


def test_a_single_file_checkpoint_is_told_what_each_variant_needs(demo: cf.Discovery) -> None:
    pipelines = demo.pipelines
    able = rank_pipelines(pipelines[pipelines["generator"].eq("ltx-video-2b-v0.9.5.safetensors")], "image_to_video")
    assert able["kind"].eq("checkpoint").all()
    text = nothing_fits(able, pipelines, "image_to_video", [Budget(demo.url, 1.0, "test")], explicit=True)
    assert "(a single file, like this one)" in text
    assert "a bare diffusion model: it needs its text encoders and VAE" in text
    assert not re.search(r"\b0\.0 GiB", text)


def test_the_family_rules_name_only_known_releases() -> None:
    values = {v for cell in _rules.family_specs()["quantized"] for v in cell.split(";") if v}
    assert values <= set(_rules.QUANTIZED_RELEASES) and values


def test_the_picker_shows_the_reason_and_emits_no_warning(demo: cf.Discovery) -> None:
    from comfyframe.views._picker import Picker

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        picker = Picker(demo)
        picker.set(capability="text_to_video", budget=0.5)
        picker.set(budget=0.6)
        picker.set(budget=0.7)
    assert picker.value is None
    why = str(picker.state.ranked.attrs["reason"])
    assert "text_to_video" in why and "weights alone" in why
    assert html.escape(why) in picker.summary_html()


def test_the_facade_answers_none_with_one_warning_at_the_callers_line(demo: cf.Discovery) -> None:
    registry = cf.ModelRegistryV2("http://unused.invalid")
    registry.discovery = demo
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert registry.get_best_for(cf.Capability.TEXT_TO_VIDEO, max_vram=0.5) is None
    fits = [w for w in caught if issubclass(w.category, cf.NothingFitsWarning)]
    assert len(fits) == 1 and "weights alone" in str(fits[0].message)
    assert fits[0].filename == __file__
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert registry.get_models_for("text_to_video", max_vram=0.5) == []
    assert [w.filename for w in caught if issubclass(w.category, cf.NothingFitsWarning)] == [__file__]


def test_the_cli_status_names_cli_options(demo: cf.Discovery, tmp_path, capsys) -> None:
    from test_trust import quiet, small_twin

    from comfyframe._cli import main

    found = quiet(small_twin(demo, "http://tiny-box:8188", 6))  # budget 4 GiB: text_to_video fits nothing
    python = next(line for line in found.status().splitlines() if line.strip().startswith("text_to_video"))
    assert "none fits:" in python and "max_vram=" in python
    path = found.save(tmp_path / "tiny.json.gz")
    assert main(["discover", "--snapshot", str(path), "-q"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "none fits:" in line]
    assert lines and any(line.strip().startswith("text_to_video") for line in lines)
    assert all("max_vram" not in line and "width=" not in line for line in lines)
    assert any("--max-vram" in line for line in lines)
    budgets = fleet_budgets(found.hardware, found.urls, 0, None, "free")
    free = found._why_empty("text_to_video", budgets, Job(), True, False, cli=True)
    assert "budget='free'" not in free and "(--budget free)" in free


@pytest.mark.parametrize(
    ("column", "value", "said"),
    [("modified", "banana", "not an ISO 8601 time"), ("modified", "06/01/2025", "not an ISO 8601 time"),
     ("weights_gb", "abc", "not a number"), ("size_bytes", "99999999999999999999999999", "not a whole number")],
)
def test_read_export_of_bad_values_raises_only_our_error(
    demo: cf.Discovery, tmp_path, column: str, value: str, said: str
) -> None:
    demo.export(tmp_path)
    models = pd.read_csv(tmp_path / "models.csv", dtype=str, keep_default_na=False)
    models.loc[0, column] = value  # the first row: pandas infers a date format from it
    models.to_csv(tmp_path / "models.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pandas' "Could not infer format" or numpy's cast warning fails
        with pytest.raises(cf.ComfyFrameError, match=f"column {column} holds '{value[:20]}.*{said}"):
            cf.read_export(tmp_path)


def test_a_fleet_parses_each_distinct_template_body_once(monkeypatch) -> None:
    import copy

    from test_workflows import INDEX, TEMPLATES, discovery, server_snapshot, ui_node, workflow

    import comfyframe.workflows._table as table
    from comfyframe.snapshot._snapshot import OBJECT_INFO, TEMPLATES_INDEX, template_route

    def with_templates(url: str, bodies: dict[str, Any]) -> cf.Snapshot:
        snap = server_snapshot(url)
        snap.responses[TEMPLATES_INDEX] = copy.deepcopy(INDEX)
        for name, body in bodies.items():
            snap.responses[template_route(name)] = copy.deepcopy(body)  # each server's own, equal objects
        return snap

    a, b, c = (with_templates(f"http://render-{i}:8188", TEMPLATES) for i in range(3))
    b.responses[OBJECT_INFO] = a.responses[OBJECT_INFO]  # identical answers: one object, as a discovery shares them
    c.responses[OBJECT_INFO] = copy.deepcopy(a.responses[OBJECT_INFO])  # equal, but not known to be: parsed alone
    smaller = workflow(ui_node(1, "CheckpointLoaderSimple", ["sd_xl_base_1.0.safetensors"]),
                       ui_node(2, "EmptyLatentImage", [512, 512, 1]))
    b.responses[template_route("sdxl_simple")] = smaller  # one body differs on b
    calls: list[str] = []
    real = table.parse_workflow
    monkeypatch.setattr(table, "parse_workflow", lambda *args: calls.append("parse") or real(*args))
    rows = discovery(a, b, c).workflows.set_index(["server", "template"])
    assert len(calls) == 2 + 1 + 2  # a: both templates; b: only its own sdxl_simple; c: both
    assert rows.loc[(b.url, "sdxl_simple"), "width"] == 512 and rows.loc[(a.url, "sdxl_simple"), "width"] == 1024
    same = ["ready", "models", "missing", "repairs", "width", "height", "vram_gb"]
    for server in (b.url, c.url):
        assert rows.loc[(server, "needs_new"), same].astype(str).equals(rows.loc[(a.url, "needs_new"), same].astype(str))
    assert rows.loc[(c.url, "sdxl_simple"), same].astype(str).equals(rows.loc[(a.url, "sdxl_simple"), same].astype(str))
