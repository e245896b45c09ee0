"""The stopping rule: when prioritised screening may stop with a stated recall.

Callaghan MW, Müller-Hansen F (2020). Statistical stopping criteria for automated screening in
systematic reviews. *Systematic Reviews* 9:273. doi:10.1186/s13643-020-01521-4.

After prioritised screening, the team screens records drawn at random from those not screened
when sampling began (the *urn*: ``N`` records, holding an unknown number ``K`` of relevant
ones). ``r_AL`` relevant records were found before sampling began (outside the urn), ``k`` among
the ``n`` sampled. The null hypothesis is that recall is below the target ``tau``:

    recall = r_seen / (r_AL + K) < tau,   with r_seen every relevant record found so far,

that is ``K >= K_tar = floor(r_seen / tau - r_AL) + 1``. Of all urns H0 allows, the one with
``K_tar`` relevant records makes ``k`` or fewer in the sample most likely, so the p-value is
the hypergeometric ``P(X <= k)``, ``X ~ Hypergeometric(N, K_tar, n)``. When it is below
``1 - confidence``, H0 is rejected: screening may stop, and recall is at least ``tau`` with that
confidence. ``r_seen`` counts relevant records of the urn found outside the sample too (a
reviewer may have screened some by relevance meanwhile): that only raises ``K_tar`` by what is
known to have been found.

The dashboard also shows an estimate of recall with an exact interval for ``K`` (inverting the
same hypergeometric distribution, two-sided at ``confidence``), and how many more random records
would meet the test if none of them were relevant (:func:`sample_needed`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from screener.display import count_of

__all__ = [
    "RULE",
    "ScreeningStop",
    "StoppingStatus",
    "StoppingTest",
    "k_target",
    "sample_needed",
    "hypergeometric_test",
]

RULE = (
    "Callaghan & Müller-Hansen (2020) stopping criterion: a hypergeometric test on a "
    "random sample of the records not screened by priority"
)
"""One line naming the rule, for the dashboard, the report and exports."""


@dataclass(frozen=True, slots=True)
class StoppingTest:
    """The test's figures at one moment (see the module docstring for the symbols)."""

    recall_target: float
    confidence: float
    urn: int  # N: records not screened when random sampling began
    sampled: int  # n: records of the urn screened in random order
    sample_includes: int  # k: relevant records among them
    includes_before: int  # r_AL: relevant records found outside the urn
    includes_found: int  # r_seen: every relevant record found so far
    k_target: int  # K_tar
    p_value: float
    recall_estimate: float | None
    recall_low: float | None
    recall_high: float | None
    more_needed: int | None  # random records still to screen if none is relevant

    @property
    def met(self) -> bool:
        return self.p_value < 1 - self.confidence


def _fraction(value: float) -> Fraction:
    return Fraction(value).limit_denominator(10**6)  # 0.95 is 19/20, not its binary neighbour


def k_target(includes_found: int, includes_before: int, recall_target: float) -> int:
    """K_tar: the fewest relevant records in the urn for which recall would be below the target."""
    return math.floor(includes_found / _fraction(recall_target) - includes_before) + 1


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _cdf(k: int, urn: int, relevant: int, sampled: int) -> float:
    """P(X <= k), X ~ Hypergeometric(urn, relevant, sampled), summed term by term in log space
    (k is a sample's relevant records: few terms); 0 where no urn with ``relevant`` relevant
    records could give a sample with only ``k`` of them."""
    if relevant > urn or sampled - k > urn - relevant or k < 0:
        return 0.0
    total = _log_choose(urn, sampled)
    low = max(0, sampled - (urn - relevant))
    p = sum(
        math.exp(_log_choose(relevant, x) + _log_choose(urn - relevant, sampled - x) - total)
        for x in range(low, min(k, relevant, sampled) + 1)
    )
    return min(1.0, max(0.0, p))


def _p_value(
    urn: int, sampled: int, k: int, includes_found: int, includes_before: int, recall_target: float
) -> float:
    return _cdf(k, urn, k_target(includes_found, includes_before, recall_target), sampled)


def sample_needed(
    *,
    unscreened: int,
    includes: int,
    recall_target: float = 0.95,
    confidence: float = 0.95,
    sampled: int = 0,
    sample_includes: int = 0,
    includes_before: int | None = None,
    urn: int | None = None,
) -> int | None:
    """How many more random records (none of them relevant) would meet the test.

    Before sampling (the defaults): a sample would be drawn from the ``unscreened`` records, with
    ``includes`` found so far. During sampling: ``urn``, ``sampled``, ``sample_includes`` and
    ``includes_before`` as in :func:`hypergeometric_test`, ``includes`` being every relevant record
    found.
    0 when the test is met already; None when no sample from the urn can meet it.
    """
    urn = unscreened if urn is None else urn
    before = includes if includes_before is None else includes_before

    def met(n: int) -> bool:
        return _p_value(urn, n, sample_includes, includes, before, recall_target) < 1 - confidence

    if met(sampled):
        return 0
    if not met(urn):
        return None
    low, high = sampled, urn  # met(high), not met(low): P(X <= k) falls as n grows
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if met(middle) else (middle, high)
    return high - sampled


def hypergeometric_test(
    *,
    urn: int,
    sampled: int,
    sample_includes: int,
    includes_before: int,
    includes_found: int | None = None,
    recall_target: float = 0.95,
    confidence: float = 0.95,
) -> StoppingTest:
    """The test and the recall estimate from a random sample of the urn (see the module
    docstring); ``includes_found`` defaults to ``includes_before + sample_includes``."""
    if not 0 < recall_target < 1 or not 0 < confidence < 1:
        raise ValueError("the recall target and the confidence are between 0 and 1")
    if not 0 <= sample_includes <= sampled <= urn:
        raise ValueError(
            f"a sample of {sampled} with {sample_includes} relevant records cannot "
            f"come from {urn} records"
        )
    found = includes_before + sample_includes if includes_found is None else includes_found
    k = sample_includes
    p = _p_value(urn, sampled, k, found, includes_before, recall_target)
    more = sample_needed(
        unscreened=urn,
        includes=found,
        recall_target=recall_target,
        confidence=confidence,
        sampled=sampled,
        sample_includes=k,
        includes_before=includes_before,
        urn=urn,
    )
    estimate = low = high = None
    in_urn_found = found - includes_before
    if sampled and found:
        alpha = (1 - confidence) / 2
        top = urn - (sampled - k)  # K cannot exceed this: the sample's excludes
        k_high = _search(k, top, lambda kk: _cdf(k, urn, kk, sampled) >= alpha, last=True)
        k_low = _search(k, top, lambda kk: 1 - _cdf(k - 1, urn, kk, sampled) >= alpha, last=False)
        k_hat = k * urn / sampled

        def recall(kk: float) -> float:
            return found / (includes_before + max(kk, in_urn_found))

        estimate, low, high = recall(k_hat), recall(k_high), recall(k_low)
    elif urn == 0 and found:
        estimate = low = high = 1.0
    return StoppingTest(
        recall_target,
        confidence,
        urn,
        sampled,
        k,
        includes_before,
        found,
        k_target(found, includes_before, recall_target),
        p,
        estimate,
        low,
        high,
        more,
    )


def _search(lo: int, hi: int, check: Callable[[int], bool], *, last: bool) -> int:
    """The last (or first) K in [lo, hi] where the monotone condition ``check`` is true
    (it holds for small K and fails for large K when ``last``, the reverse otherwise)."""
    if last:
        if not check(lo):
            return lo
        while hi - lo > 0:
            middle = (lo + hi + 1) // 2
            lo, hi = (middle, hi) if check(middle) else (lo, middle - 1)
        return lo
    if check(lo):
        return lo
    if not check(hi):
        return hi
    while hi - lo > 1:
        middle = (lo + hi) // 2
        lo, hi = (lo, middle) if check(middle) else (middle, hi)
    return hi


@dataclass(frozen=True, slots=True)
class ScreeningStop:
    """A lead's stop by the rule, with the test's figures then (table screening_stop)."""

    id: int
    stage: str
    reviewer: str
    stopped_at: str
    records: int
    screened: int
    marked: int
    test: StoppingTest


@dataclass(frozen=True, slots=True)
class StoppingStatus:
    """Where a stage's screening stands against the stopping rule.

    ``screened``: records with a final decision (``includes`` of them included);
    ``in_progress``: records with decisions but no final one yet (a second reviewer's or a
    resolution is missing); ``unscreened``: records no one has decided. ``test`` is the test on
    the running random sample (None before one began); ``sample_needed`` how many random
    records a sample begun now would need, if none were relevant. ``blockers`` say why a lead
    cannot stop yet (empty: they can). ``stop``: the live stop, once a lead stopped.
    """

    stage: str
    recall_target: float
    confidence: float
    records: int
    screened: int
    includes: int
    in_progress: int
    unscreened: int
    test: StoppingTest | None
    sample_needed: int | None
    sample_started_at: str = ""
    blockers: tuple[str, ...] = ()
    stop: ScreeningStop | None = None

    @property
    def met(self) -> bool:
        return self.test is not None and self.test.met

    @property
    def can_stop(self) -> bool:
        return self.stop is None and self.met and not self.blockers

    def summary(self) -> str:
        """One line for the dashboard and the CLI."""
        if self.stop is not None:
            s = self.stop
            return (
                f"stopped by {s.reviewer} ({s.stopped_at[:10]}): {s.marked:,} records not "
                f"screened (stopping rule, p = {s.test.p_value:.3f})"
            )
        head = (
            f"{self.screened:,} of {self.records:,} screened · {count_of(self.includes, 'include')}"
        )
        t = self.test
        if t is None:
            more = "—" if self.sample_needed is None else f"{self.sample_needed:,}"
            return f"{head} · no random sample yet (a sample would need {more} records)"
        recall = (
            "n/a"
            if t.recall_estimate is None
            else f"{100 * t.recall_estimate:.0f}% ({100 * (t.recall_low or 0):.0f}–"
            f"{100 * (t.recall_high or 0):.0f}%)"
        )
        state = (
            "criterion met"
            if t.met
            else (
                "not met: "
                + (
                    "no sample size can meet it"
                    if t.more_needed is None
                    else f"screen {t.more_needed:,} more random records"
                )
            )
        )
        return f"{head} · sample {t.sampled:,}/{t.urn:,} · recall ≈ {recall} · {state}"
