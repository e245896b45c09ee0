"""Risk-of-bias plots of a tool's summary (SVG, PDF or PNG): the traffic-light plot and the
summary bar chart, drawn by :mod:`screener.plots.rob` (robvis style, judgement legend, domains
in words).

Study and outcome names are data: drawn as plain text (never mathtext), control characters
shown as escapes (:func:`screener.files.printable`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from screener.extraction.rob import OVERALL, RobSummary, RobTool
from screener.files import figure_bytes
from screener.plots.rob import (
    GREEN,
    RED,
    SYMBOLS,
    YELLOW,
    Judged,
    colour_of,
    summary_figure,
    traffic_light_figure,
)

__all__ = ["domain_words", "judgement_colour", "summary_plot", "traffic_light"]

_DISAGREE = Judged("assessors disagree", "white", "?")


def judgement_colour(tool: RobTool, domain: str, judgement: str) -> str:
    """The colour of a judgement; NOS stars are green at the item's maximum, red at none."""
    if judgement.isdigit() and domain != OVERALL:
        most = max(int(j) for j in tool.allowed(domain))
        stars = int(judgement)
        return GREEN if stars == most else RED if stars == 0 else YELLOW
    return colour_of(judgement)


def domain_words(tool: RobTool) -> list[str]:
    """The tool's domains in words, without their short codes: "Randomisation process"."""
    return [d.label.split(" ", 1)[-1] for d in tool.domains]


def _cell(tool: RobTool, key: str, judgement: str) -> Judged | None:
    if not judgement:
        return None
    if judgement == "?":
        return _DISAGREE
    colour = judgement_colour(tool, key, judgement)
    return Judged(judgement, colour, judgement if judgement.isdigit() else SYMBOLS.get(colour, ""))


_STARS = (
    Judged("all stars for the item", GREEN, ""),
    Judged("some stars", YELLOW, ""),
    Judged("no star", RED, ""),
)


def _legend(tool: RobTool, used: set[str]) -> tuple[Judged, ...]:
    """The tool's judgements (domains', then overall ones; NOS stars by colour), plus the
    disagreement mark if ``used`` holds one."""
    out = [
        Judged(t, colour_of(t), SYMBOLS.get(colour_of(t), ""))
        for t in dict.fromkeys([*tool.judgements, *tool.overall_judgements])
        if not t.isdigit()
    ]
    if any(t.isdigit() for t in tool.judgements):
        out = [*_STARS, *out]
    if "?" in used:
        out.append(_DISAGREE)
    return tuple(out)


def _category(tool: RobTool, key: str, judgement: str) -> Judged | None:
    """The legend entry a judgement counts under in the summary bars."""
    cell = _cell(tool, key, judgement)
    if cell is None or not judgement.isdigit():
        return cell
    return next(s for s in _STARS if s.colour == cell.colour)


def traffic_light(summary: RobSummary, *, fmt: str = "svg", title: str = "") -> bytes:
    """One row per study, one column per domain plus the overall judgement, a legend of the
    judgement colours and the domains in words under the plot; the image's bytes in ``fmt``
    (svg, pdf or png)."""
    tool = summary.tool
    columns = [d.label.split(" ", 1)[0] for d in tool.domains] + ["Overall"]
    keys = [d.key for d in tool.domains] + [OVERALL]
    cells = [
        [_cell(tool, key, j) for key, j in zip(keys, (*row.cells, row.overall), strict=True)]
        for row in summary.rows
    ]
    studies = [r.study + (f" ({r.outcome})" if r.outcome else "") for r in summary.rows]
    key = [f"{d.label.split(' ', 1)[0]}: {d.label.split(' ', 1)[-1]}" for d in tool.domains]
    used = {c for row in summary.rows for c in (*row.cells, row.overall)}
    fig = traffic_light_figure(
        studies, columns, cells, key, _legend(tool, used), title or tool.name
    )
    # Text stays text in SVG (searchable, selectable in the report) rather than glyph paths.
    return figure_bytes(fig, fmt, dpi=150)


def summary_plot(
    summary: RobSummary,
    *,
    weights: Mapping[str, float] | None = None,
    fmt: str = "svg",
    title: str = "",
) -> bytes:
    """The summary bar chart: per domain (in words) and overall, the share of studies with
    each judgement, or of their meta-analysis ``weights`` (by study name; studies without a
    weight are left out), as robvis's ``rob_summary(weighted=TRUE)``."""
    tool = summary.tool
    names = [*domain_words(tool), "Overall risk of bias"]
    keys = [d.key for d in tool.domains] + [OVERALL]
    totals: list[dict[str, float]] = [defaultdict(float) for _ in names]
    seen: dict[str, Judged] = {}
    for row in summary.rows:
        w = 1.0 if weights is None else float(weights.get(row.study, 0.0))
        for i, (key, judgement) in enumerate(zip(keys, (*row.cells, row.overall), strict=True)):
            found = _category(tool, key, judgement) if judgement != "?" else None
            if found is not None and w > 0:
                totals[i][found.text] += w
                seen[found.text] = found
    shares = [{j: v / sum(t.values()) for j, v in t.items()} if t else {} for t in totals]
    legend = tuple(j for j in _legend(tool, set()) if j.text in seen)
    legend += tuple(j for t, j in seen.items() if j not in legend)
    heading = title or f"Risk of bias: {tool.name}"
    fig = summary_figure(names, shares, legend, heading, weighted=weights is not None)
    return figure_bytes(fig, fmt, dpi=150)
