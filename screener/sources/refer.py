"""EndNote tagged / refer (``%0 Journal Article``, ``%A``, ``%T`` ...), including the EndNote
exports of CNKI, Wanfang, VIP and SinoMed (``%W CNKI``, authors as ``张三;李四;``).

Records are separated by blank lines; a new ``%0`` also starts one when the current record has
its own ``%0`` and fields after it (files written without blank lines).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from screener.records import Record, make_record, parse_year
from screener.sources import Entry
from screener.sources._common import Fields, chinese_database, every, first, has_cjk, split_list
from screener.sources._tagged import Blank, Block, Layout, Line, Piece, entries

NAME = "refer"
LABEL = "EndNote tagged / refer (%0 %A %T)"

_KNOWN = {
    "pubmed": "PubMed",
    "medline": "MEDLINE",
    "embase": "Embase",
    "scopus": "Scopus",
    "web of science": "Web of Science",
}
_TAG = re.compile(r"%([0-9A-Za-z@+*?!#$&()=~\[\]^<>|])(?: (.*))?")


def sniff(head: str) -> int:
    lines = [line for line in head.lstrip("\ufeff").split("\n") if line.strip()][:40]
    if not lines or not _TAG.fullmatch(lines[0].rstrip("\r")):
        return 0
    tags = {m.group(1) for m in (_TAG.fullmatch(line.rstrip("\r")) for line in lines) if m}
    return 88 if len(tags & {"0", "A", "T", "D", "J", "B"}) >= 2 else 0


def database(head: str) -> str | None:
    # %~ is "Name of Database"; %W is "Database Provider" in EndNote but "Loc. in Archive" in
    # other refer dialects, so it only counts when it names a database screener knows.
    named = re.search(r"^%~ (.+?)\s*$", head, re.M)
    if named:
        return named.group(1)
    provider = re.search(r"^%W (.+?)\s*$", head, re.M)
    if provider:
        return chinese_database(provider.group(1)) or _KNOWN.get(provider.group(1).lower())
    return None


def _line(line: str) -> Line:
    # A tag after spaces is still a tag: refer values never start with '%X '.
    match = _TAG.fullmatch(line.strip())
    if match is None:
        return "text", "", line.strip()
    tag = match.group(1)
    return "start" if tag == "0" else "field", tag, match.group(2) or ""


def _has_type_and_fields(block: Block) -> bool:
    tags = block.tags()
    return "0" in tags and any(tag != "0" for tag in tags[tags.index("0") :])


LAYOUT = Layout(
    read=_line,
    unexpected=lambda line: (
        f"expected a tag such as '%0' or '%T' at the start of a record, found {line[:30]!r}"
    ),
    blank=Blank.CLOSE,
    # Files written without blank lines: a %0 starts the next record once this one has its own.
    again=_has_type_and_fields,
)


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    return entries(stream, file_name, LAYOUT, _entry)


def _entry(piece: Piece, position: int) -> Entry:
    return Entry(
        position, piece.block.line, record=build_record(piece.block.fields(), piece.block.raw())
    )


def _names(values: list[str]) -> list[str]:
    # CNKI writes all authors in one tag separated by ";"; Western exports one per tag.
    out = []
    for value in values:
        out.extend(split_list([value]) if has_cjk(value) or ";" in value else [value])
    return out


def build_record(fields: Fields, raw: str) -> Record:
    """A Record from the ``%`` tags of one refer entry."""
    title = first(fields, "T")
    translated = first(fields, "Q")
    chinese = has_cjk(title)
    year = next((y for y in (parse_year(v) for v in every(fields, "D", "8", "7")) if y), None)
    keywords = split_list(every(fields, "K"))
    extra = {
        k: v
        for k, v in (
            ("type", first(fields, "0")),
            ("database", first(fields, "W", "~")),
            ("address", first(fields, "+")),
            ("call_number", first(fields, "L")),
            ("translated_authors", "; ".join(every(fields, "H"))),
        )
        if v
    }
    accession = first(fields, "M")
    return make_record(
        title=title,
        abstract=first(fields, "X"),
        authors=_names(every(fields, "A")),
        year=year,
        journal=first(fields, "J", "B"),
        journal_abbrev=first(fields, "O"),
        volume=first(fields, "V"),
        issue=first(fields, "N"),
        pages=first(fields, "P"),
        doi=first(fields, "R"),
        pmid=accession
        if accession.isdigit() and "pubmed" in first(fields, "W", "~").lower()
        else "",
        pmcid=first(fields, "2"),
        issn=first(fields, "@"),
        language=first(fields, "G"),
        pub_types=every(fields, "9"),
        keywords=keywords,
        title_en=translated if chinese else "",
        url=first(fields, "U"),
        source_key=accession,
        raw=raw,
        extra=extra,
    )
