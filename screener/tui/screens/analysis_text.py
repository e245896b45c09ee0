"""The analysis screen's text: the pooled result, heterogeneity, the small-study tests and the
further analyses, and a forest plot drawn with characters. Study labels and field names come
from the review: every line goes through :func:`screener.display.visible` or ``one_line``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text

from screener.display import one_line, visible
from screener.errors import ScreenerError
from screener.flows.pooling import OutcomeAnalysis
from screener.pooling import PoolResult, SubgroupResult
from screener.pooling.report import fmt_p
from screener.pooling.transforms import back_transform, transformed

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

    BackTransform = Callable[[ArrayLike], NDArray[np.float64]]

__all__ = ["estimate_text", "heterogeneity_text", "pooled_text", "result_text", "text_forest"]


def heterogeneity_text(res: PoolResult) -> str:
    """ "Heterogeneity: I² = 92.2%, τ² = 0.3132, Q = 152.23 (df = 12), p < 0.0001"."""
    if res.QE is None:
        return "Heterogeneity: not estimable"
    i2 = "NA" if res.I2 is None else f"{res.I2:.1f}%"
    p = fmt_p(res.QEp)
    p = f"p {p[0]} {p[1:]}" if p.startswith("<") else f"p = {p}"
    return (
        f"Heterogeneity: I² = {i2}, τ² = {res.tau2:.4f}, Q = {res.QE:.2f} (df = {res.QE_df}), {p}"
    )


def estimate_text(res: PoolResult) -> str:
    """The estimate and CI on the natural scale where there is one (with the model scale)."""
    back = transformed(res)
    line = f"{res.measure} {res.estimate:.4f} [{res.ci_lb:.4f}, {res.ci_ub:.4f}]"
    if back is not None:
        line = (
            f"{res.measure} {back.estimate:.4f} [{back.ci_lb:.4f}, {back.ci_ub:.4f}] "
            f"(model scale {res.estimate:.4f} [{res.ci_lb:.4f}, {res.ci_ub:.4f}])"
        )
    return line


def pooled_text(res: PoolResult) -> str:
    """The pooled estimate with its CI, z (or t) and p."""
    stat = "t" if res.df is not None else "z"
    p = fmt_p(res.pval)
    p = f"p {p[0]} {p[1:]}" if p.startswith("<") else f"p = {p}"
    return f"{estimate_text(res)}, {stat} = {res.zval:.4f}, {p}"


def result_text(pooled: OutcomeAnalysis) -> Text:
    """The pooled result, heterogeneity and small-study lines of an analysis."""
    a = pooled.analysis
    res = a.result
    text = Text()
    text.append(visible(f"{pooled.default_name()} (k = {res.k})\n"), style="bold")
    text.append(f"Pooled {pooled_text(res)}\n")
    if res.is_random and res.k > 1:
        back = transformed(res)
        lo, hi = (back.pi_lb, back.pi_ub) if back is not None else (res.pi_lb, res.pi_ub)
        text.append(f"Prediction interval {lo:.4f} to {hi:.4f}\n")
    text.append(heterogeneity_text(res) + "\n", style="bold")
    if a.subgroups is not None:
        sub = a.subgroups
        text.append(
            f"Test for subgroup differences: Q = {sub.Q_between:.2f} (df = {sub.df_between}), "
            f"p = {fmt_p(sub.p_between)}\n"
        )
    if a.egger is not None:
        text.append(
            f"Egger's test: {a.egger.stat_type} = {a.egger.stat:.4f}, p = {fmt_p(a.egger.pval)}\n"
        )
    if a.trimfill is not None:
        tf = a.trimfill
        text.append(
            f"Trim-and-fill: {tf.k0} missing on the {tf.side} side; adjusted "
            f"{estimate_text(tf.fit)}\n"
        )
    further = a.further
    if further.begg is not None:
        text.append(
            f"Begg's test: Kendall's tau = {further.begg.tau:.4f}, p = {fmt_p(further.begg.pval)}\n"
        )
    caution = a.small_study_caution()
    if caution is not None:
        text.append(caution + "\n", style="bold")
    if further.regression is not None:
        reg = further.regression
        r2 = "" if reg.R2 is None else f", R² = {reg.R2:.1f}%"
        text.append(
            visible(
                f"Meta-regression on {', '.join(further.moderators)}: "
                f"QM = {_fmt(None, reg.QM if reg.QM is not None else math.nan)} "
                f"(df = {reg.QM_df[0]}), p = {fmt_p(reg.QMp)}"
                f"{r2}\n"
            ),
            style="bold",
        )
    tables = further.summary()
    if tables:
        text.append("\n" + visible(tables) + "\n")
    for note in (*res.notes, *(f"no data for {s}; left out" for s in pooled.without_data)):
        text.append(visible(f"Note: {note}\n"), style="dim")
    return text


def text_forest(
    res: PoolResult, subgroups: SubgroupResult | None, width: int
) -> list[tuple[str, str]]:
    """A forest plot drawn with characters: (line, style) pairs.

    Each study row shows its label, its CI as ``─`` with ``■`` at the estimate, the line of no
    effect as ``│``, then the estimate and CI (on the natural scale for ratios, proportions and
    correlations) and its weight. Pooled rows draw the CI as ``◆``.
    """
    blocks: list[tuple[str | None, PoolResult]]
    if subgroups is not None and subgroups.fits is not None:
        blocks = list(zip(subgroups.levels, subgroups.fits, strict=True))
    else:
        blocks = [(None, res)]
    z = _z_crit(res.level)
    rows: list[
        tuple[str, str, float, float, float, float | None]
    ] = []  # kind, label, est, lb, ub, w
    for level, fit in blocks:
        if level is not None:
            rows.append(("header", one_line(str(level)), math.nan, math.nan, math.nan, None))
        for i, label in enumerate(fit.labels):
            y, v = float(fit.yi[i]), float(fit.vi[i])
            half = z * math.sqrt(v) if v >= 0 else math.nan
            weight = float(fit.weights_percent[i])
            rows.append(("study", one_line(label), y, y - half, y + half, weight))
        name = one_line(f"Subtotal ({level})") if level is not None else _model_name(fit)
        rows.append(("pooled", name, fit.estimate, fit.ci_lb, fit.ci_ub, None))
    if subgroups is not None:
        rows.append(
            ("pooled", f"Overall: {_model_name(res)}", res.estimate, res.ci_lb, res.ci_ub, None)
        )

    back = _natural(res)
    bounds = [
        x
        for kind, _, _, lb, ub, _ in rows
        if kind != "header"
        for x in (lb, ub)
        if math.isfinite(x)
    ]
    lo, hi = (min(bounds), max(bounds)) if bounds else (-1.0, 1.0)
    if hi - lo < 1e-12:
        lo, hi = lo - 1.0, hi + 1.0
    numbers = [_interval(back, e, lb, ub) for kind, _, e, lb, ub, _ in rows if kind != "header"]
    num_w = max(len(n) for n in numbers)
    label_w = min(max(len(r[1]) for r in rows), max(12, width // 4))
    weights = width >= 64  # the weight column only where there is room for it
    plot_w = max(8, width - label_w - num_w - 3 - (7 if weights else 0))

    def col(x: float) -> int:
        return min(plot_w - 1, max(0, round((x - lo) / (hi - lo) * (plot_w - 1))))

    null = 0.0 if lo <= 0.0 <= hi else None
    head = f"{res.measure if back is not None else 'Estimate'} [{res.level:g}% CI]"
    out = [
        (
            f"{'Study':<{label_w}} {'':<{plot_w}} {head:<{num_w}}" + (" Weight" if weights else ""),
            "bold",
        )
    ]
    for kind, label, est, lb, ub, percent in rows:
        name = label if len(label) <= label_w else label[: label_w - 1] + "…"
        if kind == "header":
            out.append((name, "bold underline"))
            continue
        cells = [" "] * plot_w
        if null is not None:
            cells[col(null)] = "│"
        if math.isfinite(lb) and math.isfinite(ub):
            for c in range(col(lb), col(ub) + 1):
                if kind == "pooled":
                    cells[c] = "◆"
                else:
                    cells[c] = "┼" if cells[c] == "│" else "─"
        if kind == "study" and math.isfinite(est):
            cells[col(est)] = "■"
        share = f" {percent:5.1f}%" if weights and percent is not None else ""
        line = f"{name:<{label_w}} {''.join(cells)} {_interval(back, est, lb, ub):<{num_w}}{share}"
        out.append((line.rstrip(), "bold" if kind == "pooled" else ""))
    axis = ["─"] * plot_w
    if null is not None:
        axis[col(null)] = "┴"
    out.append((f"{'':<{label_w}} {''.join(axis)}", "dim"))
    left, right = _fmt(back, lo), _fmt(back, hi)
    gap = max(1, plot_w - len(left) - len(right))
    out.append((f"{'':<{label_w}} {left}{' ' * gap}{right}", "dim"))
    return out


def _model_name(res: PoolResult) -> str:
    if not res.is_random:
        return {"MH": "Common effect (MH)", "PETO": "Common effect (Peto)"}.get(
            res.method, "Common effect"
        )
    return f"Random effects ({res.method}{', HKSJ' if res.test in ('knha', 'adhoc') else ''})"


def _z_crit(level: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(1 - (1 - level / 100) / 2)


def _natural(res: PoolResult) -> BackTransform | None:
    try:
        return back_transform(res.measure, res.ni)
    except ScreenerError:  # PFT without sample sizes: stay on the model scale
        return None


def _fmt(back: BackTransform | None, x: float) -> str:
    if not math.isfinite(x):
        return "NA"
    value = float(back([x])[0]) if back is not None else x
    return f"{value:.2f}"


def _interval(back: BackTransform | None, est: float, lb: float, ub: float) -> str:
    return f"{_fmt(back, est)} [{_fmt(back, lb)}, {_fmt(back, ub)}]"
