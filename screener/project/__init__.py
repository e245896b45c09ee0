"""The façade: one method per pipeline verb. The CLI, the TUI and scripts all go through here.

A :class:`Project` is one open review file. Every method that changes the review runs in one
transaction, so an error, Ctrl-C or a killed process leaves the review as it was before.

Design: :class:`Project` is one class assembled from a mixin per area (``review``, ``intake``,
``screening``, ``ranking``, ``extraction``, ``synthesis``, ``grade``, ``offline``,
``signin``), so callers keep one object and one flat set of verbs while each area's verbs
live in a file of their own. A verb that needs a flow imports it inside the method: the
flows pull in scipy, pandas, lxml and pypinyin, and a command that needs
none of them (``screener info``, the TUI's first screen) must start quickly and small; the type
checker follows these imports like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlite_utils

from screener.errors import ScreenerError
from screener.model import Review
from screener.project._base import Progress
from screener.project.extraction import ExtractionVerbs
from screener.project.grade import GradeVerbs
from screener.project.intake import IntakeVerbs
from screener.project.offline import OfflineVerbs
from screener.project.ranking import RankingVerbs
from screener.project.review import ReviewVerbs
from screener.project.screening import ScreeningVerbs
from screener.project.signin import SignInVerbs
from screener.project.synthesis import SynthesisVerbs
from screener.storage import review as review_store
from screener.storage.db import create, is_read_only, open_review, transaction, verify

__all__ = ["Progress", "Project"]


class Project(
    ReviewVerbs,
    IntakeVerbs,
    ScreeningVerbs,
    RankingVerbs,
    ExtractionVerbs,
    SynthesisVerbs,
    GradeVerbs,
    OfflineVerbs,
    SignInVerbs,
):
    """An open review. Use :meth:`create` or :meth:`open`; close it (or use ``with``)."""

    def __init__(self, db: sqlite_utils.Database, path: str | Path) -> None:
        self.db = db
        self.path = Path(path)
        self.read_only = is_read_only(db)
        """The file (or its folder) cannot be written: it is open for reading, and every
        method that would change it raises :class:`ReviewFileError` ("... is read-only")."""

    @classmethod
    def create(
        cls,
        path: str | Path,
        review: Review | None = None,
        *,
        reviewers: Sequence[str | tuple[str, str]] = (),
        **settings: Any,
    ) -> Project:
        """Make a new review file. ``settings`` are :class:`Review` fields (title is required).

        ``reviewers`` declares the review's reviewers: names, or (name, role) pairs; a bare
        name's role is 'lead' for the first and 'screener' for the rest. Without a lead, the next
        reviewer added (:meth:`add_reviewer`) is the lead.
        """
        review = review or Review(**settings)
        if not review.title.strip():
            raise ScreenerError("a review needs a title (give --title)")
        db = create(path)
        with transaction(db):
            review_store.create_review(db, review)
            for position, entry in enumerate(reviewers):
                name, role = (
                    (entry, "lead" if position == 0 else "screener")
                    if isinstance(entry, str)
                    else entry
                )
                review_store.add_reviewer(db, name, role)
        return cls(db, path)

    @classmethod
    def open(cls, path: str | Path) -> Project:
        return cls(open_review(path), path)

    def close(self) -> None:
        self.db.conn.close()

    def verify(self) -> None:
        """Read the whole review file once: a damaged one fails here with its one-line error
        (:func:`screener.storage.db.verify`), not in the middle of a session."""
        verify(self.db, str(self.path))

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
