"""The forest plot: one study per row, its estimate and confidence interval, weights, pooled
diamonds, prediction intervals, subgroups and the line of no effect.

Layout follows RevMan 5 (Cochrane) and metafor's ``forest()``: study labels and data columns on
the left, the plot in the middle, weights and "estimate [CI]" on the right; subgroup headers,
subtotals with their heterogeneity, the overall diamond, the test for subgroup differences;
"favours" labels under the axis. Differences kept on purpose:

- Every column is as wide as its widest text, measured with the renderer before anything is
  placed, and every text stays out of the plot area: nothing overlaps at any number of
  studies, whatever the labels (metafor leaves placement to the user's ``xlim``/``alim``;
  RevMan clips long labels).
- The prediction interval is drawn only where the model is random-effects and k >= 3 (fewer
  studies leave no degrees of freedom for it: Cochrane Handbook 10.10.4.3), on its own row
  under the diamond as a hollow bar with its bounds printed (as R's meta package does;
  metafor's ``addpred`` draws dotted whiskers on the diamond's row, RevMan 5 draws none).
- Ratio measures are drawn on the log scale with ratio tick labels (0.5, 1, 2), as both do;
  proportions, correlations from Fisher's z and other transformed measures are drawn on the
  model scale with natural-scale tick labels (metafor's ``atransf``).
- A proportion has no value of no effect, so no null line is drawn for it.
- Weights in a subgroup block are within the subgroup (each subtotal is 100%), because every
  subgroup has its own fit and its own tau²; RevMan shows shares of the overall total.
- Arms are named as the data name them ("Group 1", "Group 2"), not "Experimental"/"Control".
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Polygon, Rectangle
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory

from screener.files import printable
from screener.plots.fonts import text_family, warn_if_no_cjk_font
from screener.plots.scales import Scale

__all__ = ["Forest", "Group", "Scale", "Study", "Summary", "draw_forest"]

FONT = 8.0  # points, every row's text
ROW = 0.22  # inches per row
GAP = 0.16  # inches between columns
MARGIN = 0.12  # inches around the figure
PLOT = 3.0  # inches, the plot area's default width
_BOTTOM = 0.45  # inches under the axis: tick labels and the axis label
_FAVOURS = 0.22  # inches more for the favours labels
_MAX_TICKS = 7


@dataclass(frozen=True, slots=True)
class Study:
    """A study's row: label, estimate and CI bounds (model scale), weight in percent, cells."""

    label: str
    yi: float
    lb: float
    ub: float
    weight: float | None = None
    cells: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Summary:
    """A pooled estimate: the diamond, its prediction interval (random effects) and the
    heterogeneity line under it; ``k`` the number of studies pooled."""

    label: str
    estimate: float
    lb: float
    ub: float
    k: int
    pi: tuple[float, float] | None = None
    heterogeneity: str = ""
    weight: float | None = 100.0


@dataclass(frozen=True, slots=True)
class Group:
    """A block of studies: a subgroup with its header, or the whole analysis (no title)."""

    title: str | None
    studies: tuple[Study, ...]
    summary: Summary | None = None


@dataclass(frozen=True, slots=True)
class Forest:
    """Everything a forest plot shows. ``columns`` are (group, name) headers of the study
    cells, e.g. ("Group 1", "Mean"); an empty group leaves the header one line."""

    groups: tuple[Group, ...]
    scale: Scale = field(default_factory=Scale)
    columns: tuple[tuple[str, str], ...] = ()
    overall: Summary | None = None
    notes: tuple[str, ...] = ()
    level: float = 95.0
    title: str | None = None
    favours: tuple[str, str] | None = None
    show_weights: bool = True
    width: float | None = None
    height: float | None = None


@dataclass(slots=True)
class _Cell:
    """A text to place: ``column`` is "label", "span" (may run over the data columns),
    ("data", j), ("group", name), "weight" or "estimate"."""

    text: str
    column: Any
    y: float
    bold: bool = False
    italic: bool = False
    artist: Text | None = None


def draw_forest(spec: Forest) -> Figure:
    """The forest plot of ``spec`` as a matplotlib Figure (text as text, sized to fit)."""
    warn_if_no_cjk_font(
        [
            spec.title or "",
            *(s.label for g in spec.groups for s in g.studies),
            *(g.title or "" for g in spec.groups),
        ]
    )
    cells, marks, last = _rows(spec)
    lo, hi = _limits(spec, marks)
    fig = Figure(dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_ylim(last + 0.6, -1.5)
    ax.set_xlim(lo, hi)
    family = text_family()
    place = blended_transform_factory(fig.dpi_scale_trans, ax.transData)
    for cell in cells:
        cell.artist = ax.text(
            0.0,
            cell.y,
            cell.text,
            transform=place,
            va="center",
            fontsize=FONT - (0.5 if cell.italic else 0.0),
            family=family,
            fontweight="bold" if cell.bold else "normal",
            style="italic" if cell.italic else "normal",
            parse_math=False,
        )
    widths = _measure(fig, cells)
    left, right_cols = _columns(spec, widths)
    _layout(fig, ax, spec, cells, left, right_cols, last, family)
    _draw_marks(ax, spec, marks, last)
    return fig


# --- rows ---------------------------------------------------------------------------------


def _rows(spec: Forest) -> tuple[list[_Cell], list[tuple[str, float, Any]], float]:
    """The texts, the marks ((kind, y, item): study, summary, pi) and the last row's y."""
    fmt = _formatter(spec.scale)
    cells = _header(spec)
    marks: list[tuple[str, float, Any]] = []
    y = 1.0
    for group in spec.groups:
        if group.title is not None:
            cells.append(_Cell(printable(group.title), "span", y, bold=True))
            y += 1
        for study in group.studies:
            cells.append(_Cell(printable(study.label), "label", y))
            cells += [_Cell(printable(c), ("data", j), y) for j, c in enumerate(study.cells)]
            if _finite(study.yi, study.lb, study.ub):
                marks.append(("study", y, study))
                if spec.show_weights and study.weight is not None:
                    cells.append(_Cell(f"{study.weight:.1f}%", "weight", y))
                cells.append(
                    _Cell(f"{fmt(study.yi)} [{fmt(study.lb)}, {fmt(study.ub)}]", "estimate", y)
                )
            else:
                cells.append(_Cell("not estimable", "estimate", y, italic=True))
            y += 1
        if group.summary is not None:
            y = _summary_rows(spec, group.summary, y, cells, marks, fmt)
        if group.title is not None:
            y += 0.5
    if spec.overall is not None:
        y = _summary_rows(spec, spec.overall, y, cells, marks, fmt)
    for note in spec.notes:
        cells.append(_Cell(printable(note), "span", y, italic=True))
        y += 1
    return cells, marks, y - 1


def _header(spec: Forest) -> list[_Cell]:
    cells = [_Cell("Study", "label", 0.0, bold=True)]
    for j, (_, name) in enumerate(spec.columns):
        cells.append(_Cell(printable(name), ("data", j), 0.0, bold=True))
    for group in dict.fromkeys(g for g, _ in spec.columns if g):
        cells.append(_Cell(printable(group), ("group", group), -1.0, bold=True))
    if spec.show_weights:
        cells.append(_Cell("Weight", "weight", 0.0, bold=True))
    name = spec.scale.name.split(" (", 1)[0]
    cells.append(_Cell(printable(name), "estimate", -1.0, bold=True))
    cells.append(_Cell(f"[{spec.level:g}% CI]", "estimate", 0.0, bold=True))
    return cells


def _summary_rows(
    spec: Forest,
    summary: Summary,
    y: float,
    cells: list[_Cell],
    marks: list[tuple[str, float, Any]],
    fmt: Callable[[float], str],
) -> float:
    cells.append(_Cell(printable(summary.label), "span", y, bold=True))
    if _finite(summary.estimate, summary.lb, summary.ub):
        marks.append(("summary", y, summary))
        if spec.show_weights and summary.weight is not None:
            cells.append(_Cell(f"{summary.weight:.1f}%", "weight", y, bold=True))
        cells.append(
            _Cell(
                f"{fmt(summary.estimate)} [{fmt(summary.lb)}, {fmt(summary.ub)}]",
                "estimate",
                y,
                bold=True,
            )
        )
    y += 1
    if shows_pi(summary):
        assert summary.pi is not None
        marks.append(("pi", y, summary))
        cells.append(_Cell("Prediction interval", "span", y))
        cells.append(_Cell(f"[{fmt(summary.pi[0])}, {fmt(summary.pi[1])}]", "estimate", y))
        y += 1
    if summary.heterogeneity:
        cells.append(_Cell(printable(summary.heterogeneity), "span", y, italic=True))
        y += 1
    return y


def shows_pi(summary: Summary) -> bool:
    """Whether the summary's prediction interval is drawn: given, finite, and k >= 3."""
    return summary.pi is not None and summary.k >= 3 and _finite(*summary.pi)


def _finite(*values: float) -> bool:
    return all(math.isfinite(v) for v in values)


def _formatter(scale: Scale) -> Callable[[float], str]:
    def fmt(x: float) -> str:
        v = float(scale.back(x))
        if not math.isfinite(v):
            return "∞" if v > 0 else "-∞" if v < 0 else "NA"
        return f"{v:.2g}" if 0 < abs(v) < 0.01 else f"{v:.2f}"

    return fmt


# --- the x axis ---------------------------------------------------------------------------


def _limits(spec: Forest, marks: list[tuple[str, float, Any]]) -> tuple[float, float]:
    """The x range: every CI, diamond and drawn PI, and the line of no effect."""
    values: list[float] = []
    for kind, _, item in marks:
        if kind == "study":
            values += [item.lb, item.ub]
        elif kind == "summary":
            values += [item.lb, item.ub]
        else:
            values += list(item.pi)
    null = null_position(spec.scale)
    if null is not None:
        values.append(null)
    values = [v for v in values if math.isfinite(v)] or [-1.0, 1.0]
    lo, hi = min(values), max(values)
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    pad = 0.05 * (hi - lo)
    return lo - pad, hi + pad


def null_position(scale: Scale) -> float | None:
    """Where the line of no effect is drawn (model scale), None when there is none."""
    if scale.null is None:
        return None
    x = scale.forward(scale.null)
    return x if math.isfinite(x) else None


def axis_ticks(scale: Scale, lo: float, hi: float) -> list[tuple[float, str]]:
    """Tick positions and labels: the coarsest ladder with three ticks in range, thinned to
    at most seven, keeping the null; a linear axis takes matplotlib's nice numbers."""
    if not scale.ladders:
        values = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)
        return [(float(v), f"{v:g}") for v in values if lo <= v <= hi]
    best: list[tuple[float, str]] = []
    for ladder in scale.ladders:
        found = []
        for t in ladder:
            x = scale.forward(t)
            if math.isfinite(x) and lo <= x <= hi:
                found.append((x, f"{t:g}"))
        if len(found) > len(best):
            best = found
        if len(found) >= 3:
            best = found
            break
    while len(best) > _MAX_TICKS:
        null = null_position(scale)
        keep = [i for i, (x, _) in enumerate(best) if null is not None and abs(x - null) < 1e-12]
        anchor = keep[0] if keep else 0
        best = [t for i, t in enumerate(best) if (i - anchor) % 2 == 0]
    return best


def _thin(
    ticks: list[tuple[float, str]], to_inches: Callable[[float], float], null: float | None
) -> list[tuple[float, str]]:
    """Drop ticks whose labels would touch a neighbour's (the null's tick is kept first)."""

    def width(label: str) -> float:
        return 0.62 * FONT / 72 * len(label) + 0.06

    order = sorted(range(len(ticks)), key=lambda i: (null is None or ticks[i][0] != null, i))
    kept: list[tuple[float, str]] = []
    for i in order:
        x, label = ticks[i]
        if all(
            abs(to_inches(x) - to_inches(k)) > (width(label) + width(lab)) / 2 for k, lab in kept
        ):
            kept.append((x, label))
    return sorted(kept)


# --- layout -------------------------------------------------------------------------------


def _measure(fig: Figure, cells: list[_Cell]) -> dict[Any, float]:
    """The widest text of each column, in inches."""
    widths: dict[Any, float] = {}
    for cell in cells:
        assert cell.artist is not None
        widths[cell.column] = max(widths.get(cell.column, 0.0), text_width(cell.artist))
    return widths


def text_width(text: Text) -> float:
    """A text's width in inches, as the Agg renderer lays it out."""
    fig = text.get_figure(root=True)
    assert fig is not None
    with warnings.catch_warnings():
        # a missing glyph is reported once, when the figure is saved (screener.files)
        warnings.filterwarnings("ignore", message=".*missing from font")
        box = text.get_window_extent(fig.canvas.get_renderer())  # type: ignore[attr-defined]
    return float(box.width) / fig.dpi


def _columns(spec: Forest, widths: dict[Any, float]) -> tuple[dict[Any, float], dict[Any, float]]:
    """Each left column's x (inches from the figure's left; data columns by centre), the left
    block's right edge under "end"; the right columns' offsets from the plot's right edge."""
    data = [widths.get(("data", j), 0.0) for j in range(len(spec.columns))]
    for group in dict.fromkeys(g for g, _ in spec.columns if g):
        members = [j for j, (g, _) in enumerate(spec.columns) if g == group]
        room = sum(data[j] for j in members) + GAP * (len(members) - 1)
        extra = widths.get(("group", group), 0.0) - room
        for j in members:
            data[j] += max(0.0, extra) / len(members)
    left: dict[Any, float] = {"label": MARGIN}
    x = MARGIN + widths.get("label", 0.0) + GAP
    for j, w in enumerate(data):
        left[("data", j)] = x + w / 2
        x += w + GAP
    for group in dict.fromkeys(g for g, _ in spec.columns if g):
        members = [j for j, (g, _) in enumerate(spec.columns) if g == group]
        first, end = members[0], members[-1]
        left[("group", group)] = (
            (left[("data", first)] - data[first] / 2) + (left[("data", end)] + data[end] / 2)
        ) / 2
    left["end"] = max(x - GAP, MARGIN + widths.get("span", 0.0))
    right: dict[Any, float] = {}
    x = GAP
    if spec.show_weights and "weight" in widths:
        right["weight"] = x + widths["weight"]  # right-aligned at this offset
        x += widths["weight"] + GAP
    right["estimate"] = x
    right["end"] = x + widths.get("estimate", 0.0) + MARGIN
    return left, right


def _layout(
    fig: Figure,
    ax: Any,
    spec: Forest,
    cells: list[_Cell],
    left: dict[Any, float],
    right: dict[Any, float],
    last: float,
    family: list[str],
) -> None:
    """Size the figure, place the axes and move every text to its column."""
    top = MARGIN + (0.35 if spec.title else 0.0)
    bottom = _BOTTOM + (_FAVOURS if spec.favours else 0.0) + MARGIN
    rows = last + 0.6 + 1.5
    plot_left = left["end"] + GAP
    plot_w = PLOT
    if spec.width is not None:
        plot_w = max(1.0, spec.width - plot_left - right["end"])
    fav_room = _favours_room(fig, ax, spec, plot_w, family)
    plot_left = max(plot_left, fav_room[0])
    width = spec.width or plot_left + plot_w + max(right["end"], fav_room[1])
    height = spec.height or top + rows * ROW + bottom
    if spec.title:
        title = fig.text(
            MARGIN / width,
            1 - MARGIN / height,
            printable(spec.title),
            va="top",
            ha="left",
            fontsize=FONT + 2,
            fontweight="bold",
            family=family,
            parse_math=False,
        )
        title_w = text_width(title)
        if spec.width is None and title_w + 2 * MARGIN > width:
            width = title_w + 2 * MARGIN
            title.set_x(MARGIN / width)
    fig.set_size_inches(width, height)
    plot_h = height - top - bottom
    ax.set_position((plot_left / width, bottom / height, plot_w / width, plot_h / height))
    plot_right = plot_left + plot_w
    for cell in cells:
        assert cell.artist is not None
        col = cell.column
        if col in ("label", "span"):
            cell.artist.set_x(MARGIN)
            cell.artist.set_horizontalalignment("left")
        elif col == "weight":
            cell.artist.set_x(plot_right + right["weight"])
            cell.artist.set_horizontalalignment("right")
        elif col == "estimate":
            cell.artist.set_x(plot_right + right["estimate"])
            cell.artist.set_horizontalalignment("left")
        else:
            cell.artist.set_x(left[col])
            cell.artist.set_horizontalalignment("center")
    _axis(ax, spec, plot_w, family)


def _favours_room(
    fig: Figure, ax: Any, spec: Forest, plot_w: float, family: list[str]
) -> tuple[float, float]:
    """The plot's least left edge and the right block's least width so the favours labels
    stay inside the figure."""
    if spec.favours is None:
        return 0.0, 0.0
    sizes = []
    for text in spec.favours:
        probe = fig.text(0, 0, printable(text), fontsize=FONT, family=family, parse_math=False)
        sizes.append(text_width(probe))
        probe.remove()
    lo, hi = ax.get_xlim()
    null = null_position(spec.scale)
    at = (null - lo) / (hi - lo) * plot_w if null is not None else None
    if at is None:
        return 0.0, 0.0
    return (MARGIN + sizes[0] + 0.1 - at, sizes[1] + 0.1 + MARGIN - (plot_w - at))


def _axis(ax: Any, spec: Forest, plot_w: float, family: list[str]) -> None:
    lo, hi = ax.get_xlim()
    null = null_position(spec.scale)
    ticks = _thin(axis_ticks(spec.scale, lo, hi), lambda x: (x - lo) / (hi - lo) * plot_w, null)
    ax.set_xticks([x for x, _ in ticks], [label for _, label in ticks], fontsize=FONT - 0.5)
    ax.set_yticks([])
    ax.spines[["left", "right", "top"]].set_visible(False)
    under = blended_transform_factory(ax.transData, ax.transAxes)
    offset = 20.0
    if spec.favours is not None:
        left_text, right_text = (printable(t) for t in spec.favours)
        at = null if null is not None else None
        kw: dict[str, Any] = {
            "xycoords": under,
            "textcoords": "offset points",
            "va": "top",
            "fontsize": FONT,
            "family": family,
            "annotation_clip": False,
        }
        if at is not None:
            ax.annotate(left_text, (at, 0), xytext=(-6, -offset), ha="right", **kw)
            ax.annotate(right_text, (at, 0), xytext=(6, -offset), ha="left", **kw)
        else:
            ax.annotate(left_text, (lo, 0), xytext=(0, -offset), ha="left", **kw)
            ax.annotate(right_text, (hi, 0), xytext=(0, -offset), ha="right", **kw)
        for t in ax.texts[-2:]:
            t.set_parse_math(False)
        offset += 16.0
    label = ax.annotate(
        printable(spec.scale.label),
        (0.5, 0),
        xycoords="axes fraction",
        xytext=(0, -offset),
        textcoords="offset points",
        ha="center",
        va="top",
        fontsize=FONT,
        family=family,
        annotation_clip=False,
    )
    label.set_parse_math(False)


def _draw_marks(ax: Any, spec: Forest, marks: list[tuple[str, float, Any]], last: float) -> None:
    """Squares and CI lines, diamonds, prediction-interval bars and the null line."""
    weights = [item.weight for kind, _, item in marks if kind == "study" and item.weight]
    top = max(weights, default=1.0)
    biggest = min(10.0, ROW * 72 * 0.6)
    for kind, y, item in marks:
        if kind == "study":
            ax.plot([item.lb, item.ub], [y, y], color="black", lw=0.8)
            share = math.sqrt(item.weight / top) if item.weight else 0.5
            ax.plot(
                [item.yi], [y], marker="s", ms=3 + (biggest - 3) * share, color="0.25", ls="none"
            )
        elif kind == "summary":
            ax.add_patch(
                Polygon(
                    [
                        (item.lb, y),
                        (item.estimate, y - 0.35),
                        (item.ub, y),
                        (item.estimate, y + 0.35),
                    ],
                    closed=True,
                    facecolor="0.15",
                    edgecolor="0.15",
                )
            )
        else:
            lb, ub = item.pi
            ax.add_patch(
                Rectangle((lb, y - 0.17), ub - lb, 0.34, fill=False, edgecolor="0.2", lw=0.8)
            )
    null = null_position(spec.scale)
    if null is not None:
        ax.plot([null, null], [0.5, last + 0.6], color="0.35", lw=0.8, zorder=0)


def plain_columns(columns: Sequence[str | tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Column headers as (group, name) pairs: a bare name has no group."""
    return tuple(c if isinstance(c, tuple) else ("", c) for c in columns)
