"""RefWorks tagged format (``RT Journal Article``, ``A1``, ``T1``, ``JF``, ``YR`` ...), as CNKI,
Wanfang, VIP and SinoMed export it.

A record starts at ``RT``; each line is a two-character tag (CNKI writes some in lower case,
``vo``), a space and the value. Authors and keywords may share one line separated by ``;``.
``OP`` holds the end page, or CNKI's whole page range.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from screener.records import Record, make_record
from screener.sources import Entry
from screener.sources._common import (
    CJK_NAME_SPLIT,
    Block,
    Fields,
    bad_entry,
    chinese_database,
    every,
    first,
    has_cjk,
    numbered_lines,
    split_list,
)

NAME = "refworks"
LABEL = "RefWorks tagged (RT A1 T1)"

_TAG = re.compile(r"([A-Za-z][A-Za-z0-9]) (.*)")
_RT = re.compile(r"([Rr][Tt]) (.*)")


def sniff(head: str) -> int:
    lines = [line for line in head.lstrip("\ufeff").split("\n") if line.strip()]
    if not lines or not lines[0].startswith("RT "):
        return 0
    tags = {line[:2].upper() for line in lines[:40] if _TAG.fullmatch(line.rstrip("\r"))}
    return 92 if {"A1", "T1"} & tags else 0


def database(head: str) -> str | None:
    named = re.search(r"^D[SB] (.+?)\s*$", head, re.M)
    if named:
        return chinese_database(named.group(1)) or named.group(1)
    return chinese_database(head)


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    block: Block | None = None
    position = 0
    for number, line in numbered_lines(stream, file_name):
        match = _TAG.fullmatch(line.rstrip()) if line[:1] not in (" ", "\t") else None
        if match is None and line[:1].isspace():  # RT starts a record even after spaces
            match = _RT.fullmatch(line.strip())
        tag = match.group(1).upper() if match else ""
        if tag == "RT" or not line.strip():
            if block is not None and block.pairs:
                position += 1
                yield _entry(block, position, file_name)
                block = None
            if not line.strip():
                continue
        if block is None:
            block = Block(number, file_name)
        block.take(line)
        if match:
            block.add(tag, match.group(2))
        elif not block.extend(line.strip()):
            position += 1
            yield bad_entry(file_name, position, number,
                            f"expected 'RT' or a two-letter tag such as 'T1 ', found {line[:30]!r}")
            block = None
    if block is not None and block.pairs:
        position += 1
        yield _entry(block, position, file_name)


def _entry(block: Block, position: int, file_name: str) -> Entry:
    fields = block.fields()
    if not first(fields, "T1", "AB"):
        return bad_entry(file_name, position, block.line, "expected a 'T1' (title) or 'AB' line")
    return Entry(position, block.line, record=_record(fields, block.raw()))


def _pages(fields: Fields) -> str:
    start, other = first(fields, "SP"), first(fields, "OP")
    if start and other and "-" not in other:
        return f"{start}-{other}"
    return start or other


def _record(fields: Fields, raw: str) -> Record:
    title = first(fields, "T1")
    chinese = has_cjk(title)
    # OT is RefWorks' "original foreign title": the English one beside a Chinese record.
    original = first(fields, "OT") if chinese else ""
    return make_record(
        title=title,
        abstract=first(fields, "AB"),
        authors=[a for value in every(fields, "A1", "AU") for a in
                 (split_list([value], CJK_NAME_SPLIT) if has_cjk(value) else split_list([value]))],
        year=first(fields, "YR", "FD"),
        journal=first(fields, "JF", "JO"),
        journal_abbrev=first(fields, "JA", "J2"),
        volume=first(fields, "VO", "VL"),
        issue=first(fields, "IS"),
        pages=_pages(fields),
        doi=first(fields, "DO"),
        issn=first(fields, "SN"),
        language=first(fields, "LA").rstrip(";"),
        keywords=split_list(every(fields, "K1", "KW")),
        title_en=original if original and not has_cjk(original) else "",
        url=first(fields, "LK", "UL"),
        source_key=first(fields, "ID", "AN"),
        raw=raw,
        extra={k: v for k, v in (("type", first(fields, "RT")), ("database", first(fields, "DS", "DB")),
                                 ("address", first(fields, "AD")), ("cn", first(fields, "CN"))) if v},
    )
