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

import io
import re
from collections.abc import Iterator
from typing import TextIO

from screener.records import Record, make_record, parse_year
from screener.sources import Chunk, Entry
from screener.sources._common import Fields, bad_entry, every, first

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
_CHUNK = 1 << 20


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    return _entries(stream, file_name, first_line=1)


def _entries(stream: TextIO, file_name: str, *, first_line: int) -> Iterator[Entry]:
    position = 0
    line = first_line
    for gap, text, complete in _records(stream):
        position += 1
        line += gap
        yield _entry(text, complete, position, line, file_name)
        line += text.count("\n")


def chunks(stream: TextIO, *, file_name: str, size: int = 500) -> Iterator[Chunk]:
    """The file's text in uncounted chunks (see :class:`~screener.sources.Chunk`) of about
    ``size`` records, each cut right after an ``ER`` line.

    Whatever precedes an ``ER`` line, the one-piece reader is between records after it (the line
    closes the record open there, if any, and is skipped otherwise), so a chunk read on its own
    reads as that part of the file does. Finding the cuts needs only a search for ``ER`` lines
    and a count of newlines: the records are found, split and read in the workers.
    """
    buffer, line, at_eof = "", 1, False
    scanned, found = 0, 0  # where the search for ER lines goes on; ER lines found since the cut
    while True:
        cut = None
        while (closing := _find(_END, "ER", buffer, scanned)) is not None:
            newline = buffer.find("\n", closing.end())
            if newline < 0:
                break  # the ER line is not whole yet
            found += 1
            scanned = newline
            if found == size:
                cut = newline + 1
                break
        if cut is not None:
            piece, buffer = buffer[:cut], buffer[cut:]
            yield Chunk(0, line, piece)
            line += piece.count("\n")
            scanned, found = 0, 0
            continue
        if at_eof:
            if buffer:
                yield Chunk(0, line, buffer)
            return
        more = stream.read(_CHUNK)
        at_eof = not more
        buffer += more


def parse_chunk(chunk: Chunk, *, file_name: str) -> Iterator[Entry]:
    """The entries of one chunk made by :func:`chunks`, numbered from 1."""
    return _entries(io.StringIO(chunk.data), file_name, first_line=chunk.first_line)  # type: ignore[arg-type]


def _entry(text: str, complete: bool, position: int, line: int, file_name: str) -> Entry:
    """The Entry of one record's text, ``TY`` to ``ER``, which starts at ``line``."""
    if not complete:
        return bad_entry(file_name, position, line,
                         "expected 'ER  -' to close the record that starts here; the file may be cut short")
    found = _LINE.findall("\n" + text)
    fields: Fields = {}
    for tag, value in found:
        if not tag:  # a continuation line: gather the values again, line by line
            pairs = _gathered(found)
            fields = {}
            for tag, value in pairs:
                if tag in fields:
                    fields[tag].append(value)
                else:
                    fields[tag] = [value]
            break
        values = fields.get(tag)
        if values is None:
            fields[tag] = [value]
        else:
            values.append(value)
    else:
        # _records ends a record at its first ER line, so ER can only be the last field.
        pairs = found[:-1] if found[-1][0] == "ER" else found
        fields.pop("ER", None)
    if len(fields) <= 1 and not first(fields, "TY"):
        return bad_entry(file_name, position, line, "expected tagged fields after 'TY  -', found none")
    return Entry(position, line, record=build_record(text, pairs, fields))


# Every line of a record, found from the newline before it (a pattern that starts with a
# literal lets the regex engine jump from newline to newline): (tag, value) for a tag line,
# ("", text) for a continuation line.
_LINE = re.compile(r"\n(?:([A-Z][A-Z0-9]{1,3}) {1,2}- ?)?([^\n]*)")


def _gathered(lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(tag, value) of each field, the closing ``ER`` left out. Continuation lines join their
    tag's value: each trimmed, blank ones dropped, newlines kept."""
    fields: list[list[str]] = []
    for tag, value in lines:
        if tag:
            fields.append([tag, value])
        elif fields:
            fields[-1].append(value)
    pairs = []
    for tag, head, *rest in fields:
        if tag == "ER":
            continue
        if rest:
            parts = [head] if head else []
            parts += [part.strip() for part in rest if part.strip()]
            head = "\n".join(parts)
        pairs.append((tag, head))
    return pairs


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
    """``(gap, text, complete)`` of each record, ``TY`` to ``ER``, read a megabyte at a time.

    ``gap`` is the number of newlines between the previous record's end (or the start of the
    file) and this record; the caller adds the record's own newlines, which it counts anyway.

    The 100,000-record benchmark's hot path: records are found by searching big blocks of text
    instead of a Python step per line. Text outside records (Ovid's ``1.`` lines, headers,
    links) is skipped. A record without ``ER`` ends at a blank line followed by the next
    ``TY``; one still open at the end of the file is returned incomplete.
    """
    buffer, at_eof = "", False
    counted_to, gap = 0, 0  # newlines before buffer[counted_to] since the last record: gap
    position = 0
    while True:
        start = _find(_START, "TY", buffer, position)
        end = _end_of(buffer, start.start(), start.end()) if start else None
        if start is None or end is None:
            if at_eof:
                if start is not None:
                    gap += buffer.count("\n", counted_to, start.start())
                    yield gap, buffer[start.start():].lstrip("\ufeff").rstrip(), False
                return
            # Keep the unfinished record (or the last partial line) and read on.
            keep = start.start() if start else buffer.rfind("\n", position) + 1
            keep = max(keep, position)
            gap += buffer.count("\n", counted_to, keep)
            chunk = stream.read(_CHUNK)
            at_eof = not chunk
            buffer, counted_to, position = buffer[keep:] + chunk, 0, 0
            continue
        gap += buffer.count("\n", counted_to, start.start())
        yield gap, buffer[start.start():end].lstrip("\ufeff"), True
        counted_to = position = end
        gap = 0


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


def _firsts(fields: Fields) -> dict[str, str]:
    """Tag -> its first non-blank value, trimmed: ``first(fields, tag)`` for every tag at once."""
    found = {}
    for tag, values in fields.items():
        for value in values:
            value = value.strip()
            if value:
                found[tag] = value
                break
    return found


def _in_order(pairs: list[tuple[str, str]], firsts: dict[str, str], tags: tuple[str, ...]) -> str:
    """The first non-blank value among ``tags``, whichever of them comes first in the file."""
    present = [tag for tag in tags if tag in firsts]
    if len(present) <= 1:
        return firsts[present[0]] if present else ""
    for tag, value in pairs:
        if tag in tags:
            value = value.strip()
            if value:
                return value
    return ""


def _year(fields: Fields) -> int | None:
    for value in every(fields, "PY", "Y1", "DA", "Y"):
        year = parse_year(value)
        if year:
            return year
    return None


def _pages(firsts: dict[str, str]) -> str:
    start, end = firsts.get("SP", ""), firsts.get("EP", "")
    # Ovid writes "SP - No / EP - Specified" for records without pages.
    if not any(ch.isdigit() for ch in start + end):
        return ""
    if end and "-" not in start:
        return f"{start}-{end}"
    return start or end


def _doi(fields: Fields, firsts: dict[str, str]) -> str:
    found = firsts.get("DO") or firsts.get("DI")
    if found:
        return found
    for value in every(fields, "M3", "N1", "UR", "L2", "L3", "LK"):
        lowered = value.lower()
        if lowered.startswith(("doi:", "10.")) or "doi.org/10." in lowered:
            return value
    return ""


def _pmid_pmcid(fields: Fields, firsts: dict[str, str]) -> tuple[str, str]:
    pmid = firsts.get("PMID") or firsts.get("PM") or ""
    databases = {v.lower() for v in every(fields, "DB", "DP")}
    if not pmid and databases & {"nlm", "pubmed", "medline"}:
        accession = firsts.get("AN", "")
        pmid = accession if accession.isdigit() else ""
    if not pmid and "embase" in databases and firsts.get("C5", "").isdigit():
        pmid = firsts["C5"]
    pmcid = ""
    for value in every(fields, "C2"):
        if value.upper().startswith("PMC"):
            pmcid = value
        elif not pmid and value.isdigit() and "scopus" in databases:
            pmid = value
    return pmid, pmcid


def _authors(pairs: list[tuple[str, str]], fields: Fields) -> list[str]:
    """AU and A1 names in file order, a value holding several split at ``;``."""
    if "A1" not in fields:
        values = fields.get("AU", ())
    elif "AU" not in fields:
        values = fields["A1"]
    else:  # both tags: keep their interleaving
        values = [value for tag, value in pairs if tag in ("AU", "A1")]
    names = []
    for value in values:
        if ";" in value:
            names.extend(part for part in value.split(";") if part.strip())
        elif value.strip():
            names.append(value)
    return names


def build_record(text: str, pairs: list[tuple[str, str]], fields: Fields) -> Record:
    """A Record from one RIS entry: its text, its (tag, value) pairs and those by tag."""
    firsts = _firsts(fields)
    get = firsts.get
    journal = get("JF") or get("T2") or get("JO") or ""
    abbrev = get("JA") or get("J2") or get("JI") or get("J9") or ""
    if not abbrev and get("JO", "") not in ("", journal):
        abbrev = firsts["JO"]
    pmid, pmcid = _pmid_pmcid(fields, firsts)
    extra = {key: value for key, value in (
        ("type", get("TY")), ("database", get("DB")), ("publisher", get("PB")), ("address", get("AD")),
    ) if value}
    return make_record(
        title=_in_order(pairs, firsts, ("TI", "T1", "CT")) or get("BT") or get("ST") or "",
        abstract=_in_order(pairs, firsts, ("AB", "N2")),
        authors=_authors(pairs, fields),
        year=_year(fields),
        journal=journal,
        journal_abbrev=abbrev,
        volume=get("VL") or get("VO") or "",
        issue=get("IS") or get("CP") or "",
        pages=_pages(firsts),
        doi=_doi(fields, firsts),
        pmid=pmid,
        pmcid=pmcid,
        issn=get("SN", ""),
        language=get("LA", ""),
        pub_types=[v for v in every(fields, "M3") if not v.lower().startswith(("doi", "10."))],
        keywords=[k for value in every(fields, "KW") for k in value.split("\n") if k.strip()],
        url=get("UR") or get("L2") or "",
        source_key=get("AN") or get("ID") or get("U2") or "",
        raw=text,
        extra=extra,
    )
