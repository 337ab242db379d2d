"""Progress reporters: the terminal bar on a fake stream, the silent one, the notebook widget."""

from __future__ import annotations

import io
import sys
from types import SimpleNamespace

import pytest

import comfyframe._progress as progress_module
from comfyframe import NullProgress, TerminalProgress
from comfyframe._progress import NotebookProgress, make_progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(progress_module, "time", SimpleNamespace(monotonic=fake.monotonic))
    return fake


def frames(stream: io.StringIO) -> list[str]:
    """The successive redraws of the line (each starts with a carriage return)."""
    return [f for f in stream.getvalue().split("\r") if f]


def test_terminal_progress_draws_a_growing_bar(clock: Clock) -> None:
    stream = io.StringIO()
    bar = TerminalProgress(stream=stream, width=10)
    bar.add(4, "folders")
    assert frames(stream)[-1].startswith("[----------] 0/4 folders")
    clock.now += 1
    bar.advance()
    assert frames(stream)[-1].startswith("[##--------] 1/4 folders")
    bar.add(6, "metadata")  # the total grows as the work becomes known
    assert frames(stream)[-1].startswith("[#---------] 1/10 metadata")
    clock.now += 1
    bar.advance(9)
    assert frames(stream)[-1].startswith("[##########] 10/10 metadata")
    bar.close()
    assert stream.getvalue().endswith("\n") and stream.getvalue().count("\n") == 1


def test_terminal_progress_throttles_redraws(clock: Clock) -> None:
    stream = io.StringIO()
    bar = TerminalProgress(stream=stream)
    bar.add(100, "files")
    drawn = len(frames(stream))
    for _ in range(50):  # all within the same instant: no redraw
        bar.advance()
    assert len(frames(stream)) == drawn
    clock.now += 0.2
    bar.advance()
    assert len(frames(stream)) == drawn + 1 and " 51/100 " in frames(stream)[-1]
    bar.advance(49)  # reaching the total always draws
    assert " 100/100 " in frames(stream)[-1]


def test_terminal_progress_long_label_is_cut_and_close_without_work_is_silent(clock: Clock) -> None:
    stream = io.StringIO()
    TerminalProgress(stream=stream).close()
    assert stream.getvalue() == ""
    bar = TerminalProgress(stream=stream, width=4)
    bar.add(1, "x" * 100)
    assert frames(stream)[-1] == "[----] 0/1 " + "x" * 40


def test_null_progress_does_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    silent = NullProgress()
    silent.add(10, "anything")
    silent.advance(3)
    silent.close()
    assert capsys.readouterr() == ("", "")


def test_make_progress_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(make_progress(False), NullProgress)
    assert isinstance(make_progress(None), NullProgress)
    mine = NullProgress()
    assert make_progress(mine) is mine
    monkeypatch.setattr(progress_module, "_in_notebook", lambda: False)
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal: a bar would only litter logs
    assert isinstance(make_progress(True), NullProgress)

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Tty())
    assert isinstance(make_progress(True), TerminalProgress)


def test_notebook_progress_updates_its_widgets(monkeypatch: pytest.MonkeyPatch, clock: Clock) -> None:
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.extend(objs))
    monkeypatch.setattr(progress_module, "_in_notebook", lambda: True)
    bar = make_progress(True)
    assert isinstance(bar, NotebookProgress) and len(shown) == 1
    bar.add(3, "metadata")
    clock.now += 1
    bar.advance(2)
    assert (bar._bar.value, bar._bar.max) == (2, 3) and bar._text.value == "2/3 metadata"
    bar.close()
    assert bar._bar.bar_style == "success"
