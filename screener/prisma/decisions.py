"""A record's final decision at a stage, with the reason PRISMA reports for an exclusion.

The outcome itself (include, exclude, conflict or pending) is the one rule of
:func:`screener.model.stage_outcome`: a live resolution is final; "maybe" counts as the review's
``maybe_counts_as``; include against exclude is a conflict; fewer live decisions than the
stage needs (``reviewers_title_abstract`` / ``reviewers_full_text``) is pending. This module
adds what PRISMA needs besides:

- The reason of a resolved exclusion is the resolution's; of an agreed exclusion, the reason
  the excluding reviewers gave; when they gave different reasons, the one listed first in the
  review's reasons (a hierarchy, as the Cochrane Handbook suggests); when none gave one,
  ``NO_REASON``.

Conflicts and pending records are *undecided*: they never count as included or excluded, and
the PRISMA counts report them as discrepancies. The rules decide every PRISMA count, the RIS
export and the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from screener.model import StageOutcome, stage_outcome

__all__ = ["EXPORTED_WORDS", "NO_REASON", "Final", "Vote", "final_decision"]

NO_REASON = "Reason not recorded"

# The word the exports (decisions CSV, RIS notes, study lists) print for an outcome. Pending is
# "incomplete" there, the word those files used before the outcome words were made one, so the
# scripts and spreadsheets that read them keep working.
EXPORTED_WORDS: Mapping[StageOutcome, str] = {
    StageOutcome.PENDING: "incomplete",
    StageOutcome.INCLUDE: "include",
    StageOutcome.EXCLUDE: "exclude",
    StageOutcome.CONFLICT: "conflict",
}


@dataclass(frozen=True, slots=True)
class Vote:
    """One reviewer's live decision ("include", "exclude" or "maybe") with its reason label."""

    reviewer: str
    choice: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Final:
    """The outcome at one stage; ``reason`` is set for exclusions only."""

    status: StageOutcome
    reason: str = ""
    resolved: bool = False  # decided by a resolution
    reasons_differed: bool = False  # excluders gave different reasons (hierarchy applied)

    @property
    def exported(self) -> str:
        """The outcome as the exports write it (:data:`EXPORTED_WORDS`)."""
        return EXPORTED_WORDS[self.status]


def final_decision(
    votes: Iterable[Vote],
    *,
    required: int,
    maybe_as: str = "include",
    resolution: tuple[str, str] | None = None,
    reason_order: Mapping[str, int] | None = None,
) -> Final:
    """Apply the module's rules to one record at one stage.

    Parameters
    ----------
    votes
        Live decisions, at most one per reviewer.
    required
        Reviewers the stage needs (1 or 2).
    maybe_as
        What "maybe" counts as: "include" or "exclude".
    resolution
        (decision, reason label) of the latest resolution, or None.
    reason_order
        Reason label -> position in the review's list (lower is checked first).
    """
    votes = list(votes)
    status = stage_outcome(
        (v.choice for v in votes),
        needed=required,
        maybe_counts_as=maybe_as,
        resolution=resolution[0] if resolution is not None else None,
    )
    if resolution is not None:
        reason = resolution[1]
        return Final(
            status, (reason or NO_REASON) if status is StageOutcome.EXCLUDE else "", resolved=True
        )
    if status is not StageOutcome.EXCLUDE:
        return Final(status)
    reasons = sorted(
        {v.reason for v in votes if v.reason},
        key=lambda label: ((reason_order or {}).get(label, 1 << 30), label),
    )
    if not reasons:
        return Final(status, NO_REASON)
    return Final(status, reasons[0], reasons_differed=len(reasons) > 1)
