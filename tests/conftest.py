"""Shared fixtures: the live ComfyUI server and the corpus of real-world captures."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from comfyui_server import (  # noqa: E402
    COMFYUI_VERSIONS,
    REPO_ROOT,
    ModelFile,
    ServerHandle,
    build_model_tree,
    ensure_comfyui,
    start_comfyui,
)


def _unavailable(reason: str) -> NoReturn:
    """Live tests must never be silently skipped in CI: fail there, skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class LiveComfyUI:
    """One of the session's real ComfyUI servers (0.3.75 or 0.8.0) and the files it serves."""

    url: str
    files: list[ModelFile]
    base_dir: Path
    handle: ServerHandle
    version: str = "0.3.75"

    @property
    def startup_seconds(self) -> float:
        return self.handle.startup_seconds

    def files_in(self, folder: str) -> list[ModelFile]:
        return [f for f in self.files if f.folder == folder]


@pytest.fixture(scope="session", params=COMFYUI_VERSIONS)
def comfyui(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveComfyUI]:
    """Build the model tree in a temp dir, start each ComfyUI version once per session, stop it at the end.

    Every live test runs against every version in ``COMFYUI_VERSIONS`` (test ids end in ``[0.3.75]``,
    ``[0.8.0]``).
    """
    version: str = request.param
    try:
        python, comfy_dir = ensure_comfyui(version)
    except Exception as exc:  # noqa: BLE001
        _unavailable(f"cannot build the ComfyUI {version} environment: {exc}")
    base_dir = tmp_path_factory.mktemp(f"comfyui-{version}-base")
    files = build_model_tree(base_dir)
    try:
        handle = start_comfyui(base_dir, python=python, comfy_dir=comfy_dir)
    except Exception as exc:  # noqa: BLE001
        _unavailable(f"ComfyUI did not start: {exc}")
    try:
        yield LiveComfyUI(url=handle.url, files=files, base_dir=base_dir, handle=handle, version=version)
    finally:
        handle.stop()


@pytest.fixture(scope="session", autouse=True)
def template_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Workflow templates fetched by tests (the CLI in subprocesses too) are cached in a session folder, not ~/.cache.

    Its own variable: ``$COMFYFRAME_CACHE`` also says where the cached ComfyUI environments live, which the
    live tests must keep finding (pointing it at a temp folder would rebuild every environment).
    """
    folder = tmp_path_factory.mktemp("comfyframe-templates")
    before = os.environ.get("COMFYFRAME_TEMPLATE_CACHE")
    os.environ["COMFYFRAME_TEMPLATE_CACHE"] = str(folder)
    try:
        yield folder
    finally:
        if before is None:
            os.environ.pop("COMFYFRAME_TEMPLATE_CACHE", None)
        else:
            os.environ["COMFYFRAME_TEMPLATE_CACHE"] = before


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """``../shared/corpus`` next to the repo (override with COMFYFRAME_CORPUS)."""
    path = Path(os.environ.get("COMFYFRAME_CORPUS") or REPO_ROOT.parent / "shared" / "corpus")
    if not path.is_dir():
        _unavailable(f"corpus directory {path} not found: the real-world captures of ../shared/corpus "
                     "(object_info dumps, system_stats, model sizes); set COMFYFRAME_CORPUS to their folder")
    return path
