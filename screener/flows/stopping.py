"""The stopping rule of prioritised screening: its status, the lead's stop, the report's text.

The rule (:mod:`screener.screening.stopping`, Callaghan & Müller-Hansen 2020) is computed on
demand from the stage's outcomes (the outcome rule of :mod:`screener.storage.screening`) and
the random sample a reviewer starts by switching to random order
(:func:`screener.flows.ranking.set_queue_order`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sqlite_utils

from screener.errors import InvalidInputError
from screener.model import Review, Stage
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
    "methods_text",
    "set_stopping_rule",
    "stop_screening",
    "stopped_records",
    "stopping_rule",
    "stopping_status",
    "undo_stop",
]

RULE_SETTING = "stopping_rule"
"""Setting (table ``setting``) holding the review's recall target and confidence."""
DEFAULT_RULE = {"recall_target": 0.95, "confidence": 0.95}


def _check_stage(stage: Stage) -> None:
    if stage is not Stage.TITLE_ABSTRACT:
        raise InvalidInputError("the stopping rule is for title/abstract screening")


def _params(review: Review) -> dict[str, object]:
    return screening_store.outcome_params(
        maybe_counts_as=review.maybe_counts_as,
        needed_title_abstract=review.reviewers_title_abstract,
        needed_full_text=review.reviewers_full_text,
    )


def stopping_rule(db: sqlite_utils.Database) -> tuple[float, float]:
    """The review's (recall target, confidence)."""
    rule = {**DEFAULT_RULE, **(review_store.get_setting(db, RULE_SETTING) or {})}
    return float(rule["recall_target"]), float(rule["confidence"])


def set_stopping_rule(
    db: sqlite_utils.Database, reviewer: str, *, recall_target: float, confidence: float
) -> None:
    """Set the review's recall target and confidence (the lead's)."""
    _check_rule(recall_target, confidence)
    with transaction(db):
        _lead(db, reviewer, "set the stopping rule")
        review_store.put_setting(
            db, RULE_SETTING, {"recall_target": recall_target, "confidence": confidence}
        )


def _check_rule(recall_target: float, confidence: float) -> None:
    for name, value in (("recall target", recall_target), ("confidence", confidence)):
        if not 0.5 <= value < 1:
            raise InvalidInputError(
                f"the {name} is a proportion from 0.5 to below 1 (e.g. 0.95), not {value}"
            )


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
    return _State(
        pool, includes, screened, np.setdiff1d(pool, decided), int(touched.shape[0]) - len(screened)
    )


def stopping_status(
    db: sqlite_utils.Database,
    stage: Stage = Stage.TITLE_ABSTRACT,
    *,
    recall_target: float | None = None,
    confidence: float | None = None,
) -> StoppingStatus:
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
            blockers.append(
                f"{outside:,} records no one has screened are not in the random "
                "sample (added after it began): switch to random order again to "
                "start a new sample"
            )
        else:
            test, started = _sample_test(state, sample, target, conf), sample.started_at
    if stop is None:
        if state.in_progress:
            blockers.append(
                f"{state.in_progress:,} records have decisions but no final one "
                "(a conflict, or a second decision to come): settle them first"
            )
        if test is None and not blockers:
            blockers.append("no random sample yet: switch the queue to random order to start one")
        elif test is not None and not test.met:
            blockers.append("the criterion is not met yet")
    needed = sample_needed(
        unscreened=int(state.unscreened.shape[0]),
        includes=len(state.includes),
        recall_target=target,
        confidence=conf,
    )
    return StoppingStatus(
        stage.value,
        target,
        conf,
        int(state.pool.shape[0]),
        len(state.screened),
        len(state.includes),
        state.in_progress,
        int(state.unscreened.shape[0]),
        test,
        needed,
        started,
        tuple(blockers),
        stop,
    )


def _sample_test(state: _State, sample: store.Sample, target: float, conf: float) -> StoppingTest:
    """The test on the sample: the longest run of the urn's order whose records all have a final
    decision (see db/0005)."""
    final = np.isin(sample.urn, np.fromiter(state.screened, dtype=np.int64))
    n = int(np.argmin(final)) if not final.all() else int(final.shape[0])
    prefix = sample.urn[:n]
    k = int(np.isin(prefix, np.fromiter(state.includes, dtype=np.int64)).sum())
    inside = int(np.isin(np.fromiter(state.includes, dtype=np.int64), sample.urn).sum())
    return hypergeometric_test(
        urn=int(sample.urn.shape[0]),
        sampled=n,
        sample_includes=k,
        includes_before=len(state.includes) - inside,
        includes_found=len(state.includes),
        recall_target=target,
        confidence=conf,
    )


def stop_screening(
    db: sqlite_utils.Database,
    reviewer: str,
    stage: Stage = Stage.TITLE_ABSTRACT,
    *,
    recall_target: float | None = None,
    confidence: float | None = None,
) -> ScreeningStop:
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
        store.add_stop(
            db,
            stage,
            review_store.reviewer_id(db, name),
            sample.id if sample else None,
            status.test,
            records=status.records,
            screened=status.screened,
            record_ids=[int(i) for i in state.unscreened],
        )
        stop = store.live_stop(db, stage)
    assert stop is not None
    return stop


def undo_stop(
    db: sqlite_utils.Database, reviewer: str, stage: Stage = Stage.TITLE_ABSTRACT
) -> ScreeningStop:
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
    ranked_by = store.ranking_count(db, stage)
    if ranked_by:
        out.append(
            "Title/abstract records were screened in order of predicted relevance: for each "
            "reviewer, a linear support vector machine on TF-IDF word (1-2) n-grams of titles, "
            "abstracts and keywords and character (3-5) n-grams of titles and keywords, "
            "retrained as decisions were made, "
            "learning only from that reviewer's own decisions and the team's final ones "
            f"(screener's ranking; {ranked_by} reviewer ranking{'s' if ranked_by != 1 else ''})."
        )
    stop = store.live_stop(db, stage)
    if stop is not None:
        t = stop.test
        recall = (
            ""
            if t.recall_estimate is None
            else f" Estimated recall was {100 * t.recall_estimate:.1f}% ({100 * t.confidence:.0f}% "
            f"CI {100 * (t.recall_low or 0):.1f}% to {100 * (t.recall_high or 0):.1f}%)."
        )
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
            "tools."
        )
    return tuple(out)
