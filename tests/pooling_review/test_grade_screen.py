"""The GRADE screen (``g`` on the saved analyses): the five domains with their suggested levels,
judged by the lead with a reason, refused to a screener; a snapshot of the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Label

from screener.project import Project
from screener.tui.app import make_app
from screener.tui.screens.grade import GradeScreen
from tests.read_only import read_only

SIZE = (100, 30)


@pytest.fixture
def saved(bcg_path: Path) -> Path:
    with Project.open(bcg_path) as project:
        project.set_reviewer_role("bob", "screener")
        project.pool("Tuberculosis", measure="RR", name="BCG [main] $x$")
    return bcg_path


def judgements(path: Path) -> list[tuple[str, str, str, str]]:
    with Project.open(path) as project:
        history, _ = project.grade_history(project.analyses()[0].id)
    return [(j.domain, j.level, j.reason, j.reviewer) for j in history]


def cells(screen: GradeScreen, column: str) -> list[str]:
    table = screen.query_one("#grade-domains", DataTable)
    return [str(table.get_cell_at((r, table.get_column_index(column)))) for r in range(5)]


async def open_grade(pilot) -> GradeScreen:
    await pilot.press("a", "ctrl+l")
    await pilot.pause()
    await pilot.press("g")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, GradeScreen)
    return screen


async def test_the_lead_judges_a_domain_with_a_reason(saved: Path) -> None:
    app = make_app(saved, reviewer="demo")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_grade(pilot)
        title = str(screen.query_one("#grade-title", Label).render())
        assert "BCG [main] $x$" in title  # stored text, shown literally
        assert cells(screen, "domain")[0] == "risk of bias"
        assert set(cells(screen, "by")) == {"suggested"}
        suggested = cells(screen, "level")[1]  # inconsistency: I² is 92%
        assert suggested in ("serious", "very serious")
        before = str(screen.query_one("#grade-summary").render())
        await pilot.press("down", "1")  # inconsistency: not serious
        await pilot.pause()
        await pilot.press("ctrl+u", *"Heterogeneity explained by latitude", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert cells(screen, "level")[1] == "not serious" and cells(screen, "by")[1] == "demo"
        assert str(screen.query_one("#grade-summary").render()) != before  # certainty rises
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, GradeScreen)
    assert judgements(saved) == [
        ("inconsistency", "not serious", "Heterogeneity explained by latitude", "demo")
    ]


async def test_escape_on_the_reason_stores_nothing(saved: Path) -> None:
    app = make_app(saved, reviewer="demo")
    async with app.run_test(size=SIZE) as pilot:
        await open_grade(pilot)
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, GradeScreen)
    assert judgements(saved) == []


async def test_an_empty_reason_stores_nothing(saved: Path) -> None:
    app = make_app(saved, reviewer="demo")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_grade(pilot)
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("ctrl+u", "enter")
        await pilot.pause()
        assert app.screen is screen and set(cells(screen, "by")) == {"suggested"}
    assert judgements(saved) == []


async def test_a_screener_cannot_judge(saved: Path) -> None:
    app = make_app(saved, reviewer="bob")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_grade(pilot)
        await pilot.press("2")
        await pilot.pause()
        await pilot.press(*"because", "enter")
        await pilot.pause()
        assert app.screen is screen and set(cells(screen, "by")) == {"suggested"}
    assert judgements(saved) == []


async def test_a_read_only_review_asks_nothing(saved: Path) -> None:
    with read_only(saved, saved.parent):
        app = make_app(saved, reviewer="demo")
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_grade(pilot)
            await pilot.press("2")
            await pilot.pause()
            assert app.screen is screen
    assert judgements(saved) == []


def test_the_grade_screen_snapshot(saved: Path, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await open_grade(pilot)

    assert snap_compare(make_app(saved, reviewer="demo"), terminal_size=SIZE, run_before=run_before)
