"""The report as one self-contained HTML page and as Markdown.

The HTML embeds every figure (the PRISMA diagram as inline SVG, the others as ``data:`` URIs),
so the file can be mailed on its own. The Markdown refers to the SVG files in ``figures/``.
Both pass through :func:`screener.files.printable` whole: a control character in a title, a
reason or a study name shows as an escape and never makes the page (or its XML) invalid.
"""

from __future__ import annotations

import base64
from html import escape

from screener.files import printable
from screener.report.checklist import SECTIONS as CHECKLIST_SECTIONS
from screener.report.layout import (
    EMPTY,
    Block,
    Code,
    FigureBlock,
    Heading,
    Para,
    TableBlock,
    layout,
)
from screener.report.model import Figure, ReportData, Table

__all__ = ["EMPTY", "SECTIONS", "render_html", "render_markdown"]

SECTIONS = tuple(title for _, title in CHECKLIST_SECTIONS)
"""The report's top-level headings, in PRISMA 2020's order."""

_CSS = """
body { font-family: Helvetica, Arial, sans-serif; max-width: 1200px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
pre { background: #f7f7f7; padding: 0.6em; white-space: pre-wrap; font-size: 0.85em; }
figure { margin: 1em 0; } figcaption { font-size: 0.9em; color: #555; }
.warning { color: #b00000; } .note { color: #555; font-size: 0.9em; }
.figure-svg svg { max-width: 100%; height: auto; }
img { max-width: 100%; }
@page { size: A4; margin: 16mm; }
@media print { body { max-width: none; margin: 0; font-size: 10pt; }
               figure, tr, pre { break-inside: avoid; } h2, h3 { break-after: avoid; } }
"""


def _html_table(table: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in table.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_figure(figure: Figure, *, inline: bool = False) -> str:
    if inline:
        body = f'<div class="figure-svg">{figure.svg}</div>'
    else:
        data = base64.b64encode(figure.svg.encode("utf-8")).decode("ascii")
        body = f'<img alt="{escape(figure.title)}" src="data:image/svg+xml;base64,{data}">'
    return f"<figure>{body}<figcaption>{escape(figure.title)}</figcaption></figure>"


def _p(text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{escape(text)}</p>"


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{escape(block.text)}</h{block.level}>"
    if isinstance(block, Para):
        return _p(f"{block.lead} {block.text}" if block.lead else block.text, block.style)
    if isinstance(block, TableBlock):
        return _html_table(block.table)
    if isinstance(block, FigureBlock):
        return _html_figure(block.figure, inline=block.inline)
    if isinstance(block, Code):
        return (
            f"<details open><summary>{escape(block.title)}</summary>"
            f"<pre>{escape(block.text)}</pre></details>"
        )
    items = "".join(
        "<li>" + (f"<code>{escape(code)}</code>: " if code else "") + f"{escape(text)}</li>"
        for code, text in block.items
    )
    return f"<ul>{items}</ul>"


def render_html(data: ReportData) -> str:
    """The whole report as one HTML document."""
    head = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(data.title)}: review report</title><style>{_CSS}</style></head><body>",
    ]
    body = [_html_block(block) for block in layout(data)]
    return printable("\n".join([*head, *body, "</body></html>"]) + "\n")


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(table: Table) -> list[str]:
    lines = [
        "| " + " | ".join(_md_cell(c) for c in table.columns) + " |",
        "|" + "|".join("---" for _ in table.columns) + "|",
    ]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in table.rows]
    return [*lines, ""]


def _md_figure(figure: Figure) -> list[str]:
    return [f"![{figure.title}](figures/{figure.name}.svg)", ""]


def _md_block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return [f"{'#' * block.level} {block.text}", ""]
    if isinstance(block, Para):
        if block.style == "warning":
            return [f"> **{block.lead}** {block.text}" if block.lead else f"> {block.text}", ""]
        return [f"_{block.text}_" if block.style == "note" else block.text, ""]
    if isinstance(block, TableBlock):
        return _md_table(block.table)
    if isinstance(block, FigureBlock):
        return _md_figure(block.figure)
    if isinstance(block, Code):
        return [f"**{block.title}**", "", "```", block.text, "```", ""]
    return [f"- `{code}`: {text}" if code else f"- {text}" for code, text in block.items] + [""]


def render_markdown(data: ReportData) -> str:
    """The report as Markdown; figures are the SVG files written beside it in figures/."""
    out = [line for block in layout(data) for line in _md_block(block)]
    return printable("\n".join(out).rstrip() + "\n")
