"""The conflicts screen by role: a screener sees only their own conflicts and resolves none; an
arbiter resolving from a stale list is asked before replacing; u undoes; r lists the resolved.
And the reviewer prompt of a review without a lead. Checked on what another connection reads."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from screener.project import Project
from screener.tui.app import make_app
from screener.tui.screens.conflicts import ConflictsScreen
from screener.tui.screens.dashboard import DashboardScreen
from screener.tui.screens.reviewer import ReviewerPrompt
from screener.tui.widgets.prompts import PickList

TA = "title_abstract"
SIZE = (100, 40)


def _conflicted(path: Path) -> None:
    """Records 2 and 4 in conflict between alice and bob; dana (a screener) decided record 4."""
    with Project.open(path) as project:
        project.add_reviewer("dana")
        project.record_decision(2, TA, "alice", "include")
        project.record_decision(2, TA, "bob", "exclude", reason="Not a trial")
        project.record_decision(4, TA, "alice", "exclude")
        project.record_decision(4, TA, "bob", "include")
        project.record_decision(4, TA, "dana", "include")


def _live(path: Path, record_id: int):
    with Project.open(path) as project:
        return project.resolution(record_id, TA)


def _detail(screen) -> str:
    return str(screen.query_one("#conflict-text").render())


async def test_a_screener_sees_only_conflicts_they_decided_and_resolves_none(
    review_path: Path,
) -> None:
    _conflicted(review_path)
    app = make_app(review_path, reviewer="Dana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)
        assert [c.record_id for c in screen.conflicts] == [4]
        assert "alice: exclude" in _detail(screen) and "you are a screener" in _detail(screen)
        await pilot.press("i", "e")
        await pilot.pause()
        assert not isinstance(app.screen, PickList)  # refused before asking a reason
        await pilot.press("r")
        assert screen.conflicts == []
    assert _live(review_path, 4) is None and _live(review_path, 2) is None


async def test_a_stale_list_asks_before_replacing_and_keeping_is_the_default(
    review_path: Path,
) -> None:
    _conflicted(review_path)
    app = make_app(review_path, reviewer="carol")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        screen = app.screen
        assert [c.record_id for c in screen.conflicts] == [2, 4]
        with Project.open(review_path) as other:  # alice resolves meanwhile
            other.resolve_conflict(2, TA, "include", "alice", method="consensus")
        await pilot.press("e", "2")  # exclude, reason 2: stale
        await pilot.pause()
        assert isinstance(app.screen, PickList)
        question = str(app.screen.query_one(".prompt-title").render())
        assert "alice" in question and "include" in question
        await pilot.press("2")  # keep it
        await pilot.pause()
        assert app.screen is screen and [c.record_id for c in screen.conflicts] == [4]
        live = _live(review_path, 2)
        assert (live.reviewer, live.choice.value) == ("alice", "include")

        await pilot.press("r")  # the resolved ones
        assert [c.record_id for c in screen.conflicts] == [2]
        assert "include by alice" in _detail(screen)
        await pilot.press("e", "2")  # replace, on purpose
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
    live = _live(review_path, 2)
    assert (live.reviewer, live.choice.value, live.reason) == ("carol", "exclude", "Not a nudge")
    assert live.replaces_id is not None


async def test_u_undoes_the_last_resolution_and_a_resolved_one(review_path: Path) -> None:
    _conflicted(review_path)
    app = make_app(review_path, reviewer="carol")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        screen = app.screen
        await pilot.press("i")  # record 2: include, by carol
        assert [c.record_id for c in screen.conflicts] == [4]
        assert _live(review_path, 2).reviewer == "carol"
        await pilot.press("u")  # her own: undone at once
        assert [c.record_id for c in screen.conflicts] == [2, 4]
        assert _live(review_path, 2) is None
        with Project.open(review_path) as other:
            other.resolve_conflict(4, TA, "exclude", "alice", method="consensus")
        await pilot.press("r")
        assert [c.record_id for c in screen.conflicts] == [4]
        await pilot.press("u")  # alice's: asked first
        await pilot.pause()
        assert isinstance(app.screen, PickList)
        await pilot.press("1")
        await pilot.pause()
        assert screen.conflicts == []
    assert _live(review_path, 4) is None
    with Project.open(review_path) as project:
        assert project.db.execute("SELECT count(*) FROM resolution_undo").fetchone()[0] == 2


async def test_a_review_without_a_lead_asks_for_the_leads_name_once(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Project.create(path, title="Made without --reviewer").close()
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReviewerPrompt)
        app.screen.query_one(Input).value = "Zoë 1"
        await pilot.press("enter")
        assert isinstance(app.screen, DashboardScreen) and app.reviewer == "Zoë 1"
    with Project.open(path) as project:
        assert [(r.name, r.role) for r in project.reviewers()] == [("Zoë 1", "lead")]
    again = make_app(path)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not again.screen.query(Input)  # now a pick list
        await pilot.press("escape")  # nobody picked: the app closes
        await pilot.pause()
    assert again.return_code is not None or not again.is_running
