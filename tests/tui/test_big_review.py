"""Big reviews read their queue and counts in threads; screening goes on meanwhile."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from screener.tui.app import make_app
from screener.tui.screens.screening import ScreeningScreen
from screener.tui.widgets.decision_bar import DecisionBar


async def test_queue_and_counts_arrive_from_threads(review_path: Path, live) -> None:
    app = make_app(review_path, reviewer="alice")
    app.background_above = 0  # treat the six records as a big review
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "6 records · 0 duplicates" in str(app.screen.query_one("#summary", Static).render())
        await pilot.press("s", "i", "e")  # at once, whether or not the queue is read
        screen = app.screen
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.loading and screen.ids == [1, 2, 3, 4, 5, 6] and screen.record_id == 3
        assert "3 / 6" in str(screen.query_one(DecisionBar).render())
    assert live(review_path, "alice") == {1: ("include", ""), 2: ("exclude", "")}


async def test_screening_walks_on_before_the_queue_is_read(
    review_path: Path, live, monkeypatch
) -> None:
    # The thread never reports back: every move must fetch the next record itself.
    monkeypatch.setattr(ScreeningScreen, "_read_queue", lambda self, *args: None)
    app = make_app(review_path, reviewer="alice")
    app.background_above = 0
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("s")
        screen = app.screen
        assert screen.loading and screen.ids == [1]
        assert "1 / …" in str(screen.query_one(DecisionBar).render())
        await pilot.press("i", "right", "m", "left", "left")
        assert screen.ids == [1, 2, 3, 4] and screen.record_id == 2
        await pilot.press("u")  # undo the maybe on record 3
        assert screen.record_id == 3
        await pilot.press(*"eeee")  # 3, 4, 5, 6, then back to the skipped 2
        assert screen.record_id == 2
        await pilot.press("e")
        assert screen.record_id is None  # past the last record
        screen._queue_read(screen._token, [])  # the (late) answer: nothing left undecided
        assert screen.record_id is None and "No records in this queue (undecided by you)" in str(
            screen.query_one("#record-text").render()
        )
    assert live(review_path, "alice") == {
        1: ("include", ""),
        2: ("exclude", ""),
        3: ("exclude", ""),
        4: ("exclude", ""),
        5: ("exclude", ""),
        6: ("exclude", ""),
    }
