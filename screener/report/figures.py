"""Simple report figures (matplotlib, Agg) for when the owning stage offers none.

A plain forest plot and funnel plot drawn from a saved analysis's per-study yi / vi and pooled
estimate, and a risk-of-bias summary (share of judgements per domain). Each returns an SVG
document with its text kept as text; labels are data, drawn as plain text (never mathtext) with
control characters shown as escapes (:func:`screener.files.printable`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

from screener.files import figure_bytes, printable

__all__ = ["figure_svg", "forest_svg", "funnel_svg", "rob_summary_svg"]

_Z95 = 1.959963984540054
_ROB_COLOURS = {
    "low": "#2ca02c", "some concerns": "#f2c500", "moderate": "#f2c500", "unclear": "#f2c500",
    "high": "#d62728", "serious": "#e3711c", "critical": "#7f0000", "no information": "#9e9e9e",
    "yes": "#2ca02c", "no": "#d62728",
}  # fmt: skip


def figure_svg(fig) -> str:
    """An SVG document of a matplotlib figure, text as text, without the XML prologue."""
    text = figure_bytes(fig, "svg", tight=True).decode("utf-8")
    return text[text.index("<svg"):]


def forest_svg(labels: Sequence[str], yi: Sequence[float], vi: Sequence[float], *,
               estimate: float | None, ci_lb: float | None, ci_ub: float | None,
               heterogeneity: str = "", exp: bool = False, xlabel: str = "Effect size") -> str:
    """Studies with 95% CIs, squares sized by inverse-variance weight, and the pooled diamond."""
    from matplotlib.figure import Figure

    k = len(yi)
    f = math.exp if exp else (lambda x: x)
    fig = Figure(figsize=(8, 1.2 + 0.32 * (k + 2)))
    ax = fig.add_subplot()
    weights = [1 / v if v > 0 else 0.0 for v in vi]
    top = max(weights) or 1.0
    for row, (y, v, w) in enumerate(zip(yi, vi, weights, strict=True)):
        pos = k - row + 1
        half = _Z95 * math.sqrt(v) if v > 0 else 0.0
        ax.plot([f(y - half), f(y + half)], [pos, pos], color="black", lw=0.8)
        ax.plot([f(y)], [pos], marker="s", color="#1f4e79", markersize=3 + 7 * math.sqrt(w / top))
    if estimate is not None and ci_lb is not None and ci_ub is not None:
        ax.fill([f(ci_lb), f(estimate), f(ci_ub), f(estimate)], [0, 0.3, 0, -0.3], color="#c00000")
        ax.axvline(f(estimate), color="#c00000", lw=0.6, ls=":")
    ax.axvline(1.0 if exp else 0.0, color="grey", lw=0.8)
    ax.set_yticks([k - i + 1 for i in range(k)] + [0], [*map(printable, labels), "Pooled estimate"],
                  parse_math=False)
    ax.set_ylim(-1, k + 2)
    if exp:
        from matplotlib.ticker import FormatStrFormatter, LogLocator

        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.xaxis.set_minor_formatter(FormatStrFormatter(""))
    ax.set_xlabel(printable(xlabel), parse_math=False)
    if heterogeneity:
        ax.set_title(printable(heterogeneity), fontsize=8, loc="left", parse_math=False)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return figure_svg(fig)


def funnel_svg(yi: Sequence[float], vi: Sequence[float], *, estimate: float | None,
               xlabel: str = "Effect size") -> str:
    """Effect against standard error (inverted), with the pseudo 95% confidence region."""
    from matplotlib.figure import Figure

    se = [math.sqrt(v) for v in vi]
    fig = Figure(figsize=(5, 4))
    ax = fig.add_subplot()
    top = max(se) * 1.05 if se else 1.0
    if estimate is not None:
        ax.fill([estimate - _Z95 * top, estimate, estimate + _Z95 * top], [top, 0, top],
                color="#eeeeee", zorder=0)
        ax.axvline(estimate, color="black", lw=0.8)
    ax.scatter(yi, se, color="#1f4e79", s=18, zorder=2)
    ax.set_ylim(top, 0)
    ax.set_xlabel(printable(xlabel), parse_math=False)
    ax.set_ylabel("Standard error")
    return figure_svg(fig)


def rob_summary_svg(tool: str, judgements: Mapping[str, Sequence[str]]) -> str:
    """Per domain, the share of studies with each judgement (a horizontal stacked bar)."""
    from matplotlib.figure import Figure

    domains = list(judgements)
    levels = list(dict.fromkeys(j.strip().lower() for js in judgements.values() for j in js))
    fig = Figure(figsize=(8, 0.9 + 0.4 * len(domains)))
    ax = fig.add_subplot()
    left = [0.0] * len(domains)
    for level in levels:
        shares = []
        for domain in domains:
            counts = Counter(j.strip().lower() for j in judgements[domain])
            shares.append(100 * counts[level] / max(1, sum(counts.values())))
        ax.barh(range(len(domains)), shares, left=left, label=printable(level),
                color=_ROB_COLOURS.get(level, "#7f7f7f"), edgecolor="white")
        left = [a + b for a, b in zip(left, shares, strict=True)]
    ax.set_yticks(range(len(domains)), [printable(d) for d in domains], parse_math=False)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Studies (%)")
    ax.set_title(f"Risk of bias: {printable(tool)}", loc="left", fontsize=10, parse_math=False)
    legend = ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.08), ncol=max(1, len(levels)),
                       fontsize=8, frameon=False)
    for text in legend.get_texts():
        text.set_parse_math(False)
    return figure_svg(fig)
