"""Data flows one way: the modules that show or write tables never import the Discovery back."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "comfyframe"
READERS = ("_display", "_export", "_plots", "_picker", "_picker_state", "_safe_text", "_progress", "_validate")


def imported_modules(path: Path) -> set[str]:
    """Every comfyframe module ``path`` imports, at any depth of the file (TYPE_CHECKING blocks included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.add(node.module or "")
    return found


@pytest.mark.parametrize("module", READERS)
def test_readers_do_not_import_discovery(module: str) -> None:
    assert "_discovery" not in imported_modules(PACKAGE / f"{module}.py")


def test_no_import_cycles_between_package_modules() -> None:
    graph = {p.stem: {m for m in imported_modules(p) if (PACKAGE / f"{m}.py").exists()} for p in PACKAGE.glob("*.py")}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in graph.get(node, ()):
            if nxt in path:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif len(path) < len(graph):
                visit(nxt, path + [nxt])

    for start in graph:
        visit(start, [start])
    assert not cycles, cycles


def test_vocabulary_and_checks_load_without_pandas() -> None:
    code = "import sys, comfyframe._validate, comfyframe._safe_text; print('pandas' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_dir_shows_the_public_names_only() -> None:
    import comfyframe as cf

    assert dir(cf) == sorted(cf.__all__)
    assert not {"Any", "TYPE_CHECKING", "annotations", "import_module"} & set(dir(cf))
    for name in cf.__all__:
        assert getattr(cf, name) is not None, name
