"""The serve tests' review: a lead, two screeners and an arbiter (also used by bench_serve)."""

from __future__ import annotations

from pathlib import Path

from screener.project import Project


def build_team_review(path: Path, records: int = 12) -> Path:
    """A review of ``records`` CSV records; lead 'lena', screeners 'rev_a' and 'rev_b',
    arbiter 'arno'."""
    csv_path = path.with_suffix(".csv")
    rows = ["title,abstract,year"] + [
        f"Record {n}: reminders for prescribers,Abstract {n},2020" for n in range(1, records + 1)
    ]
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with Project.create(
        path,
        title="Team review",
        reviewers_title_abstract=2,
        blind=True,
        exclusion_reasons=("Wrong population",),
        reviewers=["lena", ("rev_a", "screener"), ("rev_b", "screener"), ("arno", "arbiter")],
    ) as project:
        project.import_file(csv_path, source="PubMed")
    csv_path.unlink()
    return path
