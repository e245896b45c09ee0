"""The meta-analysis engine: effect sizes, pooling, heterogeneity, bias, sensitivity, plots.

A pure library (numpy, scipy, pandas; matplotlib only in :mod:`screener.pooling.plots`) whose
numbers agree with R's metafor 3.8. Data are positional, options keyword-only::

    from screener.pooling import escalc, rma
    es = escalc(frame, measure="RR")          # frame has columns ai, bi, ci, di, study
    res = rma(es, method="REML", test="knha")
    res.estimate, res.ci_lb, res.I2, res.to_dict()
"""

from screener.pooling.bias import (
    BeggResult,
    EggerResult,
    TrimFillResult,
    ranktest,
    regtest,
    trimfill,
)
from screener.pooling.effects import MEASURES, EffectSizes, cmi, effects_from_ci, escalc
from screener.pooling.errors import PoolingError
from screener.pooling.heterogeneity import HeterogeneityCI, q_profile_ci
from screener.pooling.meta_regression import design_matrix, meta_regression
from screener.pooling.mh import rma_mh, rma_peto
from screener.pooling.models import METHODS, prediction_interval, rma
from screener.pooling.report import format_summary
from screener.pooling.results import MetaRegressionResult, MHTests, PoolResult
from screener.pooling.sensitivity import (
    InfluenceResult,
    SeriesResult,
    cumulative,
    influence,
    leave_one_out,
)
from screener.pooling.subgroups import SubgroupResult, subgroup_analysis, subgroup_difference
from screener.pooling.tau2 import Control, Tau2Estimate, estimate_tau2
from screener.pooling.transforms import Transformed, back_transform, transformed

__all__ = [
    "MEASURES",
    "METHODS",
    "BeggResult",
    "Control",
    "EffectSizes",
    "EggerResult",
    "HeterogeneityCI",
    "InfluenceResult",
    "MHTests",
    "MetaRegressionResult",
    "PoolResult",
    "PoolingError",
    "SeriesResult",
    "SubgroupResult",
    "Tau2Estimate",
    "Transformed",
    "TrimFillResult",
    "back_transform",
    "cmi",
    "cumulative",
    "design_matrix",
    "effects_from_ci",
    "escalc",
    "estimate_tau2",
    "format_summary",
    "influence",
    "leave_one_out",
    "meta_regression",
    "prediction_interval",
    "q_profile_ci",
    "ranktest",
    "regtest",
    "rma",
    "rma_mh",
    "rma_peto",
    "subgroup_analysis",
    "subgroup_difference",
    "transformed",
    "trimfill",
]
