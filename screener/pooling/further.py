"""The analyses beside the pooled model that ``screener meta``, ``screener pool`` and the analysis
screen run on request: meta-regression on moderator columns, leave-one-out, influence
diagnostics, cumulative meta-analysis and Begg's rank correlation test.

:func:`run_further` takes the study table, its effect sizes and the rows the model pooled;
:class:`Further` holds the results, its JSON keys (:meth:`Further.to_dict`) and its text
(:meth:`Further.summary`, laid out like metafor's ``print()`` output).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from screener.pooling.bias import BeggResult, ranktest
from screener.pooling.errors import PoolingError
from screener.pooling.meta_regression import meta_regression
from screener.pooling.report import fmt_p
from screener.pooling.results import MetaRegressionResult, clean_fields
from screener.pooling.sensitivity import (
    INFLUENCE_COLUMNS,
    InfluenceResult,
    SeriesResult,
    cumulative,
    influence,
)
from screener.pooling.sensitivity import leave_one_out as loo

__all__ = ["PRECISION", "Further", "FurtherRequest", "run_further"]

PRECISION = "precision"
"""The --cumulative order that adds the most precise study (smallest variance) first."""

_LABEL_WIDTH = 28


@dataclass(frozen=True, slots=True)
class FurtherRequest:
    """What to run: moderator columns, leave-one-out, influence, a cumulative order, Begg."""

    mods: tuple[str, ...] = ()
    leave_one_out: bool = False
    influence: bool = False
    cumulative: str | None = None
    begg: bool = False

    def any(self) -> bool:
        return bool(
            self.mods or self.leave_one_out or self.influence or self.cumulative or self.begg
        )


@dataclass(frozen=True, slots=True, eq=False)
class Further:
    """The results of :func:`run_further` (None where not asked for).

    ``regression_left_out`` names the studies without a value in a moderator column (left out
    of the meta-regression, as metafor leaves them out); ``order_values`` are the cumulative
    order's values in the order the studies were added.
    """

    regression: MetaRegressionResult | None = None
    moderators: tuple[str, ...] = ()
    regression_left_out: tuple[str, ...] = ()
    leave_one_out: SeriesResult | None = None
    influence: InfluenceResult | None = None
    cumulative: SeriesResult | None = None
    cumulative_order: str | None = None
    order_values: tuple[Any, ...] = ()
    begg: BeggResult | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON keys: ``meta_regression``, ``leave_one_out``, ``influence``, ``cumulative``
        and ``begg_tau``/``begg_p``/``begg_exact``; absent when not run."""
        out: dict[str, Any] = {}
        if self.regression is not None:
            out["meta_regression"] = {
                "moderators": list(self.moderators),
                **self.regression.to_dict(),
                "studies_left_out": list(self.regression_left_out),
            }
        if self.leave_one_out is not None:
            out["leave_one_out"] = self.leave_one_out.to_dict()
        if self.influence is not None:
            out["influence"] = influence_dict(self.influence)
        if self.cumulative is not None:
            out["cumulative"] = {
                "order": self.cumulative_order,
                "order_values": list(self.order_values),
                **self.cumulative.to_dict(),
            }
        if self.begg is not None:
            out.update(begg_tau=self.begg.tau, begg_p=self.begg.pval, begg_exact=self.begg.exact)
        return clean_fields(out)

    def summary(self) -> str:
        """The text of every analysis run, one block each."""
        texts = []
        if self.regression is not None:
            texts.append(format_regression(self.regression, self.regression_left_out))
        if self.begg is not None:
            texts.append(format_begg(self.begg))
        if self.leave_one_out is not None:
            texts.append(format_series(self.leave_one_out, "Leave-one-out analysis"))
        if self.cumulative is not None:
            by = (
                "precision (smallest variance first)"
                if self.cumulative_order == PRECISION
                else self.cumulative_order
            )
            texts.append(format_series(self.cumulative, f"Cumulative meta-analysis (by {by})"))
        if self.influence is not None:
            texts.append(format_influence(self.influence))
        return "\n".join(texts)


def run_further(
    frame: pd.DataFrame,
    yi: np.ndarray,
    vi: np.ndarray,
    labels: Sequence[str],
    request: FurtherRequest,
    *,
    method: str,
    test: str,
    level: float,
) -> Further:
    """Run what ``request`` asks for on the pooled studies.

    ``frame`` holds the pooled studies' rows (in the order of ``yi``, ``vi`` and ``labels``),
    from which the moderator and cumulative-order columns are read.

    Raises
    ------
    PoolingError
        A column that does not exist or lacks values, or too few studies (one line).
    """
    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    labels = [str(x) for x in labels]
    found: dict[str, Any] = {}
    if request.mods:
        found.update(
            _regression(frame, y, v, labels, request.mods, method=method, test=test, level=level)
        )
    if request.leave_one_out:
        found["leave_one_out"] = loo(y, v, labels=labels, method=method, test=test, level=level)
    if request.influence:
        found["influence"] = influence(y, v, labels=labels, method=method, test=test, level=level)
    if request.cumulative is not None:
        order = _order(frame, v, labels, request.cumulative)
        series = cumulative(y, v, order=order, labels=labels, method=method, test=test, level=level)
        index = np.argsort(np.asarray(order), kind="stable")
        found.update(
            cumulative=series,
            cumulative_order=request.cumulative,
            order_values=tuple(order[i] for i in index),
        )
    if request.begg:
        found["begg"] = ranktest(y, v)
    return Further(**found)


def _column(frame: pd.DataFrame, name: str, option: str) -> pd.Series:
    if name not in frame.columns:
        raise PoolingError(
            f"{option} {name}: no such column (columns: {', '.join(map(str, frame.columns))})"
        )
    return frame[name].reset_index(drop=True)


def _regression(
    frame: pd.DataFrame,
    y: np.ndarray,
    v: np.ndarray,
    labels: list[str],
    mods: tuple[str, ...],
    *,
    method: str,
    test: str,
    level: float,
) -> dict[str, Any]:
    columns = {name: _numeric_if_numbers(_column(frame, name, "--mods")) for name in mods}
    table = pd.DataFrame(columns)
    blank = table.isna().any(axis=1).to_numpy() | table.map(_is_blank).any(axis=1).to_numpy()
    keep = ~blank
    if keep.sum() < 2:
        raise PoolingError(f"--mods {','.join(mods)}: fewer than two studies have a value")
    result = meta_regression(
        y[keep],
        v[keep],
        mods=table[keep].reset_index(drop=True),
        method=method,
        test=test,
        level=level,
    )
    return {
        "regression": result,
        "moderators": mods,
        "regression_left_out": tuple(lb for lb, b in zip(labels, blank, strict=True) if b),
    }


def _is_blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


def _numeric_if_numbers(column: pd.Series) -> pd.Series:
    """A text column whose values are all numbers becomes numeric (a continuous moderator)."""
    if pd.api.types.is_numeric_dtype(column):
        return column.astype(float)
    present = column.dropna()
    numbers = pd.to_numeric(present, errors="coerce")
    if len(present) and numbers.notna().all() and not present.map(_is_blank).any():
        return pd.to_numeric(column, errors="coerce")
    return column


def _order(frame: pd.DataFrame, v: np.ndarray, labels: list[str], name: str) -> list[Any]:
    if name == PRECISION and name not in frame.columns:
        return [float(x) for x in v]
    column = _numeric_if_numbers(_column(frame, name, "--cumulative"))
    missing = [lb for lb, x in zip(labels, column, strict=True) if _missing(x)]
    if missing:
        raise PoolingError(f"--cumulative {name}: no value for {', '.join(missing[:3])}")
    if pd.api.types.is_numeric_dtype(column):
        return [float(x) for x in column]
    return [str(x) for x in column]


def _missing(value: Any) -> bool:
    return value is None or _is_blank(value) or (isinstance(value, float) and math.isnan(value))


# --- JSON and text ---------------------------------------------------------------------------


def influence_dict(inf: InfluenceResult) -> dict[str, Any]:
    """metafor's ``influence()`` columns by name (``inf``: the influential flag)."""
    out: dict[str, Any] = {"study": list(inf.labels)}
    out.update({name: getattr(inf, name) for name in INFLUENCE_COLUMNS})
    out["inf"] = list(inf.influential)
    return clean_fields(out)


def _num(x: float | None, digits: int = 4) -> str:
    return "NA" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _label(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _width(labels: Sequence[str]) -> int:
    return max(5, min(_LABEL_WIDTH, max((len(" ".join(x.split())) for x in labels), default=5)))


def format_regression(reg: MetaRegressionResult, left_out: Sequence[str] = ()) -> str:
    """A meta-regression as metafor prints it: tau^2, R^2, the residual and moderator tests
    and the coefficients."""
    kind = "Fixed-Effects" if reg.method in ("FE", "EE", "CE") else "Mixed-Effects"
    lines = [f"{kind} Model (k = {reg.k}; tau^2 estimator: {reg.method})", ""]
    if kind == "Mixed-Effects":
        lines.append(f"tau^2 (estimated amount of residual heterogeneity):     {_num(reg.tau2)}")
        if reg.I2 is not None:
            lines.append(f"I^2 (residual heterogeneity / unaccounted variability): {reg.I2:.2f}%")
        if reg.R2 is not None:
            lines.append(f"R^2 (amount of heterogeneity accounted for):            {reg.R2:.2f}%")
        lines.append("")
    if reg.QE is not None:
        lines += [
            "Test for Residual Heterogeneity:",
            f"QE(df = {reg.QE_df}) = {_num(reg.QE)}, p-val {_p_eq(reg.QEp)}",
            "",
        ]
    if reg.QM is not None:
        df1, df2 = reg.QM_df
        stat = f"F(df1 = {df1}, df2 = {df2})" if df2 is not None else f"QM(df = {df1})"
        lines += [
            f"Test of Moderators (coefficients {_coef_range(reg)}):",
            f"{stat} = {_num(reg.QM)}, p-val {_p_eq(reg.QMp)}",
            "",
        ]
    stat = "tval" if reg.df is not None else "zval"
    width = max(9, *(len(n) for n in reg.names))
    lines.append(f"Model Results ({reg.level:g}% CI):")
    lines.append(
        f"{'':<{width}} {'estimate':>9} {'se':>8} {stat:>8} {'pval':>8} {'ci.lb':>9} {'ci.ub':>9}"
    )
    for i, name in enumerate(reg.names):
        lines.append(
            f"{name:<{width}} {reg.beta[i]:>9.4f} {reg.se[i]:>8.4f} {reg.zval[i]:>8.4f} "
            f"{fmt_p(float(reg.pval[i])):>8} {reg.ci_lb[i]:>9.4f} {reg.ci_ub[i]:>9.4f}"
        )
    if left_out:
        lines.append(
            f"Note: no moderator value for {', '.join(left_out)}; left out of the meta-regression"
        )
    return "\n".join(lines) + "\n"


def _coef_range(reg: MetaRegressionResult) -> str:
    first = 2 if reg.names and reg.names[0] == "intrcpt" else 1
    return f"{first}:{reg.p}" if reg.p > first else str(first)


def _p_eq(p: float | None) -> str:
    text = fmt_p(p)
    return f"< {text[1:]}" if text.startswith("<") else f"= {text}"


def format_begg(begg: BeggResult) -> str:
    """Begg and Mazumdar's rank correlation test, as metafor's ``ranktest`` prints it."""
    kind = "exact" if begg.exact else "normal approximation"
    return (
        "Rank correlation test for funnel plot asymmetry (Begg and Mazumdar):\n"
        f"  Kendall's tau = {begg.tau:.4f}, p = {fmt_p(begg.pval)} ({kind})\n"
    )


def format_series(series: SeriesResult, title: str) -> str:
    """A leave-one-out or cumulative table: one row per refit."""
    width = _width(series.labels)
    head = "left out" if series.kind == "leave-one-out" else "added"
    lines = [
        f"{title}:",
        f"{'Study ' + head:<{width}} {'estimate':>9} {'se':>8} {'pval':>8} {'ci.lb':>9} "
        f"{'ci.ub':>9} {'tau2':>8} {'I2':>7}",
    ]
    for i, label in enumerate(series.labels):
        lines.append(
            f"{_label(label, width):<{width}} {_num(series.estimate[i]):>9} "
            f"{_num(series.se[i]):>8} "
            f"{fmt_p(float(series.pval[i])):>8} {_num(series.ci_lb[i]):>9} "
            f"{_num(series.ci_ub[i]):>9} {_num(series.tau2[i]):>8} {_num(series.I2[i], 2):>6}%"
        )
    return "\n".join(lines) + "\n"


def format_influence(inf: InfluenceResult) -> str:
    """metafor's ``influence()`` table; ``*`` marks an influential study."""
    width = _width(inf.labels)
    heads = ("rstudent", "dffits", "cook.d", "cov.r", "tau2.del", "QE.del", "hat", "weight")
    lines = [
        "Influence diagnostics (* influential):",
        f"{'Study':<{width}} " + " ".join(f"{h:>9}" for h in heads) + " inf",
    ]
    for i, label in enumerate(inf.labels):
        cells = " ".join(f"{_num(getattr(inf, n)[i]):>9}" for n in INFLUENCE_COLUMNS[:8])
        lines.append(
            f"{_label(label, width):<{width}} {cells} {'*' if inf.influential[i] else ''}".rstrip()
        )
    return "\n".join(lines) + "\n"
