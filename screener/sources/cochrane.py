"""Cochrane Library CENTRAL plain-text export (``Record #1 of 25`` blocks of ``XX: value`` lines).

Tags: ``ID`` (CN- accession), ``AU`` (one author per line, or several separated by ``;``),
``TI``, ``SO``, ``YR``, ``VL``, ``NO``, ``PG``, ``AB``, ``DOI``, ``PM`` (``PUBMED 12345``),
``XR`` (other databases' ids), ``PT`` and ``KY`` (``;`` lists), ``MH``, ``US`` (link).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from screener.records import Record, make_record
from screener.sources import Entry
from screener.sources._common import Fields, bad_entry, every, first, split_list
from screener.sources._tagged import Blank, Layout, Line, Piece, entries

NAME = "cochrane"
LABEL = "Cochrane CENTRAL plain text"

_RECORD = re.compile(r"Record #\s*(\d+)\s+of\s+(\d+)\s*", re.I)
_TAG = re.compile(r"([A-Z]{2,3}):(?: (.*)|\s*)")


def sniff(head: str) -> int:
    head = head.lstrip("\ufeff")
    if not re.search(r"^Record #\s*\d+\s+of\s+\d+\s*$", head, re.M):
        return 0
    tags = set(re.findall(r"^(ID|AU|TI|SO|YR|AB|PG|VL|US): ", head, re.M))
    return 95 if len(tags) >= 3 else 0


def database(head: str) -> str | None:
    return "Cochrane CENTRAL"


def _line(line: str) -> Line:
    stripped = line.strip()
    if _RECORD.fullmatch(stripped):
        return "mark", "", ""
    match = _TAG.fullmatch(line.rstrip())
    if match is None:
        return "text", "", stripped
    tag = match.group(1)
    return "start" if tag == "ID" else "field", tag, match.group(2) or ""


LAYOUT = Layout(
    read=_line,
    unexpected=lambda line: (
        f"expected 'Record #N of M' or a tag such as 'TI: ', found {line.strip()[:30]!r}"
    ),
    blank=Blank.KEEP,
    # A second ID starts the next record when its 'Record #' line is missing.
    again=lambda block: "ID" in block.tags(),
)


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    return entries(stream, file_name, LAYOUT, _entry)


def _entry(piece: Piece, position: int) -> Entry:
    block = piece.block
    fields = block.fields()
    if not first(fields, "TI", "AB"):
        return bad_entry(
            block.file_name, position, block.line, "expected a 'TI: ' (title) or 'AB: ' line"
        )
    return Entry(position, block.line, record=_record(fields, block.raw()))


def _record(fields: Fields, raw: str) -> Record:
    return make_record(
        title=first(fields, "TI"),
        abstract=first(fields, "AB"),
        authors=split_list(every(fields, "AU")),
        year=first(fields, "YR"),
        journal=first(fields, "SO"),
        volume=first(fields, "VL"),
        issue=first(fields, "NO"),
        pages=first(fields, "PG"),
        doi=first(fields, "DOI"),
        pmid=first(fields, "PM"),
        language=first(fields, "LA"),
        pub_types=split_list(every(fields, "PT")),
        keywords=split_list(every(fields, "KY")),
        mesh=split_list(every(fields, "MH")),
        url=first(fields, "US"),
        source_key=first(fields, "ID"),
        raw=raw,
        extra={"other_ids": "; ".join(every(fields, "XR"))} if every(fields, "XR") else {},
    )
