"""Tail probabilities and quantiles of z, t, chi^2 and F through ``scipy.special``.

The same functions ``scipy.stats`` calls underneath, without its per-call overhead (about half
a millisecond each), which dominated a full analysis of a few dozen studies.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special


def norm_sf(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Upper tail of the standard normal."""
    return np.asarray(special.ndtr(-x), dtype=float)


def norm_isf(q: float) -> float:
    """Upper quantile of the standard normal."""
    return float(-special.ndtri(q))


def t_sf(x: NDArray[np.float64], df: float) -> NDArray[np.float64]:
    """Upper tail of Student's t."""
    return np.asarray(special.stdtr(df, -x), dtype=float)


def t_isf(q: float, df: float) -> float:
    """Upper quantile of Student's t."""
    return float(-special.stdtrit(df, q))


def chi2_sf(x: float, df: float) -> float:
    """Upper tail of chi^2."""
    return float(special.chdtrc(df, x))


def chi2_isf(q: float, df: float) -> float:
    """Upper quantile of chi^2."""
    return float(special.chdtri(df, q))


def chi2_ppf(q: float, df: float) -> float:
    """Lower quantile of chi^2."""
    return float(2.0 * special.gammaincinv(df / 2.0, q))


def f_sf(x: float, df1: float, df2: float) -> float:
    """Upper tail of F."""
    return float(special.fdtrc(df1, df2, x))
