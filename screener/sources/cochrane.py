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
from screener.sources._common import (
    Block,
    Fields,
    bad_entry,
    every,
    first,
    numbered_lines,
    split_list,
)

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


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    block: Block | None = None
    position = 0
    for number, line in numbered_lines(stream, file_name):
        stripped = line.strip()
        header = _RECORD.fullmatch(stripped)
        match = None if header else _TAG.fullmatch(line.rstrip())
        if header or (match and match.group(1) == "ID" and block is not None and _has(block, "ID")):
            if block is not None and block.pairs:
                position += 1
                yield _entry(block, position, file_name)
            block = Block(number, file_name)
            block.take(line)
            if match:
                block.add("ID", match.group(2) or "")
            continue
        if block is None:
            if not stripped:
                continue
            block = Block(number, file_name)
        block.take(line)
        if match:
            block.add(match.group(1), match.group(2) or "")
        elif stripped and not block.extend(stripped):
            position += 1
            yield bad_entry(file_name, position, number,
                            f"expected 'Record #N of M' or a tag such as 'TI: ', found {stripped[:30]!r}")
            block = None
    if block is not None and block.pairs:
        position += 1
        yield _entry(block, position, file_name)


def _has(block: Block, tag: str) -> bool:
    return tag in block.tags()


def _entry(block: Block, position: int, file_name: str) -> Entry:
    while block.lines and not block.lines[-1].strip():
        block.lines.pop()
    fields = block.fields()
    if not first(fields, "TI", "AB"):
        return bad_entry(file_name, position, block.line, "expected a 'TI: ' (title) or 'AB: ' line")
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
