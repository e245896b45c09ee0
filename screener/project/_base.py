"""What every part of the façade shares: the open review, the reviewer check, blind filtering."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from screener.model import Decision, Review
from screener.storage import review as review_store

Progress = Callable[[int, int | None], None]
"""A progress callback: (done, total or None when unknown)."""


class ProjectBase:
    """The state each group of verbs works on; :class:`screener.project.Project` sets it."""

    db: sqlite_utils.Database
    path: Path
    read_only: bool

    def review(self) -> Review:
        return review_store.load_review(self.db)

    def _as(self, name: str | None) -> str | None:
        """The declared spelling of reviewer ``name`` (refused when unknown), None for None."""
        return None if name is None else review_store.get_reviewer(self.db, name).name

    def _own_only(self, as_reviewer: str | None) -> str | None:
        """The reviewer whose own notes and tags are all ``as_reviewer`` may see (a blind
        review), or None when they may see everyone's."""
        if as_reviewer is None or not self.review().blind:
            return None
        return self._as(as_reviewer)


def blind(found: list[Decision], reviewer: str) -> list[Decision]:
    """The decisions ``reviewer`` may see in a blind review: theirs, and others' at the stages
    they have decided too."""
    mine_stages = {d.stage for d in found if d.reviewer == reviewer}
    return [d for d in found if d.reviewer == reviewer or d.stage in mine_stages]
