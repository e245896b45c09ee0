"""Screening flows: the rules around a decision, conflicts and their resolution, agreement,
full texts and the queue. Each writer is one transaction, committed before it returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import sqlite_utils

from screener.errors import InvalidInputError, ScreenerError
from screener.files import refuse_database, sha256_file
from screener.model import Choice, Review, Stage, label_text
from screener.records import clean_text
from screener.screening import (
    Conflict,
    FullText,
    PairAgreement,
    QueueFilter,
    Resolution,
    ResolutionExistsError,
    ResolutionMethod,
    Reviewer,
    StageProgress,
    cohen_kappa,
    parse_filter,
)
from screener.storage import decisions as decision_store
from screener.storage import review as review_store
from screener.storage import screening as store
from screener.storage.db import transaction
from screener.storage.records import get_record

__all__ = [
    "add_note",
    "agreement",
    "attach_full_text",
    "conflicts",
    "decide",
    "full_text_candidates",
    "mark_not_retrieved",
    "progress",
    "record_decisions",
    "resolution",
    "resolve_conflict",
    "undo_resolution",
    "screening_queue",
]


def _params(review: Review) -> dict:
    return store.outcome_params(
        maybe_counts_as=review.maybe_counts_as,
        needed_title_abstract=review.reviewers_title_abstract,
        needed_full_text=review.reviewers_full_text,
    )


def _check_exclusion_reason(
    review: Review, stage: Stage, choice: Choice, reason: str | None
) -> None:
    if reason and choice is not Choice.EXCLUDE:
        raise InvalidInputError(f"a reason goes with an exclusion, not with {choice.value}")
    if stage is Stage.FULL_TEXT and choice is Choice.EXCLUDE and not reason:
        known = "; ".join(review.exclusion_reasons)
        raise InvalidInputError(
            "a full-text exclusion needs a reason from the review's list"
            + (
                f" ({known})"
                if known
                else " (the review has none yet: add exclusion reasons first)"
            )
        )


def _check_full_text_pool(db: sqlite_utils.Database, review: Review, record_id: int) -> None:
    if store.outcome_of(db, record_id, Stage.FULL_TEXT, _params(review)) is None:
        raise InvalidInputError(f"record {record_id} has not passed title/abstract screening")


def decide(
    db: sqlite_utils.Database,
    record_id: int,
    stage: Stage,
    reviewer: str,
    choice: Choice,
    *,
    reason: str | None = None,
    note: str = "",
) -> int:
    """Record one reviewer's decision after checking the stage's rules; returns the history id.

    Full text: the record must have passed title/abstract, must not be marked not retrievable,
    and an exclusion needs one of the review's reasons.
    """
    with transaction(db):
        review = review_store.load_review(db)
        _check_exclusion_reason(review, stage, choice, reason)
        if stage is Stage.FULL_TEXT:
            get_record(db, record_id)
            _check_full_text_pool(db, review, record_id)
            found = store.full_text_for(db, record_id)
            if found is not None and found.not_retrieved:
                raise InvalidInputError(
                    f"record {record_id} is marked not retrievable; attach its full text first"
                )
        return decision_store.add_decision(
            db, record_id, stage, reviewer, choice, reason=reason, note=note
        )


def record_decisions(
    db: sqlite_utils.Database,
    items: Iterable[tuple[int, Choice | str, str | None]],
    stage: Stage,
    reviewer: str,
) -> int:
    """Many decisions by one reviewer in one transaction (e.g. brought from another tool)."""
    count = 0
    with transaction(db):
        review = review_store.load_review(db)
        for record_id, choice, reason in items:
            choice = Choice(choice)
            _check_exclusion_reason(review, stage, choice, reason)
            if stage is Stage.FULL_TEXT:
                _check_full_text_pool(db, review, record_id)
            decision_store.add_decision(db, record_id, stage, reviewer, choice, reason=reason)
            count += 1
    return count


def add_note(
    db: sqlite_utils.Database, record_id: int, reviewer: str, text: str, stage: Stage | None = None
) -> int:
    text = clean_text(text)
    if not text:
        raise InvalidInputError("a note cannot be empty")
    with transaction(db):
        get_record(db, record_id)
        return store.add_note(db, record_id, reviewer, text, stage)


def _tag_name(tag: str) -> str:
    name = clean_text(label_text(tag, "a tag"))
    if not name:
        raise InvalidInputError("a tag cannot be empty")
    return name


def tag_record(db: sqlite_utils.Database, record_id: int, tag: str, reviewer: str) -> bool:
    with transaction(db):
        get_record(db, record_id)
        return store.tag_record(db, record_id, _tag_name(tag), reviewer)


def untag_record(db: sqlite_utils.Database, record_id: int, tag: str, reviewer: str) -> bool:
    with transaction(db):
        return store.untag_record(db, record_id, _tag_name(tag), reviewer)


def _sees_every_conflict(review: Review, viewer: Reviewer | None) -> bool:
    return viewer is None or not review.blind or viewer.resolves


def conflicts(
    db: sqlite_utils.Database,
    stage: Stage,
    *,
    as_reviewer: str | None = None,
    resolved: bool = False,
) -> list[Conflict]:
    """Unresolved conflicts at ``stage`` (with ``resolved``: those resolved, each with its live
    resolution), in record order, with every decision and note.

    ``as_reviewer`` in a blind review: a screener gets only the conflicts on records they have
    decided at ``stage`` (so never a decision on a record they have not decided) and only their
    own notes; an arbiter or lead gets every conflict.
    """
    review = review_store.load_review(db)
    viewer = review_store.get_reviewer(db, as_reviewer) if as_reviewer is not None else None
    params = _params(review)
    ids = (
        store.resolved_conflict_ids(db, stage, params)
        if resolved
        else store.ids_with_outcome(db, stage, "conflict", params)
    )
    own_notes = None
    if not _sees_every_conflict(review, viewer):
        assert viewer is not None
        mine = store.decided_among(db, stage, viewer.name, ids)
        ids = [i for i in ids if i in mine]
        own_notes = viewer.name
    found = []
    for record_id in ids:
        title = db.execute("SELECT title FROM record WHERE id = ?", [record_id]).fetchone()[0]
        found.append(
            Conflict(
                record_id,
                stage,
                title,
                tuple(decision_store.decisions_for(db, record_id, stage)),
                tuple(store.notes_for(db, record_id, reviewer=own_notes)),
                store.resolution_for(db, record_id, stage) if resolved else None,
            )
        )
    return found


def _resolver(db: sqlite_utils.Database, reviewer: str) -> Reviewer:
    who = review_store.get_reviewer(db, reviewer)
    if not who.resolves:
        raise InvalidInputError(
            f"{who.name} is a screener: only an arbiter or the lead resolves conflicts (the lead "
            f"makes an arbiter with: screener reviewer role REVIEW.db {who.name} arbiter)"
        )
    return who


def resolve_conflict(
    db: sqlite_utils.Database,
    record_id: int,
    stage: Stage,
    choice: Choice,
    reviewer: str,
    method: ResolutionMethod,
    *,
    reason: str | None = None,
    note: str = "",
    replace: bool = False,
) -> int:
    """Settle a record at ``stage`` (usually a conflict); returns the resolution's id.

    Only an arbiter or the lead resolves. ``third_reviewer``: someone who did not decide the
    record. ``consensus``: the pair agreed, recorded by one of them. Full-text exclusions need a
    reason from the review's list. A record already resolved is refused with who resolved it and
    how (:class:`ResolutionExistsError`), unless ``replace``: then the new resolution replaces
    the live one and names it.
    """
    if choice is Choice.MAYBE:
        raise InvalidInputError("a resolution is include or exclude, not maybe")
    with transaction(db):
        review = review_store.load_review(db)
        who = _resolver(db, reviewer)
        get_record(db, record_id)
        _check_exclusion_reason(review, stage, choice, reason)
        if stage is Stage.FULL_TEXT:
            _check_full_text_pool(db, review, record_id)
        deciders = {d.reviewer for d in decision_store.decisions_for(db, record_id, stage)}
        if not deciders:
            raise InvalidInputError(
                f"record {record_id} has no decisions at {stage.value} to resolve"
            )
        if method is ResolutionMethod.THIRD_REVIEWER and who.name in deciders:
            raise InvalidInputError(
                f"{who.name} decided record {record_id}; a third reviewer must be someone else "
                "(or record it as the pair's consensus)"
            )
        if method is ResolutionMethod.CONSENSUS and who.name not in deciders:
            raise InvalidInputError(
                f"a consensus is recorded by one of the reviewers who decided record {record_id} "
                f"({', '.join(sorted(deciders))})"
            )
        # Read inside the write transaction: two resolvers working from the same stale list
        # cannot both add a live resolution; the second is told about the first.
        live = store.resolution_for(db, record_id, stage)
        if live is not None and not replace:
            raise ResolutionExistsError(live)
        return store.add_resolution(
            db,
            record_id,
            stage,
            choice,
            who.name,
            method,
            reason,
            note,
            replaces_id=live.id if live else None,
        )


def undo_resolution(
    db: sqlite_utils.Database,
    record_id: int,
    stage: Stage,
    reviewer: str,
    *,
    resolution_id: int | None = None,
) -> Resolution:
    """Undo the live resolution of a record at ``stage`` (an arbiter or the lead); returns it.

    The resolution it replaced, if any, is live again; with none, the record's conflict is back.
    ``resolution_id``: the resolution the caller saw; if another has become live since, nothing
    is undone and the caller is told about it.
    """
    with transaction(db):
        who = _resolver(db, reviewer)
        get_record(db, record_id)
        live = store.resolution_for(db, record_id, stage)
        if live is None:
            raise InvalidInputError(
                f"record {record_id} has no resolution at {stage.value} to undo"
            )
        if resolution_id is not None and live.id != resolution_id:
            raise InvalidInputError(
                f"record {record_id}'s resolution at {stage.value} has changed: it is now "
                f"{live.describe()}; nothing was undone"
            )
        store.undo_resolution(db, live.id, who.name)
        return live


def resolution(
    db: sqlite_utils.Database, record_id: int, stage: Stage, *, as_reviewer: str | None = None
) -> Resolution | None:
    """The live resolution; ``as_reviewer`` (a screener, in a blind review) sees it only on a
    record they have decided at ``stage``."""
    review = review_store.load_review(db)
    viewer = review_store.get_reviewer(db, as_reviewer) if as_reviewer is not None else None
    if not _sees_every_conflict(review, viewer):
        assert viewer is not None
        if not store.decided_among(db, stage, viewer.name, [record_id]):
            return None
    return store.resolution_for(db, record_id, stage)


def agreement(
    db: sqlite_utils.Database, stage: Stage | None = None, *, as_reviewer: str | None = None
) -> list[PairAgreement]:
    """Per stage and reviewer pair: the 2x2 counts over units (records, or duplicate clusters) both
    decided, and kappa. ``as_reviewer`` (a screener, in a blind review) gets only the pairs they
    are in."""
    review = review_store.load_review(db)
    viewer = review_store.get_reviewer(db, as_reviewer) if as_reviewer is not None else None
    only = None if _sees_every_conflict(review, viewer) else viewer
    tables: dict[tuple[str, str, str], dict[tuple[str, str], int]] = {}
    for st, a, b, choice_a, choice_b, n in store.agreement_counts(
        db, stage, review.maybe_counts_as
    ):
        if only is not None and only.name not in (a, b):
            continue
        tables.setdefault((st, a, b), {})[(choice_a, choice_b)] = n
    result = []
    for (st, a, b), cells in tables.items():
        ii, ie = cells.get(("include", "include"), 0), cells.get(("include", "exclude"), 0)
        ei, ee = cells.get(("exclude", "include"), 0), cells.get(("exclude", "exclude"), 0)
        result.append(PairAgreement(st, a, b, ii, ie, ei, ee, cohen_kappa([[ii, ie], [ei, ee]])))
    return result


def attach_full_text(
    db: sqlite_utils.Database, record_id: int, path: str | Path, reviewer: str
) -> FullText:
    """Link a record to its full-text file (path made absolute, sha256 stored)."""
    target = Path(path).expanduser()
    if not target.is_file():
        raise ScreenerError(f"{path}: no such file")
    target = target.resolve()
    refuse_database(path, target, "a full-text report")
    digest = sha256_file(target)
    with transaction(db):
        get_record(db, record_id)
        _check_full_text_pool(db, review_store.load_review(db), record_id)
        store.set_full_text(
            db,
            record_id,
            path=str(target),
            sha256=digest,
            not_retrieved=False,
            note="",
            reviewer=reviewer,
        )
        attached = store.full_text_for(db, record_id)
        assert attached is not None  # stored just above, in this transaction
        return attached


def mark_not_retrieved(
    db: sqlite_utils.Database,
    record_id: int,
    reviewer: str,
    *,
    note: str = "",
    not_retrieved: bool = True,
) -> None:
    """Mark a record's report as not retrievable (PRISMA: reports not retrieved), or unmark it."""
    with transaction(db):
        get_record(db, record_id)
        _check_full_text_pool(db, review_store.load_review(db), record_id)
        name = reviewer.strip()
        if not name:
            raise InvalidInputError("a reviewer name is required (give --reviewer NAME)")
        current = store.full_text_for(db, record_id)
        store.set_full_text(
            db,
            record_id,
            path="" if not_retrieved else (current.path if current else ""),
            sha256="" if not_retrieved else (current.sha256 if current else ""),
            not_retrieved=not_retrieved,
            note=clean_text(note),
            reviewer=name,
        )


def full_text_candidates(db: sqlite_utils.Database) -> list[int]:
    """Records that passed title/abstract: all required reviewers included them (maybe counted
    as the review says) or a resolution included them."""
    return store.ids_with_outcome(
        db, Stage.TITLE_ABSTRACT, "include", _params(review_store.load_review(db))
    )


def screening_queue(
    db: sqlite_utils.Database,
    stage: Stage,
    reviewer: str,
    flt: QueueFilter | str = QueueFilter.UNDECIDED,
    tag: str | None = None,
    *,
    after: int = 0,
    limit: int | None = None,
) -> list[int]:
    review = review_store.load_review(db)
    parsed, tag = parse_filter(flt, tag)
    return store.queue_ids(
        db,
        stage,
        reviewer,
        parsed,
        _params(review),
        tag=tag,
        blind=review.blind,
        after=after,
        limit=limit,
    )


def progress(db: sqlite_utils.Database) -> list[StageProgress]:
    params = _params(review_store.load_review(db))
    return [store.stage_progress(db, stage, params) for stage in Stage]
