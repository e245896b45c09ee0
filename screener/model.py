"""Domain values other than the Record: the review's settings, decisions, summaries, and the
one rule that turns a record's decisions into its outcome at a stage (:func:`stage_outcome`).

Plain frozen dataclasses; storage turns rows into these, shells display them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from screener.errors import InvalidInputError
from screener.records import Record

__all__ = [
    "Choice",
    "Decision",
    "ImportResult",
    "Review",
    "ReviewSummary",
    "Stage",
    "StageCounts",
    "StageOutcome",
    "effective_choice",
    "label_text",
    "stage_outcome",
]


def label_text(value: str | None, what: str) -> str:
    """A name people give (a tag, an exclusion reason, a study), on one line: NFC, every run of
    whitespace (line breaks included) one space.

    Empty, or holding a NUL, is refused with one line naming ``what`` (SQLite's checks stop
    counting at a NUL). Other control characters are kept, as data: every shell shows them as
    visible escapes.
    """
    text = " ".join(unicodedata.normalize("NFC", value or "").split())
    if "\x00" in text:
        raise InvalidInputError(f"{what} cannot hold a NUL character")
    if not text:
        raise InvalidInputError(f"{what} cannot be empty")
    return text


class Stage(StrEnum):
    TITLE_ABSTRACT = "title_abstract"
    FULL_TEXT = "full_text"


class Choice(StrEnum):
    INCLUDE = "include"
    EXCLUDE = "exclude"
    MAYBE = "maybe"


class StageOutcome(StrEnum):
    """Where a record (a screening unit) stands at a stage: the words of screening progress, the
    queues, the conflicts list and PRISMA alike."""

    PENDING = "pending"  # fewer live decisions than the stage needs, none disagreeing
    INCLUDE = "include"
    EXCLUDE = "exclude"
    CONFLICT = "conflict"  # include against exclude (maybe counted), not resolved

    @property
    def decided(self) -> bool:
        """Include or exclude: the record has a final decision at the stage."""
        return self in (StageOutcome.INCLUDE, StageOutcome.EXCLUDE)


def effective_choice(
    choice: Choice | str, maybe_counts_as: Choice | str = Choice.INCLUDE
) -> Choice:
    """Include or exclude: what a choice counts as (``maybe`` counts as ``maybe_counts_as``)."""
    choice = Choice(choice)
    if choice is Choice.MAYBE:
        counted = Choice(maybe_counts_as)
        if counted is Choice.MAYBE:
            raise ValueError("maybe must count as include or exclude")
        return counted
    return choice


def stage_outcome(
    choices: Iterable[Choice | str],
    *,
    needed: int,
    maybe_counts_as: Choice | str = Choice.INCLUDE,
    resolution: Choice | str | None = None,
) -> StageOutcome:
    """The outcome of one record at one stage: THE rule, which every other form follows.

    1. A live **resolution** (third reviewer or consensus) is final, whatever the reviewers chose.
    2. ``maybe`` counts as ``maybe_counts_as`` (include unless the review says exclude).
    3. Counted decisions that hold both include and exclude are a **conflict**, even when one
       decision would have been enough.
    4. Otherwise, with fewer decisions than the stage ``needed`` (the review's
       ``reviewers_title_abstract`` / ``reviewers_full_text``), the record is **pending**; with
       enough, the agreed choice is the outcome.

    Storage computes the same outcome in SQL for whole stages (100,000-record queues and counts,
    ``screener.storage.screening``); a property test checks the two agree.

    Parameters
    ----------
    choices
        The live decision of every reviewer who decided the record's unit at this stage (one
        per reviewer).
    needed
        How many independent decisions the stage needs (1 or 2).
    maybe_counts_as
        What ``maybe`` counts as: include or exclude.
    resolution
        The live resolution's decision, if any.
    """
    if resolution is not None:
        return StageOutcome(Choice(resolution).value)  # include or exclude: never maybe
    counted = [effective_choice(c, maybe_counts_as) for c in choices]
    if len(set(counted)) > 1:
        return StageOutcome.CONFLICT
    if not counted or len(counted) < needed:
        return StageOutcome.PENDING
    return StageOutcome(counted[0].value)


@dataclass(frozen=True, slots=True)
class Review:
    title: str
    question: str = ""
    population: str = ""
    intervention: str = ""
    comparator: str = ""
    outcomes: str = ""
    study_designs: str = ""
    inclusion_criteria: str = ""
    exclusion_criteria: str = ""
    protocol_id: str = ""
    reviewers_title_abstract: int = 1
    reviewers_full_text: int = 1
    blind: bool = True
    maybe_counts_as: str = "include"
    ncbi_email: str = ""
    exclusion_reasons: tuple[str, ...] = ()
    include_terms: tuple[str, ...] = ()
    exclude_terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    """One reviewer's live decision on a record at a stage."""

    id: int
    record_id: int
    stage: Stage
    reviewer: str
    choice: Choice
    reason: str = ""
    note: str = ""
    made_at: str = ""


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One row of a record's decision history (the audit trail): a decision made or undone."""

    id: int
    stage: Stage
    reviewer: str
    action: str  # 'decide' or 'undo'
    choice: Choice | None  # None for an undo
    undoes_id: int | None  # the history row an undo takes back
    made_at: str


@dataclass(frozen=True, slots=True)
class ListedRecord:
    """One line of the list of screened records: id, year, first author's family name, title."""

    id: int
    year: int | None
    first_author: str
    title: str


@dataclass(frozen=True, slots=True)
class ExportedRecord:
    """A record as the records export shows it: provenance, cluster, full-text retrieval and
    the live decisions on it (those the reader may see in a blind review)."""

    id: int
    record: Record
    source_database: str | None  # None: a record whose search run or import names none
    source_file: str | None
    cluster_id: int | None
    is_primary: bool  # the record its cluster is screened as (True outside one)
    not_retrieved: bool
    retrieval_note: str
    decisions: tuple[Decision, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchLogEntry:
    """One line of the search log (PRISMA-S): a search run or a file import.

    ``count`` is what a run fetched (or a file held and was imported); ``identified`` what
    PRISMA counts for it, ``earlier`` the rest: records an earlier run of the same strategy, or
    an earlier import of the same file, identified already (see screener.prisma.counts).
    """

    kind: str  # 'search' or 'import'
    id: int
    database: str
    method: str
    query_name: str
    query_text: str
    date: str  # the search's date: when it ran, or the date searched
    date_is_search: bool  # False: an import without its date searched (import date)
    date_from: str | None  # a search run's date limits
    date_to: str | None
    count_reported: int | None  # what the database said it found, when known
    count: int
    count_new: int
    status: str
    file_name: str  # an import's file ('' for a search run)
    at: str  # when it started (a run) or was imported
    finished_at: str
    message: str  # notes, one per line
    identified: int
    earlier: int
    legacy: bool  # a run from before each run's PMIDs were listed


@dataclass(frozen=True, slots=True)
class StageCounts:
    """A reviewer's progress at one stage."""

    reviewer: str
    stage: Stage
    include: int = 0
    exclude: int = 0
    maybe: int = 0

    @property
    def decided(self) -> int:
        return self.include + self.exclude + self.maybe


@dataclass(frozen=True, slots=True)
class ReviewSummary:
    title: str
    records: int
    screened_records: int  # records after duplicates are set aside
    duplicates_removed: int
    sources: dict[str, int] = field(default_factory=dict)  # database -> records identified
    per_reviewer: tuple[StageCounts, ...] = ()
    reviewers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportResult:
    import_id: int
    file_name: str
    database: str
    format: str
    encoding: str
    count_in_file: int
    count_imported: int
    skipped: tuple[str, ...] = ()
