"""Re-record the demo snapshot shipped in ``comfyframe/data/demo_snapshot.json.gz``.

Starts the real ComfyUI 0.3.75 test server (the one the live tests use:
``tests/comfyui_server.py`` builds its sparse model tree and custom-node packs,
built once by ``scripts/setup_comfyui.sh``), captures it with comfyframe and
writes the snapshot into the package, labelled as the demo
(``demo://comfyui-0.3.75``, see ``comfyframe/_demo.py``). Test-only packs (the
V3 probe) are left out, so the demo shows only what real packs register.

    bash scripts/setup_comfyui.sh            # once: the ComfyUI 0.3.75 environment
    .venv/bin/python scripts/record_demo.py  # writes the snapshot and prints what it holds
    .venv/bin/python scripts/record_demo.py /tmp/demo.json.gz   # or somewhere else, to compare

Recording twice gives the same tables; only ``taken_at`` and the free memory
the server reports change.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from comfyui_server import build_model_tree, ensure_comfyui, start_comfyui  # noqa: E402

import comfyframe as cf  # noqa: E402
from comfyframe.snapshot._demo import label_demo  # noqa: E402

TARGET = ROOT / "comfyframe" / "data" / "demo_snapshot.json.gz"
TEST_ONLY_PACKS = ("comfyframe-v3-probe",)


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else TARGET
    python, comfy_dir = ensure_comfyui()
    with tempfile.TemporaryDirectory(prefix="comfyframe-demo-") as tmp:
        base = Path(tmp)
        build_model_tree(base, exclude_packs=TEST_ONLY_PACKS)
        handle = start_comfyui(base, python=python, comfy_dir=comfy_dir)
        try:
            snapshot = label_demo(cf.capture(handle.url, progress=True))
        finally:
            handle.stop()
    path = snapshot.save(target)
    found = cf.Discovery(snapshot, warn=False)
    probes = found.nodes[found.nodes["package"].isin(TEST_ONLY_PACKS)]
    if len(probes):
        print(f"test-only nodes leaked into the demo: {', '.join(probes['node'])}", file=sys.stderr)
        return 1
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB) as {snapshot.url}: "
          f"{len(found.models)} models, {len(found.nodes)} nodes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
