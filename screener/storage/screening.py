"""Screening beyond single decisions: notes, tags, resolutions, full texts, conflicts, queues.

A record's stage outcome (pending / include / exclude / conflict) is the rule of
:func:`screener.model.stage_outcome`, over the record's screening unit: a decision or resolution
made on a record that dedup later made a secondary cluster member counts for the cluster's
primary record, as PRISMA counts it (the views ``unit_decision`` and ``unit_resolution``,
db/0002-0003). A reviewer's own queue and progress ("decided by you") count the same way.
Writers run inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlite_utils

from screener.model import Choice, Stage, StageOutcome, stage_outcome
from screener.screening import (
    FullText,
    Note,
    QueueFilter,
    Resolution,
    ResolutionMethod,
    ReviewerProgress,
    StageProgress,
)
from screener.storage.db import now
from screener.storage.decisions import decisions_for
from screener.storage.review import name_key, reason_id, reviewer_id
from screener.storage.rows import insert, scalar_int

# --- stage outcomes ----------------------------------------------------------------------------
# One record's outcome applies the rule itself to its unit's live decisions and resolution (a
# few index probes). Whole stages (progress counts, the conflicts list and filter, the full-text
# pool of a 100,000-record review) need the rule in SQL: _stage_outcomes, the one SQL form, which
# tests/screening/test_outcome_sql_matches_rule.py checks against the rule on random histories.
# Parameters: :maybe ('include' or 'exclude'), :needed_title_abstract, :needed_full_text.

_SCREENED = "SELECT id FROM screened_record"
_PENDING, _INCLUDE, _EXCLUDE, _CONFLICT = (
    f"'{o.value}'"
    for o in (
        StageOutcome.PENDING,
        StageOutcome.INCLUDE,
        StageOutcome.EXCLUDE,
        StageOutcome.CONFLICT,
    )
)


def _counted(decision: str) -> str:
    """SQL: what a ``decision`` column counts as, include or exclude (maybe as :maybe says)."""
    return f"CASE {decision} WHEN 'maybe' THEN :maybe ELSE {decision} END"


def _by_decisions(stage: Stage, n: str, inc: str) -> str:
    """SQL: the rule's outcome from a unit's live decisions alone, ``n`` of them (NULL: none),
    ``inc`` of them counting as include (maybe as :maybe says)."""
    return (
        f"CASE WHEN {n} IS NULL THEN {_PENDING}"
        f" WHEN {inc} > 0 AND {inc} < {n} THEN {_CONFLICT}"
        f" WHEN {n} < :needed_{stage.value} THEN {_PENDING}"
        f" WHEN {inc} = {n} THEN {_INCLUDE} ELSE {_EXCLUDE} END"
    )


def _stage_outcomes(stage: Stage, pool: str) -> str:
    """SQL: ``id, outcome, resolved, by_decisions`` for every record of ``pool`` at ``stage``
    (``by_decisions``: the outcome its decisions alone would give, resolution aside).

    Joining every record to the per-unit decision totals makes SQLite scan those totals once
    per record (it builds no index on an aggregate), which grows with records x decisions: 20 s
    on a 100,000-record review. Here the pool, the totals and the resolutions are stacked and
    grouped by record instead: one sort, whatever the numbers.
    """
    s = stage.value
    by_decisions = _by_decisions(stage, "n", "inc")
    return (
        f"SELECT id, coalesce(zdec, {by_decisions}) AS outcome, zdec IS NOT NULL AS resolved,"
        f" {by_decisions} AS by_decisions"
        " FROM (SELECT id, max(n) AS n, max(inc) AS inc, max(zdec) AS zdec FROM ("
        f"  SELECT id, 1 AS member, NULL AS n, NULL AS inc, NULL AS zdec FROM ({pool})"
        f"  UNION ALL SELECT record_id, 0, count(*), sum({_counted('decision')} = {_INCLUDE}), NULL"
        f"   FROM unit_decision WHERE stage = '{s}' GROUP BY record_id"
        "  UNION ALL SELECT record_id, 0, NULL, NULL, decision FROM unit_resolution WHERE stage "
        f"= '{s}'"
        " ) GROUP BY id HAVING max(member) = 1)"
    )


_TA_OUTCOMES = _stage_outcomes(Stage.TITLE_ABSTRACT, _SCREENED)
_FT_POOL = f"SELECT id FROM ({_TA_OUTCOMES}) WHERE outcome = {_INCLUDE}"
_FT_OUTCOMES = _stage_outcomes(Stage.FULL_TEXT, _FT_POOL)


def _pool(stage: Stage) -> str:
    return _SCREENED if stage is Stage.TITLE_ABSTRACT else _FT_POOL


def _all_outcomes(stage: Stage) -> str:
    return _TA_OUTCOMES if stage is Stage.TITLE_ABSTRACT else _FT_OUTCOMES


def outcome_params(
    *, maybe_counts_as: str, needed_title_abstract: int, needed_full_text: int
) -> dict[str, Any]:
    return {
        "maybe": str(maybe_counts_as),
        "needed_title_abstract": needed_title_abstract,
        "needed_full_text": needed_full_text,
    }


def outcome_of(
    db: sqlite_utils.Database, record_id: int, stage: Stage, params: dict[str, Any]
) -> StageOutcome | None:
    """The record's outcome at ``stage``, or None when it is not in that stage's pool (a record
    dedup set aside as a secondary cluster member; at full text, one not included at
    title/abstract)."""
    if db.execute(f"{_SCREENED} WHERE id = ?", [record_id]).fetchone() is None:
        return None
    if (
        stage is Stage.FULL_TEXT
        and outcome_of(db, record_id, Stage.TITLE_ABSTRACT, params) is not StageOutcome.INCLUDE
    ):
        return None
    resolution = resolution_for(db, record_id, stage)
    return stage_outcome(
        (d.choice for d in decisions_for(db, record_id, stage)),
        needed=params[f"needed_{stage.value}"],
        maybe_counts_as=params["maybe"],
        resolution=resolution.choice if resolution is not None else None,
    )


def ids_with_outcome(
    db: sqlite_utils.Database, stage: Stage, outcome: str, params: dict[str, Any]
) -> list[int]:
    return [
        r[0]
        for r in db.execute(
            f"SELECT id FROM ({_all_outcomes(stage)}) WHERE outcome = :outcome ORDER BY id",
            {**params, "outcome": outcome},
        )
    ]


def stage_progress(
    db: sqlite_utils.Database, stage: Stage, params: dict[str, Any]
) -> StageProgress:
    outcomes: dict[str, int] = {o.value: 0 for o in StageOutcome}
    resolved = 0
    for outcome, is_resolved, n in db.execute(
        f"SELECT outcome, resolved, count(*) FROM ({_all_outcomes(stage)}) GROUP BY 1, 2", params
    ):
        outcomes[outcome] = outcomes.get(outcome, 0) + n
        resolved += n if is_resolved else 0
    per: dict[str, dict[str, int]] = {}
    for name, choice, n in db.execute(
        "SELECT r.name, u.decision, count(*) FROM unit_decision u"
        " JOIN reviewer r ON r.id = u.reviewer_id"
        f" WHERE u.stage = :stage AND u.record_id IN ({_pool(stage)})"
        " GROUP BY r.id, u.decision ORDER BY r.id",
        {**params, "stage": stage.value},
    ):
        per.setdefault(name, {})[choice] = n
    return StageProgress(
        stage=stage,
        records=sum(outcomes.values()),
        needed=params[f"needed_{stage.value}"],
        reviewers=tuple(ReviewerProgress(name, **counts) for name, counts in per.items()),
        outcomes=outcomes,
        resolved=resolved,
    )


# --- queues --------------------------------------------------------------------------------------
# A reviewer's queue reads decisions per screened unit, as unit_decision does: a live decision of
# the reviewer (:rid, at :stage) on a record or on another member of its duplicate cluster counts
# for the record, the latest one winning. Written on the keys of current_decision and
# cluster_member rather than over the view (which ranks every decision of the stage), so the
# next undecided record of a 100,000-record queue costs a few index probes per record passed and
# the other filters cost about one probe per decision of the reviewer. CROSS JOIN fixes the join
# order: SQLite would otherwise walk all of the reviewer's decisions for every clustered record.
# Only :rid's decisions are read, so a blind reviewer's queue says nothing about anyone else's.


def _decided_by_me(record: str) -> str:
    """SQL: the reviewer has a live decision on ``record``'s unit."""
    return (
        f"(EXISTS (SELECT 1 FROM current_decision c WHERE c.record_id = {record}"
        " AND c.stage = :stage AND c.reviewer_id = :rid)"
        " OR EXISTS (SELECT 1 FROM cluster_member pm CROSS JOIN cluster_member m"
        " CROSS JOIN current_decision c"
        f" WHERE pm.record_id = {record} AND m.cluster_id = pm.cluster_id AND m.record_id <> "
        f"{record}"
        " AND c.record_id = m.record_id AND c.stage = :stage AND c.reviewer_id = :rid))"
    )


def _my_units(choice: Choice | None = None) -> str:
    """SQL: the units the reviewer has decided; with ``choice``, those whose latest live decision
    by the reviewer is ``choice``."""
    sql = (
        "SELECT coalesce(k.primary_record_id, c.record_id) FROM current_decision c"
        " LEFT JOIN cluster_member m ON m.record_id = c.record_id"
        " LEFT JOIN cluster k ON k.id = m.cluster_id"
        " WHERE c.stage = :stage AND c.reviewer_id = :rid"
    )
    if choice is None:
        return sql
    return sql + (
        f" AND c.decision = '{choice.value}'"
        " AND NOT EXISTS (SELECT 1 FROM cluster_member o CROSS JOIN current_decision later"
        " WHERE o.cluster_id = m.cluster_id AND later.record_id = o.record_id"
        " AND later.stage = :stage AND later.reviewer_id = :rid"
        " AND later.decision_id > c.decision_id)"
    )


def queue_ids(
    db: sqlite_utils.Database,
    stage: Stage,
    reviewer: str,
    flt: QueueFilter,
    params: dict[str, Any],
    *,
    tag: str | None = None,
    blind: bool = True,
    after: int = 0,
    limit: int | None = None,
) -> list[int]:
    """Record ids of the stage's pool passing ``flt`` for ``reviewer``, in id order; only ids
    above ``after``, at most ``limit`` of them (a page, or the next record, on a big review)."""
    args = {
        **params,
        "stage": stage.value,
        "rid": reviewer_id(db, reviewer),
        "tag": tag,
        "after": after,
        "limit": -1 if limit is None else limit,
    }
    where = {
        QueueFilter.ALL: "1",
        QueueFilter.UNDECIDED: f"NOT {_decided_by_me('p.id')}",
        QueueFilter.MINE: f"p.id IN ({_my_units()})",
        QueueFilter.MAYBE: f"p.id IN ({_my_units(Choice.MAYBE)})",
        QueueFilter.INCLUDED: f"p.id IN ({_my_units(Choice.INCLUDE)})",
        # blind: the conflicts on records the reviewer decided, never others' disagreements
        QueueFilter.CONFLICTS: f"p.id IN (SELECT id FROM ({_all_outcomes(stage)}) WHERE outcome "
        f"= {_CONFLICT})" + (f" AND {_decided_by_me('p.id')}" if blind else ""),
        QueueFilter.TAG: "p.id IN (SELECT t.record_id FROM record_tag t JOIN tag g ON g.id = "
        "t.tag_id"
        " WHERE g.name = :tag" + (" AND t.reviewer_id = :rid)" if blind else ")"),
    }[flt]
    return [
        r[0]
        for r in db.execute(
            f"SELECT p.id FROM ({_pool(stage)}) AS p WHERE p.id > :after AND {where}"
            " ORDER BY p.id LIMIT :limit",
            args,
        )
    ]


def max_record_id(db: sqlite_utils.Database) -> int:
    return scalar_int(db, "SELECT ifnull(max(id), 0) FROM record")


def decided_among(
    db: sqlite_utils.Database, stage: Stage, reviewer: str, ids: Sequence[int]
) -> set[int]:
    """Which of ``ids`` this reviewer has decided at ``stage`` (a live decision on the record or
    on another member of its duplicate cluster)."""
    if not ids:
        return set()
    args = {"stage": stage.value, "rid": reviewer_id(db, reviewer), "ids": json.dumps(list(ids))}
    return {
        r[0]
        for r in db.execute(
            "SELECT r.id FROM record r WHERE r.id IN (SELECT value FROM json_each(:ids))"
            f" AND {_decided_by_me('r.id')}",
            args,
        )
    }


# --- notes ---------------------------------------------------------------------------------------


def add_note(
    db: sqlite_utils.Database, record_id: int, reviewer: str, text: str, stage: Stage | None
) -> int:
    return insert(
        db,
        "record_note",
        {
            "record_id": record_id,
            "reviewer_id": reviewer_id(db, reviewer),
            "stage": stage.value if stage else None,
            "text": text,
            "created_at": now(),
        },
    )


def notes_for(
    db: sqlite_utils.Database, record_id: int, *, reviewer: str | None = None
) -> list[Note]:
    sql = (
        "SELECT n.id, n.record_id, r.name, n.stage, n.text, n.created_at FROM record_note n"
        " JOIN reviewer r ON r.id = n.reviewer_id WHERE n.record_id = ?"
    )
    args: list[Any] = [record_id]
    if reviewer is not None:
        sql += " AND r.name_key = ?"
        args.append(name_key(reviewer))
    return [
        Note(i, rec, name, Stage(st) if st else None, text, at)
        for i, rec, name, st, text, at in db.execute(sql + " ORDER BY n.id", args)
    ]


# --- tags ----------------------------------------------------------------------------------------


def tag_record(db: sqlite_utils.Database, record_id: int, tag: str, reviewer: str) -> bool:
    """Tag a record for this reviewer; False when it already carried the tag."""
    db.execute("INSERT INTO tag (name) VALUES (?) ON CONFLICT (name) DO NOTHING", [tag])
    tag_id = db.execute("SELECT id FROM tag WHERE name = ?", [tag]).fetchone()[0]
    cursor = db.execute(
        "INSERT INTO record_tag (record_id, tag_id, reviewer_id, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        [record_id, tag_id, reviewer_id(db, reviewer), now()],
    )
    return int(cursor.rowcount) > 0


def untag_record(db: sqlite_utils.Database, record_id: int, tag: str, reviewer: str) -> bool:
    cursor = db.execute(
        "DELETE FROM record_tag WHERE record_id = ? AND reviewer_id = ?"
        " AND tag_id = (SELECT id FROM tag WHERE name = ?)",
        [record_id, reviewer_id(db, reviewer), tag],
    )
    return int(cursor.rowcount) > 0


def tags_for(
    db: sqlite_utils.Database, record_id: int, *, reviewer: str | None = None
) -> list[str]:
    sql = (
        "SELECT DISTINCT g.name FROM record_tag t JOIN tag g ON g.id = t.tag_id"
        " JOIN reviewer r ON r.id = t.reviewer_id WHERE t.record_id = ?"
    )
    args: list[Any] = [record_id]
    if reviewer is not None:
        sql += " AND r.name_key = ?"
        args.append(name_key(reviewer))
    return [r[0] for r in db.execute(sql + " ORDER BY g.name", args)]


def all_tags(db: sqlite_utils.Database, *, reviewer: str | None = None) -> list[str]:
    """Tag names in use (by ``reviewer`` only, when given)."""
    if reviewer is None:
        return [
            r[0]
            for r in db.execute(
                "SELECT name FROM tag WHERE id IN (SELECT tag_id FROM record_tag) ORDER BY name"
            )
        ]
    return [
        r[0]
        for r in db.execute(
            "SELECT name FROM tag WHERE id IN (SELECT t.tag_id FROM record_tag t JOIN reviewer r"
            " ON r.id = t.reviewer_id WHERE r.name_key = ?) ORDER BY name",
            [name_key(reviewer)],
        )
    ]


# --- resolutions ---------------------------------------------------------------------------------
# A unit's live resolution is its latest resolution not undone, on the record or on another member
# of its duplicate cluster (as the view unit_resolution says, db/0003). Replacing one adds a row
# naming it (replaces_id); undoing one adds a resolution_undo row; nothing is deleted.

_RESOLUTION_SELECT = (
    "SELECT z.id, z.record_id, z.stage, z.decision, r.name, z.method, ifnull(x.label, ''),"
    " z.note, z.resolved_at, z.replaces_id FROM resolution z JOIN reviewer r ON r.id = "
    "z.reviewer_id"
    " LEFT JOIN exclusion_reason x ON x.id = z.reason_id"
)

# The records whose resolutions count for :record's unit: the record and its cluster's members.
_UNIT_MEMBERS = (
    "SELECT :record AS record_id UNION SELECT m.record_id FROM cluster_member pm"
    " JOIN cluster_member m ON m.cluster_id = pm.cluster_id WHERE pm.record_id = :record"
)


def add_resolution(
    db: sqlite_utils.Database,
    record_id: int,
    stage: Stage,
    choice: Choice,
    reviewer: str,
    method: ResolutionMethod,
    reason: str | None,
    note: str,
    *,
    replaces_id: int | None = None,
) -> int:
    return insert(
        db,
        "resolution",
        {
            "record_id": record_id,
            "stage": stage.value,
            "decision": choice.value,
            "reason_id": reason_id(db, reason),
            "note": note,
            "reviewer_id": reviewer_id(db, reviewer),
            "method": method.value,
            "resolved_at": now(),
            "replaces_id": replaces_id,
        },
    )


def undo_resolution(db: sqlite_utils.Database, resolution_id: int, reviewer: str) -> None:
    """Mark resolution ``resolution_id`` undone by ``reviewer``."""
    db.execute(
        "INSERT INTO resolution_undo (resolution_id, reviewer_id, undone_at) VALUES (?, ?, ?)",
        [resolution_id, reviewer_id(db, reviewer), now()],
    )


def _to_resolution(row: tuple[Any, ...]) -> Resolution:
    return Resolution(
        row[0],
        row[1],
        Stage(row[2]),
        Choice(row[3]),
        row[4],
        ResolutionMethod(row[5]),
        row[6],
        row[7],
        row[8],
        row[9],
    )


def resolution_for(db: sqlite_utils.Database, record_id: int, stage: Stage) -> Resolution | None:
    """The live resolution of the record's unit at ``stage``, or None."""
    row = db.execute(
        _RESOLUTION_SELECT + f" WHERE z.record_id IN ({_UNIT_MEMBERS}) AND z.stage = :stage"
        " AND z.id NOT IN (SELECT resolution_id FROM resolution_undo) ORDER BY z.id DESC LIMIT 1",
        {"record": record_id, "stage": stage.value},
    ).fetchone()
    return _to_resolution(row) if row else None


def resolved_conflict_ids(
    db: sqlite_utils.Database, stage: Stage, params: dict[str, Any]
) -> list[int]:
    """Units of the stage's pool whose live decisions conflict and that have a live resolution."""
    return [
        r[0]
        for r in db.execute(
            f"SELECT id FROM ({_all_outcomes(stage)}) WHERE resolved AND by_decisions = {_CONFLICT}"
            " ORDER BY id",
            params,
        )
    ]


# --- agreement -----------------------------------------------------------------------------------


def agreement_counts(
    db: sqlite_utils.Database, stage: Stage | None, maybe_counts_as: str
) -> list[tuple[str, str, str, str, str, int]]:
    """(stage, reviewer a, reviewer b, a's choice, b's choice, count) over units both decided.

    A unit is what is screened: a record, or a duplicate cluster through its primary record, so
    two reviewers who decided two records dedup later merged are paired on the cluster, each with
    the latest decision that speaks for it (the ``unit_decision`` view, as outcomes use). Choices
    are counted as include/exclude (maybe as the review says); ``a`` is the reviewer who joined
    the review first.
    """
    sql = (
        "WITH u AS MATERIALIZED (SELECT record_id, stage, reviewer_id, decision FROM unit_decision"
        f" WHERE record_id IN ({_SCREENED})" + (" AND stage = :stage" if stage else "") + ")"
        f" SELECT u1.stage, r1.name, r2.name, {_counted('u1.decision')}, "
        f"{_counted('u2.decision')}, count(*)"
        " FROM u u1 JOIN u u2 ON u2.record_id = u1.record_id AND u2.stage = u1.stage"
        " AND u2.reviewer_id > u1.reviewer_id"
        " JOIN reviewer r1 ON r1.id = u1.reviewer_id JOIN reviewer r2 ON r2.id = u2.reviewer_id"
        " GROUP BY 1, 2, 3, 4, 5 ORDER BY 1 DESC, r1.id, r2.id"
    )
    rows: list[tuple[str, str, str, str, str, int]] = db.execute(
        sql, {"maybe": maybe_counts_as, "stage": stage.value if stage else None}
    ).fetchall()
    return rows


# --- full texts ----------------------------------------------------------------------------------


def set_full_text(
    db: sqlite_utils.Database,
    record_id: int,
    *,
    path: str,
    sha256: str,
    not_retrieved: bool,
    note: str,
    reviewer: str,
) -> None:
    db.execute(
        "INSERT INTO full_text (record_id, path, sha256, not_retrieved, note, reviewer_id, "
        "updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (record_id) DO UPDATE SET path = excluded.path,"
        " sha256 = excluded.sha256, not_retrieved = excluded.not_retrieved, note = excluded.note,"
        " reviewer_id = excluded.reviewer_id, updated_at = excluded.updated_at",
        [record_id, path, sha256, int(not_retrieved), note, reviewer_id(db, reviewer), now()],
    )


def full_text_for(db: sqlite_utils.Database, record_id: int) -> FullText | None:
    row = db.execute(
        "SELECT f.record_id, f.path, f.sha256, f.not_retrieved, f.note, ifnull(r.name, ''),"
        " f.updated_at FROM full_text f LEFT JOIN reviewer r ON r.id = f.reviewer_id"
        " WHERE f.record_id = ?",
        [record_id],
    ).fetchone()
    if row is None:
        return None
    return FullText(row[0], row[1], row[2], bool(row[3]), row[4], row[5], row[6])
