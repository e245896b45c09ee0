"""Screening decisions: append-only history plus each reviewer's live decision.

Live decisions are stored per record. Read back for screening they are per screened unit, as
the view ``unit_decision`` (db/0002) counts them: a decision made on a record that dedup later
made a secondary cluster member counts for the cluster's primary record, and per stage and
reviewer the latest live decision on any member of the cluster wins.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from screener.errors import InvalidInputError
from screener.model import Choice, Decision, HistoryEntry, Stage
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
    decision_id = insert(
        db,
        "decision",
        {
            "record_id": record_id,
            "stage": stage.value,
            "reviewer_id": rid,
            "action": "decide",
            "decision": choice.value,
            "reason_id": reason_ref,
            "note": note,
            "made_at": made_at,
        },
    )
    db.execute(
        "INSERT INTO current_decision (record_id, stage, reviewer_id, decision_id, decision, "
        "reason_id)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (record_id, stage, reviewer_id) DO UPDATE SET"
        " decision_id = excluded.decision_id, decision = excluded.decision, reason_id = "
        "excluded.reason_id",
        [record_id, stage.value, rid, decision_id, choice.value, reason_ref],
    )
    return decision_id


def undo_last(db: sqlite_utils.Database, stage: Stage, reviewer: str) -> int | None:
    """Revert this reviewer's most recent live decision at ``stage``; returns the id of the
    record it counted for (the cluster's primary when it was made on a record dedup later
    merged into a cluster, so the record to screen again is the one the queue holds).

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
    insert(
        db,
        "decision",
        {
            "record_id": record_id,
            "stage": stage.value,
            "reviewer_id": rid,
            "action": "undo",
            "undoes_id": decision_id,
            "made_at": now(),
        },
    )
    db.execute(
        "DELETE FROM current_decision WHERE record_id = ? AND stage = ? AND reviewer_id = ?",
        [record_id, stage.value, rid],
    )
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
            "INSERT INTO current_decision (record_id, stage, reviewer_id, decision_id, decision, "
            "reason_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [record_id, stage.value, rid, *previous],
        )
    return unit_of(db, record_id)


def unit_of(db: sqlite_utils.Database, record_id: int) -> int:
    """The record screened for ``record_id``: its cluster's primary record, or itself."""
    row = db.execute(
        "SELECT k.primary_record_id FROM cluster_member m JOIN cluster k ON k.id = m.cluster_id"
        " WHERE m.record_id = ?",
        [record_id],
    ).fetchone()
    return row[0] if row else record_id


_DECISION_SELECT = (
    "SELECT d.id, d.record_id, d.stage, r.name, d.decision, ifnull(x.label, ''), d.note, d.made_at"
    " FROM current_decision c JOIN decision d ON d.id = c.decision_id"
    " JOIN reviewer r ON r.id = c.reviewer_id LEFT JOIN exclusion_reason x ON x.id = d.reason_id"
)

# The records whose decisions count for :record's unit: the record and its cluster's members.
_UNIT_MEMBERS = (
    "SELECT :record AS record_id UNION SELECT m.record_id FROM cluster_member pm"
    " JOIN cluster_member m ON m.cluster_id = pm.cluster_id WHERE pm.record_id = :record"
)


def _to_decision(row: tuple[Any, ...]) -> Decision:
    return Decision(row[0], row[1], Stage(row[2]), row[3], Choice(row[4]), row[5], row[6], row[7])


def decisions_for(
    db: sqlite_utils.Database, record_id: int, stage: Stage | None = None
) -> list[Decision]:
    """Live decisions on the record's unit: per stage and reviewer, the latest one made on the
    record or on another member of its duplicate cluster (``Decision.record_id`` says which)."""
    # CROSS JOIN: members first, then their decisions by primary key (not the stage's index).
    latest = (
        "SELECT c.decision_id, row_number() OVER (PARTITION BY c.stage, c.reviewer_id"
        f" ORDER BY c.decision_id DESC) AS n FROM ({_UNIT_MEMBERS}) AS members"
        " CROSS JOIN current_decision c WHERE c.record_id = members.record_id"
        + (" AND c.stage = :stage" if stage else "")
    )
    sql = (
        "SELECT d.id, d.record_id, d.stage, r.name, d.decision, ifnull(x.label, ''), d.note, "
        "d.made_at"
        f" FROM ({latest}) AS u JOIN decision d ON d.id = u.decision_id"
        " JOIN reviewer r ON r.id = d.reviewer_id LEFT JOIN exclusion_reason x ON x.id = "
        "d.reason_id"
        " WHERE u.n = 1 ORDER BY r.id, d.stage DESC"
    )
    args = {"record": record_id, "stage": stage.value if stage else None}
    return [_to_decision(r) for r in db.execute(sql, args)]


def all_decisions(db: sqlite_utils.Database) -> list[Decision]:
    return [
        _to_decision(r)
        for r in db.execute(_DECISION_SELECT + " ORDER BY c.record_id, c.stage, r.id")
    ]


def counts_per_reviewer(db: sqlite_utils.Database) -> list[tuple[str, str, str, int]]:
    """(reviewer, stage, decision, count) of screened records, by each reviewer's decision on
    the record's unit (unit_decision)."""
    rows: list[tuple[str, str, str, int]] = db.execute(
        "SELECT r.name, u.stage, u.decision, count(*) FROM unit_decision u"
        " JOIN reviewer r ON r.id = u.reviewer_id"
        " WHERE u.record_id IN (SELECT id FROM screened_record)"
        " GROUP BY r.name, u.stage, u.decision ORDER BY r.id, u.stage",
    ).fetchall()
    return rows


def history(db: sqlite_utils.Database, record_id: int) -> list[HistoryEntry]:
    """Every history row for a record, oldest first (the audit trail)."""
    rows = db.execute(
        "SELECT d.id, d.stage, r.name, d.action, d.decision, d.undoes_id, d.made_at FROM decision d"
        " JOIN reviewer r ON r.id = d.reviewer_id WHERE d.record_id = ? ORDER BY d.id",
        [record_id],
    )
    return [
        HistoryEntry(
            row_id,
            Stage(stage),
            name,
            action,
            None if choice is None else Choice(choice),
            undoes_id,
            made_at,
        )
        for row_id, stage, name, action, choice, undoes_id, made_at in rows
    ]
