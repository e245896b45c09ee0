"""Web of Science tab-delimited export (``PT  AU  BA ...`` header row, one record per row).

Web of Science writes it as UTF-16 with a BOM ("Win") or UTF-8 ("Mac"); decoding is done before
this module sees the text. Cells hold the same values as the plain-text tags, lists joined by
``; ``. No quoting: a tab never occurs inside a value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from screener.errors import ParseError
from screener.sources import Entry
from screener.sources._common import bad_entry, numbered_lines
from screener.sources.wos import build_record

NAME = "wos-tab"
LABEL = "Web of Science tab-delimited"

_HEADER_TAG = re.compile(r"[A-Z][A-Z0-9]")


def _columns(line: str) -> list[str]:
    return [c.strip() for c in line.lstrip("\ufeff").split("\t")]


def sniff(head: str) -> int:
    columns = _columns(head.split("\n", 1)[0])
    if len(columns) >= 5 and columns[0] == "PT" and {"AU", "TI", "SO"} <= set(columns):
        return 95
    return 0


def database(head: str) -> str | None:
    return "Web of Science"


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    lines = numbered_lines(stream, file_name)
    header_line = next(lines, (1, ""))[1]
    header = _columns(header_line)
    if header[:1] != ["PT"] or not all(_HEADER_TAG.fullmatch(c) for c in header if c):
        raise ParseError(
            file_name, "line 1", "expected a header row of two-letter tags starting with 'PT'"
        )
    while header and not header[-1]:
        header.pop()
    position = 0
    for number, line in lines:
        if not line.strip():
            continue
        position += 1
        cells = line.split("\t")
        # Rows end with a tab more often than not; an empty cell past the header is no data.
        while len(cells) > len(header) and not cells[-1].strip():
            cells.pop()
        if len(cells) > len(header) or len(cells) < len(header) - 1:
            yield bad_entry(
                file_name,
                position,
                number,
                f"expected {len(header)} tab-separated cells as in the header, found {len(cells)}",
            )
            continue
        fields = {
            tag: [cell.strip()] for tag, cell in zip(header, cells, strict=False) if cell.strip()
        }
        if "TI" not in fields and "AB" not in fields:
            yield bad_entry(
                file_name, position, number, "expected a title (TI) or abstract (AB) cell"
            )
            continue
        yield Entry(position, number, record=build_record(fields, line))
