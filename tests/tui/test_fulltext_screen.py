"""The full-text screen: only records that passed, PDFs with sha256, mandatory reasons."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from textual.widgets import Input

from screener.project import Project
from screener.tui.app import make_app
from screener.tui.screens.fulltext import FullTextScreen
from screener.tui.widgets.decision_bar import DecisionBar


@pytest.fixture
def passed(review_path: Path) -> Path:
    """Records 1, 4 and 6 passed title/abstract (both reviewers included them)."""
    with Project.open(review_path) as project:
        for rid in (1, 4, 6):
            project.record_decision(rid, "title_abstract", "alice", "include")
            project.record_decision(
                rid, "title_abstract", "bob", "maybe" if rid == 4 else "include"
            )
        project.record_decision(2, "title_abstract", "alice", "include")  # bob has not: not passed
    return review_path


async def test_full_text_decisions_need_a_reason(passed: Path, live) -> None:
    app = make_app(passed, reviewer="alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f")
        screen = app.screen
        assert isinstance(screen, FullTextScreen) and screen.ids == [1, 4, 6]
        await pilot.press("e", "escape")  # the reason picker, cancelled: nothing saved
        assert live(passed, "alice", "full_text") == {}
        assert screen.record_id == 1
        await pilot.press("e", "3")
        await pilot.press("i")
        assert live(passed, "alice", "full_text") == {
            1: ("exclude", "Not a trial"),
            4: ("include", ""),
        }
        assert screen.record_id == 6


async def test_attach_open_and_not_retrievable(passed: Path, tmp_path: Path, live) -> None:
    pdf = tmp_path / "hallsworth 2016.pdf"
    pdf.write_bytes(b"%PDF-1.4 hand-made stand-in for a paper\n")
    opened: list[str] = []
    app = make_app(passed, reviewer="alice", opener=opened.append)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f", "o")  # nothing attached yet: nothing opened
        assert opened == []
        await pilot.press("a")
        app.screen.query_one(Input).value = str(pdf)
        await pilot.press("enter")
        assert "PDF: hallsworth 2016.pdf" in str(app.screen.query_one(DecisionBar).render())
        await pilot.press("o")
        assert opened == [str(pdf.resolve())]
        await pilot.press("right", "x")
        app.screen.query_one(Input).value = "no library access"
        await pilot.press("enter")
        assert "Not retrievable: no library access" in str(
            app.screen.query_one(DecisionBar).render()
        )
        await pilot.press("i")  # refused: a report not retrieved
        assert app.screen.record_id == 4
        await pilot.press("x")  # unmark
        await pilot.press("i")
    with Project.open(passed) as project:
        found = project.full_text(1)
        assert found.sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()
        assert project.full_text(4).not_retrieved is False
    assert live(passed, "alice", "full_text") == {4: ("include", "")}


async def test_nothing_passed_yet(review_path: Path) -> None:
    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f", "i")
        assert app.screen.record_id is None
        assert "No record has passed title/abstract screening yet" in str(
            app.screen.query_one("#record-text").render()
        )
