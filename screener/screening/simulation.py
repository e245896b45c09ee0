"""Replaying a labelled dataset through the ranking, as a reviewer would screen it.

:func:`simulate` starts from a few random prior decisions (``priors``: includes, excludes),
then screens the most relevant record first, retraining when :func:`retrain_due` says so, with
the same :mod:`screener.screening.ranking` code the review uses. Alongside it plays the stopping
rule (:mod:`screener.screening.stopping`) as the dashboard advises it: once the ranking has gone
as many records without an include as a random sample would need, the reviewer switches to
random order and screens until the test is met. The metrics (:func:`metrics`) leave the priors
out, as ASReview's do: N and the relevant records count what is screened after them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from screener.screening.ranking import Features, ranked, retrain_due, score
from screener.screening.stopping import StoppingTest, hypergeometric_test, sample_needed

__all__ = ["Metrics", "SimulationRun", "metrics", "pick_priors", "simulate"]


@dataclass(frozen=True, slots=True)
class Metrics:
    """Work saved over sampling at 95% recall, relevant records found at 10%, and records screened
    (after the priors) to reach 95% recall."""

    wss95: float
    rrf10: float
    screened_at_95: int


@dataclass(frozen=True, slots=True)
class SimulationRun:
    """One seed's replay. ``order`` lists every row in the order screened, priors first;
    ``stop_at`` is how many rows (priors included) had been screened when the stopping rule was
    met, with the recall then (None: it was never met before the records ran out)."""

    seed: int
    priors: tuple[int, ...]
    order: tuple[int, ...]
    labels: tuple[bool, ...]  # by row
    metrics: Metrics
    switched_at: int | None
    stop_at: int | None
    stop_recall: float | None
    stop_test: StoppingTest | None
    retrainings: int

    def recall_curve(self) -> np.ndarray:
        """Relevant records found after each record screened (priors left out)."""
        after = np.asarray(self.order[len(self.priors) :], dtype=np.int64)
        return np.cumsum(np.asarray(self.labels, dtype=bool)[after])


def pick_priors(
    labels: Sequence[bool] | np.ndarray, includes: int, excludes: int, seed: int
) -> tuple[int, ...]:
    """``includes`` random relevant rows and ``excludes`` random irrelevant ones (seeded)."""
    y = np.asarray(labels, dtype=bool)
    if includes > int(y.sum()) or excludes > int((~y).sum()):
        raise ValueError(
            f"cannot pick {includes} includes and {excludes} excludes as priors from "
            f"{int(y.sum())} relevant and {int((~y).sum())} irrelevant records"
        )
    rng = np.random.default_rng(seed)
    chosen = list(rng.choice(np.flatnonzero(y), includes, replace=False)) + list(
        rng.choice(np.flatnonzero(~y), excludes, replace=False)
    )
    return tuple(int(i) for i in chosen)


def metrics(order: Sequence[int], labels: Sequence[bool] | np.ndarray, n_priors: int) -> Metrics:
    """WSS@95 (Cohen et al. 2006), RRF@10 and records screened to 95% recall of a screening
    ``order``, with its first ``n_priors`` rows left out."""
    y = np.asarray(labels, dtype=bool)
    after = np.asarray(order[n_priors:], dtype=np.int64)
    found = np.cumsum(y[after])
    n, relevant = len(after), int(found[-1]) if len(after) else 0
    if relevant == 0:
        return Metrics(math.nan, math.nan, 0)
    at_95 = int(np.searchsorted(found, math.ceil(0.95 * relevant))) + 1
    wss = (n - at_95) / n - 0.05
    rrf = float(found[max(0, math.ceil(0.10 * n) - 1)]) / relevant
    return Metrics(wss, rrf, at_95)


def simulate(
    features: Features,
    labels: Sequence[bool],
    *,
    seed: int,
    priors: tuple[int, int] = (1, 1),
    recall_target: float = 0.95,
    confidence: float = 0.95,
) -> SimulationRun:
    """Screen every row of ``features`` (labels by row) in prioritised order from random priors,
    and play the stopping rule alongside (see the module docstring)."""
    y = np.asarray(labels, dtype=bool)
    n = len(y)
    prior_rows = pick_priors(y, priors[0], priors[1], seed)
    screened = np.zeros(n, dtype=bool)
    screened[list(prior_rows)] = True
    order = list(prior_rows)
    scores = np.zeros(n)
    trained_at: int | None = None
    retrainings = 0
    since_include = 0
    switched_at: int | None = None
    stop_at: int | None = None
    stop_recall: float | None = None
    stop_test: StoppingTest | None = None
    total_relevant = int(y.sum())
    queue: list[int] = []
    found = int(y[list(prior_rows)].sum())
    while len(order) < n:
        if retrain_due(len(order), trained_at, n) or not queue:
            picked = np.asarray(order)
            scores = score(features, picked, y[picked])
            trained_at, retrainings = len(order), retrainings + 1
            queue = [int(i) for i in ranked(scores) if not screened[i]][::-1]
        row = queue.pop()
        while screened[row]:
            row = queue.pop()
        screened[row] = True
        order.append(row)
        since_include = 0 if y[row] else since_include + 1
        found += int(y[row])
        if switched_at is None:
            needed = sample_needed(
                unscreened=n - len(order),
                includes=found,
                recall_target=recall_target,
                confidence=confidence,
            )
            if needed is not None and since_include >= needed:
                switched_at = len(order)
                stop_at, found_at_stop, stop_test = _random_phase(
                    y, order, screened, seed, recall_target, confidence
                )
                if stop_at is not None:
                    stop_recall = found_at_stop / total_relevant
    return SimulationRun(
        seed,
        prior_rows,
        tuple(order),
        tuple(bool(v) for v in y),
        metrics(order, y, len(prior_rows)),
        switched_at,
        stop_at,
        stop_recall,
        stop_test,
        retrainings,
    )


def _random_phase(
    y: np.ndarray,
    order: list[int],
    screened: np.ndarray,
    seed: int,
    recall_target: float,
    confidence: float,
) -> tuple[int | None, int, StoppingTest | None]:
    """From the switch on, screen the unscreened rows in random order until the test is met:
    how many rows had been screened then (counting ``order``), how many relevant ones, and the
    test (None, 0, None when the records run out first)."""
    urn = np.flatnonzero(~screened)
    draws = np.random.default_rng([seed, len(order)]).permutation(urn)
    before = int(y[np.asarray(order)].sum())
    k = 0
    for n, row in enumerate(draws, start=1):
        k += int(y[row])
        test = hypergeometric_test(
            urn=len(urn),
            sampled=n,
            sample_includes=k,
            includes_before=before,
            recall_target=recall_target,
            confidence=confidence,
        )
        if test.met:
            return len(order) + n, before + k, test
    return None, 0, None
