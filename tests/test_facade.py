"""The façade's shape: what opening a review loads, and the verbs ``Project`` offers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from screener.model import Choice, ExportedRecord, HistoryEntry, ListedRecord, Stage
from screener.project import Project

HEAVY = ("scipy", "lxml", "pypinyin", "matplotlib", "textual")


def test_info_on_a_review_loads_no_heavy_stage(tmp_path: Path) -> None:
    # `screener info` must stay quick: the flows that pull in scipy, lxml or pypinyin load only
    # when a verb that needs them runs
    Project.create(tmp_path / "r.db", title="T", reviewers=["alice"]).close()
    code = (
        "import sys\nfrom screener.cli import main\n"
        f"main(['info', {str(tmp_path / 'r.db')!r}])\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_a_verb_loads_its_flow_when_called(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom screener.project import Project\n"
        f"p = Project.open({str(tmp_path / 'r.db')!r})\n"
        "assert 'screener.flows.pooling' not in sys.modules\n"
        "assert p.analyses() == []\n"
        "assert 'screener.flows.pooling' in sys.modules\n"
    )
    Project.create(tmp_path / "r.db", title="T", reviewers=["alice"]).close()
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def _two_records(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text(
        "title,authors,year\nFirst trial,Smith J; Doe A,2020\nSecond trial,,\n", encoding="utf-8"
    )
    project.import_file(path, fmt="csv", source="Test DB")


def test_the_record_list_is_decoded_in_storage(project: Project, tmp_path: Path) -> None:
    _two_records(project, tmp_path)
    assert project.list_records() == [
        ListedRecord(1, 2020, "Smith", "First trial"),
        ListedRecord(2, None, "", "Second trial"),
    ]
    assert project.list_records(limit=1, offset=1) == [ListedRecord(2, None, "", "Second trial")]


def test_history_and_export_are_typed(project: Project, tmp_path: Path) -> None:
    _two_records(project, tmp_path)
    first = project.record_decision(1, Stage.TITLE_ABSTRACT, "alice", Choice.INCLUDE)
    project.undo_decision(Stage.TITLE_ABSTRACT, "alice")
    project.record_decision(
        1, Stage.TITLE_ABSTRACT, "bob", Choice.EXCLUDE, reason="Wrong population"
    )
    history = project.decision_history(1)
    assert [(h.reviewer, h.action, h.choice, h.undoes_id) for h in history] == [
        ("alice", "decide", Choice.INCLUDE, None),
        ("alice", "undo", None, first),
        ("bob", "decide", Choice.EXCLUDE, None),
    ]
    assert all(isinstance(h, HistoryEntry) and h.stage is Stage.TITLE_ABSTRACT for h in history)
    [one, two] = project.export_records(unblind=True)
    assert isinstance(one, ExportedRecord) and one.record.title == "First trial"
    assert [a.family for a in one.record.authors] == ["Smith", "Doe"]
    assert (one.source_database, one.is_primary, one.not_retrieved) == ("Test DB", True, False)
    assert [(d.reviewer, d.choice, d.reason) for d in one.decisions] == [
        ("bob", Choice.EXCLUDE, "Wrong population")
    ]
    assert two.decisions == ()
