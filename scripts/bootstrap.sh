#!/usr/bin/env bash
# Create (or refresh) the project's virtual environment in .venv and install comfyframe into it.
#   bash scripts/bootstrap.sh          # the package and its runtime dependencies
#   bash scripts/bootstrap.sh test     # plus test, Parquet and browser-test extras
# Re-running is cheap: nothing is reinstalled unless pyproject.toml changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON_BIN="${COMFYFRAME_PYTHON:-python3}"
VENV="$ROOT/.venv"
EXTRAS=""
[ "${1:-}" = "test" ] && EXTRAS="[test,browser]"

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON_BIN" -m venv "$VENV"
fi
STAMP="$VENV/.comfyframe-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)-${1:-run}"
if [ ! -f "$STAMP" ]; then
  "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q --upgrade pip >&2
  "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q -e "$ROOT$EXTRAS" >&2
  touch "$STAMP"
fi
