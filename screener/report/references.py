"""The included studies' references, formatted by citeproc-py with a bundled Vancouver CSL style.

The style is ``screener/data/csl/vancouver.csl`` (NLM/Vancouver citation-sequence, CC BY-SA 3.0:
see the README beside it). Records become CSL-JSON items; citeproc-py's plain formatter gives
plain text, which the renderers escape like any other text from records (a title holding
``<b>`` stays the four characters it is).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

from screener.records import Record

__all__ = ["STYLE", "csl_item", "format_references"]

STYLE = "vancouver.csl"


def _author(family: str, given: str, collective: bool) -> dict[str, str]:
    if collective or not given:
        return {"literal": family}
    return {"family": family, "given": given}


def csl_item(key: str, record: Record) -> dict[str, Any]:
    """A record as a CSL-JSON journal article (only the fields the record has)."""
    item: dict[str, Any] = {
        "id": key,
        "type": "article-journal",
        "title": record.title or record.title_en or "(no title)",
    }
    if record.authors:
        item["author"] = [_author(a.family, a.given, a.collective) for a in record.authors]
    journal = record.journal_abbrev or record.journal
    if journal:
        item["container-title"] = journal
    if record.year:
        item["issued"] = {"date-parts": [[record.year]]}
    for key_, value in (
        ("volume", record.volume),
        ("issue", record.issue),
        ("page", record.pages),
        ("DOI", record.doi),
    ):
        if value:
            item[key_] = value
    return item


@cache
def _style() -> Any:
    from citeproc import CitationStylesStyle

    path = resources.files("screener") / "data" / "csl" / STYLE
    with resources.as_file(path) as file, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns of CSL features it skips
        return CitationStylesStyle(str(file), validate=False)


def _fallback(number: int, record: Record) -> str:
    """A plain Vancouver-like line, for a record the CSL processor cannot format."""
    authors = ", ".join(a.display() for a in record.authors[:6]) + (
        ", et al" if len(record.authors) > 6 else ""
    )
    parts = [p for p in (authors, record.title, record.journal_abbrev or record.journal) if p]
    year = f"{record.year}" if record.year else ""
    tail = ";".join(p for p in (year, record.volume) if p)
    line = ". ".join(parts) + (f". {tail}" if tail else "")
    line += f":{record.pages}" if record.pages else ""
    return f"{number}. {line}." + (f" doi:{record.doi}" if record.doi else "")


def format_references(records: Sequence[Record]) -> tuple[str, ...]:
    """One formatted reference per record, numbered in the order given."""
    if not records:
        return ()
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    keys = [f"ref{i}" for i in range(1, len(records) + 1)]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            source = CiteProcJSON([csl_item(k, r) for k, r in zip(keys, records, strict=True)])
            bibliography = CitationStylesBibliography(_style(), source, formatter.plain)
            for key in keys:
                bibliography.register(Citation([CitationItem(key)]))
            entries = [str(entry) for entry in bibliography.bibliography()]
    except Exception:  # noqa: BLE001 - a record citeproc cannot take must not lose the report
        entries = []
    if len(entries) != len(records):
        return tuple(_fallback(i, r) for i, r in enumerate(records, start=1))
    # citeproc-py's plain formatter runs the number into the text ("1.Smith"): space it
    return tuple(_spaced(e) for e in entries)


def _spaced(entry: str) -> str:
    head, dot, rest = entry.partition(".")
    if dot and head.isdigit() and rest and not rest.startswith(" "):
        return f"{head}. {rest}"
    return entry
