"""Appending an offline copy's work to the review: the writing half of the merge in
:mod:`screener.flows.offline` (:mod:`screener.storage.offline` makes copies and reads rows).

Every row appended is logged in ``merged_row`` by its origin (copy id, kind, key), so a merge of
the same copy again adds nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlite_utils

from screener.model import label_text
from screener.storage.db import now
from screener.storage.offline import DecisionRow, Key, NoteRow, dump, reviewer_id
from screener.storage.rows import insert, scalar_int


def reason_ids(
    db: sqlite_utils.Database, labels: Iterable[str]
) -> tuple[dict[str, int], list[str]]:
    """Label -> id of each reason (matched by label_text), adding those the review lacks;
    returns the map and the labels added."""
    known: dict[str, int] = {}
    for rid, label in db.execute(
        "SELECT id, label FROM exclusion_reason ORDER BY stage IS NOT NULL, id"
    ):
        known.setdefault(label_text(label, "an exclusion reason"), rid)
    added = []
    for label in dict.fromkeys(labels):
        text = label_text(label, "an exclusion reason")
        if text not in known:
            position = scalar_int(
                db,
                "SELECT ifnull(max(position), -1) + 1 FROM exclusion_reason"
                " WHERE position < 1000000",
            )
            known[text] = insert(db, "exclusion_reason", {"label": text, "position": position})
            added.append(text)
    return {label: known[label_text(label, "an exclusion reason")] for label in labels}, added


def log_merged(
    db: sqlite_utils.Database,
    copy_uid: str,
    kind: str,
    key: Any,
    *,
    main_id: int | None = None,
    value: Any = None,
    previous: Any = None,
) -> None:
    db.execute(
        "INSERT INTO merged_row (copy_uid, kind, key, main_id, value, previous, merged_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (copy_uid, kind, key) DO UPDATE SET"
        " main_id = excluded.main_id, value = excluded.value, previous = excluded.previous,"
        " merged_at = excluded.merged_at",
        [
            copy_uid,
            kind,
            dump(key) if not isinstance(key, int) else str(key),
            main_id,
            None if value is None else dump(value),
            None if previous is None else dump(previous),
            now(),
        ],
    )


def append_decision(
    db: sqlite_utils.Database,
    row: DecisionRow,
    *,
    reviewer_id: int,
    reason_id: int | None,
    undoes_id: int | None,
) -> int:
    """Append ``row`` (from a copy) to the review's history with its own time, and update the
    reviewer's live decision: a decision becomes live unless the live one was made later; an
    undo of the live decision brings back the reviewer's latest one not undone."""
    new_id = insert(
        db,
        "decision",
        {
            "record_id": row.record_id,
            "stage": row.stage,
            "reviewer_id": reviewer_id,
            "action": row.action,
            "decision": row.decision,
            "reason_id": reason_id,
            "note": row.note,
            "undoes_id": undoes_id,
            "made_at": row.made_at,
        },
    )
    where = [row.record_id, row.stage, reviewer_id]
    live = db.execute(
        "SELECT c.decision_id, d.made_at FROM current_decision c JOIN decision d ON d.id = "
        "c.decision_id"
        " WHERE c.record_id = ? AND c.stage = ? AND c.reviewer_id = ?",
        where,
    ).fetchone()
    if row.action == "decide":
        if live is None or live[1] <= row.made_at:
            _set_live(db, where, new_id, row.decision, reason_id)
        return new_id
    if live is not None and live[0] == undoes_id:
        db.execute(
            "DELETE FROM current_decision WHERE record_id = ? AND stage = ? AND reviewer_id = ?",
            where,
        )
        previous = db.execute(
            "SELECT id, decision, reason_id FROM decision WHERE record_id = ? AND stage = ?"
            " AND reviewer_id = ? AND action = 'decide' AND id NOT IN (SELECT undoes_id FROM "
            "decision"
            " WHERE action = 'undo' AND record_id = ? AND stage = ? AND reviewer_id = ?)"
            " ORDER BY made_at DESC, id DESC LIMIT 1",
            where + where,
        ).fetchone()
        if previous:
            _set_live(db, where, *previous)
    return new_id


def _set_live(
    db: sqlite_utils.Database,
    where: Sequence[Any],
    decision_id: int,
    decision: str | None,
    reason_id: int | None,
) -> None:
    db.execute(
        "INSERT INTO current_decision (record_id, stage, reviewer_id, decision_id, decision, "
        "reason_id)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (record_id, stage, reviewer_id) DO UPDATE SET"
        " decision_id = excluded.decision_id, decision = excluded.decision,"
        " reason_id = excluded.reason_id",
        [*where, decision_id, decision, reason_id],
    )


def append_note(db: sqlite_utils.Database, row: NoteRow, *, reviewer_id: int) -> int:
    return insert(
        db,
        "record_note",
        {
            "record_id": row.record_id,
            "reviewer_id": reviewer_id,
            "stage": row.stage,
            "text": row.text,
            "created_at": row.created_at,
        },
    )


def put_mutable(db: sqlite_utils.Database, kind: str, key: Key, value: list[Any] | None) -> None:
    """Make the review's row ``key`` of ``kind`` hold ``value`` (None: remove it); its study,
    outcome, tag and reviewer are looked up by name (the caller checked they exist)."""
    k = list(key)
    if kind == "tag":
        tag_id = _tag_id(db, k[1])
        rid = reviewer_id(db, k[2])
        if value is None:
            db.execute(
                "DELETE FROM record_tag WHERE record_id = ? AND tag_id = ? AND reviewer_id = ?",
                [k[0], tag_id, rid],
            )
        else:
            db.execute(
                "INSERT OR REPLACE INTO record_tag (record_id, tag_id, reviewer_id, created_at)"
                " VALUES (?, ?, ?, ?)",
                [k[0], tag_id, rid, value[0]],
            )
    elif kind == "full_text":
        if value is None:
            db.execute("DELETE FROM full_text WHERE record_id = ?", [k[0]])
        else:
            path, sha, not_retrieved, note, who, at = value
            db.execute(
                "INSERT OR REPLACE INTO full_text (record_id, path, sha256, not_retrieved,"
                " note, reviewer_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [k[0], path, sha, not_retrieved, note, reviewer_id(db, who) if who else None, at],
            )
    elif kind == "value":
        study, outcome, timepoint, subgroup, field, who, role = k
        ids = [_id_of(db, "study", study), _id_of(db, "outcome", outcome) if outcome else None]
        where = [ids[0], ids[1] or 0, timepoint, subgroup, field, reviewer_id(db, who), role]
        db.execute(
            "DELETE FROM extraction_value WHERE study_id = ? AND ifnull(outcome_id, 0) = ?"
            " AND timepoint = ? AND subgroup = ? AND field = ? AND reviewer_id = ?"
            " AND role = ?",
            where,
        )
        if value is not None:
            db.execute(
                "INSERT INTO extraction_value (study_id, outcome_id, timepoint, subgroup,"
                " field, reviewer_id, role, value, method, method_json, imputed, note,"
                " entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [ids[0], ids[1], *where[2:], *value],
            )
    else:
        study, tool, outcome, domain, who, role = k
        ids = [_id_of(db, "study", study), _id_of(db, "outcome", outcome) if outcome else None]
        where = [ids[0], tool, ids[1] or 0, domain, reviewer_id(db, who), role]
        db.execute(
            "DELETE FROM rob_judgement WHERE study_id = ? AND tool = ?"
            " AND ifnull(outcome_id, 0) = ? AND domain = ? AND reviewer_id = ? AND role = ?",
            where,
        )
        if value is not None:
            db.execute(
                "INSERT INTO rob_judgement (study_id, tool, outcome_id, domain, reviewer_id,"
                " role, judgement, support, made_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [ids[0], tool, ids[1], domain, where[4], role, *value],
            )


def _tag_id(db: sqlite_utils.Database, label: str) -> int:
    for tag_id, name in db.execute("SELECT id, name FROM tag ORDER BY id"):
        if label_text(name, "a tag") == label:
            return int(tag_id)
    return insert(db, "tag", {"name": label})


def _id_of(db: sqlite_utils.Database, table: str, name: str) -> int:
    return scalar_int(db, f"SELECT id FROM {table} WHERE name = ?", [name])
