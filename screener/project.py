"""The façade: one method per pipeline verb. The CLI, the TUI and scripts all go through here.

A :class:`Project` is one open review file. Every method that changes the review runs in one
transaction, so an error, Ctrl-C or a killed process leaves the review as it was before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlite_utils

from screener import sources
from screener.errors import AlreadyImportedError, ParseError, ScreenerError
from screener.model import Choice, Decision, ImportResult, Review, ReviewSummary, Stage, StageCounts
from screener.records import Record
from screener.sources.decode import open_text
from screener.storage import decisions as decision_store
from screener.storage import imports as import_store
from screener.storage import records as record_store
from screener.storage import review as review_store
from screener.storage.db import create, now, open_review, transaction
from screener.storage.rows import insert_records

__all__ = ["Project"]

Progress = Callable[[int, int | None], None]
"""A progress callback: (done, total or None when unknown)."""

_HEAD_BYTES = 64 * 1024


class Project:
    """An open review. Use :meth:`create` or :meth:`open`; close it (or use ``with``)."""

    def __init__(self, db: sqlite_utils.Database, path: str | Path) -> None:
        self.db = db
        self.path = Path(path)

    # --- lifecycle ---------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, review: Review | None = None, **settings: Any) -> Project:
        """Make a new review file. ``settings`` are :class:`Review` fields (title is required)."""
        review = review or Review(**settings)
        if not review.title.strip():
            raise ScreenerError("a review needs a title (give --title)")
        db = create(path)
        with transaction(db):
            review_store.create_review(db, review)
        return cls(db, path)

    @classmethod
    def open(cls, path: str | Path) -> Project:
        return cls(open_review(path), path)

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the review ----------------------------------------------------------------------------
    def review(self) -> Review:
        return review_store.load_review(self.db)

    def update_review(self, **changes: Any) -> Review:
        with transaction(self.db):
            review_store.update_review(self.db, **changes)
        return self.review()

    def info(self) -> ReviewSummary:
        """Counts for the dashboard and ``screener info``."""
        review = self.review()
        total = record_store.count_records(self.db)
        screened = record_store.count_screened(self.db)
        per: dict[tuple[str, str], dict[str, int]] = {}
        for name, stage, choice, n in decision_store.counts_per_reviewer(self.db):
            per.setdefault((name, stage), {})[choice] = n
        counts = tuple(StageCounts(name, Stage(stage), **values) for (name, stage), values in per.items())
        return ReviewSummary(
            title=review.title,
            records=total,
            screened_records=screened,
            duplicates_removed=total - screened,
            sources=record_store.records_per_database(self.db),
            per_reviewer=counts,
            reviewers=tuple(review_store.reviewer_names(self.db)),
        )

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
        progress: Progress | None = None,
    ) -> ImportResult:
        """Import one export file in one transaction; nothing is kept if any entry is bad
        (unless ``skip_bad``, which keeps the good ones and lists the bad)."""
        path = Path(path)
        if not path.is_file():
            raise ScreenerError(f"{path}: no such file")
        digest = _sha256(path)
        earlier = import_store.find_import_by_sha256(self.db, digest)
        if earlier and not again:
            raise AlreadyImportedError(
                f"{path.name} was imported before (as {earlier[1]} on {earlier[2][:10]}); "
                "give --again to import it once more")
        stream, encoding = open_text(path)
        with stream:
            head = stream.read(_HEAD_BYTES)
            stream.seek(0)
            module = sources.get_format(fmt) if fmt else sources.detect_format(head, path.name)
            database = source or _infer_database(module, head) or module.LABEL
            skipped: list[str] = []
            counted = 0

            def good_records():
                nonlocal counted
                for entry in module.parse(stream, file_name=path.name):
                    counted += 1
                    if entry.error is not None:
                        if not skip_bad:
                            raise entry.error
                        skipped.append(str(entry.error))
                        continue
                    if progress is not None and counted % 500 == 0:
                        progress(counted, None)
                    yield entry.position, entry.record

            with transaction(self.db):
                import_id = import_store.start_import(
                    self.db, database=database, method=method, format=module.NAME,
                    file_name=path.name, sha256=digest, encoding=encoding,
                    query_name=query_name, query_text=query_text)
                try:
                    imported = insert_records(self.db, good_records(), import_id=import_id,
                                              created_at=now())
                except UnicodeDecodeError as exc:
                    raise ParseError(path.name, f"byte {exc.start}", f"cannot decode as {encoding}") from None
                if counted == 0:
                    raise ScreenerError(f"{path.name}: no records found in the file")
                import_store.finish_import(self.db, import_id, count_in_file=counted,
                                           count_imported=imported, skipped=skipped)
        if progress is not None:
            progress(counted, counted)
        return ImportResult(import_id, path.name, database, module.NAME, encoding, counted,
                            imported, tuple(skipped))

    # --- records -------------------------------------------------------------------------------
    def record(self, record_id: int) -> Record:
        return record_store.get_record(self.db, record_id)

    def record_sources(self, record_id: int) -> list[str]:
        return record_store.source_of(self.db, record_id)

    def screened_record_ids(self) -> list[int]:
        return record_store.screened_ids(self.db)

    def list_records(self, *, limit: int = 100, offset: int = 0) -> list[tuple]:
        return record_store.list_records(self.db, limit=limit, offset=offset)

    def search_records(self, text: str, *, limit: int = 1000) -> list[int]:
        """Record ids whose title or abstract match ``text`` (FTS5, prefix match, best first)."""
        return record_store.search_ids(self.db, text, limit=limit)

    # --- screening -----------------------------------------------------------------------------
    def record_decision(
        self,
        record_id: int,
        stage: Stage | str,
        reviewer: str,
        choice: Choice | str,
        *,
        reason: str | None = None,
        note: str = "",
    ) -> int:
        """Store one decision, committed before this returns; returns the history row id."""
        with transaction(self.db):
            return decision_store.add_decision(self.db, record_id, Stage(stage), reviewer,
                                               Choice(choice), reason=reason, note=note)

    def undo_decision(self, stage: Stage | str, reviewer: str) -> int | None:
        """Undo this reviewer's last decision at ``stage``; returns the record id or None."""
        with transaction(self.db):
            return decision_store.undo_last(self.db, Stage(stage), reviewer)

    def decisions(self, record_id: int, stage: Stage | str | None = None, *,
                  as_reviewer: str | None = None) -> list[Decision]:
        """Live decisions on a record. With ``as_reviewer`` in a blind review, others' decisions
        are hidden until ``as_reviewer`` has decided the record too."""
        found = decision_store.decisions_for(self.db, record_id, Stage(stage) if stage else None)
        if as_reviewer is None or not self.review().blind:
            return found
        return _blind(found, as_reviewer)

    def decision_history(self, record_id: int) -> list[tuple]:
        return decision_store.history(self.db, record_id)

    # --- export --------------------------------------------------------------------------------
    def export_records(self, *, as_reviewer: str | None = None, unblind: bool = False) -> list[dict]:
        """Every record with provenance, cluster and decisions per reviewer and stage.

        In a blind review a reviewer's export shows other reviewers' decisions only on records
        both have decided; an export for nobody in particular needs ``unblind=True``.
        """
        review = self.review()
        if review.blind and as_reviewer is None and not unblind:
            raise ScreenerError(
                "this review is blind: export as a reviewer (--reviewer NAME) or give --unblind")
        rows = record_store.export_rows(self.db)
        by_record: dict[int, list[Decision]] = {}
        for d in decision_store.all_decisions(self.db):
            by_record.setdefault(d.record_id, []).append(d)
        for row in rows:
            found = by_record.get(row["id"], [])
            if review.blind and as_reviewer is not None:
                found = _blind(found, as_reviewer)
            row["decisions"] = [
                {"stage": d.stage.value, "reviewer": d.reviewer, "decision": d.choice.value,
                 "reason": d.reason, "note": d.note, "made_at": d.made_at}
                for d in found
            ]
        return rows

    # Each later stage adds its verbs below its own marker (thin methods: the work is done in
    # screener.flows.<area> or storage/stage modules). Keep each method short.

    # --- search (issue 4) ---

    # --- duplicates (issue 5) ---

    # --- screening: conflicts, agreement, notes, tags, full text (issue 6) ---

    # --- extraction and risk of bias (issue 7) ---

    # --- pooling (issue 8) ---

    # --- PRISMA and report (issue 9) ---


def _blind(found: list[Decision], reviewer: str) -> list[Decision]:
    mine_stages = {d.stage for d in found if d.reviewer == reviewer}
    return [d for d in found if d.reviewer == reviewer or d.stage in mine_stages]


def _infer_database(module: Any, head: str) -> str | None:
    infer = getattr(module, "database", None)
    return infer(head) if infer else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()

