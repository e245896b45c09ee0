"""Helpers for the deduplication tests: reviews built from Records, and the labelled sets.

A module of its own (not conftest.py) so test files can import it by a unique name.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path

from screener.dedup.evaluate import record_from_row
from screener.project import Project
from screener.records import Record, make_record
from screener.storage import imports as import_store
from screener.storage.db import now, transaction
from screener.storage.rows import insert_records

DATA = Path(__file__).resolve().parents[1] / "data" / "dedup"


def add_records(
    project: Project,
    records: Iterable[Record],
    *,
    database: str = "PubMed",
    file_name: str = "export.ris",
) -> list[int]:
    """Insert records as one import (the way Project.import_file stores them); returns their ids."""
    records = list(records)
    with transaction(project.db):
        import_id = import_store.start_import(
            project.db,
            database=database,
            format="ris",
            file_name=file_name,
            sha256=f"{file_name}-{now()}",
        )
        first = project.db.execute("SELECT ifnull(max(id), 0) FROM record").fetchone()[0]
        insert_records(project.db, enumerate(records), import_id=import_id, created_at=now())
        import_store.finish_import(
            project.db,
            import_id,
            count_in_file=len(records),
            count_imported=len(records),
            skipped=[],
        )
    return list(range(first + 1, first + 1 + len(records)))


def labelled(name: str) -> tuple[list[Record], list[list[str]]]:
    """Records (source_key = the set's ID) and gold duplicate groups of a labelled set."""
    folder = DATA / name
    with open(folder / "records_pre_merged.csv", encoding="utf-8", newline="") as handle:
        records = [record_from_row(row) for row in csv.DictReader(handle)]
    with open(folder / "merged_record_ids.csv", encoding="utf-8", newline="") as handle:
        gold = [row["merged_ids"].split(";") for row in csv.DictReader(handle)]
    return records, gold


def twins() -> dict:
    return json.loads((DATA / "cnki_twins.json").read_text(encoding="utf-8"))


def record(**fields) -> Record:
    """make_record with a default title/year so tests only state what matters."""
    fields.setdefault(
        "title", "Effect of low-dose interleukin-2 on muscle strength in adult myositis"
    )
    fields.setdefault("year", 2020)
    return make_record(**fields)
