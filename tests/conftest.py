"""Fixtures every test folder can use."""

from __future__ import annotations

from pathlib import Path

import pytest

from screener.project import Project

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
# The reviewers the shared fixtures declare: alice leads, bob screens, carol arbitrates.
REVIEWERS = ("alice", "bob", ("carol", "arbiter"))
# ../shared beside the checkout: CI and developers have it, a user's fresh clone does not.
SHARED = (REPO.parent / "shared").resolve()


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test (with the reason) when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared/{'/'.join(parts)} (not present in this checkout)")
    return path


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("needs ../shared beside the checkout (absent here)")
    return SHARED


@pytest.fixture
def project(tmp_path: Path):
    """A new, empty review with two exclusion reasons and its reviewers (alice leads, bob
    screens, carol arbitrates), in a temporary file."""
    with Project.create(
        tmp_path / "review.db",
        title="Test review",
        reviewers=REVIEWERS,
        exclusion_reasons=("Wrong population", "Wrong intervention"),
    ) as p:
        yield p
