"""Mixed-effects meta-regression: moderators, the QM test, coefficients and R^2."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from screener.pooling._core import fit_core
from screener.pooling._wls import Array, dims, wls
from screener.pooling.effects import EffectSizes
from screener.pooling.errors import PoolingError
from screener.pooling.models import METHODS, _inputs
from screener.pooling.results import MetaRegressionResult, frozen_array
from screener.pooling.tau2 import FIXED_METHODS, Control, estimate_tau2


def design_matrix(
    moderators: pd.DataFrame | Mapping[str, Sequence[Any]],
    *,
    intercept: bool = True,
) -> tuple[Array, tuple[str, ...]]:
    """A model matrix from moderator columns, with R's treatment coding.

    Numeric columns enter as they are. Text or categorical columns become one 0/1 column per
    level except the first (sorted) level when there is an intercept (named ``colLevel``), or
    one per level without an intercept (the cell-means coding).
    """
    frame = moderators if isinstance(moderators, pd.DataFrame) else pd.DataFrame(moderators)
    columns: list[Array] = []
    names: list[str] = []
    if intercept:
        columns.append(np.ones(len(frame)))
        names.append("intrcpt")
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_numeric_dtype(col) and not isinstance(col.dtype, pd.CategoricalDtype):
            columns.append(col.to_numpy(dtype=float))
            names.append(str(name))
            continue
        if isinstance(col.dtype, pd.CategoricalDtype):
            levels = [lvl for lvl in col.cat.categories if (col == lvl).any()]
        else:
            levels = sorted(col.dropna().astype(str).unique())
            col = col.astype(str)
        for level in levels[1:] if (intercept or len(names) > 0) else levels:
            columns.append((col == level).to_numpy(dtype=float))
            names.append(f"{name}{level}")
    if not columns:
        raise PoolingError("the model needs an intercept or at least one moderator")
    return np.column_stack(columns), tuple(names)


def meta_regression(
    yi: EffectSizes | Sequence[float] | Array,
    vi: Sequence[float] | Array | None = None,
    /,
    *,
    mods: pd.DataFrame | Mapping[str, Sequence[Any]] | Array,
    intercept: bool = True,
    names: Sequence[str] | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 95,
    btt: Sequence[int] | None = None,
    control: Control | None = None,
) -> MetaRegressionResult:
    """Fit a meta-regression ``yi = X beta + u + e`` (``u`` omitted for FE).

    Parameters
    ----------
    yi, vi
        Effect sizes and sampling variances, or an :class:`EffectSizes`.
    mods
        Moderators: a DataFrame/mapping (see :func:`design_matrix`) or a numeric array
        (k x q) used as it is.
    intercept
        Add an intercept column.
    names
        Coefficient names for an array ``mods``.
    method, test, level, control
        As for :func:`screener.pooling.rma`.
    btt
        Indices of the coefficients in the omnibus QM test (default: all but the intercept).

    Returns
    -------
    MetaRegressionResult
        With R^2 = max(0, (tau2_RE - tau2) / tau2_RE) in percent, where tau2_RE comes from
        the model without moderators (metafor's pseudo R^2).
    """
    y, v, _, _, _, notes = _inputs(yi, vi, labels=None, ni=None, measure=None)
    if method not in METHODS:
        raise PoolingError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    con = control or Control()
    if isinstance(mods, np.ndarray):
        columns = mods.reshape(len(mods), -1).astype(float)
        X = np.column_stack([np.ones(len(columns)), columns]) if intercept else columns
        default = (("intrcpt",) if intercept else ()) + tuple(
            f"X{i + 1}" for i in range(columns.shape[1])
        )
        coef_names = tuple(names) if names is not None else default
    else:
        X, coef_names = design_matrix(mods, intercept=intercept)
        if names is not None:
            coef_names = tuple(names)
    X = np.asarray(X, dtype=float)
    if X.shape[0] != y.size:
        raise PoolingError(f"{X.shape[0]} rows of moderators for {y.size} studies")
    if len(coef_names) != X.shape[1]:
        raise PoolingError(f"{len(coef_names)} names for {X.shape[1]} coefficients")
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise PoolingError("the model matrix is not of full rank (redundant moderators)")
    has_int = bool(np.any(np.all(X == 1.0, axis=0)))
    core = fit_core(
        y, v, X, method=method, test=test, level=level, control=con,
        btt=None if btt is None else np.asarray(btt, dtype=int), intercept=has_int,
    )  # fmt: skip
    notes.extend(core.notes)
    r2 = _pseudo_r2(y, v, X, core.tau2.tau2, method, con) if has_int and X.shape[1] > 1 else None
    return MetaRegressionResult(
        method=method, test=core.test, level=level, k=core.k, names=coef_names,
        beta=frozen_array(core.beta), se=frozen_array(core.se), zval=frozen_array(core.zval),
        pval=frozen_array(core.pval), ci_lb=frozen_array(core.ci_lb),
        ci_ub=frozen_array(core.ci_ub), vb=frozen_array(core.vb), df=core.ddf, QM=core.QM,
        QM_df=core.QM_df, QMp=core.QMp, QE=core.QE, QE_df=core.QE_df, QEp=core.QEp,
        tau2=core.tau2.tau2, se_tau2=core.tau2.se_tau2, I2=core.I2, H2=core.H2, R2=r2,
        notes=tuple(notes),
    )  # fmt: skip


def _pseudo_r2(
    y: Array, v: Array, X: Array, tau2: float, method: str, con: Control
) -> float | None:
    if method in FIXED_METHODS:
        if np.var(y) == 0:
            return 0.0
        w = 1.0 / v
        fit = wls(y, X, w)
        fitted = y - fit.resid
        mean = np.sum(w * fitted) / np.sum(w)
        mss = float(np.sum(w * (fitted - mean) ** 2))
        rss = fit.rss
        k, p = dims(X)
        r2 = mss / (mss + rss)
        adj = 1.0 - (1.0 - r2) * (k - 1) / (k - p)
        return max(0.0, 100.0 * adj)
    try:
        tau2_re = estimate_tau2(y, v, None, method=method, control=con).tau2
    except PoolingError:
        return None
    if tau2_re == 0:
        return 0.0
    return max(0.0, 100.0 * (tau2_re - tau2) / tau2_re)
