#!/usr/bin/env bash
# The main job: install comfyframe and discover a ComfyUI server.
#   bash scripts/discover.sh [URL]
# Uses URL, else $COMFYUI_URL, else http://127.0.0.1:8188; when no server answers there
# and none was named, it shows the demo snapshot shipped with comfyframe instead.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/bootstrap.sh"
CF="$ROOT/.venv/bin/comfyframe"
if [ $# -gt 0 ] || [ -n "${COMFYUI_URL:-}" ]; then
  exec "$CF" discover "$@"
fi
if "$ROOT/.venv/bin/python" -c "import httpx,sys; httpx.get('http://127.0.0.1:8188/system_stats', timeout=3)" 2>/dev/null; then
  exec "$CF" discover http://127.0.0.1:8188
fi
echo "comfyframe: no server named and none at http://127.0.0.1:8188; showing the demo snapshot" >&2
exec "$CF" discover --demo
