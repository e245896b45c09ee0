"""Screening decisions: append-only history plus each reviewer's live decision."""

from __future__ import annotations

import sqlite_utils

from screener.errors import InvalidInputError
from screener.model import Choice, Decision, Stage
from screener.storage.db import now
from screener.storage.review import reason_id, reviewer_id
from screener.storage.rows import insert


def _check_record(db: sqlite_utils.Database, record_id: int) -> None:
    if db.execute("SELECT 1 FROM record WHERE id = ?", [record_id]).fetchone() is None:
        raise InvalidInputError(f"no record with id {record_id} in this review")


def add_decision(
    db: sqlite_utils.Database,
    record_id: int,
    stage: Stage,
    reviewer: str,
    choice: Choice,
    *,
    reason: str | None = None,
    note: str = "",
) -> int:
    """Append a decision and make it the reviewer's live one; returns the history row id."""
    _check_record(db, record_id)
    rid = reviewer_id(db, reviewer)
    reason_ref = reason_id(db, reason)
    made_at = now()
    decision_id = insert(db, "decision", {
        "record_id": record_id, "stage": stage.value, "reviewer_id": rid, "action": "decide",
        "decision": choice.value, "reason_id": reason_ref, "note": note, "made_at": made_at,
    })
    db.execute(
        "INSERT INTO current_decision (record_id, stage, reviewer_id, decision_id, decision, reason_id)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (record_id, stage, reviewer_id) DO UPDATE SET"
        " decision_id = excluded.decision_id, decision = excluded.decision, reason_id = excluded.reason_id",
        [record_id, stage.value, rid, decision_id, choice.value, reason_ref],
    )
    return decision_id


def undo_last(db: sqlite_utils.Database, stage: Stage, reviewer: str) -> int | None:
    """Revert this reviewer's most recent live decision at ``stage``; returns its record id.

    The reviewer's previous decision on that record (if any) becomes live again. Undo is itself
    a history row, so the audit trail keeps both the decision and its undoing.
    """
    rid = reviewer_id(db, reviewer)
    row = db.execute(
        "SELECT c.record_id, c.decision_id FROM current_decision c"
        " WHERE c.stage = ? AND c.reviewer_id = ? ORDER BY c.decision_id DESC LIMIT 1",
        [stage.value, rid],
    ).fetchone()
    if row is None:
        return None
    record_id, decision_id = row
    insert(db, "decision", {
        "record_id": record_id, "stage": stage.value, "reviewer_id": rid, "action": "undo",
        "undoes_id": decision_id, "made_at": now(),
    })
    db.execute("DELETE FROM current_decision WHERE record_id = ? AND stage = ? AND reviewer_id = ?",
               [record_id, stage.value, rid])
    # The decision before the undone one becomes live again, unless it was itself undone.
    previous = db.execute(
        "SELECT d.id, d.decision, d.reason_id FROM decision d"
        " WHERE d.record_id = ? AND d.stage = ? AND d.reviewer_id = ? AND d.action = 'decide'"
        " AND d.id < ? AND d.id NOT IN (SELECT undoes_id FROM decision WHERE action = 'undo'"
        "   AND record_id = ? AND stage = ? AND reviewer_id = ?)"
        " ORDER BY d.id DESC LIMIT 1",
        [record_id, stage.value, rid, decision_id, record_id, stage.value, rid],
    ).fetchone()
    if previous:
        db.execute(
            "INSERT INTO current_decision (record_id, stage, reviewer_id, decision_id, decision, reason_id)"
            " VALUES (?, ?, ?, ?, ?, ?)", [record_id, stage.value, rid, *previous])
    return record_id


_DECISION_SELECT = (
    "SELECT d.id, d.record_id, d.stage, r.name, d.decision, ifnull(x.label, ''), d.note, d.made_at"
    " FROM current_decision c JOIN decision d ON d.id = c.decision_id"
    " JOIN reviewer r ON r.id = c.reviewer_id LEFT JOIN exclusion_reason x ON x.id = d.reason_id"
)


def _to_decision(row: tuple) -> Decision:
    return Decision(row[0], row[1], Stage(row[2]), row[3], Choice(row[4]), row[5], row[6], row[7])


def decisions_for(db: sqlite_utils.Database, record_id: int, stage: Stage | None = None) -> list[Decision]:
    sql = _DECISION_SELECT + " WHERE c.record_id = ?"
    args: list = [record_id]
    if stage is not None:
        sql += " AND c.stage = ?"
        args.append(stage.value)
    return [_to_decision(r) for r in db.execute(sql + " ORDER BY r.id", args)]


def all_decisions(db: sqlite_utils.Database) -> list[Decision]:
    return [_to_decision(r) for r in db.execute(_DECISION_SELECT + " ORDER BY c.record_id, c.stage, r.id")]


def counts_per_reviewer(db: sqlite_utils.Database) -> list[tuple[str, str, str, int]]:
    """(reviewer, stage, decision, count) for live decisions on screened records."""
    return db.execute(
        "SELECT r.name, c.stage, c.decision, count(*) FROM current_decision c"
        " JOIN reviewer r ON r.id = c.reviewer_id"
        " WHERE c.record_id IN (SELECT id FROM screened_record)"
        " GROUP BY r.name, c.stage, c.decision ORDER BY r.id, c.stage",
    ).fetchall()


def history(db: sqlite_utils.Database, record_id: int) -> list[tuple]:
    """Every history row for a record, oldest first (the audit trail)."""
    return db.execute(
        "SELECT d.id, d.stage, r.name, d.action, d.decision, d.undoes_id, d.made_at FROM decision d"
        " JOIN reviewer r ON r.id = d.reviewer_id WHERE d.record_id = ? ORDER BY d.id",
        [record_id],
    ).fetchall()
