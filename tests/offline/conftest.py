"""Fixtures for offline copies."""

from __future__ import annotations

from pathlib import Path

import pytest
from offline_review import make_review


@pytest.fixture
def review(tmp_path: Path) -> Path:
    """A review of 12 records needing two reviewers at title/abstract (lead, ann, ben, cat)."""
    return make_review(tmp_path / "review.db")
