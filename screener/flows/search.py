"""Running a saved PubMed strategy into a review: the run's log, its state, its records.

Each efetch batch is stored in its own transaction together with the run's state, so a killed
process loses at most the batch in flight and ``resume=True`` carries on from there without
duplicates. A later run of the same strategy is a new run that adds only PMIDs the review
does not hold yet.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import requests
import sqlite_utils

from screener.errors import ScreenerError
from screener.flows.parallel import EfetchParser, search_worker_count
from screener.model import SearchLogEntry
from screener.queries import SavedQuery, load_query
from screener.search.client import EntrezClient, EntrezOptions, EntrezSettings, SearchCancelled
from screener.search.plan import Plan
from screener.search.results import SearchRunResult
from screener.search.retrieve import Batch, SliceDone, SliceStarted, retrieve
from screener.storage import prisma as prisma_store
from screener.storage import review as review_store
from screener.storage import search_runs as runs
from screener.storage.db import now, transaction

__all__ = [
    "EntrezOptions",
    "SavedQuery",
    "SearchRunResult",
    "list_runs",
    "run_search",
    "search_log",
]

Progress = Callable[[int, int | None], None]


def run_search(
    db: sqlite_utils.Database,
    query: SavedQuery | str | Path,
    *,
    eutils_url: str | None = None,
    email: str | None = None,
    resume: bool = False,
    options: EntrezOptions | None = None,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    environ: Mapping[str, str] | None = None,
    session: requests.Session | None = None,
    today: date | None = None,
) -> SearchRunResult:
    """Run ``query`` (a SavedQuery or a query file) against PubMed and store what it finds.

    ``progress(done, total)`` is called after each stored batch (total None while planning);
    ``cancel()`` is polled and, once True, the run stops after the batch being stored and is
    marked 'cancelled' (resume continues it).
    """
    if not isinstance(query, SavedQuery):
        query = load_query(Path(query))
    if query.database.strip().lower() != "pubmed":
        raise ScreenerError(
            f"{query.file or query.name}: screener searches PubMed directly; for "
            f"{query.database}, export the results and import the file"
        )
    settings = EntrezSettings.resolve(
        review_email=review_store.load_review(db).ncbi_email,
        email=email,
        base_url=eutils_url,
        environ=environ,
    )
    options = options or EntrezOptions()
    run_id, state = _open_run(db, query, resume)
    stop = threading.Event()

    def stopped() -> bool:
        return stop.is_set() or (cancel is not None and cancel())

    def pause(seconds: float) -> None:
        # Backoff and pacing waits end early when the run is cancelled.
        deadline = time.monotonic() + seconds
        while not stopped() and (left := deadline - time.monotonic()) > 0:
            stop.wait(min(0.05, left))

    client = EntrezClient(
        settings, options, session=session, cancelled=stopped, sleep=options.sleep or pause
    )
    run = _Run(db, run_id, state, progress)
    known = runs.pmids_in_review(db)
    own = runs.pmids_of_run(db, run_id)
    plan = Plan.from_json(state["plan"]) if "plan" in state else None
    # Answers are parsed in worker processes when the search is big (see flows.parallel);
    # they start once the plan says how many records there are to fetch.
    parser = EfetchParser()
    events = retrieve(
        client,
        query,
        parse=parser,
        known=known,
        preexisting=known - own,
        plan=plan,
        done=tuple(state.get("done", ())),
        today=today,
        on_probe=lambda n: run.tell(n, None),
        cancelled=stopped,
    )
    cancelled = False
    try:
        for event in events:
            if isinstance(event, Plan):
                parser.start(
                    search_worker_count(event.identified - run.count_fetched, environ=environ)
                )
            run.apply(event)
            if stopped():
                cancelled = True
                break
    except SearchCancelled:
        cancelled = True
    except ScreenerError as exc:
        run.finish("failed", extra=str(exc))
        raise
    except BaseException:
        run.finish("cancelled", extra="interrupted; resume continues")
        raise
    finally:
        stop.set()  # any efetch still running ahead stops before its next attempt
        events.close()
        client.close()
        parser.close()
    run.finish(
        "cancelled" if cancelled else "complete",
        extra="cancelled; resume continues" if cancelled else "",
    )
    return runs.get_run(db, run_id)


def list_runs(db: sqlite_utils.Database) -> list[SearchRunResult]:
    """The search log, oldest run first."""
    return runs.list_runs(db)


def search_log(db: sqlite_utils.Database) -> list[SearchLogEntry]:
    """Search runs and imports, oldest first, each with the records PRISMA counts for it
    (see :func:`screener.storage.prisma.search_log`)."""
    return prisma_store.search_log(db)


def _open_run(
    db: sqlite_utils.Database, query: SavedQuery, resume: bool
) -> tuple[int, dict[str, Any]]:
    if resume:
        found = runs.unfinished_run(db, query)
        if found is None:
            raise ScreenerError(
                f"nothing to resume: the last run of {query.name!r} finished (or there "
                "is none); run it without --resume to search again"
            )
        with transaction(db):
            runs.reopen_run(db, found[0])
        return found
    with transaction(db):
        run_id = runs.start_run(db, query, started_at=now())
        # An earlier run of this strategy left unfinished is superseded, not left "running".
        runs.supersede_unfinished(db, query, by=run_id, finished_at=now())
        return run_id, {}


class _Run:
    """The consumer side: applies retrieval events to the review, one transaction each."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        run_id: int,
        state: dict[str, Any],
        progress: Progress | None,
    ) -> None:
        self.db = db
        self.id = run_id
        self.state = state
        self.progress = progress
        state.setdefault("done", [])
        state.setdefault("batches", 0)
        state.setdefault("already", 0)
        state.setdefault("missing", [])
        state.setdefault("unrequested", 0)
        self.count_new = len(runs.pmids_of_run(db, run_id))
        self.position = runs.last_position(db, run_id)

    @property
    def count_reported(self) -> int | None:
        return self.state["plan"]["count"] if "plan" in self.state else None

    @property
    def count_fetched(self) -> int:
        return self.count_new + self.state["already"]

    def tell(self, done: int, total: int | None) -> None:
        if self.progress is not None:
            self.progress(done, total)

    def apply(self, event: object) -> None:
        state = self.state
        if isinstance(event, Plan):
            state["plan"] = event.to_json()
        elif isinstance(event, SliceStarted):
            state["current"] = {
                "slice": event.slice_index,
                "webenv": event.webenv,
                "query_key": event.query_key,
                "ids": event.ids,
                "needed": event.needed,
                "batches": 0,
            }
        elif isinstance(event, Batch):
            state["batches"] += 1
            if "current" in state:
                state["current"]["batches"] += 1
        elif isinstance(event, SliceDone):
            state["done"].append(event.slice_index)
            state["already"] += len(event.already)
            state["missing"].extend(event.missing)
            state["unrequested"] += event.unrequested
            state.pop("current", None)
        with transaction(self.db):
            # Every PMID the run identified is listed with the batch or slice that found it,
            # so PRISMA can tell a re-run's records from new ones (screener.prisma.counts).
            if isinstance(event, Batch) and event.records:
                created = now()
                self.count_new += runs.add_records(
                    self.db,
                    self.id,
                    (row.values for row in event.records),
                    first_position=self.position + 1,
                    created_at=created,
                )
                runs.add_run_pmids(self.db, self.id, (row.pmid for row in event.records))
                self.position += len(event.records)
            elif isinstance(event, SliceDone):
                runs.add_run_pmids(self.db, self.id, event.already)
            runs.save_progress(
                self.db,
                self.id,
                state=state,
                count_reported=self.count_reported,
                count_fetched=self.count_fetched,
                count_new=self.count_new,
            )
        plan = state.get("plan")
        self.tell(self.count_fetched, plan["identified"] if plan else None)

    def notes(self) -> list[str]:
        state = self.state
        notes = list(state.get("plan", {}).get("notes", ()))
        missing = state["missing"]
        if missing:
            shown = ", ".join(missing[:20]) + (" ..." if len(missing) > 20 else "")
            notes.append(
                f"{len(missing):,} PMIDs the search matched never came back from efetch "
                f"(asked twice): {shown}"
            )
        if state["unrequested"]:
            notes.append(
                f"efetch returned {state['unrequested']:,} records that were not asked "
                "for; they were left out"
            )
        return notes

    def finish(self, status: str, *, extra: str = "") -> None:
        message = "\n".join([*self.notes(), *([extra] if extra else [])])
        with transaction(self.db):
            runs.finish_run(self.db, self.id, status=status, finished_at=now(), message=message)
