"""Prioritised screening in the TUI: retraining behind the keys, the relevance in the decision
bar, the order key, and the dashboard's stopping-rule line (Pilot and snapshots)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from screener.project import Project
from screener.screening.order import QueueMode
from screener.tui.app import ScreenerApp, make_app
from screener.tui.screens.screening import ScreeningScreen
from screener.tui.widgets.decision_bar import DecisionBar

DATA = Path(__file__).resolve().parents[1] / "data" / "ranking" / "nagtegaal_2019_small.csv"


def _truth() -> dict[int, bool]:
    with open(DATA, encoding="utf-8") as handle:
        return {
            n: row["label_included"] == "1" for n, row in enumerate(csv.DictReader(handle), start=1)
        }


@pytest.fixture
def ranked_review(tmp_path: Path) -> Path:
    path = tmp_path / "ranked.db"
    with Project.create(path, title="Nudges (ranking test)", reviewers=["alice", "bob"]) as project:
        project.import_file(DATA, source="Test")
    return path


def _bar(app: ScreenerApp) -> str:
    return str(app.screen.query_one(DecisionBar).render())


async def test_decisions_retrain_in_the_background_and_reorder_the_queue(
    ranked_review: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ScreenerApp, "ranking_in_background", True)
    truth = _truth()
    app = make_app(ranked_review, reviewer="alice")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        screen = app.screen
        assert isinstance(screen, ScreeningScreen)
        assert "Order: file order" in _bar(app)
        for _ in range(8):
            await pilot.press("i" if truth[screen.record_id or 0] else "e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        with Project.open(ranked_review) as project:
            info = project.queue_order("alice").ranking
            expected = project.ordered_queue("title_abstract", "alice")
        # trained on the eight decisions (the last retrain covers them all)
        assert info is not None and info.labels == 8
        assert screen.queue_order is not None
        assert screen.queue_order.effective is QueueMode.RELEVANCE
        # the record on screen stays; the rest of the queue follows the new ranking
        assert screen.ids[0] == screen.record_id == 9
        assert [i for i in screen.ids[1:]] == [i for i in expected if i != 9]
        assert "Relevance" in _bar(app) and "rank" in _bar(app)
        await pilot.press("i" if truth[9] else "e")
        assert screen.record_id == expected[0] if expected[0] != 9 else expected[1]
        # p: the order picker; 3 is random order
        await pilot.press("p", "3")
        assert "Order: random order" in _bar(app)
        await app.workers.wait_for_complete()
    with Project.open(ranked_review) as project:
        assert project.queue_order("alice").mode is QueueMode.RANDOM


@pytest.fixture
def ranked_scene(ranked_review: Path) -> Path:
    """alice decided the first ten records and has a ranking; a random sample has begun with
    three records screened."""
    truth = _truth()
    with Project.open(ranked_review) as project:
        for record_id in range(1, 11):
            project.record_decision(
                record_id, "title_abstract", "alice", "include" if truth[record_id] else "exclude"
            )
        project.set_queue_order("bob", "random", seed=4)
        for record_id in project.ordered_queue("title_abstract", "bob")[:3]:
            project.record_decision(
                record_id, "title_abstract", "bob", "include" if truth[record_id] else "exclude"
            )
        project.retrain_ranking("alice")
    return ranked_review


def test_snapshot_screening_shows_relevance(snap_compare, ranked_scene: Path) -> None:
    assert snap_compare(
        make_app(ranked_scene, reviewer="alice"), terminal_size=(100, 30), press=["s"]
    )


def test_snapshot_dashboard_shows_order_and_stopping(snap_compare, ranked_scene: Path) -> None:
    assert snap_compare(make_app(ranked_scene, reviewer="alice"), terminal_size=(100, 30))
