"""The reviewer prompt and the conflicts screen on the hostile review: titles, reasons, notes
and reviewer names full of markup and terminal escapes are shown literally, and the keys a
reviewer presses commit what they should (read back through another connection)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile import ESC_CLEAR, NOTE, REASONS, TITLES, build_hostile_review
from rich.text import Text
from textual.widgets import DataTable, OptionList

from screener.display import one_line, visible
from screener.project import Project
from screener.tui.app import make_app
from screener.tui.screens.conflicts import ConflictsScreen
from screener.tui.screens.dashboard import DashboardScreen
from screener.tui.screens.reviewer import ReviewerPrompt

ARBITER = "[@click=app.quit]arb[/] [b]🧪"
TA = "title_abstract"
SIZE = (120, 40)


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, list[int]]:
    path = tmp_path / "hostile.db"
    with build_hostile_review(path) as project:
        project.add_reviewer(ARBITER, "arbiter")
        ids = project.screened_record_ids()
    return path, ids


def _plain(widget) -> str:
    rendered = widget.render()
    return rendered.plain if isinstance(rendered, Text) else str(rendered)


async def test_prompt_and_conflicts_show_hostile_text_literally_and_commit(hostile) -> None:
    path, ids = hostile
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReviewerPrompt)
        options = app.screen.query_one(OptionList)
        labels = [options.get_option_at_index(i).prompt for i in range(options.option_count)]
        assert all(isinstance(label, Text) for label in labels)
        assert ARBITER in labels[2].plain and "arbiter" in labels[2].plain
        await pilot.press("3")
        assert isinstance(app.screen, DashboardScreen) and app.reviewer == ARBITER

        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)
        assert [c.record_id for c in screen.conflicts] == [ids[0], ids[2]]
        table = screen.query_one(DataTable)
        title_cell = table.get_row_at(0)[-1]
        assert isinstance(title_cell, Text) and title_cell.plain == one_line(TITLES[0])
        detail = _plain(screen.query_one("#conflict-text"))
        assert TITLES[0] in detail and f"({REASONS[1]})" in detail
        assert "\x1b" not in detail and visible(ESC_CLEAR) in detail
        assert visible(NOTE) in detail and ARBITER in detail
        assert ARBITER in screen.sub_title

        await pilot.press("e", "2")  # exclude with the reason "[/RCT]"
        await pilot.pause()
        assert [c.record_id for c in screen.conflicts] == [ids[2]]
        await pilot.press("i")  # the other conflict: include
        assert screen.conflicts == []
        await pilot.press("r")  # the resolved ones, literally
        assert [c.record_id for c in screen.conflicts] == [ids[0], ids[2]]
        assert isinstance(table.get_row_at(0)[2], Text)
        assert f"by {ARBITER}" in _plain(screen.query_one("#conflict-text"))
        await pilot.press("u")  # undo the first, the arbiter's own
        await pilot.pause()
        assert [c.record_id for c in screen.conflicts] == [ids[2]]
        assert app.is_running  # no [@click=app.quit] ever acted
    with Project.open(path) as other:
        assert other.resolution(ids[0], TA) is None
        live = other.resolution(ids[2], TA)
        assert (live.reviewer, live.choice.value, live.method.value) == (
            ARBITER,
            "include",
            "third_reviewer",
        )
        (undone_reason,) = other.db.execute(
            "SELECT x.label FROM resolution z JOIN exclusion_reason x ON x.id = z.reason_id"
            " JOIN resolution_undo u ON u.resolution_id = z.id"
        ).fetchone()
        assert undone_reason == REASONS[1]
