"""Q-profile confidence intervals for tau^2, tau, I^2 and H^2 (metafor's ``confint.rma.uni``).

The bounds are the tau^2 values where the generalised Q statistic equals the chi^2
quantiles with k - p df. Like metafor, the search runs within [min(0, tau^2), tau2_max] with
``tau2_max = max(100, 10 tau^2)``; a bound that reaches the end of the search is reported with a
note (metafor prints it as "> tau2_max").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from screener.pooling import _dist
from screener.pooling._wls import Array, dims, wls
from screener.pooling._zeroin import uniroot
from screener.pooling.errors import PoolingError
from screener.pooling.tau2 import Control


@dataclass(frozen=True, slots=True)
class HeterogeneityCI:
    """Q-profile bounds for tau^2 and the quantities derived from it."""

    tau2_lb: float
    tau2_ub: float
    tau_lb: float
    tau_ub: float
    I2_lb: float
    I2_ub: float
    H2_lb: float
    H2_ub: float
    notes: tuple[str, ...] = ()


def generalized_q(yi: Array, vi: Array, X: Array, tau2: float) -> float:
    """Q(tau^2) = sum of squared weighted residuals with weights 1/(vi + tau^2)."""
    return wls(np.asarray(yi, float), X, 1.0 / (np.asarray(vi, float) + tau2)).rss


def q_profile_ci(
    yi: Array,
    vi: Array,
    X: Array | None = None,
    *,
    tau2: float,
    vt: float,
    alpha: float = 0.05,
    control: Control | None = None,
) -> HeterogeneityCI:
    """Q-profile confidence interval for tau^2 (and tau, I^2, H^2 through ``vt``).

    Parameters
    ----------
    yi, vi
        Effect sizes and sampling variances (all variances must be positive).
    X
        Model matrix (intercept only when None).
    tau2
        The model's estimate (sets the search range as metafor does).
    vt
        The "typical" sampling variance used for I^2 = 100 tau^2 / (vt + tau^2).
    alpha
        1 - confidence level.
    control
        ``ci_tol`` and ``ci_maxiter`` set the root search.
    """
    con = control or Control()
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    X = np.ones((y.size, 1)) if X is None else X
    k, p = dims(X)
    if k - p < 1:
        raise PoolingError("a confidence interval for tau^2 needs more studies than coefficients")
    if not np.all(v > 0):
        raise PoolingError("a confidence interval for tau^2 needs positive sampling variances")
    lo = min(0.0, tau2)
    hi = max(100.0, 10.0 * tau2, 10.0 * lo)
    crit_u = _dist.chi2_isf(alpha / 2, k - p)
    crit_l = _dist.chi2_ppf(alpha / 2, k - p)
    q_hi = generalized_q(y, v, X, hi)
    q_lo = generalized_q(y, v, X, lo)
    notes: list[str] = []

    def solve(target: float) -> float:
        root = uniroot(
            lambda t: generalized_q(y, v, X, t) - target, lo, hi,
            tol=con.ci_tol, maxiter=con.ci_maxiter,
        )  # fmt: skip
        return root.root

    if q_lo < crit_l:
        ub = lb = lo
        notes.append("the Q-profile confidence interval for tau^2 is the null set")
    else:
        if q_hi > crit_l:
            ub = hi
            notes.append(
                f"tau^2 upper bound reached the search limit {hi:g} (true bound is larger)"
            )
        else:
            ub = solve(crit_l)
        if q_hi > crit_u:
            lb = ub = hi
            notes.append(f"both tau^2 bounds lie above the search limit {hi:g}")
        elif q_lo < crit_u:
            lb = lo
        else:
            lb = solve(crit_u)

    def i2(t: float) -> float:
        return 100.0 * t / (vt + t)

    def h2(t: float) -> float:
        return 1.0 + t / vt

    return HeterogeneityCI(
        tau2_lb=lb, tau2_ub=ub,
        tau_lb=math.sqrt(max(lb, 0.0)), tau_ub=math.sqrt(max(ub, 0.0)),
        I2_lb=i2(lb), I2_ub=i2(ub), H2_lb=h2(lb), H2_ub=h2(ub), notes=tuple(notes),
    )  # fmt: skip
