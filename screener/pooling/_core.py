"""The model fit shared by ``rma`` and ``meta_regression``: metafor's ``rma.uni()`` core.

Given yi, vi and a model matrix, estimate tau^2, the coefficients by weighted least squares,
their tests (z, t, Knapp-Hartung), the residual heterogeneity test and I^2/H^2 from the
"typical" sampling variance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from screener.pooling import _dist
from screener.pooling._wls import Array, Index, dims, wls
from screener.pooling.errors import PoolingError
from screener.pooling.tau2 import FIXED_METHODS, Control, Tau2Estimate, estimate_tau2

TESTS = ("z", "t", "knha", "adhoc")


@dataclass(frozen=True, slots=True, eq=False)
class CoreFit:
    """Everything one fit produces; the public results are built from it."""

    k: int
    p: int
    method: str
    test: str
    alpha: float
    beta: Array
    vb: Array
    se: Array
    zval: Array
    pval: Array
    ci_lb: Array
    ci_ub: Array
    crit: float
    ddf: int | None
    tau2: Tau2Estimate
    QE: float | None
    QE_df: int
    QEp: float | None
    I2: float | None
    H2: float | None
    vt: float | None
    s2w: float
    weights: Array
    QM: float | None
    QM_df: tuple[int, int | None]
    QMp: float | None
    notes: tuple[str, ...]


def level_to_alpha(level: float) -> float:
    """metafor's convention: ``level=95`` (or 0.95) means alpha = 0.05."""
    if not 0 < level < 100:
        raise PoolingError(f"level must be between 0 and 100, not {level}")
    return (100.0 - level) / 100.0 if level > 1 else 1.0 - level


def critical_value(alpha: float, ddf: int | None) -> float:
    """The two-sided critical value of z (``ddf`` None) or t with ``ddf`` df."""
    if ddf is None:
        return _dist.norm_isf(alpha / 2)
    return _dist.t_isf(alpha / 2, ddf) if ddf > 0 else math.nan


def two_sided_p(stat: Array, ddf: int | None) -> Array:
    """Two-sided p-values of z (``ddf`` None) or t statistics."""
    if ddf is None:
        return 2.0 * _dist.norm_sf(np.abs(stat))
    if ddf <= 0:
        return np.full_like(stat, np.nan)
    return 2.0 * _dist.t_sf(np.abs(stat), ddf)


def fit_core(
    yi: Array,
    vi: Array,
    X: Array,
    *,
    method: str,
    test: str,
    level: float,
    control: Control,
    btt: Index | None = None,
    intercept: bool = True,
) -> CoreFit:
    """Fit the (mixed-effects) meta-analytic model ``yi ~ X`` with metafor's rules."""
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    k, p = dims(X)
    notes: list[str] = []
    if test not in TESTS:
        raise PoolingError(f"unknown test {test!r}; use one of {', '.join(TESTS)}")
    if k == 0:
        raise PoolingError("no studies to pool")
    if np.any(v < 0):
        raise PoolingError("sampling variances must not be negative")
    if k == 1 and test != "z":
        notes.append("k = 1: test set to z")
        test = "z"
    if method in FIXED_METHODS:
        if p > k:
            raise PoolingError(f"{p} coefficients cannot be estimated from {k} studies")
    allvipos = bool(np.all(v > 0))
    alpha = level_to_alpha(level)
    tau2_est = estimate_tau2(y, v, X, method=method, control=control)
    notes.extend(tau2_est.notes)
    tau2 = tau2_est.tau2
    with np.errstate(divide="ignore"):
        w = 1.0 / (v + tau2)
    if not np.all(np.isfinite(w)):
        raise PoolingError("a sampling variance of 0 with tau^2 = 0: the weights are infinite")
    fit = wls(y, X, w)
    beta, vb = fit.beta, fit.A
    s2w = 1.0
    if test in ("knha", "adhoc"):
        rss = fit.rss
        s2w = 0.0 if rss <= np.finfo(float).eps else rss / (k - p)
        if test == "adhoc":
            s2w = max(1.0, s2w)
        vb = s2w * vb
        if method in FIXED_METHODS:
            notes.append("the Knapp-Hartung adjustment is meant for random-effects models")
    ddf = k - p if test in ("knha", "adhoc", "t") else None
    se = np.sqrt(np.diag(vb))
    with np.errstate(divide="ignore", invalid="ignore"):
        zval = beta / se
    pval = two_sided_p(zval, ddf)
    crit = critical_value(alpha, ddf)
    ci_lb, ci_ub = beta - crit * se, beta + crit * se

    if btt is None:
        btt = np.arange(1, p) if (intercept and p > 1) else np.arange(p)
    m = len(btt)
    qm = qm_p = None
    if m > 0:
        sub = vb[np.ix_(btt, btt)]
        try:
            qm = float(beta[btt] @ np.linalg.solve(sub, beta[btt]))
        except np.linalg.LinAlgError:
            qm = None
        if qm is not None:
            if ddf is None:
                qm_p = _dist.chi2_sf(qm, m)
            else:
                qm /= m
                qm_p = _dist.f_sf(qm, m, ddf) if ddf > 0 else None

    QE = QEp = I2 = H2 = vt = None
    if allvipos:
        if k > p:
            fe = wls(y, X, 1.0 / v)
            QE = max(0.0, fe.rss)
            QEp = _dist.chi2_sf(QE, k - p)
            vt = (k - p) / fe.tr_pd()
            if method in FIXED_METHODS:
                I2 = max(0.0, 100.0 * (QE - (k - p)) / QE) if QE > 0 else 0.0
                H2 = QE / (k - p)
            else:
                I2 = 100.0 * tau2 / (vt + tau2)
                H2 = tau2 / vt + 1.0
        else:
            QE, QEp, I2, H2, vt = 0.0, 1.0, 0.0, 1.0, 0.0
            if k == 1:
                notes.append("k = 1: no test for heterogeneity")
    else:
        notes.append("non-positive sampling variances: no Q test, I^2 or H^2")

    return CoreFit(
        k=k, p=p, method=method, test=test, alpha=alpha, beta=beta, vb=vb, se=se, zval=zval,
        pval=pval, ci_lb=ci_lb, ci_ub=ci_ub, crit=crit, ddf=ddf, tau2=tau2_est, QE=QE,
        QE_df=k - p, QEp=QEp, I2=I2, H2=H2, vt=vt, s2w=s2w, weights=w, QM=qm,
        QM_df=(m, ddf), QMp=qm_p, notes=tuple(notes),
    )  # fmt: skip
