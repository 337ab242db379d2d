"""The picker's state: what it computes, tested without any widget library."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from test_picker import I2V, MODELS, T2I, T2V, B, device, make_discovery, model

import comfyframe as cf
from comfyframe.views._picker_state import ANY, PickerState
from comfyframe.workflows._rank import RANKED_COLUMNS


@pytest.fixture(autouse=True)
def _no_widgets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # the state must not need them


def test_state_ranks_with_the_discoverys_best_for() -> None:
    found = make_discovery(MODELS, [device(budget=19.5)])
    state = PickerState(found)
    state.rerank()
    assert (state.capability, state.budget, state.choice) == (T2I, 19.5, 0)
    pd.testing.assert_frame_equal(state.ranked.drop(columns="name"), found.best_for(T2I, max_vram=19.5))
    assert state.value is not None and state.value["name"] == "flux1-dev.safetensors"
    assert state.model is not None and state.model["folder"] == "diffusion_models"


def test_filters_narrow_the_ranking_and_renumber_it() -> None:
    state = PickerState(make_discovery(MODELS, [device()]))
    state.apply({"family": "sdxl", "budget": 40})
    state.rerank()
    assert state.ranked["name"].tolist() == ["sdxl_base.safetensors", "sdxl_lightning.safetensors"]
    assert state.ranked["rank"].tolist() == [1, 2]
    assert [v for _, v in state.family_options][0] == ANY
    state.apply({"capability": T2V})  # sdxl cannot do video: the filter falls back to any
    assert state.family == ANY


def test_new_device_offers_its_servers_capabilities_and_budget() -> None:
    rows = MODELS + [model("b_svd.safetensors", 9.0, 5, [I2V], family="svd", server=B)]
    state = PickerState(make_discovery(rows, [device(), device(B, 0, total=16.0, free=15.0, budget=14.0)]))
    state.apply({"device": 1})
    assert state.capability_options == [I2V] and state.capability == I2V and state.budget == 14.0
    state.rerank()
    assert state.ranked["name"].tolist() == ["b_svd.safetensors"]


def test_zero_budget_fits_nothing_and_says_what_would() -> None:
    state = PickerState(make_discovery(MODELS, [device()]))
    state.apply({"budget": 0.0})
    state.rerank()
    assert state.ranked.empty and state.value is None and state.choice is None
    assert state.smallest_need() == pytest.approx(4.2)


def test_state_rejects_what_the_server_cannot_offer() -> None:
    state = PickerState(make_discovery(MODELS, [device()]))
    with pytest.raises(ValueError, match="not offered"):
        state.apply({"capability": "text_to_audio"})
    with pytest.raises(ValueError, match="Unknown capability"):
        state.apply({"capability": "text_to_smell"})
    with pytest.raises(TypeError, match="unknown control"):
        state.apply({"colour": "red"})
    state.apply({"budget": 100})
    assert state.budget_max == 100.0


# --------------------------------------------------------------------------- ready official workflows

FLEET = Path(__file__).parent.parent / "notebooks" / "data" / "workflows_fleet.json.gz"


@pytest.fixture(scope="module")
def fleet() -> cf.Discovery:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)
        return cf.discover(snapshot=FLEET)


def test_workflows_follow_capability_device_and_budget(fleet: cf.Discovery) -> None:
    """A recorded two-server fleet with templates: the state lists what best_workflow ranks ready and official."""
    state = PickerState(fleet)
    state.rerank()
    seen = 0
    for device_row, (_, hw) in enumerate(fleet.hardware.iterrows()):
        state.apply({"device": device_row})
        for capability in state.capability_options:
            state.apply({"capability": capability})
            state.rerank()
            every = fleet.best_workflow(capability, max_vram=state.budget, server=hw["server"],
                                        device=int(hw["device_index"]))
            expected = every[every["source"].eq("official") & every["ready"]]
            assert state.workflows["template"].tolist() == expected["template"].tolist()
            assert state.workflows["rank"].tolist() == list(range(1, len(expected) + 1))
            assert set(state.workflows["server"]) <= {hw["server"]}
            assert state.workflows["vram_gb"].le(state.budget).all()
            seen += len(expected)
    assert seen > 0
    state.apply({"device": 0, "capability": T2I})
    state.rerank()
    ready = fleet.workflows
    ready = ready[ready["server"].eq(fleet.hardware["server"].iloc[0]) & ready["ready"] & ready["source"].eq("official")
                  & ready["capabilities"].map(lambda caps: T2I in caps)]
    assert len(state.workflows) == len(ready) > 0  # the device's whole budget: every ready template that fits it
    smallest = float(state.workflows["vram_gb"].min())
    state.apply({"budget": smallest})
    state.rerank()
    assert state.workflows["vram_gb"].max() <= smallest and len(state.workflows) < len(ready)
    state.apply({"budget": smallest - 0.1})
    state.rerank()
    assert state.workflows.empty  # below the smallest ready template: none fits


def test_no_workflows_on_the_demo_snapshot_or_a_discovery_without_best_workflow() -> None:
    demo = cf.discover(demo=True)  # recorded before templates were captured
    state = PickerState(demo)
    state.rerank()
    assert state.workflows.empty and list(state.workflows.columns) == list(RANKED_COLUMNS)
    assert not state.ranked.empty  # the pipelines are ranked all the same
    found = make_discovery(MODELS, [device()])
    duck = SimpleNamespace(models=found.models, hardware=found.hardware, pipelines=found.pipelines,
                           best_for=found.best_for)
    bare = PickerState(duck)
    bare.rerank()
    assert bare.workflows.empty and not bare.ranked.empty
