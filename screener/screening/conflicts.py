"""What a set of reviewers' decisions on one record at one stage amounts to.

A conflict is include against exclude. ``maybe`` counts as include unless the review says
``maybe_counts_as = "exclude"``. A resolution (by a third reviewer or the pair together)
settles a record whatever the reviewers chose. Storage computes the same outcome in SQL for
whole stages; the tests check the two agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from screener.errors import InvalidInputError
from screener.model import Choice, Decision, Stage

__all__ = [
    "Conflict",
    "Note",
    "Outcome",
    "Resolution",
    "ResolutionExistsError",
    "ResolutionMethod",
    "effective_choice",
    "is_conflict",
    "stage_outcome",
]


class Outcome(StrEnum):
    """Where a record stands at a stage."""

    PENDING = "pending"        # fewer decisions than the stage needs
    INCLUDED = "include"
    EXCLUDED = "exclude"
    CONFLICT = "conflict"      # include against exclude, not yet resolved


class ResolutionMethod(StrEnum):
    THIRD_REVIEWER = "third_reviewer"
    CONSENSUS = "consensus"      # the pair together


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
    replaces_id: int | None = None     # the live resolution this one replaced on purpose

    def describe(self) -> str:
        """E.g. ``include by rev_a as third reviewer at 2025-01-02 10:00`` (UTC, to the minute)."""
        how = "as third reviewer" if self.method is ResolutionMethod.THIRD_REVIEWER else "for the pair"
        reason = f" ({self.reason})" if self.reason else ""
        when = f" at {self.resolved_at[:16].replace('T', ' ')}" if self.resolved_at else ""
        return f"{self.choice.value}{reason} by {self.reviewer} {how}{when}"


class ResolutionExistsError(InvalidInputError):
    """A record already has a live resolution at the stage; replacing it must be asked for."""

    def __init__(self, resolution: Resolution) -> None:
        self.resolution = resolution
        super().__init__(
            f"record {resolution.record_id} was already resolved at {resolution.stage.value}: "
            f"{resolution.describe()}; resolve it again with replace (--replace) to replace it")


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


def effective_choice(choice: Choice | str, maybe_counts_as: Choice | str = Choice.INCLUDE) -> Choice:
    """Include or exclude: what a choice counts as when looking for conflicts."""
    choice = Choice(choice)
    if choice is Choice.MAYBE:
        counted = Choice(maybe_counts_as)
        if counted is Choice.MAYBE:
            raise ValueError("maybe must count as include or exclude")
        return counted
    return choice


def is_conflict(choices: Iterable[Choice | str], maybe_counts_as: Choice | str = Choice.INCLUDE) -> bool:
    """True when the choices, as counted, hold both include and exclude."""
    return len({effective_choice(c, maybe_counts_as) for c in choices}) > 1


def stage_outcome(
    choices: Iterable[Choice | str],
    *,
    needed: int,
    maybe_counts_as: Choice | str = Choice.INCLUDE,
    resolution: Choice | str | None = None,
) -> Outcome:
    """The outcome of a record at a stage.

    Parameters
    ----------
    choices
        The live decisions of every reviewer who decided the record at this stage.
    needed
        How many independent decisions the stage needs (1 or 2).
    maybe_counts_as
        What ``maybe`` counts as.
    resolution
        The latest resolution's decision, if any; it overrides the reviewers.
    """
    if resolution is not None:
        return Outcome(Choice(resolution).value)
    counted = [effective_choice(c, maybe_counts_as) for c in choices]
    if not counted:
        return Outcome.PENDING
    if len(set(counted)) > 1:
        return Outcome.CONFLICT
    if len(counted) < needed:
        return Outcome.PENDING
    return Outcome(counted[0].value)
