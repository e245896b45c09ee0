"""Estimators of the between-study variance tau^2, as metafor's ``rma.uni()`` computes them.

Closed-form estimators (DL, HE, HS, HSk, SJ) follow their formulas. The iterative ones follow
metafor's algorithms and stopping rules by default, so results agree with R to the printed
digits: Fisher scoring for ML, REML and EB (stop when tau^2 changes by less than
``Control.threshold``), fixed-point iteration for SJIT and DLIT, and Brent's method with R's
``uniroot`` tolerance for PM and PMM. ``Control.exact()`` iterates to the exact root instead.
All work is O(k p^2): no k x k matrix is ever formed.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from screener.pooling import _dist
from screener.pooling._wls import Array, WeightedFit, dims, dot, logdet, wls, xtwx
from screener.pooling._zeroin import R_TOL, uniroot
from screener.pooling.errors import PoolingError

FIXED_METHODS = frozenset({"FE", "EE", "CE"})
TAU2_METHODS = (
    "DL", "HE", "HS", "HSk", "SJ", "ML", "REML", "EB", "PM", "PMM", "SJIT", "DLIT",
)  # fmt: skip
_NEEDS_POSITIVE_VI = frozenset({"DL", "HS", "HSk", "PM", "PMM"})


@dataclass(frozen=True, slots=True)
class Control:
    """Iteration settings; the defaults are metafor 3.8's.

    Parameters
    ----------
    threshold
        Fisher scoring (ML, REML, EB) and fixed-point (SJIT, DLIT) iterations stop when tau^2
        changes by less than this.
    tol
        Absolute tolerance of the root search for PM and PMM.
    maxiter
        Most iterations of the estimators above.
    tau2_min, tau2_max
        Bounds of tau^2. PM and PMM search only up to ``tau2_max``; None (the default) is
        metafor's ``max(100, 10 mad(yi)^2)``, so a search grows with the spread of the data.
        The Fisher scoring (ML, REML, EB) and fixed-point (SJIT, DLIT) iterations have no upper
        bound, as in metafor.
    tau2_init
        Starting value for the iterative estimators (default: HE for ML/REML/EB, 0 for DLIT,
        the SJ starting value for SJIT).
    stepadj
        Step length factor of the Fisher scoring steps.
    ll0check
        For ML/REML, replace the estimate by 0 when the likelihood is larger there.
    ci_tol, ci_maxiter
        Tolerance and iterations of the Q-profile confidence interval search.
    """

    threshold: float = 1e-5
    tol: float = R_TOL
    maxiter: int = 100
    tau2_min: float = 0.0
    tau2_max: float | None = None
    tau2_init: float | None = None
    stepadj: float = 1.0
    ll0check: bool = True
    ci_tol: float = R_TOL
    ci_maxiter: int = 1000

    @classmethod
    def exact(cls) -> Control:
        """Settings that iterate to the exact roots (differs from metafor by up to ~1e-4)."""
        return cls(threshold=1e-13, tol=1e-14, maxiter=10_000, ci_tol=1e-14)


@dataclass(frozen=True, slots=True)
class Tau2Estimate:
    """An estimate of tau^2 with its standard error (None where metafor gives none)."""

    tau2: float
    se_tau2: float | None
    method: str
    iterations: int
    notes: tuple[str, ...] = ()


def estimate_tau2(
    yi: Array,
    vi: Array,
    X: Array | None = None,
    *,
    method: str = "REML",
    control: Control | None = None,
) -> Tau2Estimate:
    """Estimate tau^2 in the random/mixed-effects model ``yi = X beta + u_i + e_i``.

    Parameters
    ----------
    yi, vi
        Observed effect sizes and their sampling variances.
    X
        Model matrix (k x p); an intercept column when None.
    method
        One of FE, EE, CE (tau^2 = 0), DL, HE, HS, HSk, SJ, ML, REML, EB, PM, PMM, SJIT, DLIT.
    control
        Iteration settings (metafor's defaults when None).

    Raises
    ------
    PoolingError
        For an unknown method, too few studies, non-positive variances where the estimator
        needs positive ones, or an iteration that does not converge.
    """
    con = control or Control()
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    X = np.ones((y.size, 1)) if X is None else np.asarray(X, dtype=float)
    k, p = dims(X)
    if method in FIXED_METHODS:
        return Tau2Estimate(0.0, None, method, 0)
    if method not in TAU2_METHODS:
        raise PoolingError(
            f"unknown tau^2 estimator {method!r}; use one of {', '.join(TAU2_METHODS)}"
        )
    if k == 1:
        return Tau2Estimate(0.0, None, method, 0, ("k = 1: tau^2 set to 0",))
    if p + 1 > k:
        raise PoolingError(
            f"{p + 1} parameters to estimate from {k} studies: too few studies for this model"
        )
    if method in _NEEDS_POSITIVE_VI and not np.all(v > 0):
        raise PoolingError(f"the {method} estimator needs positive sampling variances")
    if con.tau2_max is None:
        con = dataclasses.replace(con, tau2_max=default_tau2_max(y))
    ymc = y - y.mean()
    return _ESTIMATORS[method](ymc, v, X, con)


def default_tau2_max(yi: Array) -> float:
    """metafor's upper bound of the tau^2 search: ``max(100, 10 mad(yi)^2)``.

    R's ``mad()`` scales the median absolute deviation by 1.4826 (exactly that constant).
    """
    y = np.asarray(yi, dtype=float)
    mad = 1.4826 * float(np.median(np.abs(y - np.median(y))))
    return max(100.0, 10.0 * mad * mad)


# --- closed-form estimators ---------------------------------------------------------------


def _dl(y: Array, v: Array, X: Array, con: Control) -> Tau2Estimate:
    k, p = dims(X)
    fit = wls(y, X, 1.0 / v)
    tr_p = fit.tr_pd()
    tau2 = max(con.tau2_min, (fit.rss - (k - p)) / tr_p)
    t = max(tau2, 0.0)
    se = math.sqrt((2 * (k - p) + 4 * t * tr_p + 2 * t * t * fit.tr_pdpe()) / tr_p**2)
    return Tau2Estimate(tau2, se, "DL", 0)


def _he_raw(y: Array, v: Array, X: Array) -> tuple[float, WeightedFit]:
    k, p = dims(X)
    fit = wls(y, X, np.ones_like(v))
    return (fit.rss - fit.tr_pd(v)) / (k - p), fit


def _he(y: Array, v: Array, X: Array, con: Control) -> Tau2Estimate:
    k, p = dims(X)
    raw, fit = _he_raw(y, v, X)
    tau2 = max(con.tau2_min, raw)
    t = max(tau2, 0.0)
    tr_pv = fit.tr_pd(v)
    tr_pvpv = fit.tr_pdpe(v, v)
    se = math.sqrt((2 * tr_pvpv + 4 * t * tr_pv + 2 * t * t * (k - p)) / (k - p) ** 2)
    return Tau2Estimate(tau2, se, "HE", 0)


def _hs(y: Array, v: Array, X: Array, con: Control, *, corrected: bool) -> Tau2Estimate:
    k, p = dims(X)
    w = 1.0 / v
    fit = wls(y, X, w)
    sw = float(w.sum())
    rss = fit.rss * (k / (k - p) if corrected else 1.0)
    tau2 = max(con.tau2_min, (rss - k) / sw)
    t = max(tau2, 0.0)
    se = math.sqrt((2 * (k - p) + 4 * t * fit.tr_pd() + 2 * t * t * fit.tr_pdpe()) / sw**2)
    if corrected:
        se *= k / (k - p)
    return Tau2Estimate(tau2, se, "HSk" if corrected else "HS", 0)


def _sj_start(y: Array, con: Control) -> float:
    return float(np.mean(y * y)) if con.tau2_init is None else con.tau2_init


def _sj(y: Array, v: Array, X: Array, con: Control) -> Tau2Estimate:
    k, p = dims(X)
    tau2_0 = _sj_start(y, con)
    fit = wls(y, X, 1.0 / (v + tau2_0))
    tau2 = max(con.tau2_min, tau2_0 * fit.rss / (k - p))
    t = max(tau2, 0.0)
    tr_pvpv = fit.tr_pdpe(v, v)
    tr_pvp = fit.tr_pdpe(v, None)
    se = math.sqrt(
        tau2_0**2 / (k - p) ** 2 * (2 * tr_pvpv + 4 * t * tr_pvp + 2 * t * t * fit.tr_pdpe())
    )
    return Tau2Estimate(tau2, se, "SJ", 0)


# --- iterative estimators ----------------------------------------------------------------


def _se_q_type(v: Array, tau2: float, k: int, p: int) -> float:
    # metafor's standard error for EB, PM, PMM, DLIT and SJIT
    return math.sqrt(2 * k * k / (k - p)) / float(np.sum(1.0 / (v + tau2)))


def _pm(y: Array, v: Array, X: Array, con: Control, *, median: bool) -> Tau2Estimate:
    k, p = dims(X)
    target = _dist.chi2_ppf(0.5, k - p) if median else float(k - p)
    name = "PMM" if median else "PM"
    tau2_max = float(con.tau2_max) if con.tau2_max is not None else default_tau2_max(y)

    def excess(tau2: float) -> float:
        return wls(y, X, 1.0 / (v + tau2)).rss - target

    if excess(con.tau2_min) < 0:
        tau2, iterations = con.tau2_min, 0
    elif excess(tau2_max) > 0:
        raise PoolingError(
            f"{name}: tau^2 lies above tau2_max = {tau2_max:g}; raise tau2_max or use another "
            "method"
        )
    else:
        root = uniroot(excess, con.tau2_min, tau2_max, tol=con.tol, maxiter=con.maxiter)
        tau2, iterations = root.root, root.iterations
    tau2 = max(con.tau2_min, tau2)
    return Tau2Estimate(tau2, _se_q_type(v, tau2, k, p), name, iterations)


def _fixed_point(
    y: Array,
    v: Array,
    X: Array,
    con: Control,
    *,
    name: str,
    start: float,
    step: Callable[[float], float],
) -> tuple[float, int]:
    tau2, change, iteration = start, con.threshold + 1.0, 0
    while change > con.threshold:
        iteration += 1
        old = tau2
        tau2 = step(tau2)
        change = abs(old - tau2)
        if iteration > con.maxiter:
            raise PoolingError(f"the {name} estimator did not converge in {con.maxiter} iterations")
    return tau2, iteration


def _sjit(y: Array, v: Array, X: Array, con: Control) -> Tau2Estimate:
    k, p = dims(X)

    def step(tau2: float) -> float:
        return tau2 * wls(y, X, 1.0 / (v + tau2)).rss / (k - p)

    tau2, iterations = _fixed_point(
        y, v, X, con, name="iterative SJ", start=_sj_start(y, con), step=step
    )
    tau2 = max(con.tau2_min, tau2)
    return Tau2Estimate(tau2, _se_q_type(v, tau2, k, p), "SJIT", iterations)


def _dlit(y: Array, v: Array, X: Array, con: Control) -> Tau2Estimate:
    k, p = dims(X)
    last: list[WeightedFit] = []

    def step(tau2: float) -> float:
        # metafor 3.8: the DL formula re-evaluated with the current random-effects weights
        # (it can oscillate and then fails to converge, as metafor reports for dat.bcg)
        if np.any(v + tau2 <= 0):
            raise PoolingError("some marginal variances are not positive")
        fit = wls(y, X, 1.0 / (v + tau2))
        last[:] = [fit]
        return max(con.tau2_min, (fit.rss - (k - p)) / fit.tr_pd())

    start = 0.0 if con.tau2_init is None else con.tau2_init
    tau2, iterations = _fixed_point(y, v, X, con, name="iterative DL", start=start, step=step)
    tau2 = max(con.tau2_min, tau2)
    # metafor 3.8 uses the DL standard error with P from the last iteration's weights
    fit = last[0]
    tr_p, t = fit.tr_pd(), max(tau2, 0.0)
    se = math.sqrt((2 * (k - p) + 4 * t * tr_p + 2 * t * t * fit.tr_pdpe()) / tr_p**2)
    return Tau2Estimate(tau2, se, "DLIT", iterations)


def _scoring(y: Array, v: Array, X: Array, con: Control, *, name: str) -> Tau2Estimate:
    k, p = dims(X)
    if con.tau2_init is None:
        tau2 = max(0.0, _he_raw(y, v, X)[0], con.tau2_min)
    else:
        tau2 = con.tau2_init
    change, iteration = con.threshold + 1.0, 0
    step = _intercept_step if p == 1 and bool(np.all(X[:, 0] == 1.0)) else _general_step
    v_min = float(v.min())
    while change > con.threshold:
        iteration += 1
        old = tau2
        if tau2 + v_min <= 0:
            raise PoolingError("a sampling variance of 0 with tau^2 = 0: the weights are infinite")
        adj = step(y, v, X, tau2, name)
        adj = 0.0 if math.isnan(adj) else adj * con.stepadj
        while tau2 + adj < con.tau2_min:
            adj /= 2.0
        tau2 = tau2 + adj
        change = abs(old - tau2)
        if iteration > con.maxiter:
            raise PoolingError(
                f"Fisher scoring for {name} did not converge in {con.maxiter} iterations"
            )
    notes: tuple[str, ...] = ()
    if name in ("ML", "REML") and con.ll0check and np.all(v > 0):
        if (
            _loglik(y, v, X, 0.0, reml=name == "REML") - _loglik(y, v, X, tau2, reml=name == "REML")
            > con.tol
            and tau2 > con.threshold
        ):
            notes = ("Fisher scoring may have stopped at a local maximum; tau^2 set to 0",)
            tau2 = 0.0
    tau2 = max(con.tau2_min, tau2)
    w = 1.0 / (v + tau2)
    if name == "ML":
        se = math.sqrt(2.0 / dot(w, w))
    elif name == "REML":
        se = math.sqrt(2.0 / wls(y, X, w).tr_pdpe())
    else:
        se = _se_q_type(v, tau2, k, p)
    return Tau2Estimate(tau2, se, name, iteration, notes)


def _general_step(y: Array, v: Array, X: Array, tau2: float, name: str) -> float:
    """One Fisher scoring step for ML, REML or EB (metafor's formulas through WLS)."""
    k, p = dims(X)
    w = 1.0 / (v + tau2)
    fit = wls(y, X, w)
    if name == "ML":
        return (fit.py_norm2 - float(w.sum())) / dot(w, w)
    if name == "REML":
        return (fit.py_norm2 - fit.tr_pd()) / fit.tr_pdpe()
    return (fit.rss * k / (k - p) - k) / float(w.sum())


def _intercept_step(y: Array, v: Array, X: Array, tau2: float, name: str) -> float:
    """The same step for the intercept-only model, from sums of the weights.

    With P = W - w w'/sum(w): tr(P) = S1 - S2/S1 and tr(PP) = S2 - 2 S3/S1 + (S2/S1)^2, where
    Sj = sum(w^j); this is the hot loop of leave-one-out and trim-and-fill.
    """
    k = y.size
    w = 1.0 / (v + tau2)
    s1 = float(w.sum())
    w2 = w * w
    s2 = float(w2.sum())
    resid = y - dot(w, y) / s1
    wr = w * resid
    if name == "ML":
        return (dot(wr, wr) - s1) / s2
    if name == "REML":
        ratio = s2 / s1
        return (dot(wr, wr) - (s1 - ratio)) / (s2 - 2.0 * dot(w2, w) / s1 + ratio * ratio)
    return (dot(wr, resid) * k / (k - 1) - k) / s1


def _loglik(y: Array, v: Array, X: Array, tau2: float, *, reml: bool) -> float:
    """The (restricted) log-likelihood without constants that do not depend on tau^2."""
    k, p = dims(X)
    w = 1.0 / (v + tau2)
    fit = wls(y, X, w)
    if reml:
        det = -math.log(float(fit.A[0, 0])) if p == 1 else logdet(xtwx(X, w))
        return (
            -0.5 * (k - p) * math.log(2 * math.pi)
            - 0.5 * float(np.sum(np.log(v + tau2)))
            - 0.5 * det
            - 0.5 * fit.rss
        )
    return -0.5 * k * math.log(2 * math.pi) - 0.5 * float(np.sum(np.log(v + tau2))) - 0.5 * fit.rss


_ESTIMATORS: dict[str, Callable[[Array, Array, Array, Control], Tau2Estimate]] = {
    "DL": _dl,
    "HE": _he,
    "HS": lambda y, v, X, c: _hs(y, v, X, c, corrected=False),
    "HSk": lambda y, v, X, c: _hs(y, v, X, c, corrected=True),
    "SJ": _sj,
    "SJIT": _sjit,
    "DLIT": _dlit,
    "PM": lambda y, v, X, c: _pm(y, v, X, c, median=False),
    "PMM": lambda y, v, X, c: _pm(y, v, X, c, median=True),
    "ML": lambda y, v, X, c: _scoring(y, v, X, c, name="ML"),
    "REML": lambda y, v, X, c: _scoring(y, v, X, c, name="REML"),
    "EB": lambda y, v, X, c: _scoring(y, v, X, c, name="EB"),
}
