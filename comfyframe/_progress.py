"""Progress feedback for discoveries: a bar in notebooks and terminals, or silence.

A discovery may take hundreds of requests (one per safetensors file for its
metadata, one per folder, several servers). The reporter grows its total as the
work becomes known and draws at most a few times a second.
"""

from __future__ import annotations

import sys
import time
from typing import Protocol, TextIO


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


class _Counter:
    def __init__(self, min_interval: float) -> None:
        self.done = 0
        self.total = 0
        self.label = ""
        self._min_interval = min_interval
        self._last = 0.0

    def add(self, total: int, label: str) -> None:
        self.total += total
        self.label = label
        self._last = time.monotonic()
        self._draw(force=True)

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._last >= self._min_interval or self.done >= self.total:
            self._last = now
            self._draw(force=False)

    def _draw(self, force: bool) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class TerminalProgress(_Counter):
    """A one-line bar on a terminal (stderr), redrawn in place."""

    def __init__(self, stream: TextIO | None = None, width: int = 28) -> None:
        super().__init__(min_interval=0.1)
        self._stream = stream or sys.stderr
        self._width = width
        self._drawn = False

    def _draw(self, force: bool) -> None:
        total = max(self.total, 1)
        filled = int(self._width * min(self.done, total) / total)
        bar = "#" * filled + "-" * (self._width - filled)
        self._stream.write(f"\r[{bar}] {self.done}/{self.total} {self.label[:40]:<40}")
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self._draw(force=True)
            self._stream.write("\n")
            self._stream.flush()


class NotebookProgress(_Counter):
    """An ipywidgets bar with a label, shown in the current output cell."""

    def __init__(self) -> None:
        super().__init__(min_interval=0.05)
        import ipywidgets as widgets
        from IPython.display import display

        self._bar = widgets.IntProgress(min=0, max=1, value=0, bar_style="info")
        self._text = widgets.Label("")
        display(widgets.HBox([self._bar, self._text]))

    def _draw(self, force: bool) -> None:
        self._bar.max = max(self.total, 1)
        self._bar.value = min(self.done, self._bar.max)
        self._text.value = f"{self.done}/{self.total} {self.label}"

    def close(self) -> None:
        self._draw(force=True)
        self._bar.bar_style = "success"


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
            except ImportError:
                pass
        # Only draw on a terminal: a redrawn line is noise in a log file or a pipe.
        return TerminalProgress() if sys.stderr.isatty() else NullProgress()
    return progress
