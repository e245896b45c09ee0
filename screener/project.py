"""The façade: one method per pipeline verb. The CLI, the TUI and scripts all go through here.

A :class:`Project` is one open review file. Every method that changes the review runs in one
transaction, so an error, Ctrl-C or a killed process leaves the review as it was before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from screener.errors import ScreenerError
from screener.flows import lazy_flow
from screener.flows.rank_worker import RankingWorker
from screener.model import Choice, Decision, ImportResult, Review, ReviewSummary, Stage, StageCounts
from screener.records import Record
from screener.screening import (
    Conflict,
    FullText,
    Note,
    PairAgreement,
    Resolution,
    Reviewer,
    StageProgress,
)
from screener.screening.order import QueueMode, QueueOrder, RankingInfo
from screener.screening.stopping import ScreeningStop, StoppingStatus
from screener.storage import decisions as decision_store
from screener.storage import records as record_store
from screener.storage import review as review_store
from screener.storage.db import create, is_read_only, open_review, transaction, verify

if TYPE_CHECKING:
    from screener.flows.ranking import Ranking, Reranked
    from screener.flows.simulate import SimulationReport

__all__ = ["Project"]

# The flows pull in scipy, pandas, lxml and pypinyin; each loads on first use, so a command that
# needs none of them (info, export, the TUI's first screen) starts quickly and small.
dedup_flow = lazy_flow("dedup")
extraction_flow = lazy_flow("extraction")
import_flow = lazy_flow("importing")
pooling_flow = lazy_flow("pooling")
ranking_flow = lazy_flow("ranking")
stopping_flow = lazy_flow("stopping")
screening_flow = lazy_flow("screening")
search_flow = lazy_flow("search")
studies_flow = lazy_flow("studies")

Progress = Callable[[int, int | None], None]
"""A progress callback: (done, total or None when unknown)."""


class Project:
    """An open review. Use :meth:`create` or :meth:`open`; close it (or use ``with``)."""

    def __init__(self, db: sqlite_utils.Database, path: str | Path) -> None:
        self.db = db
        self.path = Path(path)
        self.read_only = is_read_only(db)
        """The file (or its folder) cannot be written: it is open for reading, and every
        method that would change it raises :class:`ReviewFileError` ("... is read-only")."""

    # --- lifecycle ---------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, review: Review | None = None, *,
               reviewers: Sequence[str | tuple[str, str]] = (), **settings: Any) -> Project:
        """Make a new review file. ``settings`` are :class:`Review` fields (title is required).

        ``reviewers`` declares the review's reviewers: names, or (name, role) pairs; a bare
        name's role is 'lead' for the first and 'screener' for the rest. Without a lead, the next
        reviewer added (:meth:`add_reviewer`) is the lead.
        """
        review = review or Review(**settings)
        if not review.title.strip():
            raise ScreenerError("a review needs a title (give --title)")
        db = create(path)
        with transaction(db):
            review_store.create_review(db, review)
            for position, entry in enumerate(reviewers):
                name, role = (entry, "lead" if position == 0 else "screener") \
                    if isinstance(entry, str) else entry
                review_store.add_reviewer(db, name, role)
        return cls(db, path)

    @classmethod
    def open(cls, path: str | Path) -> Project:
        return cls(open_review(path), path)

    def close(self) -> None:
        self.db.conn.close()

    def verify(self) -> None:
        """Read the whole review file once: a damaged one fails here with its one-line error
        (:func:`screener.storage.db.verify`), not in the middle of a session."""
        verify(self.db, str(self.path))

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the review ----------------------------------------------------------------------------
    def review(self) -> Review:
        return review_store.load_review(self.db)

    def update_review(self, **changes: Any) -> Review:
        with transaction(self.db):
            review_store.update_review(self.db, **changes)
        return self.review()

    # --- reviewers ---------------------------------------------------------------------------
    def reviewers(self) -> list[Reviewer]:
        """The declared reviewers with their roles, in the order they were added."""
        return review_store.list_reviewers(self.db)

    def reviewer(self, name: str) -> Reviewer:
        """The declared reviewer ``name`` (any case), as declared; an unknown name is refused."""
        return review_store.get_reviewer(self.db, name)

    def add_reviewer(self, name: str, role: str | None = None) -> Reviewer:
        """Declare a reviewer (role screener unless given). A review without a lead yet (made
        without reviewers, or before roles) gets its lead this way: that reviewer is the lead."""
        with transaction(self.db):
            lead = not review_store.has_lead(self.db)
            review_store.add_reviewer(self.db, name, "lead" if lead else role or "screener")
            return review_store.get_reviewer(self.db, name)

    def declare_lead(self, name: str) -> Reviewer:
        """Declare the lead of a review that has none (the TUI asks for it once); refused once
        the review has a lead."""
        with transaction(self.db):
            if review_store.has_lead(self.db):
                raise ScreenerError("this review has a lead already: pick your name, or ask the "
                                    "lead to add you (screener reviewer add REVIEW.db NAME)")
            review_store.add_reviewer(self.db, name, "lead")
            return review_store.get_reviewer(self.db, name)

    def set_reviewer_role(self, name: str, role: str) -> Reviewer:
        """Give a declared reviewer another role; the last lead cannot stop being lead."""
        with transaction(self.db):
            return review_store.set_role(self.db, name, role)

    def _as(self, name: str | None) -> str | None:
        """The declared spelling of reviewer ``name`` (refused when unknown), None for None."""
        return None if name is None else review_store.get_reviewer(self.db, name).name

    def can_change_settings(self, reviewer: str) -> bool:
        """Whether ``reviewer`` may change the review's settings (criteria, highlight terms): a
        lead does; while the review has no lead (made before roles), anyone does."""
        return not review_store.has_lead(self.db) or self.reviewer(reviewer).role == "lead"

    def info(self) -> ReviewSummary:
        """Counts for the dashboard and ``screener info``."""
        review = self.review()
        total = record_store.count_records(self.db)
        screened = record_store.count_screened(self.db)
        per: dict[tuple[str, str], dict[str, int]] = {}
        for name, stage, choice, n in decision_store.counts_per_reviewer(self.db):
            per.setdefault((name, stage), {})[choice] = n
        counts = tuple(StageCounts(name, Stage(stage), **values) for (name, stage), values in per.items())
        return ReviewSummary(
            title=review.title,
            records=total,
            screened_records=screened,
            duplicates_removed=total - screened,
            sources=record_store.records_per_database(self.db),
            per_reviewer=counts,
            reviewers=tuple(review_store.reviewer_names(self.db)),
        )

    # --- import --------------------------------------------------------------------------------
    def import_file(
        self,
        path: str | Path,
        *,
        source: str | None = None,
        fmt: str | None = None,
        again: bool = False,
        skip_bad: bool = False,
        method: str = "database",
        query_name: str = "",
        query_text: str = "",
        default_source: str = "",
        progress: Progress | None = None,
        workers: int | None = None,
        chunk_size: int | None = None,
    ) -> ImportResult:
        """Import one export file in one transaction; nothing is kept if any entry is bad
        (unless ``skip_bad``, which keeps the good ones and lists the bad). A big file is
        parsed by ``workers`` processes (None: one per core for files of 8 MB and more)."""
        return import_flow.import_file(
            self.db, path, source=source, fmt=fmt, again=again, skip_bad=skip_bad, method=method,
            query_name=query_name, query_text=query_text, default_source=default_source,
            progress=progress, workers=workers, chunk_size=chunk_size)

    def preview_import(self, path: str | Path, *, fmt: str | None = None,
                       source: str | None = None, workers: int | None = None) -> import_flow.ImportPreview:
        """Read a file as :meth:`import_file` would, storing nothing: format, database, counts."""
        return import_flow.preview_file(self.db, path, fmt=fmt, source=source, workers=workers)

    def file_database(self, path: str | Path, *, fmt: str | None = None) -> str:
        """The database an export file names (read from its start), or "" if it names none."""
        return import_flow.file_database(path, fmt=fmt)

    def check_sources(self, paths: Sequence[str | Path], *, fmt: str | None = None) -> None:
        """Refuse, naming them, files that do not say which database they came from (before
        importing any: an import of such a file needs ``source``)."""
        import_flow.check_sources(paths, fmt=fmt)

    # --- records -------------------------------------------------------------------------------
    def record(self, record_id: int) -> Record:
        return record_store.get_record(self.db, record_id)

    def record_sources(self, record_id: int) -> list[str]:
        return record_store.source_of(self.db, record_id)

    def screened_record_ids(self) -> list[int]:
        return record_store.screened_ids(self.db)

    def list_records(self, *, limit: int = 100, offset: int = 0) -> list[tuple]:
        return record_store.list_records(self.db, limit=limit, offset=offset)

    def search_records(self, text: str, *, limit: int = 1000) -> list[int]:
        """Record ids whose title or abstract match ``text`` (FTS5, prefix match, best first)."""
        return record_store.search_ids(self.db, text, limit=limit)

    # --- screening -----------------------------------------------------------------------------
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
        return screening_flow.decide(self.db, record_id, Stage(stage), reviewer, Choice(choice),
                                     reason=reason, note=note)

    def undo_decision(self, stage: Stage | str, reviewer: str) -> int | None:
        """Undo this reviewer's last decision at ``stage``; returns the record it counted for (a
        cluster's primary when the record was merged since) or None."""
        with transaction(self.db):
            return decision_store.undo_last(self.db, Stage(stage), reviewer)

    def decisions(self, record_id: int, stage: Stage | str | None = None, *,
                  as_reviewer: str | None = None) -> list[Decision]:
        """Live decisions on a record. With ``as_reviewer`` in a blind review, others' decisions
        are hidden until ``as_reviewer`` has decided the record too."""
        as_reviewer = self._as(as_reviewer)
        found = decision_store.decisions_for(self.db, record_id, Stage(stage) if stage else None)
        if as_reviewer is None or not self.review().blind:
            return found
        return _blind(found, as_reviewer)

    def decision_history(self, record_id: int, *, as_reviewer: str | None = None) -> list[tuple]:
        """Every history row of a record, oldest first; with ``as_reviewer`` in a blind review,
        others' rows only at the stages ``as_reviewer`` has decided the record too."""
        rows = decision_store.history(self.db, record_id)
        as_reviewer = self._as(as_reviewer)
        if as_reviewer is None or not self.review().blind:
            return rows
        mine = {d.stage.value for d in self.decisions(record_id, as_reviewer=as_reviewer)
                if d.reviewer == as_reviewer}
        return [r for r in rows if r[2] == as_reviewer or r[1] in mine]

    # --- export --------------------------------------------------------------------------------
    def export_records(self, *, as_reviewer: str | None = None, unblind: bool = False) -> list[dict]:
        """Every record with provenance, cluster and decisions per reviewer and stage.

        In a blind review a reviewer's export shows other reviewers' decisions only on records
        both have decided; an export for nobody in particular needs ``unblind=True``.
        """
        review = self.review()
        as_reviewer = self._as(as_reviewer)
        if review.blind and as_reviewer is None and not unblind:
            raise ScreenerError(
                "this review is blind: export as a reviewer (--reviewer NAME) or give --unblind")
        rows = record_store.export_rows(self.db)
        by_record: dict[int, list[Decision]] = {}
        for d in decision_store.all_decisions(self.db):
            by_record.setdefault(d.record_id, []).append(d)
        for row in rows:
            found = by_record.get(row["id"], [])
            if review.blind and as_reviewer is not None:
                found = _blind(found, as_reviewer)
            row["decisions"] = [
                {"stage": d.stage.value, "reviewer": d.reviewer, "decision": d.choice.value,
                 "reason": d.reason, "note": d.note, "made_at": d.made_at}
                for d in found
            ]
        return rows

    # Each later stage adds its verbs below its own marker (thin methods: the work is done in
    # screener.flows.<area> or storage/stage modules). Keep each method short.

    # --- search (issue 4) ---
    def search(self, query: search_flow.SavedQuery | str | Path, *, eutils_url: str | None = None,
               email: str | None = None, resume: bool = False,
               options: search_flow.EntrezOptions | None = None, progress: Progress | None = None,
               cancel: Callable[[], bool] | None = None) -> search_flow.SearchRunResult:
        """Run a saved PubMed strategy (a SavedQuery or a queries/*.txt file) into the review.

        Each efetch batch is committed with the run's state; ``resume`` continues the last
        unfinished run of the strategy. Only PMIDs not yet in the review are added.
        """
        return search_flow.run_search(self.db, query, eutils_url=eutils_url, email=email,
                                      resume=resume, options=options, progress=progress,
                                      cancel=cancel)

    def search_runs(self) -> list[search_flow.SearchRunResult]:
        """The search log (database, date, strategy, counts), oldest run first."""
        return search_flow.list_runs(self.db)

    def search_log(self) -> list[dict[str, Any]]:
        """Search runs and imports, oldest first: database, date, strategy, the count found and
        the records PRISMA counts as identified for each."""
        return search_flow.search_log(self.db)


    # --- duplicates (issue 5) ---
    def find_duplicates(self, *, full: bool = False,
                        progress: Progress | None = None) -> dedup_flow.DedupReport:
        """Compare records (only those new since the last run, unless ``full``), merge the
        certain duplicates, queue the possible ones; people's verdicts are kept."""
        return dedup_flow.find_duplicates(self.db, full=full, progress=progress)

    def duplicate_queue(self) -> list[dedup_flow.QueuedPair]:
        """Pairs waiting for a person's verdict, most similar first."""
        return dedup_flow.queue(self.db)

    def decide_duplicate(self, pair: int | tuple[int, int], same: bool, reviewer: str) -> int:
        """A person's verdict on a pair (pair id, or two record ids): the same report or not."""
        return dedup_flow.decide(self.db, pair, same, reviewer)

    def undo_duplicate_decision(self, pair: int | tuple[int, int] | None = None, *,
                                reviewer: str | None = None) -> int | None:
        """Take back a verdict (this pair's, or the reviewer's last); returns the pair id."""
        return dedup_flow.undo(self.db, pair, reviewer=reviewer)

    def dedup_report(self) -> dedup_flow.DedupReport:
        """Counts: merged automatically, queued, decided by a person, clusters."""
        return dedup_flow.report(self.db)

    # --- screening: conflicts, agreement, notes, tags, full text (issue 6) ---
    def record_decisions(self, items: Any, stage: Stage | str, reviewer: str) -> int:
        """Many ``(record_id, choice, reason)`` decisions by one reviewer in one transaction."""
        return screening_flow.record_decisions(self.db, items, Stage(stage), reviewer)

    def add_note(self, record_id: int, reviewer: str, text: str, *, stage: Stage | str | None = None) -> int:
        return screening_flow.add_note(self.db, record_id, reviewer, text, Stage(stage) if stage else None)

    def notes(self, record_id: int, *, as_reviewer: str | None = None) -> list[Note]:
        """Notes on a record; in a blind review ``as_reviewer`` sees only their own."""
        only = self._as(as_reviewer) if as_reviewer is not None and self.review().blind else None
        return screening_flow.store.notes_for(self.db, record_id, reviewer=only)

    def tag_record(self, record_id: int, tag: str, reviewer: str) -> bool:
        return screening_flow.tag_record(self.db, record_id, tag, reviewer)

    def untag_record(self, record_id: int, tag: str, reviewer: str) -> bool:
        return screening_flow.untag_record(self.db, record_id, tag, reviewer)

    def record_tags(self, record_id: int, *, as_reviewer: str | None = None) -> list[str]:
        """Tags on a record; in a blind review ``as_reviewer`` sees only their own."""
        only = self._as(as_reviewer) if as_reviewer is not None and self.review().blind else None
        return screening_flow.store.tags_for(self.db, record_id, reviewer=only)

    def tags(self, *, as_reviewer: str | None = None) -> list[str]:
        """Tag names in use; in a blind review ``as_reviewer`` sees only their own."""
        only = self._as(as_reviewer) if as_reviewer is not None and self.review().blind else None
        return screening_flow.store.all_tags(self.db, reviewer=only)

    def conflicts(self, stage: Stage | str = Stage.TITLE_ABSTRACT, *, as_reviewer: str | None = None,
                  resolved: bool = False) -> list[Conflict]:
        """Unresolved include-vs-exclude conflicts at ``stage`` (``resolved``: the resolved ones,
        with their resolution), with decisions and notes. In a blind review a screener
        (``as_reviewer``) gets only those on records they decided; an arbiter or lead, all."""
        return screening_flow.conflicts(self.db, Stage(stage), as_reviewer=as_reviewer,
                                        resolved=resolved)

    def resolve_conflict(self, record_id: int, stage: Stage | str, decision: Choice | str, reviewer: str,
                         method: str = "third_reviewer", reason: str | None = None, note: str = "",
                         *, replace: bool = False) -> int:
        """Record the final decision on a record at ``stage`` and who made it (an arbiter or the
        lead). A record resolved already is refused (``ResolutionExistsError`` says by whom and
        how) unless ``replace``, which replaces the live resolution on purpose."""
        return screening_flow.resolve_conflict(
            self.db, record_id, Stage(stage), Choice(decision), reviewer,
            screening_flow.ResolutionMethod(method), reason=reason, note=note, replace=replace)

    def undo_resolution(self, record_id: int, stage: Stage | str, reviewer: str, *,
                        resolution_id: int | None = None) -> Resolution:
        """Undo a record's live resolution at ``stage`` (an arbiter or the lead); returns it.
        With ``resolution_id``, only if that is still the live one."""
        return screening_flow.undo_resolution(self.db, record_id, Stage(stage), reviewer,
                                              resolution_id=resolution_id)

    def resolution(self, record_id: int, stage: Stage | str, *,
                   as_reviewer: str | None = None) -> Resolution | None:
        """The live resolution (a blind screener sees it only on a record they decided)."""
        return screening_flow.resolution(self.db, record_id, Stage(stage), as_reviewer=as_reviewer)

    def agreement(self, stage: Stage | str | None = None, *,
                  as_reviewer: str | None = None) -> list[PairAgreement]:
        """Kappa (95% CI), percent agreement and the 2x2 counts per stage and reviewer pair (a
        blind screener, ``as_reviewer``, gets only the pairs they are in)."""
        return screening_flow.agreement(self.db, Stage(stage) if stage else None,
                                        as_reviewer=as_reviewer)

    def screening_progress(self) -> list[StageProgress]:
        """Per stage: records, decisions per reviewer, outcomes (pending/include/exclude/conflict)."""
        return screening_flow.progress(self.db)

    def attach_full_text(self, record_id: int, path: str | Path, reviewer: str) -> FullText:
        return screening_flow.attach_full_text(self.db, record_id, path, reviewer)

    def mark_not_retrieved(self, record_id: int, reviewer: str, *, note: str = "",
                           not_retrieved: bool = True) -> None:
        screening_flow.mark_not_retrieved(self.db, record_id, reviewer, note=note,
                                          not_retrieved=not_retrieved)

    def full_text(self, record_id: int) -> FullText | None:
        return screening_flow.store.full_text_for(self.db, record_id)

    def full_text_candidates(self) -> list[int]:
        """Records that passed title/abstract screening (the full-text stage's records)."""
        return screening_flow.full_text_candidates(self.db)

    def screening_queue(self, stage: Stage | str, reviewer: str, filter: str = "undecided",
                        tag: str | None = None, *, after: int = 0, limit: int | None = None) -> list[int]:
        """Record ids to go through, in order: undecided, mine, maybe, included, conflicts,
        tag (``tag=`` or ``"tag:NAME"``) or all; ``after``/``limit`` give a page of it."""
        return screening_flow.screening_queue(self.db, Stage(stage), reviewer, filter, tag,
                                              after=after, limit=limit)

    def size_hint(self) -> int:
        """The highest record id: an instant upper bound on the number of records."""
        return screening_flow.store.max_record_id(self.db)

    def decided_by(self, stage: Stage | str, reviewer: str, record_ids: list[int]) -> set[int]:
        """Which of ``record_ids`` ``reviewer`` has decided at ``stage``."""
        return screening_flow.store.decided_among(self.db, Stage(stage), reviewer, record_ids)

    # --- prioritised screening and the stopping rule (issue 16) ---
    def queue_order(self, reviewer: str, stage: Stage | str = Stage.TITLE_ABSTRACT) -> QueueOrder:
        """``reviewer``'s queue order: chosen mode, the order it gives now, the ranking's state."""
        return ranking_flow.queue_order(self.db, reviewer, Stage(stage))

    def set_queue_order(self, reviewer: str, mode: QueueMode | str, *, seed: int | None = None,
                        stage: Stage | str = Stage.TITLE_ABSTRACT) -> QueueOrder:
        """Choose the queue order (relevance, file, random, auto); random starts the stopping
        rule's random sample when none covers the records no one has screened."""
        return ranking_flow.set_queue_order(self.db, reviewer, mode, seed=seed, stage=Stage(stage))

    def ordered_queue(self, stage: Stage | str, reviewer: str, filter: str = "undecided",
                      tag: str | None = None, *, after: int = 0,
                      limit: int | None = None) -> list[int]:
        """:meth:`screening_queue` in the reviewer's order; ``after``: after that record in it."""
        return ranking_flow.ordered_queue(self.db, Stage(stage), reviewer, filter, tag,
                                          after=after, limit=limit)

    def retrain_ranking(self, reviewer: str, *, force: bool = False) -> RankingInfo | None:
        """Train ``reviewer``'s ranking when due (``force``: now); None while their decisions
        lack an include or an exclude."""
        return ranking_flow.retrain(self.db, reviewer, force=force)

    def rerank(self, reviewer: str, filter: str = "undecided", tag: str | None = None, *,
               shown: RankingInfo | None = None,
               worker: RankingWorker | None = None) -> Reranked | None:
        """Retrain when due, here or in ``worker``'s process; when the ranking is not ``shown``,
        it and the queue in its new order (``Reranked``), else None."""
        if worker is not None:
            return worker.rerank(self.path, self.reviewer(reviewer).name, filter, tag, shown=shown)
        return ranking_flow.rerank(self.db, reviewer, filter, tag, shown=shown)

    def ranking(self, reviewer: str) -> Ranking | None:
        """``reviewer``'s stored ranking (each record's relevance and rank), or None."""
        return ranking_flow.ranking(self.db, reviewer)

    def stopping_status(self, *, recall_target: float | None = None,
                        confidence: float | None = None) -> StoppingStatus:
        """Title/abstract screening against the stopping rule (Callaghan & Müller-Hansen 2020)."""
        return stopping_flow.stopping_status(self.db, recall_target=recall_target,
                                            confidence=confidence)

    def set_stopping_rule(self, reviewer: str, *, recall_target: float, confidence: float) -> None:
        """Set the review's recall target and confidence (the lead's)."""
        stopping_flow.set_stopping_rule(self.db, reviewer, recall_target=recall_target,
                                       confidence=confidence)

    def stop_screening(self, reviewer: str) -> ScreeningStop:
        """Stop title/abstract screening by the rule (the lead's; the criterion must be met):
        the records no one screened are marked "not screened: stopping rule"."""
        return stopping_flow.stop_screening(self.db, reviewer)

    def undo_stop(self, reviewer: str) -> ScreeningStop:
        """Undo the stop (the lead's): its records are to be screened again."""
        return stopping_flow.undo_stop(self.db, reviewer)

    @staticmethod
    def ranking_worker() -> RankingWorker:
        """A process that trains rankings (for the TUI); close it when done."""
        return RankingWorker()

    @staticmethod
    def simulate(path: str | Path, label: str, *, seeds: int = 5, priors: tuple[int, int] = (1, 1),
                 out: str | Path | None = None, replace: bool = False,
                 progress: Progress | None = None) -> SimulationReport:
        """Replay a labelled CSV through the ranking and the stopping rule (``screener
        simulate``); writes curves, a table and JSON into ``out`` when given."""
        from screener.flows import simulate as simulate_flow

        return simulate_flow.simulate_file(path, label, seeds=seeds, priors=priors, out=out,
                                           replace=replace, progress=progress)


    # --- extraction and risk of bias (issue 7) ---
    def load_form(self, path: str | Path | None = None, *, builtin: str | None = None) -> extraction_flow.Form:
        """Make a TOML form (a file, or a built-in one by name) the review's extraction form."""
        return extraction_flow.load_form(self.db, path=path, builtin=builtin)

    def extraction_form(self) -> extraction_flow.Form | None:
        return extraction_flow.store.current_form(self.db)

    def outcomes(self) -> dict[str, extraction_flow.OutcomeSpec]:
        return extraction_flow.store.outcomes(self.db)

    def create_study(self, name: str, *, record_ids: Any = (), note: str = "") -> extraction_flow.Study:
        """A new study, with the records (reports) that describe it."""
        return extraction_flow.create_study(self.db, name, record_ids=record_ids, note=note)

    def link_report(self, study: str, record_id: int) -> None:
        extraction_flow.link_report(self.db, study, record_id)

    def link_records(self, study: str, record_ids: Sequence[int]) -> list[int]:
        """Link records to a study as its reports (all or none); returns those newly linked."""
        return studies_flow.link(self.db, study, record_ids)

    def unlink_records(self, study: str, record_ids: Sequence[int]) -> None:
        """Remove records from a study's reports (all or none)."""
        studies_flow.unlink(self.db, study, record_ids)

    def study_records(self) -> list[studies_flow.StudyRecords]:
        """Every study with its records' screening outcomes and whether PRISMA counts it."""
        return studies_flow.study_list(self.db)

    def study_flags(self) -> list[extraction_flow.Flag]:
        """A flag per study that no report included at full text supports."""
        return studies_flow.study_flags(self.db)

    def studies(self) -> list[extraction_flow.Study]:
        return extraction_flow.store.list_studies(self.db)

    def included_records(self) -> list[int]:
        """Records included at full text: the reports studies are made from."""
        return extraction_flow.included_records(self.db)

    def save_extraction(self, study: str, reviewer: str, entries: Any) -> list[str]:
        """Save one extractor's values (:class:`ValueEntry`) for a study, checked first, all or
        nothing; returns cross-field warnings (flagged, not blocked)."""
        return extraction_flow.save_values(self.db, study, reviewer, entries)

    def extraction_values(self, *, study: str | None = None,
                          reviewer: str | None = None) -> list[extraction_flow.ExtractionValue]:
        return extraction_flow.values(self.db, study=study, reviewer=reviewer)

    def extractors(self) -> list[str]:
        return extraction_flow.extractors(self.db)

    def compare_extractions(self, first: str, second: str, *,
                            study: str | None = None) -> list[extraction_flow.Discrepancy]:
        """Fields where two extractors differ (or one left empty), not yet resolved."""
        return extraction_flow.compare_extractors(self.db, first, second, study=study)

    def resolve_extraction(self, key: extraction_flow.ValueKey, value: str, *, by: str, **extra: Any) -> None:
        """Record the agreed value of a field and who agreed it (method=, details=, imputed=, note=)."""
        extraction_flow.resolve(self.db, key, value, by=by, **extra)

    def consistency_checks(self) -> list[extraction_flow.Flag]:
        """GRIM, P vs CI, asymmetric CI, implausible SD, events > total: flagged, with why."""
        return extraction_flow.consistency_checks(self.db)

    def export_extraction(self, *, reviewer: str | None = None,
                          outcome: str | None = None) -> tuple[list[str], list[dict[str, str]]]:
        """(columns, rows) of the analysis-ready table (escalc column names)."""
        return extraction_flow.extraction_table(self.db, reviewer=reviewer, outcome=outcome)

    def import_extraction(self, path: str | Path, *, dry_run: bool = False) -> extraction_flow.ExtractionImport:
        """Read an extraction CSV in the exported shape; studies are created by name
        (``dry_run``: check the file and say what would be imported, writing nothing)."""
        return extraction_flow.import_table(self.db, path, dry_run=dry_run)

    def study_characteristics(self) -> list[dict[str, str]]:
        return extraction_flow.study_characteristics(self.db)

    def save_rob(self, study: str, tool: str, reviewer: str, judgements: dict[str, str], *,
                 support: dict[str, str] | None = None, outcome: str = "", consensus: bool = False) -> None:
        """One assessor's (or, with consensus=True, the agreed) judgements per domain."""
        extraction_flow.save_rob(self.db, study, tool, reviewer, judgements, support=support,
                                 outcome=outcome, consensus=consensus)

    def rob_summary(self, tool: str) -> extraction_flow.RobSummary:
        return extraction_flow.rob_summary(self.db, tool)

    def rob_judgements(self, *, study: str | None = None, tool: str | None = None,
                       reviewer: str | None = None) -> list[extraction_flow.RobJudgement]:
        """Saved judgements with reviewer, role and support (e.g. one assessor's own)."""
        return extraction_flow.rob_judgements(self.db, study=study, tool=tool, reviewer=reviewer)

    def rob_tools(self) -> list[str]:
        """The risk-of-bias tools this review has judgements for."""
        return extraction_flow.rob_tools_used(self.db)

    def write_rob_plot(self, tool: str, path: str | Path) -> Path:
        """The traffic-light plot (.svg, .pdf or .png) of a tool's summary."""
        return extraction_flow.write_rob_plot(self.db, tool, path)


    # --- pooling (issue 8) ---
    def pool(self, outcome: str, *, measure: str | None = None, method: str = "REML", test: str = "z",
             by: str | None = None, egger: str | None = None, trimfill: bool = False,
             timepoint: str | None = None, name: str | None = None,
             reviewer: str | None = None) -> pooling_flow.SavedAnalysis:
        """Pool the agreed extracted data of ``outcome`` as ``screener meta`` pools a CSV file,
        and save the analysis (settings, results, who, when) in the review."""
        return pooling_flow.pool(self.db, outcome, measure=measure, method=method, test=test, by=by,
                                 egger=egger, trimfill=trimfill, timepoint=timepoint, name=name,
                                 reviewer=reviewer)

    def run_pool(self, outcome: str, **options: Any) -> pooling_flow.OutcomeAnalysis:
        """:meth:`pool` without saving (options as for :meth:`pool`, except name and reviewer)."""
        return pooling_flow.run(self.db, outcome, **options)

    def save_analysis(self, pooled: pooling_flow.OutcomeAnalysis, *, name: str | None = None,
                      reviewer: str | None = None) -> pooling_flow.SavedAnalysis:
        return pooling_flow.save(self.db, pooled, name=name, reviewer=reviewer)

    def pooling_table(self, outcome: str, *, timepoint: str | None = None,
                      first_timepoint: bool = False) -> pooling_flow.OutcomeTable:
        """The study table an analysis of ``outcome`` uses, with the measures and subgroup
        columns that fit it."""
        return pooling_flow.outcome_table(self.db, outcome, timepoint=timepoint,
                                          first_timepoint=first_timepoint)

    def analyses(self) -> list[pooling_flow.SavedAnalysis]:
        """Saved analyses, oldest first."""
        return pooling_flow.analyses(self.db)

    def analysis(self, analysis_id: int) -> pooling_flow.SavedAnalysis:
        return pooling_flow.get(self.db, analysis_id)

    # --- PRISMA and report (issue 9) ---
    def prisma_counts(self) -> Any:
        """Every PRISMA 2020 count from the review's data (rules: ``screener.prisma.counts``)."""
        from screener.flows import report as report_flow

        return report_flow.prisma_counts(self.db)

    def set_prisma_count(self, key: str, value: int | None, *, note: str = "") -> None:
        """Set (or with None, clear) a count screener cannot know, e.g. ``excluded_automatic``,
        ``previous_studies`` or ``identified:<source>``."""
        from screener.flows import report as report_flow

        report_flow.set_prisma_count(self.db, key, value, note)

    def write_prisma(self, path: str | Path, fmt: str | None = None) -> Path:
        """Write the PRISMA diagram (svg/png/pdf) or its data (csv template, json, txt)."""
        from screener.flows import report as report_flow

        return report_flow.write_prisma(self.db, path, fmt)

    def write_report(self, directory: str | Path, *, replace: bool = False, raw: bool = False,
                     progress: Progress | None = None) -> list[Path]:
        """Write report.html, report.md, results.csv, analysis.R and figures into the folder
        ``directory``, all or nothing; an earlier report there is replaced only with ``replace``;
        ``raw``: CSV cells without spreadsheet protection."""
        from screener.flows import report as report_flow

        return report_flow.write_report(self.db, directory, replace=replace, raw=raw,
                                        protect=(self.path,), progress=progress)

    def export_ris(self, path: str | Path | None, *, which: str = "included", as_reviewer: str | None = None,
                   unblind: bool = False, progress: Progress | None = None) -> tuple[int, str]:
        """Screened records (included / excluded / all) as RIS, decisions in the N1 notes."""
        from screener.flows import report as report_flow

        return report_flow.export_ris(self.db, path, which=which, as_reviewer=self._as(as_reviewer),
                                      unblind=unblind, progress=progress)

    def export_decisions(self, path: str | Path | None, *, as_reviewer: str | None = None,
                         unblind: bool = False, raw: bool = False,
                         progress: Progress | None = None) -> tuple[int, str]:
        """Every live decision and resolution per reviewer and stage, as CSV (``raw``: cells
        without spreadsheet protection)."""
        from screener.flows import report as report_flow

        return report_flow.export_decisions(self.db, path, as_reviewer=self._as(as_reviewer),
                                            unblind=unblind, raw=raw, progress=progress)


def _blind(found: list[Decision], reviewer: str) -> list[Decision]:
    mine_stages = {d.stage for d in found if d.reviewer == reviewer}
    return [d for d in found if d.reviewer == reviewer or d.stage in mine_stages]
