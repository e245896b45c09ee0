"""The analysis screen (Pilot) on the BCG demo review: choose options with the keys a reviewer
presses, run in a worker, read the pooled result and the text forest plot, save, open the plot."""

from __future__ import annotations

import asyncio
import math
import threading

import pytest
from textual.widgets import Select
from worker_checks import other_threads, record_threads, watch_reports

from screener.project import Project
from screener.tui.app import make_app
from screener.tui.screens.analysis import (
    AnalysisFailed,
    AnalysisFinished,
    AnalysisSaved,
    AnalysisScreen,
    text_forest,
)


class Observed(AnalysisScreen):
    """The real screen, keeping the messages it receives."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[object] = []

    def on_analysis_finished(self, message: AnalysisFinished) -> None:
        super().on_analysis_finished(message)
        self.seen.append(message)

    def on_analysis_failed(self, message: AnalysisFailed) -> None:
        super().on_analysis_failed(message)
        self.seen.append(message)

    def on_analysis_saved(self, message: AnalysisSaved) -> None:
        self.seen.append(message)


async def choose(pilot, select_id: str, label: str) -> None:
    """Open a Select with enter and move to ``label`` with the arrow keys, as a person would."""
    screen = pilot.app.screen
    select = screen.query_one(f"#{select_id}", Select)
    labels = [str(prompt) for prompt, _ in select._options if _ is not Select.NULL]
    select.focus()
    await pilot.press("enter")
    await pilot.pause()
    current = labels.index(next(str(p) for p, v in select._options if v == select.value))
    target = labels.index(label)
    await pilot.press(
        *(["down"] * (target - current) if target >= current else ["up"] * (current - target))
    )
    await pilot.press("enter")
    await pilot.pause()


async def test_run_read_and_save_an_analysis(bcg_path):
    opened: list[str] = []
    app = make_app(bcg_path, reviewer="alice", opener=opened.append)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a")  # the dashboard's way in
        await pilot.pause()
        assert isinstance(app.screen, AnalysisScreen)
        assert "Tuberculosis: 13 studies with dichotomous data" in app.screen.status_text
        app.pop_screen()
        await pilot.pause()
        screen = Observed()
        await app.push_screen(screen)
        await pilot.pause()
        assert screen.query_one("#outcome", Select).value == "Tuberculosis"
        await choose(pilot, "by", "alloc")
        await choose(pilot, "measure", "OR")
        await choose(pilot, "method", "DL (random)")
        assert screen.options() == {
            "measure": "OR",
            "method": "DL",
            "test": "z",
            "by": "alloc",
            "egger": None,
            "trimfill": False,
            "timepoint": None,
            "level": 95.0,
            "mods": (),
            "cumulative": None,
            "begg": False,
            "leave_one_out": False,
            "influence": False,
        }
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        (finished,) = [m for m in screen.seen if isinstance(m, AnalysisFinished)]
        engine = app.project.run_pool(
            "Tuberculosis", measure="OR", method="DL", by="alloc"
        ).analysis
        res = finished.pooled.analysis.result
        assert res.estimate == pytest.approx(engine.result.estimate, rel=1e-12)
        text = screen.result_text
        assert (
            f"Pooled OR {math.exp(res.estimate):.4f} [{math.exp(res.ci_lb):.4f}, "
            f"{math.exp(res.ci_ub):.4f}]" in text
        )
        assert (
            f"Heterogeneity: I² = {res.I2:.1f}%, τ² = {res.tau2:.4f}, Q = {res.QE:.2f} "
            f"(df = 12), p < .0001"
        ) in text
        assert f"Q = {engine.subgroups.Q_between:.2f} (df = 2)" in text
        assert (
            "Aronson 1948" in text and text.count("Subtotal (") == 3 and "◆" in text
        )  # 80 columns: labels cut
        assert finished.forest.exists() and "Aronson 1948" in finished.forest.read_text(
            encoding="utf-8"
        )
        assert str(finished.forest) in text
        # nothing is stored until ctrl+s
        assert app.project.analyses() == []
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+s")  # a second press does not store it twice
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert opened == [str(finished.forest)]
        (saved_message,) = [m for m in screen.seen if isinstance(m, AnalysisSaved)]
    with Project.open(bcg_path) as project:
        (saved,) = project.analyses()
    assert saved.id == saved_message.saved.id and saved.reviewer == "alice"
    assert saved.name == "Tuberculosis: OR, DL, by alloc"
    for key in ("estimate", "se", "ci_lb", "ci_ub", "tau2", "I2", "QE", "pval"):
        assert saved.results[key] == pytest.approx(getattr(engine.result, key), rel=1e-12), key
    assert saved.results["Q_between"] == pytest.approx(engine.subgroups.Q_between, rel=1e-12)


async def test_a_failed_run_says_why(bcg_path):
    app = make_app(bcg_path, reviewer="alice")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = Observed()
        await app.push_screen(screen)
        await pilot.pause()
        screen.query_one("#method", Select).value = "MH"
        screen.query_one("#measure", Select).value = "RR"
        screen.query_one("#egger").value = True
        await pilot.pause()
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        (failed,) = screen.seen
        assert isinstance(failed, AnalysisFailed) and "inverse-variance" in failed.error
        assert "Stopped:" in screen.status_text
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.project.analyses() == []


def test_text_forest_places_each_study_by_its_estimate(bcg):
    pooled = bcg.run_pool("Tuberculosis", measure="RR")
    res = pooled.analysis.result
    lines = [line for line, _ in text_forest(res, None, 90)]
    rows = {
        label: next(line for line in lines if line.startswith(label[:20])) for label in res.labels
    }
    squares = {label: row.index("■") for label, row in rows.items()}
    order = sorted(res.labels, key=lambda label: res.yi[res.labels.index(label)])
    assert [squares[label] for label in order] == sorted(squares[label] for label in order)
    assert all(len(line) <= 90 for line in lines)
    # the estimate column is on the risk-ratio scale
    aronson = rows["Aronson 1948"]
    assert f"{math.exp(res.yi[0]):.2f} [" in aronson
    pooled_row = next(line for line in lines if line.startswith("Random effects (REML)"))
    assert (
        f"{math.exp(res.estimate):.2f} [{math.exp(res.ci_lb):.2f}, {math.exp(res.ci_ub):.2f}]"
        in pooled_row
    )
    assert "◆" in pooled_row
    assert "┴" in lines[-2]  # the axis marks the line of no effect (RR 1)
    assert lines[-1].split() == [
        f"{math.exp(min(res.yi - 1.96 * res.vi**0.5)):.2f}",
        f"{math.exp(max(res.yi + 1.96 * res.vi**0.5)):.2f}",
    ]


async def test_a_review_without_outcomes(project):
    app = make_app(project.path, reviewer="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = Observed()
        await app.push_screen(screen)
        await pilot.pause()
        assert "No outcomes yet" in screen.status_text
        await pilot.press("ctrl+r", "ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.seen == [] and screen.pooled is None
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AnalysisScreen)


async def test_pooling_runs_on_its_own_connection(bcg_path):
    app = make_app(bcg_path, reviewer="alice", opener=lambda path: None)
    threads = record_threads(app.project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = Observed()
        await app.push_screen(screen)
        await pilot.pause()
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        (finished,) = screen.seen
        assert isinstance(finished, AnalysisFinished) and finished.pooled.analysis.result.k == 13
        await pilot.press("ctrl+s")  # saving is the main thread's, as before
        await pilot.pause()
    with Project.open(bcg_path) as project:
        assert len(project.analyses()) == 1
    assert threads and other_threads(threads) == set()


async def test_leaving_mid_pooling_cancels_it_and_drops_the_result(bcg_path, monkeypatch):
    reached, release = threading.Event(), threading.Event()
    run_pool = Project.run_pool

    def held_run_pool(self, *args, **kwargs):
        reached.set()
        assert release.wait(30)
        return run_pool(self, *args, **kwargs)

    monkeypatch.setattr(Project, "run_pool", held_run_pool)
    app = make_app(bcg_path, reviewer="alice", opener=lambda path: None)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = Observed()
        await app.push_screen(screen)
        await pilot.pause()
        accepted, posted = watch_reports(screen, AnalysisFinished)
        await pilot.press("ctrl+r")
        assert await asyncio.to_thread(reached.wait, 30)
        (worker,) = [w for w in app.workers if w.node is screen]
        await pilot.press("escape")  # back to the dashboard while it pools
        assert not isinstance(app.screen, AnalysisScreen) and worker.is_cancelled
        release.set()
        assert await asyncio.to_thread(posted.wait, 30)  # it pooled, and reported ...
        await pilot.pause()
        assert accepted == [False]  # ... to a closed screen: dropped
        assert screen.seen == [] and screen.pooled is None
        await pilot.press("a", "ctrl+r")  # the app goes on working
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.pooled is not None
