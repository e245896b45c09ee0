"""Readers for the export formats of every database a review searches.

Each format lives in its own module with the same three names:

``NAME``
    the format's key (``"ris"``, ``"csv"`` ...), used by ``--format``;
``sniff(head: str) -> int``
    how sure the module is that a file starting with ``head`` (its first ~64 KiB, decoded) is
    in this format: 0 = not, 100 = certain. Detection picks the highest score;
``parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]``
    one :class:`Entry` per record, in file order, streaming (never the whole file in memory).

``database(head)`` is optional: the database the file says it came from (``DB  - Embase``,
``FN Clarivate``...), or None.

A format may also be read in pieces, each in another process (a big import then uses every
core). It offers two more names:

``chunks(stream, *, file_name, size) -> Iterator[Chunk] | None``
    cut the file into runs of about ``size`` consecutive entries, cheaply (no parsing of the
    entries themselves), or None when this file cannot be cut safely, the stream then left
    at its start for :func:`parse`;
``parse_chunk(chunk, *, file_name) -> Iterator[Entry]``
    the entries of one chunk, with the lines they have in the whole file, and their positions
    in it too when the chunk is counted (see :class:`Chunk`).

Reading every chunk of a file with ``parse_chunk``, in order, and numbering the entries of
uncounted chunks on with :func:`in_file`, gives exactly what ``parse`` gives: the same entries
and the same errors at the same places.

Formats written as tagged lines (MEDLINE, Web of Science plain text, refer, RefWorks,
NoteExpress, CNKI E-Study, Cochrane) share one reader, :mod:`screener.sources._tagged`: a module
gives its ``Layout`` (how a line reads, which tag starts or ends a record) and builds records
from the fields. RIS has its own, faster one (:mod:`screener.sources._ris_text`).

The registry below lists every format; :func:`detect_format` and :func:`get_format` are the
only ways other layers reach a parser.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Protocol, TextIO

from screener.errors import ParseError, ScreenerError
from screener.records import Record

__all__ = [
    "Chunk",
    "Entry",
    "Format",
    "FORMAT_MODULES",
    "detect_format",
    "get_format",
    "format_names",
    "in_file",
]


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of an export: a Record, or the error that kept it from being one.

    ``position`` is the 1-based record number in the file, ``line`` the line where the entry
    starts (None where the format has no lines, e.g. XML read as a stream of elements).
    """

    position: int
    line: int | None
    record: Record | None = None
    error: ParseError | None = None


@dataclass(frozen=True, slots=True)
class Chunk:
    """A run of consecutive entries cut from an export, to be read on its own.

    ``first_position`` is the file position of its first entry and ``first_line`` the line of
    the file where its text starts; ``data`` is what the format needs to read it (text or
    bytes and a little context), small enough to send to another process.

    A chunk cut without counting its entries (counting them would mean reading them, the work
    the chunks are for) has ``first_position`` 0: ``parse_chunk`` numbers its entries from 1
    and makes their errors with ``_common.bad_entry``, and the reader numbers them on with
    :func:`in_file`, knowing how many entries the chunks before it held.
    """

    first_position: int
    first_line: int
    data: object


def in_file(entry: Entry, before: int) -> Entry:
    """An entry of an uncounted chunk numbered as in the whole file, ``before`` entries coming
    first in the chunks before it (its error, made by ``bad_entry``, made again with that
    number)."""
    from screener.sources._common import bad_entry

    position = entry.position + before
    if entry.error is not None:
        return bad_entry(entry.error.file_name, position, entry.line, entry.error.problem)
    return Entry(position, entry.line, record=entry.record)


class Format(Protocol):
    NAME: str
    LABEL: str

    def sniff(self, head: str) -> int: ...

    def parse(self, stream: TextIO, *, file_name: str) -> Iterator[Entry]: ...


# format key -> module (under screener.sources). Order breaks ties in detection.
FORMAT_MODULES: dict[str, str] = {
    "pubmed-xml": "screener.sources.pubmed_xml",
    "medline": "screener.sources.medline",
    "ris": "screener.sources.ris",
    "wos": "screener.sources.wos",
    "wos-tab": "screener.sources.wos_tab",
    "scopus-csv": "screener.sources.scopus_csv",
    "embase-csv": "screener.sources.embase_csv",
    "pubmed-csv": "screener.sources.pubmed_csv",
    "ovid": "screener.sources.ovid",
    "endnote-xml": "screener.sources.endnote_xml",
    "refer": "screener.sources.refer",
    "bibtex": "screener.sources.bibtex",
    "cochrane": "screener.sources.cochrane",
    "noteexpress": "screener.sources.noteexpress",
    "refworks": "screener.sources.refworks",
    "cnki-estudy": "screener.sources.cnki_estudy",
    "csv": "screener.sources.csv_generic",
}


def _load(name: str) -> ModuleType:
    return importlib.import_module(FORMAT_MODULES[name])


def format_names() -> list[str]:
    return list(FORMAT_MODULES)


def get_format(name: str) -> ModuleType:
    """The module for format ``name``; a ScreenerError naming the known formats otherwise."""
    if name not in FORMAT_MODULES:
        raise ScreenerError(f"unknown format {name!r}; known formats: {', '.join(FORMAT_MODULES)}")
    return _load(name)


def detect_format(head: str, file_name: str = "") -> ModuleType:
    """The format whose ``sniff`` is most confident about ``head``."""
    best, best_score = None, 0
    for name in FORMAT_MODULES:
        module = _load(name)
        score = module.sniff(head)
        if score > best_score:
            best, best_score = module, score
    if best is None:
        raise ScreenerError(
            f"{file_name or 'input'}: format not recognised; give it with --format "
            f"({', '.join(FORMAT_MODULES)})"
        )
    return best
