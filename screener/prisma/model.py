"""The values of the PRISMA counts: sources, reports (units), inputs and the counts themselves.

How each number is counted is documented in :mod:`screener.prisma.counts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from screener.model import StageOutcome
from screener.prisma.decisions import EXPORTED_WORDS, Vote

__all__ = [
    "DBR_METHODS",
    "MANUAL_KEYS",
    "OTHER_METHODS",
    "Discrepancy",
    "Flow",
    "PrismaCounts",
    "PrismaInputs",
    "SearchEntry",
    "Source",
    "Unit",
]

DBR_METHODS = ("database", "register")
_PENDING_KEY = EXPORTED_WORDS[StageOutcome.PENDING]  # the JSON's published key for pending
OTHER_METHODS = ("website", "organisation", "citation", "other")
MANUAL_KEYS = {
    "excluded_automatic": "records marked as ineligible by automation tools",
    "excluded_other": "records removed for other reasons",
    "previous_studies": "studies included in the previous version of the review",
    "previous_reports": "reports of studies included in the previous version of the review",
}
"""prisma_count keys screener reads (plus ``identified:<source>``), with what each means."""


@dataclass(frozen=True, slots=True)
class SearchEntry:
    """A search run or an import, as identification counts it (one line of the search log).

    ``strategy`` groups the runs of one search and the imports of one file (see
    :func:`screener.prisma.identification.strategy_key`); ``count`` is what a run fetched or
    what was imported from a file; ``stored`` the records it added to the review; ``pmids``
    (runs) every PMID the run identified, whether it stored it or found it in the review
    already.
    """

    kind: str  # "search" or "import"
    id: int
    database: str
    method: str
    strategy: str
    count: int
    stored: int
    pmids: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Source:
    """One database, register or other source, with its records.

    ``identified`` is what its searches and imports identified (a re-run counts only what
    earlier runs of its strategy did not find, see :mod:`screener.prisma.counts`);
    ``in_review`` the records of that source in the review; ``already_present`` the records
    identified but not added because they were in the review already; ``repeated`` the
    records of files imported again, which are in the review but not identified again.
    """

    name: str
    method: str
    identified: int
    in_review: int
    already_present: int = 0
    manual: bool = False
    repeated: int = 0


@dataclass(frozen=True, slots=True)
class Unit:
    """One report: a screened record, with everything its cluster's records carry."""

    record_id: int
    other_method: bool = False
    ta_votes: tuple[Vote, ...] = ()
    ta_resolution: tuple[str, str] | None = None
    ft_votes: tuple[Vote, ...] = ()
    ft_resolution: tuple[str, str] | None = None
    not_retrieved: bool = False
    studies: tuple[int, ...] = ()
    stopped: bool = False  # marked "not screened: stopping rule" by a lead's stop


@dataclass(frozen=True, slots=True)
class PrismaInputs:
    """What :func:`compute_counts` needs, gathered by ``screener.storage.prisma``."""

    entries: tuple[SearchEntry, ...]
    units: tuple[Unit, ...]
    reviewers_title_abstract: int = 1
    reviewers_full_text: int = 1
    maybe_counts_as: str = "include"
    reason_order: Mapping[str, int] = field(default_factory=dict)
    manual: Mapping[str, int] = field(default_factory=dict)
    studies_defined: bool = False
    studies: Mapping[int, str] = field(default_factory=dict)  # every study: id -> name
    # the live stop of title/abstract screening: (recall target, confidence, p-value)
    stop_rule: tuple[float, float, float] | None = None


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """A count that does not add up, and by how much."""

    key: str
    message: str
    difference: int


@dataclass(frozen=True, slots=True)
class Flow:
    """Screening to inclusion for one column (databases and registers, or other methods)."""

    records: int = 0  # reports entering the column after duplicates
    records_excluded: int = 0  # final title/abstract exclusions
    records_conflict: int = 0
    records_pending: int = 0  # too few title/abstract decisions yet
    reports_sought: int = 0
    reports_not_retrieved: int = 0
    reports_assessed: int = 0
    reasons: tuple[tuple[str, int], ...] = ()  # full-text exclusions by reason, largest first
    reports_conflict: int = 0
    reports_pending: int = 0
    reports_included: int = 0
    included_ids: tuple[int, ...] = ()

    @property
    def records_undecided(self) -> int:
        return self.records_conflict + self.records_pending

    @property
    def reports_excluded(self) -> int:
        return sum(n for _, n in self.reasons)

    @property
    def reports_undecided(self) -> int:
        return self.reports_conflict + self.reports_pending


@dataclass(frozen=True, slots=True)
class PrismaCounts:
    """Every number of the PRISMA 2020 flow diagram, with what does not add up."""

    databases: tuple[tuple[str, int], ...]
    registers: tuple[tuple[str, int], ...]
    other_sources: tuple[tuple[str, str, int], ...]  # (method, source, n)
    duplicates: int
    excluded_automatic: int
    excluded_other: int
    main: Flow
    other: Flow
    other_duplicates: int
    new_studies: int
    new_reports: int
    studies_basis: str  # "studies" or "reports"
    previous_studies: int | None = None
    previous_reports: int | None = None
    discrepancies: tuple[Discrepancy, ...] = ()
    notes: tuple[str, ...] = ()
    included_studies: tuple[str, ...] = ()  # the studies counted, by name
    studies_without_report: tuple[str, ...] = ()  # studies with no included report

    @property
    def database_results(self) -> int:
        return sum(n for _, n in self.databases)

    @property
    def register_results(self) -> int:
        return sum(n for _, n in self.registers)

    @property
    def records_identified(self) -> int:
        return self.database_results + self.register_results

    @property
    def records_screened(self) -> int:
        return self.main.records

    @property
    def records_excluded(self) -> int:
        return self.main.records_excluded

    @property
    def has_other_methods(self) -> bool:
        return bool(self.other_sources) or self.other.records > 0

    @property
    def has_previous(self) -> bool:
        return self.previous_studies is not None or self.previous_reports is not None

    @property
    def total_studies(self) -> int:
        return self.new_studies + (self.previous_studies or 0)

    @property
    def total_reports(self) -> int:
        return self.new_reports + (self.previous_reports or 0)

    def other_results(self, method: str) -> int:
        """Records identified by one other method (website, organisation, citation, other)."""
        return sum(n for m, _, n in self.other_sources if m == method)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, under the PRISMA2020 app's keys where it has one."""
        main, other = self.main, self.other
        out: dict[str, Any] = {
            "database_results": self.database_results, "databases": dict(self.databases),
            "register_results": self.register_results, "registers": dict(self.registers),
            "duplicates": self.duplicates, "excluded_automatic": self.excluded_automatic,
            "excluded_other": self.excluded_other, "records_screened": main.records,
            "records_excluded": main.records_excluded,
            "records_undecided": {"conflict": main.records_conflict,
                                  _PENDING_KEY: main.records_pending},
            "dbr_sought_reports": main.reports_sought,
            "dbr_notretrieved_reports": main.reports_not_retrieved,
            "dbr_assessed": main.reports_assessed, "dbr_excluded": dict(main.reasons),
            "dbr_undecided_reports": {"conflict": main.reports_conflict,
                                      _PENDING_KEY: main.reports_pending},
            "dbr_included_reports": main.reports_included,
            "other_methods": self.has_other_methods,
            "website_results": self.other_results("website"),
            "organisation_results": self.other_results("organisation"),
            "citations_results": self.other_results("citation"),
            "other_results": self.other_results("other"),
            "other_sources": [{"method": m, "source": s, "n": n} for m, s, n in self.other_sources],
            "other_duplicates": self.other_duplicates,
            "other_records_excluded": other.records_excluded,
            "other_sought_reports": other.reports_sought,
            "other_notretrieved_reports": other.reports_not_retrieved,
            "other_assessed": other.reports_assessed, "other_excluded": dict(other.reasons),
            "other_undecided": other.records_undecided + other.reports_undecided,
            "other_included_reports": other.reports_included,
            "new_studies": self.new_studies, "new_reports": self.new_reports,
            "studies_basis": self.studies_basis,
            "included_studies": list(self.included_studies),
            "studies_without_report": list(self.studies_without_report),
            "previous_studies": self.previous_studies, "previous_reports": self.previous_reports,
            "total_studies": self.total_studies, "total_reports": self.total_reports,
            "discrepancies": [{"key": d.key, "message": d.message, "difference": d.difference}
                              for d in self.discrepancies],
            "notes": list(self.notes),
        }  # fmt: skip
        return out
