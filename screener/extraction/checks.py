"""Consistency checks on reported numbers: flagged with a one-line explanation, never blocked.

Kinds:
- ``grim``: a mean of integer data that no integer total can give (Brown NJL, Heathers JAJ 2017,
  The GRIM test, Soc Psychol Personal Sci 8(4):363-369);
- ``p_vs_ci``: a reported P value the estimate and its CI cannot give (on the log scale for
  ratios), allowing for the rounding of every reported number;
- ``ci_asymmetric``: a CI not symmetric about the estimate on the scale it should be;
- ``sd_implausible``: an SD larger than a bounded scale allows, given the mean and n;
- ``out_of_range``: a mean outside the scale's bounds;
- ``events_gt_total``: more events than participants.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from statistics import NormalDist

from screener.extraction.forms import RATIO_MEASURES, OutcomeSpec
from screener.extraction.numbers import Number
from screener.extraction.validate import row_numbers

__all__ = ["CHECK_KINDS", "Finding", "check_row", "grim_consistent", "implied_p", "max_sd"]

CHECK_KINDS = (
    "grim",
    "p_vs_ci",
    "ci_asymmetric",
    "sd_implausible",
    "out_of_range",
    "events_gt_total",
)
_DIFFERENCE_MEASURES = frozenset({"MD", "SMD", "RD"})
_Z95 = NormalDist().inv_cdf(0.975)


@dataclass(frozen=True, slots=True)
class Finding:
    """One flag on one outcome row: its kind and a one-line explanation."""

    kind: str
    explanation: str


def grim_consistent(mean: Number, n: int, items: int = 1) -> bool | None:
    """Whether ``mean`` (as reported, with its decimals) can be the mean of ``n`` integer
    scores (each the sum of ``items`` integer items). None when GRIM cannot tell: with
    n * items >= 10^decimals every reported mean is reachable."""
    denominator = n * items
    if n < 1 or denominator >= 10**mean.decimals:
        return None
    exact = Fraction(mean.text)
    half = Fraction(1, 2 * 10**mean.decimals)
    low, high = (exact - half) * denominator, (exact + half) * denominator
    # Either rounding direction is accepted at the half-way points (reports differ on it).
    return math.ceil(low) <= high


def max_sd(
    minimum: float, maximum: float, *, mean: float | None = None, n: int | None = None
) -> float:
    """The largest sample SD (n - 1 denominator) data on [minimum, maximum] can have: with the
    mean known, sqrt((mean - min)(max - mean) * n / (n - 1)); without it, half the range (times
    sqrt(n / (n - 1)) when n is known)."""
    spread = (
        (mean - minimum) * (maximum - mean) if mean is not None else ((maximum - minimum) / 2) ** 2
    )
    factor = n / (n - 1) if n and n > 1 else 1.0
    return math.sqrt(max(spread, 0.0) * factor)


def implied_p(
    estimate: float, lower: float, upper: float, *, level: float = 0.95
) -> tuple[float, float]:
    """(z, two-sided P) implied by an estimate and its normal-based CI, on the given scale."""
    se = (upper - lower) / (2 * NormalDist().inv_cdf(0.5 + level / 2))
    z = abs(estimate) / se
    return z, 2 * _upper_tail(z)


def _upper_tail(z: float) -> float:
    """P(Z > z) for a standard normal Z; exact far out, where 1 - cdf(z) would be 0. (The
    standard library's normal, not scipy's: the extraction verbs then start without scipy.)"""
    return 0.5 * math.erfc(z / math.sqrt(2))


def check_row(outcome: OutcomeSpec, values: Mapping[str, str]) -> list[Finding]:
    """Every flag on one outcome row (values as typed, by field key)."""
    nums = row_numbers(outcome, values)
    kind = outcome.data_type
    found: list[Finding] = []
    if kind == "continuous":
        for m, sd, n, group in (
            ("m1i", "sd1i", "n1i", outcome.groups[0]),
            ("m2i", "sd2i", "n2i", outcome.groups[1]),
        ):
            found += _mean_sd(outcome, nums.get(m), nums.get(sd), nums.get(n), f" ({group})")
    elif kind == "prepost":
        both = nums.get("n")
        found += _mean_sd(outcome, nums.get("m_pre"), nums.get("sd_pre"), both, " (before)")
        found += _mean_sd(outcome, nums.get("m_post"), nums.get("sd_post"), both, " (after)")
    elif kind == "dichotomous":
        for e, t, group in (
            ("events1", "total1", outcome.groups[0]),
            ("events2", "total2", outcome.groups[1]),
        ):
            found += _events(nums.get(e), nums.get(t), f" in the {group} group")
    elif kind == "proportion":
        found += _events(nums.get("events"), nums.get("n"), "")
    elif kind == "generic":
        measure = values.get("measure", "") or outcome.measure
        found += _generic(measure, nums)
    return found


def _events(events: Number | None, total: Number | None, where: str) -> list[Finding]:
    if events and total and events.value > total.value:
        return [
            Finding(
                "events_gt_total", f"{events.text} events among {total.text} participants{where}"
            )
        ]
    return []


def _mean_sd(
    outcome: OutcomeSpec, mean: Number | None, sd: Number | None, n: Number | None, which: str
) -> list[Finding]:
    found: list[Finding] = []
    size = int(n.value) if n else None
    if outcome.integer and mean and size:
        ok = grim_consistent(mean, size, outcome.items)
        if ok is False:
            items = f" x {outcome.items} items" if outcome.items > 1 else ""
            found.append(
                Finding(
                    "grim",
                    f"mean {mean.text}{which} cannot come from {size}{items} "
                    f"integer scores (no whole total / {size * outcome.items} "
                    f"rounds to {mean.text})",
                )
            )
    low, high = outcome.minimum, outcome.maximum
    if low is None or high is None:
        return found
    scale = f"the {_plain(low)}-{_plain(high)} scale"
    if mean and not low - mean.half_unit <= mean.value <= high + mean.half_unit:
        found.append(Finding("out_of_range", f"mean {mean.text}{which} lies outside {scale}"))
        return found
    if sd:
        inside = mean.value if mean else None
        if inside is not None:
            inside = min(max(inside, low), high)
        limit = max_sd(low, high, mean=inside, n=size)
        if sd.value - sd.half_unit > limit:
            given = f" with mean {mean.text}" if mean else ""
            found.append(
                Finding(
                    "sd_implausible",
                    f"SD {sd.text}{which} exceeds the largest SD "
                    f"possible on {scale}{given} ({limit:.3g})",
                )
            )
    return found


def _plain(x: float) -> str:
    return str(int(x)) if x == int(x) else f"{x:g}"


def _generic(measure: str, nums: Mapping[str, Number]) -> list[Finding]:
    est, low, high, p = nums.get("estimate"), nums.get("ci_lb"), nums.get("ci_ub"), nums.get("pval")
    if not (est and low and high) or not low.value < high.value:
        return []
    ratio = measure in RATIO_MEASURES
    if ratio and min(est.value, low.value, high.value) <= 0:
        return []
    found = _asymmetry(measure, est, low, high, ratio)
    if p is not None:
        found += _p_against_ci(measure, est, low, high, p, ratio)
    return found


def _scaled(x: Number, ratio: bool) -> tuple[float, float]:
    """A reported number on the analysis scale, and its rounding error there."""
    if ratio:
        return math.log(x.value), x.half_unit / x.value
    return x.value, x.half_unit


def _asymmetry(measure: str, est: Number, low: Number, high: Number, ratio: bool) -> list[Finding]:
    if not ratio and measure not in _DIFFERENCE_MEASURES:
        return []  # proportions, correlations, "other": no single scale to insist on
    (e, de), (lo, dl), (hi, dh) = (_scaled(x, ratio) for x in (est, low, high))
    below, above = e - lo, hi - e
    if abs(above - below) <= 2 * de + dl + dh + 1e-12:
        return []
    scale = "log scale" if ratio else "scale of the estimate"
    raw_symmetric = ratio and abs((high.value - est.value) - (est.value - low.value)) <= (
        2 * est.half_unit + low.half_unit + high.half_unit
    )
    hint = "; it is symmetric on the raw scale, as if computed there" if raw_symmetric else ""
    return [
        Finding(
            "ci_asymmetric",
            f"{measure} {est.text} (95% CI {low.text} to {high.text}) is not centred on the "
            f"estimate on the {scale} ({below:.3g} below, {above:.3g} above){hint}",
        )
    ]


def _p_against_ci(
    measure: str, est: Number, low: Number, high: Number, p: Number, ratio: bool
) -> list[Finding]:
    (e, de), (lo, dl), (hi, dh) = (_scaled(x, ratio) for x in (est, low, high))
    width = hi - lo
    # The widest and narrowest z the rounded numbers allow.
    z_low = max(abs(e) - de, 0.0) / ((width + dl + dh) / (2 * _Z95))
    z_high = (abs(e) + de) / (max(width - dl - dh, 1e-12) / (2 * _Z95))
    p_small, p_large = 2 * _upper_tail(z_high), 2 * _upper_tail(z_low)
    if p.relation in ("<", "<="):
        reported_low, reported_high = 0.0, p.value
    elif p.relation in (">", ">="):
        reported_low, reported_high = p.value, 1.0
    else:
        reported_low, reported_high = max(p.value - p.half_unit, 0.0), p.value + p.half_unit
    if reported_high >= p_small and reported_low <= p_large:
        return []
    z, implied = implied_p(e, lo, hi)
    shown = "P = " + p.text if p.relation == "=" else "P " + p.text
    scale = " on the log scale" if ratio else ""
    return [
        Finding(
            "p_vs_ci",
            f"reported {shown}, but {measure} {est.text} (95% CI {low.text} to "
            f"{high.text}) implies P = {implied:.2g} (z = {z:.2f}{scale})",
        )
    ]
