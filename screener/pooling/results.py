"""Typed results of the pooling engine, each with a JSON-ready ``to_dict()``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from screener.pooling._wls import Array


def clean(value: Any) -> Any:
    """A JSON-safe copy: NaN and infinities become None, numpy scalars become Python ones."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, np.ndarray):
        return [clean(x) for x in value.tolist()]
    if isinstance(value, Mapping):
        return {str(key): clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(x) for x in value]
    return value


def clean_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`clean` of a result's named fields: its JSON object."""
    return {str(key): clean(item) for key, item in fields.items()}


def frozen_array(values: Any) -> Array:
    """A read-only float copy, so a frozen result stays frozen."""
    array = np.array(values, dtype=float)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, slots=True)
class MHTests:
    """The Mantel-Haenszel tests of ``rma.mh`` (None where metafor gives none)."""

    MH: float | None = None
    MHp: float | None = None
    CO: float | None = None
    COp: float | None = None
    BD: float | None = None
    BDp: float | None = None
    TA: float | None = None
    TAp: float | None = None
    k_pos: int | None = None


@dataclass(frozen=True, slots=True, eq=False)
class PoolResult:
    """One pooled estimate with its heterogeneity statistics (metafor's ``rma`` object).

    Values are on the model scale (log scale for OR/RR, logit for PLO ...). ``zval`` holds the
    t statistic when ``test`` is "t", "knha" or "adhoc"; ``df`` is then k - 1.
    """

    measure: str
    method: str
    test: str
    level: float
    k: int
    estimate: float
    se: float
    ci_lb: float
    ci_ub: float
    zval: float
    pval: float
    df: int | None
    tau2: float
    se_tau2: float | None
    tau2_ci_lb: float | None
    tau2_ci_ub: float | None
    tau_ci_lb: float | None
    tau_ci_ub: float | None
    I2: float | None
    I2_ci_lb: float | None
    I2_ci_ub: float | None
    H2: float | None
    H2_ci_lb: float | None
    H2_ci_ub: float | None
    QE: float | None
    QE_df: int
    QEp: float | None
    pi_lb: float
    pi_ub: float
    s2w: float
    vt: float | None
    yi: Array
    vi: Array
    weights: Array
    labels: tuple[str, ...]
    ni: Array | None = None
    tau2_iterations: int = 0
    mh: MHTests | None = None
    notes: tuple[str, ...] = ()

    @property
    def tau(self) -> float:
        """Square root of tau^2."""
        return math.sqrt(self.tau2)

    @property
    def weights_percent(self) -> Array:
        """The model's weights as percentages (the forest-plot column)."""
        percent: Array = 100.0 * self.weights / self.weights.sum()
        return percent

    @property
    def stat_type(self) -> str:
        """ "t" for t-based inference, else "z"."""
        return "z" if self.df is None else "t"

    @property
    def is_random(self) -> bool:
        """Whether tau^2 was estimated (not an equal/fixed-effect, MH or Peto model)."""
        return self.method not in ("FE", "EE", "CE", "MH", "PETO")

    def to_dict(self, *, studies: bool = False) -> dict[str, Any]:
        """The scalar results under stable keys (``studies=True`` adds per-study arrays)."""
        out: dict[str, Any] = {
            "measure": self.measure, "method": self.method, "test": self.test,
            "level": self.level, "k": self.k,
            "estimate": self.estimate, "se": self.se, "ci_lb": self.ci_lb,
            "ci_ub": self.ci_ub, "zval": self.zval, "pval": self.pval,
        }  # fmt: skip
        if self.df is not None:
            out["df"] = self.df
        out.update(
            tau2=self.tau2, se_tau2=self.se_tau2, tau2_ci_lb=self.tau2_ci_lb,
            tau2_ci_ub=self.tau2_ci_ub, tau=self.tau, tau_ci_lb=self.tau_ci_lb,
            tau_ci_ub=self.tau_ci_ub, I2=self.I2, I2_ci_lb=self.I2_ci_lb,
            I2_ci_ub=self.I2_ci_ub, H2=self.H2, H2_ci_lb=self.H2_ci_lb, H2_ci_ub=self.H2_ci_ub,
            QE=self.QE, QE_df=self.QE_df, QEp=self.QEp, pi_lb=self.pi_lb, pi_ub=self.pi_ub,
        )  # fmt: skip
        if self.mh is not None:
            out.update({f.name: getattr(self.mh, f.name) for f in fields(MHTests)})
        if studies:
            out["studies"] = {
                "label": list(self.labels), "yi": self.yi, "vi": self.vi,
                "weight_percent": self.weights_percent,
            }  # fmt: skip
        out["notes"] = list(self.notes)
        return clean_fields(out)


@dataclass(frozen=True, slots=True, eq=False)
class MetaRegressionResult:
    """A mixed-effects meta-regression (metafor's ``rma`` with ``mods``)."""

    method: str
    test: str
    level: float
    k: int
    names: tuple[str, ...]
    beta: Array
    se: Array
    zval: Array
    pval: Array
    ci_lb: Array
    ci_ub: Array
    vb: Array
    df: int | None
    QM: float | None
    QM_df: tuple[int, int | None]
    QMp: float | None
    QE: float | None
    QE_df: int
    QEp: float | None
    tau2: float
    se_tau2: float | None
    I2: float | None
    H2: float | None
    R2: float | None
    notes: tuple[str, ...] = ()

    @property
    def p(self) -> int:
        """Number of coefficients."""
        return len(self.names)

    def coefficients(self) -> dict[str, dict[str, float]]:
        """``{name: {estimate, se, zval, pval, ci_lb, ci_ub}}``."""
        return {
            name: {
                "estimate": float(self.beta[i]),
                "se": float(self.se[i]),
                "zval": float(self.zval[i]),
                "pval": float(self.pval[i]),
                "ci_lb": float(self.ci_lb[i]),
                "ci_ub": float(self.ci_ub[i]),
            }  # fmt: skip
            for i, name in enumerate(self.names)
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return clean_fields(
            {
                "method": self.method,
                "test": self.test,
                "level": self.level,
                "k": self.k,
                "coefficients": self.coefficients(),
                "df": self.df,
                "QM": self.QM,
                "QM_df": list(self.QM_df),
                "QMp": self.QMp,
                "QE": self.QE,
                "QE_df": self.QE_df,
                "QEp": self.QEp,
                "tau2": self.tau2,
                "se_tau2": self.se_tau2,
                "I2": self.I2,
                "H2": self.H2,
                "R2": self.R2,
                "notes": list(self.notes),
            }  # fmt: skip
        )
