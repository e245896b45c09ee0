"""Bulk-import support: index a whole import's records for full-text search in one statement.

The schema keeps ``record_fts`` in step with ``record`` through a per-row trigger. For an
import of many thousand records that trigger is most of the cost (each row's FTS insert is a
small separate write to the index); indexing the new rows with one INSERT ... SELECT after the
rows are in is four to five times faster. :func:`deferred_fts` does that inside the caller's
transaction, so an error or a kill still leaves the review exactly as it was.

For that one statement FTS5 may also buffer more of the index in memory before writing it out
(its ``hashsize``, 1 MB by default, raised to :data:`BULK_HASH_BYTES`): fewer, larger index
segments mean less merging, a third less time for a big import. The setting is put back
before the transaction ends.

The CJK index (``record_cjk``, see :mod:`screener.storage.cjk`) is filled the same way: its
insert trigger is suspended too, and the new rows that hold CJK text are indexed in bulk.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils

from screener.storage import cjk

__all__ = ["deferred_fts"]

BULK_HASH_BYTES = 8 << 20
_DEFAULT_HASH_BYTES = 1 << 20  # FTS5's own default, in force while no hashsize is configured
_TRIGGER = "record_fts_insert"
# The trigger's one statement: INSERT INTO record_fts (rowid, a, b) VALUES (new.id, new.a, new.b);
_BODY = re.compile(
    r"BEGIN\s+INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)\s*VALUES\s*\(([^)]*)\)\s*;\s*END\s*$", re.I | re.S
)


class _Indexer:
    """Indexes the rows added since the last call, in one statement (see :func:`deferred_fts`),
    and those of them with CJK text in the CJK index when ``cjk``."""

    def __init__(self, db: sqlite_utils.Database, statement: str, after: int, *, cjk: bool) -> None:
        self._db, self._statement, self._after, self._cjk = db, statement, after, cjk

    def flush(self) -> None:
        last = self._db.execute("SELECT coalesce(max(id), 0) FROM record").fetchone()[0]
        if last > self._after:
            self._db.execute(self._statement, [self._after, last])
            if self._cjk:
                cjk.index_new_rows(self._db, self._after, last)
            self._after = last


class _NoIndexer:
    def flush(self) -> None:
        pass  # the trigger indexes each row as it comes


@contextmanager
def deferred_fts(db: sqlite_utils.Database) -> Iterator[_Indexer | _NoIndexer]:
    """Suspend the per-row FTS insert trigger, then index every row added meanwhile at once.

    Must run inside :func:`screener.storage.db.transaction`: the trigger is dropped and created
    again in that transaction, so a rollback restores it with everything else. The bulk
    statement is derived from the trigger's own text, so it indexes exactly what the trigger
    would; a trigger of another shape is left alone (rows are then indexed one by one).

    The value it gives has a ``flush()`` that indexes the rows added so far: a long import
    calls it now and then, so the indexing is done while its parsing processes read ahead
    rather than all at the end.
    """
    if not db.conn.in_transaction:
        raise RuntimeError("deferred_fts needs an open transaction")
    row = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [_TRIGGER]
    ).fetchone()
    body = _BODY.search(row[0]) if row else None
    if body is None:
        yield _NoIndexer()
        return
    table, columns, values = body.groups()
    selected = ", ".join(v.strip().removeprefix("new.") for v in values.split(","))
    before = db.execute("SELECT coalesce(max(id), 0) FROM record").fetchone()[0]
    cjk_trigger = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [cjk.TRIGGERS[0]]
    ).fetchone()
    db.execute(f"DROP TRIGGER {_TRIGGER}")
    if cjk_trigger:
        db.execute(f"DROP TRIGGER {cjk.TRIGGERS[0]}")
    indexer = _Indexer(
        db,
        f"INSERT INTO {table} ({columns}) SELECT {selected} FROM record WHERE id > ? AND id <= ?",
        before,
        cjk=cjk_trigger is not None,
    )
    with _hash_size(db, table, BULK_HASH_BYTES):
        yield indexer
        indexer.flush()
    db.execute(row[0])
    if cjk_trigger:
        db.execute(cjk_trigger[0])


@contextmanager
def _hash_size(db: sqlite_utils.Database, table: str, size: int) -> Iterator[None]:
    """FTS5's in-memory buffer size for ``table`` set to ``size``, then as it was.

    A table with a hashsize of its own keeps it afterwards; one without gets its config row
    removed again, so the review's file holds exactly what it held before.
    """
    config = f"{table}_config"
    found = db.execute(f"SELECT v FROM {config} WHERE k = 'hashsize'").fetchone()
    db.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('hashsize', ?)", [size])
    yield
    # Setting the value through FTS5 (not only in its config table) updates the connection's
    # cached copy of the configuration too.
    db.execute(
        f"INSERT INTO {table} ({table}, rank) VALUES ('hashsize', ?)",
        [found[0] if found else _DEFAULT_HASH_BYTES],
    )
    if found is None:
        db.execute(f"DELETE FROM {config} WHERE k = 'hashsize'")
