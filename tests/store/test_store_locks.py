"""A review open in this process keeps SQLite's locks when it is opened again or checked as an
output target: closing any file handle on a file drops every POSIX lock the process holds on it
(https://sqlite.org/howtocorrupt.html, 2.2), and another process closing its last connection
would then checkpoint and delete the -wal under the open connections (reads then fail with
SQLITE_IOERR_SHORT_READ, as a full-suite run of the background-ranking TUI test did)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from screener.files import is_sqlite
from screener.project import Project
from screener.storage.db import open_review

CLOSE_ANOTHER_CONNECTION = (
    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
    " c.execute('SELECT count(*) FROM setting').fetchone(); c.close()"
)


def _reopen(path: Path) -> None:
    open_review(path).conn.close()


@pytest.mark.parametrize(
    "touch", [_reopen, is_sqlite], ids=["opened again", "checked as an output"]
)
def test_another_process_cannot_delete_the_wal_under_an_open_review(
    tmp_path: Path, touch: Callable[[Path], object]
) -> None:
    path = tmp_path / "review.db"
    Project.create(path, title="locks", reviewers=["alice"]).close()
    db = open_review(path)
    try:
        db.execute("INSERT INTO setting (key, value) VALUES ('held', '1')")
        wal = path.with_name(path.name + "-wal")
        assert wal.exists()
        touch(path)
        subprocess.run([sys.executable, "-c", CLOSE_ANOTHER_CONNECTION, str(path)], check=True)
        # the other process saw this one's connection and left the -wal alone
        assert wal.exists()
        assert db.execute("SELECT value FROM setting WHERE key = 'held'").fetchone()[0] == "1"
    finally:
        db.conn.close()


def test_a_file_that_is_not_a_database_is_still_refused(tmp_path: Path) -> None:
    from screener.errors import ReviewFileError

    text = tmp_path / "notes.db"
    text.write_text("not a database, but long enough to hold a header " * 4, encoding="utf-8")
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    for path in (text, empty):
        with pytest.raises(ReviewFileError, match="not an SQLite database"):
            open_review(path)
    assert empty.read_bytes() == b"" and not (tmp_path / "empty.db-wal").exists()


def test_importing_the_review_itself_is_refused_without_opening_it(tmp_path: Path) -> None:
    from screener.errors import ScreenerError

    path = tmp_path / "review.db"
    with Project.create(path, title="locks", reviewers=["alice"]) as project:
        for attempt in (project.preview_import, project.import_file):
            with pytest.raises(ScreenerError, match="SQLite database"):
                attempt(path, source="PubMed")
        assert project.db.execute("SELECT count(*) FROM record").fetchone()[0] == 0


def test_a_closed_or_collected_connection_no_longer_counts(tmp_path: Path) -> None:
    """Once this process has no connection on a file, its inode may be a new file's: the file
    is read again (here: the same inode, its header overwritten in place)."""
    import gc

    path = tmp_path / "review.db"
    Project.create(path, title="locks", reviewers=["alice"]).close()
    db = open_review(path)
    collected = open_review(path)
    db.conn.close()
    del collected
    gc.collect()
    for side in ("-wal", "-shm"):
        path.with_name(path.name + side).unlink(missing_ok=True)
    with open(path, "r+b") as handle:  # no connection left: a handle is harmless now
        handle.write(b"title,abstract\n")
    assert not is_sqlite(path)


def test_attaching_the_review_as_a_full_text_is_refused(tmp_path: Path) -> None:
    from screener.errors import ScreenerError

    path = tmp_path / "review.db"
    records = tmp_path / "records.csv"
    records.write_text("title,abstract\nA trial,An abstract.\n", encoding="utf-8")
    with Project.create(path, title="locks", reviewers=["alice"]) as project:
        project.import_file(records, source="PubMed")
        project.record_decision(1, "title_abstract", "alice", "include")
        with pytest.raises(ScreenerError, match="SQLite database"):
            project.attach_full_text(1, path, "alice")
        assert project.full_text(1) is None
