"""Prioritised screening: each reviewer's ranking, queue order, and the stopping rule.

A reviewer's ranking learns from the decisions that reviewer may know (:func:`training_labels`):
their own, and the team's final ones (agreed by two or more reviewers, or resolved). In a blind
review another reviewer's decision on a record this reviewer has not decided never reaches
their model. It is trained by :func:`retrain` (in the TUI, in a worker process: see
:mod:`screener.flows.rank_worker`), stored whole in the review file (table ``ranking``), and read
by the queue (:func:`ordered_queue`), which never trains.

The stopping rule (:mod:`screener.screening.stopping`) is computed on demand from the stage's
outcomes (the outcome rule of :mod:`screener.storage.screening`) and the random sample a
reviewer starts by switching to random order (:func:`set_queue_order`).
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
from screener.screening.stopping import (
    ScreeningStop,
    StoppingStatus,
    StoppingTest,
    hypergeometric_test,
    sample_needed,
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
    "stop_screening",
    "stopping_status",
    "training_labels",
    "undo_stop",
]

RULE_SETTING = "stopping_rule"
"""Setting (table ``setting``) holding the review's recall target and confidence."""
DEFAULT_RULE = {"recall_target": 0.95, "confidence": 0.95}


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
        stamp = db.execute("SELECT created_at FROM review WHERE id = 1").fetchone()[0]
        path = db.execute("PRAGMA database_list").fetchone()[2] or ":memory:"
        found = self._files.setdefault((path, stamp), Features(self.settings))
        after = int(found.ids[-1]) if len(found) else 0
        ids: list[int] = []
        texts: list[tuple[str, str]] = []
        for batch in store.texts_after(db, after):
            for record_id, title, abstract, keywords in batch:
                ids.append(record_id)
                texts.append(record_text(title, abstract, keywords))
        found.add(ids, texts)
        return found


@dataclass(frozen=True, slots=True)
class Ranking:
    """A reviewer's stored ranking, for showing each record's relevance."""

    info: RankingInfo
    order: np.ndarray           # record ids, most relevant first
    _ids: np.ndarray            # record ids ascending, with their scores and ranks
    _scores: np.ndarray
    _ranks: np.ndarray

    @classmethod
    def of(cls, stored: store.StoredRanking) -> Ranking:
        by_id = np.argsort(stored.record_ids, kind="stable")
        return cls(stored.info, stored.record_ids, stored.record_ids[by_id],
                   stored.scores[by_id], by_id + 1)

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
        maybe_counts_as=review.maybe_counts_as, needed_title_abstract=review.reviewers_title_abstract,
        needed_full_text=review.reviewers_full_text)


def _is_include(choice: str, review: Review) -> bool:
    return choice == Choice.INCLUDE.value or (choice == Choice.MAYBE.value
                                              and review.maybe_counts_as == Choice.INCLUDE.value)


def training_labels(db: sqlite_utils.Database, reviewer: str,
                    stage: Stage = Stage.TITLE_ABSTRACT) -> dict[int, bool]:
    """What ``reviewer``'s ranking learns from: record id -> include (True) or exclude.

    The reviewer's own live decisions (maybe as the review counts it), then the stage's final
    outcomes, which win where they differ. In a blind review only the final outcomes that are
    the team's (resolved, or decided by two or more reviewers) or on records the reviewer
    decided count: a single other reviewer's decision (final when one decision is needed) is
    theirs alone.
    """
    review = review_store.load_review(db)
    rid = review_store.reviewer_id(db, reviewer)
    labels = {record_id: _is_include(choice, review)
              for record_id, choice in store.own_decisions(db, rid, stage)}
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


def retrain(db: sqlite_utils.Database, reviewer: str, stage: Stage = Stage.TITLE_ABSTRACT, *,
            cache: FeatureCache | None = None, force: bool = False) -> RankingInfo | None:
    """Train ``reviewer``'s ranking when it is due (:func:`retrain_due`; always with ``force``)
    and store it; returns the ranking now stored, or None while the reviewer's labels lack an
    include or an exclude."""
    _check_stage(stage)
    rid = review_store.reviewer_id(db, reviewer)
    labels = training_labels(db, reviewer, stage)
    includes = sum(labels.values())
    key = _labels_key(labels)
    stored = store.ranking_key(db, rid, stage)
    if stored is not None and not force and (stored[1] == key or not retrain_due(len(labels), stored[0])):
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
        store.save_ranking(db, rid, stage, pool[order], pool_scores[order], labels=len(labels),
                           includes=includes, labels_key=key, model=model, seconds=seconds)
    return store.ranking_info(db, rid, stage)


def ranking(db: sqlite_utils.Database, reviewer: str,
            stage: Stage = Stage.TITLE_ABSTRACT) -> Ranking | None:
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


def rerank(db: sqlite_utils.Database, reviewer: str, flt: QueueFilter | str = QueueFilter.UNDECIDED,
           tag: str | None = None, *, shown: RankingInfo | None = None,
           cache: FeatureCache | None = None) -> Reranked | None:
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

def _own_counts(db: sqlite_utils.Database, rid: int, stage: Stage, review: Review) -> tuple[int, int]:
    includes = excludes = 0
    for choice, n in db.execute("SELECT decision, count(*) FROM current_decision WHERE stage = ?"
                                " AND reviewer_id = ? GROUP BY decision", [stage.value, rid]):
        if _is_include(choice, review):
            includes += n
        else:
            excludes += n
    return includes, excludes


def queue_order(db: sqlite_utils.Database, reviewer: str,
                stage: Stage = Stage.TITLE_ABSTRACT) -> QueueOrder:
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


def set_queue_order(db: sqlite_utils.Database, reviewer: str, mode: QueueMode | str, *,
                    seed: int | None = None, stage: Stage = Stage.TITLE_ABSTRACT) -> QueueOrder:
    """Choose ``reviewer``'s queue order. Random order starts the stopping rule's random sample
    when none covers every record no one has screened (see the module docstring)."""
    _check_stage(stage)
    chosen = parse_mode(mode)
    with transaction(db):
        rid = review_store.reviewer_id(db, reviewer)
        stored = store.get_order(db, rid, stage)
        store.set_order(db, rid, stage, chosen.value, seed if seed is not None
                        else stored[1] if stored else 0)
        if chosen is QueueMode.RANDOM and store.live_stop(db, stage) is None:
            _start_sample_if_needed(db, rid, stage, seed if seed is not None
                                    else stored[1] if stored else 0)
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


def _sequence(db: sqlite_utils.Database, order: QueueOrder, rid: int, stage: Stage, *,
              whole: bool) -> np.ndarray:
    """Record ids in the order's sequence; ``whole``: every record of the pool (else only what
    the order can give cheaply: a ranking's records, or random order over ids up to the
    highest)."""
    if order.effective is QueueMode.RANDOM:
        ids = (store.pool_ids(db) if whole
               else np.arange(1, screening_store.max_record_id(db) + 1, dtype=np.int64))
        return random_order(ids, order.seed)
    stored = store.load_ranking(db, rid, stage)
    ranked_ids = stored.record_ids if stored is not None else np.zeros(0, dtype=np.int64)
    if not whole:
        return ranked_ids
    pool = store.pool_ids(db)
    return np.concatenate([ranked_ids, pool[~np.isin(pool, ranked_ids)]])


def ordered_queue(db: sqlite_utils.Database, stage: Stage, reviewer: str,
                  flt: QueueFilter | str = QueueFilter.UNDECIDED, tag: str | None = None, *,
                  after: int = 0, limit: int | None = None) -> list[int]:
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
            return screening_store.queue_ids(db, stage, order.reviewer, parsed, params, tag=tag,
                                             blind=blind, after=after, limit=limit)
        found = [i for i in screening_store.queue_ids(db, stage, order.reviewer, parsed, params,
                                                      tag=tag, blind=blind, after=after)
                 if i not in stopped]
        return found if limit is None else found[:limit]
    if parsed is QueueFilter.UNDECIDED and limit is not None:
        sequence = _sequence(db, order, rid, stage, whole=False)
        found = _walk(db, stage, order.reviewer, sequence, _start(sequence, after), limit, stopped)
        if len(found) == limit or order.effective is QueueMode.RANDOM:
            return found
    members = set(screening_store.queue_ids(db, stage, order.reviewer, parsed, params, tag=tag,
                                            blind=blind)) - stopped
    sequence = _sequence(db, order, rid, stage, whole=True)
    start = _start(sequence, after)
    found = [int(i) for i in sequence[start:] if int(i) in members]
    return found if limit is None else found[:limit]


def _start(sequence: np.ndarray, after: int) -> int:
    if not after:
        return 0
    at = np.flatnonzero(sequence == after)
    return int(at[0]) + 1 if at.size else 0


def _walk(db: sqlite_utils.Database, stage: Stage, reviewer: str, sequence: np.ndarray,
          start: int, limit: int, stopped: set[int], window: int = 64) -> list[int]:
    """The first ``limit`` records of ``sequence`` from ``start`` in the pool that the reviewer
    has not decided (a few index probes per record passed)."""
    found: list[int] = []
    for lo in range(start, len(sequence), window):
        part = [int(i) for i in sequence[lo:lo + window]]
        members = store.in_pool(db, part)
        decided = screening_store.decided_among(db, stage, reviewer, part)
        found += [i for i in part if i in members and i not in decided and i not in stopped]
        if len(found) >= limit:
            return found[:limit]
    return found


# --- the stopping rule ---------------------------------------------------------------------------

def stopping_rule(db: sqlite_utils.Database) -> tuple[float, float]:
    """The review's (recall target, confidence)."""
    rule = {**DEFAULT_RULE, **(review_store.get_setting(db, RULE_SETTING) or {})}
    return float(rule["recall_target"]), float(rule["confidence"])


def set_stopping_rule(db: sqlite_utils.Database, reviewer: str, *, recall_target: float,
                      confidence: float) -> None:
    """Set the review's recall target and confidence (the lead's)."""
    _check_rule(recall_target, confidence)
    with transaction(db):
        _lead(db, reviewer, "set the stopping rule")
        review_store.put_setting(db, RULE_SETTING, {"recall_target": recall_target,
                                                    "confidence": confidence})


def _check_rule(recall_target: float, confidence: float) -> None:
    for name, value in (("recall target", recall_target), ("confidence", confidence)):
        if not 0.5 <= value < 1:
            raise InvalidInputError(f"the {name} is a proportion from 0.5 to below 1 "
                                    f"(e.g. 0.95), not {value}")


def _lead(db: sqlite_utils.Database, reviewer: str, what: str) -> str:
    who = review_store.get_reviewer(db, reviewer)
    if who.role != "lead":
        raise InvalidInputError(f"only the review's lead can {what}; {who.name} is {who.role}")
    return who.name


@dataclass(frozen=True, slots=True)
class _State:
    pool: np.ndarray
    includes: set[int]
    screened: set[int]
    unscreened: np.ndarray
    in_progress: int


def _state(db: sqlite_utils.Database, stage: Stage) -> _State:
    params = _params(review_store.load_review(db))
    includes = set(screening_store.ids_with_outcome(db, stage, "include", params))
    excludes = set(screening_store.ids_with_outcome(db, stage, "exclude", params))
    pool = store.pool_ids(db)
    decided = np.fromiter(store.decided_ids(db, stage), dtype=np.int64)
    touched = pool[np.isin(pool, decided)]
    screened = includes | excludes
    return _State(pool, includes, screened, np.setdiff1d(pool, decided),
                  int(touched.shape[0]) - len(screened))


def stopping_status(db: sqlite_utils.Database, stage: Stage = Stage.TITLE_ABSTRACT, *,
                    recall_target: float | None = None,
                    confidence: float | None = None) -> StoppingStatus:
    """The stage against the stopping rule (the review's target and confidence unless given)."""
    _check_stage(stage)
    target, conf = stopping_rule(db)
    target = recall_target if recall_target is not None else target
    conf = confidence if confidence is not None else conf
    _check_rule(target, conf)
    state = _state(db, stage)
    stop = store.live_stop(db, stage)
    test: StoppingTest | None = None
    blockers: list[str] = []
    sample = store.latest_sample(db, stage)
    started = ""
    if sample is not None and stop is None:
        outside = int((~np.isin(state.unscreened, sample.urn)).sum())
        if outside:
            blockers.append(f"{outside:,} records no one has screened are not in the random "
                            "sample (added after it began): switch to random order again to "
                            "start a new sample")
        else:
            test, started = _sample_test(state, sample, target, conf), sample.started_at
    if stop is None:
        if state.in_progress:
            blockers.append(f"{state.in_progress:,} records have decisions but no final one "
                            "(a conflict, or a second decision to come): settle them first")
        if test is None and not blockers:
            blockers.append("no random sample yet: switch the queue to random order to start one")
        elif test is not None and not test.met:
            blockers.append("the criterion is not met yet")
    needed = sample_needed(unscreened=int(state.unscreened.shape[0]), includes=len(state.includes),
                           recall_target=target, confidence=conf)
    return StoppingStatus(stage.value, target, conf, int(state.pool.shape[0]), len(state.screened),
                          len(state.includes), state.in_progress, int(state.unscreened.shape[0]),
                          test, needed, started, tuple(blockers), stop)


def _sample_test(state: _State, sample: store.Sample, target: float, conf: float) -> StoppingTest:
    """The test on the sample: the longest run of the urn's order whose records all have a final
    decision (see db/0005)."""
    final = np.isin(sample.urn, np.fromiter(state.screened, dtype=np.int64))
    n = int(np.argmin(final)) if not final.all() else int(final.shape[0])
    prefix = sample.urn[:n]
    k = int(np.isin(prefix, np.fromiter(state.includes, dtype=np.int64)).sum())
    inside = int(np.isin(np.fromiter(state.includes, dtype=np.int64), sample.urn).sum())
    return hypergeometric_test(urn=int(sample.urn.shape[0]), sampled=n, sample_includes=k,
                       includes_before=len(state.includes) - inside,
                       includes_found=len(state.includes), recall_target=target, confidence=conf)


def stop_screening(db: sqlite_utils.Database, reviewer: str, stage: Stage = Stage.TITLE_ABSTRACT, *,
                   recall_target: float | None = None,
                   confidence: float | None = None) -> ScreeningStop:
    """Stop ``stage``'s screening by the rule (the lead's action): every record no one has
    screened is marked "not screened: stopping rule", with the test's figures stored. Refused
    unless the criterion is met with no record in progress."""
    _check_stage(stage)
    with transaction(db):
        name = _lead(db, reviewer, "stop screening")
        status = stopping_status(db, stage, recall_target=recall_target, confidence=confidence)
        if status.stop is not None:
            raise InvalidInputError(f"screening was stopped already: {status.summary()}")
        if not status.can_stop or status.test is None:
            raise InvalidInputError("cannot stop yet: " + "; ".join(status.blockers))
        sample = store.latest_sample(db, stage)
        state = _state(db, stage)
        store.add_stop(db, stage, review_store.reviewer_id(db, name), sample.id if sample else None,
                       status.test, records=status.records, screened=status.screened,
                       record_ids=[int(i) for i in state.unscreened])
        stop = store.live_stop(db, stage)
    assert stop is not None
    return stop


def undo_stop(db: sqlite_utils.Database, reviewer: str,
              stage: Stage = Stage.TITLE_ABSTRACT) -> ScreeningStop:
    """Undo the stage's stop (the lead's): its records are to be screened again."""
    _check_stage(stage)
    with transaction(db):
        name = _lead(db, reviewer, "undo a stop")
        stop = store.live_stop(db, stage)
        if stop is None:
            raise InvalidInputError("screening has not been stopped: nothing to undo")
        store.undo_stop(db, stop.id, review_store.reviewer_id(db, name))
    return stop


def stopped_records(db: sqlite_utils.Database, stage: Stage = Stage.TITLE_ABSTRACT) -> set[int]:
    return store.stopped_ids(db, stage)



def methods_text(db: sqlite_utils.Database, stage: Stage = Stage.TITLE_ABSTRACT) -> tuple[str, ...]:
    """The report's methods paragraphs: the prioritisation, and the stop with its figures."""
    out: list[str] = []
    ranked_by = db.execute("SELECT count(*) FROM ranking WHERE stage = ?", [stage.value]).fetchone()[0]
    if ranked_by:
        out.append(
            "Title/abstract records were screened in order of predicted relevance: for each "
            "reviewer, a linear support vector machine on TF-IDF word (1-2) and character "
            "(3-5) n-grams of titles, abstracts and keywords, retrained as decisions were made, "
            "learning only from that reviewer's own decisions and the team's final ones "
            f"(screener's ranking; {ranked_by} reviewer ranking{'s' if ranked_by != 1 else ''}).")
    stop = store.live_stop(db, stage)
    if stop is not None:
        t = stop.test
        recall = ("" if t.recall_estimate is None else
                  f" Estimated recall was {100 * t.recall_estimate:.1f}% ({100 * t.confidence:.0f}% "
                  f"CI {100 * (t.recall_low or 0):.1f}% to {100 * (t.recall_high or 0):.1f}%).")
        out.append(
            "Screening stopped by the statistical stopping criterion of Callaghan and "
            "Müller-Hansen (2020, Systematic Reviews 9:273): a hypergeometric test, on a random "
            "sample of the records not screened when sampling began, of the hypothesis that "
            f"recall is below the target of {100 * t.recall_target:.0f}%, at "
            f"{100 * t.confidence:.0f}% confidence. When {stop.reviewer} stopped on "
            f"{stop.stopped_at[:10]}, {stop.screened:,} of {stop.records:,} records had been "
            f"screened and {t.includes_found:,} included; {t.sample_includes:,} of the "
            f"{t.sampled:,} records sampled at random from {t.urn:,} were relevant "
            f"({t.includes_before:,} includes had been found before sampling), so at least "
            f"{t.k_target:,} relevant records in the sampled pool would have been needed for "
            f"recall below the target (p = {t.p_value:.4f}).{recall} The {stop.marked:,} records "
            "not screened are counted in the PRISMA diagram as marked ineligible by automation "
            "tools.")
    return tuple(out)
