#!/usr/bin/env bash
# Build (once) a cached virtual environment holding ComfyUI 0.8.0 for the second set of live tests.
# PyPI carries no ComfyUI this new, so the source comes from a tarball next to the repo:
# ../shared/comfyui/ComfyUI-0.8.0-3cd7b32f.tar.gz (override with COMFYFRAME_COMFYUI_080_TARBALL).
# The cache lives outside the repo, keyed by version, so repeated runs cost nothing.
# Prints the path of the environment's python on its last line (like setup_comfyui.sh).
set -euo pipefail

COMFYUI_VERSION="0.8.0"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARBALL="${COMFYFRAME_COMFYUI_080_TARBALL:-$ROOT/../shared/comfyui/ComfyUI-0.8.0-3cd7b32f.tar.gz}"
CACHE_ROOT="${COMFYFRAME_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/comfyframe}"
ENV_DIR="$CACHE_ROOT/comfyui-$COMFYUI_VERSION-venv"
STAMP="$ENV_DIR/.comfyframe-ready"
PYTHON_BIN="${COMFYFRAME_PYTHON:-python3}"

if [ -f "$STAMP" ]; then
  echo "$ENV_DIR/bin/python"
  exit 0
fi
if [ ! -f "$TARBALL" ]; then
  echo "comfyframe: ComfyUI $COMFYUI_VERSION source $TARBALL not found; set COMFYFRAME_COMFYUI_080_TARBALL" >&2
  exit 1
fi

echo "comfyframe: building ComfyUI $COMFYUI_VERSION environment in $ENV_DIR (about two minutes)" >&2
rm -rf "$ENV_DIR"
mkdir -p "$CACHE_ROOT"
LOG="$CACHE_ROOT/comfyui-$COMFYUI_VERSION-build.log"
COMFY_DIR="$ENV_DIR/ComfyUI"
build() {
  # Each step ends in "|| return": set -e does not apply inside a function used as a condition.
  "$PYTHON_BIN" -m venv "$ENV_DIR" || return
  tar -xzf "$TARBALL" -C "$ENV_DIR" || return
  test -f "$COMFY_DIR/main.py" || return
  local pip=("$ENV_DIR/bin/python" -m pip --disable-pip-version-check --no-input -q)
  "${pip[@]}" install --upgrade pip || return
  # These torch/torchvision releases resolve quickly here; others download gigabytes.
  "${pip[@]}" install torch==2.14.1 torchvision==0.29.1 || return
  # requests is imported by ComfyUI but not listed in its requirements.
  "${pip[@]}" install -r "$COMFY_DIR/requirements.txt" requests || return
}
if ! build >"$LOG" 2>&1; then
  tail -n 30 "$LOG" >&2
  echo "comfyframe: building the ComfyUI $COMFYUI_VERSION environment failed; the full log is $LOG" >&2
  exit 1
fi

echo "$COMFY_DIR" > "$ENV_DIR/.comfyui-dir"
touch "$STAMP"
echo "$ENV_DIR/bin/python"
