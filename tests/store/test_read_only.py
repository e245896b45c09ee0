"""A review file (or folder) that cannot be written opens read-only: everything reads, every
write is refused with one line naming the file, and the file is left as it was."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from read_only import read_only

from screener.cli import main
from screener.errors import ReviewFileError
from screener.project import Project

CSV = "title,abstract\nFirst trial,Abstract one\nSecond trial,Abstract two\n"


@pytest.fixture
def review(tmp_path: Path) -> Path:
    folder = tmp_path / "reviews"
    folder.mkdir()
    source = tmp_path / "two.csv"
    source.write_text(CSV, encoding="utf-8")
    path = folder / "review.db"
    with Project.create(path, title="Read-only review", reviewers=["alice"]) as project:
        project.import_file(source, fmt="csv", source="PubMed")
        project.record_decision(1, "title_abstract", "alice", "include")
    assert sorted(p.name for p in folder.iterdir()) == ["review.db"]  # no -wal, no -shm
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _reads_and_refuses(path: Path) -> None:
    before = _digest(path)
    with Project.open(path) as project:
        assert project.read_only
        assert project.info().records == 2
        assert [d.choice.value for d in project.decisions(1, "title_abstract")] == ["include"]
        with pytest.raises(ReviewFileError, match=r"review\.db is read-only$"):
            project.record_decision(2, "title_abstract", "alice", "exclude")
        with pytest.raises(ReviewFileError, match="is read-only"):
            project.add_note(1, "alice", "a note")
        assert project.decisions(2, "title_abstract") == []
    assert _digest(path) == before


def test_a_writable_review_is_not_read_only(review: Path) -> None:
    with Project.open(review) as project:
        assert not project.read_only


def test_a_read_only_file_without_wal_files(review: Path) -> None:
    with read_only(review):
        _reads_and_refuses(review)


def test_a_read_only_folder_without_wal_files(review: Path) -> None:
    # SQLite cannot make the -shm there: the file is read as it stands (immutable=1)
    with read_only(review.parent):
        _reads_and_refuses(review)
        assert sorted(p.name for p in review.parent.iterdir()) == ["review.db"]


def test_a_read_only_folder_with_wal_files_reads_the_wal(review: Path, tmp_path: Path) -> None:
    # A copy taken while a writer had a commit in its -wal not yet in the main file: the
    # read-only open must read the -wal, or the decision would be missing.
    copy = tmp_path / "copy"
    copy.mkdir()
    writer = sqlite3.connect(review, isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("UPDATE review SET title = 'changed in the wal' WHERE id = 1")
    for suffix in ("", "-wal", "-shm"):
        shutil.copyfile(f"{review}{suffix}", copy / f"review.db{suffix}")
    writer.close()
    assert (copy / "review.db-wal").stat().st_size > 0
    with read_only(copy / "review.db", copy):
        with Project.open(copy / "review.db") as project:
            assert project.read_only
            assert project.review().title == "changed in the wal"
            with pytest.raises(ReviewFileError, match="is read-only"):
                project.update_review(title="again")


def test_a_read_only_file_made_by_an_older_screener_is_one_clear_error(review: Path) -> None:
    with Project.open(review) as project:
        project.db.execute("PRAGMA user_version = 2")
    with (
        read_only(review),
        pytest.raises(ReviewFileError, match="read-only and was made by an older"),
    ):
        Project.open(review)


def test_cli_verbs_that_write_fail_with_one_line(review: Path, tmp_path: Path, capsys) -> None:
    more = tmp_path / "more.csv"
    more.write_text("title,abstract\nThird trial,Abstract three\n", encoding="utf-8")
    with read_only(review):
        assert main(["import", str(review), str(more), "--source", "Test DB"]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.rstrip().endswith("review.db is read-only")
        assert main(["info", str(review)]) == 0  # reading still works
