"""Render the README's images from the demo snapshot.

    .venv/bin/python scripts/make_readme_images.py [--only picker|plot]

* ``docs/images/picker.png``: the picker widget in JupyterLab (headless Debian Chromium driven by
  Playwright, the same flow as ``tests/test_browser.py``: run notebook 2, change the capability,
  drag the VRAM slider).
* ``docs/images/quality_vs_vram.png``: ``cf.plot_quality_vs_vram`` on the demo snapshot (matplotlib).

Needs ``pip install jupyterlab playwright`` and ``apt-get install chromium`` for the first image.
The notebook reads ``$COMFYUI_URL`` when it is set: unset it to draw the demo.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))


def quality_vs_vram(target: Path) -> Path:
    """The quality/VRAM scatter of the demo snapshot's generators, Pareto front labelled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import comfyframe as cf

    found = cf.discover(demo=True)
    fig, ax = plt.subplots(figsize=(9, 5.2), layout="constrained")
    cf.plot_quality_vs_vram(found, ax=ax)
    fig.savefig(target, dpi=110)
    plt.close(fig)
    return target


def picker(target: Path) -> Path:
    """A screenshot of the picker widget after a person changed the job and the budget in JupyterLab."""
    from browser_helpers import (
        NOTEBOOK,
        PICKER,
        SCREENSHOTS,
        launch_chromium,
        prepare_root,
        run_picker_flow,
        start_jupyterlab,
    )
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="comfyframe-readme-") as tmp:
        root = Path(tmp) / "root"
        prepare_root(root)
        lab = start_jupyterlab(root)
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                try:
                    page = browser.new_page(viewport={"width": 1400, "height": 1100})
                    run_picker_flow(page, lab, NOTEBOOK.name, SCREENSHOTS / "readme")
                    page.locator(PICKER).screenshot(path=str(target))
                finally:
                    browser.close()
        finally:
            lab.stop()
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("picker", "plot"), help="render one image only")
    args = parser.parse_args(argv)
    if os.environ.get("COMFYUI_URL"):
        print("note: COMFYUI_URL is set, the picker image shows that server, not the demo", file=sys.stderr)
    IMAGES.mkdir(parents=True, exist_ok=True)
    if args.only in (None, "plot"):
        print(quality_vs_vram(IMAGES / "quality_vs_vram.png"))
    if args.only in (None, "picker"):
        print(picker(IMAGES / "picker.png"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
