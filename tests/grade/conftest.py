"""Fixtures for the GRADE tests: a review with three reviewers, and the BCG demo review pooled
for real."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from screener.demo_bcg import build_bcg_demo
from screener.project import Project

REVIEWERS = ("alice", "bob", ("carol", "arbiter"))  # alice leads, bob screens, carol arbitrates


@pytest.fixture
def review(tmp_path: Path) -> Iterator[Project]:
    with Project.create(tmp_path / "grade.db", title="GRADE review", reviewers=REVIEWERS) as p:
        yield p


@pytest.fixture(scope="session")
def bcg_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The BCG demo review (13 trials; its lead is "demo") with bob a screener and carol an
    arbiter, and the REML risk-ratio analysis of Tuberculosis saved."""
    path = build_bcg_demo(tmp_path_factory.mktemp("grade-bcg"))
    with Project.open(path) as project:
        for name, role in (("bob", "screener"), ("carol", "arbiter")):
            project.add_reviewer(name, role)
        project.pool("Tuberculosis", measure="RR", method="REML", reviewer="demo")
    return path


@pytest.fixture
def bcg_path(bcg_built: Path, tmp_path: Path) -> Path:
    target = tmp_path / "bcg.db"
    shutil.copy(bcg_built, target)
    return target
