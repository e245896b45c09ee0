"""Web of Science plain text (``FN``/``VR`` header, ``PT`` ... ``ER`` records, ``EF`` at the end).

Each line is a two-character tag, a space and a value; a line indented by three spaces continues
the tag above (for AU/AF/C1/CR it is the next value, for TI/AB/DE the text goes on). The same
layout comes from the Core Collection, Zoological Record, MEDLINE on the WoS platform and JabRef's
``.isi`` files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from screener.records import Record, make_record, parse_year
from screener.sources import Entry
from screener.sources._common import Fields, bad_entry, every, first
from screener.sources._tagged import Blank, Flaw, Layout, Line, Piece, entries

NAME = "wos"
LABEL = "Web of Science plain text"

_TAG = re.compile(r"([A-Z][A-Z0-9])(?: (.*))?")
_EMAIL_NOTE = re.compile(r"\s*\([^()]*@[^()]*\)")


def sniff(head: str) -> int:
    head = head.lstrip("\ufeff")
    if re.match(r"FN (?:Clarivate|Thomson|ISI)", head) or re.match(r"FN .*\nVR \d", head):
        return 95
    if (
        re.search(r"^PT [A-Z]\s*$", head, re.M)
        and re.search(r"^ER\s*$", head, re.M)
        and re.search(r"^(?:AU|TI|SO) ", head, re.M)
    ):
        return 80
    return 0


def database(head: str) -> str | None:
    if re.search(r"^AN ZOOR", head, re.M):
        return "Zoological Record"
    if re.search(r"^FN ", head.lstrip("\ufeff"), re.M) or re.search(r"^UT WOS:", head, re.M):
        return "Web of Science"
    return None


# PT and ER mark records even when written after a space, a tab, a no-break space or a BOM (an
# export appended to another), or in lower case; three spaces make a continuation line instead.
_MARK = re.compile(r"(?!   )[^\S\n]*([Pp][Tt]) (.*)|(?!   )[^\S\n]*([Ee][Rr])\s*")


def _line(line: str) -> Line:
    mark = _MARK.fullmatch(line) if line[0] in "PpEe" or line[0].isspace() else None
    if mark is not None:
        return ("start", "PT", mark.group(2)) if mark.group(1) is not None else ("end", "ER", "")
    if line[0] in " \t":
        return "text", "", line.strip()
    match = _TAG.fullmatch(line.rstrip())
    if match and match.group(1) != "EF":
        return "field", match.group(1), match.group(2) or ""
    return "bad", "", ""


def _outside(line: str) -> str | None:
    # Text outside a record that is not header or trailer: say so rather than guess what it was.
    # Headers and trailers are taken as PT and ER are: indented, after a BOM, in lower case.
    head = line.strip().lstrip("\ufeff").upper()
    if head.startswith(("FN ", "VR ", "EF")) or head == "ER":
        return None
    return f"expected 'PT' to start a record, found {line[:30]!r}"


LAYOUT = Layout(
    read=_line,
    unexpected=lambda line: (
        f"expected a two-letter tag (e.g. 'TI ') or a continuation line "
        f"indented by three spaces, found {line[:30]!r}"
    ),
    blank=Blank.KEEP,
    flaw=Flaw.RECORD,
    orphan="a continuation line with no tag above it",
    outside=_outside,
)


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    return entries(stream, file_name, LAYOUT, _entry)


def _entry(piece: Piece, position: int) -> Entry:
    block = piece.block
    if not piece.marked:
        if piece.end_line is not None:
            # A PT before the record's ER: not two records run together silently.
            why = (
                f"expected 'ER' to close the record that starts here before the next 'PT' "
                f"(line {piece.end_line})"
            )
        else:
            why = "expected 'ER' to close the record that starts here; the file may be cut short"
        return bad_entry(block.file_name, position, block.line, why)
    if piece.problem:
        return bad_entry(block.file_name, position, block.line, piece.problem)
    return Entry(position, block.line, record=build_record(block.fields(), block.raw()))


def _names(fields: Fields, tag: str) -> list[str]:
    names = []
    for value in every(fields, tag):
        for part in re.split(r"\n|;", value):
            part = _EMAIL_NOTE.sub("", part).strip()
            if part:
                names.append(part)
    return names


def _terms(fields: Fields, *tags: str) -> list[str]:
    # Keyword lists wrap mid-term ("TROPHIC\n   STATE INDEX"), so rejoin before splitting.
    return [
        t.strip()
        for value in every(fields, *tags)
        for t in value.replace("\n", " ").split(";")
        if t.strip()
    ]


def _year(fields: Fields) -> int | None:
    for value in every(fields, "PY", "PD", "EA", "EY"):
        year = parse_year(value)
        if year:
            return year
    return None


def _pmid(fields: Fields) -> str:
    found = first(fields, "PM")
    if found:
        return found
    accession = first(fields, "UT")
    return accession.partition(":")[2] if accession.upper().startswith("MEDLINE:") else ""


def build_record(fields: Fields, raw: str) -> Record:
    """A Record from the tags of one WoS record (plain text or one tab-delimited row)."""
    start, end = first(fields, "BP"), first(fields, "EP")
    pages = f"{start}-{end}" if start and end else (start or first(fields, "PS"))
    extra = {
        key: value
        for key, value in (
            ("type", first(fields, "PT")),
            ("article_number", first(fields, "AR")),
            ("eissn", first(fields, "EI")),
            ("publisher", first(fields, "PU")),
        )
        if value
    }
    return make_record(
        title=first(fields, "TI"),
        abstract=first(fields, "AB"),
        authors=_names(fields, "AF") or _names(fields, "AU") or _names(fields, "CA"),
        year=_year(fields),
        journal=first(fields, "SO", "SE", "BS"),
        journal_abbrev=first(fields, "JI", "J9"),
        volume=first(fields, "VL"),
        issue=first(fields, "IS"),
        pages=pages,
        doi=first(fields, "DI", "D2"),
        pmid=_pmid(fields),
        issn=first(fields, "SN", "EI"),
        language=first(fields, "LA"),
        pub_types=_terms(fields, "DT"),
        keywords=_terms(fields, "DE", "ID"),
        source_key=first(fields, "UT", "AN"),
        raw=raw,
        extra=extra,
    )
