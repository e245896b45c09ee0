"""The review file: migrations, connection settings, refusing what it cannot open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from screener.errors import ReviewFileError
from screener.project import Project
from screener.storage.db import latest_version, migrations, open_review, schema_version


def test_new_review_has_every_migration_applied(tmp_path: Path) -> None:
    with Project.create(tmp_path / "r.db", title="T") as project:
        assert schema_version(project.db) == latest_version() == len(migrations()) >= 1
        tables = set(project.db.table_names())
    for table in (
        "review",
        "record",
        "record_fts",
        "search_run",
        "file_import",
        "cluster",
        "cluster_member",
        "duplicate_pair",
        "decision",
        "current_decision",
        "resolution",
        "reviewer",
        "full_text",
        "study",
        "extraction_value",
        "rob_judgement",
        "analysis",
    ):
        assert table in tables


def test_reopen_keeps_data_and_does_not_migrate_twice(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    Project.create(path, title="Kept title", question="Q?").close()
    with Project.open(path) as again:
        assert again.review().title == "Kept title"
        assert again.review().question == "Q?"
        assert again.db.execute("SELECT count(*) FROM review").fetchone()[0] == 1


def test_connection_settings(tmp_path: Path) -> None:
    with Project.create(tmp_path / "r.db", title="T") as project:
        pragma = lambda name: project.db.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 5000
        assert pragma("synchronous") == 2  # FULL


def test_newer_schema_is_refused_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    Project.create(path, title="T").close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.close()
    with pytest.raises(ReviewFileError) as info:
        open_review(path)
    message = str(info.value)
    assert "newer screener" in message and "\n" not in message


def test_sqlite_file_that_is_not_a_review_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(ReviewFileError, match="not a screener review"):
        Project.open(path)


@pytest.mark.parametrize(
    "content", [b"", b"hello, not a database\n", b"SQLite format 3\x00" + b"\x00" * 50]
)
def test_garbage_files_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(content)
    with pytest.raises(ReviewFileError):
        Project.open(path)


def test_create_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    Project.create(path, title="T").close()
    with pytest.raises(ReviewFileError, match="already exists"):
        Project.create(path, title="Other")


def test_an_interrupted_migration_leaves_the_file_as_it_was(tmp_path: Path, monkeypatch) -> None:
    # A migration that fails half-way must not leave half a schema behind.
    from screener.storage import db as dbmod

    bad = tmp_path / "migrations"
    bad.mkdir()
    (bad / "0001_initial.sql").write_text(
        "CREATE TABLE review (id INTEGER PRIMARY KEY, title TEXT);\n"
    )
    monkeypatch.setattr(dbmod, "_migration_dir", lambda: bad)
    path = tmp_path / "r.db"
    dbmod.create(path).conn.close()
    (bad / "0002_broken.sql").write_text("CREATE TABLE ok_table (x);\nTHIS IS NOT SQL;\n")
    with pytest.raises(sqlite3.OperationalError):
        dbmod.migrate(dbmod.connect(path), str(path))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "review" in names and "ok_table" not in names


def _as_version_2(path: Path) -> None:
    """A review file as screener made it before migration 0003 (schema 2)."""
    from screener.storage.db import _statements, connect

    db = connect(path, new=True)
    for number, script in migrations()[:2]:
        for statement in _statements(script.read_text(encoding="utf-8")):
            db.execute(statement)
        db.execute(f"PRAGMA user_version = {number}")
    db.execute("INSERT INTO review (id, title, created_at) VALUES (1, 'Old', '2026-01-01')")
    for name in ("rev_a", "rev_b", "Rev_A"):
        db.execute("INSERT INTO reviewer (name, created_at) VALUES (?, '2026-01-01')", [name])
    db.execute(
        "INSERT INTO search_run (id, database, query_text, started_at) VALUES (1, 'PubMed', 'x', "
        "'now')"
    )
    for pmid in ("11", "12"):
        db.execute(
            "INSERT INTO record (search_run_id, pmid, title, created_at) VALUES (1, ?, 't', 'now')",
            [pmid],
        )
    db.conn.close()


def test_migration_3_keys_reviewers_names_the_lead_and_lists_run_pmids(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _as_version_2(path)
    with Project.open(path) as project:
        rows = project.db.execute(
            "SELECT name, name_key, role FROM reviewer ORDER BY id"
        ).fetchall()
        pmids = project.db.execute("SELECT pmid FROM search_run_pmid ORDER BY pmid").fetchall()
    # the name typed twice in two cases stays apart under a distinct name, nothing is lost
    assert rows == [
        ("rev_a", "rev_a", "lead"),
        ("rev_b", "rev_b", "screener"),
        ("Rev_A (3)", "rev_a (3)", "screener"),
    ]
    assert pmids == [("11",), ("12",)]


def test_reviewer_names_match_whatever_their_case(tmp_path: Path) -> None:
    from screener.errors import InvalidInputError
    from screener.storage.review import add_reviewer, reviewer_id

    with Project.create(
        tmp_path / "r.db", title="T", reviewers=["rev_a", ("Ｒｅｖ_Ｂ", "arbiter")]
    ) as project:
        assert reviewer_id(project.db, "REV_A ") == reviewer_id(project.db, "rev_a")
        assert reviewer_id(project.db, "rev_b") == reviewer_id(project.db, "Rev_B")
        with pytest.raises(InvalidInputError, match="already in this review"):
            add_reviewer(project.db, "Rev_a")
        assert project.db.execute("SELECT name, role FROM reviewer ORDER BY id").fetchall() == [
            ("rev_a", "lead"),
            ("Rev_B", "arbiter"),
        ]
