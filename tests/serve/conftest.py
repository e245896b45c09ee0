"""Fixtures for the serve tests: a small review with a lead, two screeners and an arbiter."""

from __future__ import annotations

from pathlib import Path

import pytest
from team import build_team_review


@pytest.fixture
def team_review(tmp_path: Path) -> Path:
    folder = tmp_path / "review"
    folder.mkdir()
    return build_team_review(folder / "team.db")
