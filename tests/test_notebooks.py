"""The notebooks stay clean in git; running them is ``pytest --nbval-lax notebooks/``'s job."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_the_five_notebooks_exist() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01_discover.ipynb", "02_pick_models.ipynb", "03_inventory_export.ipynb", "04_housekeeping.ipynb",
        "05_workflows.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_valid_and_stripped(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook without code"
    assert all(not c.outputs and c.execution_count is None for c in code), "outputs must be stripped"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    source = "\n".join(c.source for c in code)
    # a real server when $COMFYUI_URL is set, the shipped demo (or a recorded) snapshot otherwise
    assert 'os.environ.get("COMFYUI_URL")' in source
    assert "cf.discover(demo=True)" in source or 'cf.discover(snapshot="data/' in source
    assert any("--nbval-lax" in c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_commands_the_notebooks_mention_exist(path: Path) -> None:
    from comfyframe._cli import build_parser

    commands = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    mentioned = set(re.findall(r"`comfyframe (\w+)", text))
    assert mentioned <= commands, mentioned - commands
