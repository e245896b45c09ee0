"""A decision made on a record that dedup later merged into another record's cluster counts for
the cluster's primary record in the reviewer's own queue, progress and record view, as it does
for outcomes (the views unit_decision / unit_resolution of db/0002) -- and only for that
reviewer: a blind review's queues show no one anyone else's decisions.

The reviews are real files made through the façade; the merges are a person's verdict
(``decide_duplicate``), which rebuilds the clusters the way ``screener dedup`` does.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener.model import Stage
from screener.project import Project
from screener.tui.app import make_app
from screener.tui.screens.screening import ScreeningScreen
from screener.tui.widgets.decision_bar import DecisionBar

TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT
P, S = 1, 2  # the cluster's primary record, and the record merged into it as a secondary


def _primary_of(project: Project, record_id: int) -> int | None:
    row = project.db.execute(
        "SELECT c.primary_record_id FROM cluster_member m JOIN cluster c ON c.id = m.cluster_id"
        " WHERE m.record_id = ?",
        [record_id],
    ).fetchone()
    return row[0] if row else None


def _merge(project: Project) -> None:
    """Merge S into P's cluster by a person's verdict; P must stay the record screened."""
    project.decide_duplicate((P, S), True, "dora")
    assert _primary_of(project, S) == P and _primary_of(project, P) == P
    assert S not in project.screened_record_ids() and P in project.screened_record_ids()


def _queue(project: Project, reviewer: str, flt: str = "undecided", stage: Stage = TA) -> list[int]:
    return project.screening_queue(stage, reviewer, flt)


def _mine(project: Project, reviewer: str, stage: Stage = TA) -> dict[str, int]:
    """The reviewer's include/exclude/maybe counts in the progress of ``stage``."""
    progress = next(p for p in project.screening_progress() if p.stage is stage)
    found = next((r for r in progress.reviewers if r.reviewer == reviewer), None)
    return (
        {"include": found.include, "exclude": found.exclude, "maybe": found.maybe} if found else {}
    )


def _assert_counts_agree(project: Project, reviewers: tuple[str, ...], stage: Stage = TA) -> None:
    """Progress, info, the queues and the outcomes tell one story about the stage."""
    progress = next(p for p in project.screening_progress() if p.stage is stage)
    info = {(c.reviewer, c.stage): c for c in project.info().per_reviewer}
    decided: dict[str, set[int]] = {}
    for name in reviewers:
        mine, undecided = (
            set(_queue(project, name, "mine", stage)),
            set(_queue(project, name, "undecided", stage)),
        )
        assert not mine & undecided and len(mine | undecided) == progress.records, name
        counts = next((r for r in progress.reviewers if r.reviewer == name), None)
        assert (counts.decided if counts else 0) == len(mine), name
        assert (counts.include if counts else 0) == len(_queue(project, name, "included", stage)), (
            name
        )
        assert (counts.maybe if counts else 0) == len(_queue(project, name, "maybe", stage)), name
        if stage is TA:  # info() counts every screened record, which is the title/abstract pool
            assert (info[(name, stage)].decided if (name, stage) in info else 0) == len(mine), name
        decided[name] = mine
    # Every record with all of its reviewers' decisions has an outcome; the others are pending.
    if len(reviewers) == progress.needed:
        complete = set.intersection(*decided.values())
        settled = sum(progress.outcomes[o] for o in ("include", "exclude", "conflict"))
        assert settled == len(complete) and progress.outcomes["pending"] == progress.records - len(
            complete
        )


@pytest.fixture
def review(new_review, tmp_path: Path):
    """Six records, two reviewers each at title/abstract, blind. Before the merge bob decided P
    and alice decided S (so the two carry one decision each and P, the earlier, stays primary)."""
    with Project.open(new_review(tmp_path / "merge.db", 6)) as project:
        project.record_decision(P, TA, "bob", "include")
        project.record_decision(S, TA, "alice", "include")
        yield project


def test_a_decision_on_a_merged_record_takes_the_primary_out_of_that_reviewers_queue(
    review: Project,
) -> None:
    assert _queue(review, "alice") == [1, 3, 4, 5, 6]
    _merge(review)
    assert _queue(review, "alice") == [3, 4, 5, 6]
    assert _queue(review, "alice", "mine") == _queue(review, "alice", "included") == [P]
    assert review.decided_by(TA, "alice", [P, 3]) == {P}
    # The record view ("your decision") shows her decision on the primary, made on S.
    found = {d.reviewer: d for d in review.decisions(P, TA, as_reviewer="alice")}
    assert (found["alice"].choice.value, found["alice"].record_id) == ("include", S)
    assert (found["bob"].choice.value, found["bob"].record_id) == (
        "include",
        P,
    )  # she has decided, so shown


def test_blind_the_merged_decision_counts_for_its_reviewer_only(review: Project) -> None:
    _merge(review)
    assert P not in _queue(review, "alice")
    # carol has decided nothing: alice's and bob's decisions are not hers, the record is still to
    # do.
    assert _queue(review, "carol") == [1, 3, 4, 5, 6]
    assert review.decided_by(TA, "carol", [P]) == set()
    assert _queue(review, "carol", "mine") == _queue(review, "carol", "included") == []
    assert review.decisions(P, TA, as_reviewer="carol") == []
    # bob takes his decision back: alice's, made on S, does not mark P as decided for him.
    assert review.undo_decision(TA, "bob") == P
    assert _queue(review, "bob") == [1, 3, 4, 5, 6] and _queue(review, "bob", "mine") == []
    assert review.decided_by(TA, "bob", [P]) == set()
    assert [d.reviewer for d in review.decisions(P, TA, as_reviewer="bob")] == []
    assert _queue(review, "alice", "mine") == [P]


def test_progress_counts_equal_outcome_counts(review: Project) -> None:
    _merge(review)
    for rid, a, b in (
        (3, "exclude", "exclude"),
        (4, "include", "include"),
        (5, "exclude", "exclude"),
        (6, "maybe", "exclude"),
    ):
        review.record_decision(rid, TA, "alice", a)
        review.record_decision(rid, TA, "bob", b)
    progress = review.screening_progress()[0]
    assert progress.records == 5
    assert progress.outcomes == {"pending": 0, "include": 2, "exclude": 2, "conflict": 1}
    assert _mine(review, "alice") == {"include": 2, "exclude": 2, "maybe": 1}  # P counted, via S
    assert _mine(review, "bob") == {"include": 2, "exclude": 3, "maybe": 0}
    assert all(r.decided == progress.records for r in progress.reviewers)  # no record pending
    _assert_counts_agree(review, ("alice", "bob"))
    assert [c.record_id for c in review.conflicts(TA)] == [6]


def test_undo_brings_back_the_primary(review: Project) -> None:
    _merge(review)
    # alice's latest decision was made on S before the merge: undoing it puts P, the record her
    # queue holds, back in front of her (not S, which is no longer screened).
    assert review.undo_decision(TA, "alice") == P
    assert _queue(review, "alice") == [1, 3, 4, 5, 6] and _queue(review, "alice", "mine") == []
    assert _mine(review, "alice") == {}
    assert [d.reviewer for d in review.decisions(P, TA)] == ["bob"]
    _assert_counts_agree(review, ("alice", "bob"))
    assert review.undo_decision(TA, "alice") is None
    # Deciding P itself now, and undoing that, goes the same way.
    review.record_decision(P, TA, "alice", "exclude")
    assert _queue(review, "alice") == [3, 4, 5, 6]
    assert review.undo_decision(TA, "alice") == P
    assert _queue(review, "alice") == [1, 3, 4, 5, 6]


def test_a_later_decision_on_the_primary_wins_and_undo_restores_the_merged_one(
    new_review, tmp_path: Path
) -> None:
    with Project.open(new_review(tmp_path / "merge.db", 6)) as review:
        review.record_decision(P, TA, "bob", "include")
        review.record_decision(S, TA, "alice", "exclude")
        _merge(review)
        # alice looks at her decided records and changes her mind on P itself.
        review.record_decision(P, TA, "alice", "maybe")
        assert _queue(review, "alice", "maybe") == [P] and _queue(review, "alice", "mine") == [P]
        assert _mine(review, "alice") == {
            "include": 0,
            "exclude": 0,
            "maybe": 1,
        }  # one record, once
        [mine] = [d for d in review.decisions(P, TA) if d.reviewer == "alice"]
        assert (mine.choice.value, mine.record_id) == ("maybe", P)
        assert review.screening_progress()[0].outcomes["include"] == 1  # maybe counts as include
        _assert_counts_agree(review, ("alice", "bob"))
        # Undo: her decision on P goes, the one made on S (exclude) is hers for P again.
        assert review.undo_decision(TA, "alice") == P
        assert P not in _queue(review, "alice") and _queue(review, "alice", "maybe") == []
        assert _mine(review, "alice") == {"include": 0, "exclude": 1, "maybe": 0}
        assert [c.record_id for c in review.conflicts(TA)] == [P]
        [conflict] = review.conflicts(TA)
        assert {(d.reviewer, d.choice.value) for d in conflict.decisions} == {
            ("alice", "exclude"),
            ("bob", "include"),
        }
        _assert_counts_agree(review, ("alice", "bob"))


def test_full_text_queue_after_a_merge(new_review, tmp_path: Path) -> None:
    with Project.open(new_review(tmp_path / "merge.db", 4)) as review:
        for rid in (P, S, 3):
            review.record_decision(rid, TA, "alice", "include")
            review.record_decision(rid, TA, "bob", "include")
        assert review.full_text_candidates() == [P, S, 3]
        review.record_decision(P, FT, "bob", "include")
        review.record_decision(S, FT, "alice", "exclude", reason="Not a trial")
        _merge(review)
        assert review.full_text_candidates() == [P, 3]
        assert _queue(review, "alice", stage=FT) == [3]
        assert _queue(review, "alice", "mine", stage=FT) == [P]
        assert _queue(review, "bob", stage=FT) == [3]
        assert _queue(review, "carol", stage=FT) == [P, 3]
        assert _mine(review, "alice", FT) == {"include": 0, "exclude": 1, "maybe": 0}
        [conflict] = review.conflicts(FT)
        assert conflict.record_id == P
        assert {(d.reviewer, d.reason) for d in conflict.decisions} == {
            ("alice", "Not a trial"),
            ("bob", ""),
        }
        _assert_counts_agree(review, ("alice", "bob"), FT)


async def test_the_screening_screen_skips_the_primary_and_undo_shows_it(
    review: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCREENER_KEYS", "")  # not the developer's own key file
    _merge(review)
    app = make_app(review.path, reviewer="alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("s")
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.record_id == 3  # not P: decided via S
        await pilot.press("f", "2")  # decided by you
        assert screen.ids == [P] and screen.record_id == P
        assert f"record {P} · You: include" in str(screen.query_one(DecisionBar).render())
        await pilot.press("f", "1")  # undecided by you
        assert screen.record_id == 3
        await pilot.press("u")
        assert screen.record_id == P
        bar = str(screen.query_one(DecisionBar).render())
        assert f"record {P} · You: undecided" in bar and "bob" not in bar  # blind
        await pilot.press("i")
        assert screen.record_id == 3


# --- the queue's SQL against the view, on random reviews ------------------------------------------

N = 8
event = st.tuples(
    st.integers(1, N),
    st.sampled_from(("a", "b")),
    st.sampled_from(["include", "exclude", "maybe", "undo"]),
)
pair = st.tuples(st.integers(1, N), st.integers(1, N)).filter(lambda p: p[0] != p[1])


@pytest.fixture(scope="module")
def records_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("merge") / "records.csv"
    path.write_text(
        "title,abstract\n" + "".join(f"Record {n},Abstract {n}\n" for n in range(1, N + 1)),
        encoding="utf-8",
    )
    return path


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    before=st.lists(event, max_size=14),
    merges=st.lists(pair, min_size=1, max_size=4),
    after=st.lists(event, max_size=8),
)
def test_queues_progress_and_record_view_follow_unit_decision(
    records_csv: Path, before, merges, after
) -> None:
    """Decisions (and undos) before and after person's merges: every reviewer's queue filters,
    decided_by, progress counts and the record view say what the view unit_decision says."""
    project = Project.create(
        ":memory:", title="q", reviewers_title_abstract=2, reviewers=("a", "b", "c", "dora")
    )
    try:
        project.import_file(records_csv, source="Test DB")

        def play(events) -> None:
            for record_id, reviewer, what in events:
                if what == "undo":
                    project.undo_decision(TA, reviewer)
                else:
                    project.record_decision(record_id, TA, reviewer, what)

        play(before)
        for a, b in merges:
            project.decide_duplicate((a, b), True, "dora")
        play(after)
        screened = project.screened_record_ids()
        unit = {r: (_primary_of(project, r) or r) for r in range(1, N + 1)}
        progress = project.screening_progress()[0]
        for name in ("a", "b", "c"):
            said = dict(
                project.db.execute(
                    "SELECT u.record_id, u.decision FROM unit_decision u JOIN reviewer r ON r.id "
                    "= u.reviewer_id"
                    " WHERE u.stage = 'title_abstract' AND r.name = ?",
                    [name],
                ).fetchall()
            )
            assert set(said) <= set(screened)
            expected = {
                "undecided": [r for r in screened if r not in said],
                "mine": [r for r in screened if r in said],
                "maybe": [r for r in screened if said.get(r) == "maybe"],
                "included": [r for r in screened if said.get(r) == "include"],
            }
            for flt, ids in expected.items():
                assert _queue(project, name, flt) == ids, (name, flt)
            assert project.decided_by(TA, name, list(range(1, N + 1))) == {
                r for r in range(1, N + 1) if unit[r] in said
            }
            counts = next((r for r in progress.reviewers if r.reviewer == name), None)
            tally = Counter(said.values())
            assert ((counts.include, counts.exclude, counts.maybe) if counts else (0, 0, 0)) == (
                tally["include"],
                tally["exclude"],
                tally["maybe"],
            ), name
            for r in screened:
                view = [d for d in project.decisions(r, TA) if d.reviewer == name]
                assert [d.choice.value for d in view] == ([said[r]] if r in said else []), (name, r)
                assert all(unit[d.record_id] == r for d in view)
    finally:
        project.close()


def _pair(project: Project) -> tuple[int, int, int, int] | None:
    """(both include, alice include / bob exclude, alice exclude / bob include, both exclude)."""
    found = [p for p in project.agreement(TA) if {p.reviewer_a, p.reviewer_b} == {"alice", "bob"}]
    if not found:
        return None
    (pair,) = found
    if pair.reviewer_a == "alice":
        return (
            pair.both_include,
            pair.a_include_b_exclude,
            pair.a_exclude_b_include,
            pair.both_exclude,
        )
    return pair.both_include, pair.a_exclude_b_include, pair.a_include_b_exclude, pair.both_exclude


def test_agreement_pairs_the_two_reviewers_on_the_merged_cluster(review: Project) -> None:
    # Before the merge bob decided P and alice S: two records, no pair to compare.
    assert _pair(review) is None
    _merge(review)
    # After it both decisions speak for P's cluster: one unit both included.
    assert _pair(review) == (1, 0, 0, 0)
    for rid, a, b in (
        (3, "exclude", "exclude"),
        (4, "include", "exclude"),
        (6, "maybe", "exclude"),
    ):
        review.record_decision(rid, TA, "alice", a)
        review.record_decision(rid, TA, "bob", b)
    # maybe counts as include by default: record 6 is alice include / bob exclude
    counted_as = review.review().maybe_counts_as
    assert _pair(review) == ((1, 2, 0, 1) if counted_as == "include" else (1, 1, 0, 2))
    # A later decision of alice on the primary itself replaces the one made on S.
    review.record_decision(P, TA, "alice", "exclude")
    assert _pair(review) == ((0, 2, 1, 1) if counted_as == "include" else (0, 1, 1, 2))
