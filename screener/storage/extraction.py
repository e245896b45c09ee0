"""Extraction and risk of bias in the review file: forms, outcomes, studies, values, judgements.

Values are kept per extractor (role ``extractor``) and as agreed (role ``consensus``, reviewer =
who agreed it); the table's unique key makes a second save of the same field an update.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from screener.errors import InvalidInputError
from screener.extraction.forms import (
    Form,
    OutcomeSpec,
    outcome_from_json,
    outcome_to_json,
    parse_form,
)
from screener.extraction.rob import RobJudgement
from screener.extraction.values import ExtractionValue, Study, ValueKey
from screener.model import label_text
from screener.storage.db import now
from screener.storage.review import get_setting, put_setting
from screener.storage.rows import insert

_FORM_SETTING = "extraction_form_id"


# --- forms and outcomes ------------------------------------------------------------------------


def save_form(db: sqlite_utils.Database, form: Form) -> int:
    """Store ``form`` (a new version when its text changed) and make it the review's form."""
    same = db.execute(
        "SELECT id FROM extraction_form WHERE name = ? AND source = ? ORDER BY id DESC",
        [form.name, form.source],
    ).fetchone()
    if same:
        form_id = int(same[0])
    else:
        latest = db.execute(
            "SELECT max(version) FROM extraction_form WHERE name = ?", [form.name]
        ).fetchone()[0]
        version = max(form.version, (latest or 0) + 1) if latest else form.version
        form_id = insert(
            db,
            "extraction_form",
            {"name": form.name, "version": version, "source": form.source, "created_at": now()},
        )
        for position, spec in enumerate((*form.study_fields, *form.outcome_fields)):
            insert(
                db,
                "form_field",
                {
                    "form_id": form_id,
                    "key": spec.key,
                    "label": spec.label,
                    "kind": spec.kind,
                    "level": spec.level,
                    "spec_json": json.dumps(spec.spec_json(), ensure_ascii=False),
                    "position": position,
                },
            )
    for outcome in form.outcomes:
        save_outcome(db, outcome)
    put_setting(db, _FORM_SETTING, form_id)
    return form_id


def current_form(db: sqlite_utils.Database) -> Form | None:
    form_id = get_setting(db, _FORM_SETTING)
    if form_id is None:
        return None
    row = db.execute(
        "SELECT name, version, source FROM extraction_form WHERE id = ?", [form_id]
    ).fetchone()
    if row is None:
        return None
    form = parse_form(row[2], file_name=f"form {row[0]!r}")
    return Form(
        name=form.name,
        version=row[1],
        study_fields=form.study_fields,
        outcome_fields=form.outcome_fields,
        outcomes=form.outcomes,
        description=form.description,
        source=form.source,
    )


def save_outcome(db: sqlite_utils.Database, outcome: OutcomeSpec) -> int:
    """Insert or update an outcome by name; its data type cannot change once it has values."""
    spec = json.dumps(outcome_to_json(outcome), ensure_ascii=False)
    row = db.execute("SELECT id, data_type FROM outcome WHERE name = ?", [outcome.name]).fetchone()
    if row is None:
        return insert(
            db,
            "outcome",
            {
                "name": outcome.name,
                "data_type": outcome.data_type,
                "unit": outcome.unit,
                "spec_json": spec,
            },
        )
    outcome_id, data_type = int(row[0]), row[1]
    if data_type != outcome.data_type:
        used = db.execute(
            "SELECT 1 FROM extraction_value WHERE outcome_id = ? LIMIT 1", [outcome_id]
        ).fetchone()
        if used:
            raise InvalidInputError(
                f"outcome {outcome.name!r} already holds {data_type} data; it cannot "
                f"become {outcome.data_type} (give the new outcome another name)"
            )
    db.execute(
        "UPDATE outcome SET data_type = ?, unit = ?, spec_json = ? WHERE id = ?",
        [outcome.data_type, outcome.unit, spec, outcome_id],
    )
    return outcome_id


def outcomes(db: sqlite_utils.Database) -> dict[str, OutcomeSpec]:
    rows = db.execute("SELECT name, data_type, unit, spec_json FROM outcome ORDER BY id")
    return {
        name: outcome_from_json(name, kind, unit, json.loads(spec))
        for name, kind, unit, spec in rows
    }


def outcome_id(db: sqlite_utils.Database, name: str) -> int:
    row = db.execute("SELECT id FROM outcome WHERE name = ?", [name]).fetchone()
    if row is None:
        known = [r[0] for r in db.execute("SELECT name FROM outcome ORDER BY id")]
        raise InvalidInputError(
            f"no outcome named {name!r}; the review's outcomes: {', '.join(known) or 'none'}"
        )
    return int(row[0])


# --- studies -----------------------------------------------------------------------------------


def create_study(db: sqlite_utils.Database, name: str, note: str = "") -> int:
    if not " ".join((name or "").split()):
        raise InvalidInputError("a study needs a name (e.g. 'Zhang 2021')")
    name = label_text(name, "a study name")
    if find_study(db, name) is not None:
        raise InvalidInputError(f"a study named {name!r} exists already")
    return insert(db, "study", {"name": name, "note": note, "created_at": now()})


def find_study(db: sqlite_utils.Database, name: str) -> int | None:
    row = db.execute("SELECT id FROM study WHERE name = ?", [" ".join(name.split())]).fetchone()
    return row[0] if row else None


def study_id(db: sqlite_utils.Database, name: str) -> int:
    found = find_study(db, name)
    if found is None:
        raise InvalidInputError(f"no study named {name!r} in this review")
    return found


def link_problem(db: sqlite_utils.Database, study: int | None, record_id: int) -> str:
    """Why ``record_id`` cannot become a report of ``study`` (None: a study not created yet),
    or '' when it can (or already is one)."""
    if db.execute("SELECT 1 FROM record WHERE id = ?", [record_id]).fetchone() is None:
        return f"no record with id {record_id} in this review"
    row = db.execute(
        "SELECT s.id, s.name FROM study_report r JOIN study s ON s.id = r.study_id "
        "WHERE r.record_id = ?",
        [record_id],
    ).fetchone()
    if row and row[0] != study:
        return f"record {record_id} is already a report of study {row[1]!r}"
    return ""


def link_report(db: sqlite_utils.Database, study: int, record_id: int) -> bool:
    """Record ``record_id`` as a report of ``study`` (a record belongs to one study); False
    when it was one already."""
    problem = link_problem(db, study, record_id)
    if problem:
        raise InvalidInputError(problem)
    if db.execute("SELECT 1 FROM study_report WHERE record_id = ?", [record_id]).fetchone():
        return False
    insert(db, "study_report", {"study_id": study, "record_id": record_id})
    return True


def unlink_report(db: sqlite_utils.Database, study: int, record_id: int) -> None:
    """Remove ``record_id`` from the reports of ``study``."""
    cursor = db.execute(
        "DELETE FROM study_report WHERE study_id = ? AND record_id = ?", [study, record_id]
    )
    if cursor.rowcount == 0:
        name = db.execute("SELECT name FROM study WHERE id = ?", [study]).fetchone()[0]
        raise InvalidInputError(f"record {record_id} is not a report of study {name!r}")


def list_studies(db: sqlite_utils.Database) -> list[Study]:
    reports: dict[int, list[int]] = {}
    for sid, rid in db.execute("SELECT study_id, record_id FROM study_report ORDER BY record_id"):
        reports.setdefault(sid, []).append(rid)
    return [
        Study(sid, name, note, tuple(reports.get(sid, ())))
        for sid, name, note in db.execute("SELECT id, name, note FROM study ORDER BY id")
    ]


# --- values ------------------------------------------------------------------------------------

_KEY_SQL = (
    "study_id = ? AND ifnull(outcome_id, 0) = ? AND timepoint = ? AND subgroup = ? "
    "AND field = ? AND reviewer_id = ? AND role = ?"
)


def put_value(
    db: sqlite_utils.Database,
    *,
    study: int,
    outcome: int | None,
    timepoint: str,
    subgroup: str,
    field: str,
    reviewer: int,
    role: str,
    value: str,
    method: str = "",
    details: dict[str, Any] | None = None,
    imputed: bool = False,
    note: str = "",
) -> None:
    """Save one value (an update if this reviewer and role saved this field before)."""
    key = [study, outcome or 0, timepoint, subgroup, field, reviewer, role]
    cells = [
        value,
        method,
        json.dumps(details or {}, ensure_ascii=False),
        int(imputed),
        note,
        now(),
    ]
    found = db.execute(f"SELECT id FROM extraction_value WHERE {_KEY_SQL}", key).fetchone()
    if found:
        db.execute(
            "UPDATE extraction_value SET value = ?, method = ?, method_json = ?, imputed = ?, "
            "note = ?, entered_at = ? WHERE id = ?",
            [*cells, found[0]],
        )
    else:
        db.execute(
            "INSERT INTO extraction_value (value, method, method_json, imputed, note, entered_at,"
            " study_id, outcome_id, timepoint, subgroup, field, reviewer_id, role)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*cells, *key[:1], outcome, *key[2:]],
        )


def delete_value(
    db: sqlite_utils.Database,
    *,
    study: int,
    outcome: int | None,
    timepoint: str,
    subgroup: str,
    field: str,
    reviewer: int,
    role: str,
) -> None:
    db.execute(
        f"DELETE FROM extraction_value WHERE {_KEY_SQL}",
        [study, outcome or 0, timepoint, subgroup, field, reviewer, role],
    )


def load_values(
    db: sqlite_utils.Database, *, study: int | None = None, reviewer: str | None = None
) -> list[ExtractionValue]:
    sql = (
        "SELECT s.name, coalesce(o.name, ''), v.timepoint, v.subgroup, v.field, v.value, r.name,"
        " v.role, v.method, v.method_json, v.imputed, v.note, v.entered_at"
        " FROM extraction_value v JOIN study s ON s.id = v.study_id"
        " JOIN reviewer r ON r.id = v.reviewer_id LEFT JOIN outcome o ON o.id = v.outcome_id"
    )
    where: list[str] = []
    args: list[Any] = []
    if study is not None:
        where.append("v.study_id = ?")
        args.append(study)
    if reviewer is not None:
        where.append("r.name = ?")
        args.append(reviewer)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY s.id, o.id, v.timepoint, v.subgroup, v.id"
    return [
        ExtractionValue(
            ValueKey(sname, oname, tp, sg, fld),
            value,
            who,
            role,
            method,
            json.loads(details),
            bool(imputed),
            note,
            at,
        )
        for (
            sname,
            oname,
            tp,
            sg,
            fld,
            value,
            who,
            role,
            method,
            details,
            imputed,
            note,
            at,
        ) in db.execute(sql, args)
    ]


# --- risk of bias --------------------------------------------------------------------------------


def put_judgement(
    db: sqlite_utils.Database,
    *,
    study: int,
    tool: str,
    outcome: int | None,
    domain: str,
    judgement: str,
    support: str,
    reviewer: int,
    role: str,
) -> None:
    key = [study, tool, outcome or 0, domain, reviewer, role]
    where = (
        "study_id = ? AND tool = ? AND ifnull(outcome_id, 0) = ? AND domain = ? "
        "AND reviewer_id = ? AND role = ?"
    )
    found = db.execute(f"SELECT id FROM rob_judgement WHERE {where}", key).fetchone()
    if found:
        db.execute(
            "UPDATE rob_judgement SET judgement = ?, support = ?, made_at = ? WHERE id = ?",
            [judgement, support, now(), found[0]],
        )
    else:
        insert(
            db,
            "rob_judgement",
            {
                "study_id": study,
                "tool": tool,
                "outcome_id": outcome,
                "domain": domain,
                "judgement": judgement,
                "support": support,
                "reviewer_id": reviewer,
                "role": role,
                "made_at": now(),
            },
        )


def delete_judgement(
    db: sqlite_utils.Database,
    *,
    study: int,
    tool: str,
    outcome: int | None,
    domain: str,
    reviewer: int,
    role: str,
) -> None:
    """Remove one reviewer's judgement of one domain (a domain cleared on screen)."""
    db.execute(
        "DELETE FROM rob_judgement WHERE study_id = ? AND tool = ? AND ifnull(outcome_id, 0) = ?"
        " AND domain = ? AND reviewer_id = ? AND role = ?",
        [study, tool, outcome or 0, domain, reviewer, role],
    )


def load_judgements(db: sqlite_utils.Database, tool: str | None = None) -> list[RobJudgement]:
    sql = (
        "SELECT s.name, j.tool, j.domain, j.judgement, r.name, j.role, j.support,"
        " coalesce(o.name, ''), j.made_at FROM rob_judgement j JOIN study s ON s.id = j.study_id"
        " JOIN reviewer r ON r.id = j.reviewer_id LEFT JOIN outcome o ON o.id = j.outcome_id"
    )
    args: list[Any] = []
    if tool:
        sql += " WHERE j.tool = ?"
        args.append(tool)
    return [RobJudgement(*row) for row in db.execute(sql + " ORDER BY s.id, j.id", args)]
