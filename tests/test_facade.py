"""The façade's shape: what opening a review loads, and the verbs ``Project`` offers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from screener.project import Project

HEAVY = ("scipy", "lxml", "pypinyin", "matplotlib", "textual")


def test_info_on_a_review_loads_no_heavy_stage(tmp_path: Path) -> None:
    # `screener info` must stay quick: the flows that pull in scipy, lxml or pypinyin load only
    # when a verb that needs them runs
    Project.create(tmp_path / "r.db", title="T", reviewers=["alice"]).close()
    code = ("import sys\nfrom screener.cli import main\n"
            f"main(['info', {str(tmp_path / 'r.db')!r}])\n"
            f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


def test_a_verb_loads_its_flow_when_called(tmp_path: Path) -> None:
    code = ("import sys\nfrom screener.project import Project\n"
            f"p = Project.open({str(tmp_path / 'r.db')!r})\n"
            "assert 'screener.flows.pooling' not in sys.modules\n"
            "assert p.analyses() == []\n"
            "assert 'screener.flows.pooling' in sys.modules\n")
    Project.create(tmp_path / "r.db", title="T", reviewers=["alice"]).close()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
