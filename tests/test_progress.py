"""Progress reporters: tqdm on a fake stream, the silent one, the notebook widget, the choice between them."""

from __future__ import annotations

import io
import sys

import pytest

import comfyframe.snapshot._progress as progress_module
from comfyframe import NullProgress, TerminalProgress
from comfyframe.snapshot._progress import NotebookProgress, make_progress


def frames(stream: io.StringIO) -> list[str]:
    """The successive redraws of the line (each starts with a carriage return)."""
    return [f for f in stream.getvalue().split("\r") if f.strip()]


def test_terminal_progress_total_grows_as_work_becomes_known() -> None:
    stream = io.StringIO()
    bar = TerminalProgress(stream=stream, width=80, delay=0)
    bar.add(4, "folders")
    assert frames(stream)[-1].startswith("folders:   0%") and " 0/4 " in frames(stream)[-1]
    bar.add(6, "metadata")
    assert frames(stream)[-1].startswith("metadata:   0%") and " 0/10 " in frames(stream)[-1]
    bar.advance(10)
    bar.close()
    assert " 10/10 " in frames(stream)[-1] and "100%" in frames(stream)[-1]
    assert stream.getvalue().endswith("\n") and stream.getvalue().count("\n") == 1


def test_quick_work_draws_nothing() -> None:
    stream = io.StringIO()
    bar = TerminalProgress(stream=stream)  # default delay: no bar for work that ends at once
    bar.add(3, "server")
    bar.advance(3)
    bar.close()
    assert stream.getvalue() == ""


def test_label_is_cut_and_control_characters_are_shown_escaped() -> None:
    stream = io.StringIO()
    bar = TerminalProgress(stream=stream, width=200, delay=0)
    bar.add(1, "\x1b[2J" + "x" * 100)
    assert "\x1b" not in stream.getvalue()
    assert frames(stream)[-1].startswith("\\x1b[2J" + "x" * 33 + ":")


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
    bar = make_progress(True)
    assert isinstance(bar, TerminalProgress)
    bar.close()


def test_notebook_progress_updates_its_widget(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = []
    monkeypatch.setattr("tqdm.notebook.display", lambda *objs, **kw: shown.extend(objs))
    monkeypatch.setattr(progress_module, "_in_notebook", lambda: True)
    bar = make_progress(True)
    assert isinstance(bar, NotebookProgress) and len(shown) == 1
    bar.add(1, "server")
    bar.add(2, "<b>metadata</b>")
    label, widget, _ = shown[0].children
    assert widget.max == 3  # the widget's maximum grows with the total
    assert "&lt;b&gt;metadata&lt;/b&gt;" in label.value and "<b>" not in label.value
    bar.advance(3)
    bar.close()
    assert (widget.value, widget.bar_style) == (3, "success")
