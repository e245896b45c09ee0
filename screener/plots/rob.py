"""Risk-of-bias figures as robvis draws them: the traffic-light plot and the summary bar chart.

Both carry a legend of the judgement colours (with the symbol each circle holds, for readers who
cannot tell the colours apart) and name the domains in words. Inputs are plain values; the
tools' domains and judgements are the extraction stage's (:mod:`screener.extraction.rob`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch

from screener.files import printable
from screener.plots.fonts import text_family, warn_if_no_cjk_font

__all__ = [
    "COLOURS",
    "GREEN",
    "GREY",
    "RED",
    "SYMBOLS",
    "YELLOW",
    "Judged",
    "colour_of",
    "summary_figure",
    "traffic_light_figure",
    "words",
]

GREEN, YELLOW, RED, DARK_RED, BLUE, GREY = (
    "#02C100",
    "#E2DF07",
    "#BF0000",
    "#820000",
    "#4EA1F7",
    "#CCCCCC",
)
#: robvis's colours for the judgements of RoB 2, ROBINS-I, QUADAS-2, NOS (AHRQ) and JBI.
COLOURS = {
    "low": GREEN, "yes": GREEN, "good": GREEN, "include": GREEN,
    "some concerns": YELLOW, "moderate": YELLOW, "unclear": YELLOW, "fair": YELLOW,
    "seek further info": YELLOW,
    "high": RED, "serious": RED, "no": RED, "poor": RED, "exclude": RED,
    "critical": DARK_RED, "no information": BLUE, "not applicable": GREY,
}  # fmt: skip
SYMBOLS = {GREEN: "+", YELLOW: "-", RED: "x", DARK_RED: "!", BLUE: "?", GREY: ""}
_FONT = 8.0


def colour_of(judgement: str) -> str:
    """The colour of a judgement in words; white for one the table does not know."""
    return COLOURS.get(judgement.strip().lower(), "white")


def words(judgement: str) -> str:
    """A judgement as a legend shows it: "Some concerns", "2 stars"."""
    text = judgement.strip()
    if text.isdigit():
        return f"{text} star{'' if text == '1' else 's'}"
    return text[:1].upper() + text[1:]


@dataclass(frozen=True, slots=True)
class Judged:
    """A judgement as drawn: its words, colour and the symbol in its circle."""

    text: str
    colour: str
    mark: str


def _legend_handles(legend: Sequence[Judged], *, circles: bool) -> list[Line2D | Patch]:
    handles: list[Line2D | Patch] = []
    for j in legend:
        label = printable(words(j.text)) + (f" ({j.mark})" if circles and j.mark else "")
        if circles:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    ls="none",
                    ms=9,
                    mfc=j.colour,
                    mec="black",
                    mew=0.6,
                    label=label,
                )
            )
        else:
            handles.append(Patch(facecolor=j.colour, edgecolor="white", label=label))
    return handles


def _legend(fig: Figure, handles: list[Line2D | Patch], title: str) -> None:
    family = text_family()
    legend = fig.legend(
        handles=handles,
        loc="outside right upper",
        frameon=False,
        title=title,
        prop={"family": family, "size": _FONT},
        title_fontsize=_FONT,
    )
    legend.get_title().set_fontweight("bold")
    for text in legend.get_texts():
        text.set_parse_math(False)


def traffic_light_figure(
    studies: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[Judged | None]],
    key: Sequence[str],
    legend: Sequence[Judged],
    title: str,
) -> Figure:
    """One row per study, one circle per domain (``columns``: short headers such as "D1"),
    ``key`` the domains in words under the plot, the judgement legend right of it."""
    warn_if_no_cjk_font([title, *studies])
    family = text_family()
    longest = max((len(s) for s in studies), default=0)
    width = 3.2 + 0.55 * len(columns) + min(0.07 * longest, 10.0)
    height = 1.4 + 0.42 * max(len(studies), 1) + 0.16 * len(key)
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.set_xlim(-0.5, len(columns) - 0.5)
    ax.set_ylim(len(studies) - 0.5, -0.5)
    ax.set_aspect("equal")
    for y, row in enumerate(cells):
        for x, cell in enumerate(row):
            if cell is None:
                continue
            ax.add_patch(
                Circle((x, y), 0.38, facecolor=cell.colour, edgecolor="black", linewidth=0.6)
            )
            ax.text(
                x,
                y,
                cell.mark,
                ha="center",
                va="center",
                fontsize=9,
                fontweight="bold",
                parse_math=False,
            )
    ax.set_xticks(
        range(len(columns)), [printable(c) for c in columns], fontsize=_FONT, family=family
    )
    ax.xaxis.tick_top()
    ax.set_yticks(
        range(len(studies)),
        [printable(s) for s in studies],
        parse_math=False,
        fontsize=_FONT,
        family=family,
    )
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_title(printable(title), fontsize=_FONT + 2, family=family, parse_math=False)
    _legend(fig, _legend_handles(legend, circles=True), "Judgement")
    if key:
        note = fig.supxlabel(
            "\n".join(textwrap.fill(printable(k), 90) for k in key),
            fontsize=_FONT - 0.5,
            ha="left",
            x=0.02,
            family=family,
        )
        note.set_parse_math(False)
    return fig


def summary_figure(
    domains: Sequence[str],
    shares: Sequence[Mapping[str, float]],
    legend: Sequence[Judged],
    title: str,
    *,
    weighted: bool = False,
) -> Figure:
    """Per domain (in words), a bar split by the share of studies (or of the meta-analysis
    weight, ``weighted``) with each judgement; ``legend`` gives the judgements in order."""
    warn_if_no_cjk_font([title, *domains])
    family = text_family()
    fig = Figure(figsize=(8.5, 1.2 + 0.4 * len(domains)), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    left = [0.0] * len(domains)
    for j in legend:
        part = [100.0 * share.get(j.text, 0.0) for share in shares]
        ax.barh(range(len(domains)), part, left=left, color=j.colour, edgecolor="white", height=0.7)
        left = [a + b for a, b in zip(left, part, strict=True)]
    ax.set_yticks(
        range(len(domains)),
        [printable(d) for d in domains],
        parse_math=False,
        fontsize=_FONT,
        family=family,
    )
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.tick_params(axis="x", labelsize=_FONT)
    ax.set_xlabel(
        "Share of the meta-analysis weight (%)" if weighted else "Studies (%)", fontsize=_FONT
    )
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(printable(title), loc="left", fontsize=_FONT + 2, family=family, parse_math=False)
    _legend(fig, _legend_handles(legend, circles=False), "Judgement")
    return fig


def legend_for(judgements: Sequence[str]) -> tuple[Judged, ...]:
    """Legend entries for judgements in words, in the order given, one per judgement."""
    seen = dict.fromkeys(j.strip().lower() for j in judgements if j.strip())
    return tuple(Judged(j, colour_of(j), SYMBOLS.get(colour_of(j), "")) for j in seen)
