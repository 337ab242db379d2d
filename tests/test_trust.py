"""A headline answer people can trust (issue 20): broken files, budgets, fleets, job sizes, nothing-fits reasons."""

from __future__ import annotations

import copy
import warnings

import pytest

import comfyframe as cf
from comfyframe.snapshot._snapshot import Snapshot, details_route, folder_route, metadata_route


@pytest.fixture(scope="module")
def demo() -> cf.Discovery:
    return cf.discover(demo=True)


def with_files(snapshot: Snapshot, folder: str, files: dict[str, int], *, url: str | None = None) -> Snapshot:
    """A copy of ``snapshot`` whose ``folder`` also lists ``files`` (name -> size in bytes)."""
    snap = copy.deepcopy(snapshot)
    if url is not None:
        snap.url = url
    snap.responses[folder_route(folder)] = [*snap.responses[folder_route(folder)], *files]
    snap.responses[details_route(folder)] = [
        *snap.responses[details_route(folder)],
        *({"name": name, "pathIndex": 0, "modified": 1748736000.0, "size": size} for name, size in files.items()),
    ]
    return snap


def quiet(snapshot: Snapshot | list[Snapshot]) -> cf.Discovery:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cf.Discovery(snapshot)


def test_empty_file_is_broken_never_a_part_never_ranked(demo: cf.Discovery) -> None:
    snap = with_files(demo.snapshot, "checkpoints", {"broken_download.safetensors": 0, "sdxl_copy.safetensors": 7})
    found = quiet(snap)
    models = found.models.set_index("name")
    assert models.loc["broken_download.safetensors", "broken"] == "empty file (0 bytes)"
    assert "shorter than a safetensors header" in models.loc["sdxl_copy.safetensors", "broken"]
    assert models.loc["broken_download.safetensors", "capabilities"] == ()
    assert models.loc["sd_xl_base_1.0.safetensors", "broken"] == ""
    names = {"broken_download.safetensors", "sdxl_copy.safetensors"}
    pipes = found.pipelines
    assert not pipes["generator"].isin(names).any()
    assert not any(c.rsplit("/", 1)[-1] in names for parts in pipes["components"] for c in parts)
    for prefer in ("quality", "speed"):
        ranked = found.best_for("text_to_image", prefer=prefer, ready=False)
        assert not ranked["generator"].isin(names).any()
    status = found.status()
    assert "2 broken files (never ranked)" in status
    assert "checkpoints/broken_download.safetensors: empty file (0 bytes)" in status


def test_unreadable_header_is_broken_only_when_siblings_answer(demo: cf.Discovery) -> None:
    snap = copy.deepcopy(demo.snapshot)
    key = metadata_route("checkpoints", "sd_xl_base_1.0.safetensors")
    snap.responses.pop(key, None)
    snap.failures[key] = {"error": "ServerHTTPError", "status": 500, "message": "HTTP 500"}
    models = quiet(snap).models.set_index("name")
    assert "HTTP 500" in models.loc["sd_xl_base_1.0.safetensors", "broken"]
    assert not quiet(snap).best_for("text_to_image", ready=False)["generator"].eq("sd_xl_base_1.0.safetensors").any()
    # every metadata request of the folder failed: the server, not the file, is at fault
    lone = copy.deepcopy(snap)
    for route in [k for k in lone.responses if k.startswith("/view_metadata/checkpoints?")]:
        lone.responses.pop(route)
        lone.failures[route] = {"error": "ServerHTTPError", "status": 500, "message": "HTTP 500"}
    assert quiet(lone).models["broken"].eq("").all()
