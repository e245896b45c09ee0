"""Geometry of the PRISMA 2020 flow diagram: boxes, arrows and side bands in pixels.

The layout follows the PRISMA 2020 template for new reviews (databases and registers), adding
the "previous studies" column on the left and the "other methods" column on the right when the
review has them. Every number in a box comes from :class:`~screener.prisma.counts.PrismaCounts`.
Both renderers (hand-written SVG and matplotlib) draw this one layout.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from screener.prisma.counts import Flow, PrismaCounts

__all__ = ["Arrow", "Band", "Box", "Layout", "layout"]

FONT_PX = 12
LINE_PX = 16
PAD = 8
CHAR_PX = 6.4  # average glyph width of a 12 px sans-serif, for wrapping
ROW_GAP = 34
COL_GAP = 50
BAND_W = 28
MARGIN = 12
FOOT_FONT_PX = 10
FOOT_LINE_PX = 13

HEADER_MAIN = "#ffc000"
HEADER_GREY = "#d9d9d9"
BAND_BLUE = "#9dc3e6"


@dataclass(frozen=True, slots=True)
class Box:
    key: str
    x: float
    y: float
    w: float
    h: float
    lines: tuple[str, ...]
    fill: str = "#ffffff"
    center: bool = False
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Arrow:
    points: tuple[tuple[float, float], ...]  # a polyline; the head is at the last point


@dataclass(frozen=True, slots=True)
class Band:
    label: str
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True, slots=True)
class Layout:
    width: float
    height: float
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    bands: tuple[Band, ...]
    footnotes: tuple[tuple[str, str], ...]  # (kind "warning" | "note", wrapped line)

    def box(self, key: str) -> Box:
        return next(b for b in self.boxes if b.key == key)


def n(value: int) -> str:
    return f"(n = {value:,})"


# Characters drawn about twice as wide as Latin ones (CJK, Hangul, full-width forms).
_WIDE = (
    "\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
)
_TOKENS = re.compile(f"[{_WIDE}]|[^ {_WIDE}]+| +")


def text_width(text: str) -> int:
    """Width in Latin-character units: wide (CJK) characters count twice."""
    return sum(2 if re.match(f"[{_WIDE}]", c) else 1 for c in text)


def wrap(text: str, width: int, *, indent: int = 0, hanging: int = 0) -> list[str]:
    """Greedy word wrap that also breaks between CJK characters (which have no spaces)."""
    lines: list[str] = []
    current, space = " " * indent, False
    for token in _TOKENS.findall(text.strip()):
        if token.startswith(" "):
            space = True
            continue
        piece = (" " if space and current.strip() else "") + token
        if current.strip() and text_width(current + piece) > width:
            lines.append(current)
            current = " " * (indent + hanging) + token
        else:
            current += piece
        space = False
    return [*lines, current] if current.strip() or not lines else lines


def _wrap(items: list[str], width: float) -> tuple[str, ...]:
    chars = max(10, int((width - 2 * PAD) / CHAR_PX))
    out: list[str] = []
    for item in items:
        indent = len(item) - len(item.lstrip(" "))
        # keep "(n = 12)" on one line: no-break spaces inside it while wrapping
        text = re.sub(r"\(n = ([\d,]+)\)", "(n\u00a0=\u00a0\\1)", item.strip())
        lines = wrap(text, chars, indent=indent, hanging=2)
        out.extend(line.replace("\u00a0", " ") for line in lines)
    return tuple(out)


def _reasons(title: str, flow: Flow) -> list[str]:
    lines = [f"{title} {n(flow.reports_excluded)}"]
    lines += [f"  {reason} {n(count)}" for reason, count in flow.reasons]
    return lines


def _content(c: PrismaCounts) -> dict[str, list[str]]:
    """The text of each box, before wrapping."""
    main, other = c.main, c.other
    identified = ["Records identified from*:", f"  Databases {n(c.database_results)}"]
    identified += [f"    {name} {n(count)}" for name, count in c.databases]
    identified.append(f"  Registers {n(c.register_results)}")
    identified += [f"    {name} {n(count)}" for name, count in c.registers]
    prefix = "New studies" if c.has_previous else "Studies"
    reports = "Reports of new included studies" if c.has_previous else "Reports of included studies"
    boxes = {
        "identified": identified,
        "removed": [
            "Records removed before screening:",
            f"  Duplicate records removed {n(c.duplicates)}",
            f"  Records marked as ineligible by automation tools {n(c.excluded_automatic)}",
            f"  Records removed for other reasons {n(c.excluded_other)}",
        ],
        "screened": [f"Records screened {n(main.records)}"],
        "excluded": [f"Records excluded** {n(main.records_excluded)}"],
        "sought": [f"Reports sought for retrieval {n(main.reports_sought)}"],
        "not_retrieved": [f"Reports not retrieved {n(main.reports_not_retrieved)}"],
        "assessed": [f"Reports assessed for eligibility {n(main.reports_assessed)}"],
        "reasons": _reasons("Reports excluded:", main),
        "included": [
            f"{prefix} included in review {n(c.new_studies)}",
            f"{reports} {n(c.new_reports)}",
        ],
    }
    if c.has_previous:
        boxes["previous"] = [
            f"Studies included in previous version of review {n(c.previous_studies or 0)}",
            "Reports of studies included in previous version of review "
            f"{n(c.previous_reports or 0)}",
        ]
        boxes["total"] = [
            f"Total studies included in review {n(c.total_studies)}",
            f"Reports of total included studies {n(c.total_reports)}",
        ]
    if c.has_other_methods:
        labels = (
            ("website", "Websites"),
            ("organisation", "Organisations"),
            ("citation", "Citation searching"),
            ("other", "Other sources"),
        )
        lines = ["Records identified from:"]
        for method, label in labels:
            if method in ("website", "organisation", "citation") or c.other_results(method):
                lines.append(f"  {label} {n(c.other_results(method))}")
                lines += [
                    f"    {s} {n(k)}"
                    for m, s, k in c.other_sources
                    if m == method and s.casefold() != label.casefold()
                ]
        boxes["other_identified"] = lines
        boxes["other_sought"] = [f"Reports sought for retrieval {n(other.reports_sought)}"]
        boxes["other_not_retrieved"] = [f"Reports not retrieved {n(other.reports_not_retrieved)}"]
        boxes["other_assessed"] = [f"Reports assessed for eligibility {n(other.reports_assessed)}"]
        boxes["other_reasons"] = _reasons("Reports excluded:", other)
    return boxes


def layout(c: PrismaCounts) -> Layout:
    """Place every box of the diagram for ``c``."""
    text = _content(c)
    prev_w, main_w, side_w, other_w = 210.0, 270.0, 280.0, 240.0
    x: float = MARGIN + BAND_W + 16
    cols: dict[str, tuple[float, float]] = {}
    if c.has_previous:
        cols["previous"] = (x, prev_w)
        x += prev_w + COL_GAP
    cols["main"] = (x, main_w)
    cols["side"] = (x + main_w + COL_GAP, side_w)
    x += main_w + COL_GAP + side_w
    if c.has_other_methods:
        x += COL_GAP
        cols["other"] = (x, other_w)
        cols["other_side"] = (x + other_w + 36, other_w)
        x += 2 * other_w + 36
    width = x + MARGIN

    # (key, column, row); row 0 holds the column headers
    placement = [
        ("identified", "main", 1),
        ("removed", "side", 1),
        ("screened", "main", 2),
        ("excluded", "side", 2),
        ("sought", "main", 3),
        ("not_retrieved", "side", 3),
        ("assessed", "main", 4),
        ("reasons", "side", 4),
        ("included", "main", 5),
    ]
    if c.has_previous:
        placement += [("previous", "previous", 1), ("total", "main", 6)]
    if c.has_other_methods:
        placement += [
            ("other_identified", "other", 1),
            ("other_sought", "other", 3),
            ("other_not_retrieved", "other_side", 3),
            ("other_assessed", "other", 4),
            ("other_reasons", "other_side", 4),
        ]
    headers = [
        (
            "header_main",
            "Identification of new studies via databases and registers",
            cols["main"][0],
            cols["side"][0] + side_w - cols["main"][0],
            HEADER_MAIN,
        )
    ]
    if c.has_previous:
        headers.append(("header_previous", "Previous studies", *cols["previous"], HEADER_GREY))
    if c.has_other_methods:
        headers.append(
            (
                "header_other",
                "Identification of new studies via other methods",
                cols["other"][0],
                cols["other_side"][0] + other_w - cols["other"][0],
                HEADER_GREY,
            )
        )

    wrapped = {key: _wrap(text[key], cols[col][1]) for key, col, _ in placement}
    header_lines = {key: _wrap([label], w) for key, label, _, w, _ in headers}
    rows = 1 + max(r for _, _, r in placement)
    heights = [0.0] * rows
    heights[0] = max(len(v) for v in header_lines.values()) * LINE_PX + 2 * PAD
    for key, _, row in placement:
        heights[row] = max(heights[row], len(wrapped[key]) * LINE_PX + 2 * PAD)
    # a side band must be long enough for its rotated, bold label
    for label, first, last_row in (
        ("Identification", 1, 1),
        ("Screening", 2, 4),
        ("Included", 5, rows - 1),
    ):
        need = len(label) * CHAR_PX * 1.2 + 2 * PAD
        have = sum(heights[first : last_row + 1]) + ROW_GAP * (last_row - first)
        heights[first] += max(0.0, need - have)
    tops: list[float] = []
    y: float = MARGIN
    for h in heights:
        tops.append(y)
        y += h + ROW_GAP

    boxes = [
        Box(key, x0, tops[0], w, heights[0], header_lines[key], fill, center=True, bold=True)
        for key, _, x0, w, fill in headers
    ]
    boxes += [
        Box(key, cols[col][0], tops[row], cols[col][1], heights[row], wrapped[key])
        for key, col, row in placement
    ]
    box = {b.key: b for b in boxes}

    def down(a: str, b: str) -> Arrow:
        top, bottom = box[a], box[b]
        mid = top.x + top.w / 2
        return Arrow(((mid, top.y + top.h), (mid, bottom.y)))

    def right(a: str, b: str) -> Arrow:
        left, to = box[a], box[b]
        mid = left.y + left.h / 2
        return Arrow(((left.x + left.w, mid), (to.x, mid)))

    arrows = [
        down("identified", "screened"),
        right("identified", "removed"),
        right("screened", "excluded"),
        down("screened", "sought"),
        right("sought", "not_retrieved"),
        down("sought", "assessed"),
        right("assessed", "reasons"),
        down("assessed", "included"),
    ]
    if c.has_previous:
        prev, total = box["previous"], box["total"]
        mid = prev.x + prev.w / 2
        arrows += [
            down("included", "total"),
            Arrow(
                (
                    (mid, prev.y + prev.h),
                    (mid, total.y + total.h / 2),
                    (total.x, total.y + total.h / 2),
                )
            ),
        ]
    if c.has_other_methods:
        assessed, included = box["other_assessed"], box["included"]
        mid = assessed.x + assessed.w / 2
        arrows += [
            down("other_identified", "other_sought"),
            right("other_sought", "other_not_retrieved"),
            down("other_sought", "other_assessed"),
            right("other_assessed", "other_reasons"),
            Arrow(
                (
                    (mid, assessed.y + assessed.h),
                    (mid, included.y + included.h / 2),
                    (included.x + included.w, included.y + included.h / 2),
                )
            ),
        ]

    band_x = MARGIN
    last = rows - 1
    bands = (
        Band("Identification", band_x, tops[1], BAND_W, heights[1]),
        Band("Screening", band_x, tops[2], BAND_W, tops[4] + heights[4] - tops[2]),
        Band("Included", band_x, tops[5], BAND_W, tops[last] + heights[last] - tops[5]),
    )
    foot = _footnotes(c, width)
    height = y - ROW_GAP + MARGIN + (len(foot) * FOOT_LINE_PX + 8 if foot else 0)
    return Layout(math.ceil(width), math.ceil(height), tuple(boxes), tuple(arrows), bands, foot)


def _footnotes(c: PrismaCounts, width: float) -> tuple[tuple[str, str], ...]:
    chars = int((width - 2 * MARGIN) / (CHAR_PX * FOOT_FONT_PX / FONT_PX))
    out: list[tuple[str, str]] = []
    for d in c.discrepancies:
        out += [("warning", line) for line in wrap(f"Does not add up: {d.message}", chars)]
    for note in (
        "*Records identified from each database or register searched.",
        "**Records excluded by reviewers; automation-tool exclusions are counted above.",
        *c.notes,
    ):
        out += [("note", line) for line in wrap(note, chars)]
    return tuple(out)
