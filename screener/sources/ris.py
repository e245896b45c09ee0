"""RIS, as Embase.com, Ovid, Scopus, Web of Science, EBSCO, ProQuest, IEEE, JSTOR, EndNote, Zotero
and the Cochrane Library write it.

Streamed (rispy loads a whole file into memory; a 100,000-record export must not): a record
runs from ``TY  -`` to ``ER  -``, found as :mod:`screener.sources._ris_text` says. Tolerated
dialect quirks: a BOM, CRLF, TY and ER lines after spaces or invisible characters or in lower
case (and then the record's tags too), Ovid's numbered ``1.`` lines and notes between records,
one-space tags (``KW - x``), four-letter tags (``PMID - ``), untagged continuation lines, and a
missing ``ER`` when a blank line and the next ``TY`` show where the record ended. A record still
open at the end of the file means the file was cut short, and fields outside any record mean a
record could not be read: those entries are errors.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import TextIO

from screener.records import Record, make_record, parse_year
from screener.sources import Chunk, Entry, _ris_text
from screener.sources._common import Fields, bad_entry, every, first

NAME = "ris"
LABEL = "RIS"

# Ovid's D= database codes (in its links) -> the database searched.
_OVID_DATABASES = (
    ("psyc", "PsycINFO"),
    ("emed", "Embase"),
    ("emez", "Embase"),
    ("oemez", "Embase"),
    ("medl", "MEDLINE"),
    ("mesz", "MEDLINE"),
    ("prem", "MEDLINE"),
    ("caba", "CAB Abstracts"),
    ("cctr", "Cochrane CENTRAL"),
    ("coch", "Cochrane CENTRAL"),
)


def sniff(head: str) -> int:
    head = _ris_text.plain_marks(head)
    if not re.search(r"^TY {1,2}- ?\S", head, re.M):
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


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    return _entries(stream, file_name, first_line=1)


def _entries(
    stream: TextIO, file_name: str, *, first_line: int, cut: bool = False
) -> Iterator[Entry]:
    position = 0
    for line, text, kind in _ris_text.records(stream, file_name, first_line=first_line, cut=cut):
        position += 1
        if kind == "stray":
            yield bad_entry(file_name, position, line, text)
        else:
            yield _entry(text, kind == "whole", position, line, file_name)


def chunks(stream: TextIO, *, file_name: str, size: int = 500) -> Iterator[Chunk]:
    """The file's text in uncounted chunks (see :class:`~screener.sources.Chunk`) of about
    ``size`` records, each cut right after an ``ER`` line (see :func:`_ris_text.chunks`)."""
    for line, text in _ris_text.chunks(stream, file_name=file_name, size=size):
        yield Chunk(0, line, text)


def parse_chunk(chunk: Chunk, *, file_name: str) -> Iterator[Entry]:
    """The entries of one chunk made by :func:`chunks`, numbered from 1."""
    return _entries(
        io.StringIO(chunk.data),  # type: ignore[arg-type]
        file_name,
        first_line=chunk.first_line,
        cut=True,
    )


def _entry(text: str, complete: bool, position: int, line: int, file_name: str) -> Entry:
    """The Entry of one record's text, ``TY`` to ``ER``, which starts at ``line``."""
    if not complete:
        return bad_entry(
            file_name,
            position,
            line,
            "expected 'ER  -' to close the record that starts here; the file may be cut short",
        )
    found = _LINE.findall("\n" + text)
    fields: Fields = {}
    for tag, value in found:
        if not tag:  # a continuation line: gather the values again, line by line
            pairs = _gathered(found)
            fields = _by_tag(pairs)
            break
        values = fields.get(tag)
        if values is None:
            fields[tag] = [value]
        else:
            values.append(value)
    else:
        # A record ends at its first ER line, so ER can only be the last field.
        pairs = found[:-1] if found[-1][0] == "ER" else found
        fields.pop("ER", None)
    if len(fields) <= 1:
        # Nothing but TY: the tags may be in lower case or after spaces (a tool's own dialect).
        lenient = _gathered(
            [(tag.upper(), value) for tag, value in _LENIENT_LINE.findall("\n" + text)]
        )
        if len(_by_tag(lenient)) > 1:
            pairs, fields = lenient, _by_tag(lenient)
    if len(fields) <= 1 and not first(fields, "TY"):
        return bad_entry(
            file_name, position, line, "expected tagged fields after 'TY  -', found none"
        )
    return Entry(position, line, record=build_record(text, pairs, fields))


def _by_tag(pairs: list[tuple[str, str]]) -> Fields:
    fields: Fields = {}
    for tag, value in pairs:
        if tag in fields:
            fields[tag].append(value)
        else:
            fields[tag] = [value]
    return fields


# Every line of a record, found from the newline before it (a pattern that starts with a
# literal lets the regex engine jump from newline to newline): (tag, value) for a tag line,
# ("", text) for a continuation line.
_LINE = re.compile(r"\n(?:([A-Z][A-Z0-9]{1,3}) {1,2}- ?)?([^\n]*)")
_LENIENT_LINE = re.compile(
    rf"\n(?:{_ris_text.JUNK}*([A-Za-z][A-Za-z0-9]{{1,3}}) {{1,2}}- ?)?([^\n]*)"
)


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
    names: list[str] = []
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
    extra = {
        key: value
        for key, value in (
            ("type", get("TY")),
            ("database", get("DB")),
            ("publisher", get("PB")),
            ("address", get("AD")),
        )
        if value
    }
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
