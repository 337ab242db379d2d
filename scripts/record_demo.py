"""Re-record the demo snapshot shipped in ``comfyframe/data/demo_snapshot.json.gz``.

Starts the real ComfyUI 0.3.75 test server (the same one the live tests use:
``tests/comfyui_server.py`` builds its sparse model tree and custom-node packs),
captures it with comfyframe and writes the snapshot into the package.

    .venv/bin/python scripts/record_demo.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from comfyui_server import build_model_tree, ensure_comfyui, start_comfyui  # noqa: E402

import comfyframe as cf  # noqa: E402

TARGET = ROOT / "comfyframe" / "data" / "demo_snapshot.json.gz"
DEMO_URL = "http://127.0.0.1:8188"


def main() -> int:
    python, comfy_dir = ensure_comfyui()
    with tempfile.TemporaryDirectory(prefix="comfyframe-demo-") as tmp:
        base = Path(tmp)
        build_model_tree(base)
        handle = start_comfyui(base, python=python, comfy_dir=comfy_dir)
        try:
            snapshot = cf.capture(handle.url, progress=True)
        finally:
            handle.stop()
    # The test server listens on a random port; the demo shows ComfyUI's default address instead.
    snapshot.url = DEMO_URL
    path = snapshot.save(TARGET)
    found = cf.Discovery(snapshot, warn=False)
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB): {len(found.models)} models, {len(found.nodes)} nodes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
