"""Offline copies: ``checkout`` makes a blind copy of the review for one reviewer, ``merge``
brings back what that reviewer did in it.

A merge appends the copy's new decisions (and undos) and notes to the review's history with
their own times, and applies the reviewer's changes to the rows kept in place (tags, full-text
entries, extraction values, risk-of-bias judgements) where the review still holds what the
copy started from; where the review changed such a row since, the review's row is kept and
counted ("kept"). Every row merged is logged by its origin (copy id, kind, key) in
``merged_row``, so merging a copy again, or after more work in it, adds only what is new. It
all runs in one transaction: a merge that fails leaves the review as it was.

What a merge does not bring back (conflict resolutions, duplicate verdicts, settings, studies,
the extraction form, analyses, GRADE, the stopping rule: the lead's and the arbiter's work in the
review) it names in the summary when the copy changed it (``left_in_copy``), with exclusion
reasons made in the copy and never used; it is left in the copy, not lost silently.

A live decision after a merge: of the reviewer's decisions on a record and stage not undone,
the one made last (by its time) is live, whichever file it was made in. An undo made offline
undoes the same decision in the review.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from screener.display import count_of
from screener.errors import InvalidInputError
from screener.files import new_file_path
from screener.storage import offline as store
from screener.storage import offline_merge as merged
from screener.storage import review as review_store
from screener.storage.db import open_review, transaction
from screener.storage.screening import outcome_params

__all__ = ["Checkout", "MergeSummary", "checkout", "merge"]


@dataclass(frozen=True, slots=True)
class Checkout:
    """A copy made: where, for whom, its id, and the rows of others' work left out per table."""

    path: Path
    reviewer: str
    copy_uid: str
    left_out: dict[str, int]


@dataclass(frozen=True, slots=True)
class MergeSummary:
    """What one merge brought into the review, per kind of row."""

    reviewer: str
    decisions: int = 0
    undos: int = 0
    notes: int = 0
    tags: int = 0
    untags: int = 0
    full_texts: int = 0
    values: int = 0
    judgements: int = 0
    removed: int = 0  # extraction values and judgements the reviewer cleared
    kept: int = 0  # rows the review changed since the checkout: left as they are
    reasons_added: tuple[str, ...] = ()
    left_in_copy: tuple[str, ...] = ()  # work done in the copy that a merge does not bring back
    reasons_left: tuple[str, ...] = ()  # exclusion reasons made in the copy and never used

    @property
    def nothing(self) -> bool:
        return not any(
            (
                self.decisions,
                self.undos,
                self.notes,
                self.tags,
                self.untags,
                self.full_texts,
                self.values,
                self.judgements,
                self.removed,
                self.reasons_added,
            )
        )


def checkout(db: sqlite_utils.Database, path: Path, reviewer: str, out: str | Path) -> Checkout:
    """Write to ``out`` a blind copy of the review ``db`` (at ``path``) for ``reviewer``."""
    if store.copy_info(db) is not None:
        raise InvalidInputError(
            f"{path} is itself an offline copy; make copies from the review file"
        )
    who = review_store.get_reviewer(db, reviewer)
    review = review_store.load_review(db)
    params = outcome_params(
        maybe_counts_as=review.maybe_counts_as,
        needed_title_abstract=review.reviewers_title_abstract,
        needed_full_text=review.reviewers_full_text,
    )
    with new_file_path(out, protect=[path]) as tmp:
        copy_uid, left_out = store.make_copy(db, tmp, who.name, params)
    return Checkout(Path(out), who.name, copy_uid, left_out)


def _same_file(a: Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def merge(db: sqlite_utils.Database, path: Path, copy_path: str | Path) -> MergeSummary:
    """Bring the work done in the copy at ``copy_path`` into the review ``db`` (at ``path``)."""
    if _same_file(path, copy_path):
        raise InvalidInputError(
            f"{copy_path} is the review itself; give the offline copy (made by screener checkout)"
        )
    if store.copy_info(db) is not None:
        raise InvalidInputError(
            f"{path} is an offline copy; merge into the review file it was made from"
        )
    copy = open_review(copy_path)
    try:
        plan = _plan(db, path, copy, copy_path)
    finally:
        copy.conn.close()
    with transaction(db):
        return _apply(db, plan)


@dataclass
class _Plan:
    info: store.CopyInfo
    reviewer: str  # the declared spelling in the review
    reviewer_id: int
    decisions: list[store.DecisionRow]
    base_decisions: set[int]  # copy ids that are the review's own rows
    done_decisions: dict[int, int]  # copy id -> review id, merged before
    notes: list[store.NoteRow]
    changes: list[tuple[str, Any, Any, Any]]  # kind, key, value (None: remove), previous
    kept: int
    left_in_copy: tuple[str, ...]
    copy_reasons: set[str]


def _plan(
    db: sqlite_utils.Database, path: Path, copy: sqlite_utils.Database, copy_path: str | Path
) -> _Plan:
    """Read the copy and decide what to merge; refuse (one line) what cannot be merged."""
    info = store.copy_info(copy)
    if info is None:
        raise InvalidInputError(
            f"{copy_path} is not an offline copy (make one with: screener "
            "checkout REVIEW.db --reviewer NAME --out COPY.db)"
        )
    if info.review_uid != review_store.review_uid(db):
        raise InvalidInputError(
            f"{copy_path} is a copy of another review, not of {path}; nothing was merged"
        )
    found = review_store.find_reviewer(db, info.reviewer)
    if found is None:
        raise InvalidInputError(
            f"{copy_path} is {info.reviewer!r}'s copy, who is not a reviewer "
            f"of {path}; nothing was merged"
        )
    reviewer_id, declared = found
    mine = review_store.name_key(info.reviewer)

    main_records = store.record_stamps(db)
    foreign = [i for i, stamp in store.record_stamps(copy).items() if main_records.get(i) != stamp]
    if foreign:
        raise InvalidInputError(
            f"{copy_path} holds {count_of(len(foreign), 'record')} the review lacks (first: id "
            f"{foreign[0]}); records are imported into the review itself, not into a copy; "
            "nothing was merged"
        )

    copy_decisions = store.decision_rows(copy)
    main_decisions = store.decision_rows(db, copy_decisions)
    new = [
        row
        for i, row in copy_decisions.items()
        if not (i in main_decisions and main_decisions[i].same(row))
    ]
    copy_notes = store.note_rows(copy)
    main_notes = store.note_rows(db, copy_notes)
    new_notes = [row for i, row in copy_notes.items() if main_notes.get(i) != row]
    _refuse_others(
        copy_path,
        info.reviewer,
        mine,
        [row.reviewer for row in new] + [row.reviewer for row in new_notes],
    )
    done = store.merged_ids(db, info.uid, "decision")
    done_notes = store.merged_ids(db, info.uid, "note")

    changes: list[tuple[str, Any, Any, Any]] = []
    kept = 0
    studies, outcomes = store.names(db, "study"), store.names(db, "outcome")
    for kind in store.MUTABLE_KINDS:
        base, now = store.base_rows(copy, kind), store.mutable_rows(copy, kind)
        main, applied = store.mutable_rows(db, kind), store.applied_rows(db, info.uid, kind)
        # what the review last had from this copy: what a merge of it applied, or else what
        # the copy started from
        start = {
            k: applied[k] if k in applied else base.get(k)
            for k in set(base) | set(now) | set(applied)
        }
        changed = [k for k in sorted(start, key=repr) if now.get(k) != start[k]]
        _refuse_others(
            copy_path,
            info.reviewer,
            mine,
            [_who(kind, k, now.get(k) or start[k] or []) for k in changed],
        )
        for key in changed:
            wanted, current = now.get(key), main.get(key)
            if current == wanted:
                continue
            if current != start[key]:
                kept += 1
                continue
            if kind in ("value", "judgement"):
                _check_names(copy_path, key, kind, studies, outcomes)
            changes.append((kind, key, wanted, current))
    return _Plan(
        info,
        declared.name,
        reviewer_id,
        [row for row in new if row.id not in done],
        {i for i in copy_decisions if i not in {row.id for row in new}},
        done,
        [row for row in new_notes if row.id not in done_notes],
        changes,
        kept,
        tuple(store.left_in_copy(copy)),
        store.reason_labels(copy),
    )


def _who(kind: str, key: Any, value: list[Any]) -> str:
    return str(value[store.WHO[kind]] if kind == "full_text" else key[store.WHO[kind]])


def _refuse_others(copy_path: str | Path, reviewer: str, mine: str, who: Iterable[str]) -> None:
    others = sorted({w for w in who if w != mine})
    if others:
        raise InvalidInputError(
            f"{copy_path} holds work by {', '.join(repr(o or 'nobody') for o in others)}, not only "
            f"by {reviewer!r} whose copy it is; nothing was merged"
        )


def _check_names(
    copy_path: str | Path, key: Any, kind: str, studies: set[str], outcomes: set[str]
) -> None:
    study, outcome = key[0], key[1] if kind == "value" else key[2]
    if study not in studies:
        raise InvalidInputError(
            f"{copy_path}: study {study!r} was made in the copy; add it to "
            "the review first (screener study add); nothing was merged"
        )
    if outcome and outcome not in outcomes:
        raise InvalidInputError(
            f"{copy_path}: outcome {outcome!r} is not in the review's form; nothing was merged"
        )


def _apply(db: sqlite_utils.Database, plan: _Plan) -> MergeSummary:
    """Write ``plan`` into the review (inside the caller's transaction)."""
    uid = plan.info.uid
    reasons, added = merged.reason_ids(db, [row.reason for row in plan.decisions if row.reason])
    mapped = dict(plan.done_decisions)
    counts = {
        "decisions": 0,
        "undos": 0,
        "notes": 0,
        "tags": 0,
        "untags": 0,
        "full_texts": 0,
        "values": 0,
        "judgements": 0,
        "removed": 0,
    }
    for row in plan.decisions:
        undoes = None
        if row.undoes_id is not None:
            undoes = (
                row.undoes_id if row.undoes_id in plan.base_decisions else mapped[row.undoes_id]
            )
        main_id = merged.append_decision(
            db,
            row,
            reviewer_id=plan.reviewer_id,
            reason_id=reasons[row.reason] if row.reason else None,
            undoes_id=undoes,
        )
        mapped[row.id] = main_id
        merged.log_merged(db, uid, "decision", row.id, main_id=main_id)
        counts["decisions" if row.action == "decide" else "undos"] += 1
    for note in plan.notes:
        merged.log_merged(
            db,
            uid,
            "note",
            note.id,
            main_id=merged.append_note(db, note, reviewer_id=plan.reviewer_id),
        )
        counts["notes"] += 1
    for kind, key, value, previous in plan.changes:
        merged.put_mutable(db, kind, key, value)
        merged.log_merged(db, uid, kind, list(key), value=value, previous=previous)
        if kind == "tag":
            counts["tags" if value is not None else "untags"] += 1
        elif kind == "full_text":
            counts["full_texts"] += 1
        else:
            counts[kind + "s" if value is not None else "removed"] += 1
    return MergeSummary(
        plan.reviewer,
        kept=plan.kept,
        reasons_added=tuple(added),
        left_in_copy=plan.left_in_copy,
        reasons_left=tuple(sorted(plan.copy_reasons - store.reason_labels(db))),
        **counts,
    )
