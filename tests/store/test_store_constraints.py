"""Rules the database itself enforces, whichever code path writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from screener.errors import InvalidInputError
from screener.project import Project
from screener.storage.db import now, transaction

CSV = (
    "id,title,abstract,authors,year,doi\n1,First trial,Abstract one,Smith J; Doe "
    "A,2020,10.1/a\n2,Second trial,Abstract two,Li X,2021,\n"
)


@pytest.fixture
def loaded(project: Project, tmp_path: Path) -> Project:
    path = tmp_path / "two.csv"
    path.write_text(CSV, encoding="utf-8")
    project.import_file(path, fmt="csv", source="Test DB")
    return project


def test_decision_for_unknown_record_is_refused(loaded: Project) -> None:
    with pytest.raises(InvalidInputError, match="no record with id 999"):
        loaded.record_decision(999, "title_abstract", "alice", "include")
    # and at the SQL level too, whatever code writes
    with pytest.raises(sqlite3.IntegrityError), transaction(loaded.db):
        rid = loaded.db.execute(
            "INSERT INTO reviewer (name, name_key, created_at) VALUES ('zed', 'zed', ?)", [now()]
        ).lastrowid
        loaded.db.execute(
            "INSERT INTO decision (record_id, stage, reviewer_id, decision, made_at) VALUES "
            "(999, 'title_abstract', ?, 'include', ?)",
            [rid, now()],
        )
    assert loaded.db.execute("SELECT count(*) FROM decision").fetchone()[0] == 0
    assert loaded.db.execute("SELECT count(*) FROM reviewer WHERE name = 'zed'").fetchone()[0] == 0


@pytest.mark.parametrize("name", ["", "   "])
def test_reviewer_name_is_required(loaded: Project, name: str) -> None:
    with pytest.raises(InvalidInputError, match="reviewer name is required"):
        loaded.record_decision(1, "title_abstract", name, "include")
    with pytest.raises(sqlite3.IntegrityError), transaction(loaded.db):
        loaded.db.execute("INSERT INTO reviewer (name, created_at) VALUES (?, ?)", [name, now()])


def test_bad_stage_and_choice_are_refused(loaded: Project) -> None:
    with pytest.raises(ValueError):
        loaded.record_decision(1, "abstracts", "alice", "include")
    with pytest.raises(ValueError):
        loaded.record_decision(1, "title_abstract", "alice", "perhaps")


def test_unknown_exclusion_reason_is_refused(loaded: Project) -> None:
    with pytest.raises(InvalidInputError, match="unknown exclusion reason"):
        loaded.record_decision(1, "title_abstract", "alice", "exclude", reason="Because")
    assert loaded.db.execute("SELECT count(*) FROM decision").fetchone()[0] == 0


def test_record_must_come_from_exactly_one_run_or_import(loaded: Project) -> None:
    with pytest.raises(sqlite3.IntegrityError), transaction(loaded.db):
        loaded.db.execute("INSERT INTO record (title, created_at) VALUES ('orphan', ?)", [now()])


def test_decisions_are_history_and_undo_restores_the_previous_one(loaded: Project) -> None:
    first = loaded.record_decision(1, "title_abstract", "alice", "include")
    loaded.record_decision(1, "title_abstract", "alice", "exclude", reason="Wrong population")
    loaded.record_decision(2, "title_abstract", "alice", "maybe")
    assert loaded.undo_decision("title_abstract", "alice") == 2
    assert loaded.decisions(2) == []
    assert loaded.undo_decision("title_abstract", "alice") == 1
    live = loaded.decisions(1)
    assert [(d.choice.value, d.id) for d in live] == [("include", first)]
    # nothing is deleted: 3 decisions and 2 undos stay in the audit trail
    actions = [row.action for row in loaded.decision_history(1)]
    assert actions == ["decide", "decide", "undo"]
    assert loaded.db.execute("SELECT count(*) FROM decision").fetchone()[0] == 5


def test_undo_with_nothing_to_undo_returns_none(loaded: Project) -> None:
    assert loaded.undo_decision("title_abstract", "alice") is None


def test_blind_review_hides_other_reviewers_until_both_decided(tmp_path: Path) -> None:
    path = tmp_path / "blind.db"
    csv_path = tmp_path / "two.csv"
    csv_path.write_text(CSV, encoding="utf-8")
    with Project.create(
        path, title="Blind", reviewers_title_abstract=2, blind=True, reviewers=("alice", "bob")
    ) as p:
        p.import_file(csv_path, fmt="csv", source="Test DB")
        p.record_decision(1, "title_abstract", "alice", "include")
        assert p.decisions(1, as_reviewer="bob") == []
        rows = {r.id: r for r in p.export_records(as_reviewer="bob")}
        assert rows[1].decisions == ()
        p.record_decision(1, "title_abstract", "bob", "exclude")
        assert {d.reviewer for d in p.decisions(1, as_reviewer="bob")} == {"alice", "bob"}
        with pytest.raises(Exception, match="blind"):
            p.export_records()
        assert len(p.export_records(unblind=True)[0].decisions) == 2
