"""A real browser: JupyterLab in headless Chromium runs notebook 2 and a person's clicks drive the picker.

Needs ``pip install jupyterlab playwright`` and Debian's ``/usr/bin/chromium`` (never
``playwright install``). Screenshots of every step go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import (
    CHROMIUM,
    NOTEBOOK,
    SCREENSHOTS,
    FlowResult,
    JupyterLab,
    launch_chromium,
    prepare_root,
    run_picker_flow,
    start_jupyterlab,
)

import comfyframe as cf
from comfyframe.pipelines._pipelines import pipeline_label
from comfyframe.views._picker import NAME_WIDTH
from comfyframe.views._plots import short_label

pytestmark = pytest.mark.browser


def _unavailable(reason: str) -> None:
    """Never skip silently in CI: fail there, skip on a developer's machine."""
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def sync_playwright() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the browser test needs Playwright for Python: pip install playwright")
    if not Path(CHROMIUM).exists():
        _unavailable(f"the browser test needs Debian's Chromium at {CHROMIUM}: apt-get install -y chromium")
    return sync_playwright


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, sync_playwright: Any) -> Iterator[JupyterLab]:
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        _unavailable("the browser test needs JupyterLab: pip install jupyterlab")
    root = tmp_path_factory.mktemp("lab") / "root"
    prepare_root(root)
    server = start_jupyterlab(root)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def flow(lab: JupyterLab, sync_playwright: Any) -> FlowResult:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            try:
                return run_picker_flow(page, lab, NOTEBOOK.name, SCREENSHOTS)
            except Exception as exc:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOTS / "failure.png"))
                pytest.fail(f"{exc}\n(see {SCREENSHOTS / 'failure.png'})\nJupyterLab log:\n{lab.log_tail()}",
                            pytrace=False)
        finally:
            browser.close()


def same_data() -> cf.Discovery:
    """What the notebook's kernel discovered: $COMFYUI_URL, or the demo snapshot."""
    url = os.environ.get("COMFYUI_URL")
    return cf.discover(url, progress=False) if url else cf.discover(demo=True)


def table_rows(text: str) -> list[dict[str, str]]:
    lines = [line.split("\t") for line in text.strip().splitlines()]
    return [dict(zip(lines[0], row)) for row in lines[1:]]


def pick_name(pick_text: str) -> str:
    match = re.search(r"GiB: (.+?) \(", pick_text)
    assert match, pick_text
    return match.group(1)


def test_picker_renders_with_the_servers_capabilities(flow: FlowResult) -> None:
    found = same_data()
    in_process = cf.picker(found, plot=None)
    assert flow.capabilities == list(in_process.capability.options)
    assert flow.before["capability"] == in_process.capability.value
    assert float(flow.before["budget"]) == pytest.approx(in_process.budget.value, abs=0.05)
    assert pick_name(flow.before["pick"]) == in_process.value["name"]
    assert table_rows(flow.before["table"])[0]["pipeline"] == short_label(in_process.value["name"], NAME_WIDTH)


def test_changing_the_capability_changes_table_and_pick(flow: FlowResult) -> None:
    before, after = flow.before, flow.after_capability
    assert after["capability"] != before["capability"]
    assert after["capability"] in after["pick"]
    assert after["table"] != before["table"] and after["pick"] != before["pick"]
    expected = same_data().best_for(after["capability"], max_vram=float(after["budget"]))
    shown = [r["pipeline"] for r in table_rows(after["table"])]
    assert shown == [short_label(pipeline_label(row), NAME_WIDTH) for _, row in expected.head(10).iterrows()]


def test_dragging_the_slider_changes_table_and_pick(flow: FlowResult) -> None:
    before, after = flow.after_capability, flow.after_budget
    budget = float(after["budget"])
    assert budget < float(before["budget"])
    assert budget == pytest.approx(flow.budget_target, abs=0.6)  # a mouse drag, to the pixel
    assert after["table"] != before["table"] and after["pick"] != before["pick"]
    rows = table_rows(after["table"])
    assert all(float(r["peak GiB"]) <= budget + 0.05 for r in rows)
    if rows:  # the kernel's pick for that budget (the readout is rounded to 0.1 GB)
        found = same_data()
        expected = {
            pipeline_label(found.best_for(after["capability"], max_vram=budget + d).iloc[0]) for d in (-0.05, 0, 0.05)
        }
        assert pick_name(after["pick"]) in expected
    else:
        assert "Nothing" in after["pick"]


def test_screenshots_were_written(flow: FlowResult) -> None:
    names = [p.name for p in flow.screenshots]
    assert names == ["01_notebook_opened.png", "02_ran_all_picker_rendered.png", "03_capability_changed.png",
                     "04_budget_moved.png"]
    for path in flow.screenshots:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    assert flow.seconds < 180
