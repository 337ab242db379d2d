"""The picker's state: what it computes, tested without any widget library."""

from __future__ import annotations

import sys

import pandas as pd
import pytest
from test_picker import I2V, MODELS, T2I, T2V, B, device, make_discovery, model

from comfyframe.views._picker_state import ANY, PickerState


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
