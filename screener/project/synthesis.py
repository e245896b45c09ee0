"""The façade's verbs from extracted data to the written review: pooling, PRISMA, the report
and the exports for co-authors."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from screener.project._base import Progress, ProjectBase

if TYPE_CHECKING:
    from screener.flows.pooling import OutcomeAnalysis, OutcomeTable
    from screener.prisma.counts import PrismaCounts
    from screener.storage.analysis import SavedAnalysis

__all__ = ["SynthesisVerbs"]


class SynthesisVerbs(ProjectBase):
    # --- pooling -------------------------------------------------------------------------------
    def pool(
        self,
        outcome: str,
        *,
        measure: str | None = None,
        method: str = "REML",
        test: str = "z",
        by: str | None = None,
        egger: str | None = None,
        trimfill: bool = False,
        timepoint: str | None = None,
        name: str | None = None,
        reviewer: str | None = None,
        **further: Any,
    ) -> SavedAnalysis:
        """Pool the agreed extracted data of ``outcome`` as ``screener meta`` pools a CSV file,
        and save the analysis (settings, results, who, when) in the review. ``further``:
        level, mods, leave_one_out, influence, cumulative, begg (see
        :func:`screener.flows.pooling.run`)."""
        from screener.flows import pooling

        return pooling.pool(
            self.db,
            outcome,
            measure=measure,
            method=method,
            test=test,
            by=by,
            egger=egger,
            trimfill=trimfill,
            timepoint=timepoint,
            name=name,
            reviewer=reviewer,
            **further,
        )

    def run_pool(self, outcome: str, **options: Any) -> OutcomeAnalysis:
        """:meth:`pool` without saving (options as for :meth:`pool`, except name and reviewer)."""
        from screener.flows import pooling

        return pooling.run(self.db, outcome, **options)

    def save_analysis(
        self,
        pooled: OutcomeAnalysis,
        *,
        name: str | None = None,
        reviewer: str | None = None,
        favours: tuple[str, str] | None = None,
    ) -> SavedAnalysis:
        from screener.flows import pooling

        return pooling.save(self.db, pooled, name=name, reviewer=reviewer, favours=favours)

    def pooling_table(
        self, outcome: str, *, timepoint: str | None = None, first_timepoint: bool = False
    ) -> OutcomeTable:
        """The study table an analysis of ``outcome`` uses, with the measures and subgroup
        columns that fit it."""
        from screener.flows import pooling

        return pooling.outcome_table(
            self.db, outcome, timepoint=timepoint, first_timepoint=first_timepoint
        )

    def analyses(self) -> list[SavedAnalysis]:
        """Saved analyses, oldest first."""
        from screener.flows import pooling

        return pooling.analyses(self.db)

    def analysis(self, analysis_id: int) -> SavedAnalysis:
        from screener.flows import pooling

        return pooling.get(self.db, analysis_id)

    def rename_analysis(self, analysis_id: int, name: str) -> SavedAnalysis:
        """Give a saved analysis a new name (a one-line label); returns it renamed."""
        from screener.flows import pooling

        return pooling.rename(self.db, analysis_id, name)

    def delete_analysis(self, analysis_id: int) -> SavedAnalysis:
        """Delete a saved analysis (the report keeps only the others); returns what was
        deleted."""
        from screener.flows import pooling

        return pooling.delete(self.db, analysis_id)

    # --- PRISMA --------------------------------------------------------------------------------
    def prisma_counts(self) -> PrismaCounts:
        """Every PRISMA 2020 count from the review's data (rules: ``screener.prisma.counts``)."""
        from screener.flows import report

        return report.prisma_counts(self.db)

    def set_prisma_count(self, key: str, value: int | None, *, note: str = "") -> None:
        """Set (or with None, clear) a count screener cannot know, e.g. ``excluded_automatic``,
        ``previous_studies`` or ``identified:<source>``."""
        from screener.flows import report

        report.set_prisma_count(self.db, key, value, note)

    def write_prisma(self, path: str | Path, fmt: str | None = None) -> Path:
        """Write the PRISMA diagram (svg/png/pdf) or its data (csv template, json, txt)."""
        from screener.flows import report

        return report.write_prisma(self.db, path, fmt)

    # --- the report and exports ----------------------------------------------------------------
    def write_report(
        self,
        directory: str | Path,
        *,
        replace: bool = False,
        raw: bool = False,
        pdf: bool = False,
        notes: list[str] | None = None,
        progress: Progress | None = None,
    ) -> list[Path]:
        """Write report.html, report.docx, report.md, results.csv, analysis.R, analysis.do and
        figures into the folder ``directory``, all or nothing; an earlier report there is
        replaced only with ``replace``; ``raw``: CSV cells without spreadsheet protection;
        ``pdf``: report.pdf too when a converter is installed (which one, or why none, is
        appended to ``notes``)."""
        from screener.flows import report

        return report.write_report(
            self.db,
            directory,
            replace=replace,
            raw=raw,
            protect=(self.path,),
            pdf=pdf,
            notes=notes,
            progress=progress,
        )

    def export_ris(
        self,
        path: str | Path | None,
        *,
        which: str = "included",
        as_reviewer: str | None = None,
        unblind: bool = False,
        progress: Progress | None = None,
    ) -> tuple[int, str]:
        """Screened records (included / excluded / all) as RIS, decisions in the N1 notes."""
        from screener.flows import report

        return report.export_ris(
            self.db,
            path,
            which=which,
            as_reviewer=self._as(as_reviewer),
            unblind=unblind,
            progress=progress,
        )

    def export_decisions(
        self,
        path: str | Path | None,
        *,
        as_reviewer: str | None = None,
        unblind: bool = False,
        raw: bool = False,
        progress: Progress | None = None,
    ) -> tuple[int, str]:
        """Every live decision and resolution per reviewer and stage, as CSV (``raw``: cells
        without spreadsheet protection)."""
        from screener.flows import report

        return report.export_decisions(
            self.db,
            path,
            as_reviewer=self._as(as_reviewer),
            unblind=unblind,
            raw=raw,
            progress=progress,
        )
