"""Ovid text exports: the tagged download (``<3001. >`` then ``TI  - ...``, also Citavi ``.ovd``
and the EndNote ``.cgi`` download) and the labelled display format (``<1>``, then a field label
such as ``Title`` on its own line and the value indented below it).

Ovid's RIS download (``1.`` then ``TY  -``) is RIS and read by :mod:`screener.sources.ris`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from screener.records import Record, make_record, parse_year
from screener.sources import Entry
from screener.sources._common import Fields, bad_entry, every, first, numbered_lines
from screener.sources._tagged import Block

NAME = "ovid"
LABEL = "Ovid text export"

_START = re.compile(r"<\s*\d+\s*(?:\.\s*)?>\s*")
_TAG = re.compile(r"([A-Z][A-Z0-9]{1,3}) {1,2}- ?(.*)")
_DEGREES = frozenset(
    "MD PHD RN FAAN MSC BSC MPH MS BS MA DRPH DPHIL FRCP FRCS FACS DDS DMD PHARMD".split()
)
# "Ecohydrology.   8(6):1048-1064, September 2015." and "J Foo. 12 (Supplement 3) (no pagination),
# 2018."
_SOURCE = re.compile(
    r"^(?P<journal>.+?)\.\s+(?P<volume>\d[\w-]*)?\s*(?:\((?P<issue>[^)]*)\))?\s*"
    r"(?::\s*(?P<pages>[\w-]+))?(?P<rest>.*)$"
)

# display label (lower case) -> role
_LABELS = {
    "author": "authors",
    "authors": "authors",
    "title": "title",
    "source": "source",
    "abstract": "abstract",
    "author keywords": "keywords",
    "keywords": "keywords",
    "keyword heading": "keywords",
    "mesh subject headings": "mesh",
    "subject headings": "mesh",
    "language": "language",
    "document type": "pub_types",
    "publication type": "pub_types",
    "issn": "issn",
    "doi number": "doi",
    "digital object identifier": "doi",
    "doi": "doi",
    "accession number": "key",
    "unique identifier": "pmid",
    "pubmed unique identifier": "pmid",
    "year of publication": "year",
    "publication year": "year",
    "volume": "volume",
    "issue": "issue",
    "page": "pages",
    "pages": "pages",
    "journal name": "journal",
    "link to the ovid full text or citation": "url",
    "institution": "address",
    "status": "status",
}


def sniff(head: str) -> int:
    head = head.lstrip("\ufeff")
    if not re.search(r"^<\s*\d+\s*(?:\.\s*)?>\s*$", head, re.M):
        return 0
    if re.search(r"^(?:TI|AU|SO|DB|VN|UI)  - ", head, re.M):
        return 92
    if re.search(r"^(?:Title|Authors?|Source)\s*$", head, re.M):
        return 90
    return 0


def database(head: str) -> str | None:
    named = re.search(r"^DB  - (.+?)\s*$", head, re.M)
    value = named.group(1) if named else ""
    for marker, name in (("medline", "MEDLINE"), ("embase", "Embase"), ("psycinfo", "PsycINFO")):
        if marker in value.lower():
            return name
    # The labelled display format rarely names its database; the platform is all it tells.
    return value or "Ovid"


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    block: Block | None = None
    position = 0
    for number, line in numbered_lines(stream, file_name):
        if _START.fullmatch(line.strip()):
            if block is not None:
                position += 1
                yield _entry(block, position, file_name)
            block = Block(number, file_name)
            block.take(line)
            continue
        if block is None:
            if line.strip():
                position += 1
                yield bad_entry(
                    file_name,
                    position,
                    number,
                    f"expected a record number such as '<1>' before {line[:30]!r}",
                )
                return
            continue
        block.take(line)
    if block is not None:
        position += 1
        yield _entry(block, position, file_name)


def _entry(block: Block, position: int, file_name: str) -> Entry:
    body = block.lines[1:]
    while body and not body[-1].strip():
        body.pop()
    block.lines = block.lines[: len(body) + 1]
    content = [line for line in body if line.strip()]
    if not content:
        return bad_entry(
            file_name, position, block.line, "expected fields after the record number, found none"
        )
    if _TAG.fullmatch(content[0]):
        for line in body:
            match = _TAG.fullmatch(line)
            if match:
                block.add(match.group(1), match.group(2))
            elif line.strip():
                block.extend(line.strip())
        return Entry(position, block.line, record=_tagged_record(block.fields(), block.raw()))
    fields: Fields = {}
    role: str | None = "?"
    for line in body:
        if not line.strip():
            continue
        if not line[0].isspace():
            role = _LABELS.get(line.strip().lower())
            if role:
                fields.setdefault(role, []).append("")
            continue
        if role and role in fields:
            values = fields[role]
            values[-1] = f"{values[-1]}\n{line.strip()}" if values[-1] else line.strip()
    if not fields:
        return bad_entry(
            file_name,
            position,
            block.line,
            "expected tagged lines ('TI  - ...') or field labels ('Title') with indented values",
        )
    return Entry(position, block.line, record=_labelled_record(fields, block.raw()))


def _source(text: str) -> dict[str, str]:
    match = _SOURCE.match(" ".join(text.split()))
    if not match:
        return {"journal": text.strip().rstrip(".")}
    parts = {k: (v or "").strip() for k, v in match.groupdict().items()}
    parts["year"] = str(parse_year(parts.pop("rest")) or "")
    return parts


def _labelled_authors(value: str) -> list[str]:
    parts = (
        re.split(r";|\n", value) if ";" in value or "\n" in value else re.split(r"\s{2,}", value)
    )
    names = []
    for part in parts:
        part = re.sub(r"\s*\[Ed\]\s*$", "", part.strip())
        # Affiliation marks after a name: "Kohler, Lars 1", "Verbeek, Jan MD *".
        part = re.sub(r"(?:\s+(?:\d+|[*+#]+))+$", "", part).strip()
        tokens = [t.strip(".,").upper() for t in part.split()]
        if not part or (all(t in _DEGREES for t in tokens) and "," not in part):
            continue
        # Degrees after the given names: "Verbeek, Jan MD", "van Vugt, Arie MD, PhD".
        while (degree := re.search(r"[\s,]+([A-Za-z]+)\.?$", part)) and degree.group(
            1
        ).upper() in _DEGREES:
            part = part[: degree.start()]
        names.append(part)
    return names


def _labelled_record(fields: Fields, raw: str) -> Record:
    source = _source(first(fields, "source"))
    title = first(fields, "title")
    # Ovid appends the article type to the title: "... a systematic review.[Review]".
    kind = re.search(r"\[([A-Za-z ]+)\]\s*$", title)
    return make_record(
        title=title[: kind.start()].rstrip() if kind else title,
        abstract=first(fields, "abstract"),
        authors=[a for value in every(fields, "authors") for a in _labelled_authors(value)],
        year=first(fields, "year") or source.get("year") or parse_year(first(fields, "status")),
        journal=first(fields, "journal") or source.get("journal", ""),
        volume=first(fields, "volume") or source.get("volume", ""),
        issue=first(fields, "issue") or source.get("issue", ""),
        pages=first(fields, "pages") or source.get("pages", ""),
        doi=first(fields, "doi"),
        pmid=first(fields, "pmid"),
        issn=first(fields, "issn"),
        language=first(fields, "language").rstrip("."),
        pub_types=[kind.group(1)] if kind else [v.rstrip(".") for v in every(fields, "pub_types")],
        keywords=[
            k.strip(" .")
            for v in every(fields, "keywords")
            for k in re.split(r";|\n", v)
            if k.strip(" .")
        ],
        mesh=[m for v in every(fields, "mesh") for m in v.split("\n") if m.strip()],
        url=first(fields, "url"),
        source_key=first(fields, "key").rstrip("."),
        raw=raw,
    )


def _tagged_record(fields: Fields, raw: str) -> Record:
    source = _source(first(fields, "SO"))
    databases = " ".join(every(fields, "DB")).lower()
    pmid = first(fields, "PM")
    if not pmid and ("medline" in databases or "pubmed" in databases):
        pmid = first(fields, "UI")
    return make_record(
        title=first(fields, "TI"),
        abstract=first(fields, "AB"),
        authors=every(fields, "AU") or every(fields, "FA"),
        year=first(fields, "YR", "YP") or source.get("year"),
        journal=first(fields, "JN", "JT") or source.get("journal", ""),
        journal_abbrev=first(fields, "JA", "JB"),
        volume=first(fields, "VO", "VL") or source.get("volume", ""),
        issue=first(fields, "IP") or source.get("issue", ""),
        pages=first(fields, "PG") or source.get("pages", ""),
        doi=first(fields, "DO", "DI"),
        pmid=pmid,
        issn=first(fields, "IS", "SN"),
        language=first(fields, "LG", "LA"),
        pub_types=every(fields, "PT"),
        keywords=every(fields, "KW", "KF"),
        mesh=every(fields, "MH", "SH"),
        url=first(fields, "UR", "XL"),
        source_key=first(fields, "UI", "AN"),
        raw=raw,
        extra={
            k: v for k, v in (("database", first(fields, "DB")), ("type", first(fields, "ST"))) if v
        },
    )
