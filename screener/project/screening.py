"""The façade's screening verbs: decisions, their history, conflicts and resolutions, agreement,
notes, tags, full texts and the screening queue."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from screener.model import Choice, Decision, HistoryEntry, Stage
from screener.project._base import ProjectBase, blind
from screener.screening import (
    Conflict,
    FullText,
    Note,
    PairAgreement,
    Resolution,
    ResolutionMethod,
    StageProgress,
)
from screener.storage import decisions as decision_store
from screener.storage import screening as screening_store
from screener.storage.db import transaction

__all__ = ["ScreeningVerbs"]


class ScreeningVerbs(ProjectBase):
    # --- decisions -----------------------------------------------------------------------------
    def record_decision(
        self,
        record_id: int,
        stage: Stage | str,
        reviewer: str,
        choice: Choice | str,
        *,
        reason: str | None = None,
        note: str = "",
    ) -> int:
        """Store one decision, committed before this returns; returns the history row id.

        The stage's rules are checked first (full text: the record passed title/abstract, is
        retrievable, and an exclusion gives one of the review's reasons)."""
        from screener.flows import screening

        return screening.decide(
            self.db, record_id, Stage(stage), reviewer, Choice(choice), reason=reason, note=note
        )

    def record_decisions(
        self,
        items: Iterable[tuple[int, Choice | str, str | None]],
        stage: Stage | str,
        reviewer: str,
    ) -> int:
        """Many ``(record_id, choice, reason)`` decisions by one reviewer in one transaction."""
        from screener.flows import screening

        return screening.record_decisions(self.db, items, Stage(stage), reviewer)

    def undo_decision(self, stage: Stage | str, reviewer: str) -> int | None:
        """Undo this reviewer's last decision at ``stage``; returns the record it counted for (a
        cluster's primary when the record was merged since) or None."""
        with transaction(self.db):
            return decision_store.undo_last(self.db, Stage(stage), reviewer)

    def decisions(
        self, record_id: int, stage: Stage | str | None = None, *, as_reviewer: str | None = None
    ) -> list[Decision]:
        """Live decisions on a record. With ``as_reviewer`` in a blind review, others' decisions
        are hidden until ``as_reviewer`` has decided the record too."""
        as_reviewer = self._as(as_reviewer)
        found = decision_store.decisions_for(self.db, record_id, Stage(stage) if stage else None)
        if as_reviewer is None or not self.review().blind:
            return found
        return blind(found, as_reviewer)

    def decision_history(
        self, record_id: int, *, as_reviewer: str | None = None
    ) -> list[HistoryEntry]:
        """Every history row of a record, oldest first; with ``as_reviewer`` in a blind review,
        others' rows only at the stages ``as_reviewer`` has decided the record too."""
        rows = decision_store.history(self.db, record_id)
        as_reviewer = self._as(as_reviewer)
        if as_reviewer is None or not self.review().blind:
            return rows
        mine = {
            d.stage
            for d in self.decisions(record_id, as_reviewer=as_reviewer)
            if d.reviewer == as_reviewer
        }
        return [r for r in rows if r.reviewer == as_reviewer or r.stage in mine]

    def decided_by(self, stage: Stage | str, reviewer: str, record_ids: list[int]) -> set[int]:
        """Which of ``record_ids`` ``reviewer`` has decided at ``stage``."""
        return screening_store.decided_among(self.db, Stage(stage), reviewer, record_ids)

    # --- the queue and progress ----------------------------------------------------------------
    def screening_queue(
        self,
        stage: Stage | str,
        reviewer: str,
        filter: str = "undecided",
        tag: str | None = None,
        *,
        after: int = 0,
        limit: int | None = None,
    ) -> list[int]:
        """Record ids to go through, in order: undecided, mine, maybe, included, conflicts,
        tag (``tag=`` or ``"tag:NAME"``) or all; ``after``/``limit`` give a page of it."""
        from screener.flows import screening

        return screening.screening_queue(
            self.db, Stage(stage), reviewer, filter, tag, after=after, limit=limit
        )

    def size_hint(self) -> int:
        """The highest record id: an instant upper bound on the number of records."""
        return screening_store.max_record_id(self.db)

    def screening_progress(self) -> list[StageProgress]:
        """Per stage: records, decisions per reviewer, outcomes
        (pending/include/exclude/conflict)."""
        from screener.flows import screening

        return screening.progress(self.db)

    # --- conflicts, resolutions, agreement -----------------------------------------------------
    def conflicts(
        self,
        stage: Stage | str = Stage.TITLE_ABSTRACT,
        *,
        as_reviewer: str | None = None,
        resolved: bool = False,
    ) -> list[Conflict]:
        """Unresolved include-vs-exclude conflicts at ``stage`` (``resolved``: the resolved ones,
        with their resolution), with decisions and notes. In a blind review a screener
        (``as_reviewer``) gets only those on records they decided; an arbiter or lead, all."""
        from screener.flows import screening

        return screening.conflicts(
            self.db, Stage(stage), as_reviewer=as_reviewer, resolved=resolved
        )

    def resolve_conflict(
        self,
        record_id: int,
        stage: Stage | str,
        decision: Choice | str,
        reviewer: str,
        method: str = "third_reviewer",
        reason: str | None = None,
        note: str = "",
        *,
        replace: bool = False,
    ) -> int:
        """Record the final decision on a record at ``stage`` and who made it (an arbiter or the
        lead). A record resolved already is refused (``ResolutionExistsError`` says by whom and
        how) unless ``replace``, which replaces the live resolution on purpose."""
        from screener.flows import screening

        return screening.resolve_conflict(
            self.db,
            record_id,
            Stage(stage),
            Choice(decision),
            reviewer,
            ResolutionMethod(method),
            reason=reason,
            note=note,
            replace=replace,
        )

    def undo_resolution(
        self, record_id: int, stage: Stage | str, reviewer: str, *, resolution_id: int | None = None
    ) -> Resolution:
        """Undo a record's live resolution at ``stage`` (an arbiter or the lead); returns it.
        With ``resolution_id``, only if that is still the live one."""
        from screener.flows import screening

        return screening.undo_resolution(
            self.db, record_id, Stage(stage), reviewer, resolution_id=resolution_id
        )

    def resolution(
        self, record_id: int, stage: Stage | str, *, as_reviewer: str | None = None
    ) -> Resolution | None:
        """The live resolution (a blind screener sees it only on a record they decided)."""
        from screener.flows import screening

        return screening.resolution(self.db, record_id, Stage(stage), as_reviewer=as_reviewer)

    def agreement(
        self, stage: Stage | str | None = None, *, as_reviewer: str | None = None
    ) -> list[PairAgreement]:
        """Kappa (95% CI), percent agreement and the 2x2 counts per stage and reviewer pair (a
        blind screener, ``as_reviewer``, gets only the pairs they are in)."""
        from screener.flows import screening

        return screening.agreement(
            self.db, Stage(stage) if stage else None, as_reviewer=as_reviewer
        )

    # --- notes and tags ------------------------------------------------------------------------
    def add_note(
        self, record_id: int, reviewer: str, text: str, *, stage: Stage | str | None = None
    ) -> int:
        from screener.flows import screening

        return screening.add_note(
            self.db, record_id, reviewer, text, Stage(stage) if stage else None
        )

    def notes(self, record_id: int, *, as_reviewer: str | None = None) -> list[Note]:
        """Notes on a record; in a blind review ``as_reviewer`` sees only their own."""
        return screening_store.notes_for(self.db, record_id, reviewer=self._own_only(as_reviewer))

    def tag_record(self, record_id: int, tag: str, reviewer: str) -> bool:
        from screener.flows import screening

        return screening.tag_record(self.db, record_id, tag, reviewer)

    def untag_record(self, record_id: int, tag: str, reviewer: str) -> bool:
        from screener.flows import screening

        return screening.untag_record(self.db, record_id, tag, reviewer)

    def record_tags(self, record_id: int, *, as_reviewer: str | None = None) -> list[str]:
        """Tags on a record; in a blind review ``as_reviewer`` sees only their own."""
        return screening_store.tags_for(self.db, record_id, reviewer=self._own_only(as_reviewer))

    def tags(self, *, as_reviewer: str | None = None) -> list[str]:
        """Tag names in use; in a blind review ``as_reviewer`` sees only their own."""
        return screening_store.all_tags(self.db, reviewer=self._own_only(as_reviewer))

    # --- full texts ----------------------------------------------------------------------------
    def attach_full_text(self, record_id: int, path: str | Path, reviewer: str) -> FullText:
        from screener.flows import screening

        return screening.attach_full_text(self.db, record_id, path, reviewer)

    def mark_not_retrieved(
        self, record_id: int, reviewer: str, *, note: str = "", not_retrieved: bool = True
    ) -> None:
        from screener.flows import screening

        screening.mark_not_retrieved(
            self.db, record_id, reviewer, note=note, not_retrieved=not_retrieved
        )

    def full_text(self, record_id: int) -> FullText | None:
        return screening_store.full_text_for(self.db, record_id)

    def full_text_candidates(self) -> list[int]:
        """Records that passed title/abstract screening (the full-text stage's records)."""
        from screener.flows import screening

        return screening.full_text_candidates(self.db)
