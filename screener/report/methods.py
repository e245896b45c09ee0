"""The methods section written from the review's data: plain sentences over :class:`MethodsFacts`.

The flow (:mod:`screener.flows.report_methods`) gathers the facts; this module only words
them, so every number in a sentence is one the database holds. Nothing is claimed that the
data do not show: a stage without data says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from screener.report.checklist import METHODS
from screener.report.model import MethodsSection

__all__ = [
    "MEASURES",
    "TAU2_NAMES",
    "AnalysisFacts",
    "KappaFact",
    "MethodsFacts",
    "SourceFact",
    "analysis_facts",
    "methods_sections",
]

MEASURES: dict[str, str] = {
    "OR": "odds ratio", "RR": "risk ratio", "RD": "risk difference",
    "PETO": "Peto odds ratio", "MD": "mean difference",
    "SMD": "standardised mean difference (Hedges' g)", "ROM": "ratio of means",
    "SMCR": "standardised mean change with raw-score standardisation (SMCR)",
    "SMCC": "standardised mean change with change-score standardisation (SMCC)",
    "MC": "mean change", "PR": "raw proportion", "PLO": "logit-transformed proportion",
    "PAS": "arcsine-transformed proportion", "PFT": "Freeman-Tukey double arcsine proportion",
    "PLN": "log-transformed proportion", "ZCOR": "Fisher's z-transformed correlation",
    "COR": "raw correlation coefficient", "IRR": "incidence rate ratio", "GEN": "effect size as "
    "entered (generic inverse variance)",
}  # fmt: skip
"""Effect measures in words, for the methods text."""
TAU2_NAMES: dict[str, str] = {
    "REML": "restricted maximum likelihood (REML)", "ML": "maximum likelihood",
    "DL": "DerSimonian-Laird", "PM": "Paule-Mandel", "HE": "Hedges", "SJ": "Sidik-Jonkman",
    "HS": "Hunter-Schmidt", "HSK": "Hunter-Schmidt (small-sample corrected)",
    "EB": "empirical Bayes", "GENQ": "generalised Q-statistic", "PMM": "median-unbiased "
                                                                       "Paule-Mandel",
}  # fmt: skip
_COMMON = {"FE", "EE", "CE"}
_PAIRWISE = {"MH": "Mantel-Haenszel", "PETO": "Peto"}
_STAGES = {"title_abstract": "title/abstract", "full_text": "full text"}
_CONVERSIONS = {
    "se_to_sd": "SD from a standard error (SD = SE × √n; Cochrane Handbook 6.5.2.2)",
    "ci_to_sd": "SD from a 95% CI of a mean (t-based below 60 participants; Cochrane Handbook "
    "6.5.2.2)",
    "ci_diff_to_sd": "SD from a 95% CI of a difference in means (Cochrane Handbook 6.5.2.3)",
    "p_to_sd": "SD from the P value of a difference in means (Cochrane Handbook 6.5.2.3)",
    "median_to_mean_sd": "mean and SD from a median with IQR and/or range (Luo et al. 2018; Wan et "
    "al. 2014)",
    "combine_groups": "two groups combined into one (Cochrane Handbook Table 6.5.a)",
    "change_sd": "SD of the change from baseline from the pre and post SDs and a pre/post "
    "correlation (Cochrane Handbook 6.5.2.8)",
    "r_from_sds": "pre/post correlation from a study's SDs before, after and of the change "
    "(Cochrane Handbook 6.5.2.8)",
    "imputed_r": "pre/post correlation borrowed from another study (imputed)",
}
"""How each conversion method stored with an extracted value is described."""


@dataclass(frozen=True, slots=True)
class SourceFact:
    """A database or other source searched: its name, how, the last date searched, the runs."""

    name: str
    method: str
    last_date: str
    runs: int
    strategies: int


@dataclass(frozen=True, slots=True)
class KappaFact:
    stage: str
    first: str
    second: str
    n: int
    agreement: float
    kappa: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True, slots=True)
class AnalysisFacts:
    """What one saved analysis ran (from its settings and results)."""

    name: str
    outcome: str
    measure: str
    method: str
    test: str
    level: float
    k: int | None
    by: str = ""
    prediction: bool = False
    egger: bool = False
    trimfill: bool = False
    begg: bool = False
    correlations: tuple[float, ...] = ()  # pre/post r used, one per study (SMCR/SMCC/MC)


@dataclass(frozen=True, slots=True)
class MethodsFacts:
    """Everything the methods text says, as counted from the review."""

    sources: tuple[SourceFact, ...] = ()
    records: int = 0
    dedup_automatic: int = 0
    dedup_person_same: int = 0
    dedup_person_apart: int = 0
    dedup_queued: int = 0
    duplicates_removed: int = 0
    reviewers_per_record: Mapping[str, int] = field(default_factory=dict)  # stage -> required
    screeners: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # stage -> who decided
    blind: bool = True
    kappas: tuple[KappaFact, ...] = ()
    resolutions: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (stage, method) -> n
    screening_paragraphs: tuple[str, ...] = ()  # prioritisation and stopping rule
    outcomes: tuple[str, ...] = ()
    studies: int = 0
    studies_dual: int = 0  # studies with values from two or more extractors
    extractors: tuple[str, ...] = ()
    consensus_values: int = 0
    conversions: Mapping[str, int] = field(default_factory=dict)  # method -> values converted
    imputed: int = 0
    rob_tools: Mapping[str, tuple[int, int]] = field(
        default_factory=dict
    )  # tool -> (assessors, studies)
    analyses: tuple[AnalysisFacts, ...] = ()
    certainty: bool = False  # GRADE judgements present
    software: Mapping[str, str] = field(default_factory=dict)  # name -> version


def _n(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count:,} {noun if count == 1 else (plural or noun + 's')}"


def _names(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _sources(f: MethodsFacts) -> tuple[str, ...]:
    if not f.sources:
        return ("No searches or imports are recorded yet.",)
    parts = []
    for s in f.sources:
        when = f"last searched {s.last_date}" if s.last_date else "date searched not recorded"
        how = "" if s.method == "database" else f" ({s.method})"
        parts.append(f"{s.name}{how}, {when}")
    strategies = sum(s.strategies for s in f.sources)
    text = (
        f"We searched {_n(len(f.sources), 'source')}: {'; '.join(parts)}. "
        f"{_n(sum(s.runs for s in f.sources), 'search or import', 'searches and imports')} "
        f"identified {_n(f.records, 'record')}."
    )
    if strategies:
        text += (
            f" The {_n(strategies, 'saved search strategy', 'saved search strategies')} "
            "are given verbatim in the appendix."
        )
    return (text,)


def _dedup(f: MethodsFacts) -> tuple[str, ...]:
    if not f.records:
        return ("No records imported yet.",)
    person = f.dedup_person_same + f.dedup_person_apart
    text = (
        f"Duplicates were found with screener's deduplication rule: "
        f"{_n(f.dedup_automatic, 'pair')} of records were merged automatically and "
        f"{_n(person, 'pair')} reviewed by a person ({f.dedup_person_same:,} merged, "
        f"{f.dedup_person_apart:,} kept apart); {_n(f.duplicates_removed, 'duplicate record')} "
        "were set aside before screening."
    )
    if f.dedup_queued:
        text += f" {_n(f.dedup_queued, 'pair')} still await a person's decision."
    return (text,)


def _selection(f: MethodsFacts) -> tuple[str, ...]:
    out = []
    for stage, label in _STAGES.items():
        need = f.reviewers_per_record.get(stage, 1)
        who = f.screeners.get(stage, ())
        if not who:
            out.append(f"No {label} decisions are recorded yet.")
            continue
        each = "one reviewer" if need == 1 else f"{need} reviewers independently"
        out.append(
            f"At {label}, each record was screened by {each}; "
            f"{_n(len(who), 'reviewer')} took part ({_names(who)})."
        )
    out.append(
        "Screening was blind: a reviewer saw another's decision on a record only after "
        "making their own."
        if f.blind
        else "Reviewers could see each other's decisions (screening was not blind)."
    )
    for k in f.kappas:
        if k.kappa is None:
            kappa = "Cohen's kappa could not be computed"
        else:
            kappa = f"Cohen's kappa {k.kappa:.2f} (95% CI {k.ci_low:.2f} to {k.ci_high:.2f})"
        out.append(
            f"Agreement between {k.first} and {k.second} at {_STAGES.get(k.stage, k.stage)} "
            f"over {_n(k.n, 'record')} both decided: {k.agreement:.1f}%; {kappa}."
        )
    resolved = [
        f"{_n(n, 'record')} at {_STAGES.get(stage, stage)} by "
        f"{'a third reviewer' if how == 'third_reviewer' else how.replace('_', ' ')}"
        for (stage, how), n in sorted(f.resolutions.items(), reverse=True)
    ]
    if resolved:
        out.append("Disagreements were resolved: " + "; ".join(resolved) + ".")
    return (*out, *f.screening_paragraphs)


def _data(f: MethodsFacts) -> tuple[str, ...]:
    if not f.studies:
        return ("No data extracted yet.",)
    out = []
    if f.outcomes:
        out.append(f"Data were sought for {_n(len(f.outcomes), 'outcome')}: {_names(f.outcomes)}.")
    single = f.studies - f.studies_dual
    if f.studies_dual and not single:
        how = (
            "in duplicate by two or more extractors, independently, for all "
            f"{_n(f.studies, 'study', 'studies')}"
        )
    elif f.studies_dual:
        how = (
            f"in duplicate for {_n(f.studies_dual, 'study', 'studies')} and by one extractor for "
            f"{_n(single, 'study', 'studies')}"
        )
    else:
        how = f"by one extractor for each of the {_n(f.studies, 'study', 'studies')}"
    out.append(
        f"Data were extracted {how} ({_names(f.extractors)})"
        + (
            f"; {_n(f.consensus_values, 'value')} agreed by consensus."
            if f.consensus_values
            else "."
        )
    )
    if f.conversions:
        used = [
            f"{_CONVERSIONS.get(m, m)} ({_n(n, 'value')})" for m, n in sorted(f.conversions.items())
        ]
        out.append(
            "Values not reported in the form needed were converted: " + "; ".join(used) + "."
        )
    if f.imputed:
        out.append(
            f"{_n(f.imputed, 'value')} {'was' if f.imputed == 1 else 'were'} imputed from "
            "other studies and are flagged as such."
        )
    for a in f.analyses:
        if a.correlations:
            rs = sorted(set(round(r, 4) for r in a.correlations))
            text = f"r = {rs[0]:g}" if len(rs) == 1 else f"r from {rs[0]:g} to {rs[-1]:g}"
            out.append(
                f"For the pre/post analysis \u201c{a.name}\u201d, the correlation between "
                f"baseline and follow-up measurements was {text} "
                f"({_n(len(a.correlations), 'study', 'studies')}); this is an assumption "
                "where studies did not report it, and results depend on it."
            )
    return tuple(out)


def _rob(f: MethodsFacts) -> tuple[str, ...]:
    if not f.rob_tools:
        return ("No risk-of-bias judgements are recorded yet.",)
    parts = [
        f"{tool} ({_n(studies, 'study', 'studies')}, {_n(assessors, 'assessor')})"
        for tool, (assessors, studies) in f.rob_tools.items()
    ]
    return ("Risk of bias was assessed with " + "; ".join(parts) + ".",)


def _level(value: float) -> str:
    return f"{value:g}%"


def _synthesis(f: MethodsFacts) -> tuple[str, ...]:
    if not f.analyses:
        return ("No analyses saved yet.",)
    out = []
    for a in f.analyses:
        measure = MEASURES.get(a.measure, a.measure)
        if a.method in _PAIRWISE:
            model = f"a common-effect {_PAIRWISE[a.method]} model"
        elif a.method in _COMMON:
            model = "a common-effect (inverse-variance) model"
        else:
            model = (
                f"a random-effects model with the {TAU2_NAMES.get(a.method, a.method)} "
                "estimator of tau²"
            )
        test = (
            " and the Knapp-Hartung adjustment"
            if a.test.lower() in ("knha", "hksj")
            else " and t-distribution tests"
            if a.test.lower() == "t"
            else ""
        )
        k = f" ({_n(a.k, 'study', 'studies')})" if a.k else ""
        text = (
            f"\u201c{a.name}\u201d{k}: the {measure}, pooled with {model}{test}; "
            f"{_level(a.level)} confidence intervals."
        )
        text += " Heterogeneity: tau², I² and Cochran's Q"
        text += ", with a prediction interval." if a.prediction else "."
        if a.by:
            text += (
                f" Subgroups by \u201c{a.by}\u201d, compared by a test for subgroup differences."
            )
        out.append(text)
    return tuple(out)


def _bias(f: MethodsFacts) -> tuple[str, ...]:
    used = []
    for a in f.analyses:
        tests = [
            name
            for flag, name in (
                (a.egger, "Egger's regression test"),
                (a.begg, "Begg's rank correlation test"),
                (a.trimfill, "trim-and-fill"),
            )
            if flag
        ]
        if tests:
            caution = (
                " (fewer than 10 studies: these tests have low power, Cochrane Handbook 13.3.5.4)"
                if a.k is not None and a.k < 10
                else ""
            )
            used.append(f"\u201c{a.name}\u201d: funnel plot and {_names(tests)}{caution}")
    if not used:
        return (
            (
                "No small-study or reporting-bias tests were run; funnel plots are shown with "
                "each analysis.",
            )
            if f.analyses
            else ("No analyses saved yet.",)
        )
    return ("Small-study effects were assessed per analysis. " + "; ".join(used) + ".",)


def _certainty(f: MethodsFacts) -> tuple[str, ...]:
    if f.certainty:
        return (
            "Certainty of evidence was assessed per outcome with GRADE (risk of bias, "
            "inconsistency, imprecision, indirectness, publication bias); see the summary of "
            "findings.",
        )
    return ("Certainty of evidence (GRADE) is not recorded in this review yet.",)


def _software(f: MethodsFacts) -> tuple[str, ...]:
    versions = ", ".join(f"{name} {version}" for name, version in f.software.items())
    return (
        f"Analyses were run with screener ({versions}). screener's meta-analysis engine is "
        "tested against reference values from R's metafor package (version 3.8) to a relative "
        "tolerance of 1e-6; analysis.R beside this report refits each analysis with metafor "
        "and analysis.do with Stata.",
    )


def methods_sections(facts: MethodsFacts) -> tuple[MethodsSection, ...]:
    """The methods subsections, in the order of :data:`screener.report.checklist.METHODS`."""
    writers = {
        "methods.sources": _sources,
        "methods.dedup": _dedup,
        "methods.selection": _selection,
        "methods.data": _data,
        "methods.rob": _rob,
        "methods.synthesis": _synthesis,
        "methods.bias": _bias,
        "methods.certainty": _certainty,
        "methods.software": _software,
    }
    return tuple(MethodsSection(heading, writers[key](facts)) for key, heading in METHODS)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def analysis_facts(
    name: str, outcome: str, settings: Mapping[str, Any], results: Mapping[str, Any]
) -> AnalysisFacts:
    """What a saved analysis (its settings and results dicts) ran."""
    s, r = settings, results
    level = _number(s.get("level") or r.get("level")) or 95.0
    level = level * 100 if level < 1 else level
    k = r.get("k")
    correlations: tuple[float, ...] = ()
    measure = str(s.get("measure") or r.get("measure") or "GEN").upper()
    data = s.get("data") or r.get("data") or []
    if measure in ("SMCR", "SMCC", "MC") and isinstance(data, list):
        correlations = tuple(
            v
            for row in data
            if isinstance(row, Mapping)
            for v in [_number(row.get("ri"))]
            if v is not None
        )
    return AnalysisFacts(
        name=name,
        outcome=outcome,
        measure=measure,
        method=str(s.get("method") or r.get("method") or "REML").upper(),
        test=str(s.get("test") or r.get("test") or "z"),
        level=level,
        k=k if isinstance(k, int) else None,
        by=str(s.get("by") or ""),
        prediction=_number(r.get("pi_lb")) is not None,
        egger=r.get("egger_p") is not None,
        trimfill=r.get("k0") is not None,
        begg=r.get("begg_p") is not None,
        correlations=correlations,
    )
