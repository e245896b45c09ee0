"""Reading records: counts, one record, lists for screening, full-text search, provenance."""

from __future__ import annotations

import json
import re

import sqlite_utils

from screener.errors import InvalidInputError
from screener.model import ExportedRecord, ListedRecord
from screener.records import Record
from screener.storage import cjk
from screener.storage.rows import row_to_record, scalar_int

_SOURCE_SQL = (
    "SELECT r.id, coalesce(s.database, i.database) AS database FROM record r"
    " LEFT JOIN search_run s ON s.id = r.search_run_id LEFT JOIN file_import i ON i.id = "
    "r.import_id"
)


def count_records(db: sqlite_utils.Database) -> int:
    return scalar_int(db, "SELECT count(*) FROM record")


def count_screened(db: sqlite_utils.Database) -> int:
    return scalar_int(db, "SELECT count(*) FROM screened_record")


def records_per_database(db: sqlite_utils.Database) -> dict[str, int]:
    rows = db.execute(
        f"SELECT database, count(*) FROM ({_SOURCE_SQL}) GROUP BY database ORDER BY database"
    )
    return dict(rows.fetchall())


def get_record(db: sqlite_utils.Database, record_id: int) -> Record:
    cursor = db.execute("SELECT * FROM record WHERE id = ?", [record_id])
    row = cursor.fetchone()
    if row is None:
        raise InvalidInputError(f"no record with id {record_id} in this review")
    names = [d[0] for d in cursor.description]
    return row_to_record(dict(zip(names, row, strict=True)))


def source_of(db: sqlite_utils.Database, record_id: int) -> list[str]:
    """The databases a record was found in: its own and those of its cluster's other members."""
    rows = db.execute(
        f"SELECT DISTINCT database FROM ({_SOURCE_SQL}) WHERE id IN ("
        " SELECT ? UNION SELECT m2.record_id FROM cluster_member m1"
        " JOIN cluster_member m2 ON m2.cluster_id = m1.cluster_id WHERE m1.record_id = ?)"
        " ORDER BY database",
        [record_id, record_id],
    )
    return [r[0] for r in rows]


def screened_ids(db: sqlite_utils.Database) -> list[int]:
    return [r[0] for r in db.execute("SELECT id FROM screened_record ORDER BY id")]


def list_records(
    db: sqlite_utils.Database, *, limit: int = 100, offset: int = 0
) -> list[ListedRecord]:
    """A page of the screened records (id, year, first author, title), in id order."""
    rows = db.execute(
        "SELECT id, year, authors_json, title FROM screened_record ORDER BY id LIMIT ? OFFSET ?",
        [limit, offset],
    )
    return [
        ListedRecord(record_id, year, _first_family(authors_json), title or "")
        for record_id, year, authors_json, title in rows
    ]


def _first_family(authors_json: str) -> str:
    authors = json.loads(authors_json)
    return str(authors[0][0]) if authors else ""


def fts_query(text: str) -> str:
    """Turn what a reviewer types into a safe FTS5 query: each word a prefix term, ANDed."""
    words = re.findall(r"\w+", text, flags=re.UNICODE)
    return " ".join(f'"{w}"*' for w in words)


def search_ids(db: sqlite_utils.Database, text: str, *, limit: int = 1000) -> list[int]:
    """Screened records matching every word of ``text``, best first.

    A word without CJK characters is a prefix term of ``record_fts``, as before. A word with
    them matches anywhere inside a title or abstract (Chinese has no spaces between words):
    three characters or more through the trigram index ``record_cjk``, one or two by LIKE over
    the records that index holds. Where the index is missing (an SQLite before 3.34 has no
    trigram tokenizer) every CJK word is a LIKE scan over all records: right, but slow on a
    large review.
    """
    words = re.findall(r"\w+", text, flags=re.UNICODE)
    cjk_words = [w for w in words if cjk.has_cjk(w)]
    if not cjk_words:
        query = fts_query(text)
        if not query:
            return []
        return [
            r[0]
            for r in db.execute(
                "SELECT rowid FROM record_fts WHERE record_fts MATCH ? AND rowid IN (SELECT id "
                "FROM screened_record)"
                " ORDER BY rank LIMIT ?",
                [query, limit],
            )
        ]
    latin = fts_query(" ".join(w for w in words if not cjk.has_cjk(w)))
    indexed = cjk.index_exists(db)
    long_words = [w for w in cjk_words if len(w) >= 3] if indexed else []
    scanned = [w for w in cjk_words if w not in long_words]
    # the statement is driven by an index that ranks (trigram, then unicode61) when there is one
    if long_words:
        source, ranked = f"{cjk.TABLE} AS f JOIN record AS r ON r.id = f.rowid", True
        where, params = [f"{cjk.TABLE} MATCH ?"], [" ".join(f'"{w}"' for w in long_words)]
    elif latin:
        source, ranked = "record_fts AS f JOIN record AS r ON r.id = f.rowid", True
        where, params = ["record_fts MATCH ?"], [latin]
        latin = ""
    else:
        source, ranked, where, params = "record AS r", False, [], []
    if latin:
        where.append("r.id IN (SELECT rowid FROM record_fts WHERE record_fts MATCH ?)")
        params.append(latin)
    if scanned and indexed:
        where.append(f"r.id IN (SELECT rowid FROM {cjk.TABLE})")
    for word in scanned:
        where.append("(r.title LIKE ? ESCAPE '\\' OR r.abstract LIKE ? ESCAPE '\\')")
        pattern = "%" + re.sub(r"([%_\\])", r"\\\1", word) + "%"
        params += [pattern, pattern]
    where.append("r.id IN (SELECT id FROM screened_record)")
    order = "f.rank" if ranked else "r.id"
    return [
        row[0]
        for row in db.execute(
            f"SELECT r.id FROM {source} WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?",
            [*params, limit],
        )
    ]


def export_rows(db: sqlite_utils.Database) -> list[ExportedRecord]:
    """Every record with its provenance, cluster and whether its full text was marked not
    retrievable, for export (without decisions: the façade adds those a reader may see)."""
    cursor = db.execute(
        "SELECT r.*, coalesce(s.database, i.database) AS source_database,"
        " coalesce(i.file_name, s.query_name) AS source_file, m.cluster_id AS cluster_id,"
        " CASE WHEN m.record_id IS NULL OR c.primary_record_id = r.id THEN 1 ELSE 0 END AS "
        "is_primary,"
        " ifnull(f.not_retrieved, 0) AS not_retrieved, ifnull(f.note, '') AS retrieval_note"
        " FROM record r LEFT JOIN search_run s ON s.id = r.search_run_id"
        " LEFT JOIN full_text f ON f.record_id = r.id"
        " LEFT JOIN file_import i ON i.id = r.import_id"
        " LEFT JOIN cluster_member m ON m.record_id = r.id LEFT JOIN cluster c ON c.id = "
        "m.cluster_id"
        " ORDER BY r.id"
    )
    names = [d[0] for d in cursor.description]
    exported = []
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        exported.append(
            ExportedRecord(
                id=row["id"],
                record=row_to_record(row),
                source_database=row["source_database"],
                source_file=row["source_file"],
                cluster_id=row["cluster_id"],
                is_primary=bool(row["is_primary"]),
                not_retrieved=bool(row["not_retrieved"]),
                retrieval_note=row["retrieval_note"],
            )
        )
    return exported
