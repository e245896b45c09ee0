"""Opening a review file: connection settings, migrations, transactions.

The only module that creates connections. Everything that writes goes through
:func:`transaction`, which takes SQLite's write lock up front (``BEGIN IMMEDIATE``) so two
reviewers writing to the same file at once wait for each other instead of failing.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import sqlite_utils

from screener.errors import ReviewFileError

__all__ = ["connect", "create", "is_read_only", "migrations", "now", "open_review", "schema_version",
           "transaction"]

BUSY_TIMEOUT_MS = 10_000
PAGE_SIZE = 16_384
"""Page size of new review files. A record row with its raw source entry is 2-8 KB (entries of
6 KB and more are stored compressed, see ``rows.RAW_COMPRESS_BYTES``): on SQLite's default
4 KB pages many rows spill into overflow pages; on 16 KB pages they fit, a few to a page, and a
100,000-record RIS import stores a quarter faster. A decision's commit writes a few pages
either way (about a millisecond more at this size)."""
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def now() -> str:
    """The current time as ISO 8601 UTC, to the microsecond (orders rows made in one second)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _migration_dir() -> Path:
    # In a checkout (and an editable install) the schema lives in the top-level db/ folder;
    # a built wheel carries a copy as screener/_db (see pyproject.toml).
    repo = Path(__file__).resolve().parents[2] / "db"
    if repo.is_dir():
        return repo
    return Path(str(resources.files("screener") / "_db"))


def migrations() -> list[tuple[int, Path]]:
    """The numbered migration files, in order; numbers must run 1, 2, 3 ... without gaps."""
    found = []
    for path in sorted(_migration_dir().glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    for expected, (number, path) in enumerate(found, start=1):
        if number != expected:
            raise RuntimeError(f"migration {path.name} is out of sequence (expected {expected:04d})")
    return found


def latest_version() -> int:
    return len(migrations())


def connect(path: str | Path, *, new: bool = False) -> sqlite_utils.Database:
    """A connection with the house settings; no migration, no checks.

    ``new``: the file is being created, so its page size can still be chosen (see
    :data:`PAGE_SIZE`); an existing file keeps the one it was made with.
    """
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if new:
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # before WAL mode writes the header
    if str(path) != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
    # FULL, not NORMAL: in WAL mode NORMAL can lose the last commits on a power cut. A reviewer's
    # key press is acknowledged only after its commit, so it must survive one. The cost is one
    # fsync per commit, small for single decisions; bulk imports are one transaction each.
    conn.execute("PRAGMA synchronous = FULL")
    return sqlite_utils.Database(conn)


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One atomic unit of work: all of it is committed, or none of it (also on Ctrl-C).

    Do not call sqlite-utils table writers (``insert``, ``upsert`` ...) inside: they commit on
    their own. Use ``db.execute`` / ``db.conn.executemany``.
    """
    conn = db.conn
    if conn.in_transaction:
        raise RuntimeError("nested transaction")
    _refuse_if_read_only(db)
    _begin_immediate(conn)
    try:
        yield db
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def _begin_immediate(conn: sqlite3.Connection) -> None:
    # busy_timeout covers most waits; a writer that still finds the lock taken (e.g. a long
    # import in another process) retries here rather than surfacing "database is locked".
    deadline = time.monotonic() + 60
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise ReviewFileError("the review is locked by another screener process; try again") from exc
            time.sleep(0.05)


def _is_screener_db(db: sqlite_utils.Database) -> bool:
    return "review" in db.table_names()


def migrate(db: sqlite_utils.Database, path_label: str) -> None:
    """Apply the migrations the file lacks, each in its own transaction."""
    current = schema_version(db)
    steps = migrations()
    if current > len(steps):
        raise ReviewFileError(
            f"{path_label} was made by a newer screener (schema {current}, this one knows "
            f"{len(steps)}); upgrade screener to open it"
        )
    for number, path in steps[current:]:
        script = path.read_text(encoding="utf-8")
        with transaction(db):
            for statement in _statements(script):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")


def _statements(script: str) -> list[str]:
    """Split a migration into statements (sqlite3.complete_statement keeps triggers whole)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        if not buf and (not line.strip() or line.lstrip().startswith("--")):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def create(path: str | Path) -> sqlite_utils.Database:
    """Create a new, empty review file (refuses to overwrite one)."""
    target = Path(path)
    if str(path) != ":memory:" and target.exists():
        raise ReviewFileError(f"{path} already exists; choose another name")
    if str(path) != ":memory:" and not target.parent.exists():
        raise ReviewFileError(f"{target.parent} does not exist")
    db = connect(path, new=True)
    migrate(db, str(path))
    return db


def open_review(path: str | Path) -> sqlite_utils.Database:
    """Open an existing review file and bring its schema up to date.

    A file that cannot be written (or whose folder cannot, where SQLite keeps the ``-wal`` and
    ``-shm`` files) is opened read-only instead (see :func:`is_read_only`): it can be read, and
    every write is refused with one line naming the file.
    """
    target = Path(path)
    if str(path) != ":memory:":
        if not target.exists():
            raise ReviewFileError(f"{path}: no such file")
        if target.is_dir():
            raise ReviewFileError(f"{path} is a folder, not a review file")
        with open(target, "rb") as handle:
            magic = handle.read(16)
        if magic != b"SQLite format 3\x00":
            raise ReviewFileError(f"{path} is not a screener review (not an SQLite database)")
        if not (os.access(target, os.W_OK) and os.access(target.parent, os.W_OK)):
            return _open_read_only(target, str(path))
    try:
        db = connect(path)
        if not _is_screener_db(db):
            db.conn.close()
            raise ReviewFileError(f"{path} is an SQLite database but not a screener review")
        migrate(db, str(path))
    except sqlite3.DatabaseError as exc:
        raise ReviewFileError(f"{path} cannot be read as a screener review ({exc})") from None
    return db


# --- read-only review files -----------------------------------------------------------------------

def _open_read_only(target: Path, label: str) -> sqlite_utils.Database:
    """Open ``target`` with SQLite's read-only mode; no migration, no journal-mode change.

    A read-only connection to a WAL file reads the ``-wal`` (commits not yet checkpointed are
    there) through the ``-shm`` index, which SQLite makes beside the file when the folder allows
    it. With neither a ``-wal`` to read nor a folder to make the ``-shm`` in, ``immutable=1``
    reads the file as it stands: nobody can change it while the folder is closed to writes (a
    writer needs the folder too, for its ``-wal`` or ``-journal``).
    """
    wal = target.with_name(target.name + "-wal")
    has_wal = wal.exists() and wal.stat().st_size > 0
    immutable = not has_wal and not os.access(target.parent, os.W_OK)
    uri = target.resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA query_only = ON")        # the mark is_read_only reads
        db = sqlite_utils.Database(conn)
        if not _is_screener_db(db):
            conn.close()
            raise ReviewFileError(f"{label} is an SQLite database but not a screener review")
        version = schema_version(db)
    except sqlite3.DatabaseError as exc:
        raise ReviewFileError(
            f"{label} is read-only and cannot be read as a screener review ({exc})") from None
    latest = latest_version()
    if version != latest:
        conn.close()
        if version > latest:
            raise ReviewFileError(f"{label} was made by a newer screener (schema {version}, this one "
                                  f"knows {latest}); upgrade screener to open it")
        raise ReviewFileError(f"{label} is read-only and was made by an older screener (schema "
                              f"{version}): open it once where it can be written, to bring it up to date")
    return db


def is_read_only(db: sqlite_utils.Database) -> bool:
    """Whether ``db`` was opened read-only (a review file or folder that cannot be written)."""
    return bool(db.execute("PRAGMA query_only").fetchone()[0])


def _refuse_if_read_only(db: sqlite_utils.Database) -> None:
    if is_read_only(db):
        name = next((row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"), "")
        raise ReviewFileError(f"{name or 'the review'} is read-only")
