"""RIS, as Embase.com, Ovid, Scopus, Web of Science, EBSCO, ProQuest, IEEE, JSTOR, EndNote, Zotero
and the Cochrane Library write it.

Read line by line (rispy loads a whole file into memory; a 100,000-record export must stream):
a record runs from ``TY  -`` to ``ER  -``. Tolerated dialect quirks: a BOM, CRLF, Ovid's
numbered ``1.`` lines and notes between records, one-space tags (``KW - x``), four-letter tags
(``PMID - ``), untagged continuation lines, and a missing ``ER`` when a blank line and the next
``TY`` show where the record ended. A record still open at the end of the file means the file
was cut short: that entry is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from screener.records import Record, make_record, parse_year
from screener.sources import Entry
from screener.sources._common import Block, Fields, bad_entry, every, first

NAME = "ris"
LABEL = "RIS"

_TAG = re.compile(r"([A-Z][A-Z0-9]{1,3}) {1,2}- ?(.*)")
_TAG_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

# Ovid's D= database codes (in its links) -> the database searched.
_OVID_DATABASES = (("psyc", "PsycINFO"), ("emed", "Embase"), ("emez", "Embase"), ("oemez", "Embase"),
                   ("medl", "MEDLINE"), ("mesz", "MEDLINE"), ("prem", "MEDLINE"), ("caba", "CAB Abstracts"),
                   ("cctr", "Cochrane CENTRAL"), ("coch", "Cochrane CENTRAL"))


def sniff(head: str) -> int:
    head = head.lstrip("\ufeff")
    if not re.search(r"^\s?\ufeff?TY {1,2}- ?\S", head, re.M):
        return 0
    return 95 if re.search(r"^ER {1,2}-", head, re.M) else 85


def database(head: str) -> str | None:
    """The database named by the first ``DB``/``DP`` tag, a header line or a telling link."""
    head = head.lstrip("\ufeff")
    named = re.search(r"^DB {1,2}- ?(\S.*?)\s*$", head, re.M)
    if named:
        value = named.group(1)
        return {"medline": "MEDLINE", "pubmed": "PubMed"}.get(value.lower(), value)
    provider = re.search(r"^DP {1,2}- ?(\S.*?)\s*$", head, re.M)
    if provider and provider.group(1).upper() == "NLM":
        return "PubMed"
    header = re.search(r"^Database: *(\S.*?)\s*$", head, re.M)
    if header:
        return header.group(1)
    if "scopus.com/inward" in head:
        return "Scopus"
    accession = re.search(r"^AN {1,2}- ?(\S+)", head, re.M)
    if accession and accession.group(1).startswith("WOS:"):
        return "Web of Science"
    if "app.dimensions.ai" in head:
        return "Dimensions"
    if "ovidsp.ovid.com" in head or "ovidweb.cgi" in head:
        code = re.search(r"[?&]D=([a-z]+)", head)
        for prefix, name in _OVID_DATABASES:
            if code and code.group(1).startswith(prefix):
                return name
        return "Ovid"
    if "cochranelibrary.com" in head:
        return "Cochrane CENTRAL"
    if provider:
        return provider.group(1)
    return None


_START = re.compile(r"\ufeff?TY {1,2}-")
_END = re.compile(r"ER {1,2}-[^\n]*")
_TAG_LINE = re.compile(r"^[A-Z][A-Z0-9]{1,3} {1,2}-", re.M)
# A tag line and the untagged continuation lines under it, in one match.
_FIELD = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {1,2}- ?([^\n]*(?:\n(?![A-Z][A-Z0-9]{1,3} {1,2}-)[^\n]*)*)", re.M)
_CHUNK = 1 << 20


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    position = 0
    for line, text, complete in _records(stream):
        position += 1
        if not complete:
            yield bad_entry(file_name, position, line,
                            "expected 'ER  -' to close the record that starts here; the file may be cut short")
            continue
        pairs = [[tag, value if "\n" not in value else _joined(value)]
                 for tag, value in _FIELD.findall(text) if tag != "ER"]
        fields: Fields = {}
        for tag, value in pairs:
            if tag in fields:
                fields[tag].append(value)
            else:
                fields[tag] = [value]
        if len(fields) <= 1 and not first(fields, "TY"):
            yield bad_entry(file_name, position, line, "expected tagged fields after 'TY  -', found none")
            continue
        block = Block(line)
        block.lines, block.pairs = [text], pairs
        yield Entry(position, line, record=build_record(block, fields))


def _joined(value: str) -> str:
    """A value with continuation lines: each line trimmed, blank lines dropped, newlines kept."""
    head, *rest = value.split("\n")
    lines = [head] if head else []
    lines += [part.strip() for part in rest if part.strip()]
    return "\n".join(lines)


def _find(pattern: re.Pattern[str], lead: str, buffer: str, start: int) -> re.Match[str] | None:
    """The first match of ``pattern`` at the start of a line at or after ``start``.

    str.find locates the candidate lines, those starting with ``lead`` (fast, in C); the
    pattern only confirms each. A MULTILINE regex search would step through every character.
    """
    if start == 0:
        found = pattern.match(buffer, 0)
        if found:
            return found
    at = start
    while (at := buffer.find("\n" + lead, at)) >= 0:
        found = pattern.match(buffer, at + 1)
        if found:
            return found
        at += 1
    return None


def _records(stream: TextIO) -> Iterator[tuple[int, str, bool]]:
    """``(line, text, complete)`` of each record, ``TY`` to ``ER``, read a megabyte at a time.

    The 100,000-record benchmark's hot path: records are found by searching big blocks of text
    instead of a Python step per line. Text outside records (Ovid's ``1.`` lines, headers,
    links) is skipped. A record without ``ER`` ends at a blank line followed by the next
    ``TY``; one still open at the end of the file is returned incomplete.
    """
    buffer, at_eof = "", False
    counted_to, line = 0, 1  # buffer[counted_to] is at the start of line ``line``
    position = 0
    while True:
        start = _find(_START, "TY", buffer, position)
        end = _end_of(buffer, start.start(), start.end()) if start else None
        if start is None or end is None:
            if at_eof:
                if start is not None:
                    line += buffer.count("\n", counted_to, start.start())
                    yield line, buffer[start.start():].lstrip("\ufeff").rstrip(), False
                return
            # Keep the unfinished record (or the last partial line) and read on.
            keep = start.start() if start else buffer.rfind("\n", position) + 1
            keep = max(keep, position)
            line += buffer.count("\n", counted_to, keep)
            chunk = stream.read(_CHUNK)
            at_eof = not chunk
            buffer, counted_to, position = buffer[keep:] + chunk, 0, 0
            continue
        line += buffer.count("\n", counted_to, start.start())
        counted_to = start.start()
        yield line, buffer[start.start():end].lstrip("\ufeff"), True
        position = end


def _end_of(buffer: str, start: int, search_from: int) -> int | None:
    """Where the record starting at ``start`` ends, or None if the buffer holds no end yet."""
    while True:
        closing = _find(_END, "ER", buffer, search_from)
        following = _find(_START, "TY", buffer, search_from)
        if following is None or (closing is not None and closing.start() < following.start()):
            return closing.end() if closing else None
        # A TY before the ER: the record ended if a blank line follows its last tag line.
        segment = buffer[start:following.start()]
        tags = list(_TAG_LINE.finditer(segment))
        if len(tags) > 1:
            last_line_end = segment.find("\n", tags[-1].start())
            if last_line_end >= 0 and re.search(r"\n[ \t]*\n", segment[last_line_end:]):
                return start + len(segment.rstrip())
        search_from = following.end()


def _in_order(block: Block, tags: tuple[str, ...]) -> str:
    """The first non-blank value among ``tags``, whichever of them comes first in the file."""
    for pair in block.pairs:
        if pair[0] in tags:
            value = "\n".join(pair[1:]).strip()
            if value:
                return value
    return ""


def _year(fields: Fields) -> int | None:
    for value in every(fields, "PY", "Y1", "DA", "Y"):
        year = parse_year(value)
        if year:
            return year
    return None


def _pages(fields: Fields) -> str:
    start, end = first(fields, "SP"), first(fields, "EP")
    # Ovid writes "SP - No / EP - Specified" for records without pages.
    if not any(ch.isdigit() for ch in start + end):
        return ""
    if end and "-" not in start:
        return f"{start}-{end}"
    return start or end


def _doi(fields: Fields) -> str:
    found = first(fields, "DO", "DI")
    if found:
        return found
    for value in every(fields, "M3", "N1", "UR", "L2", "L3", "LK"):
        lowered = value.lower()
        if lowered.startswith(("doi:", "10.")) or "doi.org/10." in lowered:
            return value
    return ""


def _pmid_pmcid(fields: Fields) -> tuple[str, str]:
    pmid = first(fields, "PMID", "PM")
    databases = {v.lower() for v in every(fields, "DB", "DP")}
    if not pmid and databases & {"nlm", "pubmed", "medline"}:
        accession = first(fields, "AN")
        pmid = accession if accession.isdigit() else ""
    if not pmid and "embase" in databases and first(fields, "C5").isdigit():
        pmid = first(fields, "C5")
    pmcid = ""
    for value in every(fields, "C2"):
        if value.upper().startswith("PMC"):
            pmcid = value
        elif not pmid and value.isdigit() and "scopus" in databases:
            pmid = value
    return pmid, pmcid


def _authors(block: Block) -> list[str]:
    names = []
    for pair in block.pairs:
        if pair[0] in ("AU", "A1"):
            for line in pair[1:]:
                names.extend(part for part in line.split(";") if part.strip())
    return names


def build_record(block: Block, fields: Fields) -> Record:
    """A Record from one RIS entry (also used for RIS-like tagged exports)."""
    journal = first(fields, "JF", "T2", "JO")
    abbrev = first(fields, "JA", "J2", "JI", "J9")
    if not abbrev and first(fields, "JO") not in ("", journal):
        abbrev = first(fields, "JO")
    pmid, pmcid = _pmid_pmcid(fields)
    extra = {key: value for key, value in (
        ("type", first(fields, "TY")), ("database", first(fields, "DB")),
        ("publisher", first(fields, "PB")), ("address", first(fields, "AD")),
    ) if value}
    return make_record(
        title=_in_order(block, ("TI", "T1", "CT")) or first(fields, "BT", "ST"),
        abstract=_in_order(block, ("AB", "N2")),
        authors=_authors(block),
        year=_year(fields),
        journal=journal,
        journal_abbrev=abbrev,
        volume=first(fields, "VL", "VO"),
        issue=first(fields, "IS", "CP"),
        pages=_pages(fields),
        doi=_doi(fields),
        pmid=pmid,
        pmcid=pmcid,
        issn=first(fields, "SN"),
        language=first(fields, "LA"),
        pub_types=[v for v in every(fields, "M3") if not v.lower().startswith(("doi", "10."))],
        keywords=[k for value in every(fields, "KW") for k in value.split("\n") if k.strip()],
        url=first(fields, "UR", "L2"),
        source_key=first(fields, "AN", "ID", "U2"),
        raw=block.raw(),
        extra=extra,
    )
