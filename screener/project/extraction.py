"""The façade's extraction verbs: the form, studies and their reports, extracted values and
their agreement, consistency checks, risk of bias."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screener.project._base import ProjectBase

if TYPE_CHECKING:
    from screener.extraction.forms import Form, OutcomeSpec
    from screener.extraction.rob import RobJudgement, RobSummary
    from screener.extraction.values import (
        Discrepancy,
        ExtractionImport,
        ExtractionValue,
        Flag,
        Study,
        StudyRecords,
        ValueEntry,
        ValueKey,
    )

__all__ = ["ExtractionVerbs"]


class ExtractionVerbs(ProjectBase):
    # --- the form ------------------------------------------------------------------------------
    def load_form(self, path: str | Path | None = None, *, builtin: str | None = None) -> Form:
        """Make a TOML form (a file, or a built-in one by name) the review's extraction form."""
        from screener.flows import extraction

        return extraction.load_form(self.db, path=path, builtin=builtin)

    def extraction_form(self) -> Form | None:
        from screener.storage import extraction as store

        return store.current_form(self.db)

    def outcomes(self) -> dict[str, OutcomeSpec]:
        from screener.storage import extraction as store

        return store.outcomes(self.db)

    # --- studies -------------------------------------------------------------------------------
    def create_study(self, name: str, *, record_ids: Iterable[int] = (), note: str = "") -> Study:
        """A new study, with the records (reports) that describe it."""
        from screener.flows import extraction

        return extraction.create_study(self.db, name, record_ids=record_ids, note=note)

    def link_report(self, study: str, record_id: int) -> None:
        from screener.flows import extraction

        extraction.link_report(self.db, study, record_id)

    def link_records(self, study: str, record_ids: Sequence[int]) -> list[int]:
        """Link records to a study as its reports (all or none); returns those newly linked."""
        from screener.flows import studies

        return studies.link(self.db, study, record_ids)

    def unlink_records(self, study: str, record_ids: Sequence[int]) -> None:
        """Remove records from a study's reports (all or none)."""
        from screener.flows import studies

        studies.unlink(self.db, study, record_ids)

    def study_records(self) -> list[StudyRecords]:
        """Every study with its records' screening outcomes and whether PRISMA counts it."""
        from screener.flows import studies

        return studies.study_list(self.db)

    def study_flags(self) -> list[Flag]:
        """A flag per study that no report included at full text supports."""
        from screener.flows import studies

        return studies.study_flags(self.db)

    def studies(self) -> list[Study]:
        from screener.storage import extraction as store

        return store.list_studies(self.db)

    def included_records(self) -> list[int]:
        """Records included at full text: the reports studies are made from."""
        from screener.flows import extraction

        return extraction.included_records(self.db)

    def study_characteristics(self) -> list[dict[str, str]]:
        from screener.flows import extraction

        return extraction.study_characteristics(self.db)

    # --- extracted values ----------------------------------------------------------------------
    def save_extraction(
        self, study: str, reviewer: str, entries: Iterable[ValueEntry]
    ) -> list[str]:
        """Save one extractor's values (:class:`ValueEntry`) for a study, checked first, all or
        nothing; returns cross-field warnings (flagged, not blocked)."""
        from screener.flows import extraction

        return extraction.save_values(self.db, study, reviewer, entries)

    def extraction_values(
        self, *, study: str | None = None, reviewer: str | None = None
    ) -> list[ExtractionValue]:
        from screener.flows import extraction

        return extraction.values(self.db, study=study, reviewer=reviewer)

    def extractors(self) -> list[str]:
        from screener.flows import extraction

        return extraction.extractors(self.db)

    def compare_extractions(
        self, first: str, second: str, *, study: str | None = None
    ) -> list[Discrepancy]:
        """Fields where two extractors differ (or one left empty), not yet resolved."""
        from screener.flows import extraction

        return extraction.compare_extractors(self.db, first, second, study=study)

    def resolve_extraction(self, key: ValueKey, value: str, *, by: str, **extra: Any) -> None:
        """Record the agreed value of a field and who agreed it (method=, details=, imputed=,
        note=)."""
        from screener.flows import extraction

        extraction.resolve(self.db, key, value, by=by, **extra)

    def consistency_checks(self) -> list[Flag]:
        """GRIM, P vs CI, asymmetric CI, implausible SD, events > total: flagged, with why."""
        from screener.flows import extraction

        return extraction.consistency_checks(self.db)

    def export_extraction(
        self, *, reviewer: str | None = None, outcome: str | None = None
    ) -> tuple[list[str], list[dict[str, str]]]:
        """(columns, rows) of the analysis-ready table (escalc column names)."""
        from screener.flows import extraction

        return extraction.extraction_table(self.db, reviewer=reviewer, outcome=outcome)

    def import_extraction(self, path: str | Path, *, dry_run: bool = False) -> ExtractionImport:
        """Read an extraction CSV in the exported shape; studies are created by name
        (``dry_run``: check the file and say what would be imported, writing nothing)."""
        from screener.flows import extraction

        return extraction.import_table(self.db, path, dry_run=dry_run)

    # --- risk of bias --------------------------------------------------------------------------
    def save_rob(
        self,
        study: str,
        tool: str,
        reviewer: str,
        judgements: dict[str, str],
        *,
        support: dict[str, str] | None = None,
        outcome: str = "",
        consensus: bool = False,
    ) -> None:
        """One assessor's (or, with consensus=True, the agreed) judgements per domain."""
        from screener.flows import extraction

        extraction.save_rob(
            self.db,
            study,
            tool,
            reviewer,
            judgements,
            support=support,
            outcome=outcome,
            consensus=consensus,
        )

    def rob_summary(self, tool: str) -> RobSummary:
        from screener.flows import extraction

        return extraction.rob_summary(self.db, tool)

    def rob_judgements(
        self, *, study: str | None = None, tool: str | None = None, reviewer: str | None = None
    ) -> list[RobJudgement]:
        """Saved judgements with reviewer, role and support (e.g. one assessor's own)."""
        from screener.flows import extraction

        return extraction.rob_judgements(self.db, study=study, tool=tool, reviewer=reviewer)

    def rob_tools(self) -> list[str]:
        """The risk-of-bias tools this review has judgements for."""
        from screener.flows import extraction

        return extraction.rob_tools_used(self.db)

    def write_rob_plot(self, tool: str, path: str | Path) -> Path:
        """The traffic-light plot (.svg, .pdf or .png) of a tool's summary."""
        from screener.flows import extraction

        return extraction.write_rob_plot(self.db, tool, path)
