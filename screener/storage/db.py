"""Opening a review file: connection settings, migrations, transactions.

The only module that creates connections. Everything that writes goes through
:func:`transaction`, which takes SQLite's write lock up front (``BEGIN IMMEDIATE``) so two
reviewers writing to the same file at once wait for each other instead of failing.

What the environment does to a review (a full disk, a damaged file, an I/O error) surfaces as
a :class:`ReviewFileError` naming the file and the cause, from whichever statement meets it:
the connections made here translate SQLite's error codes (see :func:`environmental_error`).
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
import stat
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from screener.errors import ReviewFileError
from screener.files import forget_database, is_sqlite, note_database
from screener.storage import cjk
from screener.storage.rows import scalar_int

T = TypeVar("T")

__all__ = [
    "connect",
    "create",
    "environmental_error",
    "is_read_only",
    "migrations",
    "now",
    "open_review",
    "schema_version",
    "transaction",
    "verify",
]

BUSY_TIMEOUT_MS = 10_000
PAGE_SIZE = 16_384
"""Page size of new review files. A record row with its raw source entry is 2-8 KB (entries of
6 KB and more are stored compressed, see ``rows.RAW_COMPRESS_BYTES``): on SQLite's default
4 KB pages many rows spill into overflow pages; on 16 KB pages they fit, a few to a page, and a
100,000-record RIS import stores a quarter faster. A decision's commit writes a few pages
either way (about a millisecond more at this size)."""
CJK_MIGRATION = 4
"""The migration that makes the CJK index: it needs FTS5's trigram tokenizer (SQLite 3.34)."""
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
            raise RuntimeError(
                f"migration {path.name} is out of sequence (expected {expected:04d})"
            )
    return found


def latest_version() -> int:
    return len(migrations())


def environmental_error(exc: sqlite3.Error, label: str) -> ReviewFileError | None:
    """The one-line error for what the environment did to the review file ``label`` (full
    disk, damage, I/O), or None when ``exc`` is something else (a bug, a busy lock ...)."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF  # the primary code of an extended one
    if code == sqlite3.SQLITE_FULL:
        return ReviewFileError(
            f"{label}: the disk is full ({exc}); nothing of this change was "
            "saved: free some space and try again"
        )
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return ReviewFileError(
            f"{label} is damaged ({exc}); restore it from a copy (a backup, or a teammate's file)"
        )
    if code == sqlite3.SQLITE_IOERR:
        # the extended name (e.g. SQLITE_IOERR_SHORT_READ) says which I/O step failed
        name = getattr(exc, "sqlite_errorname", "")
        return ReviewFileError(
            f"{label} could not be read or written ({exc}{', ' + name if name else ''}); check "
            "the disk or network folder it is on"
        )
    if code == sqlite3.SQLITE_CANTOPEN:
        return ReviewFileError(f"{label} cannot be opened ({exc})")
    return None


def _translating(method: Callable[..., T]) -> Callable[..., T]:
    """``method`` of a cursor, raising :func:`environmental_error`'s error where there is one."""

    @functools.wraps(method)
    def wrapper(self: sqlite3.Cursor, *args: object, **kwargs: object) -> T:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            error = environmental_error(exc, getattr(self.connection, "label", "the review"))
            if error is None:
                raise
            raise error from exc

    return wrapper


class _Cursor(sqlite3.Cursor):
    """A cursor whose environmental failures are :class:`ReviewFileError` (see
    :func:`environmental_error`); rows are read lazily, so fetching is covered too."""

    execute = _translating(sqlite3.Cursor.execute)
    executemany = _translating(sqlite3.Cursor.executemany)
    executescript = _translating(sqlite3.Cursor.executescript)
    fetchone = _translating(sqlite3.Cursor.fetchone)
    fetchmany = _translating(sqlite3.Cursor.fetchmany)
    fetchall = _translating(sqlite3.Cursor.fetchall)
    __next__ = _translating(sqlite3.Cursor.__next__)


class _Connection(sqlite3.Connection):
    """A connection that knows the file it is on (``label``) and hands out :class:`_Cursor`."""

    label = "the review"
    # uncounts the file when the connection closes or is collected (screener.files.is_sqlite)
    forget: weakref.finalize[Any, Any] | None = None

    def close(self) -> None:
        super().close()
        if self.forget is not None:
            self.forget()  # once only: a finalizer called again does nothing

    def count_file(self, path: str | Path) -> None:
        """Count this connection as open on ``path`` until it closes or is collected."""
        self.forget = weakref.finalize(self, forget_database, note_database(path))

    # one signature where sqlite3's has overloads (a cursor of any factory): ours always hands
    # out a _Cursor
    def cursor(self, factory: type[_Cursor] = _Cursor) -> _Cursor:  # type: ignore[override]
        return super().cursor(factory)

    # each cursor method returns the cursor itself
    def execute(self, sql: str, parameters: Any = (), /) -> _Cursor:
        cursor = self.cursor()
        cursor.execute(sql, parameters)
        return cursor

    def executemany(self, sql: str, seq: Any, /) -> _Cursor:
        cursor = self.cursor()
        cursor.executemany(sql, seq)
        return cursor

    def executescript(self, script: str, /) -> _Cursor:
        cursor = self.cursor()
        cursor.executescript(script)
        return cursor


def connect(path: str | Path, *, new: bool = False) -> sqlite_utils.Database:
    """A connection with the house settings; no migration, no checks.

    ``new``: the file is being created, so its page size can still be chosen (see
    :data:`PAGE_SIZE`); an existing file keeps the one it was made with.
    """
    try:
        conn = sqlite3.connect(
            str(path),
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
            factory=_Connection,
        )
    except sqlite3.Error as exc:
        raise (environmental_error(exc, str(path)) or exc) from None
    conn.label = str(path)
    if str(path) != ":memory:":
        conn.count_file(path)  # so no output guard opens (and closes) a handle on it
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
    return scalar_int(db, "PRAGMA user_version")


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
        conn.execute("COMMIT")
    except BaseException:
        _roll_back(conn)
        raise


def _roll_back(conn: sqlite3.Connection) -> None:
    """Undo the open transaction, if SQLite has not already: after some errors (a full disk,
    an I/O error, a COMMIT that failed) it rolls back by itself, and a ROLLBACK then fails with
    "no transaction is active", an error that must not hide the one that caused it."""
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except (sqlite3.Error, ReviewFileError):
        pass  # the original error is the one to report; closing the connection ends it anyway


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
                raise ReviewFileError(
                    "the review is locked by another screener process; try again"
                ) from exc
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
            if number != CJK_MIGRATION or cjk.trigram_available(db.conn):
                for statement in _statements(script):
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
    if len(steps) >= CJK_MIGRATION:
        sync_cjk_index(db)


def sync_cjk_index(db: sqlite_utils.Database) -> None:
    """Make the CJK index fit the SQLite that opened the file (see :mod:`screener.storage.cjk`).

    A file is passed between machines. Where SQLite lacks the trigram tokenizer, migration
    0004 ran without its statements, and the index's triggers (made elsewhere) are dropped
    here: they would make every insert into ``record`` fail. Where SQLite has it and the index
    or a trigger is missing, the index is built again from migration 0004 (it may be stale).
    """
    complete = cjk.index_exists(db)
    available = cjk.trigram_available(db.conn)
    if available and not complete:
        script = migrations()[CJK_MIGRATION - 1][1].read_text(encoding="utf-8")
        with transaction(db):
            for trigger in cjk.TRIGGERS:
                db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            db.execute(f"DROP TABLE IF EXISTS {cjk.TABLE}")
            for statement in _statements(script):
                db.execute(statement)
    elif not available:
        present = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?, ?)",
                cjk.TRIGGERS,
            )
        ]
        if present:
            with transaction(db):
                for trigger in present:
                    db.execute(f"DROP TRIGGER {trigger}")


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
    """Create a new, empty review file (refuses to overwrite one; leaves nothing behind when
    it cannot be made, e.g. on a full disk)."""
    target = Path(path)
    if str(path) == ":memory:":
        db = connect(path, new=True)
        migrate(db, str(path))
        return db
    if target.exists() or target.is_symlink():
        raise ReviewFileError(f"{path} already exists; choose another name")
    if not target.parent.is_dir():
        raise ReviewFileError(f"{target.parent} does not exist (or is not a folder)")
    made: sqlite_utils.Database | None = None
    try:
        made = connect(path, new=True)
        migrate(made, str(path))
    except BaseException:
        if made is not None:
            made.conn.close()
        for leftover in (
            target,
            Path(f"{target}-wal"),
            Path(f"{target}-shm"),
            Path(f"{target}-journal"),
        ):
            leftover.unlink(missing_ok=True)
        raise
    return made


def _check_regular_file(path: str | Path) -> None:
    """Refuse what is not a review file before anything opens it: a missing file or folder, a
    folder, and a pipe, socket or device (reading a FIFO's header would wait for a writer
    forever)."""
    target = Path(path)
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise ReviewFileError(
                f"{path}: no such file (folder {target.parent} does not exist)"
            ) from None
        raise ReviewFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise ReviewFileError(f"{path} cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(mode):
        raise ReviewFileError(f"{path} is a folder, not a review file")
    if not stat.S_ISREG(mode):
        raise ReviewFileError(
            f"{path} is not a regular file (a pipe, socket or device); give the review's .db file"
        )


_HEADER_SIZE = 100
"""Bytes of SQLite's file header: a database file is never shorter."""


def open_review(path: str | Path) -> sqlite_utils.Database:
    """Open an existing review file and bring its schema up to date.

    A file that cannot be written (or whose folder cannot, where SQLite keeps the ``-wal`` and
    ``-shm`` files) is opened read-only instead (see :func:`is_read_only`): it can be read, and
    every write is refused with one line naming the file.
    """
    target = Path(path)
    if str(path) != ":memory:":
        _check_regular_file(path)
        if not os.access(target, os.R_OK):
            raise ReviewFileError(f"{path} cannot be read (permission denied)")
        # an empty file would become a database; the header is read only of files this process
        # has no connection to (see screener.files.is_sqlite: a closed handle drops locks)
        if target.stat().st_size < _HEADER_SIZE or not is_sqlite(target):
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


def verify(db: sqlite_utils.Database, label: str) -> None:
    """Read the whole file once and raise the "is damaged" error if any page is bad.

    A damaged page fails only the query that reads it, so a review can open fine and fail
    later; before a long session (the TUI) this finds out at once. It reads every page: about
    a second per gigabyte once the file is in the page cache.
    """
    found = [row[0] for row in db.execute("PRAGMA quick_check(3)")]
    if found != ["ok"]:
        lines = [line for text in found for line in text.splitlines() if not line.startswith("***")]
        raise ReviewFileError(
            f"{label} is damaged ({lines[0] if lines else 'quick_check failed'});"
            " restore it from a copy (a backup, or a teammate's file)"
        )


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
        conn = sqlite3.connect(
            uri,
            uri=True,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
            factory=_Connection,
        )
        conn.label = label
        conn.count_file(target)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA query_only = ON")  # the mark is_read_only reads
        db = sqlite_utils.Database(conn)
        if not _is_screener_db(db):
            conn.close()
            raise ReviewFileError(f"{label} is an SQLite database but not a screener review")
        version = schema_version(db)
    except sqlite3.DatabaseError as exc:
        raise ReviewFileError(
            f"{label} is read-only and cannot be read as a screener review ({exc})"
        ) from None
    latest = latest_version()
    if version != latest:
        conn.close()
        if version > latest:
            raise ReviewFileError(
                f"{label} was made by a newer screener (schema {version}, this one "
                f"knows {latest}); upgrade screener to open it"
            )
        raise ReviewFileError(
            f"{label} is read-only and was made by an older screener (schema "
            f"{version}): open it once where it can be written, to bring it up to date"
        )
    return db


def is_read_only(db: sqlite_utils.Database) -> bool:
    """Whether ``db`` was opened read-only (a review file or folder that cannot be written)."""
    return bool(db.execute("PRAGMA query_only").fetchone()[0])


def _refuse_if_read_only(db: sqlite_utils.Database) -> None:
    if is_read_only(db):
        name = next((row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"), "")
        raise ReviewFileError(f"{name or 'the review'} is read-only")
