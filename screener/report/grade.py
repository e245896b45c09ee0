"""GRADE: the certainty of the evidence for one outcome (one saved analysis), from five domains.

Pure rules over plain values; :mod:`screener.flows.grade` gathers the values from the review.
Every rule gives a *suggested* level (not serious / serious / very serious) with a reason; the
reviewer's stored judgement, when there is one, replaces the suggestion (the latest counts).
Certainty starts at high for randomised trials and at low for observational studies and goes
down one step per serious and two per very serious domain, to very low at the least (GRADE
handbook 5.1; Guyatt GH et al. J Clin Epidemiol 2011;64:383-394). Upgrading observational
evidence (large effect, dose-response, plausible confounding) is not suggested here.

The rules (each reason says which one applied):

- **Risk of bias** (:func:`risk_of_bias`): each study's overall risk-of-bias judgement, as low,
  some concerns or high (ROBINS-I moderate = some concerns, serious/critical = high; NOS good /
  fair / poor = low / some concerns / high), weighted by the study's weight in the analysis.
  Very serious when studies carrying more than 50% of the weight are at high risk; serious when
  studies carrying more than 50% are at high risk or some concerns; studies with no judgement
  count as some concerns (unclear risk), and the reason says how much weight that is.
- **Inconsistency** (:func:`inconsistency`): serious when the prediction interval crosses the
  null while the pooled CI does not (the heterogeneity changes the conclusion), or when
  I² >= 75% ("considerable", Cochrane Handbook 10.10.2); a prediction interval is used only
  where k >= 3. A subgroup test with p < 0.10 is named in the reason (the subgroups may explain
  the heterogeneity) without changing the level. One study: not assessable, not serious.
- **Imprecision** (:func:`imprecision`): the CI against the thresholds that matter: the
  minimally important difference (MID) the reviewer states, on both sides of the null (a ratio's
  MID is symmetric on the log scale: RR 0.8 and 1.25 are the same MID), else the null only.
  Serious when the CI includes effects on both sides of one threshold (with a MID: an important
  and an unimportant effect; without one: an effect and no effect); very serious when it includes
  both an important benefit and an important harm (both MIDs). Serious also when the optimal
  information size (OIS) is not met. The OIS is GRADE's rule of thumb (Guyatt GH et al. GRADE
  guidelines 6. Rating the quality of evidence -- imprecision. J Clin Epidemiol
  2011;64:1283-1293): 300 events for binary outcomes, 400 participants for continuous ones
  (also used here for proportions and correlations), not a computed sample size, which would
  need a control risk and an effect to detect that a saved analysis does not carry.
- **Publication bias** (:func:`publication_bias`): only where k >= 10 (Cochrane Handbook
  13.3.5.4): serious ("suspected") when Egger's test gives p < 0.10; below 10 studies "not
  assessed (k < 10)", not serious.
- **Indirectness** (:func:`indirectness`): the reviewer's judgement; not serious until set,
  flagged as such.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from screener.report.model import Table

__all__ = [
    "CERTAINTY",
    "DESIGNS",
    "DOMAINS",
    "DOMAIN_NAMES",
    "LEVELS",
    "OIS_EVENTS",
    "OIS_PARTICIPANTS",
    "Assessment",
    "DomainResult",
    "Evidence",
    "Judgement",
    "StudyRisk",
    "Suggestion",
    "assess",
    "certainty",
    "imprecision",
    "inconsistency",
    "indirectness",
    "parse_domain",
    "parse_level",
    "publication_bias",
    "risk_class",
    "risk_of_bias",
    "sof_tables",
]

DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
"""The five domains, in the order a summary-of-findings table gives them."""
DOMAIN_NAMES = {
    "risk_of_bias": "risk of bias",
    "inconsistency": "inconsistency",
    "indirectness": "indirectness",
    "imprecision": "imprecision",
    "publication_bias": "publication bias",
}
LEVELS = ("not serious", "serious", "very serious")
"""A domain's levels; the index is the number of steps it takes off the certainty."""
CERTAINTY = ("very low", "low", "moderate", "high")
DESIGNS = ("randomised", "observational")
OIS_EVENTS = 300
"""GRADE guidelines 6's rule of thumb for binary outcomes: fewer events than this is imprecise."""
OIS_PARTICIPANTS = 400
"""GRADE guidelines 6's rule of thumb for continuous outcomes (participants in all studies)."""
_SYMBOLS = {"high": "⊕⊕⊕⊕", "moderate": "⊕⊕⊕◯", "low": "⊕⊕◯◯", "very low": "⊕◯◯◯"}
# Each risk-of-bias tool's overall judgements as GRADE's three classes ('' = unclear).
_RISK = {
    "low": "low",
    "some concerns": "some concerns",
    "high": "high",
    "moderate": "some concerns",
    "serious": "high",
    "critical": "high",
    "good": "low",
    "fair": "some concerns",
    "poor": "high",
    "include": "low",
    "seek further info": "some concerns",
    "exclude": "high",
}


@dataclass(frozen=True, slots=True)
class StudyRisk:
    """One study of an analysis: its label there, its weight (percent) and its risk of bias
    (low / some concerns / high, '' when not judged)."""

    study: str
    weight: float
    risk: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the rules read from one saved analysis.

    ``ci`` and ``pi`` are on the model scale (log for ratios), ``null`` the line of no effect
    there (None for proportions, which have none); ``back`` names the function taking a
    model-scale value to the natural one, for the reasons ("exp" for ratios, "tanh" for Fisher's
    z, "ilogit" for logit proportions, "" none). ``participants``/``events``: totals over the
    pooled studies, None when the data do not give them.
    """

    measure: str
    k: int
    estimate: float
    ci: tuple[float, float]
    pi: tuple[float, float] | None = None
    i2: float | None = None
    p_between: float | None = None
    egger_p: float | None = None
    null: float | None = 0.0
    back: str = ""
    binary: bool = False
    participants: int | None = None
    events: int | None = None
    studies: tuple[StudyRisk, ...] = ()
    level: float = 95

    @property
    def ratio(self) -> bool:
        """The model scale is the log of a ratio (a MID is symmetric there: 0.8 and 1.25)."""
        return self.back == "exp"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A computed level with its reason; ``assessed`` False when the rule could not judge
    (e.g. publication bias with k < 10, indirectness not yet set by a reviewer)."""

    domain: str
    level: str
    reason: str
    assessed: bool = True


@dataclass(frozen=True, slots=True)
class Judgement:
    """A reviewer's final judgement of one domain of one analysis (one row of the history)."""

    analysis_id: int
    domain: str
    level: str
    reason: str
    reviewer: str
    made_at: str
    id: int = 0


@dataclass(frozen=True, slots=True)
class DomainResult:
    """A domain: the suggestion, and the reviewer's judgement that replaces it when made."""

    suggested: Suggestion
    judged: Judgement | None = None

    @property
    def domain(self) -> str:
        return self.suggested.domain

    @property
    def level(self) -> str:
        return self.judged.level if self.judged is not None else self.suggested.level

    @property
    def reason(self) -> str:
        return self.judged.reason if self.judged is not None else self.suggested.reason

    @property
    def by(self) -> str:
        """Who set the level: the reviewer, or "suggested"."""
        return self.judged.reviewer if self.judged is not None else "suggested"


@dataclass(frozen=True, slots=True)
class Assessment:
    """The GRADE assessment of one saved analysis."""

    analysis_id: int
    name: str
    outcome: str
    evidence: Evidence
    effect: str  # e.g. "RR 0.49 (0.34 to 0.70)"
    design: str  # randomised | observational
    design_source: str  # where the design came from, for the reason
    mid: float | None
    mid_source: str  # "stored by alice", "given here", "" (none)
    domains: tuple[DomainResult, ...] = field(default=())

    @property
    def start(self) -> str:
        return "high" if self.design == "randomised" else "low"

    @property
    def certainty(self) -> str:
        return certainty(self.design, [d.level for d in self.domains])

    def domain(self, key: str) -> DomainResult:
        return next(d for d in self.domains if d.domain == key)


# --- parsing a reviewer's words -------------------------------------------------------------------


def parse_domain(text: str) -> str:
    """A domain key from what a reviewer typed ("risk of bias", "risk-of-bias", "imprecision")."""
    key = "_".join(text.strip().lower().replace("-", " ").split())
    if key not in DOMAINS:
        raise ValueError(f"unknown GRADE domain {text!r}; one of: {', '.join(DOMAINS)}")
    return key


def parse_level(text: str) -> str:
    """A level from what a reviewer typed ("serious", "very-serious", "not_serious")."""
    level = " ".join(text.strip().lower().replace("-", " ").replace("_", " ").split())
    if level not in LEVELS:
        raise ValueError(f"unknown GRADE level {text!r}; one of: {', '.join(LEVELS)}")
    return level


def risk_class(judgement: str) -> str:
    """A risk-of-bias tool's overall judgement as low / some concerns / high ('' unclear)."""
    return _RISK.get(judgement.strip().lower(), "")


# --- the five domains -----------------------------------------------------------------------------


def risk_of_bias(studies: Sequence[StudyRisk]) -> Suggestion:
    """Serious when studies carrying > 50% of the weight are at high risk or some concerns
    (not judged counts as some concerns), very serious when > 50% are at high risk."""
    name = "risk_of_bias"
    if not studies:
        return Suggestion(name, "not serious", "no studies to judge", assessed=False)
    total = sum(max(s.weight, 0.0) for s in studies)
    equal = not total > 0 or any(not math.isfinite(s.weight) for s in studies)
    weights = [100 / len(studies) if equal else max(s.weight, 0.0) * 100 / total for s in studies]
    share = {
        c: sum(w for s, w in zip(studies, weights, strict=True) if s.risk == c)
        for c in ("high", "some concerns", "low", "")
    }
    parts = [
        f"{share[c]:.0f}% of the weight at {c} risk"
        if c != "some concerns"
        else f"{share[c]:.0f}% with some concerns"
        for c in ("high", "some concerns", "low")
        if share[c] > 0
    ]
    if share[""] > 0:
        unjudged = [s.study for s in studies if not s.risk]
        parts.append(
            f"{share['']:.0f}% of the weight not judged ({_names(unjudged)}; counted "
            "as some concerns)"
        )
    text = "; ".join(parts) + (" (equal weights: the analysis has none)" if equal else "")
    if share["high"] > 50:
        return Suggestion(name, "very serious", f"{text}: more than half the weight at high risk")
    if share["high"] + share["some concerns"] + share[""] > 50:
        return Suggestion(
            name, "serious", f"{text}: more than half the weight at high risk or some concerns"
        )
    return Suggestion(name, "not serious", text)


def inconsistency(ev: Evidence) -> Suggestion:
    """Serious when the prediction interval (k >= 3) crosses the null and the CI does not, or
    when I² >= 75%; the subgroup test (p < 0.10) is named but does not change the level."""
    name = "inconsistency"
    if ev.k < 2:
        return Suggestion(
            name, "not serious", "one study: inconsistency cannot be assessed", assessed=False
        )
    parts = [f"I² = {ev.i2:.0f}%" if _finite(ev.i2) else "I² not available"]
    pi = ev.pi if ev.pi is not None and ev.k >= 3 and all(map(_finite, ev.pi)) else None
    reasons = []
    if pi is not None:
        parts.append(f"{ev.level:g}% prediction interval {_interval(ev, pi)}")
        if ev.null is not None and _includes(pi, ev.null) and not _includes(ev.ci, ev.null):
            reasons.append(
                f"the prediction interval crosses the null ({_value(ev, ev.null)}) "
                f"while the CI {_interval(ev, ev.ci)} does not"
            )
    elif ev.k < 3:
        parts.append("no prediction interval (k < 3)")
    if _finite(ev.i2) and ev.i2 is not None and ev.i2 >= 75:
        reasons.append("I² of 75% or more (considerable heterogeneity)")
    if ev.p_between is not None and _finite(ev.p_between) and ev.p_between < 0.10:
        parts.append(
            f"the test for subgroup differences gives p = {_p(ev.p_between)}: the "
            "subgroups may explain the heterogeneity"
        )
    text = "; ".join(parts)
    if reasons:
        return Suggestion(name, "serious", f"{text}: {' and '.join(reasons)}")
    return Suggestion(name, "not serious", text)


def imprecision(ev: Evidence, mid: float | None = None) -> Suggestion:
    """The CI against the null, or against ± the MID, and the optimal information size; see
    the module's docstring. ``mid`` is on the natural scale (a ratio such as 1.25 or 0.8)."""
    name = "imprecision"
    ci = ev.ci
    if not all(map(_finite, ci)):
        return Suggestion(name, "not serious", "no confidence interval", assessed=False)
    parts, steps = [f"{ev.level:g}% CI {_interval(ev, ci)}"], 0
    half = _mid_width(mid, ev.back)
    if ev.null is None:
        parts.append("a proportion has no line of no effect: only the information size is judged")
    elif half is None:
        if mid is not None:
            parts.append(f"MID {mid:g} not usable on this scale; judged against the null")
        if _includes(ci, ev.null):
            steps = 1
            parts.append(
                f"the CI includes both the null ({_value(ev, ev.null)}) and an effect "
                "(no MID stated: judged against the null)"
            )
        else:
            parts.append("the CI does not include the null (no MID stated: judged against it)")
    else:
        low, high = ev.null - half, ev.null + half
        crossed = [t for t in (low, high) if ci[0] < t < ci[1]]
        shown = " and ".join(_value(ev, t) for t in (low, high))
        if len(crossed) == 2:
            steps = 2
            parts.append(
                f"the CI includes both an important benefit and an important harm "
                f"(beyond the MID thresholds {shown})"
            )
        elif crossed:
            steps = 1
            parts.append(
                f"the CI crosses the MID threshold {_value(ev, crossed[0])}: it "
                "includes important and unimportant effects"
            )
        else:
            parts.append(f"the CI lies on one side of each MID threshold ({shown})")
    ois = _ois(ev)
    if ois is not None:
        parts.append(ois[1])
        steps = max(steps, 1 if not ois[0] else 0)
    level = LEVELS[min(steps, 2)]
    return Suggestion(name, level, "; ".join(parts))


def publication_bias(ev: Evidence) -> Suggestion:
    """Suspected (serious) when Egger's test gives p < 0.10 with k >= 10; not assessed below."""
    name = "publication_bias"
    if ev.k < 10:
        return Suggestion(name, "not serious", f"not assessed (k < 10; k = {ev.k})", assessed=False)
    if ev.egger_p is None or not _finite(ev.egger_p):
        return Suggestion(
            name,
            "not serious",
            f"k = {ev.k}, but Egger's test could not be run (an inverse-variance model is needed)",
            assessed=False,
        )
    if ev.egger_p < 0.10:
        return Suggestion(
            name,
            "serious",
            f"suspected: Egger's test p = {_p(ev.egger_p)} (< 0.10) with k = {ev.k}",
        )
    return Suggestion(
        name,
        "not serious",
        f"Egger's test p = {_p(ev.egger_p)} (k = {ev.k}): no small-study effect detected",
    )


def indirectness() -> Suggestion:
    """The reviewer's call: not serious until a reviewer sets it."""
    return Suggestion(
        "indirectness",
        "not serious",
        "the reviewer's judgement, not set yet (not serious by default)",
        assessed=False,
    )


def certainty(design: str, levels: Sequence[str]) -> str:
    """The start level (high for randomised, low for observational) minus one step per serious
    and two per very serious domain, very low at the least."""
    start = 3 if design == "randomised" else 1
    return CERTAINTY[max(0, start - sum(LEVELS.index(level) for level in levels))]


def assess(
    ev: Evidence,
    *,
    analysis_id: int,
    name: str,
    outcome: str,
    effect: str,
    design: str,
    design_source: str,
    mid: float | None = None,
    mid_source: str = "",
    judged: Mapping[str, Judgement] | None = None,
) -> Assessment:
    """Every domain's suggestion for ``ev``, with the reviewer's latest judgements."""
    judged = judged or {}
    suggestions = {
        "risk_of_bias": risk_of_bias(ev.studies),
        "inconsistency": inconsistency(ev),
        "indirectness": indirectness(),
        "imprecision": imprecision(ev, mid),
        "publication_bias": publication_bias(ev),
    }
    domains = tuple(DomainResult(suggestions[d], judged.get(d)) for d in DOMAINS)
    return Assessment(
        analysis_id, name, outcome, ev, effect, design, design_source, mid, mid_source, domains
    )


# --- the summary-of-findings table ----------------------------------------------------------------


def sof_tables(assessments: Sequence[Assessment]) -> tuple[Table, Table]:
    """The summary-of-findings table (one row per analysis, footnote letters in ``notes``) and
    its footnotes (letter, explanation): the start level and each domain that lowered the
    certainty or that no rule or reviewer has assessed."""
    rows: list[tuple[str, ...]] = []
    notes: list[tuple[str, str]] = []
    for a in assessments:
        letters = []
        for text in _footnotes(a):
            letter = _letter(len(notes))
            notes.append((letter, text))
            letters.append(letter)
        ev = a.evidence
        rows.append(
            (
                a.outcome or "—",
                a.name,
                str(ev.k),
                "—" if ev.participants is None else f"{ev.participants:,}",
                a.effect,
                f"{_SYMBOLS[a.certainty]} {a.certainty.capitalize()}",
                ", ".join(letters),
            )
        )
    level = assessments[0].evidence.level if assessments else 95
    sof = Table(
        (
            "outcome",
            "analysis",
            "studies",
            "participants",
            f"effect ({level:g}% CI)",
            "certainty of the evidence (GRADE)",
            "notes",
        ),
        tuple(rows),
    )
    return sof, Table(("note", "explanation"), tuple(notes))


def _footnotes(a: Assessment) -> list[str]:
    out = [
        f"Starts at {a.start}: "
        f"{'randomised trials' if a.design == 'randomised' else 'observational studies'} "
        f"({a.design_source})."
    ]
    for d in a.domains:
        flagged = d.judged is None and not d.suggested.assessed
        if d.level == "not serious" and not flagged:
            continue
        step = {
            "not serious": "not lowered",
            "serious": "lowered one level",
            "very serious": "lowered two levels",
        }[d.level]
        who = (
            f" (judged by {d.judged.reviewer})"
            if d.judged is not None
            else " (suggested, not reviewed)"
            if d.suggested.assessed
            else ""
        )
        out.append(f"{DOMAIN_NAMES[d.domain].capitalize()}: {d.level}, {step}{who}: {d.reason}.")
    if a.mid is not None:
        out.append(f"Minimally important difference: {a.mid:g} ({a.mid_source}).")
    return out


def _letter(n: int) -> str:
    text = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


# --- small helpers --------------------------------------------------------------------------------


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def _includes(interval: tuple[float, float], value: float) -> bool:
    return interval[0] <= value <= interval[1]


def _mid_width(mid: float | None, back: str) -> float | None:
    """The MID (natural scale) as a distance from the null on the model scale (None: not
    usable there)."""
    if mid is None or not math.isfinite(mid) or mid == 0:
        return None
    if back == "exp":
        return abs(math.log(mid)) if mid > 0 and mid != 1 else None
    if back == "tanh":
        return math.atanh(abs(mid)) if abs(mid) < 1 else None
    return abs(mid)


_BACK = {"exp": math.exp, "tanh": math.tanh, "ilogit": lambda x: 1 / (1 + math.exp(-x))}


def _value(ev: Evidence, x: float) -> str:
    return f"{_BACK.get(ev.back, float)(x):.2f}"


def _interval(ev: Evidence, pair: tuple[float, float]) -> str:
    return f"{_value(ev, pair[0])} to {_value(ev, pair[1])}"


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _names(names: Sequence[str], most: int = 3) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _ois(ev: Evidence) -> tuple[bool, str] | None:
    """(met, reason) for the optimal information size, None when the data do not give it."""
    if ev.binary:
        if ev.events is None:
            return None
        met = ev.events >= OIS_EVENTS
        return met, (
            f"{ev.events:,} events {'meet' if met else 'do not meet'} the optimal "
            f"information size ({OIS_EVENTS} events, GRADE guidelines 6)"
        )
    if ev.participants is None:
        return None
    met = ev.participants >= OIS_PARTICIPANTS
    return met, (
        f"{ev.participants:,} participants {'meet' if met else 'do not meet'} the "
        f"optimal information size ({OIS_PARTICIPANTS} participants, GRADE guidelines 6)"
    )
