#!/usr/bin/env bash
# Build (once) a cached virtual environment holding a ComfyUI newer than PyPI's, for the live tests:
#   bash scripts/setup_comfyui_source.sh 0.8.0 | 0.33.0
# PyPI carries no ComfyUI this new, so the source comes from a tarball next to the repo, in
# ../shared/comfyui/ (override the folder with COMFYFRAME_COMFYUI_SOURCES).
# Prints the path of the environment's python on its last line (like setup_comfyui.sh).
# Exits 3, naming the missing tarball, when the source is not there (a plain clone without ../shared).
set -euo pipefail
VERSION="${1:?usage: setup_comfyui_source.sh VERSION (0.8.0 or 0.33.0)}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SOURCES="${COMFYFRAME_COMFYUI_SOURCES:-$ROOT/../shared/comfyui}"
case "$VERSION" in
  0.8.0) TARBALL="$SOURCES/ComfyUI-0.8.0-3cd7b32f.tar.gz" ;;
  0.33.0) TARBALL="$SOURCES/ComfyUI-0.33.0-783545f6.tar.gz" ;;
  *) echo "comfyframe: no ComfyUI source tarball is known for version $VERSION (0.8.0, 0.33.0)" >&2; exit 2 ;;
esac
source "$(dirname "${BASH_SOURCE[0]}")/comfyui_env.sh"
comfyui_env_begin "$VERSION"

if [ ! -f "$TARBALL" ]; then
  echo "comfyframe: ComfyUI $VERSION source $TARBALL not found (it comes with ../shared/comfyui; set COMFYFRAME_COMFYUI_SOURCES)" >&2
  exit 3
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
