"""Screening, the pure part: conflicts, agreement (Cohen's kappa), the queue, highlighting.

No SQL and no textual here: storage/screening.py runs the same rules over a review file, the
TUI and CLI display the results.
"""

from screener.screening.agreement import Kappa, PairAgreement, cohen_kappa
from screener.screening.conflicts import (
    Conflict,
    Note,
    Resolution,
    ResolutionExistsError,
    ResolutionMethod,
    StageOutcome,
    effective_choice,
    is_conflict,
    stage_outcome,
)
from screener.screening.highlight import Span, highlight_spans
from screener.screening.queue import QueueFilter, RecordState, parse_filter, select
from screener.screening.reviewers import ROLES, Reviewer
from screener.screening.status import FullText, ReviewerProgress, StageProgress

__all__ = [
    "Conflict",
    "FullText",
    "Kappa",
    "Note",
    "PairAgreement",
    "QueueFilter",
    "RecordState",
    "ROLES",
    "Resolution",
    "ResolutionExistsError",
    "ReviewerProgress",
    "ResolutionMethod",
    "Reviewer",
    "Span",
    "StageOutcome",
    "StageProgress",
    "cohen_kappa",
    "effective_choice",
    "highlight_spans",
    "is_conflict",
    "parse_filter",
    "select",
    "stage_outcome",
]
