"""The tagged-block reader's rules, on a toy layout: ``#`` lines start records, ``X: value`` lines
are fields, indented lines continue them, ``END`` ends a record, ``==`` is a mark line."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest

from screener.errors import ParseError
from screener.sources import Entry, _common
from screener.sources._tagged import (
    Blank,
    Flaw,
    LastLine,
    Layout,
    Line,
    Piece,
    Stray,
    entries,
    pieces,
)

_FIELD = re.compile(r"([A-Z]): (.*)")


def _line(line: str) -> Line:
    if line == "==":
        return "mark", "", ""
    if line == "END":
        return "end", "", ""
    if line.startswith("#"):
        return "start", "#", line[1:]
    match = _FIELD.fullmatch(line)
    if match:
        return "field", match.group(1), match.group(2)
    return ("text", "", line.strip()) if line[0] == " " else ("bad", "", "")


TOY = Layout(read=_line, unexpected=lambda line: f"not a field: {line!r}")


def _read(text: str, layout: Layout = TOY) -> list[tuple[object, ...]]:
    """Each record as (first line, fields, raw text, problem), each stray as (line, problem)."""
    out: list[tuple[object, ...]] = []
    for piece in pieces(io.StringIO(text), "toy", layout):
        if isinstance(piece, Stray):
            out.append((piece.line, piece.problem))
        else:
            out.append(
                (piece.block.line, dict(piece.block.items()), piece.block.raw(), piece.problem)
            )
    return out


def test_a_start_ends_the_record_before_it_and_continuation_lines_join() -> None:
    assert _read("#1\nA: x\n  more\n#2\nA: y\n") == [
        (1, {"#": "1", "A": "x\nmore"}, "#1\nA: x\n  more", ""),
        (4, {"#": "2", "A": "y"}, "#2\nA: y", ""),
    ]


def test_again_decides_whether_a_start_ends_the_record() -> None:
    layout = dataclasses.replace(TOY, again=lambda block: "A" in block.tags())
    assert [(line, fields) for line, fields, *_ in _read("#1\n#2\nA: x\n#3\n", layout)] == [
        (1, {"#": "2", "A": "x"}),
        (4, {"#": "3"}),
    ]


@pytest.mark.parametrize(
    ("blank", "found"),
    [
        (Blank.CLOSE, [(1, {"A": "x"}, "A: x", ""), (3, {"B": "y"}, "B: y", "")]),
        (Blank.KEEP, [(1, {"A": "x", "B": "y"}, "A: x\n\nB: y", "")]),
        (Blank.SKIP, [(1, {"A": "x", "B": "y"}, "A: x\nB: y", "")]),
    ],
)
def test_a_blank_line_closes_the_record_stays_in_it_or_is_left_out(
    blank: Blank, found: list[object]
) -> None:
    assert _read("A: x\n\nB: y\n\n", dataclasses.replace(TOY, blank=blank)) == found


def _entry(piece: Piece, position: int) -> Entry:
    return Entry(position, piece.block.line)


def test_a_mark_line_with_no_field_after_it_is_no_record() -> None:
    text = "==\n==\nA: x\n==\n"
    assert [(line, fields) for line, fields, *_ in _read(text)] == [(2, {"A": "x"}), (4, {})]
    assert [(e.position, e.line) for e in entries(io.StringIO(text), "toy", TOY, _entry)] == [
        (1, 2)
    ]


def test_a_flawed_line_is_an_error_of_its_own_and_drops_no_record() -> None:
    assert _read("  orphan\nA: x\n?\nB: y\n") == [
        (1, "not a field: '  orphan'"),
        (2, {"A": "x"}, "A: x", ""),
        (3, "not a field: '?'"),
        (4, {"B": "y"}, "B: y", ""),
    ]
    found = list(entries(io.StringIO("?\nA: x\n"), "toy", TOY, _entry))
    assert [(e.position, e.line, e.error and e.error.location) for e in found] == [
        (1, 1, "record 1 (line 1)"),
        (2, 2, None),
    ]


def test_or_the_error_of_the_record_holding_it_naming_the_first() -> None:
    layout = dataclasses.replace(TOY, flaw=Flaw.RECORD, orphan="nothing above")
    assert _read("  orphan\nA: x\n?\n", layout) == [
        (1, {"A": "x"}, "  orphan\nA: x\n?", "line 1: nothing above")
    ]
    assert _read("A: x\n?\n?\n", layout)[0][3] == "line 2: not a field: '?'"


def test_with_outside_records_open_at_a_start_and_end_at_an_end_line() -> None:
    layout = dataclasses.replace(
        TOY, flaw=Flaw.RECORD, outside=lambda line: None if line == "HEAD" else f"stray {line!r}"
    )
    closed, still_open = pieces(io.StringIO("HEAD\n#1\nA: x\nEND\n#2\nA: y\n"), "toy", layout)
    assert isinstance(closed, Piece) and (closed.block.line, closed.marked, closed.end_line) == (
        2,
        True,
        4,
    )
    assert isinstance(still_open, Piece) and (still_open.block.line, still_open.marked) == (
        5,
        False,
    )
    assert still_open.end_line is None
    assert _read("#1\nEND\nA: z\nB: w\n", layout)[-1] == (3, "stray 'A: z'")


def test_text_between_records_is_reported_where_it_is_not_dropped() -> None:
    layout = dataclasses.replace(
        TOY, flaw=Flaw.RECORD, outside=lambda line: None if line == "HEAD" else f"stray {line!r}"
    )
    found = list(
        pieces(io.StringIO("HEAD\n#1\nA: x\nEND\nlost\nmore\n#2\nA: y\nEND\n"), "toy", layout)
    )
    assert [type(p).__name__ for p in found] == ["Piece", "Stray", "Piece"]
    stray = found[1]
    assert isinstance(stray, Stray) and (stray.line, stray.problem) == (5, "stray 'lost'")


def test_last_line_says_whether_the_file_ends_with_a_line_end() -> None:
    for text, ended in (("A: x\n", True), ("A: x", False)):
        last = LastLine()
        list(pieces(io.StringIO(text), "toy", TOY, last))
        assert last.ended is ended


def test_a_record_past_the_limit_stops_the_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_common, "MAX_ENTRY", 1000)
    with pytest.raises(ParseError) as caught:
        list(pieces(io.StringIO("#1\n" + "A: x\n" * 100), "toy", TOY))
    assert (caught.value.file_name, caught.value.location) == ("toy", "line 1")
