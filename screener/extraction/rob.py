"""Risk-of-bias and quality tools: domains, allowed judgements, overall algorithms, summaries.

- ``rob2``: RoB 2 for randomised trials (Sterne JAC et al. BMJ 2019;366:l4898). Overall: low if
  every domain is low, high if any is high, some concerns otherwise. (The tool also lets
  assessors judge "high" when several domains have some concerns: record that as an explicit
  overall judgement.)
- ``robins_i``: ROBINS-I for non-randomised studies of interventions (Sterne JAC et al. BMJ
  2016;355:i4919). Overall: the worst domain (low < moderate < serious < critical); "no
  information" when a domain lacks information and none is serious or critical.
- ``nos_cohort`` / ``nos_case_control``: Newcastle-Ottawa Scale (Wells GA et al.), stars per item;
  overall as the AHRQ conversion to good / fair / poor (selection, comparability, outcome or
  exposure star thresholds).
- ``jbi_case_series``: JBI critical appraisal checklist for case series (Munn Z et al. JBI Evid
  Synth 2020;18(10):2127-2133), ten questions; JBI defines no scoring, so the overall appraisal
  (include / exclude / seek further info) is the assessors' call.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "TOOLS",
    "Domain",
    "RobJudgement",
    "RobRow",
    "RobSummary",
    "RobTool",
    "get_tool",
    "summarise",
]

OVERALL = "overall"


@dataclass(frozen=True, slots=True)
class Domain:
    key: str
    label: str
    judgements: tuple[str, ...] = ()  # empty: the tool's judgements


@dataclass(frozen=True, slots=True)
class RobTool:
    key: str
    name: str
    reference: str
    domains: tuple[Domain, ...]
    judgements: tuple[str, ...]  # best to worst, for colours and "worst of"
    overall_judgements: tuple[str, ...]
    algorithm: Callable[[Mapping[str, str]], str | None] | None = None
    study_design: str = ""

    def domain(self, key: str) -> Domain | None:
        return next((d for d in self.domains if d.key == key), None)

    def allowed(self, domain: str) -> tuple[str, ...]:
        if domain == OVERALL:
            return self.overall_judgements
        found = self.domain(domain)
        if found is None:
            return ()
        return found.judgements or self.judgements

    def overall(self, judgements: Mapping[str, str]) -> str | None:
        """The overall judgement: an explicit one if given, else the tool's algorithm once every
        domain is judged (None while domains are missing or when the tool has no algorithm)."""
        if judgements.get(OVERALL):
            return judgements[OVERALL]
        if self.algorithm is None or any(not judgements.get(d.key) for d in self.domains):
            return None
        return self.algorithm(judgements)


def _rob2(j: Mapping[str, str]) -> str:
    values = [
        j[k]
        for k in ("randomization", "deviations", "missing_data", "measurement", "reported_result")
    ]
    if "high" in values:
        return "high"
    return "low" if all(v == "low" for v in values) else "some concerns"


_ROBINS_ORDER = ("low", "moderate", "serious", "critical")


def _robins_i(j: Mapping[str, str]) -> str:
    values = [v for k, v in j.items() if k != OVERALL]
    worst = max((v for v in values if v in _ROBINS_ORDER), key=_ROBINS_ORDER.index, default="low")
    if worst in ("serious", "critical"):
        return worst
    return "no information" if "no information" in values else worst


def _stars(j: Mapping[str, str], keys: Iterable[str]) -> int:
    return sum(int(j.get(k) or 0) for k in keys)


def _nos(selection: tuple[str, ...], third: tuple[str, ...]) -> Callable[[Mapping[str, str]], str]:
    def grade(j: Mapping[str, str]) -> str:
        s, c, o = _stars(j, selection), _stars(j, ("comparability",)), _stars(j, third)
        if s >= 3 and c >= 1 and o >= 2:
            return "good"
        if s == 2 and c >= 1 and o >= 2:
            return "fair"
        return "poor"

    return grade


_STAR1 = ("0", "1")
_NOS_COHORT_SEL = (
    "representativeness",
    "selection_non_exposed",
    "ascertainment_exposure",
    "outcome_absent_at_start",
)
_NOS_COHORT_OUT = ("assessment_outcome", "follow_up_length", "follow_up_adequacy")
_NOS_CC_SEL = (
    "case_definition",
    "representativeness_cases",
    "selection_controls",
    "definition_controls",
)
_NOS_CC_EXP = ("ascertainment_exposure", "same_method", "non_response")

TOOLS: dict[str, RobTool] = {
    t.key: t
    for t in (
        RobTool(
            "rob2",
            "RoB 2 (randomised trials)",
            "Sterne JAC et al. BMJ 2019;366:l4898",
            (
                Domain("randomization", "D1 Randomisation process"),
                Domain("deviations", "D2 Deviations from intended interventions"),
                Domain("missing_data", "D3 Missing outcome data"),
                Domain("measurement", "D4 Measurement of the outcome"),
                Domain("reported_result", "D5 Selection of the reported result"),
            ),
            ("low", "some concerns", "high"),
            ("low", "some concerns", "high"),
            _rob2,
            "randomised trial",
        ),
        RobTool(
            "robins_i",
            "ROBINS-I (non-randomised studies of interventions)",
            "Sterne JAC et al. BMJ 2016;355:i4919",
            (
                Domain("confounding", "D1 Confounding"),
                Domain("selection", "D2 Selection of participants"),
                Domain("classification", "D3 Classification of interventions"),
                Domain("deviations", "D4 Deviations from intended interventions"),
                Domain("missing_data", "D5 Missing data"),
                Domain("measurement", "D6 Measurement of outcomes"),
                Domain("reported_result", "D7 Selection of the reported result"),
            ),
            ("low", "moderate", "serious", "critical", "no information"),
            ("low", "moderate", "serious", "critical", "no information"),
            _robins_i,
            "non-randomised study",
        ),
        RobTool(
            "nos_cohort",
            "Newcastle-Ottawa Scale (cohort studies)",
            "Wells GA et al., Ottawa Hospital Research Institute",
            (
                Domain("representativeness", "S1 Representativeness of the exposed cohort", _STAR1),
                Domain("selection_non_exposed", "S2 Selection of the non-exposed cohort", _STAR1),
                Domain("ascertainment_exposure", "S3 Ascertainment of exposure", _STAR1),
                Domain("outcome_absent_at_start", "S4 Outcome not present at start", _STAR1),
                Domain("comparability", "C1 Comparability (design or analysis)", ("0", "1", "2")),
                Domain("assessment_outcome", "O1 Assessment of outcome", _STAR1),
                Domain("follow_up_length", "O2 Follow-up long enough", _STAR1),
                Domain("follow_up_adequacy", "O3 Adequacy of follow-up", _STAR1),
            ),
            ("2", "1", "0"),
            ("good", "fair", "poor"),
            _nos(_NOS_COHORT_SEL, _NOS_COHORT_OUT),
            "cohort study",
        ),
        RobTool(
            "nos_case_control",
            "Newcastle-Ottawa Scale (case-control studies)",
            "Wells GA et al., Ottawa Hospital Research Institute",
            (
                Domain("case_definition", "S1 Case definition adequate", _STAR1),
                Domain("representativeness_cases", "S2 Representativeness of the cases", _STAR1),
                Domain("selection_controls", "S3 Selection of controls", _STAR1),
                Domain("definition_controls", "S4 Definition of controls", _STAR1),
                Domain("comparability", "C1 Comparability (design or analysis)", ("0", "1", "2")),
                Domain("ascertainment_exposure", "E1 Ascertainment of exposure", _STAR1),
                Domain("same_method", "E2 Same method for cases and controls", _STAR1),
                Domain("non_response", "E3 Non-response rate", _STAR1),
            ),
            ("2", "1", "0"),
            ("good", "fair", "poor"),
            _nos(_NOS_CC_SEL, _NOS_CC_EXP),
            "case-control study",
        ),
        RobTool(
            "jbi_case_series",
            "JBI checklist for case series",
            "Munn Z et al. JBI Evid Synth 2020;18(10):2127-2133",
            (
                Domain("q1", "Q1 Clear criteria for inclusion"),
                Domain("q2", "Q2 Condition measured in a standard, reliable way"),
                Domain("q3", "Q3 Valid methods used to identify the condition"),
                Domain("q4", "Q4 Consecutive inclusion of participants"),
                Domain("q5", "Q5 Complete inclusion of participants"),
                Domain("q6", "Q6 Clear reporting of participants' demographics"),
                Domain("q7", "Q7 Clear reporting of clinical information"),
                Domain("q8", "Q8 Outcomes or follow-up results clearly reported"),
                Domain("q9", "Q9 Clear reporting of the presenting site(s)/clinic(s) demographics"),
                Domain("q10", "Q10 Statistical analysis appropriate"),
            ),
            ("yes", "unclear", "no", "not applicable"),
            ("include", "seek further info", "exclude"),
            None,
            "case series",
        ),
    )
}


def get_tool(key: str) -> RobTool:
    try:
        return TOOLS[key]
    except KeyError:
        raise KeyError(f"unknown risk-of-bias tool {key!r}; known: {', '.join(TOOLS)}") from None


# --- judgements and summaries ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RobJudgement:
    """One domain of one study judged by one assessor (or agreed: role ``consensus``)."""

    study: str
    tool: str
    domain: str
    judgement: str
    reviewer: str
    role: str = "assessor"
    support: str = ""
    outcome: str = ""
    made_at: str = ""


@dataclass(frozen=True, slots=True)
class RobRow:
    """A study's line in the summary: judgement per domain ('' unjudged, '?' disagreement)."""

    study: str
    outcome: str
    cells: tuple[str, ...]
    overall: str
    source: str  # consensus | agreed | single | disagreement | incomplete
    score: int | None = None  # NOS stars, JBI "yes" count


@dataclass(frozen=True, slots=True)
class RobSummary:
    tool: RobTool
    rows: tuple[RobRow, ...]
    disagreements: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = field(default=())
    # (study, outcome, domain, ((assessor, judgement), ...))


def summarise(tool: RobTool, judgements: Iterable[RobJudgement]) -> RobSummary:
    """One row per study (and outcome, for outcome-level tools): consensus where recorded, else
    the assessors' judgement when they agree or only one assessed; '?' where they disagree."""
    by_cell: dict[tuple[str, str], dict[str, list[RobJudgement]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for j in judgements:
        if j.tool == tool.key:
            by_cell[(j.study, j.outcome)][j.domain].append(j)
    rows, open_ = [], []
    for study, outcome in sorted(by_cell):
        cells: dict[str, str] = {}
        sources = set()
        for domain, found in by_cell[(study, outcome)].items():
            agreed = [j for j in found if j.role == "consensus"]
            if agreed:
                cells[domain] = max(agreed, key=lambda j: j.made_at).judgement
                sources.add("consensus")
                continue
            distinct = {j.judgement for j in found}
            if len(distinct) == 1:
                cells[domain] = found[0].judgement
                sources.add("agreed" if len({j.reviewer for j in found}) > 1 else "single")
            else:
                cells[domain] = "?"
                sources.add("disagreement")
                open_.append(
                    (study, outcome, domain, tuple((j.reviewer, j.judgement) for j in found))
                )
        known = {k: v for k, v in cells.items() if v != "?"}
        options = {
            d: sorted({j.judgement for j in by_cell[(study, outcome)][d]})
            for d, v in cells.items()
            if v == "?"
        }
        overall = _overall(tool, known, options)
        source = (
            "disagreement"
            if "disagreement" in sources
            else "incomplete"
            if any(d.key not in cells for d in tool.domains)
            else "consensus"
            if sources == {"consensus"}
            else sorted(sources)[0]
        )
        rows.append(
            RobRow(
                study,
                outcome,
                tuple(cells.get(d.key, "") for d in tool.domains),
                overall,
                source,
                _score(tool, known),
            )
        )
    return RobSummary(tool, tuple(rows), tuple(open_))


def _overall(tool: RobTool, known: dict[str, str], options: dict[str, list[str]]) -> str:
    """The overall judgement, also when assessors disagree on a domain: if every way of settling
    the disagreement gives the same overall (e.g. another domain is already high), that one."""
    if not options:
        return tool.overall(known) or ""
    if OVERALL in options:
        return "?"
    found = set()
    for combo in itertools.product(*options.values()):
        found.add(tool.overall({**known, **dict(zip(options, combo, strict=True))}) or "")
    return found.pop() if len(found) == 1 else "?"


def _score(tool: RobTool, cells: Mapping[str, str]) -> int | None:
    if tool.key.startswith("nos"):
        return sum(int(v) for k, v in cells.items() if k != OVERALL and v.isdigit())
    if tool.key == "jbi_case_series":
        return sum(1 for k, v in cells.items() if k != OVERALL and v == "yes")
    return None
