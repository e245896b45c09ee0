"""A record's final decision at a stage, from its reviewers' live decisions and any resolution.

The rules (they decide every PRISMA count, the RIS export and the report):

1. A **resolution** (third reviewer or consensus) is final: the latest one at the stage wins,
   with its reason.
2. Otherwise the stage needs the review's number of reviewers (``reviewers_title_abstract`` /
   ``reviewers_full_text``). With fewer live decisions the record is **incomplete**.
3. "maybe" counts as the review's ``maybe_counts_as`` (include unless set to exclude), as the
   screening stage's conflict rule does, at both stages.
4. When every live decision agrees (after rule 3) that is the final decision; when they differ
   the record is in **conflict** until a resolution is recorded.
5. The reason of an agreed exclusion: the reason the excluding reviewers gave; when they gave
   different reasons, the one listed first in the review's reasons (a hierarchy, as the Cochrane
   Handbook suggests); when none gave one, ``NO_REASON``.

Conflicts and incomplete records are *undecided*: they never count as included or excluded, and
the PRISMA counts report them as discrepancies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["NO_REASON", "Final", "Status", "Vote", "final_decision"]

NO_REASON = "Reason not recorded"


class Status(StrEnum):
    INCLUDE = "include"
    EXCLUDE = "exclude"
    CONFLICT = "conflict"
    INCOMPLETE = "incomplete"

    @property
    def decided(self) -> bool:
        return self in (Status.INCLUDE, Status.EXCLUDE)


@dataclass(frozen=True, slots=True)
class Vote:
    """One reviewer's live decision ("include", "exclude" or "maybe") with its reason label."""

    reviewer: str
    choice: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Final:
    """The outcome at one stage; ``reason`` is set for exclusions only."""

    status: Status
    reason: str = ""
    resolved: bool = False          # decided by a resolution
    reasons_differed: bool = False  # excluders gave different reasons (hierarchy applied)


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
    if resolution is not None:
        choice, reason = resolution
        status = Status(choice)
        return Final(status, (reason or NO_REASON) if status is Status.EXCLUDE else "", resolved=True)
    votes = list(votes)
    if len({v.reviewer for v in votes}) < required or not votes:
        return Final(Status.INCOMPLETE)
    mapped = {maybe_as if v.choice == "maybe" else v.choice for v in votes}
    if len(mapped) > 1:
        return Final(Status.CONFLICT)
    status = Status(mapped.pop())
    if status is Status.INCLUDE:
        return Final(status)
    reasons = sorted({v.reason for v in votes if v.reason},
                     key=lambda label: ((reason_order or {}).get(label, 1 << 30), label))
    if not reasons:
        return Final(status, NO_REASON)
    return Final(status, reasons[0], reasons_differed=len(reasons) > 1)
