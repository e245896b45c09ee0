"""Extraction values and studies as domain objects (storage turns rows into these)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Discrepancy",
    "ExtractionImport",
    "ExtractionValue",
    "Flag",
    "RowKey",
    "Study",
    "ValueEntry",
    "ValueKey",
]


@dataclass(frozen=True, slots=True, order=True)
class RowKey:
    """One outcome row of a study: outcome x timepoint x subgroup (outcome '' = study level)."""

    study: str
    outcome: str = ""
    timepoint: str = ""
    subgroup: str = ""

    def describe(self) -> str:
        return " · ".join(p for p in (self.study, self.outcome, self.timepoint, self.subgroup) if p)


@dataclass(frozen=True, slots=True, order=True)
class ValueKey:
    """Where one value goes: a study, an outcome row (or none, for study-level fields), a field."""

    study: str
    outcome: str = ""
    timepoint: str = ""
    subgroup: str = ""
    field: str = ""

    @property
    def row(self) -> RowKey:
        return RowKey(self.study, self.outcome, self.timepoint, self.subgroup)

    def describe(self) -> str:
        return f"{self.row.describe()} · {self.field}"


@dataclass(frozen=True, slots=True)
class ExtractionValue:
    """A value as one extractor typed it (role ``extractor``) or as agreed (role ``consensus``,
    ``reviewer`` = who agreed it); ``method`` and ``details`` say how a converted value was got."""

    key: ValueKey
    value: str
    reviewer: str
    role: str = "extractor"
    method: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    imputed: bool = False
    note: str = ""
    entered_at: str = ""


@dataclass(frozen=True, slots=True)
class ValueEntry:
    """A value to save for a study: ``outcome`` empty for a study-level field; ``value`` empty
    clears the field."""

    field: str
    value: str
    outcome: str = ""
    timepoint: str = ""
    subgroup: str = ""
    method: str = ""
    # dataclasses.field: inside this class the name field is its first attribute
    details: dict[str, Any] = dataclasses.field(default_factory=dict)
    imputed: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class Study:
    """A study and the records (reports) that describe it."""

    id: int
    name: str
    note: str = ""
    record_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class LinkedRecord:
    """A record linked to a study, with its screening outcome as PRISMA counts it."""

    record_id: int
    citation: str  # "Family Year. Title"
    status: str  # "included", "excluded at full text: reason", "undecided at ..."

    @property
    def included(self) -> bool:
        return self.status == "included"


@dataclass(frozen=True, slots=True)
class StudyRecords:
    """A study, its linked records and whether PRISMA counts it as a study included (at least
    one linked report included at full text)."""

    name: str
    note: str
    records: tuple[LinkedRecord, ...]
    included: bool

    @property
    def problem(self) -> str:
        """Why the study is not counted as included ('' when it is)."""
        if self.included:
            return ""
        if not self.records:
            return "no record is linked to this study"
        return "none of its linked records is included at full text"


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """Extractors who disagree on one value: (reviewer, value) pairs, '' where one left it empty."""

    key: ValueKey
    values: tuple[tuple[str, str], ...]

    @property
    def kind(self) -> str:
        return "missing" if any(not v for _, v in self.values) else "differ"


@dataclass(frozen=True, slots=True)
class Flag:
    """A consistency flag on an outcome row, for ``screener check`` and the report."""

    study: str
    outcome: str
    timepoint: str
    subgroup: str
    kind: str
    explanation: str
    reviewers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ExtractionImport:
    """What ``import --as extraction`` did."""

    file_name: str
    reviewer: str
    rows: int
    studies_created: tuple[str, ...] = ()
    outcomes_created: tuple[str, ...] = ()
    values_saved: int = 0
    values_cleared: int = 0
    dry_run: bool = False  # nothing was written: the counts say what an import would do
    records_linked: int = 0  # records newly linked to studies (column record_ids)
