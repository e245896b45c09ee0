"""The TUI search screen (Pilot) against the fake server: pick, edit, run, cancel, resume."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import pytest
from fake_eutils import FakeEutils, compact_template
from search_support import EMAIL
from textual.widgets import TextArea
from worker_checks import other_threads, record_threads, watch_reports

from screener.project import Project
from screener.tui.app import ScreenerApp
from screener.tui.screens.search import (
    SearchFailed,
    SearchFinished,
    SearchProgressed,
    SearchScreen,
)

TERM = "dermatomyositis[tiab]"


class ObservedSearchScreen(SearchScreen):
    """The real screen, keeping the messages it receives."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.finished: list[SearchFinished] = []
        self.failed: list[SearchFailed] = []

    def on_search_finished(self, message: SearchFinished) -> None:
        super().on_search_finished(message)
        self.finished.append(message)

    def on_search_failed(self, message: SearchFailed) -> None:
        super().on_search_failed(message)
        self.failed.append(message)


@pytest.fixture
def queries(tmp_path: Path) -> Path:
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "a-other.pubmed.txt").write_text(
        "# database: PubMed\nsomething else\n", encoding="utf-8"
    )
    (folder / "b-dm.pubmed.txt").write_text(
        f"# name: DM\n# database: PubMed\n{TERM}\n", encoding="utf-8"
    )
    return folder


def stored(project: Project) -> list[str]:
    return [r[0] for r in project.db.execute("SELECT pmid FROM record")]


async def test_pick_edit_and_run_a_strategy(tmp_path, queries, options) -> None:
    with FakeEutils(template=compact_template()) as fake:
        pmids = fake.add_generated(TERM, [date(2019, 1, 1) + timedelta(days=i) for i in range(120)])
        fake.add_generated("edited", [date(2019, 6, 1)] * 3, first_pmid=60_000_000)
        project = Project.create(tmp_path / "r.db", title="t", reviewers=["alice"])
        app = ScreenerApp(project, reviewer="alice")
        async with app.run_test(size=(80, 24)) as pilot:
            screen = ObservedSearchScreen(
                queries, eutils_url=fake.base_url, email=EMAIL, options=options
            )
            await app.push_screen(screen)
            await pilot.pause()
            assert [f.name for f in screen.files] == ["a-other.pubmed.txt", "b-dm.pubmed.txt"]
            screen.query_one("#queries").focus()
            await pilot.press("down")
            await pilot.pause()
            assert screen.strategy().text == TERM
            await pilot.press("ctrl+r")
            await app.workers.wait_for_complete()
            await pilot.pause()
            (done,) = screen.finished
            assert (done.result.status, done.result.count_new) == ("complete", 120)
            assert "120 new" in screen.status_text
            assert sorted(stored(project)) == sorted(pmids)
            # edit the strategy in place and run the edited text
            screen.query_one("#strategy", TextArea).load_text("# database: PubMed\nedited\n")
            await pilot.press("ctrl+r")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert screen.finished[-1].result.query_text == "edited"
            assert screen.finished[-1].result.count_new == 3
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert (queries / "b-dm.pubmed.txt").read_text(
                encoding="utf-8"
            ) == "# database: PubMed\nedited\n"
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, SearchScreen)


async def test_cancel_stops_cleanly_and_resume_finishes(tmp_path, queries, options) -> None:
    with FakeEutils(template=compact_template()) as fake:
        pmids = fake.add_generated(TERM, [date(2019, 1, 1) + timedelta(days=i) for i in range(300)])
        reached, release = fake.pause_at("efetch", 3)
        project = Project.create(tmp_path / "r.db", title="t", reviewers=["alice"])
        app = ScreenerApp(project, reviewer="alice")
        async with app.run_test(size=(100, 30)) as pilot:
            screen = ObservedSearchScreen(
                queries, eutils_url=fake.base_url, email=EMAIL, options=options
            )
            await app.push_screen(screen)
            await pilot.pause()
            screen.query_one("#queries").focus()
            await pilot.press("down")
            await pilot.press("ctrl+r")
            assert await asyncio.to_thread(reached.wait, 30)
            await pilot.press("escape")  # cancel while the third efetch is held
            release.set()
            await app.workers.wait_for_complete()
            await pilot.pause()
            (cancelled,) = screen.finished
            assert cancelled.result.status == "cancelled"
            partial = stored(project)
            assert len(partial) % 50 == 0 and len(partial) < 300
            assert "ctrl+e resumes" in screen.status_text
            assert isinstance(app.screen, SearchScreen)  # escape cancelled, it did not leave
            await pilot.press("ctrl+e")
            await app.workers.wait_for_complete()
            await pilot.pause()
            resumed = screen.finished[-1].result
            assert (resumed.id, resumed.status, resumed.count_new) == (
                cancelled.result.id,
                "complete",
                300,
            )
            assert sorted(stored(project)) == sorted(pmids)


async def test_a_failure_is_shown_not_raised(tmp_path, queries, options) -> None:
    with FakeEutils() as fake:
        project = Project.create(tmp_path / "r.db", title="t", reviewers=["alice"])
        app = ScreenerApp(project, reviewer="alice")
        async with app.run_test(size=(80, 24)) as pilot:
            screen = ObservedSearchScreen(
                queries, eutils_url=fake.base_url, options=options
            )  # no email
            await app.push_screen(screen)
            await pilot.pause()
            await pilot.press("ctrl+r")
            await app.workers.wait_for_complete()
            await pilot.pause()
            (failed,) = screen.failed
            assert "NCBI_EMAIL" in failed.error and "Stopped:" in screen.status_text


async def test_the_search_runs_on_its_own_connection_and_reports_progress(
    tmp_path, queries, options
) -> None:
    with FakeEutils(template=compact_template()) as fake:
        pmids = fake.add_generated(TERM, [date(2019, 1, 1) + timedelta(days=i) for i in range(120)])
        project = Project.create(tmp_path / "r.db", title="t", reviewers=["alice"])
        app = ScreenerApp(project, reviewer="alice")
        threads = record_threads(project)
        progressed: list[SearchProgressed] = []
        hook = lambda m: progressed.append(m) if isinstance(m, SearchProgressed) else None  # noqa: E731
        async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
            screen = ObservedSearchScreen(
                queries, eutils_url=fake.base_url, email=EMAIL, options=options
            )
            await app.push_screen(screen)
            await pilot.pause()
            screen.query_one("#queries").focus()
            await pilot.press("down", "ctrl+r")
            await app.workers.wait_for_complete()
            await pilot.pause()
            (done,) = screen.finished
            assert done.result.count_new == 120
            assert sorted(stored(project)) == sorted(pmids)  # committed, seen by the app's
        assert progressed and progressed[-1].done == 120
        assert threads and other_threads(threads) == set()


async def test_a_cancelled_worker_stops_the_search_after_the_batch(
    tmp_path, queries, options
) -> None:
    # Closing the screen or the app cancels the worker: the run stops as Escape stops it, and
    # its late report is dropped.
    with FakeEutils(template=compact_template()) as fake:
        fake.add_generated(TERM, [date(2019, 1, 1) + timedelta(days=i) for i in range(300)])
        reached, release = fake.pause_at("efetch", 3)
        project = Project.create(tmp_path / "r.db", title="t", reviewers=["alice"])
        app = ScreenerApp(project, reviewer="alice")
        async with app.run_test(size=(100, 30)) as pilot:
            screen = ObservedSearchScreen(
                queries, eutils_url=fake.base_url, email=EMAIL, options=options
            )
            await app.push_screen(screen)
            await pilot.pause()
            accepted, posted = watch_reports(screen, SearchFinished)
            screen.query_one("#queries").focus()
            await pilot.press("down", "ctrl+r")
            assert await asyncio.to_thread(reached.wait, 30)
            (worker,) = [w for w in app.workers if w.node is screen]
            worker.cancel()
            release.set()
            assert await asyncio.to_thread(posted.wait, 30)
            await pilot.pause()
            (run,) = project.search_runs()
            assert run.status == "cancelled" and 0 < run.count_fetched < 300
            assert accepted == [True] and screen.running  # reported, stale: not applied
            assert "Cancelled" not in screen.status_text
