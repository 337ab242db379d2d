"""Drive notebook 2's picker in a real JupyterLab with Debian's Chromium (Playwright, no browser download).

Used by ``tests/test_browser.py`` and ``scripts/make_readme_images.py``:

* :func:`start_jupyterlab` runs JupyterLab on 127.0.0.1 with a token, a temp root dir and
  isolated settings (no news or update checks); ``lab.stop()`` ends it.
* :func:`launch_chromium` starts ``/usr/bin/chromium`` headless through Playwright.
* :func:`run_picker_flow` opens the notebook, runs all cells, waits for the picker, changes the
  capability dropdown, drags the VRAM slider, and returns what the page showed at each step,
  with a screenshot per step.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from comfyui_server import free_port

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO_ROOT / "notebooks" / "02_pick_models.ipynb"
SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("COMFYFRAME_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PICKER = ".comfyframe-picker"


@dataclass
class JupyterLab:
    """A running JupyterLab server; ``stop()`` is idempotent."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen[bytes]
    log_path: Path
    startup_seconds: float = 0.0
    _log: Any = field(default=None, repr=False)

    def lab_url(self, notebook: str) -> str:
        return f"{self.url}/lab/tree/{notebook}?token={self.token}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(self.process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.process.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self._log is not None:
            self._log.close()
            self._log = None


def prepare_root(root: Path, notebook: Path = NOTEBOOK) -> Path:
    """Copy ``notebook`` into ``root`` (JupyterLab's root dir); returns the copy."""
    root.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(notebook, root / notebook.name))


def start_jupyterlab(root: Path, *, timeout: float = 120.0, env: dict[str, str] | None = None) -> JupyterLab:
    """Start JupyterLab on a free loopback port serving ``root``; wait until it answers."""
    root = root.resolve()
    home = root.parent / f"{root.name}-jupyter"
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    tracker = home / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True, exist_ok=True)
    # windowing off: every cell stays in the DOM, so the test can read all prompts
    (tracker / "tracker.jupyterlab-settings").write_text(
        json.dumps({"autoStartDefaultKernel": True, "windowingMode": "none"})
    )
    port, token = free_port(), secrets.token_hex(16)
    base_env = dict(os.environ if env is None else env)
    base_env.pop("MPLBACKEND", None)  # let the kernel draw inline figures
    paths = [str(REPO_ROOT)] + [p for p in base_env.get("PYTHONPATH", "").split(os.pathsep) if p]
    base_env.update(
        PYTHONPATH=os.pathsep.join(paths),
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--ServerApp.port_retries=0", "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly", "--ServerApp.terminals_enabled=False", "--allow-root",
    ]
    log_path = home / "jupyterlab.log"
    log = open(log_path, "ab")  # noqa: SIM115 (closed by JupyterLab.stop)
    started = time.monotonic()
    process = subprocess.Popen(cmd, cwd=root, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               env=base_env, start_new_session=True)
    lab = JupyterLab(f"http://127.0.0.1:{port}", token, root, process, log_path, _log=log)
    while True:
        try:
            with urllib.request.urlopen(f"{lab.url}/api/status?token={token}", timeout=2) as resp:  # noqa: S310
                if resp.status == 200:
                    lab.startup_seconds = time.monotonic() - started
                    return lab
        except (urllib.error.URLError, OSError):
            pass
        if process.poll() is not None or time.monotonic() - started > timeout:
            lab.stop()
            raise RuntimeError(f"JupyterLab did not start (exit {process.returncode}):\n{lab.log_tail()}")
        time.sleep(0.5)


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, through Playwright (never ``playwright install``)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} not found: apt-get install -y chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


@dataclass
class FlowResult:
    """What the picker showed at each step of :func:`run_picker_flow`."""

    capabilities: list[str]
    before: dict[str, str]
    after_capability: dict[str, str]
    after_budget: dict[str, str]
    budget_target: float
    screenshots: list[Path]
    seconds: float


def _state(page: Any) -> dict[str, str]:
    picker = page.locator(PICKER)
    return {
        "capability": picker.locator(".widget-dropdown", has=page.locator("label", has_text="capability"))
        .locator("select").input_value(),
        "pick": picker.locator(".cf-pick").inner_text(),
        "table": picker.locator(".cf-ranked").inner_text(),
        "budget": picker.locator(".widget-slider .widget-readout").first.inner_text(),
    }


def _shot(page: Any, out_dir: Path, name: str, shots: list[Path]) -> None:
    path = out_dir / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    shots.append(path)


def _accept_kernel_dialog(page: Any, wait_ms: float = 3000) -> None:
    """Click "Select" if JupyterLab asks which kernel to start (the notebook names python3)."""
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    try:
        dialog.wait_for(timeout=wait_ms)
    except Exception:  # noqa: BLE001 - no dialog: the kernel started by itself
        return
    dialog.locator("button", has_text=re.compile(r"^Select$")).click()
    dialog.wait_for(state="detached")


def _run_all_cells(page: Any, attempts: int = 3, started_ms: float = 30_000) -> None:
    """Run > Run All Cells, again if no cell started (a click that came before the kernel was ready)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(attempts):
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        try:
            page.wait_for_function(
                """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                          .some(e => /\\[(\\*|\\d+)\\]/.test(e.innerText))""",
                timeout=started_ms,
            )
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise


def _wait_changed(page: Any, selector: str, old: str, timeout_ms: float) -> None:
    page.wait_for_function(
        "([sel, old]) => { const e = document.querySelector(sel); return e && e.innerText !== old; }",
        arg=[selector, old],
        timeout=timeout_ms,
    )


def first_row_vram(table_text: str) -> float | None:
    """The peak VRAM of the table's first data row (tab-separated innerText of the ranked table)."""
    lines = [line.split("\t") for line in table_text.strip().splitlines()]
    if len(lines) < 2 or "peak GiB" not in lines[0]:
        return None
    cell = lines[1][lines[0].index("peak GiB")].strip()
    return float(cell) if re.fullmatch(r"[0-9.]+", cell) else None


def run_picker_flow(page: Any, lab: JupyterLab, notebook: str, out_dir: Path = SCREENSHOTS,
                    timeout_s: float = 180.0) -> FlowResult:
    """Open ``notebook``, run all cells, then change the capability and drag the VRAM slider."""
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    ms = timeout_s * 1000
    shots: list[Path] = []
    page.set_default_timeout(ms)
    page.goto(lab.lab_url(notebook))
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    _accept_kernel_dialog(page)
    page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle")).first.wait_for()  # kernel connected
    _shot(page, out_dir, "01_notebook_opened", shots)

    _run_all_cells(page)
    picker = page.locator(PICKER)
    picker.locator(".cf-ranked").wait_for()
    page.wait_for_function(  # every code cell has run (all rendered: windowing is off), the kernel idle
        """() => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                   const idle = document.querySelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]');
                   return idle && p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.innerText)); }"""
    )
    picker.evaluate("e => e.scrollIntoView({block: 'start'})")
    before = _state(page)
    _shot(page, out_dir, "02_ran_all_picker_rendered", shots)

    select = picker.locator(".widget-dropdown", has=page.locator("label", has_text="capability")).locator("select")
    capabilities = [o.strip() for o in select.locator("option").all_inner_texts()]
    others = [c for c in capabilities if c != before["capability"]]
    if not others:
        raise AssertionError(f"the server offers only {capabilities}: cannot change the capability")
    target = "text_to_video" if "text_to_video" in others else others[0]
    select.select_option(label=target)
    _wait_changed(page, f"{PICKER} .cf-pick", before["pick"], ms)
    after_capability = _state(page)
    picker.evaluate("e => e.scrollIntoView({block: 'start'})")
    _shot(page, out_dir, "03_capability_changed", shots)

    handle = picker.locator(".widget-slider .noUi-handle").first
    track = picker.locator(".widget-slider .noUi-target").first
    low = float(handle.get_attribute("aria-valuemin") or 0)
    high = float(handle.get_attribute("aria-valuemax") or 1)
    vram = first_row_vram(after_capability["table"])
    budget = max(low, (vram - 0.3) if vram is not None else high / 3)
    box, grip = track.bounding_box(), handle.bounding_box()
    assert box is not None and grip is not None
    x = box["x"] + box["width"] * (budget - low) / (high - low)
    page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
    page.mouse.down()
    page.mouse.move(x, grip["y"] + grip["height"] / 2, steps=12)
    page.mouse.up()
    _wait_changed(page, f"{PICKER} .cf-pick", after_capability["pick"], ms)
    after_budget = _state(page)
    _shot(page, out_dir, "04_budget_moved", shots)
    return FlowResult(capabilities, before, after_capability, after_budget, budget, shots,
                      time.monotonic() - started)
