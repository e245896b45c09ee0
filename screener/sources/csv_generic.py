"""Generic CSV/TSV: columns mapped by their header names.

Recognised headers (case-insensitive, spaces/underscores ignored) include title, abstract,
authors, year, journal, volume, issue, pages, doi, pmid, pmcid, issn, keywords, language and an
``id``/``record_id`` column kept as the record's source key. Authors are split on ``;``.
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

NAME = "csv"
LABEL = "CSV / TSV (columns by header)"

# normalised header -> Record field
_HEADERS: dict[str, str] = {
    "title": "title", "articletitle": "title", "primarytitle": "title", "ti": "title",
    "abstract": "abstract", "ab": "abstract", "abstractnote": "abstract",
    "authors": "authors", "author": "authors", "au": "authors", "authornames": "authors",
    "year": "year", "publicationyear": "year", "py": "year", "date": "year", "pubyear": "year",
    "journal": "journal", "sourcetitle": "journal", "journaltitle": "journal", "source": "journal",
    "publicationtitle": "journal", "so": "journal",
    "volume": "volume", "vl": "volume", "issue": "issue", "number": "issue", "is": "issue",
    "pages": "pages", "pagerange": "pages", "pg": "pages",
    "doi": "doi", "di": "doi", "pmid": "pmid", "pubmedid": "pmid", "pmcid": "pmcid",
    "issn": "issn", "sn": "issn", "keywords": "keywords", "authorkeywords": "keywords",
    "de": "keywords", "language": "language", "la": "language", "url": "url",
    "id": "source_key", "recordid": "source_key", "key": "source_key",
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
    head = stream.readline()
    if not head.strip():
        raise ParseError(file_name, "line 1", "expected a header row naming the columns")
    delim = _dialect(head)
    header = next(csv.reader(io.StringIO(head), delimiter=delim))
    fields = [_HEADERS.get(_norm(h)) for h in header]
    if "title" not in fields:
        raise ParseError(file_name, "line 1", "expected a 'title' column in the header row")
    reader = csv.reader(stream, delimiter=delim, strict=True)
    position = 0
    line = 2
    while True:
        start = line
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ParseError(file_name, f"line {reader.line_num + 1}", f"bad CSV quoting ({exc})") from None
        line = reader.line_num + 2
        if not any(cell.strip() for cell in row):
            continue
        position += 1
        if len(row) != len(header):
            yield Entry(position, start, error=ParseError(
                file_name, f"line {start}",
                f"expected {len(header)} columns as in the header, found {len(row)}"))
            continue
        values: dict[str, object] = {}
        extra: dict[str, str] = {}
        for name, field, cell in zip(header, fields, row, strict=True):
            if field is None:
                if cell:
                    extra[name.lstrip("\ufeff")] = cell
            elif field == "authors":
                values["authors"] = [a for a in re.split(r";|\s\|\s|\n", cell) if a.strip()]
            elif field == "keywords":
                values["keywords"] = [k for k in re.split(r"[;|]", cell) if k.strip()]
            elif cell and field not in values:
                values[field] = cell
        raw = io.StringIO()
        csv.writer(raw, delimiter=delim, lineterminator="\n").writerow(row)
        record = make_record(raw=raw.getvalue(), extra=extra, **values)  # type: ignore[arg-type]
        yield Entry(position, start, record=record)
