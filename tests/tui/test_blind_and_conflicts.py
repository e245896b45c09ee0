"""Blind dual review on screen, and resolving conflicts from the conflicts screen."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, OptionList

from screener.project import Project
from screener.tui.app import make_app
from screener.tui.screens.conflicts import ConflictsScreen
from screener.tui.widgets.decision_bar import DecisionBar


def _screen_text(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query("Static"))


async def test_reviewer_b_never_sees_a_decision(review_path: Path) -> None:
    with Project.open(review_path) as project:
        project.record_decision(1, "title_abstract", "alice", "exclude", reason="Not a nudge")
        project.record_decision(2, "title_abstract", "alice", "include")
        project.add_note(1, "alice", "alice thinks no")
        project.tag_record(1, "alicetag", "alice")
    app = make_app(review_path, reviewer="bob")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("s")
        assert app.screen.record_id == 1
        for _ in range(2):  # before and after bob decides record 1
            text = _screen_text(app)
            assert "alice" not in text and "alicetag" not in text
            bar = str(app.screen.query_one(DecisionBar).render())
            assert "exclude" not in bar and "Not a nudge" not in bar  # (the criteria list it)
            await pilot.press("i", "left")
        assert "You: include" in str(app.screen.query_one(DecisionBar).render())
        await pilot.press("f")  # bob's filter offers only his own tags
        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert len(labels) == 6 and not any("alicetag" in label for label in labels)
    with Project.open(review_path) as project:
        export = {r.id: r.decisions for r in project.export_records(as_reviewer="bob")}
    assert [d.reviewer for d in export[2]] == []  # bob has not decided record 2
    assert {d.reviewer for d in export[1]} == {"alice", "bob"}


async def test_not_blind_shows_both(tmp_path: Path, new_review) -> None:
    path = new_review(tmp_path / "open.db", blind=False)
    with Project.open(path) as project:
        project.record_decision(1, "title_abstract", "alice", "exclude", reason="Not a nudge")
    app = make_app(path, reviewer="bob")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("s")
        assert "alice: exclude (Not a nudge)" in str(app.screen.query_one(DecisionBar).render())


def _conflicted(path: Path) -> None:
    with Project.open(path) as project:
        project.record_decision(2, "title_abstract", "alice", "include")
        project.record_decision(
            2, "title_abstract", "bob", "exclude", reason="Not a trial", note="a protocol only"
        )
        project.record_decision(4, "title_abstract", "alice", "exclude")
        project.record_decision(4, "title_abstract", "bob", "maybe")
        project.add_note(4, "alice", "opioids are out of scope?")
        project.record_decision(1, "title_abstract", "alice", "include")
        project.record_decision(1, "title_abstract", "bob", "include")


async def test_third_reviewer_resolves_conflicts(review_path: Path) -> None:
    _conflicted(review_path)
    app = make_app(review_path, reviewer="carol")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)
        assert [c.record_id for c in screen.conflicts] == [2, 4]
        detail = str(screen.query_one("#conflict-text").render())
        assert "alice: include" in detail and "bob: exclude (Not a trial)" in detail
        assert "a protocol only" in detail and "carol as third reviewer" in detail
        await pilot.press("i")  # record 2 -> include, by carol
        assert [c.record_id for c in screen.conflicts] == [4]
        assert "opioids are out of scope?" in str(screen.query_one("#conflict-text").render())
        await pilot.press("e", "2")  # record 4 -> exclude, reason 2
        assert screen.conflicts == []
        assert screen.query_one(DataTable).row_count == 0
    with Project.open(review_path) as project:
        first, second = (
            project.resolution(2, "title_abstract"),
            project.resolution(4, "title_abstract"),
        )
        assert (first.choice.value, first.reviewer, first.method.value) == (
            "include",
            "carol",
            "third_reviewer",
        )
        assert (second.choice.value, second.reason) == ("exclude", "Not a nudge")
        assert project.full_text_candidates() == [1, 2]


async def test_pair_resolves_by_consensus_and_method_switch(review_path: Path) -> None:
    _conflicted(review_path)
    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("c")
        screen = app.screen
        assert "alice for the pair (consensus)" in str(screen.query_one("#conflict-text").render())
        await pilot.press("m", "i")  # alice as "third reviewer": refused
        assert [c.record_id for c in screen.conflicts] == [2, 4]
        await pilot.press("m", "i")  # back to consensus: recorded
        assert [c.record_id for c in screen.conflicts] == [4]
        await pilot.press("s")  # full-text stage: nothing yet
        assert screen.conflicts == [] and "No unresolved conflicts at full text" in str(
            screen.query_one("#conflict-text").render()
        )
    with Project.open(review_path) as project:
        resolution = project.resolution(2, "title_abstract")
        assert (resolution.reviewer, resolution.method.value) == ("alice", "consensus")
