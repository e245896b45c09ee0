"""Search runs: the search log, each run's resumable state, and the records a run adds."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from screener.queries import SavedQuery
from screener.search.results import SearchRunResult
from screener.storage.importing import deferred_fts
from screener.storage.rows import insert, insert_record_values, scalar_int

_UNFINISHED = ("running", "failed", "cancelled")


def start_run(db: sqlite_utils.Database, query: SavedQuery, *, started_at: str) -> int:
    """A new run row (status 'running'); returns its id."""
    return insert(
        db,
        "search_run",
        {
            "database": "PubMed",
            "query_name": query.name,
            "query_file": query.file,
            "query_text": query.text,
            "date_from": query.date_from or None,
            "date_to": query.date_to or None,
            "started_at": started_at,
            "status": "running",
            "state_json": "{}",
        },
    )


def unfinished_run(
    db: sqlite_utils.Database, query: SavedQuery
) -> tuple[int, dict[str, Any]] | None:
    """(id, state) of the latest run of this strategy if it did not finish, else None."""
    row = db.execute(
        "SELECT id, status, state_json FROM search_run WHERE database = 'PubMed' AND query_text = ?"
        " AND coalesce(date_from, '') = ? AND coalesce(date_to, '') = ? ORDER BY id DESC LIMIT 1",
        [query.text, query.date_from, query.date_to],
    ).fetchone()
    if row is None or row[1] not in _UNFINISHED:
        return None
    return row[0], json.loads(row[2])


def supersede_unfinished(
    db: sqlite_utils.Database, query: SavedQuery, *, by: int, finished_at: str
) -> None:
    """Mark earlier unfinished runs of this strategy as cancelled, superseded by run ``by``."""
    db.execute(
        "UPDATE search_run SET status = 'cancelled', finished_at = coalesce(finished_at, ?),"
        " message = trim(message || char(10) || ?, char(10)) WHERE id < ? AND database = 'PubMed'"
        " AND query_text = ? AND coalesce(date_from, '') = ? AND coalesce(date_to, '') = ?"
        " AND status IN ('running', 'failed', 'cancelled') AND message NOT LIKE '%superseded by "
        "run%'",
        [finished_at, f"superseded by run {by}", by, query.text, query.date_from, query.date_to],
    )


def reopen_run(db: sqlite_utils.Database, run_id: int) -> None:
    db.execute(
        "UPDATE search_run SET status = 'running', finished_at = NULL, message = '' WHERE id = ?",
        [run_id],
    )


def save_progress(
    db: sqlite_utils.Database,
    run_id: int,
    *,
    state: dict[str, Any],
    count_reported: int | None,
    count_fetched: int,
    count_new: int,
) -> None:
    db.execute(
        "UPDATE search_run SET state_json = ?, count_reported = ?, count_fetched = ?, count_new = ?"
        " WHERE id = ?",
        [json.dumps(state, ensure_ascii=False), count_reported, count_fetched, count_new, run_id],
    )


def finish_run(
    db: sqlite_utils.Database, run_id: int, *, status: str, finished_at: str, message: str
) -> None:
    db.execute(
        "UPDATE search_run SET status = ?, finished_at = ?, message = ? WHERE id = ?",
        [status, finished_at, message, run_id],
    )


def add_records(
    db: sqlite_utils.Database,
    run_id: int,
    rows: Iterable[tuple[Any, ...]],
    *,
    first_position: int,
    created_at: str,
) -> int:
    """Insert a batch of a run's records (as ``rows.record_values``), numbered from
    ``first_position``.

    Runs inside the caller's transaction; the batch is indexed for full-text search in one
    statement (see :func:`screener.storage.importing.deferred_fts`).
    """
    with deferred_fts(db):
        return insert_record_values(
            db, enumerate(rows, start=first_position), search_run_id=run_id, created_at=created_at
        )


def add_run_pmids(db: sqlite_utils.Database, run_id: int, pmids: Iterable[str]) -> None:
    """Note PMIDs the run identified (stored by it or already in the review); inside the
    caller's transaction, so the list always matches the run's stored records and state."""
    db.conn.executemany(
        "INSERT OR IGNORE INTO search_run_pmid (search_run_id, pmid) VALUES (?, ?)",
        ((run_id, p) for p in pmids if p),
    )


def last_position(db: sqlite_utils.Database, run_id: int) -> int:
    return scalar_int(
        db, "SELECT coalesce(max(position), 0) FROM record WHERE search_run_id = ?", [run_id]
    )


def pmids_in_review(db: sqlite_utils.Database) -> set[str]:
    """Every PMID any record of the review carries (imports and earlier runs alike)."""
    return {r[0] for r in db.execute("SELECT DISTINCT pmid FROM record WHERE pmid <> ''")}


def pmids_of_run(db: sqlite_utils.Database, run_id: int) -> set[str]:
    return {
        r[0]
        for r in db.execute(
            "SELECT pmid FROM record WHERE search_run_id = ? AND pmid <> ''", [run_id]
        )
    }


_COLUMNS = (
    "id",
    "database",
    "query_name",
    "query_file",
    "query_text",
    "date_from",
    "date_to",
    "started_at",
    "finished_at",
    "status",
    "count_reported",
    "count_fetched",
    "count_new",
    "message",
    "state_json",
)


def _result(row: tuple[Any, ...]) -> SearchRunResult:
    values = dict(zip(_COLUMNS, row, strict=True))
    state = json.loads(values.pop("state_json") or "{}")
    message = values.pop("message")
    plan = state.get("plan") or {}
    return SearchRunResult(
        **{
            **values,
            "date_from": values["date_from"] or "",
            "date_to": values["date_to"] or "",
            "finished_at": values["finished_at"] or "",
        },
        notes=tuple(m for m in message.split("\n") if m),
        slices=len(plan.get("slices", ())),
        translation=plan.get("translation", ""),
    )


def get_run(db: sqlite_utils.Database, run_id: int) -> SearchRunResult:
    row = db.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM search_run WHERE id = ?", [run_id]
    ).fetchone()
    return _result(row)


def list_runs(db: sqlite_utils.Database) -> list[SearchRunResult]:
    """The search log, oldest first."""
    return [
        _result(r) for r in db.execute(f"SELECT {', '.join(_COLUMNS)} FROM search_run ORDER BY id")
    ]
