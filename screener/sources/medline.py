"""MEDLINE / PubMed ``.nbib`` (``PMID- `` tagged text), and ERIC's export in the same layout.

A record is a run of ``TAG - value`` lines (the tag left-justified in four columns) with
continuation lines indented by spaces; records are separated by blank lines. Read line by
line, so a file of any size streams.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from screener.records import Author, Record, make_record, parse_author
from screener.sources import Entry
from screener.sources._common import bad_entry, every, first
from screener.sources._tagged import Blank, Block, Flaw, LastLine, Layout, Line, Piece, pieces

NAME = "medline"
LABEL = "MEDLINE / PubMed (.nbib)"

_TAG = re.compile(r"([A-Z][A-Z0-9]{1,3}) {0,2}- ?(.*)")
# Tags only MEDLINE uses (RIS and Ovid share TI/AU/AB/SO/PT, so those prove nothing).
_MEDLINE_TAGS = re.compile(
    r"^(?:PMID|OWN |STAT|FAU |JT  |TA  |DP  |LID |AID |VI  |IP  |PG  |OID )-", re.M
)


def sniff(head: str) -> int:
    head = head.lstrip("\ufeff")
    if re.search(r"^TY  -", head, re.M):
        return 0
    if re.search(r"^PMID- ?\d", head, re.M):
        return 95
    distinct = {m.group(0)[:4] for m in _MEDLINE_TAGS.finditer(head)}
    return 75 if len(distinct) >= 3 else 0


def database(head: str) -> str | None:
    if re.search(r"^OWN - ERIC", head, re.M):
        return "ERIC"
    if re.search(r"^PMID- ", head, re.M) or re.search(r"^OWN - NLM", head, re.M):
        return "PubMed"
    return None


# PMID starts a record however it is written: after spaces, a no-break space or a BOM (an
# export appended to another), or in lower case. Other tags are read as PubMed writes them.
_PMID = re.compile(r"\s*([Pp][Mm][Ii][Dd]) {0,2}- ?(.*)")

CLOSING_TAG = "SO"
"""The tag PubMed writes last in every record (the citation)."""


def _line(line: str) -> Line:
    match = _TAG.fullmatch(line) if not line[0].isspace() else None
    if (match is None or match.group(1) != "PMID") and (loose := _PMID.fullmatch(line)):
        return "start", "PMID", loose.group(2)
    if match is not None:
        tag = match.group(1)
        # A new PMID without the blank line between records: the last record has ended.
        return "start" if tag == "PMID" else "field", tag, match.group(2)
    return ("text", "", line.strip()) if line[0].isspace() else ("bad", "", "")


LAYOUT = Layout(
    read=_line,
    unexpected=lambda line: (
        f"expected a tag such as 'TI  - ' or a continuation line indented "
        f"by spaces, found {line[:30]!r}"
    ),
    blank=Blank.CLOSE,
    flaw=Flaw.RECORD,
    glued=re.compile(r"PMID- ?\d+\s*$"),
)


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    """One Entry per record; a last record cut short (see :func:`_cut_short`) is an error."""
    last_line = LastLine()
    position = 0
    held: Piece | None = None  # the last record read: where it stands decides how it reads
    closing: str | None = None  # the tag every record so far ended with ("" when they differ)
    note_after = False  # a paragraph without tags follows the last record
    for piece in pieces(stream, file_name, LAYOUT, last_line):
        assert isinstance(piece, Piece)  # no layout with Flaw.RECORD and no outside gives a Stray
        if not piece.block.pairs:
            # A paragraph with no tag at all is a note between records, not a record.
            note_after = held is not None
            continue
        if held is not None:
            position += 1
            yield _entry(held, position)
            last = held.block.pairs[-1][0]
            closing = last if closing in (None, last) else ""
        held, note_after = piece, False
    if held is not None:
        position += 1
        block = held.block
        # A file cut short often ends in a broken line: its end is the thing to say first.
        why = _cut_short(block, closing, mid_line=not last_line.ended and not note_after)
        yield bad_entry(file_name, position, block.line, why) if why else _entry(held, position)


def _cut_short(block: Block, closing: str | None, *, mid_line: bool) -> str:
    """Why the file's last record looks cut short ("" if it does not).

    MEDLINE has no end-of-record mark, but PubMed writes ``SO`` last in every record, so two
    signs stand in for one: every record before it ended with ``SO`` and this PubMed record (it
    has a PMID; an ERIC record appended to PubMed ones has none) does not; or the file stops in
    the middle of a line that is not an ``SO`` field (a whole export that lost its last line end
    still ends with one). A lone record cut exactly at a line end shows neither sign.
    """
    last = block.pairs[-1][0]
    if closing == CLOSING_TAG and last != CLOSING_TAG and "PMID" in block.tags():
        return (
            f"expected the record to end with its '{CLOSING_TAG}' field as the others do; "
            "the file may be cut short"
        )
    if mid_line and last != CLOSING_TAG:
        return "the file ends in the middle of this record's last line; the file may be cut short"
    return ""


def _entry(piece: Piece, position: int) -> Entry:
    block = piece.block
    if piece.problem:
        return bad_entry(block.file_name, position, block.line, piece.problem)
    fields = block.fields()
    if not any(tag in fields for tag in ("TI", "BTI", "AB", "PMID")):
        return bad_entry(
            block.file_name,
            position,
            block.line,
            "expected a MEDLINE record (PMID, TI or AB tags), found none",
        )
    return Entry(position, block.line, record=_record(block, fields))


def _authors(block: Block, has_full: bool) -> list[Author]:
    names = []
    for tag, value in block.items():
        if tag == ("FAU" if has_full else "AU"):
            names.append(parse_author(value))
        elif tag == "CN" and value.strip():
            names.append(Author(value.strip(), collective=True))
    return names


def _doi(fields: dict[str, list[str]]) -> str:
    for value in every(fields, "LID", "AID"):
        if value.endswith("[doi]"):
            return value[:-5]
    for value in every(fields, "AID", "LID", "DOI"):
        if "doi.org/" in value or value.startswith("10."):
            return value
    return ""


def _record(block: Block, fields: dict[str, list[str]]) -> Record:
    pmid = first(fields, "PMID")
    return make_record(
        title=first(fields, "TI", "BTI"),
        abstract=first(fields, "AB"),
        authors=_authors(block, "FAU" in fields),
        year=first(fields, "DP", "DEP", "DA"),
        journal=first(fields, "JT", "BTI"),
        journal_abbrev=first(fields, "TA"),
        volume=first(fields, "VI"),
        issue=first(fields, "IP"),
        pages=first(fields, "PG"),
        doi=_doi(fields),
        pmid=pmid,
        pmcid=first(fields, "PMC"),
        issn=first(fields, "IS", "ISSN"),
        language=first(fields, "LA"),
        pub_types=every(fields, "PT"),
        keywords=every(fields, "OT"),
        mesh=every(fields, "MH"),
        source_key=pmid or first(fields, "OID"),
        raw=block.raw(),
    )
