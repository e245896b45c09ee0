"""checkout -> work offline -> merge: what a copy holds, what a merge brings back, what it
refuses."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from offline_review import make_review

from screener.errors import ScreenerError
from screener.extraction.values import ValueEntry
from screener.model import Decision
from screener.project import Project
from screener.storage.decisions import all_decisions
from screener.storage.extraction import load_values
from screener.storage.review import review_uid

TA = "title_abstract"


def history(path: Path) -> list[tuple]:
    """Every decision row of the file, with its reviewer's name (ids aside)."""
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT d.record_id, d.stage, r.name, d.action, d.decision, d.made_at FROM decision d"
            " JOIN reviewer r ON r.id = d.reviewer_id ORDER BY d.id"
        ).fetchall()


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def _all(project: Project) -> list[Decision]:
    """Every live decision in the review."""
    return all_decisions(project.db)


@pytest.fixture
def started(review: Path) -> Path:
    """ann has decided, noted and tagged; ann and ben agree on record 3 (final)."""
    with Project.open(review) as p:
        p.record_decision(1, TA, "ann", "include")
        p.record_decision(2, TA, "ann", "exclude", reason="Wrong population")
        p.add_note(2, "ann", "ann's private note")
        p.tag_record(2, "ann-tag", "ann")
        p.record_decision(3, TA, "ann", "include")
        p.record_decision(3, TA, "ben", "include")
        p.add_note(3, "ann", "a note on a settled record")
    return review


def test_copy_is_blind(started: Path, tmp_path: Path) -> None:
    copy = tmp_path / "ben.db"
    with Project.open(started) as p:
        p.checkout("ben", copy)
    with Project.open(copy) as c:
        anns = [d for d in _all(c) if d.reviewer == "ann"]
        # only the final unit (3) keeps ann's decision; her notes and tags on open records go
        assert [d.record_id for d in anns] == [3]
        assert (
            c.db.execute(
                "SELECT count(*) FROM decision WHERE reviewer_id ="
                " (SELECT id FROM reviewer WHERE name = 'ann')"
            ).fetchone()[0]
            == 1
        )
        assert [n.text for n in c.notes(2)] == []
        assert c.db.execute("SELECT count(*) FROM record_tag").fetchone()[0] == 0
        # the review's records, reasons and reviewers are all there
        assert len(c.screened_record_ids()) == 12
        assert c.review().exclusion_reasons == ("Wrong population", "Wrong intervention")
    # and no page of the file keeps the removed text
    assert b"ann's private note" not in copy.read_bytes()


def test_checkout_merge_twice_is_idempotent(started: Path, tmp_path: Path) -> None:
    copy = tmp_path / "ben.db"
    with Project.open(started) as p:
        p.checkout("ben", copy)
    with Project.open(copy) as c:
        c.record_decision(1, TA, "ben", "exclude", reason="Wrong intervention")
        c.record_decision(4, TA, "ben", "include")
        c.record_decision(5, TA, "ben", "maybe")
        c.add_note(5, "ben", "offline note")
        c.tag_record(5, "later", "ben")
    before = history(started)
    with Project.open(started) as p:
        first = p.merge(copy)
        after_once = dump(started)
        second = p.merge(copy)
        assert dump(started) == after_once
        assert (first.decisions, first.notes, first.tags) == (3, 1, 1)
        assert second.nothing
        # ann's include and ben's offline exclude of record 1 are a conflict, as usual
        assert [c.record_id for c in p.conflicts(TA)] == [1]
        assert p.record_tags(5) == ["later"]
    merged = history(started)
    assert merged[: len(before)] == before
    # the copy's own rows (its ids reuse those of rows the blind copy left out), in order,
    # with their own times
    offline = [row for row in history(copy) if row not in before]
    assert len(offline) == 3 and merged[len(before) :] == offline


def test_checkout_again_after_merge_and_continue(started: Path, tmp_path: Path) -> None:
    with Project.open(started) as p:
        p.checkout("ben", tmp_path / "one.db")
    with Project.open(tmp_path / "one.db") as c:
        c.record_decision(6, TA, "ben", "include")
    with Project.open(started) as p:
        assert p.merge(tmp_path / "one.db").decisions == 1
        p.checkout("ben", tmp_path / "two.db")
    with Project.open(tmp_path / "two.db") as c:
        assert {d.record_id for d in _all(c) if d.reviewer == "ben"} == {3, 6}
        c.record_decision(7, TA, "ben", "exclude")
        c.undo_decision(TA, "ben")
        c.undo_decision(TA, "ben")  # the undo of 6, merged from the first copy
    with Project.open(started) as p:
        done = p.merge(tmp_path / "two.db")
        assert (done.decisions, done.undos) == (1, 2)
        assert p.merge(tmp_path / "one.db").nothing  # the first copy again: nothing new
        assert {d.record_id for d in _all(p) if d.reviewer == "ben"} == {3}


def test_continue_in_the_same_copy_after_a_merge(started: Path, tmp_path: Path) -> None:
    copy = tmp_path / "ben.db"
    with Project.open(started) as p:
        p.checkout("ben", copy)
    with Project.open(copy) as c:
        c.record_decision(6, TA, "ben", "include")
        c.tag_record(6, "first", "ben")
    with Project.open(started) as p:
        p.merge(copy)
    with Project.open(copy) as c:
        c.record_decision(7, TA, "ben", "include")
        c.untag_record(6, "first", "ben")
    with Project.open(started) as p:
        done = p.merge(copy)
        assert (done.decisions, done.untags, done.kept) == (1, 1, 0)
        assert p.db.execute("SELECT count(*) FROM record_tag").fetchone()[0] == 1  # ann's


def test_a_copy_of_another_review_is_refused(started: Path, tmp_path: Path) -> None:
    other = make_review(tmp_path / "other.db")
    with Project.open(other) as o:
        o.checkout("ben", tmp_path / "foreign.db")
    before = dump(started)
    with Project.open(started) as p, pytest.raises(ScreenerError, match="another review"):
        p.merge(tmp_path / "foreign.db")
    assert dump(started) == before


def test_checkout_for_an_undeclared_reviewer_is_refused(started: Path, tmp_path: Path) -> None:
    with Project.open(started) as p, pytest.raises(ScreenerError, match="not a reviewer"):
        p.checkout("zed", tmp_path / "zed.db")
    assert not (tmp_path / "zed.db").exists()
    assert [f.name for f in tmp_path.iterdir() if f.name.startswith(".zed")] == []


def test_a_copy_whose_reviewer_left_the_review_is_refused(started: Path, tmp_path: Path) -> None:
    with Project.open(started) as p:
        p.checkout("ben", tmp_path / "ben.db")
    with sqlite3.connect(started) as conn:  # the review no longer declares ben by that name
        conn.execute(
            "UPDATE reviewer SET name = 'benjamin', name_key = 'benjamin' WHERE name = 'ben'"
        )
    with Project.open(started) as p, pytest.raises(ScreenerError, match="not a reviewer"):
        p.merge(tmp_path / "ben.db")


def test_work_by_another_reviewer_in_the_copy_is_refused(started: Path, tmp_path: Path) -> None:
    with Project.open(started) as p:
        p.checkout("ben", tmp_path / "ben.db")
    with Project.open(tmp_path / "ben.db") as c:
        c.record_decision(8, TA, "ben", "include")
        c.record_decision(8, TA, "ann", "exclude")
    before = dump(started)
    with Project.open(started) as p, pytest.raises(ScreenerError, match="work by 'ann'"):
        p.merge(tmp_path / "ben.db")
    assert dump(started) == before


def test_the_review_itself_and_a_plain_review_are_refused(started: Path, tmp_path: Path) -> None:
    with Project.open(started) as p:
        with pytest.raises(ScreenerError, match="the review itself"):
            p.merge(started)
        with pytest.raises(ScreenerError, match="not an offline copy"):
            p.merge(make_review(tmp_path / "plain.db"))
        with pytest.raises(ScreenerError, match="the review itself"):
            p.checkout("ben", started)


def test_records_added_in_a_copy_are_refused(started: Path, tmp_path: Path) -> None:
    with Project.open(started) as p:
        p.checkout("ben", tmp_path / "ben.db")
    extra = tmp_path / "extra.csv"
    extra.write_text("title,abstract\nA record added offline,x\n", encoding="utf-8")
    with Project.open(tmp_path / "ben.db") as c:
        c.import_file(extra, source="Embase")
    with (
        Project.open(started) as p,
        pytest.raises(ScreenerError, match="1 record the review lacks"),
    ):
        p.merge(tmp_path / "ben.db")


def test_a_reason_the_review_lacks_is_added(started: Path, tmp_path: Path) -> None:
    with Project.open(started) as p:
        p.checkout("ben", tmp_path / "ben.db")
    with Project.open(tmp_path / "ben.db") as c:
        c.update_review(
            exclusion_reasons=("Wrong population", "Wrong intervention", "Not  a trial")
        )
        c.record_decision(9, TA, "ben", "exclude", reason="Not a trial")
    with Project.open(started) as p:
        done = p.merge(tmp_path / "ben.db")
        assert done.reasons_added == ("Not a trial",)
        assert "Not a trial" in p.review().exclusion_reasons
        assert [d.reason for d in _all(p) if d.record_id == 9] == ["Not a trial"]


def test_new_reviews_have_an_id_and_copies_carry_it(started: Path, tmp_path: Path) -> None:
    with Project.open(started) as p:
        uid = review_uid(p.db)
        p.checkout("ben", tmp_path / "ben.db")
    other = make_review(tmp_path / "other.db")
    with Project.open(tmp_path / "ben.db") as c, Project.open(other) as o:
        assert len(uid) == 32 and review_uid(c.db) == uid != review_uid(o.db)


def test_extraction_and_risk_of_bias_come_back(review: Path, tmp_path: Path) -> None:
    with Project.open(review) as p:
        p.load_form(builtin="bcg")
        p.create_study("Aronson 1948", record_ids=[1])
        for who in ("ann", "ben"):
            p.record_decision(2, TA, who, "include")
        p.save_extraction("Aronson 1948", "ann", [ValueEntry("year", "1948")])
        p.save_rob("Aronson 1948", "rob2", "ann", {"randomization": "low"})
        p.checkout("ben", tmp_path / "ben.db")
    with Project.open(tmp_path / "ben.db") as c:
        assert c.db.execute("SELECT count(*) FROM extraction_value").fetchone()[0] == 0
        assert c.db.execute("SELECT count(*) FROM rob_judgement").fetchone()[0] == 0
        c.save_extraction("Aronson 1948", "ben", [ValueEntry("year", "1949")])
        c.save_rob("Aronson 1948", "rob2", "ben", {"randomization": "high"})
        c.mark_not_retrieved(2, "ben", note="library closed")
    with Project.open(review) as p:
        done = p.merge(tmp_path / "ben.db")
        assert (done.values, done.judgements, done.full_texts) == (1, 1, 1)
        assert p.merge(tmp_path / "ben.db").nothing
        values = {(v.reviewer, v.value) for v in load_values(p.db)}
        assert values == {("ann", "1948"), ("ben", "1949")}
        assert p.full_text(2).not_retrieved


def test_a_row_changed_in_the_review_since_the_checkout_is_kept(
    review: Path, tmp_path: Path
) -> None:
    with Project.open(review) as p:
        p.tag_record(1, "t", "ben")
        for who in ("ann", "ben"):
            p.record_decision(2, TA, who, "include")
        p.checkout("ben", tmp_path / "ben.db")
        p.untag_record(1, "t", "ben")  # ben, online, took the tag off
        p.mark_not_retrieved(2, "ann", note="ann's")
    with Project.open(tmp_path / "ben.db") as c:
        c.untag_record(1, "t", "ben")
        c.tag_record(1, "t", "ben")  # offline: a new tag, made later
        c.mark_not_retrieved(2, "ben", note="ben's")
    with Project.open(review) as p:
        done = p.merge(tmp_path / "ben.db")
        # both rows changed in the review since the checkout: the review's stay as they are
        assert (done.full_texts, done.tags, done.kept) == (0, 0, 2)
        assert p.full_text(2).note == "ann's"
        assert p.record_tags(1) == []


def test_work_a_merge_does_not_bring_back_is_named_not_dropped(
    started: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "lead.db"
    with Project.open(started) as p:
        p.checkout("lead", copy)
    with Project.open(copy) as c:
        c.record_decision(4, TA, "lead", "include")
        c.record_decision(5, TA, "lead", "include")
        c.resolve_conflict(5, TA, "exclude", "lead", method="consensus")
        c.add_reviewer("dan")
        c.update_review(exclusion_reasons=(*c.review().exclusion_reasons, "Never used"))
    with Project.open(started) as p:
        done = p.merge(copy)
        assert done.decisions == 2
        assert done.left_in_copy == ("conflict resolutions", "reviewers")
        assert done.reasons_left == ("Never used",)
        # left in the copy, not written into the review
        assert p.db.execute("SELECT count(*) FROM resolution").fetchone()[0] == 0
        assert "dan" not in [r.name for r in p.reviewers()]
        # merging again still names it: it is still only in the copy
        again = p.merge(copy)
        assert again.nothing and again.left_in_copy == ("conflict resolutions", "reviewers")


def test_a_copy_with_screening_work_only_leaves_nothing_behind(
    started: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "ben.db"
    with Project.open(started) as p:
        p.checkout("ben", copy)
    with Project.open(copy) as c:
        c.record_decision(4, TA, "ben", "exclude", reason="Wrong population")
        c.add_note(4, "ben", "why")
        c.tag_record(4, "later", "ben")
        c.undo_decision(TA, "ben")
    with Project.open(started) as p:
        done = p.merge(copy)
    assert (done.decisions, done.undos, done.notes, done.tags) == (1, 1, 1, 1)
    assert done.left_in_copy == () and done.reasons_left == ()
