"""NoteExpress (``{Reference Type}: Journal Article`` / ``{Title}: ...``), the export CNKI,
Wanfang, VIP and CBM/SinoMed all offer.

A record starts at ``{Reference Type}``; fields are ``{Name}: value`` (the colon may be the
full-width ``：``); a line without a ``{Name}`` continues the field above. Lists use ``;;``,
``;``, ``；`` or repeated fields. ``{Translated Title}``/``{Translated Abstract}``/
``{Translated Keywords}`` carry the English beside a Chinese record.
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

NAME = "noteexpress"
LABEL = "NoteExpress (CNKI, Wanfang, VIP, CBM)"

_FIELD = re.compile(r"\{([^{}]{1,60})\}\s*[:：]\s*(.*)")
_WESTERN_NAMES = re.compile(r"\s*(?:;;|;|；)\s*")  # "Smith, J" keeps its comma


def sniff(head: str) -> int:
    return 96 if re.search(r"^\ufeff?\{Reference Type\}\s*[:：]", head, re.M) else 0


def database(head: str) -> str | None:
    provider = re.search(r"^\{(?:Database Provider|SrcDatabase)\}\s*[:：]\s*(.+?)\s*$", head, re.M)
    if provider:
        return chinese_database(provider.group(1)) or provider.group(1)
    return chinese_database(head)


def _line(line: str) -> Line:
    match = _FIELD.match(line.lstrip())
    if match is None:
        return "text", "", line.strip()
    name = match.group(1).strip().rstrip(",")
    # Only {Reference Type} starts a record (in any case, after spaces too): CNKI writes line
    # breaks inside a value as runs of bare CRs, which read as blank lines in a field.
    if name.lower() == "reference type":
        return "start", "Reference Type", match.group(2)
    return "field", name, match.group(2)


LAYOUT = Layout(
    read=_line,
    unexpected=lambda line: f"expected a field such as '{{Title}}: ...', found {line[:30]!r}",
    blank=Blank.KEEP,
    glued=re.compile(r"\{Reference Type\}\s*[:：]", re.I),
)


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    return entries(stream, file_name, LAYOUT, _entry)


def _entry(piece: Piece, position: int) -> Entry:
    block = piece.block
    fields = block.fields()
    if not first(fields, "Title", "Abstract"):
        return bad_entry(
            block.file_name, position, block.line, "expected a {Title} or {Abstract} field"
        )
    return Entry(position, block.line, record=_record(fields, block.raw()))


def _text(value: str) -> str:
    # CNKI marks paragraph breaks inside a value as "(#br)".
    return value.replace("(#br)", "\n")


def _authors(values: list[str]) -> list[str]:
    names = []
    for value in values:
        pattern = CJK_NAME_SPLIT if has_cjk(value) else _WESTERN_NAMES
        names.extend(split_list([value], pattern))
    return names


def _record(fields: Fields, raw: str) -> Record:
    title = first(fields, "Title")
    chinese = has_cjk(title)
    provider = first(fields, "Database Provider", "SrcDatabase")
    extra = {
        k: v
        for k, v in (
            ("type", first(fields, "Reference Type")),
            ("database", provider),
            ("address", "; ".join(every(fields, "Author Address"))),
            ("cn", first(fields, "Notes")),
            ("translated_authors", "; ".join(every(fields, "Translated Author"))),
            ("translated_journal", first(fields, "Translated Journal")),
        )
        if v
    }
    return make_record(
        title=title,
        abstract=_text(first(fields, "Abstract")),
        authors=_authors(every(fields, "Author")),
        year=first(fields, "Year", "Date"),
        journal=first(fields, "Journal", "Secondary Title"),
        volume=first(fields, "Volume"),
        issue=first(fields, "Issue"),
        pages=first(fields, "Pages"),
        doi=first(fields, "DOI"),
        issn=first(fields, "ISBN/ISSN", "ISSN"),
        language=first(fields, "Language"),
        keywords=split_list(every(fields, "Keywords")),
        title_en=first(fields, "Translated Title") if chinese else "",
        abstract_en=_text(first(fields, "Translated Abstract", "English Abstract"))
        if chinese
        else "",
        keywords_en=split_list(every(fields, "Translated Keywords", "English Keywords"))
        if chinese
        else (),
        url=first(fields, "URL"),
        raw=raw,
        extra=extra,
    )
