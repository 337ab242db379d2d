"""The default transport's pool assigns requests exactly as httpcore's own pool does, in linear time."""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

import httpcore

from comfyframe.http._transport import _Pool, _pool_class, default_transport


class _Connection:
    """A pool connection reduced to the states the assignment reads; HTTP/1.1: one request at a time."""

    def __init__(self, ident: int, origin: str, closed: bool, expired: bool, idle: bool, available: bool) -> None:
        self.ident, self.origin = ident, origin
        self.closed, self.expired, self.idle, self.available = closed, expired, idle, available

    def is_closed(self) -> bool:
        return self.closed

    def has_expired(self) -> bool:
        return self.expired

    def is_idle(self) -> bool:
        return self.idle

    def is_available(self) -> bool:
        return self.available

    def can_handle_request(self, origin: str) -> bool:
        return origin == self.origin


class _Request:
    def __init__(self, ident: int, origin: str, connection: _Connection | None) -> None:
        self.ident = ident
        self.request = SimpleNamespace(url=SimpleNamespace(origin=origin))
        self.connection = connection

    def is_queued(self) -> bool:
        return self.connection is None

    def assign_to_connection(self, connection: _Connection) -> None:
        self.connection = connection
        connection.idle = connection.available = False


def _random_state(rng: random.Random) -> dict[str, Any]:
    origins = ["http://a:1", "http://b:2"]
    connections = [
        (i, rng.choice(origins), rng.random() < 0.1, rng.random() < 0.1, rng.random() < 0.5, rng.random() < 0.4)
        for i in range(rng.randint(0, 10))
    ]
    requests = [(100 + i, rng.choice(origins), rng.random() < 0.7) for i in range(rng.randint(0, 8))]
    limit = rng.randint(1, 10)
    return {"connections": connections, "requests": requests, "max": limit, "keepalive": min(rng.randint(0, 10), limit)}


def _assign(method: Any, state: dict[str, Any]) -> tuple[list[int], list[int], list[tuple[int, int | None]]]:
    """Run one assignment ``method`` on a fresh pool in ``state``: (pool, closing, request -> connection) by id."""
    connections = [_Connection(*c) for c in state["connections"]]
    busy = [c for c in connections if not c.closed]
    requests = [_Request(i, origin, None if queued or not busy else busy[i % len(busy)])
                for i, origin, queued in state["requests"]]  # fmt: skip
    made = iter(range(1000, 2000))
    pool = object.__new__(httpcore.AsyncConnectionPool)
    pool._connections, pool._requests = connections, requests  # type: ignore[assignment]
    pool._max_connections, pool._max_keepalive_connections = state["max"], state["keepalive"]
    pool.create_connection = lambda origin: _Connection(next(made), origin, False, False, False, False)  # type: ignore[method-assign,assignment,return-value]
    closing = method(pool)
    return ([c.ident for c in pool._connections], [c.ident for c in closing],  # type: ignore[attr-defined]
            [(r.ident, None if r.connection is None else r.connection.ident) for r in requests])  # fmt: skip


def test_the_same_assignments_as_httpcore_on_random_pools() -> None:
    rng = random.Random(7)
    original = httpcore.AsyncConnectionPool._assign_requests_to_connections
    for _ in range(3000):
        state = _random_state(rng)
        assert _assign(_Pool._assign_requests_to_connections, state) == _assign(original, state), state


def test_the_default_transport_uses_it() -> None:
    assert _pool_class() is _Pool  # the installed httpcore has the method it rewrites
    transport = default_transport("http://127.0.0.1:8188", True)
    assert isinstance(transport._pool, _Pool)  # type: ignore[attr-defined]
