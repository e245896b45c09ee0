"""Declared reviewers and their roles, through the façade: an undeclared name is refused
everywhere, names match whatever their case, only an arbiter or the lead resolves, and a blind
screener sees no decision on a record before deciding it (issue "Reviewers are who they say")."""

from __future__ import annotations

from pathlib import Path

import pytest

from screener.demo_bcg import BCG_OUTCOME, build_bcg_demo
from screener.errors import ScreenerError
from screener.extraction.values import ValueEntry
from screener.project import Project

TA = "title_abstract"
TABLES = (
    "reviewer",
    "decision",
    "record_note",
    "record_tag",
    "resolution",
    "full_text",
    "duplicate_pair",
    "extraction_value",
    "rob_judgement",
    "analysis",
)


def _counts(project: Project) -> dict[str, int]:
    return {t: project.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.fixture
def trial(tmp_path: Path, new_review):
    """The trial's review: rev_a (lead) and rev_b screen 6 records blind, two each needed."""
    path = new_review(tmp_path / "trial.db", 6, reviewers=("rev_a", "rev_b"))
    with Project.open(path) as project:
        for rid, (a, b) in enumerate(
            [
                ("include", "include"),
                ("exclude", "exclude"),
                ("include", "exclude"),
                ("exclude", "exclude"),
            ],
            start=1,
        ):
            project.record_decision(rid, TA, "rev_a", a)
            project.record_decision(rid, TA, "rev_b", b)
        yield project


def test_a_name_typed_in_another_case_is_the_same_reviewer(trial: Project) -> None:
    [before] = trial.agreement(TA)
    trial.record_decision(1, TA, "Rev_A", "include")  # the trial: "Rev_A" at the prompt
    trial.add_note(1, "REV_A", "same person")
    assert trial.info().reviewers == ("rev_a", "rev_b")
    assert [r.name for r in trial.reviewers()] == ["rev_a", "rev_b"]
    [after] = trial.agreement(TA)
    assert (after.reviewer_a, after.reviewer_b, after.n) == ("rev_a", "rev_b", 4)
    assert after.kappa.kappa == before.kappa.kappa and after.kappa.kappa > 0
    assert trial.screening_queue(TA, "Rev_A", "undecided") == [5, 6]  # record 1 stays agreed
    assert [d.reviewer for d in trial.decisions(1, TA, as_reviewer="Rev_A")] == ["rev_a", "rev_b"]
    assert [n.reviewer for n in trial.notes(1, as_reviewer="rev_A")] == ["rev_a"]


def test_an_undeclared_name_is_refused_everywhere_and_creates_nothing(
    trial: Project, tmp_path: Path
) -> None:
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.4 hand-made\n")
    trial.resolve_conflict(1, TA, "include", "rev_a", method="consensus", replace=True)
    trial.load_form(builtin="il2_myositis")
    trial.create_study("Zhang 2021")
    before = _counts(trial)
    writes = {
        "decision": lambda who: trial.record_decision(5, TA, who, "include"),
        "decisions": lambda who: trial.record_decisions([(5, "include", None)], TA, who),
        "undo": lambda who: trial.undo_decision(TA, who),
        "note": lambda who: trial.add_note(5, who, "hello"),
        "tag": lambda who: trial.tag_record(5, "rct", who),
        "untag": lambda who: trial.untag_record(5, "rct", who),
        "dedup verdict": lambda who: trial.decide_duplicate((5, 6), False, who),
        "full text": lambda who: trial.attach_full_text(1, pdf, who),
        "not retrieved": lambda who: trial.mark_not_retrieved(1, who),
        "resolution": lambda who: trial.resolve_conflict(3, TA, "include", who),
        "undo resolution": lambda who: trial.undo_resolution(1, TA, who),
        "extraction": lambda who: trial.save_extraction("Zhang 2021", who, [ValueEntry("n", "12")]),
        "rob": lambda who: trial.save_rob("Zhang 2021", "rob2", who, {"randomization": "low"}),
        "queue": lambda who: trial.screening_queue(TA, who),
        "blind view": lambda who: trial.decisions(1, TA, as_reviewer=who),
        "export": lambda who: trial.export_records(as_reviewer=who),
        "conflicts": lambda who: trial.conflicts(TA, as_reviewer=who),
    }
    for what, write in writes.items():
        with pytest.raises(ScreenerError) as caught:
            write("rev_c")
        message = str(caught.value)
        assert "rev_c" in message and "screener reviewer add" in message, what
        assert "\n" not in message, what
    assert _counts(trial) == before


def test_roles_and_the_first_lead(tmp_path: Path) -> None:
    with Project.create(tmp_path / "r.db", title="No reviewers yet") as project:
        assert project.reviewers() == []
        assert project.add_reviewer("Alice", "screener").role == "lead"  # the first is the lead
        assert project.add_reviewer("bob").role == "screener"
        assert project.add_reviewer("carol", "arbiter").role == "arbiter"
        with pytest.raises(ScreenerError, match="already"):
            project.add_reviewer("ALICE")
        with pytest.raises(ScreenerError, match="only lead"):
            project.set_reviewer_role("alice", "screener")
        assert project.set_reviewer_role("BOB", "lead").role == "lead"
        assert project.set_reviewer_role("alice", "arbiter").role == "arbiter"
        with pytest.raises(ScreenerError):
            project.set_reviewer_role("bob", "boss")
        with pytest.raises(ScreenerError):
            project.add_reviewer("tab\tname")
        assert [(r.name, r.role) for r in project.reviewers()] == [
            ("Alice", "arbiter"),
            ("bob", "lead"),
            ("carol", "arbiter"),
        ]
        with pytest.raises(ScreenerError, match="lead already"):
            project.declare_lead("dave")


def test_only_an_arbiter_or_the_lead_resolves(trial: Project) -> None:
    trial.add_reviewer("carol", "arbiter")
    with pytest.raises(ScreenerError, match="arbiter or the lead"):
        trial.resolve_conflict(3, TA, "include", "rev_b", method="consensus")
    assert trial.resolution(3, TA) is None
    trial.resolve_conflict(3, TA, "include", "CAROL")
    assert trial.resolution(3, TA).reviewer == "carol"
    with pytest.raises(ScreenerError, match="arbiter or the lead"):
        trial.undo_resolution(3, TA, "rev_b")
    trial.undo_resolution(3, TA, "rev_a")  # the lead may
    trial.resolve_conflict(3, TA, "exclude", "rev_a", method="consensus")
    assert trial.resolution(3, TA).reviewer == "rev_a"


def test_a_blind_screener_sees_no_decision_on_a_record_before_deciding_it(
    tmp_path: Path, new_review
) -> None:
    path = new_review(
        tmp_path / "three.db",
        6,
        reviewers=("lead", "rev_a", "rev_b", "rev_c", ("carol", "arbiter")),
    )
    with Project.open(path) as p:
        for rid in (1, 2):  # rev_a and rev_b disagree
            p.record_decision(rid, TA, "rev_a", "exclude")
            p.record_decision(rid, TA, "rev_b", "include")
        p.add_note(1, "rev_a", "a's note")
        p.record_decision(2, TA, "rev_c", "include")  # rev_c decided record 2 only
        p.add_note(2, "rev_c", "c's note")
        p.resolve_conflict(1, TA, "exclude", "carol")

        assert p.conflicts(TA, as_reviewer="rev_c") == [
            c for c in p.conflicts(TA, as_reviewer="rev_c") if c.record_id == 2
        ]
        [seen] = p.conflicts(TA, as_reviewer="rev_c")
        assert seen.record_id == 2 and [n.text for n in seen.notes] == ["c's note"]
        assert p.conflicts(TA, as_reviewer="rev_c", resolved=True) == []  # record 1: not his
        assert p.resolution(1, TA, as_reviewer="rev_c") is None
        assert p.resolution(1, TA, as_reviewer="rev_a").reviewer == "carol"
        assert p.screening_queue(TA, "rev_c", "conflicts") == [2]
        assert p.decisions(1, TA, as_reviewer="rev_c") == []
        assert [r.reviewer for r in p.decision_history(1, as_reviewer="rev_c")] == []
        assert {r.reviewer for r in p.decision_history(2, as_reviewer="rev_c")} == {
            "rev_a",
            "rev_b",
            "rev_c",
        }
        assert {(a.reviewer_a, a.reviewer_b) for a in p.agreement(TA, as_reviewer="rev_c")} == {
            ("rev_a", "rev_c"),
            ("rev_b", "rev_c"),
        }
        # the arbiter and the lead see every conflict with both decisions
        for who in ("carol", "LEAD"):
            assert [c.record_id for c in p.conflicts(TA, as_reviewer=who)] == [2]
            [done] = p.conflicts(TA, as_reviewer=who, resolved=True)
            assert done.record_id == 1 and done.resolution.choice.value == "exclude"
            assert {d.reviewer for d in done.decisions} == {"rev_a", "rev_b"}
            assert len(p.agreement(TA, as_reviewer=who)) == 3
        p.update_review(blind=False)  # an open review hides nothing
        assert [c.record_id for c in p.conflicts(TA, as_reviewer="rev_c", resolved=True)] == [1]


def test_analyses_and_agreed_values_by_an_undeclared_reviewer_are_refused(tmp_path: Path) -> None:
    with Project.open(build_bcg_demo(tmp_path)) as bcg:
        before = _counts(bcg)
        with pytest.raises(ScreenerError, match="screener reviewer add"):
            bcg.pool(BCG_OUTCOME, measure="RR", reviewer="rev_c")
        [value] = [v for v in bcg.extraction_values() if v.key.field == "events1"][:1]
        with pytest.raises(ScreenerError, match="screener reviewer add"):
            bcg.resolve_extraction(value.key, "5", by="rev_c")
        assert _counts(bcg) == before
        assert bcg.pool(BCG_OUTCOME, measure="RR", reviewer="DEMO").reviewer == "demo"
