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
from screener.report.model import Figure, ReportData, Table

__all__ = ["EMPTY", "SECTIONS", "render_html", "render_markdown"]

SECTIONS = (
    "Review question and eligibility criteria",
    "Search log",
    "PRISMA 2020 flow diagram",
    "Screening agreement",
    "Characteristics of included studies",
    "Risk of bias",
    "Analyses",
    "Files",
)
EMPTY = {
    "criteria": "No review question or eligibility criteria recorded yet.",
    "search": "No searches or imports recorded yet.",
    "agreement": "No two reviewers have decided the same records yet.",
    "studies": "No studies defined yet.",
    "rob": "No risk-of-bias judgements recorded yet.",
    "analyses": "No analyses saved yet.",
}

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
"""


def _html_table(table: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in table.rows)
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


def render_html(data: ReportData) -> str:
    """The whole report as one HTML document."""
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{escape(data.title)}: review report</title><style>{_CSS}</style></head><body>",
           f"<h1>{escape(data.title)}</h1>", _p(f"Report written by screener on {data.generated_at}.", "note")]
    out.append(f"<h2>{SECTIONS[0]}</h2>")
    out.append(_html_table(data.criteria) if data.criteria else _p(EMPTY["criteria"]))
    out.append(f"<h2>{SECTIONS[1]}</h2>")
    out.append(_html_table(data.search_log) if data.search_log else _p(EMPTY["search"]))
    for heading, text in data.search_strategies:
        out.append(f"<details><summary>{escape(heading)}</summary><pre>{escape(text)}</pre></details>")
    out.append(f"<h2>{SECTIONS[2]}</h2>")
    if data.prisma is not None:
        out.append(_html_figure(data.prisma, inline=True))
    out += [_p(f"Does not add up: {d}", "warning") for d in data.prisma_discrepancies]
    out.append(_html_table(data.prisma_table))
    out += [_p(n, "note") for n in data.prisma_notes]
    out.append(f"<h2>{SECTIONS[3]}</h2>")
    out += [_p(text) for text in data.screening_methods]
    out.append(_html_table(data.agreement) if data.agreement else _p(EMPTY["agreement"]))
    out.append(f"<h2>{SECTIONS[4]}</h2>")
    out.append(_html_table(data.studies) if data.studies else _p(EMPTY["studies"]))
    out.append(f"<h2>{SECTIONS[5]}</h2>")
    if not data.rob_tables:
        out.append(_p(EMPTY["rob"]))
    for tool, table in data.rob_tables:
        out += [f"<h3>{escape(tool)}</h3>", _html_table(table)]
    out += [_html_figure(f) for f in data.rob_figures]
    out.append(f"<h2>{SECTIONS[6]}</h2>")
    if not data.analyses:
        out.append(_p(EMPTY["analyses"]))
    for a in data.analyses:
        title = f"Analysis {a.id}: {a.name}" + (f" ({a.outcome})" if a.outcome else "")
        out += [f"<h3>{escape(title)}</h3>", _html_table(a.settings), _html_table(a.results)]
        if a.heterogeneity:
            out.append(_p(a.heterogeneity))
        if a.subgroups:
            out.append(_html_table(a.subgroups))
        out += [_p(line) for line in a.small_study] or [_p("No small-study tests were run.", "note")]
        out += [_html_figure(f) for f in a.figures]
        out += [_p(n, "note") for n in a.notes]
    out.append(f"<h2>{SECTIONS[7]}</h2><ul>")
    out += [f"<li><code>{escape(name)}</code>: {escape(what)}</li>" for name, what in data.files]
    out.append("</ul></body></html>")
    return printable("\n".join(out) + "\n")


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(table: Table) -> list[str]:
    lines = ["| " + " | ".join(_md_cell(c) for c in table.columns) + " |",
             "|" + "|".join("---" for _ in table.columns) + "|"]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in table.rows]
    return [*lines, ""]


def _md_figure(figure: Figure) -> list[str]:
    return [f"![{figure.title}](figures/{figure.name}.svg)", ""]


def render_markdown(data: ReportData) -> str:
    """The report as Markdown; figures are the SVG files written beside it in figures/."""
    out = [f"# {data.title}", "", f"_Report written by screener on {data.generated_at}._", ""]
    out += [f"## {SECTIONS[0]}", ""]
    out += _md_table(data.criteria) if data.criteria else [EMPTY["criteria"], ""]
    out += [f"## {SECTIONS[1]}", ""]
    out += _md_table(data.search_log) if data.search_log else [EMPTY["search"], ""]
    for heading, text in data.search_strategies:
        out += [f"**{heading}**", "", "```", text, "```", ""]
    out += [f"## {SECTIONS[2]}", ""]
    if data.prisma is not None:
        out += _md_figure(data.prisma)
    for d in data.prisma_discrepancies:
        out += [f"> **Does not add up:** {d}", ""]
    out += _md_table(data.prisma_table)
    out += [f"_{n}_" for n in data.prisma_notes] + [""]
    out += [f"## {SECTIONS[3]}", ""]
    for text in data.screening_methods:
        out += [text, ""]
    out += _md_table(data.agreement) if data.agreement else [EMPTY["agreement"], ""]
    out += [f"## {SECTIONS[4]}", ""]
    out += _md_table(data.studies) if data.studies else [EMPTY["studies"], ""]
    out += [f"## {SECTIONS[5]}", ""]
    if not data.rob_tables:
        out += [EMPTY["rob"], ""]
    for tool, table in data.rob_tables:
        out += [f"### {tool}", "", *_md_table(table)]
    for figure in data.rob_figures:
        out += _md_figure(figure)
    out += [f"## {SECTIONS[6]}", ""]
    if not data.analyses:
        out += [EMPTY["analyses"], ""]
    for a in data.analyses:
        out += [f"### Analysis {a.id}: {a.name}" + (f" ({a.outcome})" if a.outcome else ""), ""]
        out += _md_table(a.settings) + _md_table(a.results)
        if a.heterogeneity:
            out += [a.heterogeneity, ""]
        if a.subgroups:
            out += _md_table(a.subgroups)
        out += [f"- {line}" for line in a.small_study] or ["No small-study tests were run."]
        out.append("")
        for figure in a.figures:
            out += _md_figure(figure)
        out += [f"_{n}_" for n in a.notes] + [""]
    out += [f"## {SECTIONS[7]}", ""]
    out += [f"- `{name}`: {what}" for name, what in data.files]
    return printable("\n".join(out).rstrip() + "\n")
