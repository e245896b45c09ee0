"""Rows <-> domain objects for records, and small SQL helpers shared by the storage modules."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import sqlite_utils

from screener.records import Author, Record

RECORD_COLUMNS = (
    "source_key", "title", "abstract", "authors_json", "year", "journal", "journal_abbrev",
    "volume", "issue", "page_first", "page_last", "doi", "pmid", "pmcid", "issn", "language",
    "pub_types_json", "keywords_json", "mesh_json", "title_en", "abstract_en",
    "keywords_en_json", "url", "extra_json", "raw",
)


def insert(db: sqlite_utils.Database, table: str, row: Mapping[str, Any]) -> int:
    """INSERT one row (inside the caller's transaction); returns its rowid."""
    cols = list(row)
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
    return db.execute(sql, [row[c] for c in cols]).lastrowid


def record_to_row(record: Record) -> dict[str, Any]:
    return {
        "source_key": record.source_key,
        "title": record.title,
        "abstract": record.abstract,
        "authors_json": json.dumps([a.to_json() for a in record.authors], ensure_ascii=False),
        "year": record.year,
        "journal": record.journal,
        "journal_abbrev": record.journal_abbrev,
        "volume": record.volume,
        "issue": record.issue,
        "page_first": record.page_first,
        "page_last": record.page_last,
        "doi": record.doi,
        "pmid": record.pmid,
        "pmcid": record.pmcid,
        "issn": record.issn,
        "language": record.language,
        "pub_types_json": json.dumps(list(record.pub_types), ensure_ascii=False),
        "keywords_json": json.dumps(list(record.keywords), ensure_ascii=False),
        "mesh_json": json.dumps(list(record.mesh), ensure_ascii=False),
        "title_en": record.title_en,
        "abstract_en": record.abstract_en,
        "keywords_en_json": json.dumps(list(record.keywords_en), ensure_ascii=False),
        "url": record.url,
        "extra_json": json.dumps(record.extra, ensure_ascii=False),
        "raw": record.raw,
    }


def row_to_record(row: Mapping[str, Any]) -> Record:
    return Record(
        title=row["title"],
        abstract=row["abstract"],
        authors=tuple(Author.from_json(a) for a in json.loads(row["authors_json"])),
        year=row["year"],
        journal=row["journal"],
        journal_abbrev=row["journal_abbrev"],
        volume=row["volume"],
        issue=row["issue"],
        page_first=row["page_first"],
        page_last=row["page_last"],
        doi=row["doi"],
        pmid=row["pmid"],
        pmcid=row["pmcid"],
        issn=row["issn"],
        language=row["language"],
        pub_types=tuple(json.loads(row["pub_types_json"])),
        keywords=tuple(json.loads(row["keywords_json"])),
        mesh=tuple(json.loads(row["mesh_json"])),
        title_en=row["title_en"],
        abstract_en=row["abstract_en"],
        keywords_en=tuple(json.loads(row["keywords_en_json"])),
        url=row["url"],
        source_key=row["source_key"],
        raw=row["raw"],
        extra=json.loads(row["extra_json"]),
    )


def insert_records(
    db: sqlite_utils.Database,
    records: Iterable[tuple[int, Record]],
    *,
    search_run_id: int | None = None,
    import_id: int | None = None,
    created_at: str,
) -> int:
    """Insert (position, record) pairs for one run or import; returns how many were inserted."""
    cols = ("search_run_id", "import_id", "position", "created_at", *RECORD_COLUMNS)
    sql = f"INSERT INTO record ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
    count = 0

    def rows() -> Iterable[list[Any]]:
        nonlocal count
        for position, record in records:
            row = record_to_row(record)
            count += 1
            yield [search_run_id, import_id, position, created_at, *(row[c] for c in RECORD_COLUMNS)]

    db.conn.executemany(sql, rows())
    return count
