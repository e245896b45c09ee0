"""Small helpers the format modules share: line reading, tag bags, splitting, provenance.

Not a format: nothing here is registered. Kept free of any one format's quirks.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import TextIO

from screener.errors import ParseError
from screener.sources import Entry

Fields = dict[str, list[str]]
"""Tag -> its values in file order (a tag may repeat: AU, KW ...)."""


def numbered_lines(stream: TextIO) -> Iterator[tuple[int, str]]:
    """``(line number, line without its newline)``; a BOM left at a line start is dropped.

    The stream is opened with universal newlines, so CRLF and bare CR arrive as ``\\n``.
    """
    for number, line in enumerate(stream, start=1):
        line = line.rstrip("\r\n")
        if line[:1] == "\ufeff":
            line = line.lstrip("\ufeff")
        yield number, line


class Block:
    """The lines of one tagged entry as read: where it starts, its raw text, its (tag, value)s.

    Mutable on purpose: a reader fills it line by line, then hands it to a format's builder.
    Continuation lines are collected in a list and joined once (``\\n``), so a value of
    thousands of lines costs linear time.
    """

    __slots__ = ("line", "lines", "pairs")

    def __init__(self, line: int) -> None:
        self.line = line
        self.lines: list[str] = []
        self.pairs: list[list[str]] = []  # [tag, first line, continuation lines ...]

    def add(self, tag: str, value: str) -> None:
        self.pairs.append([tag, value])

    def extend(self, text: str) -> bool:
        """Append a continuation line to the last value; False when there is none yet."""
        if not self.pairs:
            return False
        self.pairs[-1].append(text)
        return True

    def tags(self) -> list[str]:
        return [pair[0] for pair in self.pairs]

    def items(self) -> Iterator[tuple[str, str]]:
        """(tag, value) in file order, continuation lines joined by newlines."""
        for pair in self.pairs:
            yield pair[0], pair[1] if len(pair) == 2 else "\n".join(part for part in pair[1:] if part)

    def fields(self) -> Fields:
        out: Fields = {}
        for tag, value in self.items():
            if tag in out:
                out[tag].append(value)
            else:
                out[tag] = [value]
        return out

    def raw(self) -> str:
        return "\n".join(self.lines)


def first(fields: Fields, *tags: str) -> str:
    """The first non-blank value of the first tag (in ``tags`` order) that has one."""
    for tag in tags:
        for value in fields.get(tag, ()):
            if value.strip():
                return value.strip()
    return ""


def every(fields: Fields, *tags: str) -> list[str]:
    """All non-blank values of ``tags``, tags in the order given."""
    return [v.strip() for tag in tags for v in fields.get(tag, ()) if v.strip()]


_LIST_SPLIT = re.compile(r"\s*(?:;;|;|；|\n)\s*")


def split_list(values: Iterable[str], pattern: re.Pattern[str] = _LIST_SPLIT) -> list[str]:
    """Split each value on ``;`` / ``；`` / newlines (or ``pattern``); drop blanks."""
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in pattern.split(value) if part.strip())
    return out


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

CJK_NAME_SPLIT = re.compile(r"\s*(?:;;|;|；|,|，|、)\s*")
"""Separators between Chinese authors in one value (``张三;李四``, ``张三，李四``, ``张三、李四``):
a comma never sits inside a Chinese name, so it separates too."""


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def bad_entry(file_name: str, position: int, line: int | None, problem: str) -> Entry:
    """An Entry that carries the error for one malformed record."""
    where = f"record {position}" + (f" (line {line})" if line is not None else "")
    return Entry(position, line, error=ParseError(file_name, where, problem))


# Chinese databases named by the provider fields and links their exports carry. Checked in
# order; the first marker found in the text names the database.
_CHINESE_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("CBM", ("sinomed", "中国生物医学文献", "中国医学科学院医学信息研究所", "cbmdisc")),
    ("Wanfang", ("万方", "wanfangdata", "wanfang")),
    ("VIP", ("维普", "cqvip", "中文科技期刊数据库")),
    ("CNKI", ("cnki", "中国知网", "中国期刊全文数据库", "中国学术期刊", "同方知网")),
)


def chinese_database(text: str) -> str | None:
    """CNKI, Wanfang, VIP or CBM when ``text`` carries that database's marks, else None."""
    lowered = text.lower()
    found = [(lowered.find(marker), name) for name, markers in _CHINESE_MARKERS
             for marker in markers if marker in lowered]
    if not found:
        return None
    # The earliest mark wins: a file names its own provider before it links elsewhere.
    return min(found)[1]


# --- CSV ---------------------------------------------------------------------------------------

# Scopus and Embase put whole reference lists in one cell; the csv module's default cap of
# 128 KiB per field would refuse such a row.
_CSV_FIELD_LIMIT = 64 * 1024 * 1024


def csv_table(stream: TextIO, file_name: str, *, delimiter: str = ","
              ) -> tuple[list[str], Iterator[tuple[int, int, list[str]]]]:
    """The header row and an iterator of ``(position, start line, cells)`` for each data row.

    Blank rows are skipped. Broken quoting cannot be resynchronised, so it raises
    :class:`ParseError` naming the line instead of yielding an entry.
    """
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ParseError(file_name, "line 1", "expected a header row naming the columns") from None
    except csv.Error as exc:
        raise ParseError(file_name, "line 1", f"bad CSV in the header row ({exc})") from None
    header = [cell.lstrip("\ufeff").strip() for cell in header]

    def rows() -> Iterator[tuple[int, int, list[str]]]:
        position = 0
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ParseError(file_name, f"line {reader.line_num}", f"bad CSV quoting ({exc})") from None
            if not any(cell.strip() for cell in row):
                continue
            position += 1
            yield position, start, row

    return header, rows()


def csv_text(row: list[str], delimiter: str = ",") -> str:
    """One row written back as CSV: the raw text of a CSV entry."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerow(row)
    return out.getvalue().rstrip("\n")
