"""Conversions offered at entry; each result carries the method and its inputs, for the record.

Sources:
- SE/CI/P to SD: Cochrane Handbook for Systematic Reviews of Interventions v6.4, sections
  6.5.2.2 (group means) and 6.5.2.3 (differences in means); small samples use t, not 1.96.
- Median with IQR and/or range to mean and SD: mean by Luo D, Wan X, Liu J, Tong T (2018) Stat
  Methods Med Res 27(6):1785-1805; SD by Wan X, Wang W, Liu J, Tong T (2014) BMC Med Res
  Methodol 14:135 (xi(n) and eta(n) as in its formulas; xi(n) exact for n <= 50, its Table 1).
- Combining two groups: Handbook section 6.5.2.10, Table 6.5.a.
- Change-from-baseline SD and the correlation behind it: Handbook section 6.5.2.8.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scipy import integrate, stats

from screener.extraction.numbers import NumberError, parse_number

__all__ = [
    "CONVERSIONS",
    "ConversionError",
    "Converted",
    "change_sd",
    "combine_groups",
    "convert",
    "correlation_from_sds",
    "eta",
    "impute_correlation",
    "mean_sd_from_median",
    "sd_from_ci",
    "sd_from_ci_difference",
    "sd_from_p_difference",
    "sd_from_se",
    "xi",
]

_SQRT_2 = math.sqrt(2)
_SQRT_2PI = math.sqrt(2 * math.pi)
SMALL_SAMPLE = 60
"""Below this many participants per group a 95% CI is taken as t-based (Handbook 6.5.2.2)."""


class ConversionError(ValueError):
    """Inputs a conversion cannot use; ``str()`` says which and why."""


@dataclass(frozen=True, slots=True)
class Converted:
    """Values obtained by a conversion (field key -> value), how, and from what."""

    values: dict[str, float]
    method: str
    details: dict[str, Any] = field(default_factory=dict)
    imputed: bool = False


def _need(condition: bool, message: str) -> None:
    if not condition:
        raise ConversionError(message)


def _multiplier(level: float, df: int | None) -> float:
    upper = 0.5 + level / 2
    return float(stats.t.ppf(upper, df)) if df is not None else float(stats.norm.ppf(upper))


def sd_from_se(se: float, n: int) -> Converted:
    """SD of a group mean from its standard error: SD = SE * sqrt(n) (Handbook 6.5.2.2)."""
    _need(se > 0, "the SE must be greater than 0")
    _need(n >= 1, "n must be at least 1")
    return Converted({"sd": se * math.sqrt(n)}, "se_to_sd", {"se": se, "n": n})


def sd_from_ci(
    lower: float, upper: float, n: int, *, level: float = 0.95, t_based: bool | None = None
) -> Converted:
    """SD of a group mean from its CI: SD = sqrt(n) * (upper - lower) / (2 * multiplier).

    The multiplier is t with n - 1 df for small samples (n < 60, or ``t_based=True``), else z.
    """
    _need(upper > lower, "the CI's upper limit must be above its lower limit")
    _need(n >= 2, "n must be at least 2")
    use_t = n < SMALL_SAMPLE if t_based is None else t_based
    mult = _multiplier(level, n - 1 if use_t else None)
    sd = math.sqrt(n) * (upper - lower) / (2 * mult)
    return Converted(
        {"sd": sd},
        "ci_to_sd",
        {
            "lower": lower,
            "upper": upper,
            "n": n,
            "level": level,
            "distribution": "t" if use_t else "normal",
            "divisor": 2 * mult,
        },
    )


def sd_from_ci_difference(
    lower: float,
    upper: float,
    n1: int,
    n2: int,
    *,
    level: float = 0.95,
    t_based: bool | None = None,
) -> Converted:
    """Within-group SD from the CI of a difference in means (Handbook 6.5.2.3):
    SE = (upper - lower) / (2 * multiplier), SD = SE / sqrt(1/n1 + 1/n2)."""
    _need(upper > lower, "the CI's upper limit must be above its lower limit")
    _need(n1 >= 2 and n2 >= 2, "each group needs n >= 2")
    use_t = min(n1, n2) < SMALL_SAMPLE if t_based is None else t_based
    mult = _multiplier(level, n1 + n2 - 2 if use_t else None)
    se = (upper - lower) / (2 * mult)
    sd = se / math.sqrt(1 / n1 + 1 / n2)
    return Converted(
        {"sd": sd, "se": se},
        "ci_diff_to_sd",
        {
            "lower": lower,
            "upper": upper,
            "n1": n1,
            "n2": n2,
            "level": level,
            "distribution": "t" if use_t else "normal",
        },
    )


def sd_from_p_difference(difference: float, p: float, n1: int, n2: int) -> Converted:
    """Within-group SD from a difference in means and its two-sided P value (t test with
    n1 + n2 - 2 df; Handbook 6.5.2.3): t = t_inv(1 - p/2), SE = |MD| / t,
    SD = SE / sqrt(1/n1 + 1/n2)."""
    _need(0 < p < 1, "P must be between 0 and 1 (an exact value, not a bound)")
    _need(difference != 0, "the difference in means must not be 0")
    _need(n1 >= 2 and n2 >= 2, "each group needs n >= 2")
    t = float(stats.t.ppf(1 - p / 2, n1 + n2 - 2))
    se = abs(difference) / t
    sd = se / math.sqrt(1 / n1 + 1 / n2)
    return Converted(
        {"sd": sd, "se": se},
        "p_to_sd",
        {"difference": difference, "p": p, "n1": n1, "n2": n2, "t": t},
    )


# --- medians ---------------------------------------------------------------------------------


def xi(n: int) -> float:
    """Wan et al.'s xi(n) = 2 E(Z_(n)), the expected range of n standard normals.

    Exact (numerical integration) for n <= 50, as in Wan's Table 1; Blom's approximation
    2 * Phi^-1((n - 0.375) / (n + 0.25)) above, as Wan recommends for large n.
    """
    _need(n >= 1, "n must be at least 1")
    if n == 1:
        return 0.0
    if n > 50:
        return 2 * float(stats.norm.ppf((n - 0.375) / (n + 0.25)))

    def integrand(x: float) -> float:  # x * n * phi(x) * Phi(x)^(n-1), with math for speed
        return x * n * math.exp(-x * x / 2) / _SQRT_2PI * (0.5 * math.erfc(-x / _SQRT_2)) ** (n - 1)

    value, _ = integrate.quad(integrand, -12, 12, epsabs=1e-12, limit=200)
    return 2 * value


def eta(n: int) -> float:
    """Wan et al.'s eta(n) = 2 * Phi^-1((0.75 n - 0.125) / (n + 0.25)) for the IQR."""
    _need(n >= 1, "n must be at least 1")
    return 2 * float(stats.norm.ppf((0.75 * n - 0.125) / (n + 0.25)))


def mean_sd_from_median(
    n: int,
    median: float,
    *,
    q1: float | None = None,
    q3: float | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
) -> Converted:
    """Mean (Luo et al. 2018) and SD (Wan et al. 2014) from a median with the range (S1), the
    range and quartiles (S2) or the quartiles (S3)."""
    _need(n >= 3, "n must be at least 3 to estimate a mean and SD from a median")
    has_range = minimum is not None and maximum is not None
    has_iqr = q1 is not None and q3 is not None
    _need(has_range or has_iqr, "give the range (min and max), the quartiles (q1 and q3), or both")
    if has_range:
        _need(minimum <= median <= maximum, "the median must lie within the range")  # type: ignore[operator]
        _need(maximum > minimum, "the range's maximum must be above its minimum")  # type: ignore[operator]
    if has_iqr:
        _need(q1 <= median <= q3, "the median must lie between q1 and q3")  # type: ignore[operator]
        _need(q3 > q1, "q3 must be above q1")  # type: ignore[operator]
    if has_range and has_iqr:
        _need(minimum <= q1 and q3 <= maximum, "the quartiles must lie within the range")  # type: ignore[operator]
    a, b = minimum, maximum
    n75 = n**0.75
    if has_range and has_iqr:
        scenario = "S2"
        w1 = 2.2 / (2.2 + n75)
        w2 = 0.7 - 0.72 / n**0.55
        mean = w1 * (a + b) / 2 + w2 * (q1 + q3) / 2 + (1 - w1 - w2) * median  # type: ignore[operator]
        sd = (b - a) / (2 * xi(n)) + (q3 - q1) / (2 * eta(n))  # type: ignore[operator]
    elif has_range:
        scenario = "S1"
        w = 4 / (4 + n75)
        mean = w * (a + b) / 2 + (1 - w) * median  # type: ignore[operator]
        sd = (b - a) / xi(n)  # type: ignore[operator]
    else:
        scenario = "S3"
        w = 0.7 + 0.39 / n
        mean = w * (q1 + q3) / 2 + (1 - w) * median  # type: ignore[operator]
        sd = (q3 - q1) / eta(n)  # type: ignore[operator]
    details = {
        "scenario": scenario,
        "n": n,
        "median": median,
        "q1": q1,
        "q3": q3,
        "min": minimum,
        "max": maximum,
        "mean_method": "Luo 2018",
        "sd_method": "Wan 2014",
    }
    return Converted(
        {"mean": mean, "sd": sd},
        "median_to_mean_sd",
        {k: v for k, v in details.items() if v is not None},
    )


# --- arms and change scores ------------------------------------------------------------------


def combine_groups(n1: int, m1: float, sd1: float, n2: int, m2: float, sd2: float) -> Converted:
    """Two groups as one (Handbook Table 6.5.a): N = n1 + n2, M = (n1 m1 + n2 m2) / N,
    SD = sqrt(((n1-1) sd1^2 + (n2-1) sd2^2 + n1 n2 / N (m1^2 + m2^2 - 2 m1 m2)) / (N - 1))."""
    _need(n1 >= 1 and n2 >= 1 and n1 + n2 >= 2, "each group needs n >= 1")
    _need(sd1 >= 0 and sd2 >= 0, "SDs cannot be negative")
    total = n1 + n2
    mean = (n1 * m1 + n2 * m2) / total
    var = (
        (n1 - 1) * sd1**2 + (n2 - 1) * sd2**2 + n1 * n2 / total * (m1**2 + m2**2 - 2 * m1 * m2)
    ) / (total - 1)
    return Converted(
        {"n": total, "mean": mean, "sd": math.sqrt(var)},
        "combine_groups",
        {"n1": n1, "m1": m1, "sd1": sd1, "n2": n2, "m2": m2, "sd2": sd2},
    )


def change_sd(
    sd_pre: float, sd_post: float, r: float, *, imputed: bool = False, source: str = ""
) -> Converted:
    """SD of the change from baseline (Handbook 6.5.2.8):
    sqrt(sd_pre^2 + sd_post^2 - 2 r sd_pre sd_post); ``imputed`` marks a borrowed r."""
    _need(-1 <= r <= 1, "r must be between -1 and 1")
    _need(sd_pre > 0 and sd_post > 0, "SDs must be greater than 0")
    var = sd_pre**2 + sd_post**2 - 2 * r * sd_pre * sd_post
    details: dict[str, Any] = {"sd_pre": sd_pre, "sd_post": sd_post, "r": r}
    if source:
        details["r_source"] = source
    return Converted({"sd_change": math.sqrt(max(var, 0.0))}, "change_sd", details, imputed)


def correlation_from_sds(sd_pre: float, sd_post: float, sd_change: float) -> float:
    """The pre-post correlation implied by a study reporting all three SDs (Handbook 6.5.2.8):
    r = (sd_pre^2 + sd_post^2 - sd_change^2) / (2 sd_pre sd_post)."""
    _need(sd_pre > 0 and sd_post > 0 and sd_change > 0, "SDs must be greater than 0")
    r = (sd_pre**2 + sd_post**2 - sd_change**2) / (2 * sd_pre * sd_post)
    _need(-1 <= r <= 1, f"these SDs imply r = {r:.3f}, outside -1..1; check them")
    return r


def impute_correlation(
    r: float,
    *,
    source: str,
    sd_pre: float | None = None,
    sd_post: float | None = None,
    sd_change: float | None = None,
) -> Converted:
    """A pre-post r borrowed from another study (flagged imputed): given directly as ``r``, or
    computed from that study's three SDs when they are given (then ``r`` is ignored)."""
    _need(bool(source.strip()), "say where the correlation comes from (the source study)")
    details: dict[str, Any] = {"source": source.strip()}
    if sd_pre is not None and sd_post is not None and sd_change is not None:
        r = correlation_from_sds(sd_pre, sd_post, sd_change)
        details.update(sd_pre=sd_pre, sd_post=sd_post, sd_change=sd_change)
    _need(-1 <= r <= 1, "r must be between -1 and 1")
    return Converted({"r": r}, "imputed_r", details, imputed=True)


# --- conversions from typed inputs (the TUI's convert dialog, scripts) ----------------------------

CONVERSIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "se": ("SD from a standard error (SD = SE x sqrt(n))", ("se", "n")),
    "ci": ("SD from a 95% CI of the mean (t-based when n < 60)", ("lower", "upper", "n")),
    "median": (
        "Mean and SD from a median with IQR and/or range (Luo 2018, Wan 2014)",
        ("n", "median", "q1", "q3", "min", "max"),
    ),
    "combine": (
        "Two groups as one (Cochrane Handbook Table 6.5.a)",
        ("n1", "mean1", "sd1", "n2", "mean2", "sd2"),
    ),
    "r_sds": (
        "r from this study's SDs before, after and of the change",
        ("sd_pre", "sd_post", "sd_change"),
    ),
    "r_impute": (
        "r imputed from another study (flagged imputed)",
        ("source", "r", "sd_pre", "sd_post", "sd_change"),
    ),
}
"""Conversion name -> (description, its inputs in entry order)."""


def convert(kind: str, inputs: Mapping[str, str]) -> Converted:
    """Run conversion ``kind`` on typed inputs (names as in :data:`CONVERSIONS`); an empty or
    unreadable input raises :class:`ConversionError` naming it."""

    def num(name: str, optional: bool = False) -> float | None:
        text = (inputs.get(name) or "").strip()
        if not text:
            if optional:
                return None
            raise ConversionError(f"give {name}")
        try:
            return parse_number(text).value
        except NumberError as exc:
            raise ConversionError(f"{name}: {exc}") from None

    def count(name: str) -> int:
        value = num(name)
        if value is None or value != int(value):
            raise ConversionError(f"{name} must be a whole number")
        return int(value)

    def need(name: str) -> float:
        value = num(name)
        assert value is not None
        return value

    if kind == "se":
        return sd_from_se(need("se"), count("n"))
    if kind == "ci":
        return sd_from_ci(need("lower"), need("upper"), count("n"))
    if kind == "median":
        return mean_sd_from_median(
            count("n"),
            need("median"),
            q1=num("q1", True),
            q3=num("q3", True),
            minimum=num("min", True),
            maximum=num("max", True),
        )
    if kind == "combine":
        return combine_groups(
            count("n1"), need("mean1"), need("sd1"), count("n2"), need("mean2"), need("sd2")
        )
    if kind == "r_sds":
        sds = {k: need(k) for k in ("sd_pre", "sd_post", "sd_change")}
        return Converted({"r": correlation_from_sds(**sds)}, "r_from_sds", sds)
    if kind == "r_impute":
        sds3 = (num("sd_pre", True), num("sd_post", True), num("sd_change", True))
        r_given = num("r", True)
        if r_given is None and None in sds3:
            raise ConversionError("give r, or the source study's three SDs")
        return impute_correlation(
            r_given if r_given is not None else 0.0,
            source=inputs.get("source", ""),
            sd_pre=sds3[0],
            sd_post=sds3[1],
            sd_change=sds3[2],
        )
    raise ConversionError(f"unknown conversion {kind!r}; known: {', '.join(CONVERSIONS)}")
