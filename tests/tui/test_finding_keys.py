"""Finding one's way: the keys that matter are on screen (footer, key lines, labels), the help
says how to close it, and the criteria and highlight terms can be set from the TUI."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Footer

from screener.tui.app import make_app
from screener.tui.screens.screening import ScreeningScreen


def _footer_keys(app) -> dict[str, tuple[int, int]]:
    """action -> (left, right) column of each key the footer shows on screen."""
    footer = app.screen.query_one(Footer)
    return {
        key.action: (key.region.x, key.region.right)
        for key in footer.query("FooterKey")
        if key.region.width > 0
    }


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("screen_key", ["s", "f"], ids=["screening", "full_text"])
async def test_back_and_help_stay_in_the_footer(
    review_path: Path, size: tuple[int, int], screen_key: str
) -> None:
    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=size) as pilot:
        await pilot.press(screen_key)
        await pilot.pause()
        assert isinstance(app.screen, ScreeningScreen)
        shown = _footer_keys(app)
        for action in ("back", "app.help"):
            assert action in shown, f"{action} is not in the footer at {size}"
            assert shown[action][1] <= size[0], f"{action} is cut off at {size}"
        for action in ("decide('include')", "exclude"):
            assert action in shown and shown[action][1] <= size[0]


async def test_help_rebound_in_a_key_file_moves_on_the_screening_screen_too(
    review_path: Path, tmp_path: Path
) -> None:
    from screener.tui.screens.help import HelpScreen

    keys = tmp_path / "keys.toml"
    keys.write_text('[app]\nhelp = "f1"\n', encoding="utf-8")
    app = make_app(review_path, reviewer="alice", keys=keys)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, ScreeningScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


def _visible_text(widget) -> str:
    assert widget.region.width > 0 and widget.region.height > 0, f"{widget} is not on screen"
    footer = widget.screen.query(Footer)
    if footer:  # not under the footer either
        assert widget.region.bottom <= footer.first().region.y, f"{widget} is under the footer"
    return str(widget.render())


@pytest.fixture
def team_review(tmp_path: Path, new_review) -> Path:
    """The test review with a lead (alice) and a screener (bob), one study judged."""
    path = tmp_path / "team.db"
    from screener.project import Project

    with Project.create(
        path,
        title="Team review",
        reviewers=["alice", "bob"],
        inclusion_criteria="Trials",
        include_terms=("nudge",),
    ) as project:
        project.create_study("Zhang 2021")
        project.create_study("Chen 2020")
    return path


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_extraction_and_rob_show_their_keys_on_screen(team_review: Path, size) -> None:
    app = make_app(team_review, reviewer="alice")
    async with app.run_test(size=size) as pilot:
        await pilot.press("x")
        await pilot.pause()
        keys = _visible_text(app.screen.query_one("KeyLine"))
        for words in (
            "^s Save",
            "^n New study",
            "^o Convert",
            "^r Compare",
            "^b Risk of bias",
            "esc Back",
            "saved when you leave",
        ):
            assert words in keys
        await pilot.press("escape", "b")
        await pilot.pause()
        keys = _visible_text(app.screen.query_one("KeyLine"))
        for words in (
            "⏎ Support",
            "^s Save",
            "t Tool",
            "[ Previous study",
            "] Next study",
            "esc Back",
        ):
            assert words in keys
        heading = _visible_text(app.screen.query_one("#rob-tool"))
        assert f"Judging {app.screen.study} with RoB 2" in heading
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert f"Judging {app.screen.study} " in _visible_text(app.screen.query_one("#rob-tool"))


async def test_the_search_screen_labels_its_boxes(review_path: Path, tmp_path: Path) -> None:
    from screener.tui.screens.search import SearchScreen

    queries = tmp_path / "queries"
    queries.mkdir()
    (queries / "il2.txt").write_text("interleukin-2[tiab]\n", encoding="utf-8")
    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(SearchScreen(queries))
        await pilot.pause()
        assert _visible_text(app.screen.query_one("#queries-label")).startswith("Saved strategies")
        assert _visible_text(app.screen.query_one("#strategy-label")).startswith("Strategy")


async def test_the_help_says_how_to_close_it(review_path: Path) -> None:
    from screener.tui.screens.help import HelpScreen

    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "Esc, ? or q closes this help" in _visible_text(app.screen.query_one("Static"))


async def test_the_lead_sets_criteria_and_terms_from_the_dashboard(team_review: Path) -> None:
    from textual.widgets import Input

    from screener.project import Project
    from screener.tui.screens.criteria import CriteriaScreen

    app = make_app(team_review, reviewer="Alice")  # names match in any case
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CriteriaScreen)
        assert screen.query_one("#criteria-inclusion_criteria", Input).value == "Trials"
        screen.query_one("#criteria-inclusion_criteria", Input).value = "Randomised trials [RCT]"
        screen.query_one("#criteria-include_terms", Input).value = "nudge; [b]; 提醒"
        await pilot.press("escape")  # unsaved: asks first
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("ctrl+s")
        await pilot.pause()
        with Project.open(team_review) as other:
            review = other.review()
            assert review.inclusion_criteria == "Randomised trials [RCT]"
            assert set(review.include_terms) == {"nudge", "[b]", "提醒"}
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CriteriaScreen)


async def test_only_the_lead_may_change_the_criteria(team_review: Path) -> None:
    from screener.tui.screens.criteria import CriteriaScreen

    app = make_app(team_review, reviewer="bob")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert not isinstance(app.screen, CriteriaScreen)
        assert any("only the review's lead" in n.message for n in app._notifications)


async def test_a_review_without_a_lead_lets_anyone_set_the_criteria(review_path: Path) -> None:
    from screener.tui.screens.criteria import CriteriaScreen

    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, CriteriaScreen)


@pytest.mark.parametrize(
    "key", ["s", "c", "f", "i", "p", "d", "x", "b", "a", "r", "e", "question_mark"]
)
async def test_escape_goes_back_from_every_screen_and_q_quits(review_path: Path, key: str) -> None:
    from screener.tui.screens.dashboard import DashboardScreen

    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, DashboardScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
