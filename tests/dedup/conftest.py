"""Fixtures for the deduplication tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from screener.project import Project


@pytest.fixture
def review(tmp_path: Path):
    with Project.create(
        tmp_path / "dedup.db",
        title="Dedup test review",
        reviewers=("alice", "bob", ("carol", "arbiter"), "a", "b", "c"),
    ) as project:
        yield project
