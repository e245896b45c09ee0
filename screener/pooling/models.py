"""Pooling effect sizes: the equal/fixed-effect and random-effects models (metafor's ``rma``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from screener.pooling._core import critical_value, fit_core
from screener.pooling._wls import Array
from screener.pooling.effects import EffectSizes
from screener.pooling.errors import PoolingError
from screener.pooling.heterogeneity import q_profile_ci
from screener.pooling.results import PoolResult, frozen_array
from screener.pooling.tau2 import FIXED_METHODS, TAU2_METHODS, Control

METHODS = ("FE", "EE", "CE", *TAU2_METHODS)


def rma(
    yi: EffectSizes | Sequence[float] | Array,
    vi: Sequence[float] | Array | None = None,
    /,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 95,
    measure: str | None = None,
    labels: Sequence[Any] | None = None,
    ni: Sequence[float] | Array | None = None,
    control: Control | None = None,
    confint: bool = True,
) -> PoolResult:
    """Pool effect sizes with an equal-effect or random-effects model.

    Parameters
    ----------
    yi
        Effect sizes, or an :class:`EffectSizes` (then ``vi`` is left out).
    vi
        Sampling variances.
    method
        "FE"/"EE"/"CE" for the equal-effect model; otherwise the tau^2 estimator: DL, REML,
        ML, PM, PMM, HE, SJ, SJIT, HS, HSk, EB, DLIT.
    test
        "z"; "knha" (Hartung-Knapp-Sidik-Jonkman: t with k-1 df and the variance scaled by
        the factor s2w, not truncated); "adhoc" (scale factor truncated at 1); "t" (t with k-1
        df, no scaling).
    level
        Confidence level in percent.
    measure, labels, ni
        Carried into the result (taken from an :class:`EffectSizes` when given).
    control
        Iteration settings; metafor's by default.
    confint
        Compute the Q-profile intervals for tau^2, tau, I^2 and H^2.

    Returns
    -------
    PoolResult
        Studies with a missing yi or vi are left out (with a note).

    Raises
    ------
    PoolingError
        Unknown method or test, no studies, or an estimator that does not converge.
    """
    y, v, labels_, ni_, measure_, notes = _inputs(yi, vi, labels=labels, ni=ni, measure=measure)
    if method not in METHODS:
        raise PoolingError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    con = control or Control()
    k = y.size
    core = fit_core(
        y, v, np.ones((k, 1)), method=method, test=test, level=level, control=con, btt=np.arange(1)
    )
    notes.extend(core.notes)
    estimate, se = float(core.beta[0]), float(core.se[0])
    tau2 = core.tau2.tau2
    if method in FIXED_METHODS:
        pi_lb, pi_ub = float(core.ci_lb[0]), float(core.ci_ub[0])
    else:
        half = core.crit * math.sqrt(se * se + tau2)
        pi_lb, pi_ub = estimate - half, estimate + half
    ci = None
    if confint and method not in FIXED_METHODS and k > 1 and core.vt is not None:
        ci = q_profile_ci(y, v, tau2=tau2, vt=core.vt, alpha=core.alpha, control=con)
        notes.extend(ci.notes)
    return PoolResult(
        measure=measure_, method=method, test=core.test, level=level, k=k,
        estimate=estimate, se=se, ci_lb=float(core.ci_lb[0]), ci_ub=float(core.ci_ub[0]),
        zval=float(core.zval[0]), pval=float(core.pval[0]), df=core.ddf,
        tau2=tau2, se_tau2=core.tau2.se_tau2,
        tau2_ci_lb=None if ci is None else ci.tau2_lb,
        tau2_ci_ub=None if ci is None else ci.tau2_ub,
        tau_ci_lb=None if ci is None else ci.tau_lb, tau_ci_ub=None if ci is None else ci.tau_ub,
        I2=core.I2, I2_ci_lb=None if ci is None else ci.I2_lb,
        I2_ci_ub=None if ci is None else ci.I2_ub,
        H2=core.H2, H2_ci_lb=None if ci is None else ci.H2_lb,
        H2_ci_ub=None if ci is None else ci.H2_ub,
        QE=core.QE, QE_df=core.QE_df, QEp=core.QEp, pi_lb=pi_lb, pi_ub=pi_ub,
        s2w=core.s2w, vt=core.vt, yi=frozen_array(y), vi=frozen_array(v),
        weights=frozen_array(core.weights), labels=labels_,
        ni=None if ni_ is None else frozen_array(ni_),
        tau2_iterations=core.tau2.iterations, notes=tuple(notes),
    )  # fmt: skip


def prediction_interval(
    result: PoolResult, *, df: int | None = None, level: float | None = None
) -> tuple[float, float]:
    """A prediction interval ``estimate ± crit sqrt(se^2 + tau^2)`` with another quantile.

    ``df=None`` uses z; ``df=k-2`` gives the Higgins et al. (2009) / RevMan interval.
    """
    lvl = result.level if level is None else level
    alpha = (100 - lvl) / 100 if lvl > 1 else 1 - lvl
    crit = critical_value(alpha, df)
    half = crit * math.sqrt(result.se**2 + result.tau2)
    return result.estimate - half, result.estimate + half


def _inputs(
    yi: Any,
    vi: Any,
    *,
    labels: Sequence[Any] | None,
    ni: Any,
    measure: str | None,
) -> tuple[Array, Array, tuple[str, ...], Array | None, str, list[str]]:
    """Arrays without missing studies, and the notes about the ones left out."""
    notes: list[str] = []
    if isinstance(yi, EffectSizes):
        if vi is not None:
            raise PoolingError("pass either EffectSizes or yi and vi, not both")
        es = yi
        y, v = np.array(es.yi, float), np.array(es.vi, float)
        labels = es.labels if labels is None else labels
        ni = es.ni if ni is None else ni
        measure = es.measure if measure is None else measure
        notes.extend(n for n in es.notes if "left out" not in n)
    else:
        if vi is None:
            raise PoolingError("sampling variances vi are needed")
        y, v = np.array(yi, dtype=float).ravel(), np.array(vi, dtype=float).ravel()
    if y.size != v.size:
        raise PoolingError(f"{y.size} effect sizes but {v.size} sampling variances")
    labels_ = (
        tuple(str(x) for x in labels)
        if labels is not None
        else tuple(str(i) for i in range(1, y.size + 1))
    )
    if len(labels_) != y.size:
        raise PoolingError(f"{len(labels_)} labels for {y.size} studies")
    ni_ = None if ni is None else np.array(ni, dtype=float).ravel()
    keep = np.isfinite(y) & np.isfinite(v)
    if not keep.all():
        left = [labels_[i] for i in np.flatnonzero(~keep)]
        notes.append(
            f"{len(left)} study(ies) with a missing effect size left out: {', '.join(left)}"
        )
        y, v = y[keep], v[keep]
        labels_ = tuple(label for label, kept in zip(labels_, keep, strict=True) if kept)
        ni_ = None if ni_ is None or ni_.size != keep.size else ni_[keep]
    if y.size == 0:
        raise PoolingError("no studies with an effect size to pool")
    if np.any(v < 0):
        raise PoolingError("sampling variances must not be negative")
    return y, v, labels_, ni_, (measure or "GEN").upper(), notes
