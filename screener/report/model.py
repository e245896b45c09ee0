"""What a review report holds: plain values the renderers (HTML, Markdown) turn into text.

``screener.flows.report`` gathers them from the review (and draws the figures with the stages
that own them); this package only lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["AnalysisSection", "Figure", "MethodsSection", "ReportData", "Table"]


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.rows)


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure as an SVG document; ``name`` is its file stem in the report's figures/ folder.
    ``png``: the same figure as PNG, for the DOCX (Word takes no SVG); empty when only the SVG
    was drawn."""

    name: str
    title: str
    svg: str
    png: bytes = b""


@dataclass(frozen=True, slots=True)
class AnalysisSection:
    id: int
    name: str
    outcome: str
    settings: Table
    results: Table
    heterogeneity: str = ""
    small_study: tuple[str, ...] = ()
    subgroups: Table = field(default_factory=lambda: Table(()))
    figures: tuple[Figure, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MethodsSection:
    """One subsection of the methods: a heading and paragraphs written from the review's data."""

    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReportData:
    title: str
    generated_at: str
    criteria: Table
    search_log: Table
    search_strategies: tuple[tuple[str, str], ...]  # (heading, strategy text)
    prisma: Figure | None
    prisma_table: Table
    prisma_discrepancies: tuple[str, ...]
    prisma_notes: tuple[str, ...]
    agreement: Table
    studies: Table
    rob_tables: tuple[tuple[str, Table], ...]  # (tool, judgements)
    rob_figures: tuple[Figure, ...]
    analyses: tuple[AnalysisSection, ...]
    files: tuple[tuple[str, str], ...] = ()  # (file name, what it holds)
    screening_methods: tuple[str, ...] = ()  # paragraphs: prioritisation, stopping
    methods: tuple[MethodsSection, ...] = ()
    exclusions: Table = field(default_factory=lambda: Table(()))  # full-text, with reasons
    references: tuple[str, ...] = ()  # included studies, formatted (Vancouver)
    flags: Table = field(default_factory=lambda: Table(()))  # `screener check` flags
    # GRADE summary of findings, one table per outcome: (outcome, table). Empty until the
    # GRADE stage fills it (build_report's ``summary_of_findings`` argument).
    summary_of_findings: tuple[tuple[str, Table], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
