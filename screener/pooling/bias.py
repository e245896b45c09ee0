"""Small-study effects: Egger's regression test, Begg's rank correlation, trim-and-fill
(metafor's ``regtest``, ``ranktest`` and ``trimfill``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from screener.pooling._core import critical_value, fit_core, level_to_alpha, two_sided_p
from screener.pooling._wls import Array, wls
from screener.pooling.effects import EffectSizes
from screener.pooling.errors import PoolingError
from screener.pooling.models import _inputs, rma
from screener.pooling.results import PoolResult, clean_fields, frozen_array
from screener.pooling.tau2 import Control

PREDICTORS = ("sei", "vi", "ni", "ninv", "sqrtni", "sqrtninv")


@dataclass(frozen=True, slots=True)
class EggerResult:
    """Regression test for funnel plot asymmetry.

    ``stat`` is z (model "rma" with a z test) or t (model "lm", or "rma" with a t-type test);
    ``limit_estimate`` is the intercept: the effect predicted for a study with SE -> 0.
    """

    model: str
    predictor: str
    method: str
    stat: float
    stat_type: str
    pval: float
    df: int | None
    intercept: float
    intercept_se: float
    slope: float
    slope_se: float
    limit_estimate: float
    limit_ci_lb: float
    limit_ci_ub: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return clean_fields({name: getattr(self, name) for name in self.__slots__})


def regtest(
    yi: EffectSizes | Sequence[float] | Array,
    vi: Sequence[float] | Array | None = None,
    /,
    *,
    model: str = "rma",
    predictor: str = "sei",
    method: str = "REML",
    test: str = "z",
    level: float = 95,
    ni: Sequence[float] | Array | None = None,
    control: Control | None = None,
) -> EggerResult:
    """Egger's regression test.

    Parameters
    ----------
    model
        "rma": the meta-regression of yi on the predictor with the given ``method`` and
        ``test`` (metafor's default); "lm": the classical Egger test, a weighted regression
        (weights 1/vi) with a multiplicative dispersion and t with k - 2 df.
    predictor
        sei (default), vi, ni, ninv, sqrtni or sqrtninv.
    """
    if model not in ("rma", "lm"):
        raise PoolingError(f"unknown Egger model {model!r}; use rma or lm")
    if predictor not in PREDICTORS:
        raise PoolingError(f"unknown predictor {predictor!r}; use one of {', '.join(PREDICTORS)}")
    y, v, _, ni_, _, _ = _inputs(yi, vi, labels=None, ni=ni, measure=None)
    k = y.size
    if k < 3:
        raise PoolingError("Egger's test needs at least three studies")
    x = _predictor(predictor, v, ni_)
    X = np.column_stack([np.ones(k), x])
    if np.linalg.matrix_rank(X) < 2:
        raise PoolingError("the predictor is constant across studies; Egger's test is undefined")
    alpha = level_to_alpha(level)
    if model == "rma":
        core = fit_core(y, v, X, method=method, test=test, level=level,
                        control=control or Control(), btt=np.array([1]))  # fmt: skip
        return EggerResult(
            model="rma", predictor=predictor, method=method, stat=float(core.zval[1]),
            stat_type="z" if core.ddf is None else "t", pval=float(core.pval[1]), df=core.ddf,
            intercept=float(core.beta[0]), intercept_se=float(core.se[0]),
            slope=float(core.beta[1]), slope_se=float(core.se[1]),
            limit_estimate=float(core.beta[0]), limit_ci_lb=float(core.ci_lb[0]),
            limit_ci_ub=float(core.ci_ub[0]),
        )  # fmt: skip
    fit = wls(y, X, 1.0 / v)
    df = k - 2
    sigma2 = fit.rss / df
    se = np.sqrt(np.diag(fit.A) * sigma2)
    tval = fit.beta / se
    crit = critical_value(alpha, df)
    return EggerResult(
        model="lm", predictor=predictor, method="FE", stat=float(tval[1]), stat_type="t",
        pval=float(two_sided_p(tval, df)[1]), df=df, intercept=float(fit.beta[0]),
        intercept_se=float(se[0]), slope=float(fit.beta[1]), slope_se=float(se[1]),
        limit_estimate=float(fit.beta[0]), limit_ci_lb=float(fit.beta[0] - crit * se[0]),
        limit_ci_ub=float(fit.beta[0] + crit * se[0]),
    )  # fmt: skip


def _predictor(name: str, v: Array, ni: Array | None) -> Array:
    if name == "sei":
        return np.sqrt(v)
    if name == "vi":
        return v
    if ni is None:
        raise PoolingError(f"predictor {name} needs the sample sizes ni")
    return {"ni": ni, "ninv": 1 / ni, "sqrtni": np.sqrt(ni), "sqrtninv": 1 / np.sqrt(ni)}[name]


@dataclass(frozen=True, slots=True)
class BeggResult:
    """Begg and Mazumdar's rank correlation test (Kendall's tau and its p-value)."""

    tau: float
    pval: float
    exact: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return clean_fields({"tau": self.tau, "pval": self.pval, "exact": self.exact})


EXACT_MAX_K = 400


def ranktest(
    yi: EffectSizes | Sequence[float] | Array,
    vi: Sequence[float] | Array | None = None,
    /,
    *,
    exact: bool | None = None,
) -> BeggResult:
    """Begg's test: Kendall's tau between the standardised deviates from the equal-effect
    estimate and the sampling variances.

    The p-value is exact (the permutation distribution of Kendall's statistic) when there are
    no ties, as in metafor; with ties, or when ``exact=False`` or k > 400, it is R's normal
    approximation with the tie correction.
    """
    y, v, _, _, _, _ = _inputs(yi, vi, labels=None, ni=None, measure=None)
    k = y.size
    if k < 3:
        raise PoolingError("Begg's test needs at least three studies")
    w = 1.0 / v
    beta = np.sum(w * y) / np.sum(w)
    vb = 1.0 / np.sum(w)
    ystar = (y - beta) / np.sqrt(v - vb)
    tau = float(stats.kendalltau(ystar, v).statistic)
    ties = np.unique(ystar).size < k or np.unique(v).size < k
    use_exact = (exact is not False) and not ties and k <= EXACT_MAX_K
    if use_exact:
        return BeggResult(tau, _kendall_exact_p(tau, k), True)
    return BeggResult(tau, _kendall_normal_p(tau, ystar, v), False)


def _kendall_exact_p(tau: float, n: int) -> float:
    pairs = n * (n - 1) // 2
    q = round((tau + 1) * pairs / 2)
    # distribution of the number of concordant pairs: convolve uniform {0..j-1} for j = 1..n
    dist = np.zeros(pairs + 1)
    dist[0] = 1.0
    for j in range(2, n + 1):
        cum = np.concatenate([[0.0], np.cumsum(dist)])
        upper = np.arange(pairs + 1) + 1
        lower = np.maximum(upper - j, 0)
        dist = (cum[upper] - cum[lower]) / j
    cdf = np.cumsum(dist)
    if q > pairs / 2:
        p = 1.0 - cdf[q - 1]
    else:
        p = cdf[q]
    return float(min(2.0 * p, 1.0))


def _kendall_normal_p(tau: float, x: Array, y: Array) -> float:
    n = x.size
    t0 = n * (n - 1) / 2

    def tie_sums(values: Array) -> tuple[float, float, float, float]:
        _, counts = np.unique(values, return_counts=True)
        t = counts[counts > 1].astype(float)
        return (
            float(np.sum(t * (t - 1) / 2)), float(np.sum(t * (t - 1) * (2 * t + 5))),
            float(np.sum(t * (t - 1))), float(np.sum(t * (t - 1) * (t - 2))),
        )  # fmt: skip

    xt, xv, x1, x2 = tie_sums(x)
    yt, yv, y1, y2 = tie_sums(y)
    s = tau * math.sqrt((t0 - xt) * (t0 - yt))
    v0 = n * (n - 1) * (2 * n + 5)
    var = (v0 - xv - yv) / 18 + x1 * y1 / (2 * n * (n - 1)) + x2 * y2 / (9 * n * (n - 1) * (n - 2))
    z = s / math.sqrt(var)
    return float(2 * min(stats.norm.cdf(z), stats.norm.sf(z)))


@dataclass(frozen=True, slots=True, eq=False)
class TrimFillResult:
    """Trim-and-fill: the estimated number of missing studies and the model with them filled in.

    ``fit`` is the original model when k0 = 0; otherwise the same estimator refitted on the
    observed plus filled studies (with a z test, as metafor does).
    """

    estimator: str
    side: str
    k0: int
    se_k0: float
    p_k0: float | None
    fit: PoolResult
    filled_yi: Array
    filled_vi: Array

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the refitted model under ``fit``)."""
        return clean_fields(
            {
                "estimator": self.estimator,
                "side": self.side,
                "k0": self.k0,
                "se_k0": self.se_k0,
                "p_k0": self.p_k0,
                "fit": self.fit.to_dict(),
                "filled_yi": self.filled_yi,
                "filled_vi": self.filled_vi,
            }  # fmt: skip
        )


def trimfill(
    yi: EffectSizes | Sequence[float] | Array,
    vi: Sequence[float] | Array | None = None,
    /,
    *,
    estimator: str = "L0",
    side: str | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 95,
    maxiter: int = 100,
    labels: Sequence[Any] | None = None,
    control: Control | None = None,
) -> TrimFillResult:
    """Duval and Tweedie's trim-and-fill method.

    Parameters
    ----------
    estimator
        "L0" (default) or "R0".
    side
        Side on which studies are missing; by default chosen from the data as metafor does
        (the sign of the slope of yi on sqrt(vi) in a meta-regression with ``method``).
    method, test, level, control
        The model being examined (``test`` is used only when nothing is filled in).
    """
    if estimator not in ("L0", "R0"):
        raise PoolingError(f"unknown trim-and-fill estimator {estimator!r}; use L0 or R0")
    if side not in (None, "left", "right"):
        raise PoolingError(f"side must be 'left' or 'right', not {side!r}")
    y, v, labels_, ni_, measure, _ = _inputs(yi, vi, labels=labels, ni=None, measure=None)
    if isinstance(yi, EffectSizes):
        measure = yi.measure
    k = y.size
    if k < 3:
        raise PoolingError("trim-and-fill needs at least three studies")
    con = control or Control()
    if side is None:
        X = np.column_stack([np.ones(k), np.sqrt(v)])
        slope = fit_core(y, v, X, method=method, test="z", level=level, control=con).beta[1]
        side = "right" if slope < 0 else "left"
    flipped = -y if side == "right" else y.copy()
    order = np.argsort(flipped, kind="stable")
    ys, vs = flipped[order], v[order]
    k0, previous, iteration = 0, -1, 0
    se_k0 = math.nan
    centred = ys
    beta = 0.0
    while k0 != previous:
        previous = k0
        iteration += 1
        if iteration > maxiter:
            raise PoolingError("the trim-and-fill algorithm did not converge")
        beta = rma(ys[: k - k0], vs[: k - k0], method=method, control=con, confint=False).estimate
        centred = ys - beta
        ranks = np.empty(k)
        ranks[np.argsort(np.abs(centred), kind="stable")] = np.arange(1, k + 1)
        signed = np.sign(centred) * ranks
        if estimator == "R0":
            negatives = -signed[signed < 0]
            raw = k - (negatives.max() if negatives.size else 0.0) - 1
            se_k0 = math.sqrt(2 * max(0.0, raw) + 2)
        else:
            sr = float(signed[signed > 0].sum())
            raw = (4 * sr - k * (k + 1)) / (2 * k - 1)
            var_sr = (k * (k + 1) * (2 * k + 1) + 10 * raw**3 + 27 * raw**2 + 17 * raw
                      - 18 * k * raw**2 - 18 * k * raw + 6 * k**2 * raw) / 24  # fmt: skip
            se_k0 = 4 * math.sqrt(var_sr) / (2 * k - 1)
        k0 = max(0, _round_half_even(raw))
        se_k0 = max(0.0, se_k0)
    p_k0 = 0.5 ** (k0 + 1) if estimator == "R0" else None
    if k0 == 0:
        fit = rma(y, v, method=method, test=test, level=level, measure=measure, labels=labels_,
                  control=con)  # fmt: skip
        return TrimFillResult(
            estimator, side, 0, se_k0, p_k0, fit, frozen_array([]), frozen_array([])
        )
    mirrored = -(centred - beta) if side == "right" else centred - beta
    fill_y = -mirrored[k - k0 :]
    fill_v = vs[k - k0 :]
    fit = rma(
        np.concatenate([y, fill_y]), np.concatenate([v, fill_v]), method=method, level=level,
        measure=measure, labels=list(labels_) + [f"Filled {i + 1}" for i in range(k0)],
    )  # fmt: skip
    return TrimFillResult(
        estimator, side, k0, se_k0, p_k0, fit, frozen_array(fill_y), frozen_array(fill_v)
    )


def _round_half_even(x: float) -> int:
    """R's round(): halves go to the even neighbour."""
    return int(round(x))
