"""Fixtures for the extraction tests: a review with the IL-2 form, and two extractors' values."""

from __future__ import annotations

from pathlib import Path

import pytest
from extraction_support import CDASI, row

from screener.extraction.values import ValueEntry
from screener.project import Project


@pytest.fixture
def il2(tmp_path: Path):
    """A review with the IL-2 myositis form and one study, Zhang 2021."""
    with Project.create(
        tmp_path / "il2.db",
        title="Low-dose IL-2 in myositis",
        reviewers=("alice", "bob", ("carol", "arbiter")),
    ) as project:
        project.load_form(builtin="il2_myositis")
        project.create_study("Zhang 2021")
        yield project


@pytest.fixture
def dual(il2):
    """Zhang 2021 extracted by alice and bob, who disagree on n and on the SD before."""
    il2.save_extraction(
        "Zhang 2021",
        "alice",
        [
            ValueEntry("design", "case series"),
            ValueEntry("n", "12"),
            *row(
                CDASI,
                "12 weeks",
                "1 MIU",
                m_pre="20.5",
                sd_pre="6.1",
                m_post="11.25",
                sd_post="5.0",
                n="12",
            ),
        ],
    )
    il2.save_extraction(
        "Zhang 2021",
        "bob",
        [
            ValueEntry("design", "Case series"),
            ValueEntry("n", "13"),
            *row(
                CDASI,
                "12 weeks",
                "1 MIU",
                m_pre="20.50",
                sd_pre="16.1",
                m_post="11.25",
                sd_post="5",
                n="12",
            ),
        ],
    )
    return il2
