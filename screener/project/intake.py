"""The façade's verbs that bring records in and out: import, search, duplicates, records, export."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from screener.errors import ScreenerError
from screener.model import Decision, ExportedRecord, ImportResult, ListedRecord, SearchLogEntry
from screener.project._base import Progress, ProjectBase, blind
from screener.records import Record
from screener.storage import decisions as decision_store
from screener.storage import records as record_store

if TYPE_CHECKING:
    from screener.dedup import DedupReport, QueuedPair
    from screener.flows.importing import ImportPreview
    from screener.queries import SavedQuery
    from screener.search.client import EntrezOptions
    from screener.search.results import SearchRunResult

__all__ = ["IntakeVerbs"]


class IntakeVerbs(ProjectBase):
    # --- import --------------------------------------------------------------------------------
    def import_file(
        self,
        path: str | Path,
        *,
        source: str | None = None,
        fmt: str | None = None,
        again: bool = False,
        skip_bad: bool = False,
        method: str = "database",
        query_name: str = "",
        query_text: str = "",
        default_source: str = "",
        progress: Progress | None = None,
        workers: int | None = None,
        chunk_size: int | None = None,
    ) -> ImportResult:
        """Import one export file in one transaction; nothing is kept if any entry is bad
        (unless ``skip_bad``, which keeps the good ones and lists the bad). A big file is
        parsed by ``workers`` processes (None: one per core for files of 8 MB and more)."""
        from screener.flows import importing

        return importing.import_file(
            self.db,
            path,
            source=source,
            fmt=fmt,
            again=again,
            skip_bad=skip_bad,
            method=method,
            query_name=query_name,
            query_text=query_text,
            default_source=default_source,
            progress=progress,
            workers=workers,
            chunk_size=chunk_size,
        )

    def preview_import(
        self,
        path: str | Path,
        *,
        fmt: str | None = None,
        source: str | None = None,
        workers: int | None = None,
    ) -> ImportPreview:
        """Read a file as :meth:`import_file` would, storing nothing: format, database, counts."""
        from screener.flows import importing

        return importing.preview_file(self.db, path, fmt=fmt, source=source, workers=workers)

    def file_database(self, path: str | Path, *, fmt: str | None = None) -> str:
        """The database an export file names (read from its start), or "" if it names none."""
        from screener.flows import importing

        return importing.file_database(path, fmt=fmt)

    def check_sources(self, paths: Sequence[str | Path], *, fmt: str | None = None) -> None:
        """Refuse, naming them, files that do not say which database they came from (before
        importing any: an import of such a file needs ``source``)."""
        from screener.flows import importing

        importing.check_sources(paths, fmt=fmt)

    # --- search --------------------------------------------------------------------------------
    def search(
        self,
        query: SavedQuery | str | Path,
        *,
        eutils_url: str | None = None,
        email: str | None = None,
        resume: bool = False,
        options: EntrezOptions | None = None,
        progress: Progress | None = None,
        cancel: Callable[[], bool] | None = None,
    ) -> SearchRunResult:
        """Run a saved PubMed strategy (a SavedQuery or a queries/*.txt file) into the review.

        Each efetch batch is committed with the run's state; ``resume`` continues the last
        unfinished run of the strategy. Only PMIDs not yet in the review are added.
        """
        from screener.flows import search

        return search.run_search(
            self.db,
            query,
            eutils_url=eutils_url,
            email=email,
            resume=resume,
            options=options,
            progress=progress,
            cancel=cancel,
        )

    def search_runs(self) -> list[SearchRunResult]:
        """The search log (database, date, strategy, counts), oldest run first."""
        from screener.flows import search

        return search.list_runs(self.db)

    def search_log(self) -> list[SearchLogEntry]:
        """Search runs and imports, oldest first: database, date, strategy, the count found and
        the records PRISMA counts as identified for each."""
        from screener.flows import search

        return search.search_log(self.db)

    # --- duplicates ----------------------------------------------------------------------------
    def find_duplicates(
        self, *, full: bool = False, progress: Progress | None = None
    ) -> DedupReport:
        """Compare records (only those new since the last run, unless ``full``), merge the
        certain duplicates, queue the possible ones; people's verdicts are kept."""
        from screener.flows import dedup

        return dedup.find_duplicates(self.db, full=full, progress=progress)

    def duplicate_queue(self) -> list[QueuedPair]:
        """Pairs waiting for a person's verdict, most similar first."""
        from screener.flows import dedup

        return dedup.queue(self.db)

    def decide_duplicate(self, pair: int | tuple[int, int], same: bool, reviewer: str) -> int:
        """A person's verdict on a pair (pair id, or two record ids): the same report or not."""
        from screener.flows import dedup

        return dedup.decide(self.db, pair, same, reviewer)

    def undo_duplicate_decision(
        self, pair: int | tuple[int, int] | None = None, *, reviewer: str | None = None
    ) -> int | None:
        """Take back a verdict (this pair's, or the reviewer's last); returns the pair id."""
        from screener.flows import dedup

        return dedup.undo(self.db, pair, reviewer=reviewer)

    def dedup_report(self) -> DedupReport:
        """Counts: merged automatically, queued, decided by a person, clusters."""
        from screener.flows import dedup

        return dedup.report(self.db)

    # --- records -------------------------------------------------------------------------------
    def record(self, record_id: int) -> Record:
        return record_store.get_record(self.db, record_id)

    def record_sources(self, record_id: int) -> list[str]:
        return record_store.source_of(self.db, record_id)

    def screened_record_ids(self) -> list[int]:
        return record_store.screened_ids(self.db)

    def list_records(self, *, limit: int = 100, offset: int = 0) -> list[ListedRecord]:
        """A page of the screened records (id, year, first author, title), in id order."""
        return record_store.list_records(self.db, limit=limit, offset=offset)

    def search_records(self, text: str, *, limit: int = 1000) -> list[int]:
        """Record ids whose title or abstract match ``text`` (FTS5, prefix match, best first)."""
        return record_store.search_ids(self.db, text, limit=limit)

    # --- export --------------------------------------------------------------------------------
    def export_records(
        self, *, as_reviewer: str | None = None, unblind: bool = False
    ) -> list[ExportedRecord]:
        """Every record with provenance, cluster and decisions per reviewer and stage.

        In a blind review a reviewer's export shows other reviewers' decisions only on records
        both have decided; an export for nobody in particular needs ``unblind=True``.
        """
        review = self.review()
        as_reviewer = self._as(as_reviewer)
        if review.blind and as_reviewer is None and not unblind:
            raise ScreenerError(
                "this review is blind: export as a reviewer (--reviewer NAME) or give --unblind"
            )
        by_record: dict[int, list[Decision]] = {}
        for d in decision_store.all_decisions(self.db):
            by_record.setdefault(d.record_id, []).append(d)
        exported = []
        for row in record_store.export_rows(self.db):
            found = by_record.get(row.id, [])
            if review.blind and as_reviewer is not None:
                found = blind(found, as_reviewer)
            exported.append(replace(row, decisions=tuple(found)))
        return exported
