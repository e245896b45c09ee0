"""Back-transformations from the model scale to the scale readers know (metafor's ``transf``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from screener.pooling._wls import Array
from screener.pooling.errors import PoolingError
from screener.pooling.results import PoolResult, clean_fields


def exp(x: ArrayLike) -> Array:
    """Ratios from log ratios."""
    out: Array = np.exp(np.asarray(x, dtype=float))
    return out


def ilogit(x: ArrayLike) -> Array:
    """Proportions from logits."""
    out: Array = 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))
    return out


def ztor(x: ArrayLike) -> Array:
    """Correlations from Fisher's z (tanh)."""
    out: Array = np.tanh(np.asarray(x, dtype=float))
    return out


def iarcsin(x: ArrayLike) -> Array:
    """Proportions from the arcsine square root transformation (clipped to [0, 1])."""
    z = np.asarray(x, dtype=float)
    out = np.sin(z) ** 2
    out = np.where(z < 0, 0.0, out)
    return np.where(z > np.arcsin(1.0), 1.0, out)


def pft(p: ArrayLike, n: float | Array) -> Array:
    """The Freeman-Tukey double arcsine transform of a proportion ``p`` with sample size ``n``."""
    x = np.asarray(p, dtype=float) * n
    return 0.5 * (np.arcsin(np.sqrt(x / (n + 1))) + np.arcsin(np.sqrt((x + 1) / (n + 1))))


def ipft(x: ArrayLike, n: float | Array) -> Array:
    """Miller's (1978) inverse of the Freeman-Tukey transform for sample size ``n``."""
    z = np.asarray(x, dtype=float)
    s = np.sin(2 * z)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = 0.5 * (1 - np.sign(np.cos(2 * z)) * np.sqrt(1 - (s + (s - 1 / s) / n) ** 2))
    out = np.where(z > pft(1.0, n), 1.0, out)
    return np.where(z < pft(0.0, n), 0.0, out)


def harmonic_mean(values: ArrayLike) -> float:
    """1 / mean(1 / values), ignoring missing values."""
    v = np.asarray(values, dtype=float)
    return float(1.0 / np.nanmean(1.0 / v))


def ipft_hm(x: ArrayLike, ni: ArrayLike) -> Array:
    """Miller's inverse evaluated at the harmonic mean of the sample sizes (metafor's
    ``transf.ipft.hm``)."""
    return ipft(x, harmonic_mean(ni))


RATIO_MEASURES = frozenset({"OR", "RR", "ROM", "PETO", "PLN", "IRR", "HR"})
PROPORTION_MEASURES = frozenset({"PR", "PLO", "PAS", "PFT"})
CORRELATION_MEASURES = frozenset({"ZCOR", "COR"})


def back_transform(
    measure: str, ni: ArrayLike | None = None
) -> Callable[[ArrayLike], Array] | None:
    """The function taking values of ``measure`` to its natural scale, or None if there is none
    (the measure is already on it, e.g. MD, SMD, RD, COR)."""
    m = measure.upper()
    if m in RATIO_MEASURES:
        return exp
    if m == "PLO":
        return ilogit
    if m == "PAS":
        return iarcsin
    if m == "ZCOR":
        return ztor
    if m == "PFT":
        if ni is None:
            raise PoolingError("the PFT back-transformation needs the sample sizes (column ni)")
        n_hm = harmonic_mean(ni)
        return lambda x: ipft(x, n_hm)
    return None


@dataclass(frozen=True, slots=True)
class Transformed:
    """A pooled result on the natural scale (ratio, proportion or correlation)."""

    estimate: float
    ci_lb: float
    ci_ub: float
    pi_lb: float
    pi_ub: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return clean_fields(
            {n: getattr(self, n) for n in ("estimate", "ci_lb", "ci_ub", "pi_lb", "pi_ub")}
        )


def transformed(result: PoolResult) -> Transformed | None:
    """The estimate, CI and PI of ``result`` back-transformed, or None when the measure needs
    none (or, for PFT, when the sample sizes are unknown). Proportions on the PR scale are returned
    as they are (they are already proportions)."""
    if result.measure == "PFT" and result.ni is None:
        return None  # Miller's inversion needs the sample sizes
    if result.measure == "PR":
        f: Callable[[ArrayLike], Array] | None = lambda x: np.asarray(x, dtype=float)  # noqa: E731
    else:
        f = back_transform(result.measure, result.ni)
    if f is None:
        return None
    values = f([result.estimate, result.ci_lb, result.ci_ub, result.pi_lb, result.pi_ub])
    return Transformed(*(float(x) for x in values))
