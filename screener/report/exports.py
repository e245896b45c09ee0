"""Exports co-authors ask for: RIS with screening decisions in the notes, a decisions CSV.

Pure builders over plain dicts (rows from storage, outcomes already described as text); the
flow layer decides what a reviewer may see in a blind review and writes the files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["DECISION_COLUMNS", "decision_line", "decisions_csv_header", "ris_entry", "write_decision_rows"]

DECISION_COLUMNS = ("record_id", "screened_record_id", "title", "first_author", "year", "doi",
                    "pmid", "stage", "role", "reviewer", "decision", "reason", "note", "made_at",
                    "final_decision")


def decision_line(row: Mapping[str, Any]) -> str:
    """One N1 note: "full_text, bob: exclude (Wrong population); note: ...". """
    who = row["reviewer"]
    if str(row["role"]).startswith("resolution"):
        method = str(row["role"]).split(":", 1)[-1].replace("_", " ")
        who = f"resolution by {who} ({method})"
    line = f"{row['stage']}, {who}: {row['decision']}"
    if row.get("reason"):
        line += f" ({row['reason']})"
    if row.get("note"):
        line += f"; note: {row['note']}"
    return line


def ris_entry(record: Mapping[str, Any], status: str, lines: Iterable[str]) -> dict[str, Any]:
    """A rispy entry for one screened record; ``status`` and the decision lines go in N1."""
    entry: dict[str, Any] = {
        "type_of_reference": "JOUR", "title": record.get("title", ""),
        "authors": list(record.get("authors", [])),
        "year": str(record["year"]) if record.get("year") else "",
        "secondary_title": record.get("journal", ""), "journal_name": record.get("journal_abbrev", ""),
        "volume": record.get("volume", ""), "number": record.get("issue", ""),
        "start_page": record.get("page_first", ""), "end_page": record.get("page_last", ""),
        "doi": record.get("doi", ""), "abstract": record.get("abstract", ""),
        "issn": record.get("issn", ""), "language": record.get("language", ""),
        "keywords": list(record.get("keywords", [])),
        "urls": [record["url"]] if record.get("url") else [],
        "accession_number": record.get("pmid", ""), "id": str(record["id"]),
        "name_of_database": "; ".join(record.get("databases", [])),
        "custom1": status,
        "notes": [f"screener: {status}", *lines],
    }  # fmt: skip
    return {k: v for k, v in entry.items() if v not in ("", [], None)}


def decisions_csv_header() -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(DECISION_COLUMNS)
    return buffer.getvalue()


def write_decision_rows(handle: io.TextIOBase, rows: Iterable[Mapping[str, Any]]) -> int:
    """Write rows (dicts with :data:`DECISION_COLUMNS`) as CSV; returns how many."""
    writer = csv.writer(handle, lineterminator="\n")
    count = 0
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in DECISION_COLUMNS])
        count += 1
    return count
