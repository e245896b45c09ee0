"""Sensitivity analyses: leave-one-out, cumulative meta-analysis, influence diagnostics."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from screener.pooling._wls import Array
from screener.pooling.effects import EffectSizes
from screener.pooling.errors import PoolingError
from screener.pooling.models import _inputs, rma
from screener.pooling.results import PoolResult, clean_fields, frozen_array
from screener.pooling.tau2 import Control

_SERIES = ("estimate", "se", "zval", "pval", "ci_lb", "ci_ub", "Q", "Qp", "tau2", "I2", "H2")


@dataclass(frozen=True, slots=True, eq=False)
class SeriesResult:
    """One refit per step: leave-one-out (``labels`` = study left out) or cumulative
    (``labels`` = study added)."""

    kind: str
    method: str
    test: str
    labels: tuple[str, ...]
    estimate: Array
    se: Array
    zval: Array
    pval: Array
    ci_lb: Array
    ci_ub: Array
    Q: Array
    Qp: Array
    tau2: Array
    I2: Array
    H2: Array

    def to_frame(self) -> pd.DataFrame:
        """One row per step."""
        frame = pd.DataFrame({name: getattr(self, name) for name in _SERIES})
        frame.insert(0, "study", list(self.labels))
        return frame

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready columns."""
        return clean_fields(
            {"kind": self.kind, "study": list(self.labels)} | {n: getattr(self, n) for n in _SERIES}
        )


def _series(
    kind: str, fits: list[PoolResult | None], labels: Sequence[str], method: str, test: str
) -> SeriesResult:
    def column(getter: Callable[[PoolResult], Any]) -> Array:
        return frozen_array([math.nan if f is None else _num(getter(f)) for f in fits])

    return SeriesResult(
        kind=kind, method=method, test=test, labels=tuple(labels),
        estimate=column(lambda f: f.estimate), se=column(lambda f: f.se),
        zval=column(lambda f: f.zval), pval=column(lambda f: f.pval),
        ci_lb=column(lambda f: f.ci_lb), ci_ub=column(lambda f: f.ci_ub),
        Q=column(lambda f: f.QE), Qp=column(lambda f: f.QEp), tau2=column(lambda f: f.tau2),
        I2=column(lambda f: f.I2), H2=column(lambda f: f.H2),
    )  # fmt: skip


def _num(value: float | None) -> float:
    return math.nan if value is None else float(value)


def leave_one_out(
    yi: EffectSizes | Sequence[float] | Array,
    vi: Sequence[float] | Array | None = None,
    /,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 95,
    labels: Sequence[Any] | None = None,
    control: Control | None = None,
) -> SeriesResult:
    """Refit the model k times, each time without one study.

    A refit that fails (e.g. an estimator that does not converge) gives NaN in its row.
    """
    y, v, labels_, _, _, _ = _inputs(yi, vi, labels=labels, ni=None, measure=None)
    k = y.size
    if k == 1:
        raise PoolingError("leave-one-out needs at least two studies")
    fits: list[PoolResult | None] = []
    for i in range(k):
        keep = np.arange(k) != i
        fits.append(_try_fit(y[keep], v[keep], method, test, level, control))
    return _series("leave-one-out", fits, labels_, method, test)


def cumulative(
    yi: EffectSizes | Sequence[float] | Array,
    vi: Sequence[float] | Array | None = None,
    /,
    *,
    order: Sequence[Any] | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 95,
    labels: Sequence[Any] | None = None,
    control: Control | None = None,
) -> SeriesResult:
    """Cumulative meta-analysis: add the studies one at a time.

    ``order`` gives a sort key per study (e.g. the year); ties keep the data order. Without
    it the data order is used.
    """
    y, v, labels_, _, _, _ = _inputs(yi, vi, labels=labels, ni=None, measure=None)
    k = y.size
    idx = np.arange(k) if order is None else np.argsort(np.asarray(order), kind="stable")
    if order is not None and len(order) != k:
        raise PoolingError(f"{len(order)} order values for {k} studies")
    y, v = y[idx], v[idx]
    fits = [_try_fit(y[: i + 1], v[: i + 1], method, test, level, control) for i in range(k)]
    return _series("cumulative", fits, [labels_[i] for i in idx], method, test)


def _try_fit(
    y: Array, v: Array, method: str, test: str, level: float, control: Control | None
) -> PoolResult | None:
    try:
        return rma(y, v, method=method, test=test, level=level, control=control, confint=False)
    except PoolingError:
        return None


INFLUENCE_COLUMNS = (
    "rstudent",
    "dffits",
    "cook_d",
    "cov_r",
    "tau2_del",
    "QE_del",
    "hat",
    "weight",
    "dfbetas",
)
"""The per-study statistics of :class:`InfluenceResult`, in metafor's ``influence()`` order."""


@dataclass(frozen=True, slots=True, eq=False)
class InfluenceResult:
    """Case deletion diagnostics (Viechtbauer & Cheung 2010), one value per study."""

    labels: tuple[str, ...]
    rstudent: Array
    dffits: Array
    cook_d: Array
    cov_r: Array
    tau2_del: Array
    QE_del: Array
    hat: Array
    weight: Array
    dfbetas: Array
    influential: tuple[bool, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per study."""
        frame = pd.DataFrame({name: getattr(self, name) for name in INFLUENCE_COLUMNS})
        frame.insert(0, "study", list(self.labels))
        frame["influential"] = list(self.influential)
        return frame


def influence(
    yi: EffectSizes | Sequence[float] | Array,
    vi: Sequence[float] | Array | None = None,
    /,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 95,
    labels: Sequence[Any] | None = None,
    control: Control | None = None,
) -> InfluenceResult:
    """Externally standardised residuals, DFFITS, Cook's distance, covariance ratio, leave-one-out
    tau^2 and Q, hat values, weights and DFBETAS; ``influential`` flags a study when
    |DFFITS| > 3 sqrt(p/(k-p)), Cook's distance exceeds the chi^2_p median, hat > 3p/k, or
    |DFBETAS| > 1."""
    y, v, labels_, _, _, _ = _inputs(yi, vi, labels=labels, ni=None, measure=None)
    k, p = y.size, 1
    if k < 3:
        raise PoolingError("influence diagnostics need at least three studies")
    full = rma(y, v, method=method, test=test, level=level, control=control, confint=False)
    w = np.asarray(full.weights)
    hat = w / w.sum()
    vb = full.se**2
    rows = {
        name: np.full(k, np.nan)
        for name in ("rstudent", "dffits", "cook_d", "cov_r", "tau2_del", "QE_del", "dfbetas")
    }
    for i in range(k):
        keep = np.arange(k) != i
        fit = _try_fit(y[keep], v[keep], method, test, level, control)
        if fit is None:
            continue
        delta = full.estimate - fit.estimate
        # as metafor: the deleted fit's s2w (1 unless Knapp-Hartung), and DFBETAS scaled by
        # the variance of the full data's estimate under the deleted fit's tau^2
        s2w = fit.s2w
        rows["rstudent"][i] = (y[i] - fit.estimate) / math.sqrt((v[i] + fit.tau2) * s2w + fit.se**2)
        rows["dffits"][i] = delta / math.sqrt(s2w * hat[i] * (fit.tau2 + v[i]))
        rows["cook_d"][i] = delta**2 / vb
        rows["cov_r"][i] = fit.se**2 / vb
        rows["tau2_del"][i] = fit.tau2
        rows["QE_del"][i] = _num(fit.QE)
        rows["dfbetas"][i] = delta / math.sqrt(s2w / float(np.sum(1.0 / (v + fit.tau2))))
    flags = (
        (np.abs(rows["dffits"]) > 3 * math.sqrt(p / (k - p)))
        | (stats.chi2.cdf(rows["cook_d"], p) > 0.5)
        | (hat > 3 * p / k)
        | (np.abs(rows["dfbetas"]) > 1)
    )
    return InfluenceResult(
        labels=labels_, hat=frozen_array(hat), weight=frozen_array(100 * hat),
        influential=tuple(bool(x) for x in flags),
        **{name: frozen_array(values) for name, values in rows.items()},
    )  # fmt: skip
