"""The traffic-light plot of a risk-of-bias summary (matplotlib, Agg; SVG, PDF or PNG).

Study and outcome names are data: drawn as plain text (never mathtext), control characters
shown as escapes (:func:`screener.files.printable`).
"""

from __future__ import annotations

from screener.extraction.rob import OVERALL, RobSummary, RobTool
from screener.files import figure_bytes, printable

__all__ = ["judgement_colour", "traffic_light"]

GREEN, YELLOW, RED, DARK_RED, BLUE, GREY = "#02C100", "#E2DF07", "#BF0000", "#820000", "#4EA1F7", "#CCCCCC"
_COLOURS = {
    "low": GREEN, "yes": GREEN, "good": GREEN, "include": GREEN,
    "some concerns": YELLOW, "moderate": YELLOW, "unclear": YELLOW, "fair": YELLOW, "seek further info": YELLOW,
    "high": RED, "serious": RED, "no": RED, "poor": RED, "exclude": RED,
    "critical": DARK_RED, "no information": BLUE, "not applicable": GREY,
}
_SYMBOLS = {GREEN: "+", YELLOW: "-", RED: "x", DARK_RED: "!", BLUE: "?", GREY: ""}


def judgement_colour(tool: RobTool, domain: str, judgement: str) -> str:
    """The colour of a judgement; NOS stars are green at the item's maximum, red at none."""
    if judgement.isdigit() and domain != OVERALL:
        most = max(int(j) for j in tool.allowed(domain))
        stars = int(judgement)
        return GREEN if stars == most else RED if stars == 0 else YELLOW
    return _COLOURS.get(judgement, "white")


def traffic_light(summary: RobSummary, *, fmt: str = "svg", title: str = "") -> bytes:
    """One row per study, one column per domain plus the overall judgement; the image's bytes
    in ``fmt`` (svg, pdf or png)."""
    # A bare Figure (no pyplot): no global state, no GUI backend, safe in worker threads.
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle

    tool = summary.tool
    rows = summary.rows
    columns = [d.label.split(" ", 1)[0] for d in tool.domains] + ["Overall"]
    keys = [d.key for d in tool.domains] + [OVERALL]
    width = 2.8 + 0.55 * len(columns)
    height = 1.6 + 0.42 * max(len(rows), 1) + 0.22 * len(tool.domains)
    fig = Figure(figsize=(width, height))
    ax = fig.subplots()
    ax.set_xlim(-0.5, len(columns) - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_aspect("equal")
    for y, row in enumerate(rows):
        for x, (key, judgement) in enumerate(zip(keys, (*row.cells, row.overall), strict=True)):
            if not judgement:
                continue
            colour = judgement_colour(tool, key, judgement) if judgement != "?" else "white"
            ax.add_patch(Circle((x, y), 0.38, facecolor=colour, edgecolor="black", linewidth=0.6))
            mark = "?" if judgement == "?" else (judgement if judgement.isdigit() else _SYMBOLS.get(colour, ""))
            ax.text(x, y, mark, ha="center", va="center", fontsize=9, fontweight="bold")
    ax.set_xticks(range(len(columns)), columns)
    ax.xaxis.tick_top()
    labels = [printable(r.study + (f" ({r.outcome})" if r.outcome else "")) for r in rows]
    ax.set_yticks(range(len(rows)), labels, parse_math=False)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    legend = "  ".join(f"{d.label.split(' ', 1)[0]}: {d.label.split(' ', 1)[-1]}" for d in tool.domains)
    fig.text(0.01, 0.01, _wrap(legend, int(width * 14)), fontsize=7, va="bottom", parse_math=False)
    ax.set_title(printable(title or tool.name), fontsize=10, pad=24, parse_math=False)
    # laid out as it is drawn, in figure_bytes, which gathers the missing-glyph warnings
    fig.set_layout_engine("tight", rect=(0, 0.04 + 0.03 * len(tool.domains) / 4, 1, 1))
    # Text stays text in SVG (searchable, selectable in the report) rather than glyph paths.
    return figure_bytes(fig, fmt, dpi=150)


def _wrap(text: str, width: int) -> str:
    lines, line = [], ""
    for part in text.split("  "):
        if line and len(line) + len(part) + 2 > width:
            lines.append(line)
            line = part
        else:
            line = f"{line}  {part}" if line else part
    lines.append(line)
    return "\n".join(lines)
