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
from screener.sources._common import Block, bad_entry, every, first, numbered_lines

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


def _blocks(stream: TextIO) -> Iterator[tuple[Block, str]]:
    """Each blank-line separated block with the first problem found in it ("" if none)."""
    block: Block | None = None
    problem = ""
    for number, line in numbered_lines(stream):
        if not line.strip():
            if block is not None:
                yield block, problem
                block, problem = None, ""
            continue
        match = _TAG.fullmatch(line) if not line[0].isspace() else None
        if match and match.group(1) == "PMID" and block is not None and block.pairs:
            # A new PMID without the blank line between records: the last record has ended.
            yield block, problem
            block, problem = None, ""
        if block is None:
            block = Block(number)
        block.lines.append(line)
        if match:
            block.add(match.group(1), match.group(2))
        elif not (line[0].isspace() and block.extend(line.strip())) and not problem:
            problem = (f"line {number}: expected a tag such as 'TI  - ' or a continuation line "
                       f"indented by spaces, found {line[:30]!r}")
    if block is not None:
        yield block, problem


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    position = 0
    for block, problem in _blocks(stream):
        if not block.pairs:
            # A paragraph with no tag at all is a note between records, not a record.
            continue
        position += 1
        yield _entry(block, position, file_name, problem)


def _entry(block: Block, position: int, file_name: str, problem: str) -> Entry:
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
