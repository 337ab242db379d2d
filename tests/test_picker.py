"""The model picker's state, driven from code (no browser), and the notebook summary's escaping."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import comfyframe as cf  # noqa: E402
from comfyframe.pipelines._rank import capability_table  # noqa: E402
from comfyframe.tables._schema import EDGES, HARDWARE, MODELS_BASE, NODES, PIPELINES, conform, from_columns  # noqa: E402
from comfyframe.views._display import discovery_html, status_text  # noqa: E402
from comfyframe.views._picker import ANY, Picker  # noqa: E402

T2I, I2I, T2V, I2V, UP = "text_to_image", "image_to_image", "text_to_video", "image_to_video", "upscale"
HOSTILE = "<img src=x onerror=alert(1)>.safetensors"
HOSTILE_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;.safetensors"
A, B = "http://gpu-a:8188", "http://gpu-b:8188"


def model(
    name: str,
    vram: float,
    quality: int | None,
    caps: Iterable[str],
    *,
    kind: str = "checkpoint",
    family: str = "",
    server: str = A,
    variant: str = "",
    folder: str = "checkpoints",
) -> dict[str, Any]:
    """One row of a hand-made models table (inferred columns given, not inferred)."""
    return {
        "server": server, "folder": folder, "name": name, "path": name, "ext": name.rsplit(".", 1)[-1],
        "size_bytes": int(vram / 1.1 * 2**30), "loader_nodes": ("CheckpointLoaderSimple",),
        "kind": kind, "family": family, "capabilities": tuple(sorted(caps)), "precision": "", "quant": "",
        "params_b": float("nan"), "variant": variant, "vram_gb": vram, "quality": quality,
        "source": "test", "confidence": 1.0,
    }


def device(server: str = A, index: int = 0, *, total: float = 24.0, free: float = 20.0, budget: float = 19.5,
           gpu: str = "NVIDIA GeForce RTX 4090") -> dict[str, Any]:
    """One row of a hand-made hardware table."""
    return {
        "server": server, "device_index": index, "device": f"cuda:{index}", "device_type": "cuda",
        "gpu_name": gpu, "vendor": "NVIDIA", "vram_total_gb": total, "vram_free_gb": free,
        "ram_total_gb": 64.0, "ram_free_gb": 48.0, "os": "posix", "platform": "linux",
        "comfyui_version": "0.3.75", "is_remote": True, "vram_mode": "normal", "reserve_vram_gb": 0.0,
        "budget_gb": budget,
    }


def make_discovery(models: list[dict[str, Any]], devices: list[dict[str, Any]],
                   problems: Iterable[str] = ()) -> cf.Discovery:
    """A real :class:`Discovery` over hand-made tables (so the tests do not depend on inference)."""
    frame = conform(pd.DataFrame(models), MODELS_BASE)
    frame["quality"] = frame["quality"].astype("Int64")
    found = cf.Discovery.__new__(cf.Discovery)
    servers = list(dict.fromkeys([d["server"] for d in devices] + [m["server"] for m in models])) or [A]
    found.snapshots = tuple(cf.Snapshot(url=s) for s in servers)
    found.hardware = conform(pd.DataFrame(devices), HARDWARE)
    found.nodes = conform(pd.DataFrame(), NODES)
    found.edges = conform(pd.DataFrame(), EDGES)
    found.models = frame
    found.capabilities = capability_table(frame)
    found.problems = list(problems)
    found.pipelines = self_contained_pipelines(frame)
    found._pipelines_for = lambda budget, job: found.pipelines  # the hand-made VRAM, whatever the job
    return found


def self_contained_pipelines(models: pd.DataFrame) -> pd.DataFrame:
    """Every hand-made model with a capability as a ready pipeline of its own, its VRAM the one given (no recipes,
    no job): these tests are about the picker and the summaries, not about which parts a generator needs."""
    gens = models[models["capabilities"].map(len).gt(0)].reset_index(drop=True)
    caps = gens["capabilities"].map(tuple)
    jobs = caps.map(lambda c: tuple(sorted({*c, I2I})) if T2I in c else c)
    columns = {
        "server": gens["server"], "generator_folder": gens["folder"], "generator": gens["name"], "module": "",
        "kind": gens["kind"], "family": gens["family"], "variant": gens["variant"], "capabilities": caps,
        "jobs": jobs, "components": [()] * len(gens), "missing": [()] * len(gens), "ready": True,
        "precision": "", "quant": "", "quality": gens["quality"], "weights_gb": gens["vram_gb"],
        "activations_gb": 0.0, "encode_gb": 0.0, "decode_gb": 0.0, "vram_gb": gens["vram_gb"],
    }
    return from_columns(PIPELINES, {k: v.tolist() if isinstance(v, pd.Series) else v for k, v in columns.items()},
                        len(gens))


MODELS = [
    model("flux1-dev.safetensors", 17.5, 8, [T2I], kind="diffusion_model", family="flux1", folder="diffusion_models"),
    model("qwen_image.safetensors", 21.0, 9, [T2I], kind="diffusion_model", family="qwen_image"),
    model("sdxl_base.safetensors", 7.0, 6, [T2I], family="sdxl"),
    model("sdxl_lightning.safetensors", 7.0, 5, [T2I], family="sdxl", variant="lightning"),
    model("sd15.safetensors", 4.2, 4, [T2I], family="sd15"),
    model("flux2_dev.safetensors", 36.0, 9, [T2I], kind="diffusion_model", family="flux2"),
    model("kontext.safetensors", 12.0, 8, [I2I], kind="diffusion_model", family="flux1"),
    model("wan22_14b.safetensors", 15.0, 8, [T2V], kind="diffusion_model", family="wan22"),
    model("wan21_1.3b.safetensors", 3.0, 6, [T2V], kind="diffusion_model", family="wan21"),
    model("4x-UltraSharp.pth", 0.1, 5, [UP], kind="upscale", folder="upscale_models"),
    model("detail_lora.safetensors", 0.2, None, [], kind="lora", family="sdxl", folder="loras"),
]


@pytest.fixture
def found() -> cf.Discovery:
    return make_discovery(MODELS, [device()])


@pytest.fixture
def two_servers() -> cf.Discovery:
    rows = MODELS + [
        model("b_sdxl.safetensors", 7.0, 6, [T2I], family="sdxl", server=B),
        model("b_svd.safetensors", 9.0, 5, [I2V], family="svd", server=B),
    ]
    devices = [device(A, 0), device(A, 1, total=12.0, free=11.0, budget=10.5, gpu="NVIDIA RTX 3060"),
               device(B, 0, total=16.0, free=15.0, budget=14.0, gpu="AMD Radeon RX 7800 XT")]
    return make_discovery(rows, devices)


def names(p: Picker) -> list[str]:
    return p.ranked["name"].tolist()


def test_capability_choices_are_the_servers(found: cf.Discovery) -> None:
    p = cf.picker(found, plot=None)
    assert list(p.capability.options) == [T2I, I2I, T2V, UP]
    assert list(p.capability.options) == found.available_capabilities()
    assert p.capability.value == T2I


def test_budget_slider_defaults_to_device_budget_and_reaches_largest_model(found: cf.Discovery) -> None:
    p = cf.picker(found, plot=None)
    assert p.budget.value == pytest.approx(19.5)
    assert p.budget.max == pytest.approx(36.0)  # the largest model (36 GB) beyond the 24 GB device
    assert p.ranked["vram_gb"].le(19.5).all()
    assert p.value is not None and p.value["name"] == "flux1-dev.safetensors"
    assert p.ranked.drop(columns="name").equals(found.best_for(T2I))
    assert p.model["path"] == "flux1-dev.safetensors" and p.model["folder"] == "diffusion_models"


def test_capability_change_reranks_and_fires_callbacks(found: cf.Discovery) -> None:
    p = cf.picker(found, plot=None)
    seen: list[pd.Series | None] = []
    p.observe(seen.append)
    p.capability.value = T2V
    assert names(p) == ["wan22_14b.safetensors", "wan21_1.3b.safetensors"]
    assert p.value["name"] == "wan22_14b.safetensors"
    assert len(seen) == 1 and seen[0]["name"] == "wan22_14b.safetensors"
    assert "wan22_14b.safetensors" in p.summary.value and "wan22_14b.safetensors" in p.table.value


def test_budget_change_reranks(found: cf.Discovery) -> None:
    p = cf.picker(found, plot=None)
    seen: list[pd.Series | None] = []
    p.observe(seen.append)
    p.budget.value = 25.0
    assert p.value["name"] == "qwen_image.safetensors"
    p.budget.value = 8.0
    assert names(p) == ["sdxl_base.safetensors", "sdxl_lightning.safetensors", "sd15.safetensors"]
    assert [s["name"] for s in seen] == ["qwen_image.safetensors", "sdxl_base.safetensors"]
    assert p.ranked["headroom_gb"].tolist() == pytest.approx([1.0, 1.0, 3.8])
    p.budget.value = 1.0
    assert p.ranked.empty and p.value is None and seen[-1] is None
    assert "Nothing" in p.summary.value and "4.2 GiB" in p.summary.value


def test_prefer_change_reranks(found: cf.Discovery) -> None:
    p = cf.picker(found, max_vram=8.0, plot=None)
    assert p.value["name"] == "sdxl_base.safetensors"
    seen: list[pd.Series | None] = []
    p.observe(seen.append)
    p.prefer.value = "speed"
    assert p.value["name"] == "sdxl_lightning.safetensors"  # step-distilled: the speed bonus
    assert p.ranked["score"].is_monotonic_decreasing
    assert len(seen) == 1 and seen[0]["name"] == "sdxl_lightning.safetensors"


def test_family_and_kind_filters(found: cf.Discovery) -> None:
    p = cf.picker(found, max_vram=40.0, plot=None)
    families = [value for _, value in p.family.options]
    assert families == [ANY, "flux1", "flux2", "qwen_image", "sd15", "sdxl"]  # only text_to_image models' families
    p.family.value = "sdxl"
    assert names(p) == ["sdxl_base.safetensors", "sdxl_lightning.safetensors"]
    assert p.ranked["rank"].tolist() == [1, 2]
    p.family.value = ANY
    p.kind.value = "diffusion_model"
    assert set(names(p)) == {"flux1-dev.safetensors", "qwen_image.safetensors", "flux2_dev.safetensors"}
    p.capability.value = UP  # a filter the new capability cannot satisfy falls back to "any"
    assert p.kind.value == ANY and names(p) == ["4x-UltraSharp.pth"]


def test_choice_selects_another_ranked_model(found: cf.Discovery) -> None:
    p = cf.picker(found, plot=None)
    seen: list[pd.Series | None] = []
    p.observe(seen.append)
    p.choice.value = 2
    assert p.value["name"] == p.ranked["name"].iloc[2] and seen[-1]["name"] == p.value["name"]
    p.budget.value = 18.0  # a re-rank selects the top model again
    assert p.choice.value == 0 and p.value["name"] == p.ranked["name"].iloc[0]


def test_set_changes_several_controls_with_one_callback(found: cf.Discovery) -> None:
    p = cf.picker(found, plot=None)
    seen: list[pd.Series | None] = []
    callback = p.observe(seen.append)
    p.set(capability=T2V, budget=5.0, prefer="speed")
    assert len(seen) == 1 and seen[0]["name"] == "wan21_1.3b.safetensors"
    p.set(capability=T2I, family="sdxl", budget=20.0)  # family offered only once the capability is set
    assert len(seen) == 2 and set(p.ranked["family"]) == {"sdxl"}
    p.set(family=None)
    assert p.family.value == ANY and len(set(p.ranked["family"])) > 1 and len(seen) == 3
    p.unobserve(callback)
    p.set(budget=100.0)  # beyond the slider: the slider grows
    assert p.budget.value == 100.0 and p.budget.max >= 100.0 and len(seen) == 3
    with pytest.raises(TypeError):
        p.set(colour="red")


def test_observe_now_and_as_decorator(found: cf.Discovery) -> None:
    p = cf.picker(found, plot=None)
    seen: list[str] = []

    @p.observe
    def remember(pick: pd.Series | None) -> None:
        seen.append("none" if pick is None else pick["name"])

    p.observe(lambda pick: seen.append("now"), now=True)
    assert seen == ["now"]
    p.prefer.value = "balanced"
    assert seen[1] == p.value["name"] and seen[2] == "now"


def test_multi_server_device_selector(two_servers: cf.Discovery) -> None:
    p = cf.picker(two_servers, plot=None)
    labels = [label for label, _ in p.device.options]
    assert len(labels) == 3 and not p.device.disabled
    assert A in labels[0] and "RTX 4090" in labels[0] and "RTX 3060" in labels[1] and B in labels[2]
    assert set(p.ranked["server"]) == {A}
    seen: list[pd.Series | None] = []
    p.observe(seen.append)
    p.device.value = 1  # the 12 GB card of server A: its budget
    assert p.budget.value == pytest.approx(10.5)
    assert p.value["name"] == "sdxl_base.safetensors" and len(seen) == 1
    p.device.value = 2  # server B: its capabilities, its budget, its models only
    assert list(p.capability.options) == [T2I, I2I, I2V]  # text-to-image pipelines also run img2img
    assert p.budget.value == pytest.approx(14.0)
    assert names(p) == ["b_sdxl.safetensors"] and set(p.ranked["server"]) == {B}
    p.capability.value = I2V
    assert p.value["name"] == "b_svd.safetensors"
    p.device.value = 0  # back to A: image_to_video is not there, the first capability is chosen
    assert p.capability.value == T2I and set(p.ranked["server"]) == {A}
    p.set(device=2, capability=I2V)  # one call, one callback: device first, then its capability
    assert (p.device.value, p.capability.value, p.value["name"]) == (2, I2V, "b_svd.safetensors")


def test_picker_without_hardware_ranks_everything() -> None:
    p = cf.picker(make_discovery(MODELS, []), plot=None)
    assert p.device.disabled and p.device_row is None
    assert p.budget.value == pytest.approx(36.0)  # no budget known: everything fits
    assert p.value["name"] in {"qwen_image.safetensors", "flux2_dev.safetensors"}


def test_picker_on_a_server_without_generators() -> None:
    p = cf.picker(make_discovery([MODELS[-1]], [device()]), plot=None)
    assert list(p.capability.options) == [] and p.value is None and p.ranked.empty
    assert "No model" in p.summary.value


def test_picker_escapes_model_names() -> None:
    rows = MODELS + [model(HOSTILE, 10.0, 10, [T2I], family="<b>fam</b>")]
    p = cf.picker(make_discovery(rows, [device()]), plot=None)
    assert p.value["name"] == HOSTILE  # the value is the raw name
    for html in (p.table.value, p.summary.value, p.table_html(), p.summary_html()):
        assert "<img" not in html and "<b>fam" not in html
    assert HOSTILE_ESCAPED in p.table.value and HOSTILE_ESCAPED in p.summary.value
    assert "&lt;b&gt;fam&lt;/b&gt;" in p.table.value


def test_plot_image_follows_the_state(found: cf.Discovery) -> None:
    p = cf.picker(found)
    first = p.image.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    p.budget.value = 6.0
    assert p.image.value[:4] == b"\x89PNG" and p.image.value != first
    q = cf.picker(found, plot="quality_vs_vram")
    assert q.image.value[:4] == b"\x89PNG" and q.image in q.widget.children


def test_picker_displays_as_its_widget(found: cf.Discovery) -> None:
    p = cf.picker(found, plot=None)
    bundle = p._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == p.widget.model_id
    assert "Picker" in repr(p) and "flux1-dev" in repr(p)


def test_invalid_options(found: cf.Discovery) -> None:
    with pytest.raises(ValueError, match="device"):
        cf.picker(found, device=5)
    with pytest.raises(ValueError, match="prefer"):
        cf.picker(found, prefer="cheap")
    with pytest.raises(ValueError, match="capability"):
        cf.picker(found, capability="text_to_smell")
    with pytest.raises(ValueError, match="not offered"):
        cf.picker(found, capability="text_to_audio")  # a real capability this server lacks
    with pytest.raises(ValueError, match="family 'wan22'"):
        cf.picker(found, family="wan22")  # no text_to_image model of that family
    p = cf.picker(found, capability=T2V, family="wan22", max_vram=30, plot=None)
    assert (p.capability.value, p.family.value, p.budget.value) == (T2V, "wan22", 30.0)
    assert names(p) == ["wan22_14b.safetensors"]
    with pytest.raises(ValueError, match="not offered"):
        p.set(capability="image_to_video")
    with pytest.raises(ValueError, match="prefer"):
        p.set(prefer="cheap")


def test_missing_ipywidgets_names_the_install(found: cf.Discovery, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.raises(cf.MissingDependency, match="pip install ipywidgets"):
        cf.picker(found)


# --------------------------------------------------------------------------- the Discovery summary


def hostile_discovery() -> cf.Discovery:
    rows = MODELS + [model(HOSTILE, 10.0, 10, [T2I, T2V], family="<i>x</i>", kind="<u>k</u>")]
    dev = device(gpu="<script>alert('gpu')</script>")
    dev["vram_mode"] = "<b>normal</b>"
    return make_discovery(rows, [dev], problems=["<svg onload=alert(2)>: /models failed"])


def test_summary_html_escapes_every_server_string() -> None:
    html = discovery_html(hostile_discovery())
    for raw in ("<img", "<script", "<svg", "<i>x", "<u>k", "<b>normal"):
        assert raw not in html, raw
    assert HOSTILE_ESCAPED in html  # the best text_to_image pick, shown escaped
    assert "&lt;script&gt;" in html and "&lt;svg onload=alert(2)&gt;" in html


def test_summary_html_content(two_servers: cf.Discovery) -> None:
    html = two_servers._repr_html_()
    assert A in html and B in html and "RTX 3060" in html
    assert html.count('class="cf-bar"') == 3  # one VRAM bar per device
    assert "Models by kind" in html and "Models by capability" in html
    assert "flux1-dev.safetensors" in html and "b_svd.safetensors" in html  # best picks per device
    text = status_text(two_servers)
    assert "device 1: NVIDIA RTX 3060" in text and "b_svd.safetensors" in text


def test_status_text_keeps_names_raw_and_lists_warnings() -> None:
    text = hostile_discovery().status()
    assert HOSTILE in text and "warning: <svg onload=alert(2)>" in text


def test_summary_without_hardware_says_so() -> None:
    found = make_discovery(MODELS, [])
    html = found._repr_html_()
    assert "no hardware information" in html and "Best fitting" not in html
    assert "no hardware information" in found.status()


def test_picker_on_the_demo_snapshot() -> None:
    """Real inference on a real server's answers: the picker agrees with Discovery.best_for."""
    found = cf.discover(demo=True)
    p = cf.picker(found, plot=None)
    assert list(p.capability.options) == found.available_capabilities()
    assert p.budget.value == pytest.approx(float(found.hardware["budget_gb"].iloc[0]))
    for capability in p.capability.options:
        p.capability.value = capability
        assert p.ranked.drop(columns="name").equals(found.best_for(capability, max_vram=p.budget.value))
    p.set(capability=T2I, budget=8.0, prefer="speed")
    assert p.value is not None and p.value["vram_gb"] <= 8.0
    assert p.model is not None and p.model["name"] == p.value["name"] and "size_bytes" in p.model


def test_picker_draws_names_with_dollar_signs() -> None:
    """Two ``$`` in a name made matplotlib parse maths and raise; the picker must draw it as text."""
    rows = MODELS + [model("cheap_$5_$10.safetensors", 6.0, 10, [T2I])]
    found = make_discovery(rows, [device(gpu="GPU $a$ $b$")])
    for kind in ("vram_fit", "quality_vs_vram"):
        p = cf.picker(found, plot=kind)
        assert p.value["name"] == "cheap_$5_$10.safetensors"
        assert p.plot_png().startswith(b"\x89PNG")


def test_picker_job_controls_move_the_vram_and_incomplete_pipelines_show_what_they_miss() -> None:
    demo = cf.discover(demo=True)
    p = cf.picker(demo, capability=T2V, max_vram=200, plot="vram_fit")
    default = p.ranked.set_index("name")["vram_gb"]
    p.frames.value = 121.0
    p.resolution.value = (1280, 720)
    assert (p.state.width, p.state.height, p.state.frames) == (1280, 720, 121)
    bigger = p.ranked.set_index("name")["vram_gb"]
    common = default.index.intersection(bigger.index)
    assert len(common) and (bigger[common] >= default[common]).all() and (bigger[common] > default[common]).any()
    assert not p.ranked.loc[p.ranked["module"].ne(""), "generator"].eq("").any()  # modules run inside a base
    assert "✗" not in p.table.value  # ready pipelines miss nothing
    p.incomplete.value = True
    assert not p.ranked["ready"].all()
    assert "✗ vae:hunyuan_video" in p.table.value
    p.set(width=None, height=None, frames=None, incomplete=False)
    assert p.resolution.value == "default" and p.frames.value == "default" and p.ranked["ready"].all()
    with pytest.raises(ValueError, match="width"):
        p.set(width=-5)


# --------------------------------------------------------------------------- the ready workflows tab

FLEET = Path(__file__).parent.parent / "notebooks" / "data" / "workflows_fleet.json.gz"


@pytest.fixture(scope="module")
def fleet() -> cf.Discovery:
    """A two-server fleet recorded from the real ComfyUI 0.3.75 test server, with its official templates."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)
        return cf.discover(snapshot=FLEET)


def test_workflows_tab_updates_on_every_change(fleet: cf.Discovery) -> None:
    p = cf.picker(fleet, plot=None)
    assert p.tabs.children == (p.table, p.workflow_table) and p.tabs in p.widget.children
    seen: list[pd.DataFrame] = []
    callback = p.observe_workflows(seen.append, now=True)
    first = p.workflows["template"].tolist()
    assert len(seen) == 1 and seen[0]["template"].tolist() == first and first
    assert p.tabs.titles == (f"pipelines ({len(p.ranked)})", f"ready workflows ({len(first)})")
    for template in first:
        assert f">{template}<" in p.workflow_table.value
    p.device.value = 1  # gpu-b lacks two of gpu-a's models: its own ready templates
    p.capability.value = T2V
    assert len(seen) == 3 and seen[-1] is p.workflows
    expected = fleet.best_workflow(T2V, max_vram=p.budget.value, server=fleet.urls[1])
    assert p.workflows["template"].tolist() == expected.loc[expected["source"].eq("official"), "template"].tolist()
    assert set(p.workflows["server"]) == {fleet.urls[1]} and len(p.workflows) > 0
    p.choice.value = 1  # another pipeline: the workflows are the same, their callbacks not called
    assert len(seen) == 3
    p.budget.value = float(p.workflows["vram_gb"].min())
    assert len(seen) == 4 and len(p.workflows) == 1 and p.workflow_table.value.count("class='cf-row'") == 1
    p.budget.value = 0.5
    assert p.workflows.empty and "No ready official workflow" in p.workflow_table.value
    assert p.tabs.titles[1] == "ready workflows (0)"
    p.unobserve_workflows(callback)
    p.set(budget=40.0)
    assert len(seen) == 5 and not p.workflows.empty  # unobserved: no further call


def test_workflows_tab_escapes_template_strings() -> None:
    """Template names, titles and file names come from the server: every cell is escaped."""
    found = cf.discover(snapshot=FLEET)
    found.workflows = found.workflows.assign(title="<script>alert('t')</script>", template=HOSTILE)
    p = cf.picker(found, plot=None)
    assert not p.workflows.empty and p.workflows["template"].iloc[0] == HOSTILE  # the value is the raw name
    html = p.workflow_table.value
    assert "<script" not in html and "<img" not in html
    assert HOSTILE_ESCAPED in html and "&lt;script&gt;" in html


def test_workflows_tab_on_the_demo_snapshot_says_there_are_none() -> None:
    p = cf.picker(cf.discover(demo=True), plot=None)
    assert p.workflows.empty and not p.ranked.empty
    assert "No ready official workflow" in p.workflow_table.value and p.tabs.titles[1] == "ready workflows (0)"
