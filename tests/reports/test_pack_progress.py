"""``kpiboard report``'s progress bar: on a terminal's standard error once the pack has taken more
than a moment, never otherwise."""

from __future__ import annotations

import io
import sys

import pytest

from kpiboard import cli


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


# Progress is about drawing: every chart is drawn.
pytestmark = pytest.mark.usefixtures("charts_drawn")


def test_a_terminal_sees_the_cards_drawn_and_the_files_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    with cli._pack_progress(after=0) as told:
        assert told is not None
        for done in (4, 13):
            told("charts", done, 13)
        told("files", 4, 4)
    shown = screen.getvalue()
    assert "Drawing the charts" in shown
    assert "13/13" in shown
    assert "Writing the files" in shown
    assert "4/4" in shown


def test_a_quick_pack_shows_no_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    with cli._pack_progress(after=60) as told:
        assert told is not None
        told("charts", 13, 13)
        told("files", 4, 4)
    assert screen.getvalue() == ""


def test_no_bar_when_standard_error_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    with cli._pack_progress(after=0) as told:
        assert told is None
    assert log.getvalue() == ""
