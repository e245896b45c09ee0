"""Subgroup analysis: one pooled estimate per level and the test for subgroup differences."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from screener.pooling._wls import Array
from screener.pooling.effects import EffectSizes
from screener.pooling.errors import PoolingError
from screener.pooling.meta_regression import meta_regression
from screener.pooling.models import _inputs, rma
from screener.pooling.results import MetaRegressionResult, PoolResult, clean_fields
from screener.pooling.tau2 import Control


@dataclass(frozen=True, slots=True, eq=False)
class SubgroupResult:
    """Per-level results and the test for subgroup differences.

    With separate fits (the default), ``fits`` holds one :class:`PoolResult` per level and
    the test is Cochran's Q of an equal-effect model fitted to the level estimates and their
    standard errors (RevMan's "test for subgroup differences"). With ``common_tau2=True``,
    ``cell_means`` holds the meta-regression without intercept (one coefficient per level,
    one tau^2 for all) and the test is the QM test of the model with intercept.
    """

    levels: tuple[str, ...]
    k_per_level: tuple[int, ...]
    fits: tuple[PoolResult, ...] | None
    cell_means: MetaRegressionResult | None
    Q_between: float
    df_between: int
    p_between: float
    common_tau2: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: ``subgroups`` per level plus the between-level test."""
        if self.fits is not None:
            groups = {lvl: fit.to_dict() for lvl, fit in zip(self.levels, self.fits, strict=True)}
        else:
            assert self.cell_means is not None
            coefs = self.cell_means.coefficients()
            groups = {
                lvl: {"k": k, **coefs[name]}
                for lvl, k, name in zip(
                    self.levels, self.k_per_level, self.cell_means.names, strict=True
                )
            }
        return clean_fields(
            {
                "subgroups": groups,
                "Q_between": self.Q_between,
                "df_between": self.df_between,
                "p_between": self.p_between,
                "common_tau2": self.common_tau2,
            }  # fmt: skip
        )


def subgroup_analysis(
    yi: EffectSizes | Sequence[float] | Array,
    vi: Sequence[float] | Array | None = None,
    /,
    *,
    groups: Sequence[Any],
    method: str = "REML",
    test: str = "z",
    level: float = 95,
    common_tau2: bool = False,
    labels: Sequence[Any] | None = None,
    control: Control | None = None,
) -> SubgroupResult:
    """Pool within each level of ``groups`` and test whether the levels differ.

    Parameters
    ----------
    yi, vi
        Effect sizes and sampling variances, or an :class:`EffectSizes`.
    groups
        The subgroup of each study (levels sorted as text, as R sorts factor levels).
    method, test, level, control
        As for :func:`screener.pooling.rma`; used within each level.
    common_tau2
        One tau^2 for all levels (a meta-regression on the subgroup factor) instead of one
        per level.
    """
    es_measure = yi.measure if isinstance(yi, EffectSizes) else None
    es_ni = yi.ni if isinstance(yi, EffectSizes) else None
    raw_groups = pd.Series(list(groups), dtype=object)
    y_all = np.asarray(yi.yi if isinstance(yi, EffectSizes) else yi, dtype=float)
    if raw_groups.size != y_all.size:
        raise PoolingError(f"{raw_groups.size} subgroup values for {y_all.size} studies")
    y, v, labels_, ni_, measure, _ = _inputs(yi, vi, labels=labels, ni=es_ni, measure=es_measure)
    v_all = np.asarray(yi.vi if isinstance(yi, EffectSizes) else vi, dtype=float)
    keep = np.isfinite(y_all) & np.isfinite(v_all)
    grp = raw_groups[keep].reset_index(drop=True)
    if grp.isna().any():
        raise PoolingError("some studies have no subgroup value")
    grp = grp.astype(str)
    levels = tuple(sorted(grp.unique()))
    if len(levels) < 2:
        raise PoolingError("a subgroup analysis needs at least two subgroups")
    counts = tuple(int((grp == lvl).sum()) for lvl in levels)
    if common_tau2:
        frame = pd.DataFrame({"group": pd.Categorical(grp, categories=list(levels))})
        cells = meta_regression(y, v, mods=frame, intercept=False, method=method, test=test,
                                level=level, control=control, names=levels)  # fmt: skip
        full = meta_regression(y, v, mods=frame, intercept=True, method=method, test=test,
                               level=level, control=control)  # fmt: skip
        assert full.QM is not None and full.QMp is not None
        q, df, p = full.QM, len(levels) - 1, full.QMp
        return SubgroupResult(levels, counts, None, cells, q, df, p, True)
    fits = []
    for lvl in levels:
        mask = (grp == lvl).to_numpy()
        fits.append(
            rma(y[mask], v[mask], method=method, test=test, level=level, measure=measure,
                labels=[labels_[i] for i in np.flatnonzero(mask)],
                ni=None if ni_ is None else ni_[mask], control=control)
        )  # fmt: skip
    q, df, p = subgroup_difference(fits)
    return SubgroupResult(levels, counts, tuple(fits), None, q, df, p, False)


def subgroup_difference(fits: Sequence[PoolResult]) -> tuple[float, int, float]:
    """Q_between, its df and p: an equal-effect model on the subgroup estimates and SEs."""
    est = np.array([f.estimate for f in fits])
    w = 1.0 / np.array([f.se for f in fits]) ** 2
    mean = np.sum(w * est) / np.sum(w)
    q = float(np.sum(w * (est - mean) ** 2))
    df = len(fits) - 1
    return q, df, float(stats.chi2.sf(q, df))
