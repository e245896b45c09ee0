"""Generic CSV/TSV: columns mapped by their header names.

Recognised headers (case-insensitive, spaces/underscores ignored) include title, abstract,
authors, year, journal, volume, issue, pages, doi, pmid, pmcid, issn, keywords, language and an
``id``/``record_id`` column kept as the record's source key. Authors are split on ``;`` (or
`` and `` in tables written from BibTeX or R).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import TextIO

from screener.errors import ParseError
from screener.records import make_record
from screener.sources import Entry
from screener.sources._common import MAX_ENTRY, bad_entry, csv_table, csv_text

NAME = "csv"
LABEL = "CSV / TSV (columns by header)"

# normalised header -> Record field
_HEADERS: dict[str, str] = {
    "title": "title",
    "articletitle": "title",
    "primarytitle": "title",
    "ti": "title",
    "abstract": "abstract",
    "ab": "abstract",
    "abstractnote": "abstract",
    "authors": "authors",
    "author": "authors",
    "au": "authors",
    "authornames": "authors",
    "year": "year",
    "publicationyear": "year",
    "py": "year",
    "date": "year",
    "pubyear": "year",
    "journal": "journal",
    "sourcetitle": "journal",
    "journaltitle": "journal",
    "source": "journal",
    "publicationtitle": "journal",
    "so": "journal",
    "jo": "journal",
    "t2": "journal",
    "jf": "journal",
    "volume": "volume",
    "vl": "volume",
    "issue": "issue",
    "number": "issue",
    "is": "issue",
    "pages": "pages",
    "pagerange": "pages",
    "pg": "pages",
    "doi": "doi",
    "di": "doi",
    "do": "doi",
    "pmid": "pmid",
    "pubmedid": "pmid",
    "pmcid": "pmcid",
    "issn": "issn",
    "sn": "issn",
    "keywords": "keywords",
    "authorkeywords": "keywords",
    "de": "keywords",
    "language": "language",
    "la": "language",
    "url": "url",
    "id": "source_key",
    "recordid": "source_key",
    "key": "source_key",
}

_KNOWN = {"title", "abstract", "authors", "doi", "pmid", "year", "journal"}


def _norm(header: str) -> str:
    return re.sub(r"[\s_\-.]+", "", header.strip().lstrip("\ufeff").lower())


def _dialect(head: str) -> str:
    first = head.split("\n", 1)[0]
    return "\t" if first.count("\t") > first.count(",") else ","


def sniff(head: str) -> int:
    first = head.lstrip("\ufeff").split("\n", 1)[0]
    delim = _dialect(head)
    try:
        cols = next(csv.reader(io.StringIO(first), delimiter=delim))
    except (csv.Error, StopIteration):
        return 0
    mapped = {_HEADERS.get(_norm(c)) for c in cols} & _KNOWN
    if "title" in mapped and len(cols) >= 2:
        return 30 + 5 * len(mapped)
    return 0


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    first_line = stream.readline(MAX_ENTRY + 1)  # csv_table refuses a longer one
    stream.seek(0)
    delim = _dialect(first_line)
    header, rows = csv_table(stream, file_name, delimiter=delim)
    fields = [_HEADERS.get(_norm(h)) for h in header]
    if "title" not in fields:
        raise ParseError(file_name, "line 1", "expected a 'title' column in the header row")
    for position, start, row in rows:
        if len(row) != len(header):
            yield bad_entry(
                file_name,
                position,
                start,
                f"expected {len(header)} columns as in the header, found {len(row)}",
            )
            continue
        values: dict[str, object] = {}
        extra: dict[str, str] = {}
        for name, field, cell in zip(header, fields, row, strict=True):
            if field is None:
                if cell:
                    extra[name] = cell
            elif field == "authors":
                # ";" in most tables, " and " where the table came from BibTeX or R.
                values["authors"] = [
                    a for a in re.split(r";|\s\|\s|\n|\s+and\s+", cell) if a.strip()
                ]
            elif field == "keywords":
                values["keywords"] = [k for k in re.split(r"[;|]", cell) if k.strip()]
            elif cell and field not in values:
                values[field] = cell
        record = make_record(raw=csv_text(row, delim), extra=extra, **values)  # type: ignore[arg-type]
        yield Entry(position, start, record=record)
