"""The title/abstract screen, driven by a reviewer's keys; every check reads the database."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from textual.geometry import Region
from textual.widgets import Input

from screener.project import Project
from screener.tui.app import make_app
from screener.tui.screens.screening import ScreeningScreen
from screener.tui.widgets.decision_bar import DecisionBar
from screener.tui.widgets.record_view import RecordView


def _bar(app) -> str:
    return str(app.screen.query_one(DecisionBar).render())


def _record_text(app) -> str:
    return str(app.screen.query_one(RecordView).query_one("#record-text").render())


async def test_decide_undo_and_reason_keys(review_path: Path, live) -> None:
    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("s")
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.record_id == 1
        assert "Effect of peer comparison letters" in _record_text(app)
        await pilot.press("i")
        # Committed before the next record is on screen: a second connection sees it already.
        assert live(review_path, "alice") == {1: ("include", "")}
        assert screen.record_id == 2
        await pilot.press("e", "m")
        assert live(review_path, "alice") == {
            1: ("include", ""),
            2: ("exclude", ""),
            3: ("maybe", ""),
        }
        assert screen.record_id == 4
        await pilot.press("u")
        assert live(review_path, "alice") == {1: ("include", ""), 2: ("exclude", "")}
        assert screen.record_id == 3 and "You: undecided" in _bar(app)
        await pilot.press("r", "3")  # reasons are picked by number
        assert live(review_path, "alice")[3] == ("exclude", "Not a trial")
        await pilot.press("left")
        assert screen.record_id == 3 and "You: exclude (Not a trial)" in _bar(app)
        await pilot.press("r", "escape")  # a cancelled pick records nothing
        assert live(review_path, "alice")[3] == ("exclude", "Not a trial")
    with Project.open(review_path) as project:
        actions = [row.action for row in project.decision_history(3)]
    assert actions == ["decide", "undo", "decide"]  # the history keeps the undone decision


async def test_note_and_tags(review_path: Path) -> None:
    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("s", "n")
        app.screen.query_one(Input).value = "dose not reported"
        await pilot.press("enter")
        await pilot.press("t")
        app.screen.query_one(Input).value = "rct, prescribing ,  antibiotics"
        await pilot.press("enter")
        assert "Tags: antibiotics, prescribing, rct" in _bar(app)
        await pilot.press("t")
        app.screen.query_one(Input).value = "-rct"
        await pilot.press("enter")
        assert "Notes: 1 (last: alice: dose not reported)" in _bar(app)
    with Project.open(review_path) as project:
        assert [n.text for n in project.notes(1)] == ["dose not reported"]
        assert project.record_tags(1) == ["antibiotics", "prescribing"]


async def test_filter_and_move(review_path: Path) -> None:
    with Project.open(review_path) as project:
        project.record_decision(2, "title_abstract", "alice", "maybe")
        project.record_decision(5, "title_abstract", "alice", "maybe")
        project.record_decision(4, "title_abstract", "alice", "include")
        project.tag_record(6, "imaging", "alice")
    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("s")
        screen = app.screen
        assert screen.ids == [1, 3, 6]  # undecided by alice
        await pilot.press("right", "right")
        assert screen.record_id == 6
        await pilot.press("right")  # the last one: stays
        assert screen.record_id == 6
        await pilot.press("f", "3")  # third filter: your maybes
        assert screen.ids == [2, 5] and screen.record_id == 2
        assert "your maybes" in _bar(app)
        await pilot.press("i")  # changing a maybe moves on in that list
        assert screen.record_id == 5
        await pilot.press("f", "7")  # after the six filters: tag imaging
        assert screen.ids == [6]
        await pilot.press("f", "1")
        assert screen.ids == [1, 3, 6]


async def test_search_uses_full_text_search(review_path: Path) -> None:
    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("s", "slash")
        app.screen.query_one(Input).value = "prescrib"
        await pilot.press("enter")
        screen = app.screen
        assert sorted(screen.ids) == [1, 4]  # prefix match in titles and abstracts
        assert "search “prescrib”" in _bar(app)
        await pilot.press("i")
        await pilot.press("slash")
        app.screen.query_one(Input).value = ""
        await pilot.press("enter")  # empty: back to the undecided queue
        assert screen.ids == [2, 3, 4, 5, 6]
    with Project.open(review_path) as project:
        decided = project.screening_queue("title_abstract", "alice", "mine")
    assert len(decided) == 1 and decided[0] in (1, 4)


async def test_end_of_queue_and_wraparound(review_path: Path, live) -> None:
    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("s", "right")  # skip record 1
        await pilot.press(*"iiiii")
        screen = app.screen
        assert screen.record_id == 1  # back to the one skipped
        await pilot.press("e")
        assert screen.record_id is None
        assert "You have decided every record" in _record_text(app)
        await pilot.press("i")  # nothing on screen: nothing recorded
    assert len(live(review_path, "alice")) == 6


async def test_chinese_record_wraps_without_losing_characters(review_path: Path, chinese) -> None:
    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s", "right", "right")
        assert app.screen.record_id == 3
        text = app.screen.query_one(RecordView).query_one("#record-text")
        width = text.size.width
        lines = [strip.text for strip in text.render_lines(Region(0, 0, width, text.size.height))]
    # Every line fits the widget (a wide character counts two cells and is never cut in half),
    # the abstract needs several lines at 80 columns, and no character is lost in the wrapping.
    assert all(cell_len(line) <= width for line in lines)
    assert sum(1 for line in lines if "。" in line or "：" in line) >= 3
    joined = "".join(line.strip() for line in lines)
    title, abstract = chinese
    assert title in joined and abstract in joined
