"""GRADE summary of findings: each saved analysis's certainty of evidence, and the reviewers'
judgements of its five domains.

The rules are in :mod:`screener.report.grade`; this module gathers what they read from the
review: the analysis's results and per-study weights, the studies' risk-of-bias judgements
(:func:`screener.extraction.rob.summarise`), their design (the study-level extraction field
``design``, else the risk-of-bias tool used: RoB 2 means a randomised trial, ROBINS-I, NOS and
JBI mean observational studies), and the reviewers' stored judgements and settings.

For the report: :func:`grade_tables` gives the summary-of-findings table and its footnotes.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import sqlite_utils

from screener.errors import InvalidInputError
from screener.extraction.rob import TOOLS, summarise
from screener.extraction.values import ValueKey
from screener.flows import extraction as extraction_flow
from screener.report.grade import (
    DESIGNS,
    Assessment,
    Evidence,
    Judgement,
    StudyRisk,
    assess,
    parse_domain,
    parse_level,
    risk_class,
    sof_tables,
)
from screener.report.model import Table
from screener.storage import analysis as analysis_store
from screener.storage import extraction as extraction_store
from screener.storage import grade as store
from screener.storage import review as review_store
from screener.storage.analysis import SavedAnalysis
from screener.storage.db import transaction
from screener.storage.grade import GradeSetting

__all__ = [
    "assess_all",
    "assess_one",
    "grade_tables",
    "history",
    "judge",
    "parse_design",
    "set_design",
    "set_mid",
]

# Measures whose model scale is a log ratio, Fisher's z or a logit; proportions have no null.
_BACK = {
    **dict.fromkeys(("OR", "RR", "ROM", "PETO", "PLN", "IRR", "HR"), "exp"),
    "ZCOR": "tanh",
    "PLO": "ilogit",
}
_NO_NULL = frozenset({"PR", "PLO", "PAS", "PFT", "PLN"})
_BINARY = frozenset({"OR", "RR", "RD", "PETO"})
_RANDOMISED_TOOLS = frozenset({"rob2"})
_ORDER = {"": 0, "low": 1, "some concerns": 2, "high": 3}


# --- reading --------------------------------------------------------------------------------------


def assess_one(
    db: sqlite_utils.Database,
    analysis_id: int,
    *,
    mid: float | None = None,
    design: str | None = None,
) -> Assessment:
    """The GRADE assessment of one saved analysis. ``mid`` and ``design`` given here replace
    the stored ones for this call only (nothing is saved)."""
    return _assess(db, analysis_store.get_analysis(db, analysis_id), _Context(db), mid, design)


def assess_all(
    db: sqlite_utils.Database, *, mid: float | None = None, design: str | None = None
) -> list[Assessment]:
    """Every saved analysis's assessment, oldest first (``mid``, ``design``: as for
    :func:`assess_one`)."""
    context = _Context(db)
    return [_assess(db, a, context, mid, design) for a in analysis_store.list_analyses(db)]


def grade_tables(db: sqlite_utils.Database) -> tuple[Table, ...]:
    """The report's GRADE part: (summary of findings, footnotes), one row per saved analysis
    with the stored MIDs, designs and judgements; empty when the review has no analysis."""
    found = assess_all(db)
    return sof_tables(found) if found else ()


def history(
    db: sqlite_utils.Database, analysis_id: int
) -> tuple[list[Judgement], list[GradeSetting]]:
    """Every judgement and setting ever stored for ``analysis_id``, oldest first."""
    analysis_store.get_analysis(db, analysis_id)
    return store.judgements(db, analysis_id), store.settings_history(db, analysis_id)


# --- writing --------------------------------------------------------------------------------------


def judge(
    db: sqlite_utils.Database,
    analysis_id: int,
    domain: str,
    level: str,
    *,
    reason: str,
    reviewer: str,
) -> Judgement:
    """Store ``reviewer``'s judgement of one domain (the lead or an arbiter), appended to the
    history; returns the judgement that now counts (the same as before when nothing changed)."""
    try:
        key, level = parse_domain(domain), parse_level(level)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    if not reason.strip():
        raise InvalidInputError("a GRADE judgement needs a reason (--reason)")
    with transaction(db):
        rid = _judge_id(db, reviewer)
        analysis_store.get_analysis(db, analysis_id)
        latest = store.latest_judgements(db, analysis_id).get(key)
        if latest is None or (latest.level, latest.reason) != (level, reason):
            store.add_judgement(
                db, analysis_id=analysis_id, domain=key, level=level, reason=reason, reviewer_id=rid
            )
    return store.latest_judgements(db, analysis_id)[key]


def set_mid(
    db: sqlite_utils.Database, analysis_id: int, mid: float | None, *, reviewer: str
) -> None:
    """Store the analysis's minimally important difference (natural scale; None clears it)."""
    if mid is not None and (not math.isfinite(mid) or mid == 0):
        raise InvalidInputError(
            f"--mid {mid}: a minimally important difference is a non-zero number"
        )
    _set(db, analysis_id, "mid", "" if mid is None else repr(float(mid)), reviewer)


def set_design(
    db: sqlite_utils.Database, analysis_id: int, design: str | None, *, reviewer: str
) -> None:
    """Store the design the certainty starts from (None: from the studies again)."""
    _set(db, analysis_id, "design", "" if design is None else parse_design(design), reviewer)


def parse_design(text: str) -> str:
    """randomised / observational from what a reviewer typed ("rct", "randomized", "obs")."""
    word = text.strip().lower()
    if word in ("rct", "rcts", "randomised", "randomized", "random"):
        return "randomised"
    if word in ("observational", "obs", "nrs", "non-randomised", "non-randomized"):
        return "observational"
    raise InvalidInputError(f"unknown design {text!r}; one of: {', '.join(DESIGNS)} (or rct)")


def _set(db: sqlite_utils.Database, analysis_id: int, key: str, value: str, reviewer: str) -> None:
    with transaction(db):
        rid = _judge_id(db, reviewer)
        analysis_store.get_analysis(db, analysis_id)
        latest = {s.key: s for s in store.settings_history(db, analysis_id)}.get(key)
        if latest is None or latest.value != value:
            store.add_setting(db, analysis_id=analysis_id, key=key, value=value, reviewer_id=rid)


def _judge_id(db: sqlite_utils.Database, reviewer: str) -> int:
    who = review_store.get_reviewer(db, reviewer)
    if not who.resolves:
        raise InvalidInputError(
            f"{who.name} is a screener: only an arbiter or the lead sets GRADE judgements (the "
            f"lead makes an arbiter with: screener reviewer role REVIEW.db {who.name} arbiter)"
        )
    return review_store.reviewer_id(db, who.name)


# --- from the review to the rules' values ---------------------------------------------------------


class _Context:
    """What every analysis of one review shares: study names, designs, risk of bias."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.studies = sorted(
            (s.name for s in extraction_store.list_studies(db)), key=len, reverse=True
        )
        final = extraction_flow.final(db).values
        self.designs: dict[str, str] = {}
        for name in self.studies:
            value = final.get(ValueKey(name, field="design"))
            if value is not None and _design_of(value.value):
                self.designs[name] = _design_of(value.value)
        # (study, outcome) -> the worst risk class over the tools used; and the tools per study
        self.risk: dict[tuple[str, str], str] = {}
        self.tools: dict[str, set[str]] = defaultdict(set)
        judgements = extraction_store.load_judgements(db)
        for tool in sorted({j.tool for j in judgements} & set(TOOLS)):
            for row in summarise(TOOLS[tool], judgements).rows:
                self.tools[row.study].add(tool)
                found = risk_class(row.overall) if row.overall not in ("", "?") else ""
                cell = (row.study, row.outcome)
                if _ORDER[found] > _ORDER[self.risk.get(cell, "")]:
                    self.risk[cell] = found

    def study_of(self, label: str) -> str | None:
        """The study an analysis row belongs to: its label, or the label less " (subgroup)"."""
        return next((s for s in self.studies if label == s or label.startswith(s + " (")), None)

    def risk_of(self, study: str | None, outcome: str) -> str:
        if study is None:
            return ""
        return self.risk.get((study, outcome)) or self.risk.get((study, ""), "")

    def design_of(self, study: str | None) -> str | None:
        if study is None:
            return None
        if study in self.designs:
            return self.designs[study]
        tools = self.tools.get(study, set())
        if tools:
            return "randomised" if tools <= _RANDOMISED_TOOLS else "observational"
        return None


def _design_of(text: str) -> str:
    t = text.lower()
    if re.search(r"non[- ]?randomi[sz]", t):
        return "observational"
    if re.search(r"randomi[sz]|\brcts?\b", t):
        return "randomised"
    return "observational" if t.strip() else ""


def _assess(
    db: sqlite_utils.Database,
    a: SavedAnalysis,
    context: _Context,
    mid: float | None,
    design: str | None,
) -> Assessment:
    stored = store.latest_settings(db, a.id)
    mid_source = "given here" if mid is not None else ""
    if mid is None and "mid" in stored:
        mid, mid_source = float(stored["mid"].value), f"set by {stored['mid'].reviewer}"
    ev, labels = _evidence(a, context)
    if design is not None:
        start, source = parse_design(design), "given here"
    elif "design" in stored:
        start, source = stored["design"].value, f"set by {stored['design'].reviewer}"
    else:
        start, source = _recorded_design(context, labels, ev.studies)
    return assess(
        ev,
        analysis_id=a.id,
        name=a.name,
        outcome=a.outcome,
        effect=_effect(a),
        design=start,
        design_source=source,
        mid=mid,
        mid_source=mid_source,
        judged=store.latest_judgements(db, a.id),
    )


def _recorded_design(
    context: _Context, labels: Sequence[str], studies: Sequence[StudyRisk]
) -> tuple[str, str]:
    weight: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for label, s in zip(labels, studies, strict=True):
        found = context.design_of(context.study_of(label))
        if found is not None:
            weight[found] += s.weight if math.isfinite(s.weight) else 0.0
            count[found] += 1
    if not count:
        return "randomised", "no study design recorded: randomised trials assumed (set --design)"
    if len(count) == 1:
        only = next(iter(count))
        return only, f"the design recorded for {count[only]} of {len(labels)} studies"
    main = max(count, key=lambda d: (weight[d], count[d]))
    return main, (
        f"mixed designs ({count['randomised']} randomised, {count['observational']} "
        f"observational): the design carrying most weight; consider separate analyses"
    )


def _evidence(a: SavedAnalysis, context: _Context) -> tuple[Evidence, list[str]]:
    r, s = a.results, a.settings
    measure = str(s.get("measure") or r.get("measure") or "").upper()
    studies = _mapping(r.get("studies"))
    labels = [str(x) for x in studies.get("label") or ()]
    weights = [_number(x) for x in studies.get("weight_percent") or ()]
    if len(weights) != len(labels):
        weights = [math.nan] * len(labels)
    risks = tuple(
        StudyRisk(label, w, context.risk_of(context.study_of(label), a.outcome))
        for label, w in zip(labels, weights, strict=True)
    )
    participants, events = _totals(s.get("data"), set(labels))
    pi = (_number(r.get("pi_lb")), _number(r.get("pi_ub")))
    egger = _egger(r, s)
    ev = Evidence(
        measure=measure,
        k=int(r.get("k") or len(labels)),
        estimate=_number(r.get("estimate")),
        ci=(_number(r.get("ci_lb")), _number(r.get("ci_ub"))),
        pi=pi if all(map(math.isfinite, pi)) else None,
        i2=_optional(r.get("I2")),
        p_between=_optional(r.get("p_between")),
        egger_p=egger,
        null=None if measure in _NO_NULL else 0.0,
        back=_BACK.get(measure, ""),
        binary=measure in _BINARY or s.get("data_type") == "dichotomous",
        participants=participants,
        events=events,
        studies=risks,
        level=_number(r.get("level")) if _optional(r.get("level")) else 95,
    )
    return ev, labels


def _totals(data: Any, pooled: set[str]) -> tuple[int | None, int | None]:
    """(participants, events) over the pooled rows of the saved data; None where unknown."""
    if not isinstance(data, list) or not data:
        return None, None
    rows = [row for row in data if isinstance(row, Mapping) and str(row.get("study")) in pooled]
    if not rows:
        return None, None

    def total(columns: tuple[str, ...]) -> int | None:
        values = [_number(row.get(c)) for row in rows for c in columns]
        return int(round(sum(values))) if values and all(map(math.isfinite, values)) else None

    participants = total(("n1i", "n2i")) if "n1i" in rows[0] else total(("ni",))
    events = total(("ai", "ci")) if "ai" in rows[0] else None
    return participants, events


def _egger(r: Mapping[str, Any], s: Mapping[str, Any]) -> float | None:
    """Egger's p from the saved results, else run now (rma, SE as moderator) where k >= 10."""
    if _optional(r.get("egger_p")) is not None:
        return _optional(r.get("egger_p"))
    studies = _mapping(r.get("studies"))
    yi, vi = list(studies.get("yi") or ()), list(studies.get("vi") or ())
    if len(yi) < 10 or len(yi) != len(vi):
        return None
    from screener.pooling import PoolingError, regtest  # scipy only when needed

    method = str(s.get("method") or r.get("method") or "REML")
    try:
        return float(
            regtest(
                [float(y) for y in yi],
                [float(v) for v in vi],
                method="FE" if method in ("MH", "PETO") else method,
            ).pval
        )
    except (PoolingError, ValueError):
        return None


def _effect(a: SavedAnalysis) -> str:
    r = a.results
    measure = str(a.settings.get("measure") or r.get("measure") or "effect")
    t = _mapping(r.get("transformed")) or r
    values = [_number(t.get(k)) for k in ("estimate", "ci_lb", "ci_ub")]
    if not all(map(math.isfinite, values)):
        return f"{measure} —"
    est, lb, ub = values
    return f"{measure} {est:.2f} ({lb:.2f} to {ub:.2f})"


def _mapping(x: Any) -> Mapping[str, Any]:
    return x if isinstance(x, Mapping) else {}


def _number(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def _optional(x: Any) -> float | None:
    value = _number(x)
    return value if math.isfinite(value) else None
