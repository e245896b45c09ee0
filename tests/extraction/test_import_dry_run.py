"""``screener import REVIEW FILE --as extraction --dry-run`` says what the import would do and
writes nothing: the review file's bytes are the same afterwards."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

from screener.cli import main
from screener.project import Project

FIRST = """\
study,outcome,timepoint,ai,bi,ci,di
Alpha 2019,Relapse,52 weeks,3,17,9,11
Beta 2020,Relapse,52 weeks,0,25,4,21
"""
MORE = """\
study,outcome,timepoint,ai,bi,ci,di,xi,ni
Alpha 2019,Relapse,52 weeks,4,16,9,11,,
Gamma 2021,Relapse,52 weeks,2,18,5,15,,
Gamma 2021,Remission,12 weeks,,,,,7,20
"""


def fingerprint(path: Path) -> dict[str, str]:
    """sha256 of the review file and its -wal, read with no connection open."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (path, Path(f"{path}-wal"))
        if p.exists()
    }


def counts(path: Path) -> dict[str, int]:
    # closed at once: an open connection would keep the -wal file of the next one in place
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_a_dry_run_writes_nothing_and_says_what_would_happen(tmp_path: Path, capsys) -> None:
    review = tmp_path / "r.db"
    first, more = tmp_path / "first.csv", tmp_path / "more.csv"
    first.write_text(FIRST, encoding="utf-8")
    more.write_text(MORE, encoding="utf-8")
    with Project.create(review, title="R", reviewers=["alice"]) as project:
        project.import_extraction(first)
        project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before, rows_before = fingerprint(review), counts(review)
    capsys.readouterr()
    assert main(["import", str(review), str(more), "--as", "extraction", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert fingerprint(review) == before
    assert counts(review) == rows_before
    # what it would do: 3 rows, one new study (Gamma 2021), one new outcome (Remission)
    assert "more.csv" in out and "3 rows" in out and "Gamma 2021" in out and "Remission" in out
    assert "nothing" in out.lower()
    with Project.open(review) as project:
        assert [s.name for s in project.studies()] == ["Alpha 2019", "Beta 2020"]
    # the real import then does what the dry run said
    assert main(["import", str(review), str(more), "--as", "extraction"]) == 0
    with Project.open(review) as project:
        assert [s.name for s in project.studies()] == ["Alpha 2019", "Beta 2020", "Gamma 2021"]


def test_a_dry_run_reports_the_same_mistakes_as_the_import(tmp_path: Path, capsys) -> None:
    review = tmp_path / "r.db"
    Project.create(review, title="R", reviewers=["alice"]).close()
    bad = tmp_path / "bad.csv"
    bad.write_text("study,outcome,xi,ni\nA,R,12,10x\n", encoding="utf-8")
    before = fingerprint(review)
    capsys.readouterr()
    assert main(["import", str(review), str(bad), "--as", "extraction", "--dry-run"]) == 1
    assert "bad.csv, line 2" in capsys.readouterr().err
    assert fingerprint(review) == before
