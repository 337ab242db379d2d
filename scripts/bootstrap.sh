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
  echo "comfyframe: installing into $VENV (log: $VENV/pip.log)" >&2
  LOG="$VENV/pip.log"
  if ! { "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q --upgrade pip &&
         "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q -e "$ROOT$EXTRAS"; } >"$LOG" 2>&1; then
    tail -n 30 "$LOG" >&2
    echo "comfyframe: installation failed; the full log is $LOG" >&2
    exit 1
  fi
  touch "$STAMP"
fi
