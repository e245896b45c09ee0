"""Two resolvers at once, replacing and undoing a resolution: every reader (outcomes, conflicts,
exports, PRISMA, dedup) uses only the live resolution (issue "Two resolvers at once")."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from screener.cli import main
from screener.errors import InvalidInputError
from screener.project import Project
from screener.screening import ResolutionExistsError
from screener.storage.dedup import records_with_decisions

TA = "title_abstract"


@pytest.fixture
def review(tmp_path: Path, new_review) -> Path:
    """rev_a (lead) and rev_b (arbiter) and two screeners who disagree on record 8 of 10."""
    path = new_review(
        tmp_path / "race.db", 10, reviewers=("rev_a", ("rev_b", "arbiter"), "ann", "ben")
    )
    with Project.open(path) as project:
        project.record_decision(8, TA, "ann", "include")
        project.record_decision(8, TA, "ben", "exclude", reason="Not a trial")
    return path


def _resolution_rows(project: Project, record_id: int) -> list[dict[str, str]]:
    _, text = project.export_decisions(None, unblind=True)
    return [
        r
        for r in csv.DictReader(io.StringIO(text))
        if r["role"].startswith("resolution") and r["record_id"] == str(record_id)
    ]


def _flow(project: Project):
    return project.prisma_counts().main


def test_the_second_resolver_of_a_stale_list_is_told_and_nothing_is_added(review: Path) -> None:
    with Project.open(review) as first, Project.open(review) as second:
        assert [c.record_id for c in first.conflicts(TA, as_reviewer="rev_a")] == [8]
        stale = second.conflicts(TA, as_reviewer="rev_b")  # listed before rev_a resolves
        assert [c.record_id for c in stale] == [8]
        first.resolve_conflict(8, TA, "include", "rev_a")
        with pytest.raises(ResolutionExistsError) as caught:
            second.resolve_conflict(
                stale[0].record_id, TA, "exclude", "rev_b", reason="Not a trial"
            )
        told = caught.value.resolution
        assert (told.reviewer, told.choice.value, told.record_id) == ("rev_a", "include", 8)
        assert "rev_a" in str(caught.value) and "include" in str(caught.value)
        assert second.db.execute("SELECT count(*) FROM resolution").fetchone()[0] == 1
        assert [r["decision"] for r in _resolution_rows(second, 8)] == ["include"]
        assert _flow(second).records_conflict == 0 and 8 in second.full_text_candidates()


def test_replacing_on_purpose_keeps_one_live_resolution_everywhere(review: Path) -> None:
    with Project.open(review) as first, Project.open(review) as second:
        first.resolve_conflict(8, TA, "include", "rev_a")
        replaced = first.resolution(8, TA)
        second.resolve_conflict(8, TA, "exclude", "rev_b", reason="Not a trial", replace=True)
        live = first.resolution(8, TA)
        assert (live.reviewer, live.choice.value, live.replaces_id) == (
            "rev_b",
            "exclude",
            replaced.id,
        )
        rows = _resolution_rows(first, 8)
        assert [(r["reviewer"], r["decision"]) for r in rows] == [("rev_b", "exclude")]
        assert 8 not in first.full_text_candidates()
        flow = _flow(first)
        assert (flow.records_conflict, flow.reports_sought) == (0, 0)
        assert first.conflicts(TA, as_reviewer="rev_a") == []
        [done] = first.conflicts(TA, as_reviewer="rev_a", resolved=True)
        assert done.resolution.id == live.id


def test_undo_brings_back_what_was_before_and_resolving_again_works(review: Path) -> None:
    with Project.open(review) as project:
        project.resolve_conflict(8, TA, "include", "rev_a")
        project.resolve_conflict(8, TA, "exclude", "rev_b", reason="Not a trial", replace=True)
        undone = project.undo_resolution(8, TA, "rev_a")
        assert (undone.reviewer, undone.choice.value) == ("rev_b", "exclude")
        assert project.resolution(8, TA).reviewer == "rev_a"  # the replaced one is back
        assert [r["reviewer"] for r in _resolution_rows(project, 8)] == ["rev_a"]
        project.undo_resolution(8, TA, "rev_b")
        assert project.resolution(8, TA) is None
        assert [c.record_id for c in project.conflicts(TA, as_reviewer="rev_a")] == [8]
        assert _resolution_rows(project, 8) == [] and _flow(project).records_conflict == 1
        assert records_with_decisions(project.db, {8}) == {8: 2}  # the two decisions only
        with pytest.raises(InvalidInputError, match="no resolution"):
            project.undo_resolution(8, TA, "rev_a")
        project.resolve_conflict(8, TA, "include", "rev_b")  # no --replace needed now
        assert project.resolution(8, TA).replaces_id is None
        assert [r["decision"] for r in _resolution_rows(project, 8)] == ["include"]
        assert project.db.execute("SELECT count(*) FROM resolution").fetchone()[0] == 3
        assert project.db.execute("SELECT count(*) FROM resolution_undo").fetchone()[0] == 2


def test_an_undo_from_a_stale_view_undoes_nothing(review: Path) -> None:
    with Project.open(review) as first, Project.open(review) as second:
        first.resolve_conflict(8, TA, "include", "rev_a")
        seen = second.resolution(8, TA)
        first.resolve_conflict(8, TA, "exclude", "rev_a", reason="Not a trial", replace=True)
        with pytest.raises(InvalidInputError, match="changed"):
            second.undo_resolution(8, TA, "rev_b", resolution_id=seen.id)
        assert second.resolution(8, TA).choice.value == "exclude"


def test_cli_resolve_refuses_a_second_resolution_replaces_and_undoes(review: Path, capsys) -> None:
    assert main(["resolve", str(review), "8", "include", "--reviewer", "rev_a"]) == 0
    assert "include by rev_a" in capsys.readouterr().out
    assert (
        main(
            [
                "resolve",
                str(review),
                "8",
                "exclude",
                "--reviewer",
                "REV_B",
                "--reason",
                "Not a trial",
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "rev_a" in err and "--replace" in err
    assert (
        main(
            [
                "resolve",
                str(review),
                "8",
                "exclude",
                "--reviewer",
                "rev_b",
                "--reason",
                "Not a trial",
                "--replace",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["conflicts", str(review), "--reviewer", "rev_a", "--resolved"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith("8\t") and "exclude (Not a trial) by rev_b" in line
    assert main(["resolve", str(review), "8", "--undo", "--reviewer", "rev_a"]) == 0
    capsys.readouterr()
    with Project.open(review) as project:
        assert project.resolution(8, TA).reviewer == "rev_a"
    assert main(["resolve", str(review), "8", "include", "--reviewer", "ann"]) == 1
    assert "arbiter or the lead" in capsys.readouterr().err
    assert main(["resolve", str(review), "8", "--reviewer", "rev_a"]) == 2  # neither
