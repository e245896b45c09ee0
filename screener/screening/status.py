"""Where screening stands: per-stage progress and a record's full-text file."""

from __future__ import annotations

from dataclasses import dataclass, field

from screener.model import Stage, StageOutcome

__all__ = ["FullText", "ReviewerProgress", "StageProgress"]


@dataclass(frozen=True, slots=True)
class FullText:
    """The full text of a record: a file (with its sha256) or a note that it was not retrieved."""

    record_id: int
    path: str = ""
    sha256: str = ""
    not_retrieved: bool = False
    note: str = ""
    reviewer: str = ""
    updated_at: str = ""


@dataclass(frozen=True, slots=True)
class ReviewerProgress:
    reviewer: str
    include: int = 0
    exclude: int = 0
    maybe: int = 0

    @property
    def decided(self) -> int:
        return self.include + self.exclude + self.maybe


@dataclass(frozen=True, slots=True)
class StageProgress:
    """One stage: how many records it holds, who decided how many, and the outcomes so far.

    ``outcomes`` maps each :class:`~screener.model.StageOutcome` value (pending, include,
    exclude, conflict) to its count of records; ``resolved`` counts records settled by a
    resolution.
    """

    stage: Stage
    records: int
    needed: int
    reviewers: tuple[ReviewerProgress, ...] = ()
    outcomes: dict[str, int] = field(default_factory=dict)
    resolved: int = 0

    @property
    def conflicts(self) -> int:
        return self.outcomes.get(StageOutcome.CONFLICT, 0)
