"""A small blind review for the offline tests: two screeners, an arbiter and a lead."""

from __future__ import annotations

import csv
from pathlib import Path

from screener.project import Project

REASONS = ("Wrong population", "Wrong intervention")
REVIEWERS = ("lead", "ann", "ben", ("cat", "arbiter"))


def make_review(path: Path, count: int = 12) -> Path:
    """A review of ``count`` hand-made records needing two reviewers at title/abstract."""
    records = path.with_suffix(".csv")
    with open(records, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract", "year"])
        for n in range(1, count + 1):
            writer.writerow([f"Record {n}: a trial", f"Abstract {n}.", 2000 + n])
    with Project.create(
        path,
        title="Offline review",
        reviewers=REVIEWERS,
        reviewers_title_abstract=2,
        exclusion_reasons=REASONS,
    ) as project:
        project.import_file(records, source="PubMed")
    return path
