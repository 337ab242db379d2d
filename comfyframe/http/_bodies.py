"""Answers as JSON, and what the servers of one discovery share about them.

:func:`decode_json` turns a body into JSON or a clear :class:`UnexpectedPayload`; a
:class:`SharedBodies` parses identical large bodies of a fleet once and bounds how many are
read at once; :class:`LargeRead` is one request's claim on that bound.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Hashable
from typing import Any

import orjson

from ..errors import UnexpectedPayload
from ..support._safe_text import scrub_surrogates
from ._urls import printable


class SharedBodies:
    """Large answers of one discovery: parsed once when identical, and only a few read at once.

    Render farms run identical images: twenty servers send the same megabytes of ``/object_info``.
    A large body is compared with the distinct ones already seen, by length and then byte for byte
    (cheaper than hashing every body), and an identical one gets the parsed object of the first:
    the snapshots share it (snapshots are read, never changed). At most ``KEEP_BYTES`` of distinct
    bodies are kept to compare with; past that a new body is parsed on its own. A discovery of one
    server (``servers=1``) keeps none: no other server will send the same body.

    ``reading`` bounds the large bodies held at once: a body takes a permit when it reaches
    ``LARGE_BYTES`` (or announces that much) and gives it back once parsed, so a hundred servers
    do not hold a hundred bodies at the same time. Time spent waiting for a permit does not count
    against the request's timeout.

    ``claims`` maps a key the caller chooses to the future answer of the first server that asked;
    the capture uses it to let one server answer for others where its evidence rule says the
    answers are the same (see ``_capture``). The client itself never reads it.
    """

    MIN_BYTES = 256 << 10  # small answers are parsed on their own: cheaper than keeping them
    LARGE_BYTES = 1 << 20
    LARGE_READS = 4
    KEEP_BYTES = 64 << 20

    def __init__(self, servers: int = 2) -> None:
        self._seen: dict[int, list[tuple[bytes, Any]]] = {}
        self._kept = 0
        self._keep_limit = self.KEEP_BYTES if servers > 1 else 0  # one server: no other body to compare with
        self._reading: asyncio.Semaphore | None = None
        self.claims: dict[Hashable, asyncio.Future[Any]] = {}

    @property
    def reading(self) -> asyncio.Semaphore:
        if self._reading is None:  # made on first use, inside the event loop that runs the discovery
            self._reading = asyncio.Semaphore(self.LARGE_READS)
        return self._reading

    def decode(self, body: bytes | bytearray, full: str, kind: str) -> Any:
        if len(body) < self.MIN_BYTES:
            return decode_json(body, full, kind)
        same_length = self._seen.setdefault(len(body), [])
        for seen, parsed in same_length:
            if seen == body:
                return parsed
        parsed = decode_json(body, full, kind)
        if self._kept + len(body) <= self._keep_limit:
            same_length.append((bytes(body), parsed))
            self._kept += len(body)
        return parsed


class LargeRead:
    """One request's claim on :attr:`SharedBodies.reading`, and how long it waited for it."""

    def __init__(self, shared: SharedBodies) -> None:
        self.shared = shared
        self.held = False
        self.waited = 0.0
        self.granted: asyncio.Future[None] | None = None  # done when the wait for a permit is over
        # Python 3.11+: the request's timeout and its deadline, pushed back by the time a permit took.
        self.timer: asyncio.Timeout | None = None
        self.deadline = 0.0

    @property
    def waiting(self) -> bool:
        return self.granted is not None and not self.granted.done()

    async def acquire(self) -> None:
        if self.held:
            return
        loop = asyncio.get_running_loop()
        started = loop.time()
        self.granted = loop.create_future()
        timer = self.timer if self.timer is not None and not self.timer.expired() else None
        if timer is not None:
            timer.reschedule(None)  # the clock stops until the permit is granted
        try:
            await self.shared.reading.acquire()
            self.held = True
        finally:
            self.waited += loop.time() - started
            self.granted.set_result(None)
            if timer is not None and not timer.expired():
                timer.reschedule(self.deadline + self.waited)

    def release(self) -> None:
        if self.held:
            self.held = False
            self.shared.reading.release()


MAX_DEPTH = 255  # ComfyUI's answers nest about a dozen levels; orjson writes at most 255


def _shallow(value: Any, body: bytes | bytearray, full: str, *, fast: bool) -> Any:
    """``value`` unless it nests deeper than :data:`MAX_DEPTH` (it could not be saved): then UnexpectedPayload."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:  # too few brackets to nest that deep
        return value
    deep = False
    if fast:  # orjson writes megabytes in milliseconds and refuses to nest past 255 levels
        try:
            orjson.dumps(value)
        except orjson.JSONEncodeError:
            deep = True
    else:
        deep = _depth(value) > MAX_DEPTH
    if deep:
        raise _too_deep(full)
    return value


def _too_deep(full: str) -> UnexpectedPayload:
    return UnexpectedPayload(
        f"{full} answered JSON nested more than {MAX_DEPTH} levels deep; ComfyUI's answers nest about a "
        "dozen. It was not kept (it could not be saved in a snapshot).",
        full,
    )


def _depth(value: Any) -> int:
    """How deep ``value`` nests (stops counting past :data:`MAX_DEPTH`), without recursion."""
    stack, deepest = [(value, 1)], 0
    while stack and deepest <= MAX_DEPTH:
        item, level = stack.pop()
        deepest = max(deepest, level)
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def decode_json(body: bytes | bytearray, full: str, kind: str) -> Any:
    if not body or body.isspace():  # not strip(): that copies megabytes to test for nothing
        raise UnexpectedPayload(
            f"{full} gave an empty answer where ComfyUI sends JSON. Is it a ComfyUI server, and is a proxy "
            "in front of it cutting answers?",
            full,
        )
    try:
        # orjson: /object_info of a server with many node packs is several megabytes.
        return _shallow(orjson.loads(body), body, full, fast=True)
    except orjson.JSONDecodeError:
        pass
    try:
        # ComfyUI on Linux sends non-UTF-8 file names as lone surrogates (\udcXX), which orjson rejects;
        # they become visible \xNN escapes, so the row is kept and every later encoder accepts it.
        return scrub_surrogates(_shallow(json.loads(body), body, full, fast=False))
    except RecursionError:
        raise _too_deep(full) from None
    except ValueError:
        kind = kind or "an unknown content type"
        raise UnexpectedPayload(
            f"{full} answered with {printable(kind)}, not JSON: it does not look like a ComfyUI server "
            "(a login page or another web app behind the same address?), or the answer was cut short.",
            full,
        ) from None
