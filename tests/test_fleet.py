"""Fleets of identical servers share their table builds, and get exactly the tables each would get alone."""

from __future__ import annotations

import copy
import json

import pandas as pd
import pandas.testing as pdt

import comfyframe as cf
from comfyframe._frames import build_fleet_frames

TABLES = ("hardware", "nodes", "edges", "models", "pipelines", "capabilities", "usage")


def _demo_snapshot() -> cf.Snapshot:
    return cf.discover(demo=True).snapshot


def _as(snapshot: cf.Snapshot, url: str, responses: dict[str, object] | None = None) -> cf.Snapshot:
    return cf.Snapshot(url=url, responses=dict(snapshot.responses if responses is None else responses),
                       failures=dict(snapshot.failures))


def test_identical_servers_share_one_build_and_different_ones_do_not() -> None:
    demo = _demo_snapshot()
    other = copy.deepcopy(demo.responses)  # equal content, its own objects: shared only where identity is
    fewer = dict(demo.responses)
    folder = next(k for k in demo.responses if k.startswith("/models/") and demo.responses[k])
    fewer[folder] = list(demo.responses[folder])[1:]  # one file less in one folder
    # each server parses its own small answers: equal values, other string objects (orjson caches some keys)
    reparsed = {k: v if k == "/object_info" else json.loads(json.dumps(v)) for k, v in demo.responses.items()}
    snapshots = [_as(demo, "http://a:1"), _as(demo, "http://b:1"), _as(demo, "http://c:1", fewer),
                 _as(demo, "http://d:1", other), _as(demo, "http://e:1", reparsed)]
    _, groups = build_fleet_frames(snapshots)
    assert groups == [0, 0, 1, 2, 0]


def test_a_fleet_has_exactly_the_tables_of_each_server_discovered_alone() -> None:
    demo = _demo_snapshot()
    fewer = dict(demo.responses)
    folder = next(k for k in demo.responses if k.startswith("/models/") and demo.responses[k])
    fewer[folder] = list(demo.responses[folder])[1:]
    stats = copy.deepcopy(demo.responses["/system_stats"])
    stats["devices"][0]["vram_free"] //= 3  # same image, another card's free memory: its own budget
    snapshots = [_as(demo, "http://a:1"), _as(demo, "http://b:1", {**demo.responses, "/system_stats": stats}),
                 _as(demo, "http://c:1", fewer), _as(demo, "http://d:1")]
    fleet = cf.Discovery(snapshots, warn=False)
    alone = [cf.Discovery(s, warn=False) for s in snapshots]
    for name in ("hardware", "nodes", "edges", "models", "usage"):  # stacked server by server
        expected = pd.concat([getattr(a, name) for a in alone], ignore_index=True)
        pdt.assert_frame_equal(getattr(fleet, name), expected, obj=name)
    for snapshot, single in zip(snapshots, alone):
        for name in TABLES:
            mine = getattr(fleet, name)
            part = mine[mine["server"] == snapshot.url].reset_index(drop=True)
            if "model_row" in part:  # a row of the models table: of the fleet's, so offset by the servers before
                offset = int((fleet.models["server"] == snapshot.url).to_numpy().argmax())
                part["model_row"] = part["model_row"] - offset
            pdt.assert_frame_equal(part, getattr(single, name).reset_index(drop=True), obj=f"{snapshot.url} {name}")
    ready = fleet.pipelines.groupby("server", sort=False)["vram_gb"].count()
    assert len(ready) == len(snapshots)


def test_relabelled_tables_do_not_share_the_server_column() -> None:
    demo = _demo_snapshot()
    parts, _ = build_fleet_frames([_as(demo, "http://a:1"), _as(demo, "http://b:1")])
    assert set(parts[0].models["server"]) == {"http://a:1"}
    assert set(parts[1].models["server"]) == {"http://b:1"}
    assert parts[1].models["server"].dtype == parts[0].models["server"].dtype == "string"
