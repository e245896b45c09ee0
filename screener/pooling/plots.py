"""Forest and funnel plots (matplotlib, Agg backend; SVG, PDF or PNG by file extension).

Figures are built with :class:`matplotlib.figure.Figure` directly, never through pyplot, so
nothing is registered globally and the functions are safe in worker threads. SVG keeps text as
text, so labels and numbers remain searchable and editable. Labels, titles and column values
are data: drawn as plain text (never mathtext), control characters shown as escapes
(:func:`screener.files.printable`); files are written all or nothing (:mod:`screener.files`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from scipy import stats

from screener.files import figure_bytes, printable, write_file
from screener.pooling._wls import Array
from screener.pooling.bias import TrimFillResult
from screener.pooling.errors import PoolingError
from screener.pooling.results import PoolResult
from screener.pooling.subgroups import SubgroupResult
from screener.pooling.transforms import (
    CORRELATION_MEASURES,
    PROPORTION_MEASURES,
    RATIO_MEASURES,
    back_transform,
    harmonic_mean,
    pft,
)

FORMATS = (".svg", ".pdf", ".png")
_AXIS_LABELS = {
    "OR": "Odds ratio", "RR": "Risk ratio", "PETO": "Odds ratio (Peto)", "ROM": "Ratio of means",
    "RD": "Risk difference", "MD": "Mean difference", "SMD": "Standardised mean difference (g)",
    "PR": "Proportion", "PLO": "Proportion", "PFT": "Proportion", "PAS": "Proportion",
    "ZCOR": "Correlation", "COR": "Correlation",
}  # fmt: skip


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


def _scale(
    measure: str, ni: Sequence[float] | Array | None
) -> tuple[Callable[[np.ndarray], np.ndarray], list[float] | None]:
    """The back-transformation for labels, and nice tick values on the natural scale."""
    m = measure.upper()
    if m in RATIO_MEASURES:
        return back_transform(m) or (lambda x: x), [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20]
    if m == "PFT" and ni is None:
        return (lambda x: np.asarray(x, dtype=float)), None
    if m in PROPORTION_MEASURES and m != "PR":
        return back_transform(m, ni) or (lambda x: x), [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]
    if m in CORRELATION_MEASURES and m == "ZCOR":
        return back_transform(m) or (lambda x: x), [-0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75]
    return (lambda x: np.asarray(x, dtype=float)), None


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


def forest_plot(
    result: PoolResult | SubgroupResult,
    path: str | Path | None = None,
    *,
    overall: PoolResult | None = None,
    columns: Mapping[str, Sequence[str]] | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    transform: bool = True,
    show_pi: bool = True,
    width: float | None = None,
    height: float | None = None,
    dpi: int = 150,
) -> Figure:
    """Draw a forest plot and save it to ``path`` (format from the extension) if given.

    Parameters
    ----------
    result
        A pooled result, or a subgroup analysis with separate fits (one block per subgroup
        with its own diamond and heterogeneity line).
    overall
        With subgroups, the overall pooled result drawn at the bottom.
    columns
        Extra text columns between the labels and the plot, e.g. ``{"Events/Total": [...]}``,
        one entry per study (in the order of the studies in ``result``).
    transform
        Label the axis and the estimates on the natural scale (ratios, proportions,
        correlations) instead of the model scale.
    show_pi
        Draw the prediction interval under random-effects diamonds.
    width, height
        Figure size in inches (default: from the number of rows and columns).
    """
    blocks: list[tuple[str | None, PoolResult]]
    if isinstance(result, SubgroupResult):
        if result.fits is None:
            raise PoolingError("a forest plot of subgroups needs separate fits per subgroup")
        blocks = list(zip(result.levels, result.fits, strict=True))
        first = result.fits[0]
    else:
        blocks = [(None, result)]
        first = result
    measure, ni = first.measure, first.ni
    back, ticks = _scale(measure, ni) if transform else ((lambda x: np.asarray(x, float)), None)
    forward = _forward(measure, ni) if transform else (lambda x: x)
    zcrit = stats.norm.isf((100 - first.level) / 200)

    rows: list[dict[str, Any]] = []
    col_names = list(columns) if columns else []
    study_index = 0
    for level, res in blocks:
        if level is not None:
            rows.append({"kind": "header", "text": printable(level)})
        for i, label in enumerate(res.labels):
            yi, vi = float(res.yi[i]), float(res.vi[i])
            extra = [printable(columns[c][study_index]) for c in col_names] if columns else []
            study_index += 1
            rows.append({"kind": "study", "text": printable(label), "yi": yi, "lb": yi - zcrit * math.sqrt(vi),
                         "ub": yi + zcrit * math.sqrt(vi), "w": float(res.weights_percent[i]), "extra": extra})  # fmt: skip
        rows.append(
            {
                "kind": "pooled",
                "res": res,
                "text": _model_label(res) if level is None else f"Subtotal ({printable(level)})",
            }
        )
        if show_pi and res.is_random and res.k > 1:
            rows.append({"kind": "pi", "res": res})
        rows.append({"kind": "het", "text": heterogeneity_line(res)})
        if level is not None:
            rows.append({"kind": "gap"})
    if isinstance(result, SubgroupResult):
        if overall is not None:
            rows.append(
                {"kind": "pooled", "res": overall, "text": f"Overall: {_model_label(overall)}"}
            )
            if show_pi and overall.is_random and overall.k > 1:
                rows.append({"kind": "pi", "res": overall})
            rows.append({"kind": "het", "text": heterogeneity_line(overall)})
        p = "p < 0.001" if result.p_between < 0.001 else f"p = {result.p_between:.3f}"
        rows.append(
            {
                "kind": "het",
                "text": f"Test for subgroup differences: Q = {result.Q_between:.2f} (df = {result.df_between}, {p})",
            }
        )

    n_rows = len(rows) + 2
    fig_w = width or (10.0 + 1.3 * len(col_names))
    fig_h = height or max(3.0, 0.3 * n_rows + 1.2)
    fig = Figure(figsize=(fig_w, fig_h), dpi=dpi)
    FigureCanvasAgg(fig)
    left_frac = (0.30 + 0.11 * len(col_names)) * 10.0 / fig_w
    ax = fig.add_axes((left_frac, 0.9 / fig_h, 0.42 * 10.0 / fig_w, 1 - 1.5 / fig_h))
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.spines[["left", "right", "top"]].set_visible(False)
    ax.set_yticks([])

    def fmt(x: float) -> str:
        return f"{float(back(np.array([x]))[0]):.2f}"

    lows = [r["lb"] for r in rows if r["kind"] == "study"] + [
        r["res"].pi_lb for r in rows if r["kind"] == "pooled"
    ]
    highs = [r["ub"] for r in rows if r["kind"] == "study"] + [
        r["res"].pi_ub for r in rows if r["kind"] == "pooled"
    ]
    if not show_pi:
        lows = [r["lb"] for r in rows if r["kind"] == "study"] + [
            r["res"].ci_lb for r in rows if r["kind"] == "pooled"
        ]
        highs = [r["ub"] for r in rows if r["kind"] == "study"] + [
            r["res"].ci_ub for r in rows if r["kind"] == "pooled"
        ]
    finite_lo = [x for x in lows if math.isfinite(x)] or [-1.0]
    finite_hi = [x for x in highs if math.isfinite(x)] or [1.0]
    lo, hi = min(finite_lo), max(finite_hi)
    pad = 0.05 * (hi - lo or 1.0)
    ax.set_xlim(lo - pad, hi + pad)
    text_kw: dict[str, Any] = {"transform": ax.get_yaxis_transform(), "va": "center",
                               "fontsize": 9, "parse_math": False}
    x_label = -0.02 - 0.9 * (left_frac - 0.03) / (0.42 * 10.0 / fig_w)
    x_right = 1.04
    ax.text(x_label, 0, "Study", fontweight="bold", ha="left", **text_kw)
    for j, name in enumerate(col_names):
        ax.text(x_label + 0.62 + 0.28 * j, 0, printable(name), fontweight="bold", ha="left",
                **text_kw)
    ax.text(x_right, 0, "Weight", fontweight="bold", ha="left", **text_kw)
    est_title = f"{'Estimate' if not transform or ticks is None else _AXIS_LABELS.get(measure, 'Estimate')} [{first.level:g}% CI]"
    ax.text(x_right + 0.2, 0, est_title, fontweight="bold", ha="left", **text_kw)
    max_w = max([r["w"] for r in rows if r["kind"] == "study"] or [1.0])

    for y, row in enumerate(rows, start=1):
        kind = row["kind"]
        if kind == "header":
            ax.text(x_label, y, row["text"], fontweight="bold", ha="left", **text_kw)
        elif kind == "study":
            ax.text(x_label, y, row["text"], ha="left", **text_kw)
            for j, value in enumerate(row["extra"]):
                ax.text(x_label + 0.62 + 0.28 * j, y, value, ha="left", **text_kw)
            if math.isfinite(row["yi"]):
                ax.plot([row["lb"], row["ub"]], [y, y], color="black", lw=0.8)
                size = 4 + 8 * math.sqrt(row["w"] / max_w)
                ax.plot([row["yi"]], [y], marker="s", ms=size, color="0.25", ls="none")
                ax.text(x_right, y, f"{row['w']:.1f}%", ha="left", **text_kw)
                ax.text(
                    x_right + 0.2,
                    y,
                    f"{fmt(row['yi'])} [{fmt(row['lb'])}, {fmt(row['ub'])}]",
                    ha="left",
                    **text_kw,
                )
        elif kind == "pooled":
            res = row["res"]
            diamond = Polygon([(res.ci_lb, y), (res.estimate, y - 0.35), (res.ci_ub, y), (res.estimate, y + 0.35)],
                              closed=True, facecolor="0.1", edgecolor="0.1")  # fmt: skip
            ax.add_patch(diamond)
            ax.text(x_label, y, row["text"], fontweight="bold", ha="left", **text_kw)
            ax.text(x_right, y, "100.0%", ha="left", **text_kw)
            pooled = f"{fmt(res.estimate)} [{fmt(res.ci_lb)}, {fmt(res.ci_ub)}]"
            ax.text(x_right + 0.2, y, pooled, fontweight="bold", ha="left", **text_kw)
        elif kind == "pi":
            res = row["res"]
            ax.plot([res.pi_lb, res.pi_ub], [y, y], color="0.3", lw=2.2, solid_capstyle="butt")
            ax.text(x_label, y, "Prediction interval", ha="left", **text_kw)
            ax.text(x_right + 0.2, y, f"[{fmt(res.pi_lb)}, {fmt(res.pi_ub)}]", ha="left", **text_kw)
        elif kind == "het":
            ax.text(x_label, y, row["text"], ha="left", fontsize=8, style="italic",
                    transform=ax.get_yaxis_transform(), va="center", parse_math=False)  # fmt: skip

    null = forward(1.0) if (transform and measure.upper() in RATIO_MEASURES) else 0.0
    if measure.upper() not in PROPORTION_MEASURES and lo - pad <= null <= hi + pad:
        ax.axvline(null, color="0.5", lw=0.8, ls="--")
    if ticks is not None and transform:
        positions = [(forward(t), t) for t in ticks]
        positions = [(x, t) for x, t in positions if math.isfinite(x) and lo - pad <= x <= hi + pad]
        if len(positions) >= 2:
            ax.set_xticks([x for x, _ in positions])
            ax.set_xticklabels([f"{t:g}" for _, t in positions])
    label = xlabel or _AXIS_LABELS.get(measure.upper(), "Effect size")
    if transform and measure.upper() in RATIO_MEASURES:
        label += " (log scale)"
    ax.set_xlabel(printable(label), fontsize=9, parse_math=False)
    ax.tick_params(axis="x", labelsize=8)
    if title:
        fig.suptitle(printable(title), fontsize=11, fontweight="bold", parse_math=False)
    _save(fig, path, dpi)
    return fig


def funnel_plot(
    result: PoolResult,
    path: str | Path | None = None,
    *,
    contours: Sequence[float] = (0.90, 0.95, 0.99),
    filled: TrimFillResult | None = None,
    title: str | None = None,
    width: float = 6.0,
    height: float = 5.0,
    dpi: int = 150,
) -> Figure:
    """Draw a contour-enhanced funnel plot (effect size against standard error).

    The shaded regions mark where a study's two-sided p-value against 0 lies between the
    ``contours`` levels (e.g. 0.10 > p > 0.05, 0.05 > p > 0.01, p < 0.01); the dashed lines
    show the pseudo confidence region around the pooled estimate. Studies filled in by
    trim-and-fill are drawn as open circles.
    """
    se = np.sqrt(np.asarray(result.vi, dtype=float))
    yi = np.asarray(result.yi, dtype=float)
    ok = np.isfinite(se) & np.isfinite(yi)
    se_max = float(np.max(se[ok])) * 1.05 if ok.any() else 1.0
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    grid = np.linspace(0, se_max, 200)
    desc = sorted(contours, reverse=True)
    palette = ["0.55", "0.75", "0.88", "0.94"]
    for i, level in enumerate(desc):
        z = stats.norm.isf((1 - level) / 2)
        color = "white" if i == len(desc) - 1 else palette[min(i, len(palette) - 1)]
        ax.fill_betweenx(grid, -z * grid, z * grid, color=color, lw=0)
    z95 = stats.norm.isf(0.025)
    ax.plot(result.estimate - z95 * grid, grid, color="0.3", ls="--", lw=0.8)
    ax.plot(result.estimate + z95 * grid, grid, color="0.3", ls="--", lw=0.8)
    ax.axvline(result.estimate, color="black", lw=1)
    ax.plot(yi[ok], se[ok], "o", color="black", ms=5, label="Studies")
    if filled is not None and filled.k0 > 0:
        ax.plot(filled.filled_yi, np.sqrt(filled.filled_vi), "o", mfc="white", mec="black", ms=5,
                label="Filled (trim-and-fill)")  # fmt: skip
        ax.legend(fontsize=8, loc="lower right")
    outer = stats.norm.isf((1 - desc[0]) / 2) * se_max
    xs = np.concatenate(
        [yi[ok], [-outer, outer, result.estimate - z95 * se_max, result.estimate + z95 * se_max]]
    )
    pad = 0.05 * float(xs.max() - xs.min() or 1.0)
    ax.set_xlim(float(xs.min()) - pad, float(xs.max()) + pad)
    ax.set_ylim(se_max, 0)
    name = _AXIS_LABELS.get(result.measure.upper(), "Effect size")
    ax.set_xlabel(
        f"Log {name.lower()}" if result.measure.upper() in RATIO_MEASURES else name, fontsize=9
    )
    ax.set_ylabel("Standard error", fontsize=9)
    bands = ", ".join(
        f"{1 - hi:.2g} > p > {1 - lo:.2g}" for hi, lo in zip(desc[1:], desc[:-1], strict=True)
    )
    ax.set_title(printable(title) if title else f"Contour-enhanced funnel plot (shaded: {bands})",
                 fontsize=10, parse_math=False)
    _save(fig, path, dpi)
    return fig
