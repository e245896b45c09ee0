"""Conflicts and their resolutions: the reviewers' disagreements at a stage and who settled them.

What a record's decisions amount to at a stage (pending, include, exclude, conflict) is one rule,
:func:`screener.model.stage_outcome`, re-exported here with :class:`~screener.model.StageOutcome`
and :func:`~screener.model.effective_choice` for the screening code that reads it from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from screener.errors import InvalidInputError
from screener.model import Choice, Decision, Stage, StageOutcome, effective_choice, stage_outcome

__all__ = [
    "Conflict",
    "Note",
    "Resolution",
    "ResolutionExistsError",
    "ResolutionMethod",
    "StageOutcome",
    "effective_choice",
    "is_conflict",
    "stage_outcome",
]


class ResolutionMethod(StrEnum):
    THIRD_REVIEWER = "third_reviewer"
    CONSENSUS = "consensus"  # the pair together


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    record_id: int
    reviewer: str
    stage: Stage | None
    text: str
    created_at: str = ""


@dataclass(frozen=True, slots=True)
class Resolution:
    id: int
    record_id: int
    stage: Stage
    choice: Choice
    reviewer: str
    method: ResolutionMethod
    reason: str = ""
    note: str = ""
    resolved_at: str = ""
    replaces_id: int | None = None  # the live resolution this one replaced on purpose

    def describe(self) -> str:
        """E.g. ``include by rev_a as third reviewer at 2025-01-02 10:00`` (UTC, to the minute)."""
        how = (
            "as third reviewer"
            if self.method is ResolutionMethod.THIRD_REVIEWER
            else "for the pair"
        )
        reason = f" ({self.reason})" if self.reason else ""
        when = f" at {self.resolved_at[:16].replace('T', ' ')}" if self.resolved_at else ""
        return f"{self.choice.value}{reason} by {self.reviewer} {how}{when}"


class ResolutionExistsError(InvalidInputError):
    """A record already has a live resolution at the stage; replacing it must be asked for."""

    def __init__(self, resolution: Resolution) -> None:
        self.resolution = resolution
        super().__init__(
            f"record {resolution.record_id} was already resolved at {resolution.stage.value}: "
            f"{resolution.describe()}; resolve it again with replace (--replace) to replace it"
        )


@dataclass(frozen=True, slots=True)
class Conflict:
    """A record whose reviewers disagree at a stage, with what they said (and, for a conflict
    already resolved, its live resolution)."""

    record_id: int
    stage: Stage
    title: str
    decisions: tuple[Decision, ...]
    notes: tuple[Note, ...] = ()
    resolution: Resolution | None = None


def is_conflict(
    choices: Iterable[Choice | str], maybe_counts_as: Choice | str = Choice.INCLUDE
) -> bool:
    """True when the choices, as counted, hold both include and exclude (resolved or not)."""
    return (
        stage_outcome(choices, needed=1, maybe_counts_as=maybe_counts_as) is StageOutcome.CONFLICT
    )
