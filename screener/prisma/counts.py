"""The PRISMA 2020 flow-diagram counts, computed from what the review holds.

Boxes as the PRISMA 2020 statement defines them (Page et al. 2021, BMJ 372:n71), for new
systematic reviews with databases and registers, plus the optional "other methods" and
"previous version" columns. :func:`compute_counts` is pure: storage gathers a
:class:`PrismaInputs` and this module does the arithmetic.

How each box is counted
-----------------------
* **Records identified**, per database or register: what its searches and imports identified.
  A search is a *strategy*: the same database and the same query text (whitespace aside;
  :func:`strategy_key`). Running a strategy again, with or without new date limits, is a
  re-run or update of it: it identifies only the PMIDs no earlier run of that strategy
  identified (table search_run_pmid lists every PMID a run identified, stored or already in the
  review). The saved query's name plays no part: an edited query is a new search, so the
  records it shares with the earlier version are identified again and counted as duplicates,
  as a second database's overlap would be. Two strategies that find the same PMID identify it
  twice, and one of the two is a duplicate, as PRISMA asks.
  Runs made before screener listed each run's PMIDs (migration 0003 listed only the records
  they added, so their list is shorter than their ``count_fetched``) count what they fetched;
  a note says so when such a run shares its strategy with another run, since records found by
  both may then be counted twice.
  An import identifies the records it brought in. The same file (same sha256) imported again
  with ``--again`` identifies nothing more: its records were identified by the first import,
  and its copies (``Source.repeated``) are neither identified nor duplicates; dedup sets them
  aside, and until it does the identification check reports them. Two different files are two
  searches, even of one strategy: their overlap is duplicates.
  A manual count ``identified:<source>`` (prisma_count) replaces a source's number, e.g. to
  include records an automation tool removed before the file was imported. The search log
  (``screener searches``, the report) shows each run's and import's share (:func:`count_entries`),
  so per source it adds up to the diagram's number.
* **Duplicate records removed**: records that are non-primary members of a cluster, plus the
  records a search run identified but did not add because they were already in the review
  (found by another strategy or imported from a file).
* **Automation tools / other reasons**: the manual counts ``excluded_automatic`` and
  ``excluded_other``, which screener cannot know; to the first are added the records a lead's
  stop by the stopping rule marked "not screened" (:mod:`screener.screening.stopping`) and no
  one screened since. PRISMA 2020 asks that records excluded by automation tools be told apart
  from those excluded by people (Page et al. 2021, BMJ 372:n71, the flow diagram's note to
  "Records excluded"); screener gives them that box, so "Records screened" and "Records
  excluded" stay what reviewers screened and excluded, and a note names the rule.
* A **report** is a screened record: a record that is not a secondary member of a cluster (the
  view ``screened_record``). A cluster is screened once, so the decisions, resolutions, full-text
  flags and study links of all its records count for it (a reviewer's latest one wins).
* The **databases-and-registers flow** holds every report with at least one record found in a
  database or register; the **other-methods flow** (websites, organisations, citation searching,
  other) holds reports found only that way. Other-method records that duplicate a database record
  are counted as duplicates of the other-methods column (``other_duplicates``, a note: the PRISMA
  template has no box for them).
* **Records screened**: reports in the databases-and-registers flow. **Records excluded**: those
  whose final title/abstract decision (:mod:`screener.prisma.decisions`) is exclude.
  **Reports sought for retrieval**: those whose final decision is include. Records with a conflict
  or missing decisions are undecided and listed in ``discrepancies``.
* **Reports not retrieved**: sought reports marked not retrievable (table full_text).
  **Reports assessed**: sought minus not retrieved. **Reports excluded, with reasons**: final
  full-text exclusions by reason. Undecided reports are discrepancies.
* Other-methods reports skip title/abstract screening in PRISMA: those with no title/abstract
  decision go straight to retrieval; a final title/abstract exclusion removes one (a note).
* **Studies included**: the studies (table study, linked to their reports in study_report)
  with at least one report included at full text; an included report linked to no study counts
  as one study (a discrepancy). A study with no included report (no record linked, e.g. made
  from an extraction CSV, or only excluded or undecided ones) is not counted: it is named in
  a discrepancy, since an analysis that pools it would disagree with the diagram. With no
  studies defined at all, the count is of included reports (``studies_basis`` says which).
  **Reports of included studies**: included reports.
* **Previous version**: the manual counts ``previous_studies`` and ``previous_reports``; totals
  add them to the new ones.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from screener.display import count_of as _plural
from screener.model import StageOutcome
from screener.prisma.decisions import NO_REASON, Final, final_decision
from screener.prisma.identification import (
    EntryCount,
    count_entries,
    file_key,
    sources_of,
    strategy_key,
)
from screener.prisma.model import (
    DBR_METHODS,
    MANUAL_KEYS,
    OTHER_METHODS,
    Discrepancy,
    Flow,
    PrismaCounts,
    PrismaInputs,
    SearchEntry,
    Source,
    Unit,
)

__all__ = [
    "DBR_METHODS",
    "MANUAL_KEYS",
    "OTHER_METHODS",
    "Discrepancy",
    "EntryCount",
    "Flow",
    "PrismaCounts",
    "PrismaInputs",
    "ReportOutcome",
    "SearchEntry",
    "Source",
    "Unit",
    "classify",
    "compute_counts",
    "count_entries",
    "not_screened",
    "file_key",
    "outcomes",
    "sources_of",
    "strategy_key",
]


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    """Where one report ended: its final title/abstract and full-text decisions."""

    record_id: int
    ta: Final
    ft: Final | None = None  # None: never reached full-text assessment
    not_retrieved: bool = False
    stopped: bool = False  # not screened: the stopping rule

    @property
    def status(self) -> str:
        """included, excluded, not_retrieved, not_screened (stopping rule), or undecided."""
        if self.stopped:
            return "not_screened"
        if self.ta.status is StageOutcome.EXCLUDE:
            return "excluded"
        if not self.ta.status.decided:
            return "undecided"
        if self.not_retrieved:
            return "not_retrieved"
        assert self.ft is not None
        if self.ft.status.decided:
            return "included" if self.ft.status is StageOutcome.INCLUDE else "excluded"
        return "undecided"

    @property
    def stage(self) -> str:
        """The stage that settled (or holds up) the report."""
        if self.ft is None:
            return "title_abstract"
        return "full_text"

    @property
    def reason(self) -> str:
        final = self.ft if self.ft is not None else self.ta
        return final.reason

    def describe(self) -> str:
        """One line for exports: "excluded at full text: Wrong population" ..."""
        if self.stopped:
            return "not screened: stopping rule"
        where = "title/abstract" if self.stage == "title_abstract" else "full text"
        final = self.ft if self.ft is not None else self.ta
        if self.status == "excluded":
            return f"excluded at {where}" + (
                f": {self.reason}" if self.stage == "full_text" else ""
            )
        if self.status == "undecided":
            return f"undecided at {where} ({final.exported})"
        if self.status == "not_retrieved":
            return "full text not retrieved"
        return "included"


def classify(unit: Unit, inputs: PrismaInputs) -> ReportOutcome:
    """Apply the final-decision rules to one report at each stage it reached."""
    if not_screened(unit):
        return ReportOutcome(unit.record_id, Final(StageOutcome.PENDING), stopped=True)
    if unit.other_method and not unit.ta_votes and unit.ta_resolution is None:
        ta = Final(StageOutcome.INCLUDE)  # other methods go straight to retrieval
    else:
        ta = final_decision(
            unit.ta_votes,
            required=inputs.reviewers_title_abstract,
            maybe_as=inputs.maybe_counts_as,
            resolution=unit.ta_resolution,
            reason_order=inputs.reason_order,
        )
    if ta.status is not StageOutcome.INCLUDE:
        return ReportOutcome(unit.record_id, ta)
    if unit.not_retrieved:
        return ReportOutcome(unit.record_id, ta, not_retrieved=True)
    ft = final_decision(
        unit.ft_votes,
        required=inputs.reviewers_full_text,
        maybe_as=inputs.maybe_counts_as,
        resolution=unit.ft_resolution,
        reason_order=inputs.reason_order,
    )
    return ReportOutcome(unit.record_id, ta, ft)


def not_screened(unit: Unit) -> bool:
    """A report a stop by the stopping rule marked not screened, and no one screened since."""
    return unit.stopped and not unit.ta_votes and unit.ta_resolution is None


def outcomes(inputs: PrismaInputs) -> dict[int, ReportOutcome]:
    """Each report's outcome, by record id."""
    return {u.record_id: classify(u, inputs) for u in inputs.units}


def _flow(
    units: list[Unit],
    inputs: PrismaInputs,
    *,
    other: bool,
    problems: list[Discrepancy],
    notes: list[str],
) -> Flow:
    """Title/abstract to inclusion for one column's reports."""
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    included: list[int] = []
    ignored_ft, ignored_nr, differed = 0, 0, 0
    for unit in units:
        outcome = classify(unit, inputs)
        ta, ft = outcome.ta, outcome.ft
        counts[f"ta_{ta.status}"] += 1
        if ft is None:
            ignored_ft += bool(unit.ft_votes) or unit.ft_resolution is not None
            if ta.status is not StageOutcome.INCLUDE:
                ignored_nr += unit.not_retrieved
            else:
                counts["not_retrieved"] += 1
            continue
        counts[f"ft_{ft.status}"] += 1
        if ft.status is StageOutcome.EXCLUDE:
            reasons[ft.reason] += 1
            differed += ft.reasons_differed
        elif ft.status is StageOutcome.INCLUDE:
            included.append(unit.record_id)
    column = "other methods" if other else "databases and registers"
    prefix = "other_" if other else ""
    flow = Flow(
        records=len(units),
        records_excluded=counts["ta_exclude"],
        records_conflict=counts["ta_conflict"],
        records_pending=counts["ta_pending"],
        reports_sought=counts["ta_include"],
        reports_not_retrieved=counts["not_retrieved"],
        reports_assessed=counts["ta_include"] - counts["not_retrieved"],
        reasons=tuple(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
        reports_conflict=counts["ft_conflict"],
        reports_pending=counts["ft_pending"],
        reports_included=len(included),
        included_ids=tuple(included),
    )
    if flow.records_undecided:
        problems.append(
            Discrepancy(
                f"{prefix}records_undecided",
                f"{flow.records_undecided:,} of {_plural(flow.records, 'record')} ({column}) "
                f"{_has(flow.records_undecided)} no final title/abstract decision "
                f"({flow.records_conflict:,} in conflict, {flow.records_pending:,} awaiting "
                f"decisions): screened − excluded − sought = {flow.records_undecided:,}, not 0",
                flow.records_undecided,
            )
        )
    if flow.reports_undecided:
        problems.append(
            Discrepancy(
                f"{prefix}reports_undecided",
                f"{flow.reports_undecided:,} of {_plural(flow.reports_assessed, 'report')} "
                "assessed "
                f"({column}) {_has(flow.reports_undecided)} no final full-text decision "
                f"({flow.reports_conflict:,} in conflict, {flow.reports_pending:,} awaiting "
                f"decisions): assessed − excluded − included = {flow.reports_undecided:,}, not 0",
                flow.reports_undecided,
            )
        )
    if reasons.get(NO_REASON):
        problems.append(
            Discrepancy(
                f"{prefix}reports_excluded_without_reason",
                f"{_plural(reasons[NO_REASON], 'full-text exclusion')} ({column}) "
                f"{'carries' if reasons[NO_REASON] == 1 else 'carry'} no reason; PRISMA asks for a "
                "reason for each",
                reasons[NO_REASON],
            )
        )
    if ignored_ft:
        problems.append(
            Discrepancy(
                f"{prefix}full_text_decisions_ignored",
                f"{_plural(ignored_ft, 'record')} ({column}) {_has(ignored_ft)} full-text "
                "decisions but "
                f"{'was' if ignored_ft == 1 else 'were'} not retrieved or did not pass "
                "title/abstract "
                "screening; those decisions are not counted",
                ignored_ft,
            )
        )
    if ignored_nr:
        problems.append(
            Discrepancy(
                f"{prefix}not_retrieved_ignored",
                f"{_plural(ignored_nr, 'record')} ({column}) "
                f"{'is' if ignored_nr == 1 else 'are'} marked "
                "not retrieved but did not pass title/abstract screening; not counted as reports "
                "not "
                "retrieved",
                ignored_nr,
            )
        )
    if differed:
        notes.append(
            f"{_plural(differed, 'agreed full-text exclusion')} ({column}) had "
            "different reasons from their reviewers; each is counted under the reason "
            "listed first in the review's reasons."
        )
    return flow


def _stop_note(main: int, other: int, rule: tuple[float, float, float] | None, manual: int) -> str:
    """The note that says which records the stopping rule left unscreened."""
    figures = (
        ""
        if rule is None
        else (
            f" (recall target {100 * rule[0]:.0f}%, confidence {100 * rule[1]:.0f}%, p = "
            f"{rule[2]:.3f})"
        )
    )
    text = (
        f"{_plural(main + other, 'record was', 'records were')} not screened: title/abstract "
        "screening stopped by a statistical stopping rule (Callaghan & Müller-Hansen 2020)"
        f"{figures}; "
    )
    if main:
        text += (
            f"{main:,} of them {'is' if main == 1 else 'are'} counted as marked ineligible "
            "by automation tools" + (f", with the {manual:,} entered by hand" if manual else "")
        )
    if other:
        text += ("; " if main else "") + (
            f"{other:,} identified via other methods "
            f"{'is' if other == 1 else 'are'} left out of that "
            "column's reports"
        )
    return text + "."


def _has(n: int) -> str:
    return "has" if n == 1 else "have"


def _sources(
    inputs: PrismaInputs, problems: list[Discrepancy], notes: list[str]
) -> tuple[list[Source], int]:
    """Sources with manual overrides applied, and records identified but already in the review."""
    found, identification_notes = sources_of(inputs.entries)
    notes += identification_notes
    out, already = [], 0
    seen = set()
    for source in found:
        seen.add(source.name)
        key = f"identified:{source.name}"
        kept = source.in_review - source.repeated
        if key in inputs.manual:
            source = Source(
                source.name,
                source.method,
                inputs.manual[key],
                source.in_review,
                source.already_present,
                manual=True,
                repeated=source.repeated,
            )
        elif source.identified - source.already_present != kept:
            gap = source.identified - source.already_present - kept
            problems.append(
                Discrepancy(
                    f"source:{source.name}",
                    f"{source.name}: {source.identified:,} records identified, but "
                    f"{kept + source.already_present:,} are in the review or were already "
                    f"there (difference {gap:,})",
                    gap,
                )
            )
        already += source.already_present
        out.append(source)
    for key, value in inputs.manual.items():
        if key.startswith("identified:") and key.split(":", 1)[1] not in seen:
            out.append(Source(key.split(":", 1)[1], "database", value, 0, manual=True))
    return out, already


def compute_counts(inputs: PrismaInputs) -> PrismaCounts:
    """Every box of the PRISMA 2020 diagram from ``inputs`` (see the module docstring)."""
    problems: list[Discrepancy] = []
    notes: list[str] = []
    sources, already_present = _sources(inputs, problems, notes)
    manual = inputs.manual
    databases = tuple((s.name, s.identified) for s in sources if s.method == "database")
    registers = tuple((s.name, s.identified) for s in sources if s.method == "register")
    others = tuple((s.method, s.name, s.identified) for s in sources if s.method in OTHER_METHODS)
    main_units = [u for u in inputs.units if not u.other_method]
    other_units = [u for u in inputs.units if u.other_method]
    # Copies of a file imported again are not identified, so they are not duplicates either.
    dbr_in_review = sum(s.in_review - s.repeated for s in sources if s.method in DBR_METHODS)
    other_in_review = sum(s.in_review - s.repeated for s in sources if s.method in OTHER_METHODS)
    # Below zero only while copies of a repeated import wait for dedup: the identification
    # check below reports those, so the box shows none rather than a negative number.
    duplicates = max(0, dbr_in_review - len(main_units) + already_present)
    other_duplicates = max(0, other_in_review - len(other_units))
    stopped = [u for u in main_units if not_screened(u)]
    stopped_other = [u for u in other_units if not_screened(u)]
    main_units = [u for u in main_units if not not_screened(u)]
    other_units = [u for u in other_units if not not_screened(u)]
    automatic = manual.get("excluded_automatic", 0) + len(stopped)
    removed_other = manual.get("excluded_other", 0)

    main = _flow(main_units, inputs, other=False, problems=problems, notes=notes)
    other = _flow(other_units, inputs, other=True, problems=problems, notes=notes)

    identified = sum(n for _, n in databases) + sum(n for _, n in registers)
    expected = identified - duplicates - automatic - removed_other
    if expected != main.records:
        problems.insert(
            0,
            Discrepancy(
                "identification",
                f"records identified ({identified:,}) − duplicates ({duplicates:,}) − automation "
                "tools "
                f"({automatic:,}) − other reasons ({removed_other:,}) = {expected:,}, but "
                f"{_plural(main.records, 'record was', 'records were')} screened (difference "
                f"{expected - main.records:,}); "
                + (
                    "copies of a file imported again are screened until dedup sets them aside"
                    if expected < main.records and any(s.repeated for s in sources)
                    else "records removed before import belong in a source's count: set "
                    "identified:<source>"
                ),
                expected - main.records,
            ),
        )
    if stopped or stopped_other:
        notes.append(
            _stop_note(
                len(stopped),
                len(stopped_other),
                inputs.stop_rule,
                manual.get("excluded_automatic", 0),
            )
        )
    if manual.keys() & {"identified:" + s.name for s in sources}:
        notes.append(
            "Counts entered by hand for: " + ", ".join(s.name for s in sources if s.manual) + "."
        )
    if other_duplicates:
        notes.append(
            f"{_plural(other_duplicates, 'record')} identified via other methods "
            "duplicated records already identified and "
            f"{'was' if other_duplicates == 1 else 'were'} "
            "removed."
        )
    if other.records_excluded:
        notes.append(
            f"{_plural(other.records_excluded, 'record')} identified via other methods "
            f"{'was' if other.records_excluded == 1 else 'were'} excluded at title/abstract "
            "screening."
        )

    by_id = {u.record_id: u for u in inputs.units}
    included_units = [by_id[i] for i in (*main.included_ids, *other.included_ids)]
    new_reports = len(included_units)
    included_studies: tuple[str, ...] = ()
    without_report: tuple[str, ...] = ()
    if inputs.studies_defined:
        studies = {s for u in included_units for s in u.studies}
        unlinked = sum(1 for u in included_units if not u.studies)
        new_studies = len(studies) + unlinked
        basis = "studies"
        notes.append("Studies included: studies with at least one report included at full text.")
        if unlinked:
            problems.append(
                Discrepancy(
                    "reports_without_study",
                    f"{_plural(unlinked, 'included report')} {'is' if unlinked == 1 else 'are'} "
                    "linked to "
                    "no study; each is counted as one study",
                    unlinked,
                )
            )
        included_studies = tuple(n for sid, n in inputs.studies.items() if sid in studies)
        without_report = tuple(n for sid, n in inputs.studies.items() if sid not in studies)
        if without_report:
            shown = ", ".join(without_report[:5]) + (" ..." if len(without_report) > 5 else "")
            problems.append(
                Discrepancy(
                    "studies_without_included_report",
                    f"{_plural(len(without_report), 'study', 'studies')} "
                    f"{'has' if len(without_report) == 1 else 'have'} no report included at full "
                    "text "
                    f"and {'is' if len(without_report) == 1 else 'are'} not counted as included "
                    f"({shown}); link each to its included records with "
                    "'screener study link', or an analysis that pools them disagrees with this "
                    "count",
                    len(without_report),
                )
            )
    else:
        new_studies, basis = new_reports, "reports"
        notes.append("No studies are defined yet: studies included = included reports.")

    previous = manual.get("previous_studies"), manual.get("previous_reports")
    return PrismaCounts(
        databases=databases,
        registers=registers,
        other_sources=others,
        duplicates=duplicates,
        excluded_automatic=automatic,
        excluded_other=removed_other,
        main=main,
        other=other,
        other_duplicates=other_duplicates,
        new_studies=new_studies,
        new_reports=new_reports,
        studies_basis=basis,
        previous_studies=previous[0],
        previous_reports=previous[1],
        discrepancies=tuple(problems),
        notes=tuple(notes),
        included_studies=included_studies,
        studies_without_report=without_report,
    )
