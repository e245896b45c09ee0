"""Forest and funnel plots of fitted models (SVG, PDF or PNG by file extension).

This module turns a :class:`PoolResult` (or subgroup fits) into the plain values the one
forest and the one funnel drawing take (:mod:`screener.plots.forest`,
:mod:`screener.plots.funnel`), and saves the figure. SVG keeps text as
text, so labels and numbers remain searchable and editable. Labels, titles and column values
are data: drawn as plain text (never mathtext), control characters shown as escapes
(:func:`screener.files.printable`); files are written all or nothing (:mod:`screener.files`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
from matplotlib.figure import Figure
from scipy import stats

from screener.files import figure_bytes, write_file
from screener.plots.forest import Forest, Group, Study, Summary, draw_forest, plain_columns
from screener.plots.funnel import Funnel, draw_funnel
from screener.plots.scales import Scale, measure_scale
from screener.pooling._wls import Array
from screener.pooling.bias import TrimFillResult
from screener.pooling.cautions import SMALL_K_CAUTION, small_k
from screener.pooling.errors import PoolingError
from screener.pooling.results import PoolResult
from screener.pooling.subgroups import SubgroupResult
from screener.pooling.transforms import (
    RATIO_MEASURES,
    back_transform,
    harmonic_mean,
    pft,
)

FORMATS = (".svg", ".pdf", ".png")


def _save(fig: Figure, path: str | Path | None, dpi: int) -> None:
    if path is None:
        return
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise PoolingError(f"plot file must end in {', '.join(FORMATS)}, not {suffix or 'nothing'}")
    write_file(path, figure_bytes(fig, suffix[1:], dpi=dpi))


def _model_label(res: PoolResult) -> str:
    if res.method == "MH":
        return "Common effect (Mantel-Haenszel)"
    if res.method == "PETO":
        return "Common effect (Peto)"
    if not res.is_random:
        return "Common effect model"
    return f"Random-effects model ({res.method}{', HKSJ' if res.test in ('knha', 'adhoc') else ''})"


def heterogeneity_line(res: PoolResult) -> str:
    """ "Heterogeneity: I² = …, τ² = …, Q = … (df = …, p = …)" as journals print it."""
    if res.QE is None:
        return "Heterogeneity: not estimable"
    p = "p < 0.001" if (res.QEp or 0) < 0.001 else f"p = {res.QEp:.3f}"
    i2 = f"I² = {res.I2:.1f}%" if res.I2 is not None else "I² = NA"
    tau2 = f", τ² = {res.tau2:.4g}" if res.is_random else ""
    return f"Heterogeneity: {i2}{tau2}, Q = {res.QE:.2f} (df = {res.QE_df}, {p})"


def plot_scale(
    measure: str, ni: Sequence[float] | Array | None = None, *, transform: bool = True
) -> Scale:
    """How a plot of ``measure`` reads its axis: ratios on the log scale with ratio ticks,
    proportions and Fisher's z on the model scale with natural ticks, the rest as is."""
    m = measure.upper()
    if m == "PFT" and ni is None:
        transform = False  # the back-transformation needs the sample sizes
    fn = back_transform(m, ni) if transform else None
    if fn is None:
        return measure_scale(m, transform=transform)
    return measure_scale(m, back=lambda x: float(fn(np.array([x]))[0]), forward=_forward(m, ni))


def _forward(measure: str, ni: Sequence[float] | Array | None) -> Callable[[float], float]:
    m = measure.upper()
    if m in RATIO_MEASURES:
        return lambda p: math.log(p) if p > 0 else -math.inf
    if m == "PLO":
        return lambda p: math.log(p / (1 - p)) if 0 < p < 1 else (math.inf if p >= 1 else -math.inf)
    if m == "PAS":
        return lambda p: math.asin(math.sqrt(p))
    if m == "PFT":
        n_hm = harmonic_mean(ni) if ni is not None else 100.0
        return lambda p: float(pft(p, n_hm))
    if m == "ZCOR":
        return lambda r: math.atanh(r) if abs(r) < 1 else math.copysign(math.inf, r)
    return lambda x: x


def _summary(res: PoolResult, label: str) -> Summary:
    pi = (res.pi_lb, res.pi_ub) if res.is_random else None
    return Summary(label, res.estimate, res.ci_lb, res.ci_ub, res.k, pi, heterogeneity_line(res))


def _group(
    res: PoolResult, title: str | None, cells: list[tuple[str, ...]], zcrit: float, label: str
) -> Group:
    studies = []
    for i, name in enumerate(res.labels):
        yi, half = float(res.yi[i]), zcrit * math.sqrt(float(res.vi[i]))
        studies.append(
            Study(
                name,
                yi,
                yi - half,
                yi + half,
                float(res.weights_percent[i]),
                cells[i] if cells else (),
            )
        )
    return Group(title, tuple(studies), _summary(res, label))


def forest_plot(
    result: PoolResult | SubgroupResult,
    path: str | Path | None = None,
    *,
    overall: PoolResult | None = None,
    columns: Mapping[str | tuple[str, str], Sequence[str]] | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    favours: tuple[str, str] | None = None,
    transform: bool = True,
    show_pi: bool = True,
    width: float | None = None,
    height: float | None = None,
    dpi: int = 150,
) -> Figure:
    """Draw a forest plot and save it to ``path`` (format from the extension) if given.

    The drawing and its layout, and how they differ from metafor's ``forest()`` and RevMan's,
    are described in :mod:`screener.plots.forest`.

    Parameters
    ----------
    result
        A pooled result, or a subgroup analysis with separate fits (one block per subgroup
        with its own diamond and heterogeneity line, then the test for subgroup differences).
    overall
        With subgroups, the overall pooled result drawn at the bottom.
    columns
        Data columns between the labels and the plot, one entry per study (in the order of
        the studies in ``result``); a key ``(group, name)`` puts ``group`` over its columns,
        e.g. ``{("Group 1", "Events"): [...], ("Group 1", "Total"): [...]}``.
    xlabel
        The measure in words on the axis and the estimate column (default: from the measure
        code, e.g. "Risk ratio"; "(log scale)" is added on ratio scales).
    favours
        ``(left, right)``: what an effect on each side of the line of no effect favours,
        printed under the axis.
    transform
        Label the axis and the estimates on the natural scale (ratios, proportions,
        correlations) instead of the model scale.
    show_pi
        Draw the prediction interval under random-effects diamonds (only where k >= 3).
    width, height
        Figure size in inches (default: sized to fit every text).
    """
    if isinstance(result, SubgroupResult):
        if result.fits is None:
            raise PoolingError("a forest plot of subgroups needs separate fits per subgroup")
        fits: list[tuple[str | None, PoolResult]] = list(
            zip(result.levels, result.fits, strict=True)
        )
    else:
        fits = [(None, result)]
    first = fits[0][1]
    scale = plot_scale(first.measure, first.ni, transform=transform)
    if xlabel:
        scale = dataclasses.replace(scale, name=xlabel)
    zcrit = float(stats.norm.isf((100 - first.level) / 200))
    names = list(columns) if columns else []
    rows = list(zip(*(columns[n] for n in names), strict=True)) if columns else []
    groups, at = [], 0
    for level, res in fits:
        label = _model_label(res) if level is None else f"Subtotal ({level})"
        groups.append(_group(res, level, rows[at : at + res.k], zcrit, label))
        at += res.k
    spec_overall, notes = None, []
    if isinstance(result, SubgroupResult):
        if overall is not None:
            spec_overall = _summary(overall, f"Overall: {_model_label(overall)}")
        p = "p < 0.001" if result.p_between < 0.001 else f"p = {result.p_between:.3f}"
        notes.append(
            f"Test for subgroup differences: Q = {result.Q_between:.2f} "
            f"(df = {result.df_between}, {p})"
        )
    if not show_pi:
        groups = [
            dataclasses.replace(g, summary=dataclasses.replace(g.summary, pi=None))
            if g.summary
            else g
            for g in groups
        ]
        if spec_overall is not None:
            spec_overall = dataclasses.replace(spec_overall, pi=None)
    spec = Forest(
        tuple(groups),
        scale,
        plain_columns(names),
        spec_overall,
        tuple(notes),
        first.level,
        title,
        favours,
        True,
        width,
        height,
    )
    fig = draw_forest(spec)
    _save(fig, path, dpi)
    return fig


def funnel_plot(
    result: PoolResult,
    path: str | Path | None = None,
    *,
    contours: Sequence[float] = (0.90, 0.95, 0.99),
    filled: TrimFillResult | None = None,
    title: str | None = None,
    caution: bool | None = None,
    width: float = 6.5,
    height: float = 5.0,
    dpi: int = 150,
) -> Figure:
    """Draw a contour-enhanced funnel plot (effect size against standard error).

    The shaded bands mark where a study's two-sided p-value against no effect lies between the
    ``contours`` levels (p < 0.01, 0.01 to 0.05, 0.05 to 0.10), each named in the legend; the
    dashed lines show the pseudo confidence region around the pooled estimate. Studies filled
    in by trim-and-fill are drawn as open circles, named in the legend. ``caution`` prints
    :data:`~screener.pooling.cautions.SMALL_K_CAUTION` under the plot (default: when k < 10).
    """
    se = np.sqrt(np.asarray(result.vi, dtype=float))
    imputed: tuple[tuple[float, float], ...] = ()
    if filled is not None and filled.k0 > 0:
        imputed = tuple(
            (float(y), float(math.sqrt(v)))
            for y, v in zip(filled.filled_yi, filled.filled_vi, strict=True)
        )
    if caution is None:
        caution = small_k(result.k)
    spec = Funnel(
        tuple(float(y) for y in result.yi),
        tuple(float(x) for x in se),
        result.estimate,
        plot_scale(result.measure, result.ni),
        tuple(contours),
        imputed,
        95.0,
        title,
        SMALL_K_CAUTION if caution else None,
        width,
        height,
    )
    fig = draw_funnel(spec)
    _save(fig, path, dpi)
    return fig
