"""Highlighting on screen, the command palette's actions, and the reviewer asked at start."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from screener.project import Project
from screener.records import Author, Record
from screener.screening import highlight_spans
from screener.tui.app import make_app
from screener.tui.screens.dashboard import DashboardScreen, bar
from screener.tui.screens.reviewer import ReviewerPrompt
from screener.tui.widgets.record_view import (
    EXCLUDE_STYLE,
    INCLUDE_STYLE,
    citation_line,
    record_content,
)


def _styled(content, style: str) -> list[str]:
    return [content.plain[s.start : s.end] for s in content.spans if s.style == style]


def test_include_and_exclude_terms_in_two_colours() -> None:
    record = Record(
        title="A nudge to stop prescribing: a protocol",
        abstract="Default orders and reminders. Overprescribing fell. 提醒医生。",
    )
    content = record_content(
        record,
        ["PubMed", "Embase"],
        ["nudge", "prescrib", "default", "reminder", "提醒"],
        ["protocol"],
    )
    assert _styled(content, INCLUDE_STYLE) == ["nudge", "prescrib", "Default", "reminder", "提醒"]
    assert _styled(content, EXCLUDE_STYLE) == ["protocol"]
    assert "Sources: PubMed, Embase" in content.plain


def test_highlight_prefers_longer_terms_and_word_starts() -> None:
    spans = highlight_spans("peer comparison; peers; compeer", ["peer comparison"], ["peer"])
    assert [(s.start, s.end, s.kind) for s in spans] == [(0, 15, "include"), (17, 21, "exclude")]


def test_citation_line_and_bar() -> None:
    record = Record(
        title="t",
        authors=tuple(Author(f"A{n}", "B") for n in range(10)),
        year=2020,
        journal="BMJ",
        volume="3",
        issue="2",
        page_first="10",
        page_last="12",
    )
    assert citation_line(record) == (
        "A0 B, A1 B, A2 B, A3 B, A4 B, A5 B, A6 B, A7 B, et al. (10 authors)"
        " · 2020 · BMJ 3(2):10-12"
    )
    assert bar(0, 0, 4) == "░░░░" and bar(1, 2, 4) == "██░░" and bar(9, 3, 4) == "████"


async def test_palette_commands_run_the_screen_actions(review_path: Path, live) -> None:
    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("s")
        commands = {c.title: c.callback for c in app.get_system_commands(app.screen)}
        await commands["Maybe"]()
        await pilot.pause()
        assert app.screen.record_id == 2
    assert live(review_path, "alice") == {1: ("maybe", "")}


async def test_reviewer_is_picked_from_the_declared_ones_when_not_given(review_path: Path) -> None:
    app = make_app(review_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReviewerPrompt)
        assert not app.screen.query(Input)  # no typing a new identity
        await pilot.press("2")  # alice, bob, carol: bob
        assert isinstance(app.screen, DashboardScreen) and app.reviewer == "bob"
    with Project.open(review_path) as project:
        assert [r.name for r in project.reviewers()] == ["alice", "bob", "carol"]
