"""A discovery pauses Python's cycle collector while it builds, and always leaves it as it found it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

import comfyframe as cf
from comfyframe._discovery import collector_paused


@pytest.fixture
def collector() -> Iterator[None]:
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_paused_inside_and_enabled_after(collector: None) -> None:
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # re-entrant: the inner exit does not resume it
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_enabled_again_after_an_error(collector: None) -> None:
    gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled(collector: None) -> None:
    gc.disable()
    cf.Discovery(cf.demo_snapshot(), warn=False)
    assert not gc.isenabled()


def test_discovery_leaves_the_collector_running(collector: None) -> None:
    gc.enable()
    found = cf.discover(demo=True)
    assert gc.isenabled() and len(found.models) > 0
