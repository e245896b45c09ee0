"""Prioritised screening: each reviewer's ranking, queue order, and the stopping rule.

A reviewer's ranking learns from the decisions that reviewer may know (:func:`training_labels`):
their own, and the team's final ones (agreed by two or more reviewers, or resolved). In a blind
review another reviewer's decision on a record this reviewer has not decided never reaches
their model. It is trained by :func:`retrain` (in the TUI, in a worker process: see
:mod:`screener.flows.rank_worker`), stored whole in the review file (table ``ranking``), and read
by the queue (:func:`ordered_queue`), which never trains.

Switching to random order starts the stopping rule's random sample (:func:`set_queue_order`;
the rule itself is :mod:`screener.flows.stopping`).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass

import numpy as np
import sqlite_utils

from screener.errors import InvalidInputError
from screener.model import Choice, Review, Stage
from screener.screening import QueueFilter, parse_filter
from screener.screening.order import (
    QueueMode,
    QueueOrder,
    RankingInfo,
    parse_mode,
    random_order,
)
from screener.screening.ranking import (
    Features,
    RankingSettings,
    ranked,
    record_text,
    retrain_due,
    score,
)
from screener.storage import ranking as store
from screener.storage import review as review_store
from screener.storage import screening as screening_store
from screener.storage.db import transaction

__all__ = [
    "FeatureCache",
    "Ranking",
    "Reranked",
    "ordered_queue",
    "queue_order",
    "ranking",
    "rerank",
    "retrain",
    "set_queue_order",
    "training_labels",
]


class FeatureCache:
    """Text features of review files, kept between trainings by one process.

    Building the features is the costly part of ranking (about a minute for 100,000 records);
    training on them is not. Records added since are vectorised on the next use. A file is
    known by its path and its review's creation time, so a file replaced by another is read
    again.
    """

    def __init__(self, settings: RankingSettings | None = None) -> None:
        self.settings = settings or RankingSettings()
        self._files: dict[tuple[str, str], Features] = {}

    def features(self, db: sqlite_utils.Database) -> Features:
        found = self._files.setdefault(store.file_stamp(db), Features(self.settings))
        after = int(found.ids[-1]) if len(found) else 0
        added = False
        # batch by batch: the texts of 100,000 records would take more memory than their features
        for batch in store.texts_after(db, after):
            found.append([row[0] for row in batch], [record_text(*row[1:]) for row in batch])
            added = True
        if added:
            found.finish()
        return found


@dataclass(frozen=True, slots=True)
class Ranking:
    """A reviewer's stored ranking, for showing each record's relevance."""

    info: RankingInfo
    order: np.ndarray  # record ids, most relevant first
    _ids: np.ndarray  # record ids ascending, with their scores and ranks
    _scores: np.ndarray
    _ranks: np.ndarray

    @classmethod
    def of(cls, stored: store.StoredRanking) -> Ranking:
        by_id = np.argsort(stored.record_ids, kind="stable")
        return cls(
            stored.info,
            stored.record_ids,
            stored.record_ids[by_id],
            stored.scores[by_id],
            by_id + 1,
        )

    def __len__(self) -> int:
        return int(self.order.shape[0])

    def relevance(self, record_id: int) -> tuple[float, int] | None:
        """(score in 0..1, rank from 1) of a record, or None if it was not ranked."""
        at = int(np.searchsorted(self._ids, record_id))
        if at >= len(self) or self._ids[at] != record_id:
            return None
        return float(self._scores[at]), int(self._ranks[at])


def _check_stage(stage: Stage) -> None:
    if stage is not Stage.TITLE_ABSTRACT:
        raise InvalidInputError("ranking and the stopping rule are for title/abstract screening")


def _params(review: Review) -> dict[str, object]:
    return screening_store.outcome_params(
        maybe_counts_as=review.maybe_counts_as,
        needed_title_abstract=review.reviewers_title_abstract,
        needed_full_text=review.reviewers_full_text,
    )


def _is_include(choice: str, review: Review) -> bool:
    return choice == Choice.INCLUDE.value or (
        choice == Choice.MAYBE.value and review.maybe_counts_as == Choice.INCLUDE.value
    )


def training_labels(
    db: sqlite_utils.Database, reviewer: str, stage: Stage = Stage.TITLE_ABSTRACT
) -> dict[int, bool]:
    """What ``reviewer``'s ranking learns from: record id -> include (True) or exclude.

    The reviewer's own live decisions (maybe as the review counts it), then the stage's final
    outcomes, which win where they differ. In a blind review only the final outcomes that are
    the team's (resolved, or decided by two or more reviewers) or on records the reviewer
    decided count: a single other reviewer's decision (final when one decision is needed) is
    theirs alone.
    """
    review = review_store.load_review(db)
    rid = review_store.reviewer_id(db, reviewer)
    labels = {
        record_id: _is_include(choice, review)
        for record_id, choice in store.own_decisions(db, rid, stage)
    }
    allowed = (set(labels) | store.shared_ids(db, stage)) if review.blind else None
    params = _params(review)
    for outcome, value in (("include", True), ("exclude", False)):
        for record_id in screening_store.ids_with_outcome(db, stage, outcome, params):
            if allowed is None or record_id in allowed:
                labels[record_id] = value
    return labels


def _labels_key(labels: dict[int, bool]) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    for record_id in sorted(labels):
        digest.update(f"{record_id}:{int(labels[record_id])};".encode())
    return digest.hexdigest()


def retrain(
    db: sqlite_utils.Database,
    reviewer: str,
    stage: Stage = Stage.TITLE_ABSTRACT,
    *,
    cache: FeatureCache | None = None,
    force: bool = False,
) -> RankingInfo | None:
    """Train ``reviewer``'s ranking when it is due (:func:`retrain_due`; always with ``force``)
    and store it; returns the ranking now stored, or None while the reviewer's labels lack an
    include or an exclude."""
    _check_stage(stage)
    rid = review_store.reviewer_id(db, reviewer)
    labels = training_labels(db, reviewer, stage)
    includes = sum(labels.values())
    key = _labels_key(labels)
    stored = store.ranking_key(db, rid, stage)
    records = screening_store.max_record_id(db)
    if (
        stored is not None
        and not force
        and (stored[1] == key or not retrain_due(len(labels), stored[0], records))
    ):
        return store.ranking_info(db, rid, stage)
    if not includes or includes == len(labels):
        return store.ranking_info(db, rid, stage)
    started = time.perf_counter()
    cache = cache or FeatureCache()
    features = cache.features(db)
    labelled = np.fromiter(labels, dtype=np.int64)
    positions = np.searchsorted(features.ids, labelled)
    scores = score(features, positions, [labels[int(i)] for i in labelled])
    pool = store.pool_ids(db)
    at = np.searchsorted(features.ids, pool)
    pool_scores = scores[at]
    order = ranked(pool_scores)
    model = {"model": "tfidf-word-char+linear-svm", **asdict(cache.settings)}
    seconds = time.perf_counter() - started
    with transaction(db):
        store.save_ranking(
            db,
            rid,
            stage,
            pool[order],
            pool_scores[order],
            labels=len(labels),
            includes=includes,
            labels_key=key,
            model=model,
            seconds=seconds,
        )
    return store.ranking_info(db, rid, stage)


def ranking(
    db: sqlite_utils.Database, reviewer: str, stage: Stage = Stage.TITLE_ABSTRACT
) -> Ranking | None:
    """``reviewer``'s stored ranking, or None before the first training."""
    stored = store.load_ranking(db, review_store.reviewer_id(db, reviewer), stage)
    return Ranking.of(stored) if stored is not None else None


@dataclass(frozen=True, slots=True)
class Reranked:
    """A new ranking, and the reviewer's queue in its order (None unless the queue follows it)."""

    info: RankingInfo
    order: QueueOrder
    ranking: Ranking | None
    ids: list[int] | None


def rerank(
    db: sqlite_utils.Database,
    reviewer: str,
    flt: QueueFilter | str = QueueFilter.UNDECIDED,
    tag: str | None = None,
    *,
    shown: RankingInfo | None = None,
    cache: FeatureCache | None = None,
) -> Reranked | None:
    """Retrain ``reviewer``'s ranking when due; when the stored ranking is not ``shown`` (the one
    a screen shows), the ranking with the queue (``flt``, ``tag``) in the reviewer's order. All
    of it runs where it is called: in the TUI, in the ranking process."""
    info = retrain(db, reviewer, cache=cache)
    if info is None or info == shown:
        return None
    order = queue_order(db, reviewer)
    ids = None
    if order.effective is QueueMode.RELEVANCE:
        ids = ordered_queue(db, Stage.TITLE_ABSTRACT, reviewer, flt, tag)
    return Reranked(info, order, ranking(db, reviewer), ids)


# --- queue order ---------------------------------------------------------------------------------


def _own_counts(
    db: sqlite_utils.Database, rid: int, stage: Stage, review: Review
) -> tuple[int, int]:
    includes = excludes = 0
    for choice, n in store.own_choice_counts(db, rid, stage):
        if _is_include(choice, review):
            includes += n
        else:
            excludes += n
    return includes, excludes


def queue_order(
    db: sqlite_utils.Database, reviewer: str, stage: Stage = Stage.TITLE_ABSTRACT
) -> QueueOrder:
    """``reviewer``'s chosen order at ``stage`` and the order it gives now. The full-text stage
    is always in file order."""
    who = review_store.get_reviewer(db, reviewer)
    rid = review_store.reviewer_id(db, who.name)
    if stage is not Stage.TITLE_ABSTRACT:
        return QueueOrder(who.name, QueueMode.FILE, QueueMode.FILE, 0)
    stored = store.get_order(db, rid, stage)
    mode, seed = (QueueMode(stored[0]), stored[1]) if stored else (QueueMode.AUTO, 0)
    effective = mode
    if mode is QueueMode.AUTO:
        includes, excludes = _own_counts(db, rid, stage, review_store.load_review(db))
        effective = QueueMode.RELEVANCE if includes and excludes else QueueMode.FILE
    sampling = False
    if effective is QueueMode.RANDOM:
        sample = store.latest_sample(db, stage)
        if sample is not None:
            seed, sampling = sample.seed, True
    return QueueOrder(who.name, mode, effective, seed, store.ranking_info(db, rid, stage), sampling)


def set_queue_order(
    db: sqlite_utils.Database,
    reviewer: str,
    mode: QueueMode | str,
    *,
    seed: int | None = None,
    stage: Stage = Stage.TITLE_ABSTRACT,
) -> QueueOrder:
    """Choose ``reviewer``'s queue order. Random order starts the stopping rule's random sample
    when none covers every record no one has screened (see the module docstring)."""
    _check_stage(stage)
    chosen = parse_mode(mode)
    with transaction(db):
        rid = review_store.reviewer_id(db, reviewer)
        stored = store.get_order(db, rid, stage)
        store.set_order(
            db, rid, stage, chosen.value, seed if seed is not None else stored[1] if stored else 0
        )
        if chosen is QueueMode.RANDOM and store.live_stop(db, stage) is None:
            _start_sample_if_needed(
                db, rid, stage, seed if seed is not None else stored[1] if stored else 0
            )
    return queue_order(db, reviewer, stage)


def _start_sample_if_needed(db: sqlite_utils.Database, rid: int, stage: Stage, seed: int) -> None:
    pool = store.pool_ids(db)
    unscreened = np.setdiff1d(pool, np.fromiter(store.decided_ids(db, stage), dtype=np.int64))
    sample = store.latest_sample(db, stage)
    if sample is not None and np.isin(unscreened, sample.urn).all():
        return
    review = review_store.load_review(db)
    includes = len(screening_store.ids_with_outcome(db, stage, "include", _params(review)))
    store.add_sample(db, stage, seed, random_order(unscreened, seed), includes, rid)


def _sequence(
    db: sqlite_utils.Database, order: QueueOrder, rid: int, stage: Stage, *, whole: bool
) -> np.ndarray:
    """Record ids in the order's sequence; ``whole``: every record of the pool (else only what
    the order can give cheaply: a ranking's records, or random order over ids up to the
    highest)."""
    if order.effective is QueueMode.RANDOM:
        ids = (
            store.pool_ids(db)
            if whole
            else np.arange(1, screening_store.max_record_id(db) + 1, dtype=np.int64)
        )
        return random_order(ids, order.seed)
    stored = store.load_ranking(db, rid, stage)
    ranked_ids = stored.record_ids if stored is not None else np.zeros(0, dtype=np.int64)
    if not whole:
        return ranked_ids
    pool = store.pool_ids(db)
    return np.concatenate([ranked_ids, pool[~np.isin(pool, ranked_ids)]])


def ordered_queue(
    db: sqlite_utils.Database,
    stage: Stage,
    reviewer: str,
    flt: QueueFilter | str = QueueFilter.UNDECIDED,
    tag: str | None = None,
    *,
    after: int = 0,
    limit: int | None = None,
) -> list[int]:
    """The records of ``reviewer``'s queue (as :func:`screening_queue` filters them) in the
    reviewer's order; ``after``: only those after that record in the order; ``limit``: at most
    so many. The undecided queue leaves out records a stop marked not screened."""
    parsed, tag = parse_filter(flt, tag)
    order = queue_order(db, reviewer, stage)
    rid = review_store.reviewer_id(db, order.reviewer)
    blind = review_store.load_review(db).blind
    params = _params(review_store.load_review(db))
    stopped = store.stopped_ids(db, stage) if parsed is QueueFilter.UNDECIDED else set()
    if order.effective is QueueMode.FILE:
        if not stopped:
            return screening_store.queue_ids(
                db,
                stage,
                order.reviewer,
                parsed,
                params,
                tag=tag,
                blind=blind,
                after=after,
                limit=limit,
            )
        found = [
            i
            for i in screening_store.queue_ids(
                db, stage, order.reviewer, parsed, params, tag=tag, blind=blind, after=after
            )
            if i not in stopped
        ]
        return found if limit is None else found[:limit]
    if parsed is QueueFilter.UNDECIDED and limit is not None:
        sequence = _sequence(db, order, rid, stage, whole=False)
        found = _walk(db, stage, order.reviewer, sequence, _start(sequence, after), limit, stopped)
        if len(found) == limit or order.effective is QueueMode.RANDOM:
            return found
    members = (
        set(
            screening_store.queue_ids(
                db, stage, order.reviewer, parsed, params, tag=tag, blind=blind
            )
        )
        - stopped
    )
    sequence = _sequence(db, order, rid, stage, whole=True)
    start = _start(sequence, after)
    found = [int(i) for i in sequence[start:] if int(i) in members]
    return found if limit is None else found[:limit]


def _start(sequence: np.ndarray, after: int) -> int:
    if not after:
        return 0
    at = np.flatnonzero(sequence == after)
    return int(at[0]) + 1 if at.size else 0


def _walk(
    db: sqlite_utils.Database,
    stage: Stage,
    reviewer: str,
    sequence: np.ndarray,
    start: int,
    limit: int,
    stopped: set[int],
    window: int = 64,
) -> list[int]:
    """The first ``limit`` records of ``sequence`` from ``start`` in the pool that the reviewer
    has not decided (a few index probes per record passed)."""
    found: list[int] = []
    for lo in range(start, len(sequence), window):
        part = [int(i) for i in sequence[lo : lo + window]]
        members = store.in_pool(db, part)
        decided = screening_store.decided_among(db, stage, reviewer, part)
        found += [i for i in part if i in members and i not in decided and i not in stopped]
        if len(found) >= limit:
            return found[:limit]
    return found
