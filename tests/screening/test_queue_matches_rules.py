"""The SQL queues and stage outcomes agree with the plain-Python rules, on random reviews."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener.model import Choice, Stage
from screener.project import Project
from screener.screening import QueueFilter, RecordState, select, stage_outcome

N = 8
REVIEWERS = ("a", "b", "c")
choice = st.sampled_from([None, Choice.INCLUDE, Choice.EXCLUDE, Choice.MAYBE])
record_plan = st.fixed_dictionaries(
    {
        "choices": st.tuples(choice, choice, choice),
        "tags": st.tuples(st.booleans(), st.booleans()),  # tagged "x" by a, by b
        "resolution": st.sampled_from([None, Choice.INCLUDE, Choice.EXCLUDE]),
    }
)


@pytest.fixture(scope="module")
def records_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("q") / "records.csv"
    rows = "".join(f"Record {n},Abstract {n}\n" for n in range(1, N + 1))
    path.write_text("title,abstract\n" + rows, encoding="utf-8")
    return path


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    plans=st.lists(record_plan, min_size=N, max_size=N),
    needed=st.sampled_from([1, 2]),
    maybe=st.sampled_from(["include", "exclude"]),
    blind=st.booleans(),
)
def test_sql_queue_equals_the_rules(records_csv: Path, plans, needed, maybe, blind) -> None:
    project = Project.create(
        ":memory:",
        title="q",
        reviewers_title_abstract=needed,
        maybe_counts_as=maybe,
        blind=blind,
        reviewers=(*REVIEWERS, ("judge", "arbiter")),
    )
    try:
        project.import_file(records_csv, source="Test DB")
        states = []
        for record_id, plan in enumerate(plans, start=1):
            for reviewer, made in zip(REVIEWERS, plan["choices"], strict=True):
                if made is not None:
                    project.record_decision(record_id, Stage.TITLE_ABSTRACT, reviewer, made)
            decided = [c for c in plan["choices"] if c is not None]
            if plan["resolution"] is not None and decided:
                project.resolve_conflict(
                    record_id, Stage.TITLE_ABSTRACT, plan["resolution"], "judge"
                )
            for reviewer, tagged in zip(("a", "b"), plan["tags"], strict=True):
                if tagged:
                    project.tag_record(record_id, "x", reviewer)
            states.append(
                RecordState(
                    record_id,
                    mine=plan["choices"][0],
                    others=tuple(c for c in plan["choices"][1:] if c is not None),
                    my_tags=frozenset({"x"} if plan["tags"][0] else ()),
                    other_tags=frozenset({"x"} if plan["tags"][1] else ()),
                    resolution=plan["resolution"] if decided else None,
                )
            )
        options = dict(needed=needed, maybe_counts_as=maybe, blind=blind)
        for flt in QueueFilter:
            tag = "x" if flt is QueueFilter.TAG else None
            got = project.screening_queue(Stage.TITLE_ABSTRACT, "a", flt.value, tag)
            assert got == select(states, flt, tag=tag, **options), flt
        expected_passed = [
            s.record_id
            for s in states
            if stage_outcome(
                ([s.mine] if s.mine else []) + list(s.others),
                needed=needed,
                maybe_counts_as=maybe,
                resolution=s.resolution,
            ).value
            == "include"
        ]
        assert project.full_text_candidates() == expected_passed
        progress = project.screening_progress()[0]
        assert sum(progress.outcomes.values()) == N
    finally:
        project.close()
