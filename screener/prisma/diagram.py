"""Draw the PRISMA 2020 flow diagram: SVG by hand, PNG and PDF with matplotlib (Agg).

:func:`render` returns the bytes of one format (svg, png, pdf, csv, json, txt) and
:func:`format_for` picks the format from a file's extension; csv is the PRISMA2020 app's
template (:mod:`screener.prisma.template`), json the counts for scripts, txt the text diagram the
TUI shows. Writing files is the caller's business (this stage does no I/O).

Source names and exclusion reasons are data: in the SVG (built as text) and the PNG/PDF they are
plain text, never mathtext, their control characters shown as escapes
(:func:`screener.files.printable`), so the SVG is always well-formed XML.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from screener.errors import InvalidInputError
from screener.files import figure_bytes, printable
from screener.plots.fonts import text_family
from screener.prisma.counts import PrismaCounts
from screener.prisma.layout import (
    BAND_BLUE,
    CHAR_PX,
    FONT_PX,
    FOOT_FONT_PX,
    FOOT_LINE_PX,
    LINE_PX,
    MARGIN,
    PAD,
    Box,
    Layout,
    layout,
)
from screener.prisma.template import template_csv
from screener.prisma.text import text_diagram

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

__all__ = ["FORMATS", "format_for", "render", "render_image", "render_svg"]

FORMATS = ("svg", "png", "pdf", "csv", "json", "txt")
PNG_DPI = 200  # the PNG is twice the SVG's pixel size: sharp in print and on screen
_WARNING = "#b00000"
_NOTE = "#444444"


def _lines(box: Box) -> list[tuple[float, float, str]]:
    """(x, baseline y, text) of each line of a box; leading spaces become an indent."""
    out = []
    total = len(box.lines) * LINE_PX
    top = box.y + (box.h - total) / 2 if box.center else box.y + PAD
    for i, line in enumerate(box.lines):
        indent = (len(line) - len(line.lstrip(" "))) * CHAR_PX * 0.6
        x = box.x + box.w / 2 if box.center else box.x + PAD + indent
        out.append((x, top + i * LINE_PX + FONT_PX, printable(line.strip())))
    return out


def _footnote_top(lay: Layout) -> float:
    return lay.height - MARGIN - len(lay.footnotes) * FOOT_LINE_PX


def render_svg(counts: PrismaCounts) -> str:
    """The diagram as a standalone SVG document."""
    lay = layout(counts)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay.width}" height="{lay.height}" '
        f'viewBox="0 0 {lay.width} {lay.height}" font-family="Helvetica, Arial, sans-serif" '
        f'font-size="{FONT_PX}">',
        "<title>PRISMA 2020 flow diagram</title>",
        '<defs><marker id="arrowhead" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#000"/></marker></defs>',
        f'<rect width="{lay.width}" height="{lay.height}" fill="#ffffff"/>',
    ]
    for band in lay.bands:
        cx, cy = band.x + band.w / 2, band.y + band.h / 2
        out.append(
            f'<g class="band"><rect x="{band.x:.1f}" y="{band.y:.1f}" width="{band.w:.1f}" '
            f'height="{band.h:.1f}" rx="6" fill="{BAND_BLUE}"/><text x="{cx:.1f}" y="{cy:.1f}" '
            f'transform="rotate(-90 {cx:.1f} {cy:.1f})" text-anchor="middle" '
            'dominant-baseline="middle" '
            f'font-weight="bold">{escape(printable(band.label))}</text></g>'
        )
    for box in lay.boxes:
        anchor = ' text-anchor="middle"' if box.center else ""
        weight = ' font-weight="bold"' if box.bold else ""
        spans = "".join(
            f'<tspan x="{x:.1f}" y="{y:.1f}">{escape(t)}</tspan>' for x, y, t in _lines(box)
        )
        out.append(
            f'<g class="box" id={quoteattr("box-" + box.key)}><rect x="{box.x:.1f}" '
            f'y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" fill="{box.fill}" '
            f'stroke="#000" stroke-width="1"/><text{anchor}{weight}>{spans}</text></g>'
        )
    for arrow in lay.arrows:
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in arrow.points)
        out.append(
            f'<polyline class="arrow" points="{points}" fill="none" stroke="#000" '
            'stroke-width="1.2" marker-end="url(#arrowhead)"/>'
        )
    top = _footnote_top(lay)
    for i, (kind, line) in enumerate(lay.footnotes):
        colour = _WARNING if kind == "warning" else _NOTE
        out.append(
            f'<text class="{kind}" x="{MARGIN}" y="{top + (i + 1) * FOOT_LINE_PX:.1f}" '
            f'font-size="{FOOT_FONT_PX}" fill="{colour}">{escape(printable(line))}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _figure(counts: PrismaCounts):
    """The diagram as a matplotlib Figure, 100 px per inch (Agg, no display needed)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch, Rectangle

    lay = layout(counts)
    fig = Figure(figsize=(lay.width / 100, lay.height / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, lay.width)
    ax.set_ylim(lay.height, 0)
    ax.axis("off")
    pt = 72 / 100  # points per pixel at 100 dpi
    for band in lay.bands:
        ax.add_patch(
            FancyBboxPatch(
                (band.x, band.y),
                band.w,
                band.h,
                boxstyle="round,pad=0,rounding_size=6",
                facecolor=BAND_BLUE,
                edgecolor="none",
            )
        )
        ax.text(
            band.x + band.w / 2,
            band.y + band.h / 2,
            printable(band.label),
            rotation=90,
            ha="center",
            va="center",
            fontsize=FONT_PX * pt,
            fontweight="bold",
            parse_math=False,
        )
    for box in lay.boxes:
        ax.add_patch(
            Rectangle((box.x, box.y), box.w, box.h, facecolor=box.fill, edgecolor="black", lw=0.8)
        )
        for x, y, text in _lines(box):
            ax.text(
                x,
                y,
                text,
                ha="center" if box.center else "left",
                va="baseline",
                fontsize=FONT_PX * pt,
                fontweight="bold" if box.bold else "normal",
                parse_math=False,
            )
    for arrow in lay.arrows:
        points = list(arrow.points)
        if len(points) > 2:
            xs, ys = zip(*points[:-1], strict=True)
            ax.plot(xs, ys, color="black", lw=0.9)
        ax.annotate(
            "",
            xy=points[-1],
            xytext=points[-2],
            arrowprops={
                "arrowstyle": "-|>",
                "color": "black",
                "lw": 0.9,
                "shrinkA": 0,
                "shrinkB": 0,
            },
        )
    top = _footnote_top(lay)
    for i, (kind, line) in enumerate(lay.footnotes):
        ax.text(
            MARGIN,
            top + (i + 1) * FOOT_LINE_PX,
            printable(line),
            fontsize=FOOT_FONT_PX * pt,
            va="baseline",
            color=_WARNING if kind == "warning" else _NOTE,
            parse_math=False,
        )
    return fig


def render_image(counts: PrismaCounts, fmt: str) -> bytes:
    """PNG or PDF bytes of the diagram (one warning when some characters have no glyph)."""
    import matplotlib

    fonts: dict[RcKeyType, Any] = {"font.family": text_family()}
    with matplotlib.rc_context(fonts):  # a text's font is chosen as it is made
        figure = _figure(counts)
    return figure_bytes(figure, fmt, dpi=PNG_DPI, rc=fonts)


def render(counts: PrismaCounts, fmt: str) -> bytes:
    """The diagram (or its data) in ``fmt``, as bytes ready to write."""
    if fmt == "svg":
        return render_svg(counts).encode("utf-8")
    if fmt in ("png", "pdf"):
        return render_image(counts, fmt)
    if fmt == "csv":
        return template_csv(counts).encode("utf-8")
    if fmt == "json":
        return (json.dumps(counts.to_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "txt":
        return (text_diagram(counts) + "\n").encode("utf-8")
    raise InvalidInputError(
        f"unknown PRISMA output format {fmt!r}; choose one of {', '.join(FORMATS)}"
    )


def format_for(path: str | Path, fmt: str | None = None) -> str:
    """The format to write: ``fmt`` if given, else from the file's extension."""
    if fmt:
        fmt = fmt.lower()
    else:
        fmt = Path(path).suffix.lower().lstrip(".")
        fmt = "txt" if fmt == "text" else fmt
    if fmt not in FORMATS:
        raise InvalidInputError(
            f"{Path(path).name}: cannot tell the format (give --format, one of "
            f"{', '.join(FORMATS)})"
        )
    return fmt
