"""Rows <-> domain objects for records, and small SQL helpers shared by the storage modules.

``record.raw`` (declared ``TEXT``) holds the source entry verbatim: as TEXT when it is shorter
than :data:`RAW_COMPRESS_BYTES`, else as a BLOB of its zlib-compressed UTF-8 (SQLite keeps a
``bytes`` value in a TEXT column as a BLOB, so the schema is unchanged). Whatever reads the
column from SQL turns the value back into text with :func:`raw_text`.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping, Sequence
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from screener.records import Author, Record

if TYPE_CHECKING:  # the parsing workers use record_values without loading sqlite-utils (and pandas)
    import sqlite_utils

RECORD_COLUMNS = (
    "source_key",
    "title",
    "abstract",
    "authors_json",
    "year",
    "journal",
    "journal_abbrev",
    "volume",
    "issue",
    "page_first",
    "page_last",
    "doi",
    "pmid",
    "pmcid",
    "issn",
    "language",
    "pub_types_json",
    "keywords_json",
    "mesh_json",
    "title_en",
    "abstract_en",
    "keywords_en_json",
    "url",
    "extra_json",
    "raw",
)

RAW_COMPRESS_BYTES = 6144
"""Raw entries this long or longer are stored zlib-compressed (level 1). A PubMed article's XML
(most are 6-45 KB) shrinks to a quarter or a third, which makes the review file and the bytes the
single writer puts through the WAL and the checkpoint that much smaller; the compressing is done
where the records are converted, in the parsing processes of a big import or search. Shorter
entries (most RIS, MEDLINE and CNKI ones) are left as text: a row of a few KB already shares a
16 KB page with others, and compressing them cost a 100,000-record RIS import 5 % of its speed
(with 2 KB as the limit), where the 6 KB limit made it 5 % faster than none."""


def insert(db: sqlite_utils.Database, table: str, row: Mapping[str, Any]) -> int:
    """INSERT one row (inside the caller's transaction); returns its rowid."""
    cols = list(row)
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
    return int(db.execute(sql, [row[c] for c in cols]).lastrowid)


def scalar_int(db: sqlite_utils.Database, sql: str, params: Sequence[Any] = ()) -> int:
    """The integer in the first column of the one row ``sql`` gives (a count, an id, a
    ``max`` with a default)."""
    return int(db.execute(sql, params).fetchone()[0])


# json.dumps(value, ensure_ascii=False) builds a new encoder on every call; one shared encoder
# and a string-list shortcut give the same text for a fraction of the cost (records are
# converted by the hundred thousand on a big import).
_encode = json.JSONEncoder(ensure_ascii=False).encode


def _json_strings(values: Iterable[Any]) -> str:
    """``json.dumps(list(values), ensure_ascii=False)``, quicker when all are strings."""
    if not values:
        return "[]"
    try:
        return "[" + ", ".join(map(encode_basestring, values)) + "]"
    except TypeError:  # not all strings
        return _encode(list(values))


def _json_authors(authors: tuple[Author, ...]) -> str:
    if not authors:
        return "[]"
    try:
        return (
            "["
            + ", ".join(
                f"[{encode_basestring(a.family)}, {encode_basestring(a.given)}, true]"
                if a.collective
                else f"[{encode_basestring(a.family)}, {encode_basestring(a.given)}]"
                for a in authors
            )
            + "]"
        )
    except TypeError:  # a name that is not a string: let the encoder say what it makes of it
        return _encode([a.to_json() for a in authors])


def _json_extra(extra: dict[str, Any]) -> str:
    if not extra:
        return "{}"
    try:
        return (
            "{"
            + ", ".join(
                encode_basestring(k) + ": " + encode_basestring(v) for k, v in extra.items()
            )
            + "}"
        )
    except TypeError:  # values other than strings
        return _encode(extra)


def record_values(record: Record) -> tuple[Any, ...]:
    """The values of :data:`RECORD_COLUMNS` for ``record``, in that order.

    ``raw`` is given as zlib-compressed UTF-8 ``bytes`` when it has at least
    :data:`RAW_COMPRESS_BYTES` characters, else as the ``str`` itself. The length is that of the
    ``str`` (one check, no encoding of short entries): a character is 1-4 UTF-8 bytes, so every
    compressed entry is at least that many bytes, and a mostly non-ASCII entry of 1,536-6,143
    characters may stay TEXT although its UTF-8 is 6 KB or more.
    """
    raw = record.raw
    return (
        record.source_key,
        record.title,
        record.abstract,
        _json_authors(record.authors),
        record.year,
        record.journal,
        record.journal_abbrev,
        record.volume,
        record.issue,
        record.page_first,
        record.page_last,
        record.doi,
        record.pmid,
        record.pmcid,
        record.issn,
        record.language,
        _json_strings(record.pub_types),
        _json_strings(record.keywords),
        _json_strings(record.mesh),
        record.title_en,
        record.abstract_en,
        _json_strings(record.keywords_en),
        record.url,
        _json_extra(record.extra),
        zlib.compress(raw.encode("utf-8"), 1) if len(raw) >= RAW_COMPRESS_BYTES else raw,
    )


def raw_text(value: str | bytes) -> str:
    """The text of a stored ``record.raw`` value: a ``str`` as it is, ``bytes`` decompressed.

    Parameters
    ----------
    value
        The column's value as SQLite gives it: TEXT (``str``) or a compressed BLOB (``bytes``),
        see :func:`record_values`.
    """
    if isinstance(value, bytes):
        return zlib.decompress(value).decode("utf-8")
    return value


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
        raw=raw_text(row["raw"]),
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
    return insert_record_values(
        db,
        ((position, record_values(record)) for position, record in records),
        search_run_id=search_run_id,
        import_id=import_id,
        created_at=created_at,
    )


def insert_record_values(
    db: sqlite_utils.Database,
    rows: Iterable[tuple[int, tuple[Any, ...]]],
    *,
    search_run_id: int | None = None,
    import_id: int | None = None,
    created_at: str,
) -> int:
    """Insert (position, :func:`record_values`) pairs; returns how many were inserted.

    For records converted elsewhere (in the processes that parse a big import).
    """
    cols = ("search_run_id", "import_id", "position", "created_at", *RECORD_COLUMNS)
    sql = f"INSERT INTO record ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
    count = 0

    def values() -> Iterable[tuple[Any, ...]]:
        nonlocal count
        for position, row in rows:
            count += 1
            yield (search_run_id, import_id, position, created_at, *row)

    db.conn.executemany(sql, values())
    return count
