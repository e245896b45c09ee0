"""The stopping rule's statistic (Callaghan & Müller-Hansen 2020) against hand computations.

Symbols as in screener.screening.stopping: N records in the urn (not screened when random
sampling began), n sampled, k relevant in the sample, r_AL relevant found outside the urn,
tau the recall target. H0: recall < tau, i.e. K >= K_tar = floor(r_seen / tau - r_AL) + 1.
"""

from __future__ import annotations

import math
import random

import pytest

from screener.screening.stopping import hypergeometric_test, k_target, sample_needed


def test_k_target_at_an_exact_boundary() -> None:
    # 19 found before sampling, none in the urn: recall 19 / (19 + K) < 0.95 <=> K > 1, so the
    # least K under H0 is 2. 19 / 0.95 is exactly 20 (computed as the fraction 19/20, not as
    # the binary 0.95, which would give 20.000000000000004 or 19.999999999999996).
    assert k_target(19, 19, 0.95) == 2
    # 95 found: 95 / 0.95 - 95 = 5 -> K_tar = 6
    assert k_target(95, 95, 0.95) == 6
    # nothing found yet: any relevant record left would put recall below the target
    assert k_target(0, 0, 0.95) == 1
    # 10 found before sampling and 2 in the sample: 12 / 0.9 - 10 = 3.33 -> K_tar = 4
    assert k_target(12, 10, 0.9) == 4


def test_p_value_of_a_hand_computed_sample() -> None:
    # N = 10, r_AL = 19, tau = 0.95: K_tar = 2. A sample of n = 8 with no relevant record:
    # P(X = 0) = C(8, 8) * C(2, 0) / C(10, 8) = 1 / 45 = 0.0222 < 0.05: the criterion is met.
    met = hypergeometric_test(urn=10, sampled=8, sample_includes=0, includes_before=19)
    assert met.k_target == 2
    assert met.p_value == pytest.approx(1 / 45, rel=1e-12)
    assert met.met
    # n = 7: P(X = 0) = C(8, 7) / C(10, 7) = 8 / 120 = 0.0667 >= 0.05: not met, one more needed.
    short = hypergeometric_test(urn=10, sampled=7, sample_includes=0, includes_before=19)
    assert short.p_value == pytest.approx(8 / 120, rel=1e-12)
    assert not short.met and short.more_needed == 1
    # before any sample: 8 random records with no relevant one would meet it
    assert sample_needed(unscreened=10, includes=19) == 8


def test_a_relevant_record_in_the_sample() -> None:
    # N = 20, n = 10, k = 1, r_AL = 18: r_seen = 19, K_tar = floor(19/0.95 - 18) + 1 = 3.
    # P(X <= 1) = [C(3,0)C(17,10) + C(3,1)C(17,9)] / C(20,10)
    #           = (19448 + 3 * 24310) / 184756 = 92378 / 184756 = 0.5
    t = hypergeometric_test(urn=20, sampled=10, sample_includes=1, includes_before=18)
    assert t.k_target == 3
    expected = (math.comb(17, 10) + 3 * math.comb(17, 9)) / math.comb(20, 10)
    assert expected == pytest.approx(0.5)
    assert t.p_value == pytest.approx(expected, rel=1e-12)
    assert not t.met
    # every record of the urn screened: K is known (k = 1), recall is certain
    whole = hypergeometric_test(urn=20, sampled=20, sample_includes=1, includes_before=18)
    assert whole.met and whole.recall_estimate == whole.recall_low == whole.recall_high == 1.0


def test_recall_estimate_and_interval() -> None:
    t = hypergeometric_test(urn=1000, sampled=200, sample_includes=1, includes_before=95)
    # K estimated as k * N / n = 5: recall 96 / (95 + 5) = 0.96
    assert t.recall_estimate == pytest.approx(96 / 100)
    assert t.recall_low is not None and t.recall_high is not None
    assert t.recall_low < t.recall_estimate <= t.recall_high <= 1.0


def test_sequential_sample_needs_decrease_as_includes_are_found() -> None:
    # more includes found before sampling allow more relevant records to remain: fewer draws
    needs = [sample_needed(unscreened=1000, includes=r) for r in (10, 50, 100, 400)]
    assert all(a > b for a, b in zip(needs, needs[1:], strict=False))
    # an empty urn: nothing is left to find
    assert sample_needed(unscreened=0, includes=3) == 0


def test_the_cdf_agrees_with_scipy() -> None:
    from scipy.stats import hypergeom

    from screener.screening.stopping import _cdf

    rng = random.Random(16)
    for _ in range(500):
        urn = rng.randint(1, 2000)
        relevant = rng.randint(0, urn)
        sampled = rng.randint(0, urn)
        k = rng.randint(0, min(sampled, relevant))
        assert _cdf(k, urn, relevant, sampled) == pytest.approx(
            float(hypergeom.cdf(k, urn, relevant, sampled)), abs=1e-9
        )


def test_bad_figures_are_refused() -> None:
    with pytest.raises(ValueError):
        hypergeometric_test(urn=5, sampled=6, sample_includes=0, includes_before=1)
    with pytest.raises(ValueError):
        hypergeometric_test(
            urn=5, sampled=2, sample_includes=0, includes_before=1, recall_target=1.0
        )
