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

__all__ = ["Entry", "Format", "FORMAT_MODULES", "detect_format", "get_format", "format_names"]


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
