"""MEDLINE / PubMed ``.nbib`` (``PMID- `` tagged text), and ERIC's export in the same layout.

A record is a run of ``TAG - value`` lines (the tag left-justified in four columns) with
continuation lines indented by spaces; records are separated by blank lines. Read line by
line, so a file of any size streams.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from screener.records import Author, make_record, parse_author
from screener.sources import Entry
from screener.sources._common import Block, bad_entry, every, first, numbered_lines, split_glued

NAME = "medline"
LABEL = "MEDLINE / PubMed (.nbib)"

_TAG = re.compile(r"([A-Z][A-Z0-9]{1,3}) {0,2}- ?(.*)")
# Tags only MEDLINE uses (RIS and Ovid share TI/AU/AB/SO/PT, so those prove nothing).
_MEDLINE_TAGS = re.compile(r"^(?:PMID|OWN |STAT|FAU |JT  |TA  |DP  |LID |AID |VI  |IP  |PG  |OID )-",
                           re.M)


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

_GLUED_PMID = re.compile(r"PMID- ?\d+\s*$")

CLOSING_TAG = "SO"
"""The tag PubMed writes last in every record (the citation)."""


class _Reading:
    """What :func:`_blocks` saw of the file as a whole: whether its last line had a line end."""

    __slots__ = ("ended",)

    def __init__(self) -> None:
        self.ended = True


def _blocks(stream: TextIO, file_name: str, reading: _Reading) -> Iterator[tuple[Block, str]]:
    """Each blank-line separated block with the first problem found in it ("" if none)."""
    block: Block | None = None
    problem = ""
    for number, line in split_glued(numbered_lines(stream, file_name, keep_ends=True), _GLUED_PMID):
        text = line.rstrip("\n")
        reading.ended = text != line
        line = text
        if not line.strip():
            if block is not None:
                yield block, problem
                block, problem = None, ""
            continue
        match = _TAG.fullmatch(line) if not line[0].isspace() else None
        tag = match.group(1) if match else ""
        if tag != "PMID" and (loose := _PMID.fullmatch(line)):
            match, tag = loose, "PMID"
        if tag == "PMID" and block is not None and block.pairs:
            # A new PMID without the blank line between records: the last record has ended.
            yield block, problem
            block, problem = None, ""
        if block is None:
            block = Block(number, file_name)
        block.take(line)
        if match:
            block.add(tag, match.group(2))
        elif not (line[0].isspace() and block.extend(line.strip())) and not problem:
            problem = (f"line {number}: expected a tag such as 'TI  - ' or a continuation line "
                       f"indented by spaces, found {line[:30]!r}")
    if block is not None:
        yield block, problem


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    """One Entry per record; a last record cut short (see :func:`_cut_short`) is an error."""
    reading = _Reading()
    position = 0
    held: tuple[Block, str] | None = None  # the last record read: where it stands decides how it reads
    closing: str | None = None  # the tag every record so far ended with ("" when they differ)
    note_after = False  # a paragraph without tags follows the last record
    for block, problem in _blocks(stream, file_name, reading):
        if not block.pairs:
            # A paragraph with no tag at all is a note between records, not a record.
            note_after = held is not None
            continue
        if held is not None:
            position += 1
            yield _entry(*held, position, file_name)
            last = held[0].pairs[-1][0]
            closing = last if closing in (None, last) else ""
        held, note_after = (block, problem), False
    if held is not None:
        position += 1
        block, problem = held
        # A file cut short often ends in a broken line: its end is the thing to say first.
        why = _cut_short(block, closing, mid_line=not reading.ended and not note_after)
        yield bad_entry(file_name, position, block.line, why) if why else _entry(block, problem, position, file_name)


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
        return (f"expected the record to end with its '{CLOSING_TAG}' field as the others do; "
                "the file may be cut short")
    if mid_line and last != CLOSING_TAG:
        return "the file ends in the middle of this record's last line; the file may be cut short"
    return ""


def _entry(block: Block, problem: str, position: int, file_name: str) -> Entry:
    if problem:
        return bad_entry(file_name, position, block.line, problem)
    fields = block.fields()
    if not any(tag in fields for tag in ("TI", "BTI", "AB", "PMID")):
        return bad_entry(file_name, position, block.line,
                         "expected a MEDLINE record (PMID, TI or AB tags), found none")
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


def _record(block: Block, fields: dict[str, list[str]]):
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
