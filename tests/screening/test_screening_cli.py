"""`screener agreement` and `screener conflicts`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screener.cli import main
from screener.project import Project


@pytest.fixture
def decided(review10: Path) -> Path:
    plan = [
        ("include", "include"),
        ("include", "exclude"),
        ("exclude", "exclude"),
        ("exclude", "exclude"),
        ("maybe", "include"),
    ]
    with Project.open(review10) as project:
        for rid, (a, b) in enumerate(plan, start=1):
            project.record_decision(rid, "title_abstract", "a", a)
            project.record_decision(
                rid, "title_abstract", "b", b, reason="Not a trial" if b == "exclude" else None
            )
    return review10


def test_agreement_json(decided: Path, capsys) -> None:
    assert main(["agreement", str(decided), "--json"]) == 0
    [pair] = json.loads(capsys.readouterr().out)
    assert (pair["reviewer_a"], pair["reviewer_b"], pair["stage"], pair["n"]) == (
        "a",
        "b",
        "title_abstract",
        5,
    )
    assert (
        pair["both_include"],
        pair["a_include_b_exclude"],
        pair["a_exclude_b_include"],
        pair["both_exclude"],
    ) == (2, 1, 0, 2)
    assert pair["percent_agreement"] == pytest.approx(80.0)
    # p_e = 3/5 * 2/5 + 2/5 * 3/5 = 0.48; kappa = (0.8 - 0.48) / 0.52
    assert pair["kappa"] == pytest.approx(0.32 / 0.52)
    assert pair["ci_low"] < pair["kappa"] < pair["ci_high"]
    assert "Fleiss, Cohen & Everitt" in pair["se_method"]


def test_agreement_text_and_stage(decided: Path, capsys) -> None:
    assert main(["agreement", str(decided)]) == 0
    out = capsys.readouterr().out
    assert "title_abstract: a vs b (5 records decided by both)" in out
    assert "agreement 80.0%, kappa 0.62" in out
    assert main(["agreement", str(decided), "--stage", "full_text"]) == 0
    assert "no records decided by two reviewers yet" in capsys.readouterr().out


def test_conflicts_listing(decided: Path, capsys) -> None:
    assert main(["conflicts", str(decided), "--reviewer", "carol"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["2\ta: include; b: exclude (Not a trial)\tRecord 2: a trial of reminders"]
    assert main(["conflicts", str(decided), "--json", "--reviewer", "Carol"]) == 0
    [c] = json.loads(capsys.readouterr().out)
    assert c["record_id"] == 2 and [d["decision"] for d in c["decisions"]] == ["include", "exclude"]


def test_bad_file_is_one_line(tmp_path: Path, capsys) -> None:
    assert main(["agreement", str(tmp_path / "nope.db")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err


@pytest.mark.parametrize("verb", ["agreement", "conflicts"])
def test_help_has_an_example(verb: str, capsys) -> None:
    assert main([verb, "--help"]) == 0
    assert "Example:" in capsys.readouterr().out
