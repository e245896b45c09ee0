"""Background work in the TUI (screener/tui/workers.py): each worker opens its own connection,
reports back by messages, and is cancelled with its screen; a late report is dropped.

Workers are held with events in hooks around the façade's real calls (no sleeps)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from textual.message import Message
from textual.widgets import Input
from worker_checks import other_threads, record_threads, watch_reports

from screener.project import Project
from screener.tui.app import make_app
from screener.tui.screens.dashboard import CountsLoaded, DashboardScreen
from screener.tui.screens.importing import (
    ImportChecked,
    ImportFinished,
    ImportProgressed,
    ImportScreen,
)
from screener.tui.screens.screening import QueueLoaded, ScreeningScreen


class Seen(list):
    """The messages dispatched anywhere in the app (each once; a message bubbles)."""

    def __call__(self, message: Message) -> None:
        if not any(m is message for m in self):
            self.append(message)

    def of(self, kind: type) -> list:
        return [m for m in self if isinstance(m, kind)]


async def test_workers_report_by_messages_and_never_use_the_apps_connection(
    review_path: Path, tmp_path: Path
) -> None:
    export = tmp_path / "more.csv"
    export.write_text(
        "title,abstract\nAudit and feedback for prescribers,A trial.\nDefault doses,\n",
        encoding="utf-8",
    )
    seen = Seen()
    app = make_app(review_path, reviewer="alice")
    app.background_above = 0  # the six records count as a big review: threads
    threads = record_threads(app.project)
    async with app.run_test(size=(100, 40), message_hook=seen) as pilot:
        await app.workers.wait_for_complete()  # the dashboard's counts
        await pilot.pause()
        await pilot.press("s")  # the queue, read in a thread
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.ids == [1, 2, 3, 4, 5, 6] and not app.screen.loading
        await pilot.press("escape", "i")  # check, then import, a file
        app.screen.query_one("#import-path", Input).value = str(export)
        app.screen.query_one("#import-source", Input).value = "Embase"
        app.screen.query_one("#import-path", Input).focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.screen.start_import()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        await app.workers.wait_for_complete()  # the counts again, on return
        await pilot.pause()
    assert seen.of(QueueLoaded)[0].ids == [1, 2, 3, 4, 5, 6]
    assert [m.preview.count for m in seen.of(ImportChecked)] == [2]
    assert [m.result.count_imported for m in seen.of(ImportFinished)] == [2]
    assert seen.of(ImportProgressed)[-1].done == 2
    counted = [m.counts[0].records for m in seen.of(CountsLoaded)]  # on mount, on each return
    assert counted[0] == 6 and counted[-1] == 8
    assert threads and other_threads(threads) == set()


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch):
    """hold(name): the façade method ``name``, when called off the main thread, waits for
    ``release`` after setting ``reached``."""
    reached, release = threading.Event(), threading.Event()

    def hold(name: str) -> tuple[threading.Event, threading.Event]:
        original = getattr(Project, name)

        def held_call(self, *args, **kwargs):
            if threading.current_thread() is not threading.main_thread():
                reached.set()
                assert release.wait(30)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(Project, name, held_call)
        return reached, release

    return hold


async def test_leaving_screening_cancels_the_queue_read_and_drops_its_result(
    review_path: Path, held
) -> None:
    reached, release = held("ordered_queue")
    seen = Seen()
    app = make_app(review_path, reviewer="alice")
    app.background_above = 0
    async with app.run_test(size=(100, 40), message_hook=seen) as pilot:
        await pilot.press("s")
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.loading
        accepted, posted = watch_reports(screen, QueueLoaded)
        assert await asyncio.to_thread(reached.wait, 30)  # the read is under way
        (worker,) = [w for w in app.workers if w.node is screen and w.group == "queue"]
        await pilot.press("escape")  # leave while it reads
        assert isinstance(app.screen, DashboardScreen) and worker.is_cancelled
        release.set()
        assert await asyncio.to_thread(posted.wait, 30)  # the read ended and reported
        await pilot.pause()
        assert accepted == [False]  # to a closed screen: dropped
        assert screen.loading and screen.ids == [1] and not seen.of(QueueLoaded)
        await pilot.press("s")  # the app goes on working
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is not screen and app.screen.ids == [1, 2, 3, 4, 5, 6]
        await pilot.press("i")
        assert app.screen.record_id == 2
    assert app.return_code in (None, 0)


async def test_a_report_from_a_cancelled_worker_is_stale(review_path: Path, held) -> None:
    reached, release = held("preview_import")
    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = ImportScreen(str(review_path.with_suffix(".csv")))
        await app.push_screen(screen)
        accepted, posted = watch_reports(screen, ImportChecked)
        await pilot.click("#import-check")
        assert await asyncio.to_thread(reached.wait, 30)
        (worker,) = [w for w in app.workers if w.node is screen]
        worker.cancel()  # as a newer check or closing the screen does
        release.set()
        assert await asyncio.to_thread(posted.wait, 30)
        await pilot.pause()
        assert accepted == [True]  # the screen is open: it got the report ...
        assert screen.preview is None and screen.busy  # ... and dropped it, unapplied
