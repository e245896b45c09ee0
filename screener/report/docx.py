"""The report as a Word document (python-docx), for co-authors who edit in Word.

The same blocks as the HTML (:func:`screener.report.layout.layout`). Every text from records and
users goes in as a run's text, never parsed; characters XML cannot hold (C0 controls) are shown
as visible escapes first (:func:`screener.files.printable`). Figures go in as their PNG; a
figure drawn only as SVG is named by its file in figures/ instead (Word takes no SVG).
"""

from __future__ import annotations

import io
from typing import Any

from screener.files import printable
from screener.report.layout import Block, Code, FigureBlock, Heading, Para, TableBlock, layout
from screener.report.model import ReportData, Table

__all__ = ["render_docx"]

_WIDTH_CM = 16.0


def _text(value: object) -> str:
    # printable() shows C0/C1 controls and non-XML code points as escapes; tab and newline stay
    return printable(value)


def _table(doc: Any, table: Table) -> None:
    out = doc.add_table(rows=1, cols=max(1, len(table.columns)))
    out.style = "Table Grid"
    for cell, name in zip(out.rows[0].cells, table.columns, strict=False):
        cell.text = ""
        cell.paragraphs[0].add_run(_text(name)).bold = True
    for row in table.rows:
        cells = out.add_row().cells
        for cell, value in zip(cells, row, strict=False):
            cell.text = ""
            cell.paragraphs[0].add_run(_text(value))
    doc.add_paragraph()


def _figure(doc: Any, block: FigureBlock) -> None:
    from docx.shared import Cm

    figure = block.figure
    if figure.png:
        doc.add_picture(io.BytesIO(figure.png), width=Cm(_WIDTH_CM))
    else:
        doc.add_paragraph().add_run(f"[Figure: figures/{figure.name}.svg]").italic = True
    doc.add_paragraph(style="Caption").add_run(_text(figure.title))


def _block(doc: Any, block: Block) -> None:
    from docx.shared import Pt

    if isinstance(block, Heading):
        doc.add_heading(level=min(block.level - 1, 9)).add_run(_text(block.text))
    elif isinstance(block, Para):
        paragraph = doc.add_paragraph()
        if block.lead:
            paragraph.add_run(_text(block.lead) + " ").bold = True
        run = paragraph.add_run(_text(block.text))
        run.italic = block.style == "note"
    elif isinstance(block, TableBlock):
        _table(doc, block.table)
    elif isinstance(block, FigureBlock):
        _figure(doc, block)
    elif isinstance(block, Code):
        doc.add_paragraph().add_run(_text(block.title)).bold = True
        for line in block.text.split("\n"):
            run = doc.add_paragraph().add_run(_text(line))
            run.font.name = "Courier New"
            run.font.size = Pt(9)
    else:
        for code, text in block.items:
            paragraph = doc.add_paragraph(style="List Bullet")
            if code:
                paragraph.add_run(_text(code)).font.name = "Courier New"
                paragraph.add_run(": ")
            paragraph.add_run(_text(text))


def render_docx(data: ReportData) -> bytes:
    """The whole report as DOCX bytes."""
    from docx import Document

    doc = Document()
    doc.core_properties.title = _text(data.title)[:255]
    for block in layout(data):
        _block(doc, block)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
