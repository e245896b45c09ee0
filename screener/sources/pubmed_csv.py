"""PubMed's web ``Save > CSV`` export (``PMID, Title, Authors, Citation, ... DOI``).

Authors come as one cell (``"Lim SM, Shiau CWC, Lau Y."``); volume, issue and pages only inside
the ``Citation`` cell (``"Behav Ther. 2022 Mar;53(2):359-384. doi: ..."``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from screener.errors import ParseError
from screener.records import make_record
from screener.sources import Entry
from screener.sources._common import bad_entry, csv_table, csv_text

NAME = "pubmed-csv"
LABEL = "PubMed CSV"

_CITATION = re.compile(
    r";\s*(?P<volume>[^(:;]*?)\s*(?:\((?P<issue>[^)]*)\))?\s*:\s*(?P<pages>[^.;]+?)\s*(?:\.|$)"
)


def sniff(head: str) -> int:
    first_line = head.lstrip("\ufeff").split("\n", 1)[0].lower()
    if '"pmid"' in first_line or first_line.startswith("pmid,"):
        if "citation" in first_line and "journal/book" in first_line:
            return 93
    return 0


def database(head: str) -> str | None:
    return "PubMed"


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    header, rows = csv_table(stream, file_name)
    names = [h.lower() for h in header]
    if "pmid" not in names or "title" not in names:
        raise ParseError(
            file_name, "line 1", "expected 'PMID' and 'Title' columns in the PubMed header row"
        )
    for position, line, cells in rows:
        if len(cells) != len(names):
            yield bad_entry(
                file_name,
                position,
                line,
                f"expected {len(names)} columns as in the header, found {len(cells)}",
            )
            continue
        row = {name: cell.strip() for name, cell in zip(names, cells, strict=True)}
        citation = _CITATION.search(row.get("citation", ""))
        parts = citation.groupdict() if citation else {}
        journal = row.get("journal/book", "")
        authors = [a for a in re.split(r",\s*", row.get("authors", "").rstrip(".")) if a.strip()]
        yield Entry(
            position,
            line,
            record=make_record(
                title=row.get("title"),
                authors=authors,
                year=row.get("publication year"),
                journal=journal,
                journal_abbrev=journal,
                volume=parts.get("volume") or "",
                issue=parts.get("issue") or "",
                pages=parts.get("pages") or "",
                doi=row.get("doi"),
                pmid=row.get("pmid"),
                pmcid=row.get("pmcid"),
                source_key=row.get("pmid", ""),
                raw=csv_text(cells),
            ),
        )
