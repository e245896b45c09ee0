"""One reader for the tagged-line formats: MEDLINE, Web of Science plain text, refer, RefWorks,
NoteExpress, CNKI E-Study and Cochrane CENTRAL text.

All of them write a record as lines: a line that starts with a tag opens a field, a line
without one continues the field above, a tag (or a line of its own) starts a record, and a
blank line or an end tag may end it. They differ in how a tag is written and in a few rules,
which a :class:`Layout` states; :func:`pieces` reads any of them by its layout, line by line
(a file of any size streams), and :func:`entries` numbers what it finds. A format module keeps
only its layout, its line reader and how a record is built from the fields.

RIS is read by :mod:`screener.sources._ris_text` instead: its records are found by searching
big blocks of text, about twice as fast as a step per line, on the hot path of a
100,000-record import.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal, TextIO

from screener.sources import Entry, _common
from screener.sources._common import Fields, bad_entry, numbered_lines, too_long

Kind = Literal["field", "start", "mark", "end", "text", "bad"]
"""What a line that is not blank is, as a format's line reader says:

``"field"``
    a tag and the start of its value;
``"start"``
    a field that starts a record: the record open before it ends (see :attr:`Layout.again`);
``"mark"``
    a line that starts a record and holds no field (``Record #1 of 25``);
``"end"``
    a line that ends the record (Web of Science's ``ER``);
``"text"``
    a line that may continue the field above; the value is its text, trimmed;
``"bad"``
    a line that is neither a field nor a continuation line.

Strings, not an enum: an enum member costs a lookup per line on the hot path.
"""

Line = tuple[Kind, str, str]
"""``(kind, tag, value)`` of one line; tag and value are "" where the kind has none."""


class Blank(enum.Enum):
    """What a blank line inside a record does."""

    CLOSE = "close"
    """Ends the record."""
    KEEP = "keep"
    """Stays in the record's text and means nothing (trailing blank lines are dropped)."""
    SKIP = "skip"
    """Is left out of the record's text."""


class Flaw(enum.Enum):
    """Where the error goes for a line that is neither a field nor a continuation line."""

    LINE = "line"
    """The line is an entry of its own, an error naming it; the next line starts afresh."""
    RECORD = "record"
    """The record holding it is read on to its end and is an error naming its first such line."""


def _always(block: Block) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Layout:
    """How one tagged-line format is written: all :func:`pieces` needs to read it."""

    read: Callable[[str], Line]
    """What a line that is not blank is (its invisible leading characters already dropped)."""
    unexpected: Callable[[str], str]
    """The problem with a line (given whole) that is neither a field nor a continuation line."""
    blank: Blank = Blank.KEEP
    flaw: Flaw = Flaw.LINE
    again: Callable[[Block], bool] = _always
    """Whether a ``"start"`` field ends the record open before it (if not, it is one more field
    of that record): refer's ``%0`` only once the record has its ``%0`` and a field after it."""
    glued: re.Pattern[str] | None = None
    """A record's start that may follow other text on a line (an export appended to one whose
    last line has no line end): the line is read as two."""
    orphan: str = ""
    """The problem with a continuation line that has no field above it ("": :attr:`unexpected`)."""
    outside: Callable[[str], str | None] | None = None
    """Set when records open only at a START line and end at an END line: the problem with a
    line between records, None when it may be there (a header or trailer)."""


# What a line of a Block costs besides its characters (the line, its tag and value, the list
# holding them), in characters: so a record of many short lines is bounded in memory too.
_LINE_COST = 64


class Block:
    """The lines of one tagged entry as read: where it starts, its raw text, its (tag, value)s.

    Mutable on purpose: a reader fills it line by line, then hands it to a format's builder.
    Continuation lines are collected in a list and joined once (``\\n``), so a value of
    thousands of lines costs linear time.
    """

    __slots__ = ("file_name", "line", "lines", "pairs", "size")

    def __init__(self, line: int, file_name: str) -> None:
        self.line = line
        self.file_name = file_name
        self.lines: list[str] = []
        self.pairs: list[list[str]] = []  # [tag, first line, continuation lines ...]
        self.size = 0

    def take(self, line: str) -> None:
        """Keep ``line`` as the entry's next line; a ParseError once the entry passes
        :data:`~screener.sources._common.MAX_ENTRY` (a file with no record boundary is never
        held whole)."""
        self.lines.append(line)
        self.size += len(line) + _LINE_COST
        if self.size > _common.MAX_ENTRY:
            raise too_long(self.file_name, self.line, "the record starting here")

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
            yield (
                pair[0],
                pair[1] if len(pair) == 2 else "\n".join(part for part in pair[1:] if part),
            )

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


@dataclass(frozen=True, slots=True)
class Piece:
    """A record as :func:`pieces` found it: its block and the first problem in it ("" if none).

    ``end_line`` is where it ended: its END line, the next record's start or the blank line
    after it; None at the end of the file. ``marked``: an END line ended it.
    """

    block: Block
    problem: str = ""
    end_line: int | None = None
    marked: bool = False


@dataclass(frozen=True, slots=True)
class Stray:
    """A line that belongs to no record and its problem (``line`` None: after the last record)."""

    line: int | None
    problem: str


class LastLine:
    """Whether the last line read had its line end (a file cut short often has none)."""

    __slots__ = ("ended",)

    def __init__(self) -> None:
        self.ended = True


def split_glued(
    lines: Iterator[tuple[int, str]], start: re.Pattern[str]
) -> Iterator[tuple[int, str]]:
    """``lines`` with a line that holds a record's ``start`` after other text split in two, both
    with its number: an export appended to one whose last line has no line end."""
    for number, line in lines:
        glued = start.search(line, 1)
        if glued is not None and line[: glued.start()].strip():
            yield number, line[: glued.start()]
            yield number, line[glued.start() :]
        else:
            yield number, line


def _ended(block: Block, problem: str, end_line: int | None, marked: bool = False) -> Piece:
    while block.lines and not block.lines[-1].strip():
        block.lines.pop()
    return Piece(block, problem, end_line=end_line, marked=marked)


def pieces(
    stream: TextIO, file_name: str, layout: Layout, last: LastLine | None = None
) -> Iterator[Piece | Stray]:
    """Each record of ``stream`` as a :class:`Piece` and each line that belongs to none as a
    :class:`Stray`, in file order.

    A record runs from its first line (its start, or where :attr:`Layout.outside` is not set,
    any line that is not blank) to the line before the next record's start, the blank line that
    closes it, or its END line. A MARK line with no field after it before the next is dropped.

    ``last``, when given, says afterwards whether the file's last line had its line end.
    Raises ParseError (:func:`~screener.sources._common.too_long`) at a line or record longer
    than MAX_ENTRY.
    """
    lines = numbered_lines(stream, file_name, keep_ends=last is not None)
    if layout.glued is not None:
        lines = split_glued(lines, layout.glued)
    read, again, outside = layout.read, layout.again, layout.outside
    close, keep = layout.blank is Blank.CLOSE, layout.blank is Blank.KEEP
    block: Block | None = None
    problem = ""
    stray: Stray | None = None  # text outside any record (Layout.outside), not yet reported
    for number, line in lines:
        if last is not None:
            text = line.rstrip("\n")
            last.ended = text != line
            line = text
        if not line.strip():
            if block is not None:
                if close:
                    yield _ended(block, problem, number)
                    block, problem = None, ""
                elif keep:
                    block.take(line)
            continue
        kind, tag, value = read(line)
        if kind == "start" or kind == "mark":
            if block is not None and block.pairs and (kind == "mark" or again(block)):
                yield _ended(block, problem, number)
                block, problem = None, ""
            if kind == "mark":
                block = None
        if block is None:
            if outside is not None and kind != "start":
                # Between records: a header, a trailer or a problem, reported where it is (at
                # the next record's start, or after the last record): never dropped unsaid.
                found = outside(line)
                if found is not None and stray is None:
                    stray = Stray(number, found)
                continue
            if stray is not None:
                yield stray
                stray = None
            block, problem = Block(number, file_name), ""
        block.take(line)
        if kind == "field" or kind == "start":
            block.add(tag, value)
        elif kind == "end":
            yield _ended(block, problem, number, marked=True)
            block, problem = None, ""
        elif kind == "mark" or (kind == "text" and block.extend(value)):
            pass
        else:
            found = layout.orphan if kind == "text" and layout.orphan else layout.unexpected(line)
            if layout.flaw is Flaw.LINE:
                if block.pairs:  # never dropped: the record ends before the line
                    block.lines.pop()
                    yield _ended(block, problem, number)
                yield Stray(number, found)
                block = None
            elif not problem:
                problem = f"line {number}: {found}"
    if block is not None:
        yield _ended(block, problem, None)
    elif stray is not None:
        yield stray


def entries(
    stream: TextIO, file_name: str, layout: Layout, build: Callable[[Piece, int], Entry]
) -> Iterator[Entry]:
    """One Entry per piece of ``stream`` (see :func:`pieces`), numbered in file order: a line in
    no record is an error there, a record is what ``build(piece, position)`` makes of it. A
    block with no field (a MARK line and nothing after it at the end of the file) is no entry."""
    position = 0
    for piece in pieces(stream, file_name, layout):
        if isinstance(piece, Stray):
            position += 1
            yield bad_entry(file_name, position, piece.line, piece.problem)
        elif piece.block.pairs:
            position += 1
            yield build(piece, position)
