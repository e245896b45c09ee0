"""merge(review, copy) keeps every decision of both, on random histories; a failed merge leaves
the review as it was."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from offline_review import make_review

from screener.project import Project
from screener.storage.decisions import history

TA = "title_abstract"
RECORDS = 6

# one step of a reviewer's work: a decision on a record, or an undo of the last one
steps = st.lists(
    st.one_of(
        st.tuples(st.integers(1, RECORDS), st.sampled_from(["include", "exclude", "maybe"])),
        st.just(("undo", None)),
    ),
    max_size=12,
)


def run(project: Project, reviewer: str, work: list) -> None:
    for record, choice in work:
        if record == "undo":
            project.undo_decision(TA, reviewer)
        else:
            project.record_decision(record, TA, reviewer, choice)


def rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT d.id, d.record_id, d.stage, r.name, d.action, d.decision, d.made_at"
            " FROM decision d JOIN reviewer r ON r.id = d.reviewer_id ORDER BY d.id"
        ).fetchall()


def live(path: Path, reviewer: str) -> dict[int, str]:
    with sqlite3.connect(path) as conn:
        return dict(
            conn.execute(
                "SELECT c.record_id, c.decision FROM current_decision c JOIN reviewer r"
                " ON r.id = c.reviewer_id WHERE r.name = ?",
                [reviewer],
            ).fetchall()
        )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = make_review(tmp_path_factory.mktemp("template") / "review.db", RECORDS)
    with Project.open(path) as p:
        p.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.read_bytes()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(before=steps, ann_online=steps, ben_offline=steps)
def test_merge_keeps_every_decision_of_both(
    template: bytes, before: list, ann_online: list, ben_offline: list
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        review, copy = Path(folder) / "review.db", Path(folder) / "ben.db"
        review.write_bytes(template)
        with Project.open(review) as p:
            run(p, "ben", before)
            p.checkout("ben", copy)
            run(p, "ann", ann_online)
        with Project.open(copy) as c:
            run(c, "ben", ben_offline)
        main_before, ann_live = rows(review), live(review, "ann")
        copy_rows = [row[1:] for row in rows(copy) if row[3] == "ben"]
        with Project.open(review) as p:
            p.merge(copy)
            merged = rows(review)
            p.merge(copy)
        assert rows(review) == merged  # a second merge: nothing
        assert merged[: len(main_before)] == main_before  # the review's rows unchanged
        bens = [row[1:] for row in merged if row[3] == "ben"]
        assert bens == copy_rows  # the copy's, all, in order
        assert live(review, "ben") == live(copy, "ben")  # ben decided only offline
        assert live(review, "ann") == ann_live


def test_an_undo_made_offline_is_merged_as_an_undo(review: Path, tmp_path: Path) -> None:
    with Project.open(review) as p:
        p.record_decision(1, TA, "ben", "include")
        p.checkout("ben", tmp_path / "ben.db")
    with Project.open(tmp_path / "ben.db") as c:
        c.undo_decision(TA, "ben")
    with Project.open(review) as p:
        assert p.merge(tmp_path / "ben.db").undos == 1
        assert live(review, "ben") == {}
        assert [h.action for h in history(p.db, 1)] == ["decide", "undo"]


def test_a_merge_that_fails_midway_leaves_the_review_unchanged(
    review: Path, tmp_path: Path
) -> None:
    with Project.open(review) as p:
        p.checkout("ben", tmp_path / "ben.db")
    with Project.open(tmp_path / "ben.db") as c:
        c.record_decision(1, TA, "ben", "include")
        c.record_decision(2, TA, "ben", "exclude", reason="Wrong population")
        c.add_note(2, "ben", "boom")
    # a real failing row: the review refuses this note, after the decisions went in
    with sqlite3.connect(review) as conn:
        conn.execute(
            "CREATE TRIGGER no_boom BEFORE INSERT ON record_note WHEN new.text = 'boom'"
            " BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
        before = list(conn.iterdump())
    with Project.open(review) as p, pytest.raises(sqlite3.IntegrityError):
        p.merge(tmp_path / "ben.db")
    with sqlite3.connect(review) as conn:
        assert list(conn.iterdump()) == before
