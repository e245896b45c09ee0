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
from screener.sources._common import (
    Block,
    Fields,
    bad_entry,
    first,
    numbered_lines,
    split_glued,
    split_list,
)

NAME = "cnki-estudy"
LABEL = "CNKI E-Study (Title-题名)"

_FIELD = re.compile(r"([A-Za-z]+)(?:-([^:：]{1,20}))?\s*[:：]\s?(.*)")
_GLUED_START = re.compile(r"DataType\s*[:：]", re.I)
_ROLES = {
    "title": "title", "author": "authors", "source": "journal", "year": "year", "pubtime": "date",
    "keyword": "keywords", "summary": "abstract", "period": "issue", "roll": "volume",
    "page": "pages", "srcdatabase": "database", "organ": "address", "link": "url", "doi": "doi",
    "issn": "issn", "cn": "cn", "datatype": "type", "fund": "fund", "language": "language",
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


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    block: Block | None = None
    position = 0
    for number, line in split_glued(numbered_lines(stream, file_name), _GLUED_START):
        match = _FIELD.fullmatch(line.rstrip())
        if match is None and line[:1].isspace():  # DataType starts a record even after spaces
            loose = _FIELD.fullmatch(line.strip())
            match = loose if _role(loose) == "type" else None
        role = _role(match)
        if role == "type" and block is not None and block.pairs:
            position += 1
            yield _entry(block, position, file_name)
            block = None
        if not line.strip():
            continue
        if block is None:
            block = Block(number, file_name)
        block.take(line)
        if match and role:
            block.add(role, match.group(3))
        elif match and match.group(2):
            block.add(match.group(1).lower(), match.group(3))
        elif not block.extend(line.strip()):
            position += 1
            yield bad_entry(file_name, position, number,
                            f"expected 'DataType:' or a field such as 'Title-题名:', found {line[:30]!r}")
            block = None
    if block is not None and block.pairs:
        position += 1
        yield _entry(block, position, file_name)


def _role(match: re.Match[str] | None) -> str | None:
    if not match:
        return None
    role = _ROLES.get(match.group(1).lower())
    if role and match.group(2) and "英文" in match.group(2):
        return f"{role}_en"
    return role


def _entry(block: Block, position: int, file_name: str) -> Entry:
    fields = block.fields()
    if not first(fields, "title", "abstract"):
        return bad_entry(file_name, position, block.line, "expected a 'Title-题名:' or 'Summary-摘要:' field")
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
        extra={k: v for k, v in (("database", first(fields, "database")), ("address", first(fields, "address")),
                                 ("cn", first(fields, "cn"))) if v},
    )
