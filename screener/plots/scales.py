"""How a figure's effect axis reads: the model scale drawn, the natural scale labelled.

Ratios are drawn as log ratios with ratio tick labels (0.5, 1, 2); proportions and correlations
from a transformed scale (logit, arcsine, Freeman-Tukey, Fisher's z) with natural tick labels
when the caller gives the transformation (:func:`screener.pooling.plots.plot_scale` does).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from screener.plots.measures import PROPORTION, RATIO, log_scale, measure_name, null_value

__all__ = ["CORRELATION_TICKS", "PROPORTION_TICKS", "RATIO_TICKS", "Scale", "measure_scale"]

RATIO_TICKS = (
    (0.001, 0.01, 0.1, 1, 10, 100, 1000),
    (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100),
    (0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 7, 10),
    (0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2),
    (0.8, 0.85, 0.9, 0.95, 1, 1.05, 1.1, 1.15, 1.2, 1.25),
)
PROPORTION_TICKS = (
    (0.0, 0.25, 0.5, 0.75, 1.0),
    tuple(i / 10 for i in range(11)),
    tuple(i / 20 for i in range(21)),
    (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5),
    tuple(i / 100 for i in range(101)),
)
CORRELATION_TICKS = (
    (-1.0, -0.5, 0.0, 0.5, 1.0),
    tuple(i / 4 for i in range(-4, 5)),
    tuple(i / 10 for i in range(-10, 11)),
    tuple(i / 20 for i in range(-20, 21)),
)


def _same(x: float) -> float:
    return x


def _log(x: float) -> float:
    return math.log(x) if x > 0 else -math.inf


@dataclass(frozen=True, slots=True)
class Scale:
    """How the axis reads: values are drawn on the model scale; ``back`` takes them to the
    natural scale for the text, ``forward`` takes natural tick values to the axis.

    ``ladders`` are candidate natural tick values, coarse to fine (empty: a linear axis with
    ticks where matplotlib puts them). ``null`` is the value of no effect on the natural scale,
    None when there is none. ``name`` says the measure in words; ``log`` adds "(log scale)".
    """

    name: str = "Effect size"
    back: Callable[[float], float] = _same
    forward: Callable[[float], float] = _same
    null: float | None = 0.0
    ladders: tuple[tuple[float, ...], ...] = ()
    log: bool = False

    @property
    def label(self) -> str:
        return f"{self.name} (log scale)" if self.log else self.name


def measure_scale(
    measure: str | None,
    *,
    transform: bool = True,
    back: Callable[[float], float] | None = None,
    forward: Callable[[float], float] | None = None,
) -> Scale:
    """The axis of ``measure``: ratios (and log proportions) back-transformed with exp; other
    transformed measures when ``back`` and ``forward`` are given, else on the model scale."""
    m = (measure or "GEN").upper()
    if transform and (m in RATIO or m == "PLN"):
        back, forward = back or math.exp, forward or _log
    if not transform or back is None or forward is None:
        return Scale(measure_name(m, transform=False), null=None if m in PROPORTION else 0.0)
    ladders = (
        RATIO_TICKS if m in RATIO else PROPORTION_TICKS if m in PROPORTION else CORRELATION_TICKS
    )
    return Scale(measure_name(m), back, forward, null_value(m), ladders, log_scale(m))
