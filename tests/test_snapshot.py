"""Saving and loading snapshots, and the errors bad files give."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

import comfyframe as cf


def sample() -> cf.Snapshot:
    return cf.Snapshot(
        url="http://127.0.0.1:8188",
        responses={"/object_info": {}, "/models": ["loras"], "/models/loras": ["a\\b.safetensors"],
                   "/view_metadata/loras?filename=a\\b.safetensors": None},
        failures={"/embeddings": {"error": "ServerHTTPError", "status": 404, "message": "gone"}},
    )


@pytest.mark.parametrize("name", ["snap.json", "snap.json.gz"])
def test_round_trip(tmp_path: Path, name: str) -> None:
    original = sample()
    path = original.save(tmp_path / name)
    loaded = cf.Snapshot.load(path)
    assert loaded == original
    assert loaded.folder_files("loras") == ["a\\b.safetensors"]  # backslashes kept as given
    if name.endswith(".gz"):
        assert path.read_bytes()[:2] == b"\x1f\x8b"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(cf.SnapshotError, match="No snapshot file"):
        cf.Snapshot.load(tmp_path / "nope.json")


def test_not_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(cf.SnapshotError, match="not valid JSON"):
        cf.Snapshot.load(bad)


def test_raw_object_info_is_not_a_snapshot(tmp_path: Path) -> None:
    raw = tmp_path / "object_info.json"
    raw.write_text(json.dumps({"KSampler": {}}))
    with pytest.raises(cf.SnapshotError, match="not a comfyframe snapshot"):
        cf.Snapshot.load(raw)


def test_newer_format_asks_for_upgrade(tmp_path: Path) -> None:
    data = sample().to_dict() | {"version": 99}
    path = tmp_path / "future.json.gz"
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    with pytest.raises(cf.SnapshotError, match="Upgrade comfyframe"):
        cf.Snapshot.load(path)


def test_damaged_gzip(tmp_path: Path) -> None:
    path = tmp_path / "cut.json.gz"
    path.write_bytes(gzip.compress(b'{"format": "comfyframe-snapshot"}')[:-6])
    with pytest.raises(cf.SnapshotError):
        cf.Snapshot.load(path)


@pytest.mark.parametrize("version", ["1", -7, 0, True, None, 1.5])
def test_invalid_format_versions_are_rejected(tmp_path: Path, version: object) -> None:
    data = sample().to_dict() | {"version": version}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(cf.SnapshotError, match="invalid format version") as info:
        cf.Snapshot.load(path)
    assert "Upgrade" not in str(info.value)


@pytest.mark.parametrize("entry", ["boom", 3, None, ["a"]])
def test_failure_entries_must_be_objects(tmp_path: Path, entry: object) -> None:
    data = sample().to_dict()
    data["failures"] = {"/embeddings": entry}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(cf.SnapshotError, match="failure entries must be objects"):
        cf.discover(snapshot=path)


def test_surrogates_in_a_snapshot_load_and_build_tables(tmp_path: Path) -> None:
    data = sample().to_dict()
    data["responses"]["/models/loras"] = ["caf\udce9.safetensors", "\ud800odd.safetensors"]
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(data))  # json.dumps escapes lone surrogates, like ComfyUI
    with pytest.warns(cf.DegradedServerWarning, match="/embeddings failed"):  # the sample's recorded 404
        found = cf.discover(snapshot=path)
    assert {"caf\\xe9.safetensors", "\\ud800odd.safetensors"} <= set(found.models["name"])


@pytest.mark.parametrize("name", ["raw.json", "raw.json.gz"])
def test_snapshot_holding_surrogates_saves(tmp_path: Path, name: str) -> None:
    snap = sample()
    snap.responses["/models/loras"] = ["caf\udce9.safetensors"]
    loaded = cf.Snapshot.load(snap.save(tmp_path / name))
    assert loaded.folder_files("loras") == ["caf\\xe9.safetensors"]


def test_damaged_fleet_file(tmp_path: Path) -> None:
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps({"format": "comfyframe-fleet", "version": 1, "snapshots": []}))
    with pytest.raises(cf.SnapshotError, match="non-empty 'snapshots' list"):
        cf.discover(snapshot=path)
