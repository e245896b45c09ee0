"""Offline copies in the review file: making a copy blind and reading what was done in it
(db/0007; the flow is :mod:`screener.flows.offline`; appending that work to the review is
:mod:`screener.storage.offline_merge`).

What a copy for reviewer R holds of the other reviewers' work ("blind"):

- decisions (history and live): only on screening units whose outcome at that stage is final
  (included or excluded, by agreement or by a resolution), which the copy needs to know which
  records reach full text; the rest are removed;
- notes, tags and full-text entries (retrieval status, notes, files): only on settled records
  (excluded at title/abstract, or decided at full text);
- extraction values and risk-of-bias judgements: none of another extractor's or assessor's;
  the agreed (consensus) ones stay;
- relevance rankings: none of another reviewer's (their scores follow their decisions).

Everything else (records, sources, clusters, criteria, reasons, forms, outcomes, studies,
resolutions, analyses, settings) is the review's, and stays. Removed rows are overwritten on
disk (``secure_delete``) and the file is vacuumed, so no page of the copy still holds them.

Rows are matched between the copy and the review by what they mean, never by trust: reviewers
by :func:`~screener.storage.review.name_key`, reasons and tags by
:func:`~screener.model.label_text`, studies and outcomes by name; records by id, checked to be
the same records (a copy keeps the review's record ids and cannot add records).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from screener.model import Stage, StageOutcome, label_text
from screener.storage.db import connect, now, transaction
from screener.storage.review import name_key
from screener.storage.rows import insert, scalar_int
from screener.storage.screening import ids_with_outcome

MUTABLE_KINDS = ("tag", "full_text", "value", "judgement")
"""The kinds of rows changed in place, whose state at checkout a copy keeps (offline_base)."""

UNMERGED: dict[str, tuple[str, ...]] = {
    "conflict resolutions": ("resolution", "resolution_undo"),
    "duplicate verdicts": ("duplicate_pair", "cluster", "cluster_member"),
    "review settings": ("review", "setting", "prisma_count"),
    "reviewers": ("reviewer",),
    "highlight terms": ("highlight_term",),
    "studies": ("study", "study_report"),
    "the extraction form": ("extraction_form", "form_field", "outcome"),
    "analyses": ("analysis",),
    "GRADE judgements": ("grade_judgement", "grade_setting"),
    "stopping-rule samples and stops": ("stopping_sample", "screening_stop", "stopped_record"),
}
"""Work a merge does not bring back (it belongs to the lead or an arbiter, in the review), by
the words a merge reports it with, and the tables that hold it. A copy keeps a digest of each at
checkout (offline_base, kind "unmerged"), so a merge can say what was done in the copy and left
there instead of dropping it silently."""


@dataclass(frozen=True, slots=True)
class CopyInfo:
    """An offline copy: its id, its review's id, whom it is for and when it was taken."""

    uid: str
    review_uid: str
    reviewer: str
    taken_at: str
    last_decision_id: int
    last_note_id: int


def copy_info(db: sqlite_utils.Database) -> CopyInfo | None:
    """The copy ``db`` is, or None when it is a review file itself."""
    row = db.execute(
        "SELECT c.uid, v.uid, r.name, c.taken_at, c.last_decision_id, c.last_note_id"
        " FROM offline_copy c JOIN reviewer r ON r.id = c.reviewer_id, review v"
    ).fetchone()
    return None if row is None else CopyInfo(*row)


# --- making a copy blind -------------------------------------------------------------------------


def _final_units(db: sqlite_utils.Database, params: dict[str, Any], stage: Stage) -> set[int]:
    return {
        unit
        for outcome in (StageOutcome.INCLUDE, StageOutcome.EXCLUDE)
        for unit in ids_with_outcome(db, stage, outcome.value, params)
    }


def _unit_sql(record: str) -> str:
    """SQL: the screening unit (cluster primary, or the record itself) of ``record``."""
    return (
        f"coalesce((SELECT k.primary_record_id FROM cluster_member m JOIN cluster k"
        f" ON k.id = m.cluster_id WHERE m.record_id = {record}), {record})"
    )


def make_blind(db: sqlite_utils.Database, reviewer: str, params: dict[str, Any]) -> dict[str, int]:
    """Remove from ``db`` (a fresh copy, inside the caller's transaction) what ``reviewer`` may
    not see of the others' work (the module's list); returns the rows removed per table."""
    rid = reviewer_id(db, reviewer)
    final_ta = _final_units(db, params, Stage.TITLE_ABSTRACT)
    final_ft = _final_units(db, params, Stage.FULL_TEXT)
    excluded_ta = set(
        ids_with_outcome(db, Stage.TITLE_ABSTRACT, StageOutcome.EXCLUDE.value, params)
    )
    settled = sorted(excluded_ta | final_ft)
    finals = json.dumps(
        [[u, Stage.TITLE_ABSTRACT.value] for u in sorted(final_ta)]
        + [[u, Stage.FULL_TEXT.value] for u in sorted(final_ft)]
    )
    db.execute("CREATE TEMP TABLE final_unit (unit INTEGER, stage TEXT, PRIMARY KEY (unit, stage))")
    db.execute(
        "INSERT INTO final_unit SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]')"
        " FROM json_each(?)",
        [finals],
    )
    db.execute("CREATE TEMP TABLE settled_unit (unit INTEGER PRIMARY KEY)")
    db.execute("INSERT INTO settled_unit SELECT value FROM json_each(?)", [json.dumps(settled)])
    hidden_decision = (
        "reviewer_id <> :rid AND NOT EXISTS (SELECT 1 FROM temp.final_unit f"
        f" WHERE f.unit = {_unit_sql('record_id')} AND f.stage = stage)"
    )
    hidden_on_record = (
        f"reviewer_id <> :rid AND {_unit_sql('record_id')} NOT IN (SELECT unit "
        "FROM temp.settled_unit)"
    )
    removed = {}
    for table, where in (
        ("current_decision", hidden_decision),
        ("decision", hidden_decision),
        ("record_note", hidden_on_record),
        ("record_tag", hidden_on_record),
        ("full_text", hidden_on_record),
        ("extraction_value", "reviewer_id <> :rid AND role = 'extractor'"),
        ("rob_judgement", "reviewer_id <> :rid AND role = 'assessor'"),
        ("ranking", "reviewer_id <> :rid"),
    ):
        removed[table] = int(
            db.execute(f"DELETE FROM {table} WHERE {where}", {"rid": rid}).rowcount
        )
    db.execute("DROP TABLE temp.final_unit")
    db.execute("DROP TABLE temp.settled_unit")
    return removed


def make_copy(
    db: sqlite_utils.Database, target: Path, reviewer: str, params: dict[str, Any]
) -> tuple[str, dict[str, int]]:
    """Write to the empty file ``target`` a blind copy of the review ``db`` for ``reviewer``
    (SQLite's backup, then :func:`make_blind` and :func:`mark_copy` in one transaction, then a
    VACUUM so no free page keeps a removed row); returns the copy's id and the rows removed."""
    plain = sqlite3.connect(str(target))
    try:
        db.conn.backup(plain)
    finally:
        plain.close()
    copy = connect(target)
    try:
        copy.execute("PRAGMA secure_delete = ON")
        with transaction(copy):
            removed = make_blind(copy, reviewer, params)
            copy_uid = mark_copy(copy, reviewer)
        copy.execute("VACUUM")
        copy.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
    finally:
        copy.conn.close()
    return copy_uid, removed


def mark_copy(db: sqlite_utils.Database, reviewer: str) -> str:
    """Record in ``db`` (a copy, inside the caller's transaction) whom it is for and what it
    held of the rows changed in place; returns the copy's id."""
    copy_uid = uuid.uuid4().hex
    insert(
        db,
        "offline_copy",
        {
            "id": 1,
            "uid": copy_uid,
            "reviewer_id": reviewer_id(db, reviewer),
            "taken_at": now(),
            "last_decision_id": scalar_int(db, "SELECT ifnull(max(id), 0) FROM decision"),
            "last_note_id": scalar_int(db, "SELECT ifnull(max(id), 0) FROM record_note"),
        },
    )
    db.execute("DELETE FROM offline_base")
    db.conn.executemany(
        "INSERT INTO offline_base (kind, key, value) VALUES (?, ?, ?)",
        [
            (kind, dump(key), dump(value))
            for kind in MUTABLE_KINDS
            for key, value in mutable_rows(db, kind).items()
        ]
        + [("unmerged", dump(words), dump(digest)) for words, digest in _digests(db).items()],
    )
    return copy_uid


def _digests(db: sqlite_utils.Database) -> dict[str, str]:
    """Words of :data:`UNMERGED` -> a digest of what its tables hold (rows in sorted order)."""
    found = {}
    for words, tables in UNMERGED.items():
        digest = hashlib.sha256()
        for table in tables:
            digest.update(table.encode() + b"\0")
            rows = sorted(
                json.dumps([v.hex() if isinstance(v, bytes) else v for v in row])
                for row in db.execute(f"SELECT * FROM [{table}]")
            )
            digest.update("\n".join(rows).encode())
        found[words] = digest.hexdigest()
    return found


def left_in_copy(copy: sqlite_utils.Database) -> list[str]:
    """The words of :data:`UNMERGED` whose tables changed in ``copy`` since its checkout (none
    for copies made before the digests were kept)."""
    then = {
        json.loads(key): json.loads(value)
        for key, value in copy.execute(
            "SELECT key, value FROM offline_base WHERE kind = 'unmerged'"
        )
    }
    if not then:
        return []
    now_ = _digests(copy)
    return [words for words in UNMERGED if words in then and then[words] != now_[words]]


def reason_labels(db: sqlite_utils.Database) -> set[str]:
    """The exclusion reasons of ``db``, as :func:`~screener.model.label_text` spells them."""
    return {
        label_text(label, "an exclusion reason")
        for (label,) in db.execute("SELECT label FROM exclusion_reason")
    }


def reviewer_id(db: sqlite_utils.Database, name: str) -> int:
    """The id of the reviewer ``name`` (matched by name_key) in ``db``."""
    return scalar_int(db, "SELECT id FROM reviewer WHERE name_key = ?", [name_key(name)])


def dump(value: Any) -> str:
    """``value`` as the compact JSON offline_base and merged_row keep."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --- reading rows in either file -----------------------------------------------------------------

Key = tuple[Any, ...]

_MUTABLE_SQL = {
    # key columns first (the reviewer's name_key among them), then the row's content
    "tag": (
        "SELECT t.record_id, g.name, r.name_key, t.created_at FROM record_tag t"
        " JOIN tag g ON g.id = t.tag_id JOIN reviewer r ON r.id = t.reviewer_id",
        3,
    ),
    "full_text": (
        "SELECT f.record_id, f.path, f.sha256, f.not_retrieved, f.note,"
        " ifnull(r.name_key, ''), f.updated_at FROM full_text f"
        " LEFT JOIN reviewer r ON r.id = f.reviewer_id",
        1,
    ),
    "value": (
        "SELECT s.name, ifnull(o.name, ''), v.timepoint, v.subgroup, v.field, r.name_key,"
        " v.role, v.value, v.method, v.method_json, v.imputed, v.note, v.entered_at"
        " FROM extraction_value v JOIN study s ON s.id = v.study_id"
        " JOIN reviewer r ON r.id = v.reviewer_id LEFT JOIN outcome o ON o.id = v.outcome_id",
        7,
    ),
    "judgement": (
        "SELECT s.name, j.tool, ifnull(o.name, ''), j.domain, r.name_key, j.role,"
        " j.judgement, j.support, j.made_at FROM rob_judgement j"
        " JOIN study s ON s.id = j.study_id JOIN reviewer r ON r.id = j.reviewer_id"
        " LEFT JOIN outcome o ON o.id = j.outcome_id",
        6,
    ),
}
WHO = {"tag": 2, "full_text": 4, "value": 5, "judgement": 4}
"""Where the reviewer's name_key is, in a row's key (full_text: in its content)."""


def _normal_key(kind: str, key: list[Any]) -> list[Any]:
    if kind == "tag":
        key[1] = label_text(key[1], "a tag")
    return key


def mutable_rows(db: sqlite_utils.Database, kind: str) -> dict[Key, list[Any]]:
    """Every row of ``kind`` in ``db``: key -> content (lists, as JSON gives them back)."""
    sql, width = _MUTABLE_SQL[kind]
    return {
        tuple(_normal_key(kind, list(row[:width]))): list(row[width:]) for row in db.execute(sql)
    }


def base_rows(db: sqlite_utils.Database, kind: str) -> dict[Key, list[Any]]:
    """The rows of ``kind`` the copy ``db`` held when it was made."""
    return {
        tuple(json.loads(key)): json.loads(value)
        for key, value in db.execute("SELECT key, value FROM offline_base WHERE kind = ?", [kind])
    }


def applied_rows(db: sqlite_utils.Database, copy_uid: str, kind: str) -> dict[Key, Any]:
    """What earlier merges of copy ``copy_uid`` applied to ``db`` (None: a row removed)."""
    return {
        tuple(json.loads(key)): None if value is None else json.loads(value)
        for key, value in db.execute(
            "SELECT key, value FROM merged_row WHERE copy_uid = ? AND kind = ?", [copy_uid, kind]
        )
    }


@dataclass(frozen=True, slots=True)
class DecisionRow:
    id: int
    record_id: int
    stage: str
    reviewer: str  # name_key
    action: str
    decision: str | None
    reason: str | None  # label
    note: str
    undoes_id: int | None
    made_at: str

    def same(self, other: DecisionRow) -> bool:
        """Whether both are one row of history (the note aside, which is not unique)."""
        return (
            self.record_id,
            self.stage,
            self.reviewer,
            self.action,
            self.decision,
            self.made_at,
        ) == (
            other.record_id,
            other.stage,
            other.reviewer,
            other.action,
            other.decision,
            other.made_at,
        )


@dataclass(frozen=True, slots=True)
class NoteRow:
    id: int
    record_id: int
    reviewer: str  # name_key
    stage: str | None
    text: str
    created_at: str


def decision_rows(
    db: sqlite_utils.Database, ids: Iterable[int] | None = None
) -> dict[int, DecisionRow]:
    sql = (
        "SELECT d.id, d.record_id, d.stage, r.name_key, d.action, d.decision, x.label, d.note,"
        " d.undoes_id, d.made_at FROM decision d JOIN reviewer r ON r.id = d.reviewer_id"
        " LEFT JOIN exclusion_reason x ON x.id = d.reason_id"
    )
    args: list[Any] = []
    if ids is not None:
        sql += " WHERE d.id IN (SELECT value FROM json_each(?))"
        args.append(json.dumps(list(ids)))
    return {row[0]: DecisionRow(*row) for row in db.execute(sql + " ORDER BY d.id", args)}


def note_rows(db: sqlite_utils.Database, ids: Iterable[int] | None = None) -> dict[int, NoteRow]:
    sql = (
        "SELECT n.id, n.record_id, r.name_key, n.stage, n.text, n.created_at FROM record_note n"
        " JOIN reviewer r ON r.id = n.reviewer_id"
    )
    args: list[Any] = []
    if ids is not None:
        sql += " WHERE n.id IN (SELECT value FROM json_each(?))"
        args.append(json.dumps(list(ids)))
    return {row[0]: NoteRow(*row) for row in db.execute(sql + " ORDER BY n.id", args)}


def merged_ids(db: sqlite_utils.Database, copy_uid: str, kind: str) -> dict[int, int]:
    """Copy row id -> the review's row id, for the rows of ``kind`` merged from ``copy_uid``."""
    return {
        int(key): main_id
        for key, main_id in db.execute(
            "SELECT key, main_id FROM merged_row WHERE copy_uid = ? AND kind = ?", [copy_uid, kind]
        )
    }


def record_stamps(db: sqlite_utils.Database) -> dict[int, tuple[str, str]]:
    """Record id -> (created_at, source_key): what tells one file's record from another's."""
    return {
        row[0]: (row[1], row[2])
        for row in db.execute("SELECT id, created_at, source_key FROM record")
    }


def names(db: sqlite_utils.Database, table: str) -> set[str]:
    """The names of ``table``'s rows (study, outcome)."""
    return {row[0] for row in db.execute(f"SELECT name FROM {table}")}
