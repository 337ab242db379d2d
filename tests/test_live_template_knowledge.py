"""Knowledge from templates on real ComfyUI servers: each version serves its own templates package.

Each server (and 0.33.0 once more with the newest templates package, 0.11.97) starts with an empty model tree; the test reads the templates it serves (``/templates/index.json``
and every local template), puts every file they name into the tree (sparse files of a typical size for their
folder), and checks that the discovery gives those files a family and every template a ready pipeline.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

import comfyframe as cf
from comfyframe.snapshot._snapshot import TEMPLATES_INDEX, template_route
from comfyframe.tables._templates import model_refs

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from bench_template_knowledge import FOLDERS, is_local, measure  # noqa: E402
from comfyui_server import (  # noqa: E402
    COMFYUI_VERSIONS,
    NEWEST_TEMPLATES,
    ModelFile,
    build_model_tree,
    ensure_comfyui,
    ensure_templates_package,
    start_comfyui,
)
from conftest import _unavailable  # noqa: E402

pytestmark = pytest.mark.live

GB = 10**9
TYPICAL_GB = {"checkpoints": 6.5, "diffusion_models": 12.0, "loras": 0.3, "vae": 0.3, "text_encoders": 5.0}


@pytest.fixture(scope="module", params=[*COMFYUI_VERSIONS, f"0.33.0+templates-{NEWEST_TEMPLATES}"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[cf.Discovery, dict[str, Any]]]:
    """(discovery, {template: workflow}) of a server whose tree holds every file its local templates name."""
    version, _, newest = str(request.param).partition("+")
    try:
        python, comfy_dir = ensure_comfyui(version)
    except Exception as exc:  # noqa: BLE001
        _unavailable(f"cannot build the ComfyUI {version} environment: {exc}")
    base = tmp_path_factory.mktemp(f"templates-{request.param}")
    pythonpath = []
    if newest:  # the newest package in front of the server's own, for that server process only
        try:
            pythonpath = [ensure_templates_package(NEWEST_TEMPLATES)]
        except RuntimeError as exc:
            _unavailable(f"cannot install comfyui-workflow-templates {NEWEST_TEMPLATES} (no network to PyPI?): {exc}")
    build_model_tree(base, files=[])
    try:
        handle = start_comfyui(base, python=python, comfy_dir=comfy_dir, pythonpath=pythonpath)
    except Exception as exc:  # noqa: BLE001
        _unavailable(f"ComfyUI {request.param} did not start: {exc}")
    try:
        with httpx.Client(base_url=handle.url, timeout=30) as client:
            index = client.get("/templates/index.json").json()
            local = [e["name"] for c in index for e in c.get("templates", []) if is_local(e)]
            bodies = {n: client.get(f"/templates/{quote(n, safe='')}.json").json() for n in local}
        files = {(f, n) for body in bodies.values() for f, n, _, _ in model_refs(body)}
        build_model_tree(base, files=[ModelFile(f, n, int(TYPICAL_GB.get(f, 1.0) * GB), "unknown") for f, n in sorted(files)])
        snapshot = cf.capture(handle.url, progress=False)
        if newest:  # the server serves the package put in front of its own
            assert (snapshot.system_stats or {}).get("system", {}).get("installed_templates_version") == NEWEST_TEMPLATES
        if TEMPLATES_INDEX not in snapshot.responses:  # before the capture records templates itself
            snapshot.responses[TEMPLATES_INDEX] = index
            snapshot.responses.update({template_route(n): b for n, b in bodies.items()})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cf.DegradedServerWarning)
            yield cf.Discovery(snapshot), bodies
    finally:
        handle.stop()


def test_every_official_file_gets_a_family_and_every_template_a_ready_pipeline(served: tuple[cf.Discovery, dict[str, Any]]) -> None:
    found, bodies = served
    assert len(bodies) > 20 and len(found.template_refs) > 50
    result = measure(found, bodies)
    got, total = sum(result[f][0] for f in FOLDERS), sum(result[f][1] for f in FOLDERS)
    assert total > 30 and got / total >= 0.97, {f: result[f] for f in FOLDERS}
    ready, templates, not_ready = result["templates"]
    assert ready == templates, not_ready
    sources = found.models["source"].value_counts()
    assert sources.get("template", 0) > 0  # the templates decided some files the rules alone do not know
