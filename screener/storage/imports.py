"""Import rows: one per file brought into the review, with its provenance."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from screener.storage.db import now
from screener.storage.rows import insert


def find_import_by_sha256(db: sqlite_utils.Database, sha256: str) -> tuple[int, str, str] | None:
    """(id, file name, imported at) of an earlier import of the same bytes, or None."""
    row: tuple[int, str, str] | None = db.execute(
        "SELECT id, file_name, imported_at FROM file_import WHERE sha256 = ? ORDER BY id LIMIT 1",
        [sha256],
    ).fetchone()
    return row


def start_import(db: sqlite_utils.Database, **values: Any) -> int:
    values.setdefault("imported_at", now())
    return insert(db, "file_import", values)


def finish_import(
    db: sqlite_utils.Database,
    import_id: int,
    *,
    count_in_file: int,
    count_imported: int,
    skipped: list[str],
) -> None:
    db.execute(
        "UPDATE file_import SET count_in_file = ?, count_imported = ?, count_skipped = ?, "
        "skipped_json = ?"
        " WHERE id = ?",
        [
            count_in_file,
            count_imported,
            len(skipped),
            json.dumps(skipped, ensure_ascii=False),
            import_id,
        ],
    )
