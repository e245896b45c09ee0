"""Five reviewers deciding at once, each in a process of its own on the one review file (as
`screener serve` runs a TUI per browser tab): no decision is lost, no one sees "database is
locked". Each decision is its own transaction, as a key press in the TUI makes it."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from team import build_team_review

from screener.project import Project

REVIEWERS = ("lena", "rev_a", "rev_b", "arno", "rev_c")
RECORDS = 1000
TA = "title_abstract"


def _screen(review: str, reviewer: str, start: Any) -> list[str]:
    """Decide every record as ``reviewer``; the errors met, as text."""
    errors = []
    with Project.open(review) as project:
        start.wait()
        for record_id in range(1, RECORDS + 1):
            choice = "include" if (record_id + len(reviewer)) % 3 else "exclude"
            try:
                project.record_decision(record_id, TA, reviewer, choice)
            except Exception as exc:  # every failure is reported, none stops the count
                errors.append(f"{type(exc).__name__}: {exc}")
    return errors


@pytest.mark.slow
def test_five_reviewers_at_once_lose_nothing(tmp_path: Path) -> None:
    review = build_team_review(tmp_path / "team.db", records=RECORDS)
    with Project.open(review) as project:
        project.add_reviewer("rev_c")
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Barrier(len(REVIEWERS))
        with context.Pool(len(REVIEWERS)) as pool:
            results = pool.starmap(_screen, [(str(review), name, start) for name in REVIEWERS])
    errors = [e for found in results for e in found]
    assert errors == []
    with sqlite3.connect(review) as conn:
        counts = dict(
            conn.execute(
                "SELECT r.name, count(DISTINCT d.record_id) FROM current_decision AS d"
                " JOIN reviewer AS r ON r.id = d.reviewer_id WHERE d.stage = ? GROUP BY r.name",
                [TA],
            ).fetchall()
        )
    assert counts == dict.fromkeys(REVIEWERS, RECORDS)
