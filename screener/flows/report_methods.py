"""The facts the report's methods section states, counted from the review's tables.

Reads through storage and the stages' own flows (kappa from :mod:`screener.flows.screening`,
deduplication counts from :mod:`screener.flows.dedup`, prioritisation and stopping from
:mod:`screener.flows.stopping`); :mod:`screener.report.methods` words them.
"""

from __future__ import annotations

import platform
from collections import defaultdict
from importlib import metadata
from typing import Any

import sqlite_utils

from screener.model import Review
from screener.report.methods import KappaFact, MethodsFacts, SourceFact, analysis_facts
from screener.storage import extraction as extraction_store
from screener.storage import prisma as store

__all__ = ["methods_facts", "software_versions"]


def software_versions() -> dict[str, str]:
    """screener's version and the Python it runs on (and the numeric libraries it pools with)."""
    out = {}
    for name in ("screener", "numpy", "scipy"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "(version unknown)"
    out["Python"] = platform.python_version()
    return out


def _sources(db: sqlite_utils.Database) -> tuple[tuple[SourceFact, ...], int]:
    runs: dict[tuple[str, str], list[Any]] = defaultdict(list)
    identified = 0
    for run in store.search_log(db):
        runs[(run.database, run.method)].append(run)
        identified += run.identified
    out = []
    for (name, method), items in runs.items():
        dates = [r.date[:10] for r in items if r.date and (r.kind == "search" or r.date_is_search)]
        strategies = {r.query_text.strip() for r in items if r.query_text.strip()}
        out.append(
            SourceFact(name, method, max(dates) if dates else "", len(items), len(strategies))
        )
    return tuple(out), identified


def _screening(db: sqlite_utils.Database) -> dict[str, Any]:
    """Who decided at each stage, the resolutions by stage and method, kappa per pair."""
    from screener.flows.screening import agreement

    who: dict[str, set[str]] = defaultdict(set)
    resolutions: dict[tuple[str, str], int] = defaultdict(int)
    for row in store.decision_rows(db):
        if row["role"] == "reviewer":
            who[row["stage"]].add(row["reviewer"])
        elif row["role"].startswith("resolution:"):
            resolutions[(row["stage"], row["role"].partition(":")[2])] += 1
    kappas = tuple(
        KappaFact(
            p.stage,
            p.reviewer_a,
            p.reviewer_b,
            p.n,
            p.kappa.percent_agreement,
            p.kappa.kappa,
            p.kappa.ci_low,
            p.kappa.ci_high,
        )
        for p in agreement(db)
    )
    return {
        "screeners": {stage: tuple(sorted(names)) for stage, names in who.items()},
        "kappas": kappas,
        "resolutions": dict(resolutions),
    }


def _extraction(db: sqlite_utils.Database) -> dict[str, Any]:
    values = extraction_store.load_values(db)
    extractors_of: dict[str, set[str]] = defaultdict(set)
    converted: dict[str, set[Any]] = defaultdict(set)
    outcomes: list[str] = []
    for v in values:
        if v.role == "extractor":
            extractors_of[v.key.study].add(v.reviewer)
        if v.key.outcome and v.key.outcome not in outcomes:
            outcomes.append(v.key.outcome)
        if v.method:  # counted per field, whoever converted it
            converted[v.method].add(v.key)
    studies = {v.key.study for v in values}
    return {
        "studies": len(studies),
        "studies_dual": sum(1 for s in studies if len(extractors_of.get(s, ())) >= 2),
        "extractors": tuple(sorted({r for names in extractors_of.values() for r in names})),
        "consensus_values": sum(1 for v in values if v.role == "consensus"),
        "conversions": {m: len(keys) for m, keys in converted.items()},
        "imputed": len({v.key for v in values if v.imputed}),
        "outcomes": tuple(outcomes),
    }


def _rob_tools(db: sqlite_utils.Database) -> dict[str, tuple[int, int]]:
    assessors: dict[str, set[str]] = defaultdict(set)
    agreed: dict[str, set[str]] = defaultdict(set)
    studies: dict[str, set[str]] = defaultdict(set)
    for row in store.rob_rows(db):
        studies[row["tool"]].add(row["study"])
        (agreed if row["role"] == "consensus" else assessors)[row["tool"]].add(row["reviewer"])
    names = _tool_names()
    # judgements entered only as agreed ones: the people who entered them are the assessors known
    return {
        names.get(tool, tool): (len(assessors[tool] or agreed[tool]), len(studies[tool]))
        for tool in studies
    }


def _tool_names() -> dict[str, str]:
    try:
        from screener.extraction.rob import TOOLS
    except ImportError:
        return {}
    return {key: getattr(tool, "name", key) for key, tool in TOOLS.items()}


def methods_facts(
    db: sqlite_utils.Database,
    review: Review,
    analyses: list[dict[str, Any]],
    screening_paragraphs: tuple[str, ...] = (),
    *,
    certainty: bool = False,
) -> MethodsFacts:
    """Every fact the methods text states, from the review's tables."""
    from screener.flows.dedup import report as dedup_report

    sources, _ = _sources(db)
    dedup = dedup_report(db)
    return MethodsFacts(
        sources=sources,
        records=dedup.records,
        dedup_automatic=dedup.automatic,
        dedup_person_same=dedup.decided_same,
        dedup_person_apart=dedup.decided_apart,
        dedup_queued=dedup.queued,
        duplicates_removed=dedup.duplicates_removed,
        reviewers_per_record={
            "title_abstract": review.reviewers_title_abstract,
            "full_text": review.reviewers_full_text,
        },
        blind=review.blind,
        screening_paragraphs=screening_paragraphs,
        **_screening(db),
        **_extraction(db),
        rob_tools=_rob_tools(db),
        analyses=tuple(
            analysis_facts(a["name"], a["outcome"], a["settings"], a["results"]) for a in analyses
        ),
        certainty=certainty,
        software=software_versions(),
    )
