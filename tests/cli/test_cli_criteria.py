"""``screener criteria`` and ``screener terms``: eligibility criteria and highlight terms from
the command line, stored in the review (what the TUI shows beside each record)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screener.cli import main
from screener.project import Project


@pytest.fixture
def review(tmp_path: Path) -> Path:
    path = tmp_path / "r.db"
    Project.create(
        path,
        title="IL-2 in myositis",
        reviewers=["alice"],
        question="Does it work?",
        include_terms=("randomi",),
        exclude_terms=("mice",),
    ).close()
    return path


def stored(path: Path):
    with Project.open(path) as project:
        return project.review()


def test_criteria_are_set_and_shown(review: Path, capsys) -> None:
    assert (
        main(
            [
                "criteria",
                str(review),
                "--inclusion",
                "RCTs in adults\nwith myositis",
                "--exclusion",
                "Case reports",
                "--study-designs",
                "RCT",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "inclusion criteria:\n  RCTs in adults\n  with myositis\n" in out
    assert "exclusion criteria: Case reports\n" in out and "question: Does it work?\n" in out
    saved = stored(review)
    assert (saved.inclusion_criteria, saved.exclusion_criteria, saved.study_designs) == (
        "RCTs in adults\nwith myositis",
        "Case reports",
        "RCT",
    )
    assert saved.question == "Does it work?"  # what was not given is kept

    assert main(["criteria", str(review), "--question", ""]) == 0
    assert "question: (not set)" in capsys.readouterr().out
    assert stored(review).question == ""


def test_criteria_alone_shows_them_and_changes_nothing(review: Path, capsys) -> None:
    assert main(["criteria", str(review), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["question"] == "Does it work?" and shown["inclusion_criteria"] == ""
    assert set(shown) == {
        "question",
        "population",
        "intervention",
        "comparator",
        "outcomes",
        "study_designs",
        "inclusion_criteria",
        "exclusion_criteria",
    }


def test_terms_are_added_moved_removed_and_cleared(review: Path, capsys) -> None:
    assert main(["terms", str(review)]) == 0
    assert capsys.readouterr().out == "include: randomi\nexclude: mice\n"

    assert (
        main(
            [
                "terms",
                str(review),
                "--include",
                "interleukin-2",
                "--include",
                "MICE",
                "--exclude",
                "rats",
            ]
        )
        == 0
    )
    capsys.readouterr()
    saved = stored(review)
    assert saved.include_terms == ("randomi", "interleukin-2", "MICE")  # mice moved across
    assert saved.exclude_terms == ("rats",)

    assert main(["terms", str(review), "--remove", "Randomi", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "include": ["interleukin-2", "MICE"],
        "exclude": ["rats"],
    }

    assert main(["terms", str(review), "--clear", "--exclude", "editorial"]) == 0
    assert capsys.readouterr().out == "include: (none)\nexclude: editorial\n"
    assert stored(review).include_terms == ()
