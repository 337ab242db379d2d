# Sourced by setup_comfyui.sh and setup_comfyui_source.sh: the cached, version-keyed ComfyUI environment.
# The cache lives outside the repo ($COMFYFRAME_CACHE, else ~/.cache/comfyframe), so repeated runs cost nothing.
# Usage: comfyui_env_begin VERSION (exits printing the python when the environment is ready), then define
# build_comfyui (steps ending in "|| return") and call comfyui_env_build, then comfyui_env_finish COMFY_DIR.

comfyui_env_begin() {
  COMFYUI_VERSION="$1"
  CACHE_ROOT="${COMFYFRAME_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/comfyframe}"
  ENV_DIR="$CACHE_ROOT/comfyui-$COMFYUI_VERSION-venv"
  STAMP="$ENV_DIR/.comfyframe-ready"
  LOG="$CACHE_ROOT/comfyui-$COMFYUI_VERSION-build.log"
  PYTHON_BIN="${COMFYFRAME_PYTHON:-python3}"
  PIP=("$ENV_DIR/bin/python" -m pip --disable-pip-version-check --no-input -q)
  if [ -f "$STAMP" ]; then
    echo "$ENV_DIR/bin/python"
    exit 0
  fi
}

# A fresh venv with pip upgraded and the CPU torch both ComfyUI versions run on.
comfyui_env_venv() {
  "$PYTHON_BIN" -m venv "$ENV_DIR" || return
  "${PIP[@]}" install --upgrade pip || return
  # These torch/torchvision releases resolve quickly here; others download gigabytes.
  "${PIP[@]}" install torch==2.14.1 torchvision==0.29.1 || return
}

comfyui_env_build() {
  echo "comfyframe: building ComfyUI $COMFYUI_VERSION environment in $ENV_DIR (about two minutes, about 6 GB;" \
    "remove it with: rm -rf $ENV_DIR)" >&2
  rm -rf "$ENV_DIR"
  mkdir -p "$CACHE_ROOT"
  # build_comfyui's steps end in "|| return": set -e does not apply inside a function used as a condition.
  if ! build_comfyui >"$LOG" 2>&1; then
    tail -n 30 "$LOG" >&2
    echo "comfyframe: building the ComfyUI $COMFYUI_VERSION environment failed; the full log is $LOG" >&2
    exit 1
  fi
}

comfyui_env_finish() {
  test -f "$1/main.py"
  echo "$1" > "$ENV_DIR/.comfyui-dir"
  touch "$STAMP"
  echo "$ENV_DIR/bin/python"
}
