"""Every record's outcome read at once (progress counts, the conflict list) equals the outcome
read record by record, at both stages, with maybes, conflicts, resolutions and merged records."""

from __future__ import annotations

import random

import pytest

from screener.model import Stage
from screener.project import Project
from screener.records import Record
from screener.storage import imports as import_store
from screener.storage import screening as store
from screener.storage.db import now, transaction
from screener.storage.rows import insert_records


def _review(project: Project, n: int, seed: int) -> None:
    rng = random.Random(seed)
    for name, role in (("ana", "screener"), ("ben", "screener"), ("lead", "lead")):
        project.add_reviewer(name, role)
    with transaction(project.db):
        iid = import_store.start_import(
            project.db,
            database="PubMed",
            method="database",
            format="ris",
            file_name="x.ris",
            sha256="x",
            encoding="utf-8",
            query_name="",
            query_text="",
        )
        insert_records(
            project.db,
            (
                (i, Record(title=f"Trial {i} of drug {i % 7}", year=2000 + i % 20))
                for i in range(1, n + 1)
            ),
            import_id=iid,
            created_at=now(),
        )
    ids = project.screened_record_ids()
    decided: list[int] = []
    for record_id in ids:
        for reviewer in ("ana", "ben"):
            if rng.random() < 0.7:
                choice = rng.choice(["include", "include", "exclude", "maybe"])
                project.record_decision(
                    record_id,
                    Stage.TITLE_ABSTRACT,
                    reviewer,
                    choice,
                    reason="Wrong population" if choice == "exclude" else None,
                )
                decided.append(record_id)
    for record_id in sorted(set(decided))[::9]:
        project.resolve_conflict(
            record_id, Stage.TITLE_ABSTRACT, rng.choice(["include", "exclude"]), "lead"
        )
    params = store.outcome_params(
        maybe_counts_as="include", needed_title_abstract=2, needed_full_text=1
    )
    for record_id in ids:
        if (
            store.outcome_of(project.db, record_id, Stage.TITLE_ABSTRACT, params) == "include"
            and rng.random() < 0.6
        ):
            choice = rng.choice(["include", "exclude"])
            project.record_decision(
                record_id,
                Stage.FULL_TEXT,
                "ana",
                choice,
                reason="Wrong population" if choice == "exclude" else None,
            )
    project.decide_duplicate((ids[1], ids[2]), True, "lead")  # a merge after decisions


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_all_at_once_equals_one_by_one(project: Project, seed: int) -> None:
    _review(project, 60, seed)
    params = store.outcome_params(
        maybe_counts_as="include", needed_title_abstract=2, needed_full_text=1
    )
    for stage in (Stage.TITLE_ABSTRACT, Stage.FULL_TEXT):
        one_by_one: dict[str, set[int]] = {}
        for record_id in range(1, 61):
            outcome = store.outcome_of(project.db, record_id, stage, params)
            if outcome is not None:
                one_by_one.setdefault(outcome, set()).add(record_id)
        at_once = {
            o: set(store.ids_with_outcome(project.db, stage, o, params))
            for o in ("pending", "include", "exclude", "conflict")
        }
        assert {o: ids for o, ids in at_once.items() if ids} == one_by_one
        progress = store.stage_progress(project.db, stage, params)
        assert {o: n for o, n in progress.outcomes.items() if n} == {
            o: len(ids) for o, ids in one_by_one.items()
        }
    assert one_by_one  # the full-text stage has records
