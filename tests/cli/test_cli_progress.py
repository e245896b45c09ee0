"""The one progress bar of the CLI verbs: on stderr, only on a terminal, its label plain text."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from screener.cli import main
from screener.cli.output import people_streams, progress_bar
from screener.project import Project

LABEL = "importing a [/b] [bold]x\x1b[2J.ris"
"""A file name Rich would read as markup (a closing tag with no opening one is an error) and
an escape sequence that would clear the screen."""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_shows_its_label_as_plain_escaped_text_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with people_streams(), progress_bar(LABEL) as progress:
        progress(3, 10)
    shown = terminal.getvalue()
    assert "importing a [/b] [bold]x\\x1b[2J.ris" in shown
    assert "\x1b[2J" not in shown


def test_the_bar_writes_nothing_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    with people_streams(), progress_bar(LABEL) as progress:
        progress(3, None)
    assert piped.getvalue() == ""


def test_an_import_shows_its_file_name_as_it_is_on_a_terminal(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = tmp_path / "review.db"
    with Project.create(review, title="T", reviewers=["alice"]):
        pass
    export = tmp_path / "a [red]x.ris"
    export.write_text("TY  - JOUR\nTI  - A trial\nER  - \n", encoding="utf-8")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["import", str(review), str(export), "--source", "Embase"]) == 0
    assert "1 record imported" in capsys.readouterr().out
    assert "importing a [red]x.ris" in terminal.getvalue()
