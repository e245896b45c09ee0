"""CNKI's own export (E-Study / 知网研学 "自定义"): ``DataType: 1`` then ``Title-题名: ...``.

Each field is ``EnglishKey-中文名: value``; a record starts at ``DataType:`` and a line without a
key continues the field above. A field whose Chinese name says 英文 (English) fills the English
title, abstract or keywords.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from screener.records import Record, make_record
from screener.sources import Entry
from screener.sources._common import Fields, bad_entry, first, split_list
from screener.sources._tagged import Blank, Layout, Line, Piece, entries

NAME = "cnki-estudy"
LABEL = "CNKI E-Study (Title-题名)"

_FIELD = re.compile(r"([A-Za-z]+)(?:-([^:：]{1,20}))?\s*[:：]\s?(.*)")
_ROLES = {
    "title": "title",
    "author": "authors",
    "source": "journal",
    "year": "year",
    "pubtime": "date",
    "keyword": "keywords",
    "summary": "abstract",
    "period": "issue",
    "roll": "volume",
    "page": "pages",
    "srcdatabase": "database",
    "organ": "address",
    "link": "url",
    "doi": "doi",
    "issn": "issn",
    "cn": "cn",
    "datatype": "type",
    "fund": "fund",
    "language": "language",
}


def sniff(head: str) -> int:
    head = head.lstrip("\ufeff")
    if re.search(r"^Title-题名\s*[:：]", head, re.M):
        return 97
    if head.startswith("DataType:") and re.search(r"^[A-Za-z]+-[^\x00-\x7f]+\s*[:：]", head, re.M):
        return 90
    return 0


def database(head: str) -> str | None:
    return "CNKI"


def _role(match: re.Match[str] | None) -> str | None:
    if not match:
        return None
    role = _ROLES.get(match.group(1).lower())
    if role and match.group(2) and "英文" in match.group(2):
        return f"{role}_en"
    return role


def _line(line: str) -> Line:
    match = _FIELD.fullmatch(line.rstrip())
    if match is None and line[:1].isspace():  # DataType starts a record even after spaces
        loose = _FIELD.fullmatch(line.strip())
        match = loose if _role(loose) == "type" else None
    role = _role(match)
    if match is None:
        return "text", "", line.strip()
    if role:
        return "start" if role == "type" else "field", role, match.group(3)
    if match.group(2):
        return "field", match.group(1).lower(), match.group(3)
    return "text", "", line.strip()


LAYOUT = Layout(
    read=_line,
    unexpected=lambda line: (
        f"expected 'DataType:' or a field such as 'Title-题名:', found {line[:30]!r}"
    ),
    blank=Blank.SKIP,
    glued=re.compile(r"DataType\s*[:：]", re.I),
)


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    return entries(stream, file_name, LAYOUT, _entry)


def _entry(piece: Piece, position: int) -> Entry:
    block = piece.block
    fields = block.fields()
    if not first(fields, "title", "abstract"):
        return bad_entry(
            block.file_name,
            position,
            block.line,
            "expected a 'Title-题名:' or 'Summary-摘要:' field",
        )
    return Entry(position, block.line, record=_record(fields, block.raw()))


def _record(fields: Fields, raw: str) -> Record:
    link = first(fields, "url")
    key = re.search(r"[?&]FileName=([^&]+)", link, re.I)
    return make_record(
        title=first(fields, "title"),
        # "<正>" marks an abstract CNKI took from the article's first paragraph: a flag, not text.
        abstract=first(fields, "abstract").removeprefix("<正>"),
        authors=split_list(fields.get("authors", [])),
        year=first(fields, "year", "date"),
        journal=first(fields, "journal"),
        volume=first(fields, "volume"),
        issue=first(fields, "issue"),
        pages=first(fields, "pages"),
        doi=first(fields, "doi"),
        issn=first(fields, "issn"),
        language=first(fields, "language"),
        keywords=split_list(fields.get("keywords", [])),
        title_en=first(fields, "title_en"),
        abstract_en=first(fields, "abstract_en"),
        keywords_en=split_list(fields.get("keywords_en", [])),
        url=link,
        source_key=key.group(1) if key else "",
        raw=raw,
        extra={
            k: v
            for k, v in (
                ("database", first(fields, "database")),
                ("address", first(fields, "address")),
                ("cn", first(fields, "cn")),
            )
            if v
        },
    )
