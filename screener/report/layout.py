"""The report as one ordered list of blocks: the single place that decides what goes where.

HTML, Markdown and DOCX render the same blocks (:mod:`screener.report.render`,
:mod:`screener.report.docx`), so the three documents cannot drift apart. The order is PRISMA
2020's (:data:`screener.report.checklist.SECTIONS`).
"""

from __future__ import annotations

from dataclasses import dataclass

from screener.report.checklist import METHODS, SECTIONS, checklist_table
from screener.report.model import Figure, ReportData, Table

__all__ = [
    "EMPTY",
    "Block",
    "Bullets",
    "Code",
    "FigureBlock",
    "Heading",
    "Para",
    "TableBlock",
    "answered",
    "layout",
]

EMPTY = {
    "criteria": "No review question or eligibility criteria recorded yet.",
    "search": "No searches or imports recorded yet.",
    "exclusions": "No reports were excluded at full text.",
    "agreement": "No two reviewers have decided the same records yet.",
    "studies": "No studies defined yet.",
    "references": "No reports included at full text yet.",
    "checks": "No flags: every check passed.",
    "rob": "No risk-of-bias judgements recorded yet.",
    "analyses": "No analyses saved yet.",
    "sof": "No GRADE summary of findings recorded yet.",
    "strategies": "No search strategies saved.",
}


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True, slots=True)
class Para:
    """A paragraph; ``style``: "" (body), "note" (small print) or "warning" (``lead`` is its
    label, e.g. "Does not add up:")."""

    text: str
    style: str = ""
    lead: str = ""


@dataclass(frozen=True, slots=True)
class Bullets:
    """A bullet list: (code, text) items; ``code`` (a file name) may be empty."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class TableBlock:
    table: Table


@dataclass(frozen=True, slots=True)
class FigureBlock:
    figure: Figure
    inline: bool = False  # HTML: the SVG in the page (else a data: URI image)


@dataclass(frozen=True, slots=True)
class Code:
    """Verbatim text under a title (a search strategy)."""

    title: str
    text: str


Block = Heading | Para | Bullets | TableBlock | FigureBlock | Code


def answered(data: ReportData) -> set[str]:
    """Keys of the sections (and methods subsections) that hold content in this report."""
    keys = {"methods", "search", "prisma", "checklist", "files", *(k for k, _ in METHODS)}
    present = {
        "criteria": bool(data.criteria),
        "exclusions": bool(data.exclusions),
        "agreement": bool(data.agreement),
        "studies": bool(data.studies),
        "references": bool(data.references),
        "checks": True,
        "rob": bool(data.rob_tables),
        "analyses": bool(data.analyses),
        "sof": bool(data.summary_of_findings),
        "strategies": bool(data.search_strategies),
    }
    return keys | {k for k, has in present.items() if has}


def _table_or(table: Table, key: str) -> list[Block]:
    return [TableBlock(table)] if table else [Para(EMPTY[key])]


def _methods(data: ReportData) -> list[Block]:
    out: list[Block] = []
    for section in data.methods:
        out.append(Heading(3, section.heading))
        out += [Para(text) for text in section.paragraphs]
    return out


def _prisma(data: ReportData) -> list[Block]:
    out: list[Block] = [FigureBlock(data.prisma, inline=True)] if data.prisma is not None else []
    out += [Para(d, "warning", "Does not add up:") for d in data.prisma_discrepancies]
    out.append(TableBlock(data.prisma_table))
    return out + [Para(n, "note") for n in data.prisma_notes]


def _rob(data: ReportData) -> list[Block]:
    out: list[Block] = [] if data.rob_tables else [Para(EMPTY["rob"])]
    for tool, table in data.rob_tables:
        out += [Heading(3, tool), TableBlock(table)]
    return out + [FigureBlock(f) for f in data.rob_figures]


def _analyses(data: ReportData) -> list[Block]:
    out: list[Block] = [] if data.analyses else [Para(EMPTY["analyses"])]
    for a in data.analyses:
        title = f"Analysis {a.id}: {a.name}" + (f" ({a.outcome})" if a.outcome else "")
        out += [Heading(3, title), TableBlock(a.settings), TableBlock(a.results)]
        if a.heterogeneity:
            out.append(Para(a.heterogeneity))
        if a.subgroups:
            out.append(TableBlock(a.subgroups))
        out.append(
            Bullets(tuple(("", line) for line in a.small_study))
            if a.small_study
            else Para("No small-study tests were run.", "note")
        )
        out += [FigureBlock(f) for f in a.figures]
        out += [Para(n, "note") for n in a.notes]
    return out


def _sof(data: ReportData) -> list[Block]:
    out: list[Block] = [] if data.summary_of_findings else [Para(EMPTY["sof"])]
    for outcome, table in data.summary_of_findings:
        out += [Heading(3, outcome), TableBlock(table)]
    return out


def _section(key: str, data: ReportData) -> list[Block]:
    if key == "criteria":
        return _table_or(data.criteria, "criteria")
    if key == "methods":
        return _methods(data)
    if key == "search":
        return _table_or(data.search_log, "search")
    if key == "prisma":
        return _prisma(data)
    if key in ("exclusions", "agreement", "studies"):
        table = {
            "exclusions": data.exclusions,
            "agreement": data.agreement,
            "studies": data.studies,
        }[key]
        return _table_or(table, key)
    if key == "references":
        return [Para(r) for r in data.references] or [Para(EMPTY["references"])]
    if key == "checks":
        return _table_or(data.flags, "checks")
    if key == "rob":
        return _rob(data)
    if key == "analyses":
        return _analyses(data)
    if key == "sof":
        return _sof(data)
    if key == "strategies":
        return [Code(h, t) for h, t in data.search_strategies] or [Para(EMPTY["strategies"])]
    if key == "checklist":
        return [
            Para(
                "Each item of the PRISMA 2020 checklist (Page MJ et al. BMJ 2021;372:n71) "
                "and the section of this report that answers it.",
                "note",
            ),
            TableBlock(checklist_table(answered(data))),
        ]
    return [Bullets(tuple(data.files))]


def layout(data: ReportData) -> list[Block]:
    """Every block of the report, in order: title, then each section under its heading."""
    out: list[Block] = [
        Heading(1, data.title),
        Para(f"Report written by screener on {data.generated_at}.", "note"),
    ]
    for key, title in SECTIONS:
        out += [Heading(2, title), *_section(key, data)]
    return out
