"""What a review report holds: plain values the renderers (HTML, Markdown) turn into text.

``screener.flows.report`` gathers them from the review (and draws the figures with the stages
that own them); this package only lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["AnalysisSection", "Figure", "ReportData", "Table"]


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.rows)


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure as an SVG document; ``name`` is its file stem in the report's figures/ folder."""

    name: str
    title: str
    svg: str


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
class ReportData:
    title: str
    generated_at: str
    criteria: Table
    search_log: Table
    search_strategies: tuple[tuple[str, str], ...]     # (heading, strategy text)
    prisma: Figure | None
    prisma_table: Table
    prisma_discrepancies: tuple[str, ...]
    prisma_notes: tuple[str, ...]
    agreement: Table
    studies: Table
    rob_tables: tuple[tuple[str, Table], ...]          # (tool, judgements)
    rob_figures: tuple[Figure, ...]
    analyses: tuple[AnalysisSection, ...]
    files: tuple[tuple[str, str], ...] = ()            # (file name, what it holds)
    screening_methods: tuple[str, ...] = ()            # paragraphs: prioritisation, stopping
    extra: dict[str, Any] = field(default_factory=dict)
