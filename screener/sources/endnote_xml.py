"""EndNote XML (``<xml><records><record>...``), as EndNote, Bookends and JabRef write it.

Parsed as a stream of ``<record>`` elements with entity resolution, DTD loading and network
access off. A file whose DOCTYPE declares entities (XXE, "billion laughs") or points to an
external DTD is refused outright: an EndNote export never has one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from lxml import etree

from screener.errors import ParseError
from screener.records import Record, make_record
from screener.sources import Entry
from screener.sources._common import MAX_ENTRY, too_long

NAME = "endnote-xml"
LABEL = "EndNote XML"

_CHUNK = 1 << 16


def sniff(head: str) -> int:
    if re.search(r"<xml>\s*<records>\s*<record>", head):
        return 95
    if "<records>" in head and "<record>" in head and "<ref-type" in head:
        return 90
    return 0


def database(head: str) -> str | None:
    found = re.search(
        r"<remote-database-(?:name|provider)>(?:\s*<style[^>]*>)?\s*([^<]+?)\s*<", head
    )
    if not found:
        return None
    name = found.group(1)
    return "PubMed" if name.upper() in ("NLM", "PUBMED") else name


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    parser = etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_blank_text=False,
    )
    checked = False
    prolog: str | None = ""
    position = 0
    ends, since, tail = 0, 0, ""  # </record> tags read, characters since the last, text before
    while True:
        chunk = stream.read(_CHUNK)
        # No record (nor the text before the first) may pass MAX_ENTRY: memory stays bounded.
        text = tail + chunk
        last = text.rfind("</record>")
        if last >= len(tail) - 8 and last >= 0:
            ends += text.count("</record>", max(0, len(tail) - 8))
            since = len(text) - last
        else:
            since += len(chunk)
        tail = text[-16:]
        if since > MAX_ENTRY:
            raise too_long(file_name, f"after record {ends}", "a record (or the text before one)")
        if not checked and prolog is not None:
            # Look at the text before the root element ourselves: libxml2 would otherwise stop
            # an entity bomb with a message about "amplification" rather than saying what it is.
            prolog += chunk
            root = _ROOT.search(prolog)
            _refuse_declarations(prolog[: root.start()] if root else prolog, file_name)
            prolog = None if root or not chunk else prolog
        try:
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
        except etree.XMLSyntaxError as exc:
            raise _syntax_error(file_name, exc) from None
        for event, element in parser.read_events():
            if event == "start":
                if not checked:
                    _refuse_dtd(element, file_name)
                    checked = True
                continue
            if element.tag != "record":
                continue
            position += 1
            yield Entry(position, element.sourceline, record=_record(element))
            # Free what has been read: a large file must not build its whole tree.
            element.clear()
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
        if not chunk:
            break
    if position == 0:
        raise ParseError(
            file_name, "line 1", "expected <record> elements inside <xml><records>, found none"
        )


def _syntax_error(file_name: str, exc: etree.XMLSyntaxError) -> ParseError:
    line = exc.position[0] if exc.position and exc.position[0] else None
    message = str(exc.msg or exc).split(", line ")[0]
    return ParseError(
        file_name, f"line {line}" if line else "XML", f"not well-formed XML: {message}"
    )


_ROOT = re.compile(r"<[A-Za-z_]")
_UNSAFE = re.compile(r"<!ENTITY|<!DOCTYPE[^>\[]*\b(?:SYSTEM|PUBLIC)\b")


def _refuse_declarations(prolog: str, file_name: str) -> None:
    if _UNSAFE.search(prolog):
        raise _refused(file_name)


def _refused(file_name: str) -> ParseError:
    return ParseError(
        file_name,
        "DOCTYPE",
        "the XML declares entities or an external DTD (an XXE or entity-expansion "
        "attack, not an EndNote export); refused",
    )


def _refuse_dtd(element: etree._Element, file_name: str) -> None:
    info = element.getroottree().docinfo
    dtd = info.internalDTD
    if (
        (dtd is not None and any(True for _ in dtd.iterentities()))
        or info.system_url
        or info.public_id
    ):
        raise _refused(file_name)


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def _find(record: etree._Element, path: str) -> str:
    return _text(record.find(path))


def _all(record: etree._Element, path: str) -> list[str]:
    return [t for t in (_text(e) for e in record.iterfind(path)) if t]


def _record(element: etree._Element) -> Record:
    journal = _find(element, "periodical/full-title") or _find(element, "titles/secondary-title")
    abbrev = _find(element, "periodical/abbr-1") or _find(element, "titles/alt-title")
    accession = _find(element, "accession-num")
    provider = (
        _find(element, "remote-database-provider") + " " + _find(element, "remote-database-name")
    ).upper()
    is_pubmed = accession.isdigit() and any(m in provider for m in ("NLM", "PUBMED", "MEDLINE"))
    ref_type = element.find("ref-type")
    return make_record(
        title=_find(element, "titles/title"),
        abstract=_find(element, "abstract"),
        authors=_all(element, "contributors/authors/author"),
        year=_find(element, "dates/year"),
        journal=journal,
        journal_abbrev=abbrev if abbrev != journal else "",
        volume=_find(element, "volume"),
        issue=_find(element, "number"),
        pages=_find(element, "pages"),
        doi=_find(element, "electronic-resource-num"),
        pmid=accession if is_pubmed else "",
        issn=_find(element, "isbn"),
        language=_find(element, "language"),
        pub_types=_all(element, "work-type"),
        keywords=_all(element, "keywords/keyword"),
        url=_find(element, "urls/related-urls/url"),
        source_key=accession if accession and not is_pubmed else _find(element, "rec-number"),
        raw=etree.tostring(element, encoding="unicode", with_tail=False),
        extra={"type": ref_type.get("name", "")}
        if ref_type is not None and ref_type.get("name")
        else {},
    )
