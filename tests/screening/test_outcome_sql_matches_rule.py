"""The SQL form of the stage-outcome rule agrees with the rule itself on random histories.

THE rule is :func:`screener.model.stage_outcome`. Storage applies it directly to one record (its
unit's live decisions and resolution, read from the tables), and runs it in SQL over whole
stages (the views ``unit_decision`` / ``unit_resolution``) for progress counts, the conflicts
list and the full-text pool; PRISMA applies it through :func:`screener.prisma.decisions.
final_decision` to the votes it gathers itself. Here reviewers needing one or two decisions,
maybe counting either way, decide, undo, resolve, replace and undo resolutions, and merge or
split duplicate clusters after deciding, in any order; then all three must say the same of
every record at both stages.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener.errors import ScreenerError
from screener.model import Choice, Stage, StageOutcome, stage_outcome
from screener.prisma.decisions import final_decision
from screener.project import Project
from screener.storage import prisma as prisma_store
from screener.storage import screening as store
from screener.storage.decisions import decisions_for

N = 6
SCREENERS = ("a", "b", "c")
REASON = "Wrong population"
TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT

record = st.integers(1, N)
stage = st.sampled_from([TA, TA, FT])  # title/abstract first, more often
decide = st.tuples(
    st.just("decide"), record, stage, st.sampled_from(SCREENERS), st.sampled_from(list(Choice))
)
action = st.one_of(
    decide,
    decide,
    decide,
    decide,  # most steps decide
    st.tuples(st.just("undo"), stage, st.sampled_from(SCREENERS)),
    st.tuples(st.just("resolve"), record, stage, st.sampled_from([Choice.INCLUDE, Choice.EXCLUDE])),
    st.tuples(st.just("unresolve"), record, stage),
    st.tuples(st.just("merge"), record, record),
    st.tuples(st.just("merge"), record, record),
    st.tuples(st.just("split"), record, record),
)


@pytest.fixture(scope="module")
def records_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("outcome") / "records.csv"
    rows = "".join(f"Record {n} of a trial,Abstract {n}\n" for n in range(1, N + 1))
    path.write_text("title,abstract\n" + rows, encoding="utf-8")
    return path


def _play(project: Project, step: tuple) -> None:
    """One step of a history; a step the review refuses (a full-text decision on a record that
    has not passed title/abstract, a resolution with nothing to resolve ...) changes nothing."""
    kind, *args = step
    try:
        if kind == "decide":
            rid, at, who, choice = args
            reason = REASON if choice is Choice.EXCLUDE and at is FT else None
            project.record_decision(rid, at, who, choice, reason=reason)
        elif kind == "undo":
            project.undo_decision(*args)
        elif kind == "resolve":
            rid, at, choice = args
            reason = REASON if choice is Choice.EXCLUDE and at is FT else None
            project.resolve_conflict(rid, at, choice, "judge", reason=reason, replace=True)
        elif kind == "unresolve":
            project.undo_resolution(args[0], args[1], "judge")
        elif args[0] != args[1]:
            project.decide_duplicate((min(args), max(args)), kind == "merge", "a")
    except ScreenerError:
        pass


def _by_the_rule(
    project: Project, rid: int, at: Stage, params: dict
) -> tuple[StageOutcome, StageOutcome]:
    """(outcome, outcome of the decisions alone) of a screened record, by the rule itself."""
    choices = [d.choice for d in decisions_for(project.db, rid, at)]
    resolution = store.resolution_for(project.db, rid, at)
    options = {"needed": params[f"needed_{at.value}"], "maybe_counts_as": params["maybe"]}
    return (
        stage_outcome(choices, resolution=resolution.choice if resolution else None, **options),
        stage_outcome(choices, **options),
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    history=st.lists(action, min_size=10, max_size=50),
    needed_ta=st.sampled_from([1, 2]),
    needed_ft=st.sampled_from([1, 2]),
    maybe=st.sampled_from(["include", "exclude"]),
)
def test_sql_outcomes_equal_the_rule(
    records_csv: Path, history, needed_ta, needed_ft, maybe
) -> None:
    project = Project.create(
        ":memory:",
        title="outcomes",
        reviewers_title_abstract=needed_ta,
        reviewers_full_text=needed_ft,
        maybe_counts_as=maybe,
        exclusion_reasons=(REASON,),
        reviewers=(*SCREENERS, ("judge", "arbiter")),
    )
    try:
        project.import_file(records_csv, source="Test DB")
        for step in history:
            _play(project, step)
        params = store.outcome_params(
            maybe_counts_as=maybe, needed_title_abstract=needed_ta, needed_full_text=needed_ft
        )
        screened = project.screened_record_ids()
        prisma = {u.record_id: u for u in prisma_store.load_inputs(project.db).units}
        assert sorted(prisma) == sorted(screened)
        pool = screened
        for at in (TA, FT):
            rule = {rid: _by_the_rule(project, rid, at, params) for rid in pool}
            expected = {rid: outcome for rid, (outcome, _) in rule.items()}
            # one record at a time (the rule applied by storage), and every record at once (SQL)
            assert {
                rid: store.outcome_of(project.db, rid, at, params) for rid in range(1, N + 1)
            } == {rid: expected.get(rid) for rid in range(1, N + 1)}
            in_sql = {
                rid: o
                for o in StageOutcome
                for rid in store.ids_with_outcome(project.db, at, o, params)
            }
            assert in_sql == expected, at
            progress = store.stage_progress(project.db, at, params)
            assert progress.outcomes == {
                o.value: n for o, n in Counter(expected.values()).items()
            } | {o.value: 0 for o in StageOutcome if o not in expected.values()}
            resolved = {
                rid for rid in pool if store.resolution_for(project.db, rid, at) is not None
            }
            assert progress.resolved == len(resolved)
            assert store.resolved_conflict_ids(project.db, at, params) == sorted(
                rid for rid in resolved if rule[rid][1] is StageOutcome.CONFLICT
            )
            # PRISMA gathers its own votes and resolutions, and applies the same rule
            for rid in pool:
                unit = prisma[rid]
                votes, resolution = (
                    (unit.ta_votes, unit.ta_resolution)
                    if at is TA
                    else (unit.ft_votes, unit.ft_resolution)
                )
                final = final_decision(
                    votes,
                    required=params[f"needed_{at.value}"],
                    maybe_as=maybe,
                    resolution=resolution,
                )
                assert final.status is expected[rid], (at, rid)
            pool = [rid for rid in pool if expected[rid] is StageOutcome.INCLUDE]
    finally:
        project.close()


def test_the_histories_reach_every_outcome(records_csv: Path) -> None:
    """Guards the property above against vacuity: one hand-written history that reaches each
    outcome, a resolution of a conflict, an undone resolution and a merge after decisions."""
    project = Project.create(
        ":memory:",
        title="outcomes",
        reviewers_title_abstract=2,
        exclusion_reasons=(REASON,),
        reviewers=(*SCREENERS, ("judge", "arbiter")),
    )
    try:
        project.import_file(records_csv, source="Test DB")
        for step in [
            ("decide", 1, TA, "a", Choice.INCLUDE),
            ("decide", 1, TA, "b", Choice.MAYBE),
            ("decide", 2, TA, "a", Choice.INCLUDE),
            ("decide", 2, TA, "b", Choice.EXCLUDE),
            ("decide", 3, TA, "a", Choice.EXCLUDE),
            ("decide", 4, TA, "c", Choice.EXCLUDE),
            ("decide", 5, TA, "b", Choice.INCLUDE),
            ("decide", 5, TA, "c", Choice.EXCLUDE),
            ("resolve", 5, TA, Choice.INCLUDE),
            ("resolve", 5, TA, Choice.EXCLUDE),
            ("unresolve", 5, TA),
            ("merge", 3, 4),
            ("decide", 1, FT, "a", Choice.EXCLUDE),
        ]:
            _play(project, step)
        params = store.outcome_params(
            maybe_counts_as="include", needed_title_abstract=2, needed_full_text=1
        )
        assert {rid: store.outcome_of(project.db, rid, TA, params) for rid in range(1, N + 1)} == {
            1: StageOutcome.INCLUDE,
            2: StageOutcome.CONFLICT,
            3: StageOutcome.EXCLUDE,
            4: None,
            5: StageOutcome.INCLUDE,
            6: StageOutcome.PENDING,
        }
        assert store.resolved_conflict_ids(project.db, TA, params) == [5]
        assert store.outcome_of(project.db, 1, FT, params) is StageOutcome.EXCLUDE
    finally:
        project.close()
