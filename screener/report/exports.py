"""Exports co-authors ask for: RIS with screening decisions in the notes, a decisions CSV, and
the records export (CSV, JSON, RIS).

Pure builders over plain dicts (rows from storage, outcomes already described as text); the
flow layer decides what a reviewer may see in a blind review and writes the files.
:func:`ris_text` is screener's one RIS writer: every RIS file screener writes comes from it.
CSV text cells are protected for spreadsheets unless ``raw``
(:func:`screener.files.spreadsheet_cell`).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

import rispy

from screener.files import csv_writer
from screener.model import Decision, ExportedRecord

__all__ = [
    "DECISION_COLUMNS",
    "RECORD_COLUMNS",
    "decision_line",
    "decisions_csv_header",
    "records_csv",
    "records_json",
    "records_ris",
    "ris_entry",
    "ris_text",
    "write_decision_rows",
]

DECISION_COLUMNS = (
    "record_id",
    "screened_record_id",
    "title",
    "first_author",
    "year",
    "doi",
    "pmid",
    "stage",
    "role",
    "reviewer",
    "decision",
    "reason",
    "note",
    "made_at",
    "final_decision",
)


def decision_line(row: Mapping[str, Any]) -> str:
    """One N1 note: "full_text, bob: exclude (Wrong population); note: ..."."""
    who = row["reviewer"]
    if str(row["role"]).startswith("resolution"):
        method = str(row["role"]).split(":", 1)[-1].replace("_", " ")
        who = f"resolution by {who} ({method})"
    elif row["role"] == "retrieval":
        who = f"retrieval by {who}" if who else "retrieval"
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
        "secondary_title": record.get("journal", ""),
        "journal_name": record.get("journal_abbrev", ""),
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
    csv_writer(buffer).writerow(DECISION_COLUMNS)
    return buffer.getvalue()


def write_decision_rows(
    handle: IO[str], rows: Iterable[Mapping[str, Any]], *, raw: bool = False
) -> int:
    """Write rows (dicts with :data:`DECISION_COLUMNS`) as CSV; returns how many. A record
    marked not retrievable has a row with role "retrieval" and decision "not retrieved"."""
    writer = csv_writer(handle, raw=raw)
    count = 0
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in DECISION_COLUMNS])
        count += 1
    return count


# --- RIS: the one writer ------------------------------------------------------------------------
# What a RIS reader (rispy, EndNote, Zotero, screener's own) may take as the end of a line:
# folded into one space, so a value never starts a line (a tag, an ER) of its own.
_LINE_BREAKS = re.compile("[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


class _RisWriter(rispy.RisWriter):
    def set_header(self, count: int) -> str:
        return ""  # rispy's default numbers each record ("1."), which no RIS reader expects


def _one_line(value: Any) -> str:
    return _LINE_BREAKS.sub(" ", str(value))


def ris_text(entries: Iterable[Mapping[str, Any]]) -> str:
    """RIS text of rispy-style entries (``type_of_reference``, ``title``, ``notes`` ...): each
    field one ``TAG  - value`` line, line breaks inside a value folded into spaces, records
    separated by a blank line, no numbering; "" for no entries."""
    folded = [
        {
            key: [_one_line(v) for v in value] if isinstance(value, list) else _one_line(value)
            for key, value in entry.items()
        }
        for entry in entries
    ]
    return _RisWriter().formats(folded) if folded else ""


# --- the records export (screener export records) ----------------------------------------------
RECORD_COLUMNS = (
    "id",
    "source_database",
    "source_file",
    "source_key",
    "cluster_id",
    "is_primary",
    "title",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "issn",
    "language",
    "abstract",
    "retrieval",
)
"""The records export's own columns; one column per stage and reviewer follows."""


def _retrieval(row: ExportedRecord) -> str:
    if not row.not_retrieved:
        return ""
    note = row.retrieval_note
    return "not retrieved" + (f" ({note})" if note else "")


def _record_fields(row: ExportedRecord) -> dict[str, Any]:
    record = row.record
    return {
        "id": row.id,
        "source_database": row.source_database,
        "source_file": row.source_file,
        "source_key": record.source_key,
        "cluster_id": row.cluster_id,
        "is_primary": int(row.is_primary),
        "title": record.title,
        "authors": "; ".join(f"{a.family}, {a.given}".rstrip(", ") for a in record.authors),
        "year": record.year,
        "journal": record.journal,
        "volume": record.volume,
        "issue": record.issue,
        "pages": "-".join(p for p in (record.page_first, record.page_last) if p),
        "doi": record.doi,
        "pmid": record.pmid,
        "pmcid": record.pmcid,
        "issn": record.issn,
        "language": record.language,
        "abstract": record.abstract,
        "retrieval": _retrieval(row),
    }


def _decision_text(d: Decision) -> str:
    return d.choice.value + (f" ({d.reason})" if d.reason else "")


def _decision_json(d: Decision) -> dict[str, Any]:
    return {
        "stage": d.stage.value,
        "reviewer": d.reviewer,
        "decision": d.choice.value,
        "reason": d.reason,
        "note": d.note,
        "made_at": d.made_at,
    }


def records_csv(rows: Sequence[ExportedRecord], *, raw: bool = False) -> str:
    """Records of :meth:`Project.export_records` as CSV: :data:`RECORD_COLUMNS`, then one column
    ``stage:reviewer`` per stage and reviewer with "decision (reason)"."""
    pairs = sorted({(d.stage.value, d.reviewer) for r in rows for d in r.decisions})
    decision_cols = [f"{stage}:{reviewer}" for stage, reviewer in pairs]
    buffer = io.StringIO()
    writer = csv_writer(buffer, raw=raw)
    writer.writerow([*RECORD_COLUMNS, *decision_cols])
    for r in rows:
        fields = _record_fields(r)
        live = {f"{d.stage.value}:{d.reviewer}": _decision_text(d) for d in r.decisions}
        writer.writerow(
            ["" if fields[k] is None else fields[k] for k in RECORD_COLUMNS]
            + [live.get(c, "") for c in decision_cols]
        )
    return buffer.getvalue()


def records_json(rows: Sequence[ExportedRecord]) -> str:
    """Records of :meth:`Project.export_records` as a JSON array (decisions as a list each)."""
    return (
        json.dumps(
            [
                {**_record_fields(r), "decisions": [_decision_json(d) for d in r.decisions]}
                for r in rows
            ],
            ensure_ascii=False,
            indent=1,
        )
        + "\n"
    )


def records_ris(rows: Sequence[ExportedRecord]) -> str:
    """Records of :meth:`Project.export_records` as RIS, each decision (and a full text not
    retrieved) in an N1 note."""
    entries = []
    for r in rows:
        f = _record_fields(r)
        notes = [f"{d.stage.value} {d.reviewer}: {_decision_text(d)}" for d in r.decisions]
        if f["retrieval"]:
            notes.append(f"full text {f['retrieval']}")
        entry = {
            "type_of_reference": "JOUR",
            "title": f["title"],
            "abstract": f["abstract"],
            "authors": [a for a in f["authors"].split("; ") if a],
            "year": str(f["year"] or ""),
            "secondary_title": f["journal"],
            "volume": f["volume"],
            "number": f["issue"],
            "start_page": r.record.page_first,
            "end_page": r.record.page_last,
            "doi": f["doi"],
            "id": str(f["id"]),
            "name_of_database": f["source_database"] or "",
            "accession_number": f["pmid"],
            "notes": notes,
        }
        entries.append({k: v for k, v in entry.items() if v})
    return ris_text(entries)
