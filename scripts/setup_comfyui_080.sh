#!/usr/bin/env bash
# Build (once) a cached virtual environment holding ComfyUI 0.8.0 for the second set of live tests.
# PyPI carries no ComfyUI this new, so the source comes from a tarball next to the repo:
# ../shared/comfyui/ComfyUI-0.8.0-3cd7b32f.tar.gz (override with COMFYFRAME_COMFYUI_080_TARBALL).
# Prints the path of the environment's python on its last line (like setup_comfyui.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/comfyui_env.sh"
comfyui_env_begin "0.8.0"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARBALL="${COMFYFRAME_COMFYUI_080_TARBALL:-$ROOT/../shared/comfyui/ComfyUI-0.8.0-3cd7b32f.tar.gz}"
if [ ! -f "$TARBALL" ]; then
  echo "comfyframe: ComfyUI $COMFYUI_VERSION source $TARBALL not found; set COMFYFRAME_COMFYUI_080_TARBALL" >&2
  exit 1
fi
COMFY_DIR="$ENV_DIR/ComfyUI"

build_comfyui() {
  comfyui_env_venv || return
  tar -xzf "$TARBALL" -C "$ENV_DIR" || return
  test -f "$COMFY_DIR/main.py" || return
  # requests is imported by ComfyUI but not listed in its requirements.
  "${PIP[@]}" install -r "$COMFY_DIR/requirements.txt" requests || return
}
comfyui_env_build
comfyui_env_finish "$COMFY_DIR"
