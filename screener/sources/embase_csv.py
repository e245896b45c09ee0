"""Embase.com CSV, in both layouts it offers.

*Wide*: one header row (``Title``, ``Author Names``, ``Source``, ``Abstract``, ``Emtree ...``)
and one row per record. *One field per row*: each line is ``"FIELD NAME","value"[,"value"...]``
(``"AUTHOR NAMES","Wang M.","Lin Q."``), records separated by a blank line. Both use the same
field names, so one table maps them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import TextIO
from urllib.parse import unquote

from screener.errors import ParseError
from screener.records import Record, make_record
from screener.sources import Entry
from screener.sources._common import MAX_ENTRY, bad_entry, csv_reader, csv_table, csv_text, too_long

NAME = "embase-csv"
LABEL = "Embase CSV"

# lower-case field name -> role
_FIELDS = {
    "title": "title",
    "article title": "title",
    "original title": "original_title",
    "author names": "authors",
    "authors": "authors",
    "source": "source",
    "source title": "journal",
    "publication year": "year",
    "volume": "volume",
    "issue": "issue",
    "first page": "page_first",
    "last page": "page_last",
    "abstract": "abstract",
    "doi": "doi",
    "medline pmid": "pmid",
    "pubmed id": "pmid",
    "embase accession number": "key",
    "pui": "key",
    "language of article": "language",
    "publication type": "pub_types",
    "issn": "issn",
    "emtree drug index terms": "mesh",
    "emtree drug index terms (major focus)": "mesh",
    "emtree medical index terms": "mesh",
    "emtree medical index terms (major focus)": "mesh",
    "keywords": "keywords",
    "author keywords": "keywords",
    "open url link": "link",
    "full text link": "link",
    "embase link": "url",
}
_SOURCE = re.compile(
    r"^(?P<journal>.*?)\s+\((?P<year>\d{4})\)"
    r"(?:\s+(?P<volume>[^:\s(]+)(?::(?P<issue>[^\s(]+))?)?"
    r"(?:\s+\((?P<pages>[^)]*)\))?"
)
# Split a list of Emtree terms on commas outside parentheses: "cyst (diagnosis, surgery), x".
_TERMS = re.compile(r",\s*(?![^()]*\))")


def _first_cells(head: str) -> list[str]:
    lines = [line for line in head.lstrip("\ufeff").split("\n")[:3] if line.strip()]
    try:
        return [row[0].strip().upper() if row else "" for row in csv.reader(lines)]
    except csv.Error:
        return []


def sniff(head: str) -> int:
    first_line = head.lstrip("\ufeff").split("\n", 1)[0].lower()
    if "emtree" in first_line or "embase accession number" in first_line:
        return 93
    if "author names" in first_line and "source" in first_line and "title" in first_line:
        return 88
    cells = _first_cells(head)
    if len(cells) >= 2 and cells[0] == "TITLE" and cells[1].lower() in _FIELDS:
        return 93
    return 0


def database(head: str) -> str | None:
    return "Embase"


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    head = stream.read(4096)
    stream.seek(0)
    cells = _first_cells(head)
    # One field per row when the second line starts with a field name too.
    vertical = len(cells) >= 2 and cells[0] == "TITLE" and cells[1].lower() in _FIELDS
    yield from (_vertical(stream, file_name) if vertical else _wide(stream, file_name))


def _wide(stream: TextIO, file_name: str) -> Iterator[Entry]:
    header, rows = csv_table(stream, file_name)
    roles = [_FIELDS.get(h.lower()) for h in header]
    if "title" not in roles:
        raise ParseError(file_name, "line 1", "expected a 'Title' column in the Embase header row")
    for position, line, cells in rows:
        if len(cells) != len(header):
            yield bad_entry(
                file_name,
                position,
                line,
                f"expected {len(header)} columns as in the header, found {len(cells)}",
            )
            continue
        values: dict[str, list[str]] = {}
        for role, cell in zip(roles, cells, strict=True):
            if role and cell.strip():
                values.setdefault(role, []).append(cell.strip())
        yield Entry(position, line, record=_record(values, csv_text(cells), split_cells=True))


def _vertical(stream: TextIO, file_name: str) -> Iterator[Entry]:
    lines, reader = csv_reader(stream, file_name)
    values: dict[str, list[str]] = {}
    raw: list[str] = []
    size = 0  # characters of the record so far
    start = 1
    position = 0
    while True:
        lines.row_starts()
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ParseError(
                file_name, f"line {reader.line_num}", f"bad CSV quoting ({exc})"
            ) from None
        if not any(cell.strip() for cell in row):
            if values:
                position += 1
                yield _vertical_entry(values, raw, position, start, file_name)
            values, raw, size = {}, [], 0
            start = reader.line_num + 1
            continue
        raw.append(csv_text(row))
        size += len(raw[-1])
        if size > MAX_ENTRY:
            raise too_long(file_name, start, "the record starting here")
        role = _FIELDS.get(row[0].lstrip("\ufeff").strip().lower())
        if role:
            values.setdefault(role, []).extend(cell.strip() for cell in row[1:] if cell.strip())
    if values:
        position += 1
        yield _vertical_entry(values, raw, position, start, file_name)


def _vertical_entry(
    values: dict[str, list[str]], raw: list[str], position: int, line: int, file_name: str
) -> Entry:
    if "title" not in values and "abstract" not in values:
        return bad_entry(file_name, position, line, 'expected a "TITLE" or "ABSTRACT" row')
    return Entry(position, line, record=_record(values, "\n".join(raw), split_cells=False))


def _doi_from_link(links: list[str]) -> str:
    for link in links:
        match = re.search(r"[?&]id=doi:([^&]+)", link)
        if match:
            return unquote(match.group(1))
    return ""


def _record(values: dict[str, list[str]], raw: str, *, split_cells: bool) -> Record:
    def one(role: str) -> str:
        found = values.get(role)
        return found[0] if found else ""

    def many(role: str, pattern: re.Pattern[str]) -> list[str]:
        found = values.get(role, [])
        if not split_cells:
            return found
        return [part.strip() for cell in found for part in pattern.split(cell) if part.strip()]

    source = _SOURCE.match(one("source"))
    parsed = source.groupdict() if source else {}
    first, last = one("page_first"), one("page_last")
    pages = f"{first}-{last}" if first and last else (first or parsed.get("pages") or "")
    return make_record(
        title=one("title"),
        abstract=one("abstract"),
        authors=many("authors", re.compile(r";|,\s+")),
        year=one("year") or parsed.get("year"),
        journal=one("journal") or parsed.get("journal") or "",
        volume=one("volume") or parsed.get("volume") or "",
        issue=one("issue") or parsed.get("issue") or "",
        pages=pages,
        doi=one("doi") or _doi_from_link(values.get("link", [])),
        pmid=one("pmid"),
        issn=one("issn"),
        language=one("language"),
        pub_types=values.get("pub_types", []),
        keywords=many("keywords", _TERMS),
        mesh=many("mesh", _TERMS),
        url=one("url"),
        source_key=one("key"),
        raw=raw,
        extra={"original_title": one("original_title")} if one("original_title") else {},
    )
