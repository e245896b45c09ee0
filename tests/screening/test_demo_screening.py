"""The demo review's two reviewers: real labels, a seeded share flipped, blind, dual."""

from __future__ import annotations

import csv

import pytest

from screener.demo import (
    DEMO_FIRST_REVIEWER,
    DEMO_FLIP_FIRST,
    DEMO_FLIP_SECOND,
    DEMO_SECOND_REVIEWER,
    build_demo,
    demo_data_path,
    labelled_decisions,
)
from screener.project import Project


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Project:
    with Project.open(build_demo(tmp_path_factory.mktemp("demo"))) as project:
        yield project


def _labels() -> dict[int, str]:
    with open(demo_data_path(), encoding="utf-8", newline="") as handle:
        return {
            n: row["label_abstract_screening"] for n, row in enumerate(csv.DictReader(handle), 1)
        }


def test_demo_is_blind_dual_screening(demo: Project) -> None:
    review = demo.review()
    assert review.reviewers_title_abstract == 2 and review.blind


@pytest.mark.parametrize(
    ("reviewer", "count", "flip"),
    [
        ("demo", DEMO_FIRST_REVIEWER, DEMO_FLIP_FIRST),
        ("reviewer2", DEMO_SECOND_REVIEWER, DEMO_FLIP_SECOND),
    ],
)
def test_decisions_follow_the_real_labels_but_for_a_few(
    demo: Project, reviewer: str, count: int, flip: float
) -> None:
    labels = _labels()
    decided = demo.screening_queue("title_abstract", reviewer, "mine")
    assert decided == list(range(1, count + 1))
    included = set(demo.screening_queue("title_abstract", reviewer, "included"))
    differs = sum((labels[rid] == "1") != (rid in included) for rid in decided)
    assert 0 < differs < 2 * flip * count  # flipped: some, about the seeded share


def test_conflicts_and_kappa_have_something_to_show(demo: Project) -> None:
    [pair] = demo.agreement("title_abstract")
    assert (pair.reviewer_a, pair.reviewer_b, pair.n) == ("demo", "reviewer2", DEMO_FIRST_REVIEWER)
    assert pair.disagreements == len(demo.conflicts("title_abstract")) > 0
    assert 0.4 < pair.kappa.kappa < 0.95


def test_flips_are_seeded() -> None:
    labels = [(n, "1" if n % 4 == 0 else "0") for n in range(1, 201)]
    first = labelled_decisions(labels, count=150, flip=0.1, seed=3)
    assert first == labelled_decisions(labels, count=150, flip=0.1, seed=3)
    assert first != labelled_decisions(labels, count=150, flip=0.1, seed=4)
    assert len(first) == 150


def test_demo_review_file_matches_the_labels_file(demo: Project) -> None:
    # The labels come from each record's `extra`, kept from the bundled CSV.
    labels = _labels()
    assert all(
        demo.record(rid).extra.get("label_abstract_screening") == labels[rid] for rid in (1, 2, 500)
    )


def test_demo_reviewers_are_declared_with_roles_and_keep_the_figures(demo: Project) -> None:
    assert [(r.name, r.role) for r in demo.reviewers()] == [
        ("demo", "lead"),
        ("reviewer2", "screener"),
        ("arbiter", "arbiter"),
    ]
    assert len(demo.conflicts("title_abstract", as_reviewer="arbiter")) == 33
    assert len(demo.conflicts("title_abstract", as_reviewer="reviewer2")) == 33  # decided them all
    [pair] = demo.agreement("title_abstract")
    assert round(pair.kappa.kappa, 2) == 0.71
