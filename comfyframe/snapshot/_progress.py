"""Progress feedback for discoveries: a tqdm bar in notebooks and terminals, or silence.

A discovery may take hundreds of requests (one per safetensors file for its
metadata, one per folder, several servers). The bar's total grows as the work
becomes known. Drawing is tqdm's: the two bars ``tqdm.auto`` chooses between
(``tqdm.notebook`` in Jupyter, ``tqdm.std`` on a terminal), picked here directly
because comfyframe also stays silent when stderr is not a terminal (a log or a
pipe), which ``tqdm.auto`` does not. :class:`Progress` is the small protocol
comfyframe reports to, so any other reporter can be plugged in.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any, Protocol, TextIO

from ..support._safe_text import for_terminal

LABEL_WIDTH = 40
# Discoveries faster than this show no bar at all.
DELAY_S = 0.1
# After this long without an answer, the bar says which server it is waiting for.
WAIT_NOTICE_S = 3.0


class Progress(Protocol):
    """What :func:`comfyframe.discover` reports to; implement it to plug in your own."""

    def add(self, total: int, label: str) -> None: ...
    def advance(self, count: int = 1) -> None: ...
    def close(self) -> None: ...


class NullProgress:
    """Reports nothing."""

    def add(self, total: int, label: str) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


class _TqdmProgress:
    """A tqdm bar whose total grows with :meth:`add`."""

    _bar: Any

    def add(self, total: int, label: str) -> None:
        bar = self._bar
        bar.total = (bar.total or 0) + total
        container = getattr(bar, "container", None)
        if container is not None:  # tqdm.notebook: the widget keeps its own maximum
            container.children[1].max = bar.total
        text = for_terminal(label)[:LABEL_WIDTH]
        bar.set_description_str(text, refresh=False)  # tqdm.notebook escapes it for HTML
        if time.time() >= bar.start_t + bar.delay:  # as tqdm's own update(): nothing before the delay
            bar.refresh()

    def advance(self, count: int = 1) -> None:
        self._bar.update(count)

    def close(self) -> None:
        self._bar.close()


class TerminalProgress(_TqdmProgress):
    """A one-line tqdm bar on a terminal (stderr by default), redrawn in place at most ten times a second."""

    def __init__(self, stream: TextIO | None = None, width: int | None = None, delay: float = DELAY_S) -> None:
        from tqdm.std import tqdm

        self._bar = tqdm(
            total=0, file=stream or sys.stderr, ncols=width, unit="req", mininterval=0.1, delay=delay, leave=True
        )


class NotebookProgress(_TqdmProgress):
    """tqdm's ipywidgets bar in the current output cell."""

    def __init__(self) -> None:
        from tqdm.notebook import tqdm

        self._bar = tqdm(total=0, unit="req", mininterval=0.05, leave=True)


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()  # type: ignore[attr-defined]
    except AttributeError:
        return False
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def make_progress(progress: bool | Progress | None) -> Progress:
    """``True`` picks a bar for the environment (notebook widget, or a terminal line when
    stderr is a terminal), ``False``/``None`` is silent, a :class:`Progress` is used as is."""
    if progress is None or progress is False:
        return NullProgress()
    if progress is True:
        if _in_notebook():
            try:
                return NotebookProgress()
            except ImportError:  # tqdm.notebook needs ipywidgets
                pass
        # Only draw on a terminal: a redrawn line is noise in a log file or a pipe.
        return TerminalProgress() if sys.stderr.isatty() else NullProgress()
    return progress


class Watched:
    """A :class:`Progress` that notices silence: after ``WAIT_NOTICE_S`` without an answer its label becomes
    ``waiting for SERVER… N s`` (run :meth:`watch` beside the work), and the last label returns with the next."""

    def __init__(self, inner: Progress, server: str, notice_after: float = WAIT_NOTICE_S) -> None:
        self.inner, self.server, self.notice_after = inner, server, notice_after
        self.label = ""
        self.last = time.monotonic()
        self.waiting = False

    def add(self, total: int, label: str) -> None:
        self.label = label
        self.last = time.monotonic()
        self.inner.add(total, label)

    def advance(self, count: int = 1) -> None:
        self.last = time.monotonic()
        if self.waiting:
            self.waiting = False
            self.inner.add(0, self.label)
        self.inner.advance(count)

    def close(self) -> None:
        self.inner.close()

    async def watch(self) -> None:
        """Until cancelled: report each second of silence past the notice."""
        while True:
            await asyncio.sleep(min(1.0, self.notice_after))
            idle = time.monotonic() - self.last
            if idle >= self.notice_after:
                self.waiting = True
                self.inner.add(0, f"waiting for {self.server}… {idle:.0f} s")
