"""Blind review: a reviewer's exports never show another's decision before both have decided."""

from __future__ import annotations

import json
from pathlib import Path

from screener.cli import main
from screener.model import ExportedRecord
from screener.project import Project


def _decisions_by_record(rows: list[ExportedRecord]) -> dict[int, set[str]]:
    return {r.id: {d.reviewer for d in r.decisions} for r in rows}


def test_export_as_reviewer_hides_undecided_records(review10: Path) -> None:
    with Project.open(review10) as project:
        for rid in (1, 2, 3):
            project.record_decision(rid, "title_abstract", "a", "exclude")
        project.record_decision(1, "title_abstract", "b", "include")
        seen_by_b = _decisions_by_record(project.export_records(as_reviewer="b"))
        assert seen_by_b[1] == {"a", "b"}  # both decided: visible
        assert seen_by_b[2] == set() and seen_by_b[3] == set()
        seen_by_a = _decisions_by_record(project.export_records(as_reviewer="a"))
        assert seen_by_a[2] == {"a"}


def test_cli_export_as_reviewer_is_blind(review10: Path, capsys) -> None:
    with Project.open(review10) as project:
        project.record_decision(2, "title_abstract", "a", "include")
    assert main(["export", "records", str(review10), "--format", "json", "--reviewer", "b"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(r["decisions"] == [] for r in rows)
    assert main(["export", "records", str(review10), "--format", "csv", "--reviewer", "b"]) == 0
    assert "include" not in capsys.readouterr().out
