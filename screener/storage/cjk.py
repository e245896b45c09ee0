"""The CJK search index (``record_cjk``, migration 0004): which text it holds, and how a bulk
import fills it.

``record_fts`` (FTS5's unicode61 tokenizer) makes a whole run of Chinese, Japanese or Korean
characters one token: ``/皮肌炎`` does not find 低剂量白细胞介素-2治疗皮肌炎. ``record_cjk`` indexes
the title and abstract of the records that contain CJK characters by trigrams, so any three
characters in a row are found wherever they stand; :mod:`screener.storage.records` routes a
query to it. Where SQLite lacks the trigram tokenizer (before 3.34) there is no such table and
search scans the records instead.
"""

from __future__ import annotations

import re
import sqlite3

import sqlite_utils

__all__ = [
    "CJK_RANGES",
    "TABLE",
    "TRIGGERS",
    "has_cjk",
    "index_exists",
    "index_new_rows",
    "trigram_available",
]

TABLE = "record_cjk"
TRIGGERS = ("record_cjk_insert", "record_cjk_delete", "record_cjk_update")

CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x3040, 0x9FFF),  # kana, bopomofo, CJK symbols and strokes, ideographs and extension A
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3FFFF),  # ideograph extensions B and later (planes 2 and 3)
)
"""What counts as CJK; migration 0004's triggers test the same ranges in SQL (GLOB)."""

_CJK = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in CJK_RANGES) + "]")


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a CJK character: the test migration 0004's triggers make."""
    return not text.isascii() and _CJK.search(text) is not None


def trigram_available(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite has FTS5's trigram tokenizer (3.34 and later)."""
    try:
        conn.execute(
            "CREATE VIRTUAL TABLE temp.screener_trigram_probe USING fts5 (x, tokenize = 'trigram')"
        )
    except sqlite3.Error:
        return False
    conn.execute("DROP TABLE temp.screener_trigram_probe")
    return True


def index_exists(db: sqlite_utils.Database) -> bool:
    """Whether the review has the CJK index with its triggers (see migration 0004)."""
    found = {
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE name IN (?, ?, ?, ?)", [TABLE, *TRIGGERS]
        )
    }
    return found == {TABLE, *TRIGGERS}


def index_new_rows(db: sqlite_utils.Database, after: int, last: int) -> None:
    """Index the records with ``after < id <= last`` that hold CJK text, as the insert
    trigger would one by one; the bulk import path (``storage.importing.deferred_fts``).

    The test runs here in Python: SQLite's GLOB over a character class costs a hundred times
    more on a long abstract. ASCII-only rows are passed over in SQL first.
    """
    rows = db.execute(
        "SELECT id, title, abstract FROM record WHERE id > ? AND id <= ?"
        " AND (length(CAST(title AS BLOB)) > length(title)"
        "      OR length(CAST(abstract AS BLOB)) > length(abstract))",
        [after, last],
    )
    db.conn.executemany(
        f"INSERT INTO {TABLE} (rowid, title, abstract) VALUES (?, ?, ?)",
        (row for row in rows if has_cjk(row[1]) or has_cjk(row[2])),
    )
