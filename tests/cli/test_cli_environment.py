"""What the environment does to a review (a full disk, a damaged file, a pipe or a folder given
as the review) is one line on stderr naming the file and the cause, a non-zero exit, no
traceback, and nothing half-saved."""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from screener.cli import main
from screener.errors import ReviewFileError
from screener.project import Project
from screener.storage import db as dbmod


def records_csv(path: Path, n: int = 300, first: int = 0) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract", "year"])
        for i in range(first, first + n):
            writer.writerow(
                [f"Trial {i} of drug {i % 7}", f"abstract {i} " + "words " * 200, "2020"]
            )
    return path


@pytest.fixture
def review(tmp_path: Path) -> Path:
    path = tmp_path / "review.db"
    with Project.create(path, title="T", reviewers=["alice"]) as project:
        project.import_file(records_csv(tmp_path / "first.csv"), fmt="csv", source="Test DB")
        project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def one_line(argv: list[str], capsys) -> str:
    code = main(argv)
    err = capsys.readouterr().err
    assert code != 0, (argv, err)
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def count_records(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM record").fetchone()[0]


def fill_the_disk(monkeypatch: pytest.MonkeyPatch, spare_pages: int = 2) -> None:
    """Every connection screener opens from now on may grow its file by ``spare_pages`` pages
    only: SQLite answers a write past that with SQLITE_FULL, as on a full disk."""
    connect = dbmod.connect

    def full(path, **kwargs):
        db = connect(path, **kwargs)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages + spare_pages}")
        return db

    monkeypatch.setattr(dbmod, "connect", full)


# --- a full disk ------------------------------------------------------------------------------


def test_an_import_on_a_full_disk_is_one_line_and_keeps_nothing(
    review: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    fill_the_disk(monkeypatch)
    line = one_line(
        [
            "import",
            str(review),
            str(records_csv(tmp_path / "second.csv", first=300)),
            "--source",
            "Test DB",
            "--format",
            "csv",
        ],
        capsys,
    )
    assert str(review) in line and "disk is full" in line
    assert "rollback" not in line
    assert count_records(review) == 300


def test_the_error_that_ends_a_transaction_is_the_one_raised(tmp_path: Path) -> None:
    # SQLite rolls back by itself after some errors; the ROLLBACK that follows then fails with
    # "no transaction is active", which must not replace the error that caused it
    with Project.create(tmp_path / "r.db", title="T", reviewers=["alice"]) as project:
        with pytest.raises(ValueError, match="the original"):
            with dbmod.transaction(project.db):
                project.db.execute("ROLLBACK")
                raise ValueError("the original")
        with dbmod.transaction(project.db):  # and the connection is usable afterwards
            project.db.execute("UPDATE review SET question = 'q'")
        assert project.review().question == "q"


def test_a_full_disk_mid_import_rolls_back_and_names_the_file(review: Path) -> None:
    with Project.open(review) as project:
        pages = project.db.execute("PRAGMA page_count").fetchone()[0]
        project.db.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(ReviewFileError, match="disk is full") as caught:
            project.import_file(
                records_csv(review.parent / "second.csv", first=300), fmt="csv", source="Test DB"
            )
        assert str(review) in str(caught.value)
        assert not project.db.conn.in_transaction
    assert count_records(review) == 300


def test_a_new_review_on_a_full_disk_leaves_no_file_behind(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    fill_the_disk(monkeypatch, spare_pages=0)
    path = tmp_path / "new.db"
    line = one_line(["new", str(path), "--title", "T"], capsys)
    assert str(path) in line and "disk is full" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# --- a damaged file ---------------------------------------------------------------------------


def damage_the_records(path: Path) -> None:
    """Overwrite the first page of the record table in the middle of an otherwise valid file:
    the file opens, and the first query that reads records fails as SQLite's 'malformed'."""
    with sqlite3.connect(path) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'record'").fetchone()[
            0
        ]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    with open(path, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xa5" * page_size)


# (verb, arguments after the review, whether it reads the damaged pages): a verb that reads
# none of them may well succeed; one that does fails with the one line
DAMAGED_RUNS = [
    (["info"], [], True),
    (["export", "records"], ["--unblind"], True),
    (["export", "ris"], ["--which", "all", "--unblind"], True),
    (["dedup"], [], True),
    (["tui"], ["--reviewer", "alice"], True),
    (["conflicts"], ["--reviewer", "alice"], False),
    (["agreement"], [], False),
    (["prisma"], ["--format", "json"], False),
]


@pytest.mark.parametrize(
    ("verb", "rest", "reads_records"),
    DAMAGED_RUNS,
    ids=[" ".join(verb) for verb, _, _ in DAMAGED_RUNS],
)
def test_a_damaged_review_is_one_line_in_every_verb(
    review: Path, verb: list[str], rest: list[str], reads_records: bool, capsys
) -> None:
    damage_the_records(review)
    argv = [*verb, str(review), *rest]
    code = main(argv)
    err = capsys.readouterr().err
    if code == 0 and not reads_records:
        return
    assert code == 1 and err.count("\n") == 1, (argv, err)
    assert f"{review} is damaged" in err and "copy" in err


def test_the_tui_checks_the_whole_file_before_opening(review: Path) -> None:
    damage_the_records(review)
    with Project.open(review) as project:  # opening reads no record page ...
        with pytest.raises(ReviewFileError, match="is damaged"):
            project.verify()  # ... the check before a session reads them all


# --- not a review file ------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_given_as_the_review_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "review.db"
    os.mkfifo(fifo)
    # in a subprocess: the failure this guards against is a read that waits forever
    result = subprocess.run(
        [sys.executable, "-m", "screener", "info", str(fifo)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert str(fifo) in result.stderr and "not a regular file" in result.stderr


def test_a_review_in_a_missing_folder_names_the_folder(tmp_path: Path, capsys) -> None:
    path = tmp_path / "no such folder" / "review.db"
    line = one_line(["info", str(path)], capsys)
    assert str(path) in line and f"folder {path.parent} does not exist" in line


def test_a_folder_given_as_the_review(tmp_path: Path, capsys) -> None:
    for argv in (
        ["info", str(tmp_path)],
        ["new", str(tmp_path), "--title", "T"],
        ["export", "records", str(tmp_path)],
    ):
        assert str(tmp_path) in one_line(argv, capsys)
    with pytest.raises(ReviewFileError, match="is a folder"):
        Project.open(tmp_path)
