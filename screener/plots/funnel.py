"""The funnel plot: each study's estimate against its standard error (inverted), contour-enhanced.

Contours (Peters et al. 2008) shade where a study's two-sided p-value against no effect lies:
p < 0.01, 0.01 to 0.05, 0.05 to 0.10, each band named in the legend; the dashed lines are the
pseudo confidence region around the pooled estimate; studies imputed by trim-and-fill are hollow
circles, named in the legend. With fewer than 10 studies a caution is printed under the axis
(the caller gives its text: :data:`screener.pooling.cautions.SMALL_K_CAUTION`).
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from scipy import stats

from screener.files import printable
from screener.plots.fonts import text_family
from screener.plots.forest import FONT, axis_ticks, null_position
from screener.plots.scales import Scale

__all__ = ["Funnel", "draw_funnel"]

_SHADES = ("0.55", "0.72", "0.87")  # darkest for the smallest p


@dataclass(frozen=True, slots=True)
class Funnel:
    """Everything a funnel plot shows; ``yi``/``se`` and ``estimate`` on the model scale,
    ``filled`` the (yi, se) of studies imputed by trim-and-fill."""

    yi: tuple[float, ...]
    se: tuple[float, ...]
    estimate: float | None
    scale: Scale = field(default_factory=Scale)
    contours: tuple[float, ...] = (0.90, 0.95, 0.99)
    filled: tuple[tuple[float, float], ...] = ()
    level: float = 95.0
    title: str | None = None
    caution: str | None = None
    width: float = 6.5
    height: float = 5.0


def draw_funnel(spec: Funnel) -> Figure:
    """The funnel plot of ``spec`` as a matplotlib Figure, its legend right of the axes."""
    pairs = [
        (y, s)
        for y, s in zip(spec.yi, spec.se, strict=True)
        if math.isfinite(y) and math.isfinite(s)
    ]
    se_max = max([s for _, s in pairs] + [s for _, s in spec.filled] + [1e-9]) * 1.05
    if se_max <= 1e-9:
        se_max = 1.0
    fig = Figure(figsize=(spec.width, spec.height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    family = text_family()
    handles = _contours(ax, spec, se_max)
    handles += _points(ax, spec, pairs, se_max)
    xs = [y for y, _ in pairs] + [y for y, _ in spec.filled]
    centre = null_position(spec.scale)
    if centre is not None and spec.contours:
        xs += [centre - 2.6 * se_max, centre + 2.6 * se_max]
    if spec.estimate is not None:
        z = stats.norm.isf((100 - spec.level) / 200)
        xs += [spec.estimate - z * se_max, spec.estimate + z * se_max]
    lo, hi = (min(xs), max(xs)) if xs else (-1.0, 1.0)
    pad = 0.05 * ((hi - lo) or 1.0)
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(se_max, 0)
    if spec.scale.ladders:
        ticks = axis_ticks(spec.scale, lo - pad, hi + pad)
        ax.set_xticks([x for x, _ in ticks], [label for _, label in ticks])
    ax.tick_params(labelsize=FONT)
    xlabel = ax.set_xlabel(printable(spec.scale.label), fontsize=FONT + 1, family=family)
    xlabel.set_parse_math(False)
    ax.set_ylabel("Standard error", fontsize=FONT + 1, family=family)
    title = printable(spec.title) if spec.title else "Contour-enhanced funnel plot"
    ax.set_title(title, fontsize=FONT + 2, family=family, parse_math=False, loc="left")
    legend = fig.legend(
        handles=handles,
        loc="outside right upper",
        fontsize=FONT,
        frameon=False,
        prop={"family": family, "size": FONT},
    )
    for text in legend.get_texts():
        text.set_parse_math(False)
    if spec.caution:
        note = fig.supxlabel(
            textwrap.fill(spec.caution, 95),
            fontsize=FONT - 0.5,
            style="italic",
            ha="left",
            x=0.01,
            family=family,
        )
        note.set_parse_math(False)
    return fig


def _contours(ax: Axes, spec: Funnel, se_max: float) -> list[Artist]:
    """Shade the significance bands around the line of no effect (darkest for the smallest p,
    outside the widest contour); their legend entries."""
    centre = null_position(spec.scale)
    if centre is None or not spec.contours:
        return []
    grid = np.linspace(0, se_max, 200)
    levels = sorted(spec.contours, reverse=True)  # 0.99, 0.95, 0.90
    shades = [*_SHADES[: len(levels)], *["0.87"] * (len(levels) - len(_SHADES))]
    ax.set_facecolor(shades[0])
    handles: list[Artist] = [Patch(facecolor=shades[0], label=f"p < {_p(1 - levels[0])}")]
    for i, level in enumerate(levels):
        inside = shades[i + 1] if i + 1 < len(levels) else "white"
        z = stats.norm.isf((1 - level) / 2)
        ax.fill_betweenx(grid, centre - z * grid, centre + z * grid, color=inside, lw=0, zorder=0)
        words = (
            f"{_p(1 - level)} ≤ p < {_p(1 - levels[i + 1])}"
            if i + 1 < len(levels)
            else f"p ≥ {_p(1 - level)}"
        )
        handles.append(
            Patch(facecolor=inside, edgecolor="0.6" if inside == "white" else "none", label=words)
        )
    return handles


def _p(value: float) -> str:
    return f"{value:.2f}" if value >= 0.01 else f"{value:.2g}"


def _points(
    ax: Axes, spec: Funnel, pairs: list[tuple[float, float]], se_max: float
) -> list[Artist]:
    """The pooled line, the pseudo CI, the studies and the imputed studies; legend entries."""
    handles: list[Artist] = []
    if spec.estimate is not None:
        z = stats.norm.isf((100 - spec.level) / 200)
        ax.plot(
            [spec.estimate - z * se_max, spec.estimate, spec.estimate + z * se_max],
            [se_max, 0, se_max],
            color="0.2",
            ls="--",
            lw=0.8,
        )
        ax.axvline(spec.estimate, color="black", lw=1)
        handles.append(Line2D([], [], color="black", lw=1, label="Pooled estimate"))
        handles.append(
            Line2D([], [], color="0.2", ls="--", lw=0.8, label=f"Pseudo {spec.level:g}% CI")
        )
    ax.plot([y for y, _ in pairs], [s for _, s in pairs], "o", color="black", ms=5)
    handles.append(Line2D([], [], marker="o", color="black", ls="none", ms=5, label="Studies"))
    if spec.filled:
        ax.plot(
            [y for y, _ in spec.filled],
            [s for _, s in spec.filled],
            "o",
            mfc="white",
            mec="black",
            ms=5,
        )
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                mfc="white",
                mec="black",
                ls="none",
                ms=5,
                label="Filled (trim-and-fill)",
            )
        )
    return handles
