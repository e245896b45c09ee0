"""Fixtures for the screening tests: small reviews with hand-made records."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from screener.project import Project

REASONS = ("Wrong population", "Wrong intervention", "Not a trial")
# "a" leads, "b", alice, bob and dora screen, carol arbitrates.
REVIEWERS = ("a", "b", "alice", "bob", ("carol", "arbiter"), "dora")


def write_records_csv(path: Path, count: int) -> Path:
    """A hand-made CSV export of ``count`` records (titles, abstracts, authors, years)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract", "authors", "year", "journal"])
        for n in range(1, count + 1):
            writer.writerow(
                [
                    f"Record {n}: a trial of reminders",
                    f"Abstract {n} about physicians.",
                    "Smith, Jane; Lee, Kim",
                    2000 + n % 25,
                    "Journal of Tests",
                ]
            )
    return path


def make_review(path: Path, count: int, **settings) -> Path:
    options = {
        "title": "Screening test review",
        "reviewers_title_abstract": 2,
        "exclusion_reasons": REASONS,
        "reviewers": REVIEWERS,
        **settings,
    }
    with Project.create(path, **options) as project:
        project.import_file(write_records_csv(path.with_suffix(".csv"), count), source="PubMed")
    return path


@pytest.fixture
def new_review():
    """make_review(path, count, **settings): a review of ``count`` hand-made records."""
    return make_review


@pytest.fixture
def review10(tmp_path: Path) -> Path:
    """A blind review of 10 records needing two reviewers at title/abstract."""
    return make_review(tmp_path / "review.db", 10)


@pytest.fixture
def dual(review10: Path):
    with Project.open(review10) as project:
        yield project
