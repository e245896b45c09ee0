"""Report figures drawn from a saved analysis's numbers, when the owning stage cannot refit it.

A forest plot and a funnel plot from the per-study yi / vi and the pooled estimate, and a
risk-of-bias summary (share of judgements per domain) for a tool the extraction stage does not
know. They are drawn by the same functions as the pooling engine's and the extraction stage's
figures (:mod:`screener.plots`), so the report never shows a second style. Each returns an SVG
document with its text kept as text; labels are data, drawn as plain text (never mathtext) with
control characters shown as escapes (:func:`screener.files.printable`).
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from statistics import NormalDist

from screener.files import figure_bytes

__all__ = ["figure_svg", "forest_svg", "funnel_svg", "rob_summary_svg"]


def figure_svg(fig) -> str:
    """An SVG document of a matplotlib figure, text as text, without the XML prologue."""
    text = figure_bytes(fig, "svg", tight=True).decode("utf-8")
    return text[text.index("<svg") :]


def _scale(xlabel: str, measure: str | None, exp: bool):
    """The axis: a measure code (given, or passed as ``xlabel``) in words; else ``xlabel`` on a
    ratio (``exp``) or linear axis."""
    from screener.plots.measures import MEASURE_WORDS
    from screener.plots.scales import measure_scale

    code = measure or (xlabel if xlabel.upper() in MEASURE_WORDS else None)
    if code is not None:
        return measure_scale(code)
    return dataclasses.replace(measure_scale("RR" if exp else "GEN"), name=xlabel)


def forest_svg(
    labels: Sequence[str],
    yi: Sequence[float],
    vi: Sequence[float],
    *,
    estimate: float | None,
    ci_lb: float | None,
    ci_ub: float | None,
    heterogeneity: str = "",
    exp: bool = False,
    xlabel: str = "Effect size",
    measure: str | None = None,
    favours: tuple[str, str] | None = None,
    level: float = 95.0,
    title: str | None = None,
) -> str:
    """Studies with their CIs, squares sized by inverse-variance weight, the pooled diamond and
    the heterogeneity line, drawn by :func:`screener.plots.forest.draw_forest` (no weight
    column: the saved analysis's own weights are not known here)."""
    from screener.plots.forest import Forest, Group, Study, Summary, draw_forest

    z = NormalDist().inv_cdf(0.5 + level / 200)
    inverse = [1 / v if v > 0 else 0.0 for v in vi]
    total = sum(inverse) or 1.0
    studies = tuple(
        Study(
            str(label),
            y,
            y - z * math.sqrt(max(v, 0.0)),
            y + z * math.sqrt(max(v, 0.0)),
            100 * w / total,
        )
        for label, y, v, w in zip(labels, yi, vi, inverse, strict=True)
    )
    summary = None
    if estimate is not None and ci_lb is not None and ci_ub is not None:
        summary = Summary(
            "Pooled estimate", estimate, ci_lb, ci_ub, len(studies), heterogeneity=heterogeneity
        )
    spec = Forest(
        (Group(None, studies, summary),),
        _scale(xlabel, measure, exp),
        level=level,
        title=title,
        favours=favours,
        show_weights=False,
    )
    return figure_svg(draw_forest(spec))


def funnel_svg(
    yi: Sequence[float],
    vi: Sequence[float],
    *,
    estimate: float | None,
    xlabel: str = "Effect size",
    measure: str | None = None,
    exp: bool = False,
    caution: str | None = None,
    title: str | None = None,
) -> str:
    """Effect against standard error (inverted), contour-enhanced, with the pseudo 95%
    confidence region, drawn by :func:`screener.plots.funnel.draw_funnel`; ``caution`` (e.g.
    ``screener.pooling.cautions.SMALL_K_CAUTION`` when k < 10) is printed under it."""
    from screener.plots.funnel import Funnel, draw_funnel

    se = tuple(math.sqrt(v) if v >= 0 else math.nan for v in vi)
    spec = Funnel(
        tuple(yi), se, estimate, _scale(xlabel, measure, exp), title=title, caution=caution
    )
    return figure_svg(draw_funnel(spec))


def rob_summary_svg(tool: str, judgements: Mapping[str, Sequence[str]]) -> str:
    """Per domain, the share of studies with each judgement (a horizontal stacked bar with a
    legend of the judgement colours), drawn by :func:`screener.plots.rob.summary_figure`;
    domain keys such as ``missing_data`` are shown in words ("Missing data")."""
    from screener.plots.rob import legend_for, summary_figure

    domains = list(judgements)
    shares = []
    for domain in domains:
        counts = Counter(j.strip().lower() for j in judgements[domain] if j.strip())
        total = sum(counts.values()) or 1
        shares.append({j: n / total for j, n in counts.items()})
    legend = legend_for([j for js in judgements.values() for j in js])
    fig = summary_figure([_words(d) for d in domains], shares, legend, f"Risk of bias: {tool}")
    return figure_svg(fig)


def _words(key: str) -> str:
    """An internal key in words: "missing_data" -> "Missing data"; other text as it is."""
    if key and key.replace("_", "").isalnum() and key == key.lower():
        text = key.replace("_", " ")
        return text[:1].upper() + text[1:]
    return key
