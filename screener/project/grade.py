"""The façade's GRADE verbs: the certainty of evidence of each saved analysis, and the
reviewers' judgements of its domains (the lead or an arbiter sets them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from screener.project._base import ProjectBase

if TYPE_CHECKING:
    from screener.report.grade import Assessment, Judgement
    from screener.report.model import Table
    from screener.storage.grade import GradeSetting

__all__ = ["GradeVerbs"]


class GradeVerbs(ProjectBase):
    def grade(
        self, analysis_id: int | None = None, *, mid: float | None = None, design: str | None = None
    ) -> list[Assessment]:
        """The GRADE assessment of one saved analysis, or of every one (oldest first). ``mid``
        (natural scale) and ``design`` (randomised / observational) replace the stored ones for
        this call only."""
        from screener.flows import grade

        if analysis_id is not None:
            return [grade.assess_one(self.db, analysis_id, mid=mid, design=design)]
        return grade.assess_all(self.db, mid=mid, design=design)

    def judge_grade(
        self, analysis_id: int, domain: str, level: str, *, reason: str, reviewer: str
    ) -> Judgement:
        """Store a reviewer's judgement of one GRADE domain (the lead or an arbiter), appended
        to the history; returns the judgement that counts now."""
        from screener.flows import grade

        return grade.judge(self.db, analysis_id, domain, level, reason=reason, reviewer=reviewer)

    def set_grade_mid(self, analysis_id: int, mid: float | None, *, reviewer: str) -> None:
        """Store (None: clear) the minimally important difference of an analysis."""
        from screener.flows import grade

        grade.set_mid(self.db, analysis_id, mid, reviewer=reviewer)

    def set_grade_design(self, analysis_id: int, design: str | None, *, reviewer: str) -> None:
        """Store (None: clear) the design an analysis's certainty starts from."""
        from screener.flows import grade

        grade.set_design(self.db, analysis_id, design, reviewer=reviewer)

    def grade_history(self, analysis_id: int) -> tuple[list[Judgement], list[GradeSetting]]:
        """Every GRADE judgement and setting stored for an analysis, oldest first."""
        from screener.flows import grade

        return grade.history(self.db, analysis_id)

    def grade_tables(self) -> tuple[Table, ...]:
        """The summary-of-findings table and its footnotes (empty without analyses)."""
        from screener.flows import grade

        return grade.grade_tables(self.db)
