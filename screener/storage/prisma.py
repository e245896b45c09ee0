"""SQL for PRISMA counts, the report and the exports: reads the tables, returns plain values.

Everything is read straight from the schema (search_run, file_import, record, cluster,
cluster_member, current_decision, resolution, full_text, study_report, prisma_count ...), so the
counts do not depend on other stages' façade methods. A cluster is one report: every record is
mapped to its cluster's primary record (its *unit*) before decisions are gathered.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import sqlite_utils

from screener.errors import InvalidInputError
from screener.model import SearchLogEntry
from screener.prisma.counts import (
    DBR_METHODS,
    MANUAL_KEYS,
    PrismaInputs,
    SearchEntry,
    Unit,
)
from screener.prisma.decisions import Vote
from screener.prisma.identification import count_entries, file_key, strategy_key
from screener.storage.analysis import kept_analyses

__all__ = [
    "analysis_rows",
    "decision_rows",
    "load_inputs",
    "prisma_count_rows",
    "retrieval_rows",
    "rob_rows",
    "screened_rows",
    "search_entries",
    "search_log",
    "set_prisma_count",
    "study_rows",
    "unit_of_records",
]

_UNIT_SQL = (
    "SELECT r.id, coalesce(c.primary_record_id, r.id), coalesce(i.method, 'database')"
    " FROM record r LEFT JOIN cluster_member m ON m.record_id = r.id"
    " LEFT JOIN cluster c ON c.id = m.cluster_id LEFT JOIN file_import i ON i.id = r.import_id"
)


def _dicts(
    db: sqlite_utils.Database, sql: str, args: list[Any] | None = None
) -> list[dict[str, Any]]:
    cursor = db.execute(sql, args or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def unit_of_records(db: sqlite_utils.Database) -> tuple[dict[int, int], dict[int, bool]]:
    """record id -> its unit (screened record) id, and unit id -> found only by other methods."""
    screened = {r[0] for r in db.execute("SELECT id FROM screened_record")}
    unit_of: dict[int, int] = {}
    dbr: dict[int, bool] = {}
    for record_id, unit, method in db.execute(_UNIT_SQL):
        if unit not in screened:  # a cluster whose primary is not screened: count the record
            unit = record_id if record_id in screened else unit
        unit_of[record_id] = unit
        dbr[unit] = dbr.get(unit, False) or method in DBR_METHODS
    return unit_of, {u: not dbr.get(u, True) for u in screened}


def search_entries(db: sqlite_utils.Database) -> list[SearchEntry]:
    """Every search run and import with what identification needs: strategy, counts, PMIDs."""
    pmids: dict[int, set[str]] = defaultdict(set)
    for run_id, pmid in db.execute("SELECT search_run_id, pmid FROM search_run_pmid"):
        pmids[run_id].add(pmid)
    stored = {
        (kind, owner): n
        for kind, owner, n in db.execute(
            "SELECT 'search', search_run_id, count(*) FROM record WHERE search_run_id IS NOT "
            "NULL GROUP BY 2"
            " UNION ALL SELECT 'import', import_id, count(*) FROM record WHERE import_id IS NOT "
            "NULL"
            " GROUP BY 2"
        )
    }
    entries = [
        SearchEntry(
            "search",
            run_id,
            database,
            "database",
            strategy_key(database, text),
            fetched,
            stored.get(("search", run_id), 0),
            frozenset(pmids.get(run_id, ())),
        )
        for run_id, database, text, fetched in db.execute(
            "SELECT id, database, query_text, count_fetched FROM search_run ORDER BY id"
        )
    ]
    entries += [
        SearchEntry(
            "import",
            import_id,
            database,
            method,
            file_key(sha256),
            imported,
            stored.get(("import", import_id), 0),
        )
        for import_id, database, method, sha256, imported in db.execute(
            "SELECT id, database, method, sha256, count_imported FROM file_import ORDER BY id"
        )
    ]
    return entries


Units = tuple[dict[int, int], dict[int, bool]]


def load_inputs(db: sqlite_utils.Database, units: Units | None = None) -> PrismaInputs:
    """Everything :func:`screener.prisma.counts.compute_counts` needs, in a few queries
    (``units``: :func:`unit_of_records`, when the caller has it already)."""
    unit_of, other_only = units or unit_of_records(db)
    # in decision order, so a reviewer's latest decision across a cluster's records wins
    votes: dict[tuple[int, str], dict[str, Vote]] = defaultdict(dict)
    for record_id, stage, reviewer, choice, reason in db.execute(
        "SELECT c.record_id, c.stage, r.name, c.decision, ifnull(x.label, '')"
        " FROM current_decision c JOIN reviewer r ON r.id = c.reviewer_id"
        " LEFT JOIN exclusion_reason x ON x.id = c.reason_id ORDER BY c.decision_id"
    ):
        votes[(unit_of[record_id], stage)][reviewer] = Vote(reviewer, choice, reason)
    resolutions: dict[tuple[int, str], tuple[str, str]] = {}
    for record_id, stage, choice, reason in db.execute(
        "SELECT s.record_id, s.stage, s.decision, ifnull(x.label, '') FROM resolution s"
        " LEFT JOIN exclusion_reason x ON x.id = s.reason_id"
        " WHERE s.id NOT IN (SELECT resolution_id FROM resolution_undo) ORDER BY s.id"
    ):
        resolutions[(unit_of[record_id], stage)] = (choice, reason)
    missing: set[int] = set()
    found: set[int] = set()
    for record_id, not_retrieved, path in db.execute(
        "SELECT record_id, not_retrieved, path FROM full_text"
    ):
        (missing if not_retrieved else found if path else set()).add(unit_of[record_id])
    studies: dict[int, set[int]] = defaultdict(set)
    for record_id, study_id in db.execute("SELECT record_id, study_id FROM study_report"):
        studies[unit_of[record_id]].add(study_id)

    stopped = {
        unit_of[r]
        for (r,) in db.execute(
            "SELECT m.record_id FROM stopped_record m JOIN screening_stop s ON s.id = m.stop_id"
            " WHERE s.stage = 'title_abstract' AND s.undone_at IS NULL"
        )
    }
    rule = db.execute(
        "SELECT recall_target, confidence, p_value FROM screening_stop"
        " WHERE stage = 'title_abstract' AND undone_at IS NULL"
        " ORDER BY id DESC LIMIT 1"
    ).fetchone()
    empty: dict[str, Vote] = {}

    def unit(uid: int) -> Unit:
        return Unit(
            uid,
            other_only[uid],
            tuple(votes.get((uid, "title_abstract"), empty).values()),
            resolutions.get((uid, "title_abstract")),
            tuple(votes.get((uid, "full_text"), empty).values()),
            resolutions.get((uid, "full_text")),
            uid in missing and uid not in found,
            tuple(sorted(studies[uid])) if uid in studies else (),
            uid in stopped,
        )

    review = db.execute(
        "SELECT reviewers_title_abstract, reviewers_full_text, maybe_counts_as"
        " FROM review WHERE id = 1"
    ).fetchone()
    order: dict[str, int] = {}
    for rank, (label,) in enumerate(
        db.execute("SELECT label FROM exclusion_reason ORDER BY position, id")
    ):
        order.setdefault(label, rank)
    return PrismaInputs(
        entries=tuple(search_entries(db)),
        units=tuple(unit(u) for u in sorted(other_only)),
        reviewers_title_abstract=review[0],
        reviewers_full_text=review[1],
        maybe_counts_as=review[2],
        reason_order=order,
        manual=dict(db.execute("SELECT key, value FROM prisma_count").fetchall()),
        studies_defined=db.execute("SELECT EXISTS (SELECT 1 FROM study)").fetchone()[0] == 1,
        studies=dict(db.execute("SELECT id, name FROM study ORDER BY id").fetchall()),
        stop_rule=tuple(rule) if rule else None,
    )


def set_prisma_count(
    db: sqlite_utils.Database, key: str, value: int | None, note: str = ""
) -> None:
    """Store (or with ``value`` None, remove) a manual PRISMA count."""
    key = key.strip()
    if key not in MANUAL_KEYS and not (key.startswith("identified:") and key[11:].strip()):
        raise InvalidInputError(
            f"unknown PRISMA count {key!r}; known: {', '.join(MANUAL_KEYS)}, identified:<source>"
        )
    if value is None:
        db.execute("DELETE FROM prisma_count WHERE key = ?", [key])
        return
    if value < 0:
        raise InvalidInputError(f"a PRISMA count cannot be negative ({key} = {value})")
    db.execute(
        "INSERT INTO prisma_count (key, value, note) VALUES (?, ?, ?) ON CONFLICT (key)"
        " DO UPDATE SET value = excluded.value, note = excluded.note",
        [key, value, note],
    )


def prisma_count_rows(db: sqlite_utils.Database) -> list[tuple[str, int, str]]:
    rows: list[tuple[str, int, str]] = db.execute(
        "SELECT key, value, note FROM prisma_count ORDER BY key"
    ).fetchall()
    return rows


def search_log(db: sqlite_utils.Database) -> list[SearchLogEntry]:
    """Search runs and imports, oldest first, with what PRISMA-S asks to report."""
    rows = _dicts(
        db,
        (
            "SELECT 'search' AS kind, id, database, 'database' AS method, query_name, query_text,"
            " coalesce(finished_at, started_at) AS date, date_from, date_to, count_reported,"
            " count_fetched AS count, count_new, status, '' AS file_name, 1 AS date_is_search,"
            " started_at AS at, coalesce(finished_at, '') AS finished_at, message FROM search_run"
            " UNION ALL SELECT 'import', id, database, method, query_name, query_text,"
            " CASE WHEN date_searched <> '' THEN date_searched ELSE imported_at END, NULL, NULL,"
            " count_reported, count_imported, count_imported, 'complete', file_name,"
            " date_searched <> '', imported_at, imported_at, ''"
            " FROM file_import ORDER BY at, kind DESC, id"
        ),
    )
    counted = count_entries(search_entries(db))
    entries = []
    for row in rows:
        count = counted[(row["kind"], row["id"])]
        entries.append(
            SearchLogEntry(
                kind=row["kind"],
                id=row["id"],
                database=row["database"],
                method=row["method"],
                query_name=row["query_name"],
                query_text=row["query_text"],
                date=row["date"],
                date_is_search=bool(row["date_is_search"]),
                date_from=row["date_from"],
                date_to=row["date_to"],
                count_reported=row["count_reported"],
                count=row["count"],
                count_new=row["count_new"],
                status=row["status"],
                file_name=row["file_name"],
                at=row["at"],
                finished_at=row["finished_at"],
                message=row["message"],
                identified=count.identified,
                earlier=count.earlier,
                legacy=count.legacy,
            )
        )
    return entries


_BIB = (
    "id, title, abstract, authors_json, year, journal, journal_abbrev, volume, issue, page_first,"
    " page_last, doi, pmid, issn, language, keywords_json, url"
)


def screened_rows(db: sqlite_utils.Database, units: Units | None = None) -> list[dict[str, Any]]:
    """Screened records with their bibliographic fields and every database they were found in."""
    rows = _dicts(db, f"SELECT {_BIB} FROM screened_record ORDER BY id")
    unit_of, _ = units or unit_of_records(db)
    found_in: dict[int, set[str]] = defaultdict(set)
    for record_id, database in db.execute(
        "SELECT r.id, coalesce(s.database, i.database) FROM record r"
        " LEFT JOIN search_run s ON s.id = r.search_run_id LEFT JOIN file_import i ON i.id = "
        "r.import_id"
    ):
        found_in[unit_of[record_id]].add(database)
    for row in rows:
        row["databases"] = sorted(found_in.get(row["id"], ()))
        row["authors"] = [
            a[0] + (f", {a[1]}" if len(a) > 1 and a[1] else "")
            for a in json.loads(row["authors_json"])
        ]
        row["keywords"] = json.loads(row["keywords_json"])
    return rows


def decision_rows(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Live decisions and live resolutions (one per unit and stage: not undone, not replaced),
    one row each, by record, stage and order made."""
    return _dicts(
        db,
        (
            "SELECT d.record_id, d.stage, 'reviewer' AS role, r.name AS reviewer, d.decision,"
            " ifnull(x.label, '') AS reason, d.note, d.made_at FROM current_decision c"
            " JOIN decision d ON d.id = c.decision_id JOIN reviewer r ON r.id = c.reviewer_id"
            " LEFT JOIN exclusion_reason x ON x.id = d.reason_id"
            " UNION ALL SELECT s.record_id, s.stage, 'resolution:' || s.method, r.name, s.decision,"
            " ifnull(x.label, ''), s.note, s.resolved_at FROM unit_resolution u"
            " JOIN resolution s ON s.id = u.resolution_id"
            " JOIN reviewer r ON r.id = s.reviewer_id LEFT JOIN exclusion_reason x ON x.id = "
            "s.reason_id"
            " ORDER BY 1, 2 DESC, 8"
        ),
    )


def retrieval_rows(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Full texts marked not retrievable, shaped as :func:`decision_rows` (role "retrieval",
    decision "not retrieved", stage full_text), so the exports can say why a record has no
    full-text decision."""
    return _dicts(
        db,
        (
            "SELECT f.record_id, 'full_text' AS stage, 'retrieval' AS role, ifnull(r.name, '') AS"
            " reviewer, 'not retrieved' AS decision, '' AS reason, f.note, f.updated_at AS made_at"
            " FROM full_text f LEFT JOIN reviewer r ON r.id = f.reviewer_id WHERE "
            "f.not_retrieved = 1"
            " ORDER BY f.record_id"
        ),
    )


def study_rows(db: sqlite_utils.Database) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(studies with their record ids, study-level extraction values with field labels)."""
    studies = _dicts(db, "SELECT id, name, note FROM study ORDER BY name")
    links, labels = defaultdict(list), defaultdict(list)
    for study_id, record_id, authors_json, year in db.execute(
        "SELECT l.study_id, l.record_id, r.authors_json, r.year FROM study_report l"
        " JOIN record r ON r.id = l.record_id ORDER BY l.record_id"
    ):
        authors = json.loads(authors_json)
        links[study_id].append(record_id)
        labels[study_id].append(
            " ".join(str(x) for x in (authors[0][0] if authors else "", year or "") if x)
            + f" (#{record_id})"
        )
    for study in studies:
        study["record_ids"] = links.get(study["id"], [])
        study["reports"] = labels.get(study["id"], [])
    values = _dicts(
        db,
        (
            "SELECT v.study_id, v.field, v.value, v.role, r.name AS reviewer,"
            " (SELECT f.label FROM form_field f WHERE f.key = v.field AND f.level = 'study'"
            "  ORDER BY f.form_id DESC LIMIT 1) AS label,"
            " (SELECT f.position FROM form_field f WHERE f.key = v.field AND f.level = 'study'"
            "  ORDER BY f.form_id DESC LIMIT 1) AS position"
            " FROM extraction_value v JOIN reviewer r ON r.id = v.reviewer_id"
            " WHERE v.outcome_id IS NULL ORDER BY v.study_id, v.field, v.role DESC, v.id"
        ),
    )
    return studies, values


def rob_rows(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Risk-of-bias judgements with study and outcome names."""
    return _dicts(
        db,
        (
            "SELECT j.study_id, s.name AS study, j.tool, ifnull(o.name, '') AS outcome, j.domain,"
            " j.judgement, j.support, j.role, r.name AS reviewer FROM rob_judgement j"
            " JOIN study s ON s.id = j.study_id JOIN reviewer r ON r.id = j.reviewer_id"
            " LEFT JOIN outcome o ON o.id = j.outcome_id ORDER BY j.tool, s.name, j.id"
        ),
    )


def analysis_rows(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Saved analyses with their settings and results decoded: the kept analyses
    (:func:`screener.storage.analysis.kept_analyses`)."""
    return kept_analyses(db)
