"""`screener new --reviewer`, `screener reviewer add|list|role`, and the verbs that refuse an
undeclared reviewer with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screener.cli import main
from screener.project import Project


def _err_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


def test_new_declares_reviewers_the_first_leads(tmp_path: Path, capsys) -> None:
    path = tmp_path / "r.db"
    assert (
        main(
            [
                "new",
                str(path),
                "--title",
                "T",
                "--reviewers",
                "2",
                "--reviewer",
                "alice",
                "--reviewer",
                "bob",
                "--reviewer",
                "carol:arbiter",
                "--reviewer",
                "a:b",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["reviewer", "list", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"name": "alice", "role": "lead"},
        {"name": "bob", "role": "screener"},
        {"name": "carol", "role": "arbiter"},
        {"name": "a:b", "role": "screener"},
    ]


def test_a_review_made_without_reviewers_gets_its_lead_from_the_first_add(
    tmp_path: Path, capsys
) -> None:
    path = tmp_path / "r.db"
    assert main(["new", str(path), "--title", "T"]) == 0
    assert "screener reviewer add" in capsys.readouterr().out
    assert main(["reviewer", "list", str(path)]) == 0
    assert "no reviewers yet" in capsys.readouterr().out
    assert main(["reviewer", "add", str(path), "dana", "--role", "screener"]) == 0
    assert "lead" in capsys.readouterr().out
    assert main(["reviewer", "add", str(path), "eve"]) == 0
    assert main(["reviewer", "add", str(path), "EVE"]) == 1
    _err_line(capsys)
    assert main(["reviewer", "role", str(path), "Eve", "arbiter"]) == 0
    assert "eve is now arbiter" in capsys.readouterr().out
    assert main(["reviewer", "role", str(path), "dana", "screener"]) == 1  # the only lead
    _err_line(capsys)
    assert main(["reviewer", "role", str(path), "zed", "lead"]) == 1
    assert "screener reviewer add" in _err_line(capsys)
    assert main(["reviewer", "list", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == ["dana\tlead", "eve\tarbiter"]


def test_tui_refuses_an_undeclared_reviewer_before_opening(
    tmp_path: Path, new_review, capsys
) -> None:
    path = new_review(tmp_path / "r.db", 3, reviewers=("rev_a", "rev_b"))
    assert main(["tui", str(path), "--reviewer", "rev_c"]) == 1
    err = _err_line(capsys)
    assert "rev_c" in err and "screener reviewer add" in err and "rev_a, rev_b" in err
    with Project.open(path) as project:
        assert [r.name for r in project.reviewers()] == ["rev_a", "rev_b"]


def test_conflicts_in_a_blind_review_need_to_know_who_asks(
    tmp_path: Path, new_review, capsys
) -> None:
    path = new_review(tmp_path / "r.db", 3, reviewers=("lead", "rev_a", "rev_b", "rev_c"))
    with Project.open(path) as project:
        project.record_decision(1, "title_abstract", "rev_a", "exclude")
        project.record_decision(1, "title_abstract", "rev_b", "include")
    assert main(["conflicts", str(path)]) == 1
    _err_line(capsys)
    assert main(["conflicts", str(path), "--reviewer", "rev_c"]) == 0  # decided nothing
    out = capsys.readouterr().out
    assert "rev_a" not in out and "exclude" not in out
    assert main(["conflicts", str(path), "--reviewer", "rev_b"]) == 0
    assert "rev_a: exclude; rev_b: include" in capsys.readouterr().out
    assert main(["conflicts", str(path), "--reviewer", "nobody"]) == 1
    _err_line(capsys)


@pytest.mark.parametrize(
    "verb", [["reviewer", "add"], ["reviewer", "list"], ["reviewer", "role"], ["resolve"]]
)
def test_help_has_an_example(verb: list[str], capsys) -> None:
    assert main([*verb, "--help"]) == 0
    assert "Example:" in capsys.readouterr().out


def test_new_reviews_are_blind_unless_asked(tmp_path: Path) -> None:
    assert main(["new", str(tmp_path / "a.db"), "--title", "T"]) == 0
    assert main(["new", str(tmp_path / "b.db"), "--title", "T", "--not-blind"]) == 0
    with Project.open(tmp_path / "a.db") as blind, Project.open(tmp_path / "b.db") as open_:
        assert blind.review().blind and not open_.review().blind
