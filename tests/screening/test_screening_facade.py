"""Notes, tags, resolutions, full texts and the rules around decisions, through the façade."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from screener.errors import InvalidInputError, ScreenerError
from screener.model import Stage
from screener.project import Project

TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT


def _rows(project: Project, table: str) -> int:
    return project.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _pass_title_abstract(project: Project, *record_ids: int) -> None:
    for rid in record_ids:
        project.record_decision(rid, TA, "a", "include")
        project.record_decision(rid, TA, "b", "maybe")


# --- notes and tags ------------------------------------------------------------------------------


def test_notes_are_kept_and_blind_hides_others(dual: Project) -> None:
    dual.add_note(3, "a", "  check   the   dose ", stage=TA)
    dual.add_note(3, "b", "pilot study?")
    assert [(n.reviewer, n.text) for n in dual.notes(3)] == [
        ("a", "check the dose"),
        ("b", "pilot study?"),
    ]
    assert [n.text for n in dual.notes(3, as_reviewer="a")] == ["check the dose"]
    dual.update_review(blind=False)
    assert len(dual.notes(3, as_reviewer="a")) == 2
    with pytest.raises(InvalidInputError):
        dual.add_note(3, "a", "   ")
    with pytest.raises(InvalidInputError):
        dual.add_note(99, "a", "no such record")
    assert _rows(dual, "record_note") == 2


def test_tags_add_remove_and_filter(dual: Project) -> None:
    assert dual.tag_record(2, "rct", "a") is True
    assert dual.tag_record(2, "rct", "a") is False  # already there: no duplicate
    dual.tag_record(5, "rct", "b")
    dual.tag_record(5, "kids", "a")
    assert dual.record_tags(5) == ["kids", "rct"]
    assert dual.record_tags(5, as_reviewer="a") == ["kids"]  # blind: only a's own
    assert dual.tags(as_reviewer="a") == ["kids", "rct"]
    assert dual.screening_queue(TA, "a", "tag", tag="rct") == [2]  # b's tag does not count
    assert dual.screening_queue(TA, "a", "tag:kids") == [5]
    assert dual.untag_record(2, "rct", "a") is True
    assert dual.untag_record(2, "rct", "a") is False
    assert dual.screening_queue(TA, "a", "tag:rct") == []
    dual.update_review(blind=False)
    assert dual.screening_queue(TA, "a", "tag:rct") == [5]


def test_unknown_filter_is_one_clear_error(dual: Project) -> None:
    with pytest.raises(InvalidInputError, match="unknown filter 'someday'"):
        dual.screening_queue(TA, "a", "someday")
    with pytest.raises(InvalidInputError, match="needs a tag"):
        dual.screening_queue(TA, "a", "tag")


def test_reading_a_queue_as_an_unknown_reviewer_is_refused_and_creates_nobody(
    dual: Project,
) -> None:
    with pytest.raises(InvalidInputError, match="newcomer"):
        dual.screening_queue(TA, "newcomer", "undecided")
    assert "newcomer" not in dual.info().reviewers


# --- conflicts and resolutions -------------------------------------------------------------------


def test_conflicts_list_both_decisions_reasons_and_notes(dual: Project) -> None:
    dual.record_decision(4, TA, "a", "include")
    dual.record_decision(4, TA, "b", "exclude", reason="Not a trial")
    dual.add_note(4, "b", "a cohort study")
    dual.record_decision(6, TA, "a", "maybe")
    dual.record_decision(6, TA, "b", "include")  # maybe = include: no conflict
    [conflict] = dual.conflicts(TA)
    assert conflict.record_id == 4
    assert [(d.reviewer, d.choice.value, d.reason) for d in conflict.decisions] == [
        ("a", "include", ""),
        ("b", "exclude", "Not a trial"),
    ]
    assert [n.text for n in conflict.notes] == ["a cohort study"]
    dual.update_review(maybe_counts_as="exclude")
    assert [c.record_id for c in dual.conflicts(TA)] == [4, 6]


def test_resolution_by_third_reviewer_or_consensus(dual: Project) -> None:
    for rid in (1, 2):
        dual.record_decision(rid, TA, "a", "include")
        dual.record_decision(rid, TA, "b", "exclude")
    with pytest.raises(InvalidInputError, match="third reviewer must be someone else"):
        dual.resolve_conflict(1, TA, "exclude", "a", method="third_reviewer")
    with pytest.raises(InvalidInputError, match="consensus is recorded by one of"):
        dual.resolve_conflict(1, TA, "exclude", "carol", method="consensus")
    with pytest.raises(InvalidInputError, match="not maybe"):
        dual.resolve_conflict(1, TA, "maybe", "carol")
    assert _rows(dual, "resolution") == 0
    dual.resolve_conflict(1, TA, "include", "carol", method="third_reviewer", note="fits PICO")
    dual.resolve_conflict(2, TA, "exclude", "a", method="consensus", reason="Wrong population")
    assert dual.conflicts(TA) == []
    first, second = dual.resolution(1, TA), dual.resolution(2, TA)
    assert (first.reviewer, first.method.value, first.choice.value, first.note) == (
        "carol",
        "third_reviewer",
        "include",
        "fits PICO",
    )
    assert (second.reviewer, second.method.value, second.reason) == (
        "a",
        "consensus",
        "Wrong population",
    )
    assert dual.full_text_candidates() == [1]


def test_nothing_to_resolve_without_decisions(dual: Project) -> None:
    with pytest.raises(InvalidInputError, match="no decisions"):
        dual.resolve_conflict(7, TA, "include", "carol")


# --- the full-text stage -------------------------------------------------------------------------


def test_full_text_candidates_need_every_required_reviewer(dual: Project) -> None:
    dual.record_decision(1, TA, "a", "include")  # one of two: not yet
    _pass_title_abstract(dual, 2)
    dual.record_decision(3, TA, "a", "exclude")
    dual.record_decision(3, TA, "b", "exclude")
    assert dual.full_text_candidates() == [2]
    progress = {p.stage: p for p in dual.screening_progress()}
    assert progress[TA].outcomes == {"pending": 8, "include": 1, "exclude": 1, "conflict": 0}
    assert progress[FT].records == 1


def test_full_text_decisions_need_a_reason_and_a_passed_record(dual: Project) -> None:
    _pass_title_abstract(dual, 2)
    with pytest.raises(InvalidInputError, match="needs a reason from the review's list"):
        dual.record_decision(2, FT, "a", "exclude")
    with pytest.raises(InvalidInputError, match="unknown exclusion reason 'Too short'"):
        dual.record_decision(2, FT, "a", "exclude", reason="Too short")
    with pytest.raises(InvalidInputError, match="has not passed title/abstract"):
        dual.record_decision(3, FT, "a", "include")
    with pytest.raises(InvalidInputError, match="a reason goes with an exclusion"):
        dual.record_decision(2, FT, "a", "include", reason="Not a trial")
    assert _rows(dual, "decision") == 2  # only the two title/abstract ones
    dual.record_decision(2, FT, "a", "exclude", reason="Not a trial")
    [d] = dual.decisions(2, FT)
    assert (d.choice.value, d.reason) == ("exclude", "Not a trial")


def test_attach_full_text_stores_the_sha256(dual: Project, tmp_path: Path) -> None:
    _pass_title_abstract(dual, 2)
    pdf = tmp_path / "smith 2019.pdf"
    pdf.write_bytes(b"%PDF-1.4 hand-made test file\n")
    found = dual.attach_full_text(2, pdf, "a")
    assert found.sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert Path(found.path) == pdf.resolve() and not found.not_retrieved
    with pytest.raises(ScreenerError, match="no such file"):
        dual.attach_full_text(2, tmp_path / "missing.pdf", "a")
    with pytest.raises(InvalidInputError, match="has not passed"):
        dual.attach_full_text(3, pdf, "a")
    assert dual.full_text(3) is None


def test_not_retrieved_blocks_decisions_until_a_file_is_attached(
    dual: Project, tmp_path: Path
) -> None:
    _pass_title_abstract(dual, 2)
    dual.mark_not_retrieved(2, "a", note="authors did not reply")
    found = dual.full_text(2)
    assert found.not_retrieved and found.note == "authors did not reply"
    with pytest.raises(InvalidInputError, match="not retrievable"):
        dual.record_decision(2, FT, "a", "include")
    pdf = tmp_path / "found.pdf"
    pdf.write_bytes(b"%PDF-1.4 found it\n")
    dual.attach_full_text(2, pdf, "b")
    assert dual.full_text(2).not_retrieved is False
    dual.record_decision(2, FT, "a", "include")
    dual.mark_not_retrieved(2, "a")
    dual.mark_not_retrieved(2, "a", not_retrieved=False)
    assert dual.full_text(2).not_retrieved is False


def test_bulk_decisions_are_all_or_nothing(dual: Project) -> None:
    with pytest.raises(InvalidInputError):
        dual.record_decisions([(1, "include", None), (2, "exclude", "No such reason")], TA, "a")
    assert _rows(dual, "decision") == 0
    assert (
        dual.record_decisions([(1, "include", None), (2, "exclude", "Not a trial")], TA, "a") == 2
    )
    assert dual.screening_queue(TA, "a", "mine") == [1, 2]


def test_agreement_counts_per_pair(dual: Project) -> None:
    plan = {
        1: ("include", "include"),
        2: ("include", "exclude"),
        3: ("exclude", "exclude"),
        4: ("maybe", "include"),
        5: ("exclude", "maybe"),
        6: ("exclude", "exclude"),
    }
    for rid, (a, b) in plan.items():
        dual.record_decision(rid, TA, "a", a)
        dual.record_decision(rid, TA, "b", b)
    dual.record_decision(7, TA, "a", "include")  # b has not decided: not counted
    [pair] = dual.agreement(TA)
    assert (pair.reviewer_a, pair.reviewer_b, pair.n) == ("a", "b", 6)
    assert pair.table() == ((2, 1), (1, 2))  # maybe counted as include
    assert pair.kappa.percent_agreement == pytest.approx(100 * 4 / 6)
    dual.update_review(maybe_counts_as="exclude")
    [pair] = dual.agreement()
    assert pair.table() == ((1, 1), (1, 3))
    assert dual.agreement(FT) == []
