"""The analysis screen reaches the further analyses (meta-regression, cumulative, leave-one-out,
influence, Begg, the level), shows the k < 10 caution, and lists the saved analyses to rename
or delete them (issue 18)."""

from __future__ import annotations

import pandas as pd
import pytest
from textual.widgets import Checkbox, OptionList

from screener.flows.pooling import OutcomeAnalysis
from screener.pooling.analysis import AnalysisSettings, run_analysis
from screener.pooling.cautions import SMALL_K_CAUTION
from screener.pooling.further import FurtherRequest
from screener.project import Project
from screener.tui.app import make_app
from screener.tui.screens.analysis import AnalysisScreen, result_text
from screener.tui.screens.saved_analyses import SavedAnalysesScreen
from tests.pooling.conftest import load
from tests.pooling_review.test_pool_review_screen import choose
from tests.read_only import read_only

REF = load("h_reachable_analyses.json")


async def tick(pilot, box: str) -> None:
    checkbox = pilot.app.screen.query_one(f"#{box}", Checkbox)
    checkbox.focus()
    await pilot.press("space")
    assert checkbox.value


async def test_the_further_analyses_from_the_screen(bcg_path):
    app = make_app(bcg_path, reviewer="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnalysisScreen)
        await choose(pilot, "measure", "RR")
        await choose(pilot, "mods", "ablat")
        await choose(pilot, "cumulative", "year")
        await choose(pilot, "level", "90%")
        for box in ("begg", "leave_one_out", "influence"):
            await tick(pilot, box)
        options = screen.options()
        assert (options["mods"], options["cumulative"], options["level"]) == (
            ("ablat",),
            "year",
            90.0,
        )
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen.result_text
    ref = REF["bcg_RR_REML"]
    assert f"Meta-regression on ablat: QM = {ref['meta_regression']['ablat']['QM']:.2f}" in text
    assert f"R² = {ref['meta_regression']['ablat']['R2']:.1f}%" in text
    assert f"Kendall's tau = {ref['ranktest']['tau']:.4f}" in text
    for heading in (
        "Leave-one-out analysis",
        "Cumulative meta-analysis (by year)",
        "Influence diagnostics",
        "Model Results (90% CI)",
    ):
        assert heading in text, heading
    assert "Cochrane Handbook" not in text  # 13 studies


def test_fewer_than_ten_studies_show_the_caution():
    frame = pd.DataFrame(REF["prepost_SMCR_REML"]["data"])
    analysis = run_analysis(
        frame, AnalysisSettings(measure="SMCR", egger="rma", further=FurtherRequest(begg=True))
    )
    text = result_text(OutcomeAnalysis("Score", "prepost", "", analysis)).plain
    assert SMALL_K_CAUTION in text and "Begg's test" in text


@pytest.fixture
def saved_two(bcg_path):
    with Project.open(bcg_path) as project:
        first = project.pool("Tuberculosis", measure="RR", name="Main analysis").id
        second = project.pool("Tuberculosis", measure="OR", name="Odds ratios").id
    return bcg_path, first, second


def names(path) -> list[str]:
    with Project.open(path) as project:
        return [a.name for a in project.analyses()]


async def test_rename_and_delete_saved_analyses(saved_two):
    path, first, second = saved_two
    app = make_app(path, reviewer="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a", "ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, SavedAnalysesScreen)
        assert app.screen.query_one(OptionList).option_count == 2
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("end", "ctrl+u", *"TB main", "enter")
        await pilot.pause()
        assert names(path) == ["TB main", "Odds ratios"]
        await pilot.press("down", "d")
        await pilot.pause()
        await pilot.press("2")  # "Keep it"
        await pilot.pause()
        assert names(path) == ["TB main", "Odds ratios"]
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("1")  # "Delete: Odds ratios"
        await pilot.pause()
        assert names(path) == ["TB main"]
        assert app.screen.query_one(OptionList).option_count == 1
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AnalysisScreen)


async def test_a_read_only_review_changes_nothing(saved_two):
    path, _, _ = saved_two
    with read_only(path, path.parent):
        app = make_app(path, reviewer="alice")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("a", "ctrl+l")
            await pilot.pause()
            await pilot.press("d")
            await pilot.pause()
            assert isinstance(app.screen, SavedAnalysesScreen)  # no question asked
            await pilot.press("r")
            await pilot.pause()
            assert isinstance(app.screen, SavedAnalysesScreen)
    assert names(path) == ["Main analysis", "Odds ratios"]
