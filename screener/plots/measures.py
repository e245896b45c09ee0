"""Effect measures in words, and where each one's line of no effect lies.

One table for every figure and caption: the forest plot's axis, the funnel plot's axis and the
report's fallback figures all name a measure through :func:`axis_label`.
"""

from __future__ import annotations

__all__ = [
    "MEASURE_WORDS",
    "PROPORTION",
    "RATIO",
    "axis_label",
    "log_scale",
    "measure_name",
    "null_value",
]

#: The measure on its natural scale (what a reader sees when estimates are back-transformed).
MEASURE_WORDS: dict[str, str] = {
    "OR": "Odds ratio", "RR": "Risk ratio", "PETO": "Odds ratio (Peto)",
    "ROM": "Ratio of means", "IRR": "Incidence rate ratio", "HR": "Hazard ratio",
    "RD": "Risk difference", "MD": "Mean difference",
    "SMD": "Standardised mean difference (Hedges' g)",
    "SMCR": "Standardised mean change (SMCR)", "SMCC": "Standardised mean change (SMCC)",
    "MC": "Mean change",
    "PR": "Proportion", "PLN": "Proportion", "PLO": "Proportion", "PFT": "Proportion",
    "PAS": "Proportion",
    "COR": "Correlation", "ZCOR": "Correlation",
    "GEN": "Effect size",
}  # fmt: skip

#: The measure on the scale the model works on, where that differs from the natural one.
_MODEL_WORDS: dict[str, str] = {
    "OR": "Log odds ratio", "RR": "Log risk ratio", "PETO": "Log odds ratio (Peto)",
    "ROM": "Log ratio of means", "IRR": "Log incidence rate ratio", "HR": "Log hazard ratio",
    "PLN": "Log proportion", "PLO": "Logit proportion",
    "PFT": "Freeman-Tukey double arcsine proportion", "PAS": "Arcsine square root proportion",
    "ZCOR": "Fisher's z (correlation)",
}  # fmt: skip

RATIO = frozenset({"OR", "RR", "ROM", "PETO", "IRR", "HR"})
PROPORTION = frozenset({"PR", "PLN", "PLO", "PFT", "PAS"})


def measure_name(measure: str | None, *, transform: bool = True) -> str:
    """The measure in words: "Risk ratio", "Standardised mean change (SMCR)", ...

    ``transform`` False names the model scale ("Log risk ratio"); an unknown code is shown as
    it is ("Effect size (XYZ)"), no code at all as "Effect size".
    """
    code = (measure or "GEN").upper()
    if not transform and code in _MODEL_WORDS:
        return _MODEL_WORDS[code]
    return MEASURE_WORDS.get(code, f"Effect size ({code})")


def log_scale(measure: str | None, *, transform: bool = True) -> bool:
    """Whether the natural-scale axis of ``measure`` is logarithmic (ratios, log proportions)."""
    return transform and (measure or "").upper() in RATIO | {"PLN"}


def axis_label(measure: str | None, *, transform: bool = True) -> str:
    """The axis title: the measure in words, with "(log scale)" where the axis is one."""
    name = measure_name(measure, transform=transform)
    return f"{name} (log scale)" if log_scale(measure, transform=transform) else name


def null_value(measure: str | None) -> float | None:
    """The value of no effect on the natural scale: 1 for ratios, 0 for differences and
    correlations, None for a single group's proportion (it has no value of no effect)."""
    code = (measure or "GEN").upper()
    if code in PROPORTION:
        return None
    return 1.0 if code in RATIO else 0.0
