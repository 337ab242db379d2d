"""Python's cycle collector around a discovery: paused while it builds, its survivors filed as old.

A discovery allocates millions of objects (the parsed ``/object_info``, the tables). Each collection
those allocations trigger walks all of them, which costs more than the work itself, and nothing built
there needs the collector: reference counting frees it. So the collector is paused, and what survives
(long-lived by nature) goes straight to the oldest generation: otherwise the first young collection
after the pause walks all of it (10-14 ms for the largest corpus ``/object_info``) only to promote it.

Promoted objects do not count towards CPython's trigger for a full collection, so the little cyclic
garbage a discovery leaves (asyncio's closed transports) would wait in the oldest generation for one.
A program that does nothing but discover would never run one; after ``MAX_PROMOTIONS`` pauses with
no full collection in between, the next pause ends with one instead of a promotion.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

MAX_PROMOTIONS = 32


class _Promotions:
    """Pauses whose survivors were promoted since the oldest generation was last collected."""

    count = 0
    full_collections = -1  # gc.get_stats()'s count for the oldest generation when ``count`` was last checked


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for the block (re-entrant: an inner pause leaves it to the outer one)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        _end_pause()
        gc.enable()


def _end_pause() -> None:
    if gc.get_freeze_count():  # never thaw objects the application froze (e.g. before a fork)
        return
    full = gc.get_stats()[-1]["collections"]
    if full != _Promotions.full_collections:  # collected since: what earlier pauses promoted is settled
        _Promotions.count, _Promotions.full_collections = 0, full
    if _Promotions.count >= MAX_PROMOTIONS:
        gc.collect()
        _Promotions.count, _Promotions.full_collections = 0, gc.get_stats()[-1]["collections"]
        return
    gc.freeze()  # every tracked object to the permanent generation, without walking it ...
    gc.unfreeze()  # ... and back into the oldest one
    _Promotions.count += 1
