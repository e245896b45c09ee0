"""Fixtures for pooling a review's extracted data: the BCG demo review, built once and copied
for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from screener.demo_bcg import build_bcg_demo
from screener.project import Project


@pytest.fixture(scope="session")
def bcg_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The BCG demo review, with the reviewers the tests name declared."""
    path = build_bcg_demo(tmp_path_factory.mktemp("bcg-demo"))
    with Project.open(path) as project:
        for name in ("alice", "bob", "lead"):
            project.add_reviewer(name)
    return path


@pytest.fixture
def bcg_path(bcg_built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the BCG demo review (13 trials, outcome Tuberculosis, no analyses)."""
    target = tmp_path / "bcg.db"
    shutil.copy(bcg_built, target)
    return target


@pytest.fixture
def bcg(bcg_path: Path):
    with Project.open(bcg_path) as project:
        yield project


@pytest.fixture(autouse=True)
def no_user_key_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's own ~/.config/screener/keys.toml."""
    monkeypatch.setenv("SCREENER_KEYS", "")
