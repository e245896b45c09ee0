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
from screener.sources._common import Block, Fields, bad_entry, every, first, numbered_lines

NAME = "wos"
LABEL = "Web of Science plain text"

_TAG = re.compile(r"([A-Z][A-Z0-9])(?: (.*))?")
_EMAIL_NOTE = re.compile(r"\s*\([^()]*@[^()]*\)")


def sniff(head: str) -> int:
    head = head.lstrip("\ufeff")
    if re.match(r"FN (?:Clarivate|Thomson|ISI)", head) or re.match(r"FN .*\nVR \d", head):
        return 95
    if re.search(r"^PT [A-Z]\s*$", head, re.M) and re.search(r"^ER\s*$", head, re.M) \
            and re.search(r"^(?:AU|TI|SO) ", head, re.M):
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


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    block: Block | None = None
    problem = ""
    position = 0
    for number, line in numbered_lines(stream, file_name):
        mark = _MARK.fullmatch(line) if line and (line[0] in "PpEe" or line[0].isspace()) else None
        starts = mark is not None and mark.group(1) is not None
        if starts and block is not None:
            # A PT before the record's ER: not two records run together silently.
            position += 1
            yield bad_entry(file_name, position, block.line,
                            f"expected 'ER' to close the record that starts here before the next "
                            f"'PT' (line {number})")
            block = None
        if block is None:
            if starts:
                block = Block(number, file_name)
                block.take(line)
                block.add("PT", mark.group(2))  # type: ignore[union-attr]
                problem = ""
            elif line.strip() and not line.startswith(("FN ", "VR ", "EF")) and line.strip().upper() != "ER":
                # Text outside a record that is not header or trailer: say so once, on the
                # next record, rather than guessing what it was.
                problem = problem or f"line {number}: expected 'PT' to start a record, found {line[:30]!r}"
            continue
        block.take(line)
        if mark is not None:  # ER
            position += 1
            yield _entry(block, position, file_name, problem)
            block, problem = None, ""
            continue
        if line[:1] in (" ", "\t"):
            if not block.extend(line.strip()) and not problem:
                problem = f"line {number}: a continuation line with no tag above it"
            continue
        match = _TAG.fullmatch(line.rstrip())
        if match and match.group(1) != "EF":
            block.add(match.group(1), match.group(2) or "")
        elif line.strip() and not problem:
            problem = (f"line {number}: expected a two-letter tag (e.g. 'TI ') or a continuation "
                       f"line indented by three spaces, found {line[:30]!r}")
    if block is not None:
        position += 1
        yield bad_entry(file_name, position, block.line,
                        "expected 'ER' to close the record that starts here; the file may be cut short")
    elif problem:
        yield bad_entry(file_name, position + 1, None, problem)


def _entry(block: Block, position: int, file_name: str, problem: str) -> Entry:
    if problem:
        return bad_entry(file_name, position, block.line, problem)
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
    return [t.strip() for value in every(fields, *tags) for t in value.replace("\n", " ").split(";")
            if t.strip()]


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
    extra = {key: value for key, value in (
        ("type", first(fields, "PT")), ("article_number", first(fields, "AR")),
        ("eissn", first(fields, "EI")), ("publisher", first(fields, "PU")),
    ) if value}
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
