"""Pilot tests: the risk-of-bias screen on the BCG demo review (13 real trials as studies).

Keys judge each domain, Enter adds the support, Ctrl+S saves through the façade; what is
asserted is read back from the review file with a new connection. Assessors are blind to each
other until the comparison screen, where the lead settles disagreements as consensus.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from screener.demo_bcg import build_bcg_demo
from screener.project import Project
from screener.tui.app import make_app
from screener.tui.screens.dashboard import DashboardScreen
from screener.tui.screens.extraction import ExtractionScreen
from screener.tui.screens.help import HelpScreen
from screener.tui.screens.rob import RobSaved, RobScreen
from screener.tui.screens.rob_compare import RobCompareScreen, RobResolved
from screener.tui.widgets.prompts import PickList
from screener.tui.widgets.rob import judgement_keys

SIZE = (100, 32)
FIRST = "Aronson 1948"
ROB2 = ("randomization", "deviations", "missing_data", "measurement", "reported_result")


@pytest.fixture(scope="module")
def bcg_demo(tmp_path_factory) -> Path:
    """The BCG demo review, with the assessors the tests name declared."""
    path = build_bcg_demo(tmp_path_factory.mktemp("bcg"))
    with Project.open(path) as project:
        for name, role in (("alice", "screener"), ("bob", "screener"), ("carol", "lead")):
            project.add_reviewer(name, role)
    return path


@pytest.fixture
def bcg(bcg_demo: Path, tmp_path: Path) -> Path:
    """A fresh copy of the BCG demo review for each test (tests write to it)."""
    return Path(shutil.copy(bcg_demo, tmp_path / "bcg.db"))


class Posted(list):
    """Messages of one kind, each once (the hook sees a message at every pump it bubbles to)."""

    def __init__(self, kind: type) -> None:
        super().__init__()
        self.kind = kind

    def __call__(self, message: object) -> None:
        if isinstance(message, self.kind) and not any(m is message for m in self):
            self.append(message)


def saved(
    path: Path, reviewer: str, study: str = FIRST, tool: str = "rob2", role: str = "assessor"
):
    """{domain: (judgement, support)} as committed in the file, read with a new connection."""
    with Project.open(path) as project:
        return {
            j.domain: (j.judgement, j.support)
            for j in project.rob_judgements(study=study, tool=tool, reviewer=reviewer)
            if j.role == role
        }


def screen_text(screen: RobScreen) -> str:
    table = screen.query_one("#rob-domains", DataTable)
    cells = [str(c) for r in range(table.row_count) for c in table.get_row_at(r)]
    statics = [str(s.render()) for s in screen.query(Static)]
    return "\n".join(cells + statics)


def cell(screen: RobScreen, domain: str) -> str:
    """The judgement shown for ``domain`` ('overall' for the Overall row)."""
    return str(screen.query_one("#rob-domains", DataTable).get_cell(domain, "judgement"))


async def test_judge_every_rob2_domain_with_keys_and_save(bcg: Path) -> None:
    app = make_app(bcg, reviewer="alice")
    posted = Posted(RobSaved)
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await pilot.press("b")
        screen = app.screen
        assert isinstance(screen, RobScreen) and screen.study == FIRST and screen.tool.key == "rob2"
        await pilot.press("enter")  # D1's support, before judging it
        await pilot.pause()
        await pilot.press(*"Allocation by a random numbers table", "enter")
        await pilot.pause()
        await pilot.press("l", "s", "h", "l", "l")  # D1..D5; the cursor moves on
        await pilot.pause()
        assert cell(screen, "overall") == "high (auto)"  # a high domain makes RoB 2 high
        assert "Overall: high (the tool's algorithm gives high)" in str(
            screen.query_one("#rob-overall", Static).render()
        )
        assert "unsaved" in str(screen.query_one("#rob-overall", Static).render())
        assert saved(bcg, "alice") == {}  # nothing written before Ctrl+S
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert str(screen.query_one("#rob-studies", DataTable).get_cell(FIRST, "mark")) == "✓"
        assert "unsaved" not in str(screen.query_one("#rob-overall", Static).render())
    assert saved(bcg, "alice") == {
        "randomization": ("low", "Allocation by a random numbers table"),
        "deviations": ("some concerns", ""),
        "missing_data": ("high", ""),
        "measurement": ("low", ""),
        "reported_result": ("low", ""),
    }
    assert [(m.study, m.tool, m.domains) for m in posted] == [(FIRST, "rob2", 5)]
    with Project.open(bcg) as project:
        row = project.rob_summary("rob2").rows[0]
    assert (row.study, row.cells, row.overall, row.source) == (
        FIRST,
        ("low", "some concerns", "high", "low", "low"),
        "high",
        "single",
    )


async def test_an_explicit_overall_and_a_cleared_domain(bcg: Path) -> None:
    with Project.open(bcg) as project:
        project.save_rob(FIRST, "rob2", "alice", dict.fromkeys(ROB2, "some concerns"))
    app = make_app(bcg, reviewer="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        screen = app.screen
        assert cell(screen, "overall") == "some concerns (auto)"
        await pilot.press("down", "down", "down", "down", "down")  # the Overall row
        await pilot.press("h")  # RoB 2 lets assessors judge several concerns as high overall
        await pilot.press("up", "backspace", "ctrl+s")  # and clear D5
        await pilot.pause()
        assert cell(screen, "overall") == "high"
    found = saved(bcg, "alice")
    assert found["overall"] == ("high", "") and "reported_result" not in found and len(found) == 5


async def test_each_tool_has_its_own_keys(bcg: Path) -> None:
    app = make_app(bcg, reviewer="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b", "t")
        assert isinstance(app.screen, PickList)
        await pilot.press("2")  # ROBINS-I
        screen = app.screen
        assert isinstance(screen, RobScreen) and screen.tool.key == "robins_i"
        await pilot.press("h")  # not a ROBINS-I judgement
        await pilot.pause()
        assert cell(screen, "confounding") == "—"
        await pilot.press("m", "s", "l", "l", "n", "l", "c")
        await pilot.pause()
        assert cell(screen, "overall") == "critical (auto)"  # the worst domain
        await pilot.press("t", "3")  # Newcastle-Ottawa, cohort
        await pilot.press("1", "1", "1", "0", "2")  # stars; comparability takes 2
        await pilot.press("t", "5")  # JBI: no algorithm
        await pilot.pause()
        assert "defines no overall algorithm" in str(
            screen.query_one("#rob-overall", Static).render()
        )
        assert cell(screen, "overall") == "—"
        await pilot.press("y", "u", "n", "a", "ctrl+s")
        await pilot.pause()
    assert list(saved(bcg, "alice", tool="robins_i").values()) == [
        ("moderate", ""),
        ("serious", ""),
        ("low", ""),
        ("low", ""),
        ("no information", ""),
        ("low", ""),
        ("critical", ""),
    ]
    assert [j for j, _ in saved(bcg, "alice", tool="nos_cohort").values()] == [
        "1",
        "1",
        "1",
        "0",
        "2",
    ]
    assert [j for j, _ in saved(bcg, "alice", tool="jbi_case_series").values()] == [
        "yes",
        "unclear",
        "no",
        "not applicable",
    ]


def test_judgement_keys_follow_each_vocabulary() -> None:
    assert judgement_keys(("low", "some concerns", "high")) == {
        "l": "low",
        "s": "some concerns",
        "h": "high",
    }
    assert judgement_keys(("yes", "unclear", "no", "not applicable")) == {
        "y": "yes",
        "u": "unclear",
        "n": "no",
        "a": "not applicable",
    }
    assert judgement_keys(("0", "1", "2")) == {"0": "0", "1": "1", "2": "2"}


async def test_blind_until_the_lead_compares(bcg: Path) -> None:
    quote = "Sealed envelopes opened in sequence"
    with Project.open(bcg) as project:
        project.save_rob(
            FIRST,
            "rob2",
            "alice",
            dict(zip(ROB2, ("low", "low", "high", "low", "low"), strict=True)),
            support={"randomization": quote},
        )
    app = make_app(bcg, reviewer="bob")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        screen = app.screen
        assert screen.study == FIRST
        assert all(cell(screen, d) == "—" for d in ROB2)  # alice's judgements are not shown
        assert cell(screen, "overall") == "—" and quote not in screen_text(screen)
        assert str(screen.query_one("#rob-studies", DataTable).get_cell(FIRST, "mark")) == ""
        await pilot.press("l", "l", "s", "l", "l", "ctrl+s")
        await pilot.pause()
        assert cell(screen, "missing_data") == "some concerns" and quote not in screen_text(screen)
    assert saved(bcg, "bob") == dict.fromkeys(ROB2, ("low", "")) | {
        "missing_data": ("some concerns", "")
    }
    assert saved(bcg, "alice")["missing_data"] == ("high", "")  # bob's save left alice's alone

    lead = make_app(bcg, reviewer="carol")
    posted = Posted(RobResolved)
    async with lead.run_test(size=SIZE, message_hook=posted) as pilot:
        await pilot.press("b", "ctrl+r")
        compare = lead.screen
        assert isinstance(compare, RobCompareScreen)
        assert compare.query_one(DataTable).row_count == 1
        detail = str(compare.query_one("#rob-compare-detail", Static).render())
        assert "alice: high" in detail and "bob: some concerns" in detail
        await pilot.press("2")  # take bob's judgement
        await pilot.pause()
        assert compare.query_one(DataTable).row_count == 0
    assert [(m.study, m.domain, m.judgement) for m in posted] == [
        (FIRST, "missing_data", "some concerns")
    ]
    assert saved(bcg, "carol", role="consensus") == {"missing_data": ("some concerns", "")}
    with Project.open(bcg) as project:
        row = project.rob_summary("rob2").rows[0]
    assert row.overall == "some concerns" and row.source != "disagreement"


async def test_reached_from_dashboard_help_and_extraction(bcg: Path) -> None:
    app = make_app(bcg, reviewer="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        help_text = str(app.screen.query_one(Static).render())
        assert "Risk of bias  [dashboard.rob]" in help_text
        await pilot.press("escape", "b", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        help_text = str(app.screen.query_one(Static).render())
        for line in (
            "low  [rob.low]",
            "some concerns  [rob.some_concerns]",
            "Support  [rob.support]",
            "Save  [rob.save]",
            "Tool  [rob.tool]",
        ):
            assert line in help_text
        assert "[rob.moderate]" not in help_text  # not a RoB 2 judgement
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("x")
        await pilot.pause()
        extraction = app.screen
        assert isinstance(extraction, ExtractionScreen)
        extraction.query_one("#studies", DataTable).move_cursor(row=2)
        await pilot.pause()
        await pilot.press("ctrl+b")
        assert (
            isinstance(app.screen, RobScreen)
            and app.screen.study == extraction.study == "Rosenthal et al 1960"
        )


async def test_leaving_with_unsaved_judgements_warns_first(bcg: Path) -> None:
    app = make_app(bcg, reviewer="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b", "l", "right_square_bracket", "h")  # two studies judged, not saved
        screen = app.screen
        assert screen.unsaved() == [("rob2", FIRST), ("rob2", "Ferguson & Simes 1949")]
        await pilot.press("escape")
        assert app.screen is screen
        assert any("Escape again leaves without saving" in n.message for n in app._notifications)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)
    assert saved(bcg, "alice") == {"randomization": ("low", "")}
    assert saved(bcg, "alice", study="Ferguson & Simes 1949") == {"randomization": ("high", "")}


def test_rob_screen_snapshot(snap_compare, bcg: Path) -> None:
    with Project.open(bcg) as project:
        project.save_rob(
            FIRST,
            "rob2",
            "alice",
            dict(zip(ROB2, ("low", "some concerns", "low", "high", "low"), strict=True)),
            support={"measurement": "Unblinded"},
        )
        project.save_rob("Ferguson & Simes 1949", "rob2", "alice", {"randomization": "low"})
        project.save_rob(FIRST, "rob2", "bob", dict.fromkeys(ROB2, "low"))  # not shown to alice
    assert snap_compare(
        make_app(bcg, reviewer="alice"), terminal_size=(80, 24), press=["b", "down", "down", "down"]
    )


async def test_a_highlight_with_no_row_leaves_the_study_as_it_is(bcg: Path) -> None:
    """A cleared table may post RowHighlighted with no row key (the served-TUI key sweep found
    the crash on the extraction screen); the RoB screen keeps its study and does not crash."""
    app = make_app(bcg, reviewer="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        screen = app.screen
        assert isinstance(screen, RobScreen) and screen.study == FIRST
        table = screen.query_one("#rob-studies", DataTable)
        screen.post_message(DataTable.RowHighlighted(table, 0, None))  # type: ignore[arg-type]
        await pilot.pause()
        assert app.screen is screen and screen.study == FIRST
        await pilot.press("l")  # and it still takes keys
        await pilot.pause()
        assert cell(screen, ROB2[0]) == "low"
