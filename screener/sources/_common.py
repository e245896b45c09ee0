"""Small helpers the format modules share: line reading, tag bags, splitting, provenance, CSV.

Not a format: nothing here is registered. Kept free of any one format's quirks.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, TextIO

from screener.errors import ParseError
from screener.sources import Entry

if TYPE_CHECKING:
    from _csv import Reader

Fields = dict[str, list[str]]
"""Tag -> its values in file order (a tag may repeat: AU, KW ...)."""


MAX_ENTRY = 32 << 20
"""The most characters (bytes, for XML) one line, field or record of an export may hold: 32 Mi.

The biggest real records are far smaller: a Scopus row with its whole reference list or a paper
with thousands of authors is a few hundred kB. Text with a longer one is not an export in the
format read (a file without line ends read as RIS, a sparse or binary file read as CSV), and
reading on would hold all of it in memory, with time growing faster than the file. So a reader
stops there with one error naming the file and the line: its memory stays bounded and its time
linear whatever it is given."""

INVISIBLE = "\ufeff\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\u00ad"
"""Characters that show nothing and mean nothing at the start of a line: the byte-order mark (which
sits mid-file once an export that starts with one is appended to another), zero-width spaces and
joiners, direction marks, the soft hyphen. Dropped there, so a tag after them reads as a tag."""


def too_long(file_name: str, line: int | str, what: str) -> ParseError:
    """The error for text past :data:`MAX_ENTRY` at ``line`` (or another place, such as "after
    record 3"); ``what`` says what is too long ("a line", ...)."""
    return ParseError(
        file_name,
        f"line {line}" if isinstance(line, int) else line,
        f"{what} is longer than {MAX_ENTRY >> 20} MiB, which no export has: the file "
        "is not in this format, or is damaged",
    )


def numbered_lines(
    stream: TextIO, file_name: str, *, keep_ends: bool = False
) -> Iterator[tuple[int, str]]:
    """``(line number, line without its newline)``; :data:`INVISIBLE` characters at a line start
    are dropped. With ``keep_ends`` a line keeps its ``\\n`` (the last may have none).

    The stream is opened with universal newlines, so CRLF and bare CR arrive as ``\\n``. A line
    longer than :data:`MAX_ENTRY` is a ParseError, read no further than that.
    """
    read = stream.readline
    number = 0
    while line := read(MAX_ENTRY + 1):
        number += 1
        if len(line) > MAX_ENTRY and line[-1] != "\n":
            raise too_long(file_name, number, "a line")
        ended = keep_ends and line[-1] == "\n"
        line = line.rstrip("\r\n")
        if line and line[0] in INVISIBLE:
            line = line.lstrip(INVISIBLE)
        yield number, line + "\n" if ended else line


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
    found = [
        (lowered.find(marker), name)
        for name, markers in _CHINESE_MARKERS
        for marker in markers
        if marker in lowered
    ]
    if not found:
        return None
    # The earliest mark wins: a file names its own provider before it links elsewhere.
    return min(found)[1]


# --- CSV ---------------------------------------------------------------------------------------


class CsvLines:
    """A stream's lines for :func:`csv.reader`, none longer than :data:`MAX_ENTRY`, and no row
    either: :meth:`row_starts` marks where one begins. The csv module would otherwise read a
    file without line ends whole (Scopus and Embase put whole reference lists in one cell, so
    the module's own 128 KiB cap per field is raised to the same limit)."""

    def __init__(self, stream: TextIO, file_name: str) -> None:
        self._read = stream.readline
        self._file_name = file_name
        self.line = 0
        self._row_line, self._row_size = 1, 0

    def __iter__(self) -> CsvLines:
        return self

    def row_starts(self) -> None:
        """The next line starts a row."""
        self._row_line, self._row_size = self.line + 1, 0

    def __next__(self) -> str:
        line = self._read(MAX_ENTRY + 1)
        if not line:
            raise StopIteration
        self.line += 1
        if len(line) > MAX_ENTRY and line[-1] != "\n":
            raise too_long(self._file_name, self.line, "a line")
        self._row_size += len(line)
        if self._row_size > MAX_ENTRY:
            raise too_long(self._file_name, self._row_line, "the row starting here")
        return line


def csv_reader(stream: TextIO, file_name: str, *, delimiter: str = ",") -> tuple[CsvLines, Reader]:
    """A strict :func:`csv.reader` over :class:`CsvLines` of ``stream``, and those lines."""
    csv.field_size_limit(MAX_ENTRY)
    lines = CsvLines(stream, file_name)
    return lines, csv.reader(lines, delimiter=delimiter, strict=True)


def csv_table(
    stream: TextIO, file_name: str, *, delimiter: str = ","
) -> tuple[list[str], Iterator[tuple[int, int, list[str]]]]:
    """The header row and an iterator of ``(position, start line, cells)`` for each data row.

    Blank rows are skipped. Broken quoting cannot be resynchronised, so it raises
    :class:`ParseError` naming the line instead of yielding an entry; so does a line or row
    longer than :data:`MAX_ENTRY`.
    """
    lines, reader = csv_reader(stream, file_name, delimiter=delimiter)
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
            lines.row_starts()
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ParseError(
                    file_name, f"line {reader.line_num}", f"bad CSV quoting ({exc})"
                ) from None
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
