"""The package's layers, stated as import-linter contracts in pyproject.toml, hold.

Data flows one way (HTTP -> snapshot -> tables -> inference -> pipelines -> views -> entry points), HTTP
imports no pandas, and the views, export and CLI read tables rather than the capture internals.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "comfyframe"
LINT = [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"]


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` with the project's contracts over the ``comfyframe`` package found in ``tree``."""
    env = {"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONNOUSERSITE": "1"}
    return subprocess.run([*LINT, "--config", str(ROOT / "pyproject.toml"), "--no-cache"], cwd=tree,
                          capture_output=True, text=True, env=env, timeout=300)  # fmt: skip


def test_the_layer_contracts_hold() -> None:
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("http/_urls.py", "from ..views import _display", "Data flows one way"),
        ("tables/_nodes.py", "from ..inference import _infer", "Data flows one way"),
        ("http/_urls.py", "import pandas", "HTTP imports no pandas"),
        ("views/_export.py", "from ..snapshot import _capture", "never the capture internals"),
        ("views/_plots.py", "from .. import _discovery", "Views take tables, not the Discovery"),
    ],
)
def test_a_wrong_way_import_is_named(tmp_path: Path, module: str, line: str, contract: str) -> None:
    shutil.copytree(PACKAGE, tmp_path / "comfyframe", ignore=shutil.ignore_patterns("__pycache__", "data"))
    target = tmp_path / "comfyframe" / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    done = lint(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{contract}" in done.stdout and "BROKEN" in done.stdout
    importer = "comfyframe." + module.removesuffix(".py").replace("/", ".")
    assert importer in done.stdout, done.stdout  # the offending import is named


def test_the_top_holds_only_the_entry_points() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 10, top
    for stage in (p for p in PACKAGE.iterdir() if (p / "__init__.py").exists()):
        doc = (stage / "__init__.py").read_text()
        assert doc.startswith('"""') and "Imports" in doc, f"{stage.name}/__init__.py says what it holds and imports"


def test_vocabulary_and_checks_load_without_pandas() -> None:
    code = "import sys, comfyframe.support._validate, comfyframe.support._safe_text, comfyframe.http._client; print('pandas' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_dir_shows_the_public_names_only() -> None:
    import comfyframe as cf

    assert dir(cf) == sorted(cf.__all__)
    assert not {"Any", "TYPE_CHECKING", "annotations", "import_module"} & set(dir(cf))
    for name in cf.__all__:
        assert getattr(cf, name) is not None, name
    assert callable(cf.capture) and callable(cf.diff), "a stage's subpackage never shadows a public name"
