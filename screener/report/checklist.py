"""The PRISMA 2020 checklist (Page MJ et al. BMJ 2021;372:n71), each item mapped to the section
of screener's report that answers it, or to none.

The mapping is data, in :data:`CHECKLIST` only. An item whose section is empty in a given
report (no analyses saved yet, no GRADE judgements) is shown as not reported there.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from screener.report.model import Table

__all__ = [
    "CHECKLIST",
    "METHODS",
    "NOT_REPORTED",
    "SECTIONS",
    "ChecklistItem",
    "checklist_table",
    "section_title",
]

SECTIONS: tuple[tuple[str, str], ...] = (
    ("criteria", "Review question and eligibility criteria"),
    ("methods", "Methods"),
    ("search", "Search log"),
    ("prisma", "PRISMA 2020 flow diagram"),
    ("exclusions", "Full-text exclusions"),
    ("agreement", "Screening agreement"),
    ("studies", "Characteristics of included studies"),
    ("references", "References of included studies"),
    ("checks", "Data checks"),
    ("rob", "Risk of bias"),
    ("analyses", "Analyses"),
    ("sof", "Summary of findings"),
    ("strategies", "Appendix: search strategies"),
    ("checklist", "PRISMA 2020 checklist"),
    ("files", "Files"),
)
"""The report's top-level sections in order (key, heading): PRISMA 2020's order."""

METHODS: tuple[tuple[str, str], ...] = (
    ("methods.sources", "Information sources and search"),
    ("methods.dedup", "Deduplication"),
    ("methods.selection", "Selection process"),
    ("methods.data", "Data collection"),
    ("methods.rob", "Risk of bias assessment"),
    ("methods.synthesis", "Effect measures and synthesis"),
    ("methods.bias", "Reporting bias assessment"),
    ("methods.certainty", "Certainty assessment"),
    ("methods.software", "Software"),
)
"""The subsections of Methods (key, heading), in order."""

NOT_REPORTED = "not reported"


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One checklist item: its number, topic, what it asks, and the report section answering
    it (a key of :data:`SECTIONS` or :data:`METHODS`), or None: the report does not answer it."""

    number: str
    topic: str
    asks: str
    where: str | None


_I = ChecklistItem
CHECKLIST: tuple[ChecklistItem, ...] = (
    _I("1", "Title", "Identify the report as a systematic review.", None),
    _I("2", "Abstract", "See the PRISMA 2020 for Abstracts checklist.", None),
    _I("3", "Rationale", "Describe the rationale for the review.", None),
    _I(
        "4", "Objectives", "State the objective(s) or question(s) the review addresses.", "criteria"
    ),
    _I(
        "5",
        "Eligibility criteria",
        "Inclusion and exclusion criteria, and how studies were grouped.",
        "criteria",
    ),
    _I(
        "6",
        "Information sources",
        "All databases, registers and other sources, and the date each was last searched.",
        "methods.sources",
    ),
    _I("7", "Search strategy", "The full search strategies for all databases.", "strategies"),
    _I(
        "8",
        "Selection process",
        "How many reviewers screened each record, independently or not, and any automation tools.",
        "methods.selection",
    ),
    _I(
        "9",
        "Data collection process",
        "How many reviewers collected data, independently or not, "
        "and processes for confirming data.",
        "methods.data",
    ),
    _I("10a", "Data items: outcomes", "The outcomes for which data were sought.", "methods.data"),
    _I(
        "10b",
        "Data items: other variables",
        "Other variables sought and assumptions made about missing or unclear information.",
        "studies",
    ),
    _I(
        "11",
        "Study risk of bias assessment",
        "The tool(s) used and how many reviewers assessed each study.",
        "methods.rob",
    ),
    _I(
        "12", "Effect measures", "The effect measure(s) used for each outcome.", "methods.synthesis"
    ),
    _I(
        "13a",
        "Synthesis methods: eligibility",
        "How studies were chosen for each synthesis.",
        "methods.synthesis",
    ),
    _I(
        "13b",
        "Synthesis methods: preparing data",
        "Handling of missing summary statistics and data conversions.",
        "methods.data",
    ),
    _I(
        "13c",
        "Synthesis methods: display",
        "Methods to tabulate or display results of studies and syntheses.",
        "analyses",
    ),
    _I(
        "13d",
        "Synthesis methods: models",
        "The methods of synthesis, model, heterogeneity measures and software.",
        "methods.synthesis",
    ),
    _I(
        "13e",
        "Synthesis methods: heterogeneity",
        "Methods to explore causes of heterogeneity (subgroup analysis, meta-regression).",
        "methods.synthesis",
    ),
    _I("13f", "Synthesis methods: sensitivity", "Sensitivity analyses.", None),
    _I(
        "14",
        "Reporting bias assessment",
        "Methods to assess risk of bias due to missing results.",
        "methods.bias",
    ),
    _I("15", "Certainty assessment", "Methods to assess certainty in the body of evidence.", "sof"),
    _I(
        "16a",
        "Study selection",
        "Results of the search and selection, ideally with a flow diagram.",
        "prisma",
    ),
    _I(
        "16b",
        "Study selection: exclusions",
        "Studies that might appear to meet the criteria but were excluded, and why.",
        "exclusions",
    ),
    _I(
        "17",
        "Study characteristics",
        "Cite each included study and present its characteristics.",
        "references",
    ),
    _I("18", "Risk of bias in studies", "Risk of bias assessments for each included study.", "rob"),
    _I(
        "19",
        "Results of individual studies",
        "Summary statistics per group and an effect "
        "estimate with its precision for each study, ideally as forest plots.",
        "analyses",
    ),
    _I(
        "20a",
        "Results of syntheses: contributing studies",
        "Characteristics and risk of bias of the studies in each synthesis.",
        "rob",
    ),
    _I(
        "20b",
        "Results of syntheses: estimates",
        "Each synthesis with its estimate, precision and heterogeneity.",
        "analyses",
    ),
    _I(
        "20c",
        "Results of syntheses: heterogeneity",
        "Investigations of possible causes of heterogeneity.",
        "analyses",
    ),
    _I("20d", "Results of syntheses: sensitivity", "Sensitivity analyses.", None),
    _I("21", "Reporting biases", "Assessments of risk of bias due to missing results.", "analyses"),
    _I(
        "22",
        "Certainty of evidence",
        "Certainty (or confidence) in the body of evidence for each outcome.",
        "sof",
    ),
    _I(
        "23a",
        "Discussion: interpretation",
        "General interpretation in the context of other evidence.",
        None,
    ),
    _I("23b", "Discussion: limitations of the evidence", "Limitations of the evidence.", None),
    _I(
        "23c", "Discussion: limitations of the review", "Limitations of the review processes.", None
    ),
    _I("23d", "Discussion: implications", "Implications for practice, policy and research.", None),
    _I(
        "24a",
        "Registration",
        "Registration information, or that the review was not registered.",
        "criteria",
    ),
    _I("24b", "Protocol", "Where the protocol can be accessed.", "criteria"),
    _I("24c", "Amendments", "Amendments to the registration or protocol.", None),
    _I("25", "Support", "Sources of financial or non-financial support.", None),
    _I("26", "Competing interests", "Competing interests of the review authors.", None),
    _I(
        "27",
        "Availability of data, code and other materials",
        "Which data, code and materials are publicly available and where.",
        "files",
    ),
)
"""The 42 entries of the PRISMA 2020 checklist (27 items, some with sub-items)."""


def section_title(key: str) -> str:
    """The heading of a section or methods subsection key ("Methods: Deduplication")."""
    titles = dict(SECTIONS)
    if key in titles:
        return titles[key]
    return f"{titles['methods']}: {dict(METHODS)[key]}"


def checklist_table(answered: Collection[str]) -> Table:
    """The checklist as a table: item, topic, what it asks, where the report answers it.

    ``answered``: keys of the sections that hold content in this report; an item mapped to a
    section without content is not reported here either."""
    rows = []
    for item in CHECKLIST:
        if item.where is None:
            where = NOT_REPORTED
        elif item.where not in answered:
            where = f"{NOT_REPORTED} (no data yet for: {section_title(item.where)})"
        else:
            where = section_title(item.where)
        rows.append((item.number, item.topic, item.asks, where))
    return Table(("item", "topic", "checklist item", "where reported"), tuple(rows))
