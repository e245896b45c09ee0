"""The façade's verbs on the review itself: its settings, its reviewers, its dashboard counts."""

from __future__ import annotations

from typing import Any

from screener.errors import ScreenerError
from screener.model import Review, ReviewSummary, Stage, StageCounts
from screener.project._base import ProjectBase
from screener.screening import Reviewer
from screener.storage import decisions as decision_store
from screener.storage import records as record_store
from screener.storage import review as review_store
from screener.storage.db import transaction

__all__ = ["ReviewVerbs"]


class ReviewVerbs(ProjectBase):
    # --- the review ----------------------------------------------------------------------------
    def update_review(self, **changes: Any) -> Review:
        with transaction(self.db):
            review_store.update_review(self.db, **changes)
        return self.review()

    # --- reviewers -----------------------------------------------------------------------------
    def reviewers(self) -> list[Reviewer]:
        """The declared reviewers with their roles, in the order they were added."""
        return review_store.list_reviewers(self.db)

    def reviewer(self, name: str) -> Reviewer:
        """The declared reviewer ``name`` (any case), as declared; an unknown name is refused."""
        return review_store.get_reviewer(self.db, name)

    def add_reviewer(self, name: str, role: str | None = None) -> Reviewer:
        """Declare a reviewer (role screener unless given). A review without a lead yet (made
        without reviewers, or before roles) gets its lead this way: that reviewer is the lead."""
        with transaction(self.db):
            lead = not review_store.has_lead(self.db)
            review_store.add_reviewer(self.db, name, "lead" if lead else role or "screener")
            return review_store.get_reviewer(self.db, name)

    def declare_lead(self, name: str) -> Reviewer:
        """Declare the lead of a review that has none (the TUI asks for it once); refused once
        the review has a lead."""
        with transaction(self.db):
            if review_store.has_lead(self.db):
                raise ScreenerError(
                    "this review has a lead already: pick your name, or ask the "
                    "lead to add you (screener reviewer add REVIEW.db NAME)"
                )
            review_store.add_reviewer(self.db, name, "lead")
            return review_store.get_reviewer(self.db, name)

    def set_reviewer_role(self, name: str, role: str) -> Reviewer:
        """Give a declared reviewer another role; the last lead cannot stop being lead."""
        with transaction(self.db):
            return review_store.set_role(self.db, name, role)

    def can_change_settings(self, reviewer: str) -> bool:
        """Whether ``reviewer`` may change the review's settings (criteria, highlight terms): a
        lead does; while the review has no lead (made before roles), anyone does."""
        return not review_store.has_lead(self.db) or self.reviewer(reviewer).role == "lead"

    # --- the dashboard -------------------------------------------------------------------------
    def info(self) -> ReviewSummary:
        """Counts for the dashboard and ``screener info``."""
        review = self.review()
        total = record_store.count_records(self.db)
        screened = record_store.count_screened(self.db)
        per: dict[tuple[str, str], dict[str, int]] = {}
        for name, stage, choice, n in decision_store.counts_per_reviewer(self.db):
            per.setdefault((name, stage), {})[choice] = n
        counts = tuple(
            StageCounts(name, Stage(stage), **values) for (name, stage), values in per.items()
        )
        return ReviewSummary(
            title=review.title,
            records=total,
            screened_records=screened,
            duplicates_removed=total - screened,
            sources=record_store.records_per_database(self.db),
            per_reviewer=counts,
            reviewers=tuple(review_store.reviewer_names(self.db)),
        )
