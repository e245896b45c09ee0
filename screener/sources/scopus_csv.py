"""Scopus CSV export (``Authors``, ``Author full names``, ``Title``, ``Source title`` ...
``EID``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from screener.errors import ParseError
from screener.records import make_record
from screener.sources import Entry
from screener.sources._common import bad_entry, csv_table, csv_text, split_list

NAME = "scopus-csv"
LABEL = "Scopus CSV"

_AUTHOR_ID = re.compile(r"\s*\(\d+\)\s*$")
# Older exports separate "Liu F., Li C." with commas: split after each initial's full stop.
_OLD_AUTHORS = re.compile(r"(?<=\.),\s+")


def _header(head: str) -> set[str]:
    first_line = head.lstrip("\ufeff").split("\n", 1)[0]
    return {cell.strip().strip('"').lower() for cell in first_line.split(",")}


def sniff(head: str) -> int:
    columns = _header(head)
    if "eid" in columns and "title" in columns:
        return 92
    if {"authors", "title", "source title"} <= columns:
        return 88
    return 0


def database(head: str) -> str | None:
    return "Scopus"


def _value(row: dict[str, str], *names: str) -> str:
    for name in names:
        value = row.get(name, "").strip()
        # R-processed Scopus tables write NA for empty cells.
        if value and value != "NA":
            return value
    return ""


def _authors(row: dict[str, str]) -> list[str]:
    full = _value(row, "author full names")
    if full:
        return [_AUTHOR_ID.sub("", name) for name in split_list([full])]
    short = _value(row, "authors")
    if ";" in short:
        return split_list([short])
    return [name for name in _OLD_AUTHORS.split(short) if name.strip()]


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    header, rows = csv_table(stream, file_name)
    names = [h.lower() for h in header]
    if "title" not in names:
        raise ParseError(file_name, "line 1", "expected a 'Title' column in the Scopus header row")
    for position, line, cells in rows:
        if len(cells) != len(names):
            yield bad_entry(
                file_name,
                position,
                line,
                f"expected {len(names)} columns as in the header, found {len(cells)}",
            )
            continue
        row = dict(zip(names, cells, strict=True))
        start, end = _value(row, "page start"), _value(row, "page end")
        record = make_record(
            title=_value(row, "title"),
            abstract=_value(row, "abstract"),
            authors=_authors(row),
            year=_value(row, "year"),
            journal=_value(row, "source title"),
            journal_abbrev=_value(row, "abbreviated source title"),
            volume=_value(row, "volume"),
            issue=_value(row, "issue"),
            pages=f"{start}-{end}" if start and end else start,
            doi=_value(row, "doi"),
            pmid=_value(row, "pubmed id"),
            issn=_value(row, "issn"),
            language=_value(row, "language of original document"),
            pub_types=[_value(row, "document type")] if _value(row, "document type") else [],
            keywords=split_list([_value(row, "author keywords"), _value(row, "index keywords")]),
            url=_value(row, "link"),
            source_key=_value(row, "eid"),
            raw=csv_text(cells),
            extra={
                k: v
                for k, v in (
                    ("article_number", _value(row, "art. no.")),
                    ("publisher", _value(row, "publisher")),
                )
                if v
            },
        )
        yield Entry(position, line, record=record)
