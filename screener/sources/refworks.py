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
    Fields,
    bad_entry,
    chinese_database,
    every,
    first,
    has_cjk,
    split_list,
)
from screener.sources._tagged import Blank, Layout, Line, Piece, entries

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


def _line(line: str) -> Line:
    match = _TAG.fullmatch(line.rstrip()) if line[:1] not in (" ", "\t") else None
    if match is None and line[:1].isspace():  # RT starts a record even after spaces
        match = _RT.fullmatch(line.strip())
    if match is None:
        return "text", "", line.strip()
    tag = match.group(1).upper()
    return "start" if tag == "RT" else "field", tag, match.group(2)


LAYOUT = Layout(
    read=_line,
    unexpected=lambda line: f"expected 'RT' or a two-letter tag such as 'T1 ', found {line[:30]!r}",
    blank=Blank.CLOSE,
)


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    return entries(stream, file_name, LAYOUT, _entry)


def _entry(piece: Piece, position: int) -> Entry:
    block = piece.block
    fields = block.fields()
    if not first(fields, "T1", "AB"):
        return bad_entry(
            block.file_name, position, block.line, "expected a 'T1' (title) or 'AB' line"
        )
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
        authors=[
            a
            for value in every(fields, "A1", "AU")
            for a in (
                split_list([value], CJK_NAME_SPLIT) if has_cjk(value) else split_list([value])
            )
        ],
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
        extra={
            k: v
            for k, v in (
                ("type", first(fields, "RT")),
                ("database", first(fields, "DS", "DB")),
                ("address", first(fields, "AD")),
                ("cn", first(fields, "CN")),
            )
            if v
        },
    )
