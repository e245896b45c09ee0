"""BibTeX (Scopus, Web of Science, EBSCO, Europe PMC, reference managers).

The file is cut into ``@type{...}`` entries by bracket counting as it is read (memory stays flat
whatever the size), and each entry's fields are read by a small lenient reader: exporters write
keys with spaces (``Conference paper2022``), field names with spaces (``funding_text 1``) and
``@`` inside values, all of which stricter parsers reject. ``@string`` macros apply to later
entries. LaTeX in values (``M{\\"u}ller``, ``\\&``) is decoded with bibtexparser's table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from bibtexparser.latexenc import latex_to_unicode

from screener.records import Record, make_record
from screener.sources import Entry
from screener.sources._common import MAX_ENTRY, bad_entry, numbered_lines, too_long

NAME = "bibtex"
LABEL = "BibTeX"

_ENTRY_START = re.compile(r"@\s*([A-Za-z]+)\s*([{(])")
_NOT_RECORDS = ("comment", "string", "preamble")


def sniff(head: str) -> int:
    starts = re.findall(r"^\s*@\s*([A-Za-z]+)\s*[{(]", head.lstrip("\ufeff"), re.M)
    return 85 if any(kind.lower() not in _NOT_RECORDS for kind in starts) else 0


def database(head: str) -> str | None:
    if re.search(r"^\s*source\s*=\s*[{\"]Scopus", head, re.M | re.I):
        return "Scopus"
    if re.search(r"Unique-ID\s*=\s*[{\"]\s*WOS:", head, re.I):
        return "Web of Science"
    for marker, name in (("europepmc.org", "Europe PMC"), ("ebscohost", "EBSCO")):
        if marker in head.lower():
            return name
    return None


def _chunks(stream: TextIO, file_name: str) -> Iterator[tuple[int, str, str, bool]]:
    """``(start line, entry type, entry text, complete)`` for each ``@...`` entry."""
    parts: list[str] = []
    size = 0  # characters in parts
    inside = False
    kind, start, depth, opener, closer = "", 0, 0, "{", "}"
    for number, line in numbered_lines(stream, file_name):
        rest = line
        while True:
            if not inside:
                match = _ENTRY_START.search(rest)
                if not match:
                    break
                inside, kind, start, depth = True, match.group(1).lower(), number, 0
                opener, closer = ("{", "}") if match.group(2) == "{" else ("(", ")")
                rest = rest[match.start() :]
            end, depth = _scan(rest, opener, closer, depth)
            if end < 0:
                parts.append(rest)
                size += len(rest) + 1
                if size > MAX_ENTRY:  # a bracket never closed: not BibTeX, or damaged
                    raise too_long(file_name, start, "the entry starting here")
                break
            parts.append(rest[: end + 1])
            yield start, kind, "\n".join(parts), True
            parts, size, inside, rest = [], 0, False, rest[end + 1 :]
    if inside:
        yield start, kind, "\n".join(parts), False


def _scan(text: str, opener: str, closer: str, depth: int) -> tuple[int, int]:
    """(index where the entry's outer bracket closes or -1, bracket depth after ``text``)."""
    escaped = False
    for index, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == opener:
            depth += 1
        elif ch == closer:
            depth -= 1
            if depth == 0:
                return index, 0
    return -1, depth


_MONTHS = {
    m: m.capitalize()
    for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
}


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    macros = dict(_MONTHS)
    position = 0
    for line, kind, text, complete in _chunks(stream, file_name):
        if kind in _NOT_RECORDS:
            fields = (
                read_entry(text, macros, keyed=False) if kind == "string" and complete else None
            )
            if fields:
                macros.update({k.lower(): v for k, v in fields.items()})
            continue
        position += 1
        if not complete:
            yield bad_entry(
                file_name,
                position,
                line,
                "expected a closing brace for the entry that starts here; the file may be cut "
                "short",
            )
            continue
        fields = read_entry(text, macros)
        if fields is None:
            yield bad_entry(
                file_name,
                position,
                line,
                "expected an entry like '@article{key, title = {...}, ...}'",
            )
            continue
        yield Entry(position, line, record=_record(fields, kind, text))


class _Reader:
    """A cursor over one entry's text."""

    __slots__ = ("text", "at")

    def __init__(self, text: str, at: int) -> None:
        self.text = text
        self.at = at

    def skip(self, chars: str = " \t\n\r") -> None:
        while self.at < len(self.text) and self.text[self.at] in chars:
            self.at += 1

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def until(self, stops: str) -> str:
        start = self.at
        while self.at < len(self.text) and self.text[self.at] not in stops:
            self.at += 1
        return self.text[start : self.at]

    def braced(self) -> str | None:
        """The text inside ``{...}`` (nested braces kept), the cursor on the opening brace."""
        depth, start = 0, self.at + 1
        while self.at < len(self.text):
            ch = self.text[self.at]
            if ch == "\\":
                self.at += 2
                continue
            depth += ch == "{"
            depth -= ch == "}"
            self.at += 1
            if depth == 0:
                return self.text[start : self.at - 1]
        return None

    def quoted(self) -> str | None:
        depth, start = 0, self.at + 1
        self.at += 1
        while self.at < len(self.text):
            ch = self.text[self.at]
            if ch == "\\":
                self.at += 2
                continue
            depth += ch == "{"
            depth -= ch == "}"
            self.at += 1
            if ch == '"' and depth == 0:
                return self.text[start : self.at - 1]
        return None


def read_entry(text: str, macros: dict[str, str], *, keyed: bool = True) -> dict[str, str] | None:
    """Field name (lower case) -> raw value of one ``@type{key, name = value, ...}`` entry.

    ``ID`` holds the key. None when the text does not have that shape.
    """
    match = _ENTRY_START.match(text)
    if not match:
        return None
    closer = "}" if match.group(2) == "{" else ")"
    cursor = _Reader(text, match.end())
    fields: dict[str, str] = {}
    if keyed:
        key = cursor.until(",=" + closer)
        if cursor.peek() == "=":
            return None
        fields["ID"] = key.strip()
    while True:
        cursor.skip(" \t\n\r,")
        if cursor.peek() in (closer, ""):
            break
        name = cursor.until("=" + closer).strip().lower()
        if cursor.peek() != "=" or not name:
            return None
        cursor.at += 1
        value = _value(cursor, macros, closer)
        if value is None:
            return None
        fields[name] = value
    return fields if cursor.peek() == closer else None


def _value(cursor: _Reader, macros: dict[str, str], closer: str) -> str | None:
    parts = []
    while True:
        cursor.skip()
        ch = cursor.peek()
        if ch == "{":
            part = cursor.braced()
        elif ch == '"':
            part = cursor.quoted()
        elif ch and ch not in ",#" + closer:
            word = cursor.until(",#} \t\n\r" + closer).strip()
            part = word if word.isdigit() else macros.get(word.lower(), word)
        else:
            return None
        if part is None:
            return None
        parts.append(part)
        cursor.skip()
        if cursor.peek() != "#":
            return "".join(parts)
        cursor.at += 1


def _field(fields: dict[str, str], *names: str) -> str:
    for name in names:
        value = fields.get(name, "")
        if value.strip():
            return " ".join(latex_to_unicode(value).replace("{", "").replace("}", "").split())
    return ""


def _record(fields: dict[str, str], kind: str, raw: str) -> Record:
    authors = [a for a in re.split(r"\s+and\s+", _field(fields, "author")) if a.strip()]
    keywords = [
        k for k in re.split(r"[;,]\s*", _field(fields, "keywords", "author_keywords")) if k.strip()
    ]
    return make_record(
        title=_field(fields, "title"),
        abstract=_field(fields, "abstract"),
        authors=authors,
        year=_field(fields, "year", "date"),
        journal=_field(fields, "journal", "journaltitle", "booktitle"),
        journal_abbrev=_field(fields, "journal-iso", "shortjournal", "abbrev_source_title"),
        volume=_field(fields, "volume"),
        issue=_field(fields, "number", "issue"),
        pages=_field(fields, "pages").replace("--", "-"),
        doi=_field(fields, "doi"),
        pmid=_field(fields, "pmid"),
        pmcid=_field(fields, "pmcid"),
        issn=_field(fields, "issn", "eissn"),
        language=_field(fields, "language"),
        pub_types=[t for t in (_field(fields, "document_type", "type"),) if t],
        keywords=keywords,
        url=_field(fields, "url"),
        source_key=_field(fields, "unique-id", "eid") or fields.get("ID", ""),
        raw=raw,
        extra={"type": kind},
    )
