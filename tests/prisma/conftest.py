"""Fixtures for the PRISMA tests; the constructed review lives in prisma_support."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from prisma_support import build_review

from screener.project import Project


@pytest.fixture(scope="session")
def built_review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The constructed review, built once (each decision is its own committed transaction)."""
    folder = tmp_path_factory.mktemp("constructed")
    build_review(folder).close()
    return folder / "review.db"


@pytest.fixture
def review(built_review: Path, tmp_path: Path):
    """A private copy of the constructed review, open."""
    target = tmp_path / "review.db"
    shutil.copyfile(built_review, target)
    with Project.open(target) as project:
        yield project
