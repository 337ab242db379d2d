"""A discovery pauses Python's cycle collector while it builds, and always leaves it as it found it."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

import comfyframe as cf
from comfyframe.support._collector import MAX_PROMOTIONS, collector_paused


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


def test_what_survives_the_pause_is_old_without_a_young_collection(collector: None) -> None:
    gc.enable()
    with collector_paused():
        kept = [[i] for i in range(100)]
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(kept) in oldest and all(id(item) in oldest for item in kept)
    assert not any(o is kept for o in gc.get_objects(generation=0))


def test_objects_the_application_froze_stay_frozen(collector: None) -> None:
    gc.enable()
    frozen = [object()]
    gc.freeze()
    try:
        count = gc.get_freeze_count()
        with collector_paused():
            [[i] for i in range(100)]
        assert gc.get_freeze_count() == count > 0
    finally:
        gc.unfreeze()
    del frozen


class _Node:
    other: _Node


def _garbage_cycle() -> weakref.ref[_Node]:
    """Two objects that only refer to each other: garbage only the cycle collector frees."""
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_cyclic_garbage_made_during_the_pause_is_still_collected(collector: None) -> None:
    gc.enable()
    with collector_paused():
        alive = _garbage_cycle()
    assert alive() is not None  # a cycle: reference counting cannot free it
    gc.collect()
    assert alive() is None


def test_a_program_that_only_discovers_still_frees_its_cycles(collector: None) -> None:
    """Promoted objects never trigger a full collection; the pauses themselves run one now and then."""
    gc.enable()
    gc.collect()
    with collector_paused():
        alive = _garbage_cycle()
    for _ in range(MAX_PROMOTIONS + 1):
        with collector_paused():
            pass
    assert alive() is None
