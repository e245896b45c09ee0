"""Hostile input under any forced format: a file without line ends, a sparse file (all NUL
bytes), a record that never ends. Reading stops at MAX_ENTRY with one error naming the file and
the line, having read little more than that, so its memory stays bounded and its time linear
whatever the file's size. No timing here: bench/bench_hostile_input.py measures seconds."""

from __future__ import annotations

import io
import os
import sys
import tracemalloc
from pathlib import Path

import pytest

from screener import sources
from screener.errors import ParseError, ScreenerError
from screener.project import Project
from screener.sources import _common, _ris_text

SMALL = 64 * 1024
"""The limit most tests here read with (patched in), so they stay fast; two read with the real
one."""


class Endless(io.TextIOBase):
    """``size`` characters: ``head``, then ``unit`` over and over, made as they are read (a test
    never holds a big file); ``given`` counts the characters handed out."""

    def __init__(self, unit: str, size: int, head: str = "") -> None:
        self._unit, self._head, self._size = unit, head, size
        self._at = 0
        self.given = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        assert (offset, whence) == (0, 0)
        self._at = 0
        return 0

    def tell(self) -> int:
        return self._at

    def _text(self, start: int, stop: int) -> str:
        head, unit = self._head, self._unit
        parts = []
        if start < len(head):
            parts.append(head[start : min(stop, len(head))])
            start = len(head)
        if start < stop:
            first, last = start - len(head), stop - len(head)
            base = first - first % len(unit)
            parts.append((unit * ((last - base) // len(unit) + 1))[first - base : last - base])
        return "".join(parts)

    def _give(self, text: str) -> str:
        self._at += len(text)
        self.given += len(text)
        return text

    def read(self, size: int | None = -1) -> str:
        stop = self._size if size is None or size < 0 else min(self._size, self._at + size)
        return self._give(self._text(self._at, stop))

    def readline(self, size: int | None = -1) -> str:
        stop = self._size if size is None or size < 0 else min(self._size, self._at + size)
        ahead = self._text(self._at, min(stop, self._at + len(self._head) + len(self._unit) + 1))
        end = ahead.find("\n")
        if end >= 0:
            return self._give(ahead[: end + 1])
        return self._give(self._text(self._at, stop))


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    """MAX_ENTRY set to :data:`SMALL` in every reader."""
    for name in sources.format_names():
        sources.get_format(name)
    for name, module in list(sys.modules.items()):
        if name.startswith("screener.sources") and hasattr(module, "MAX_ENTRY"):
            monkeypatch.setattr(module, "MAX_ENTRY", SMALL)
    return SMALL


def _read(
    fmt: str, stream: io.TextIOBase, name: str = "hostile.txt"
) -> tuple[int, ParseError | None]:
    """(entries, the error that stopped the reading) without keeping the entries."""
    count = 0
    try:
        for entry in sources.get_format(fmt).parse(stream, file_name=name):  # type: ignore[arg-type]
            count += 1
            assert (entry.record is None) != (entry.error is None)
    except ParseError as exc:
        return count, exc
    return count, None


HOSTILE = {
    "no line ends": "a",
    "NUL bytes": "\0",
    "no line ends, tagged": "TY  - JOUR AU  - Smith ",
}


@pytest.mark.parametrize("unit", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("fmt", sources.format_names())
def test_text_without_line_ends_stops_at_the_limit_with_an_error(
    fmt: str, unit: str, small_limit: int
) -> None:
    stream = Endless(unit, 64 * small_limit)
    count, error = _read(fmt, stream)
    assert error is not None, (
        f"{fmt} read {count} entries of {stream.given} characters without line ends"
    )
    assert error.file_name == "hostile.txt"
    assert error.location in ("line 1", "after record 0") or error.location.startswith(
        "record 1 (line 1)"
    )
    # What was read before stopping: the limit and a read or two, not the file.
    assert stream.given <= small_limit + 2 * (1 << 20)


# A record that never ends: its start, then tag lines and no end (no ER, no blank line).
ENDLESS_RECORDS = {
    "ris": ("TY  - JOUR\n", "AU  - Smith, J\n"),
    "medline": ("PMID- 1\n", "AU  - Smith J\n"),
    "wos": ("PT J\n", "AU Smith, J\n"),
    "refer": ("%0 Journal Article\n", "%A Smith, J\n"),
    "bibtex": ("@article{a,\n", "  author = {Smith, J} and\n"),
    "noteexpress": ("{Reference Type}: Journal Article\n", "{Author}: Smith, J\n"),
    "refworks": ("RT Journal Article\n", "A1 Smith, J\n"),
    "cochrane": ("Record #1 of 1\n", "AU: Smith J\n"),
    "cnki-estudy": ("DataType: 1\n", "Author-作者: 张三\n"),
    "ovid": ("<1>\n", "AU  - Smith J\n"),
    "embase-csv": ('"TITLE","A title"\n', '"AUTHOR NAMES","Smith J."\n'),
}


@pytest.mark.parametrize("fmt", ENDLESS_RECORDS)
def test_a_record_that_never_ends_stops_at_the_limit_naming_its_line(
    fmt: str, small_limit: int
) -> None:
    head, unit = ENDLESS_RECORDS[fmt]
    stream = Endless(unit, 64 * small_limit, head=head)
    count, error = _read(fmt, stream)
    assert error is not None and error.file_name == "hostile.txt"
    assert error.location == "line 1"
    assert count == 0
    assert stream.given <= small_limit + 2 * (1 << 20)


def _peak(read) -> int:
    tracemalloc.start()
    try:
        read()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


CASES = [(fmt, "", unit) for fmt in sources.format_names() for unit in HOSTILE.values()] + [
    (fmt, head, unit) for fmt, (head, unit) in ENDLESS_RECORDS.items()
]


@pytest.mark.parametrize(("fmt", "head", "unit"), CASES)
def test_memory_does_not_grow_with_the_input(
    fmt: str, head: str, unit: str, small_limit: int
) -> None:
    """The same hostile text four times as long holds no more memory."""
    peaks = [
        _peak(lambda n=n: _read(fmt, Endless(unit, n, head=head)))
        for n in (16 * small_limit, 64 * small_limit)
    ]
    assert peaks[1] < peaks[0] * 1.25 + small_limit, peaks


def test_a_forced_ris_read_of_text_without_line_ends_stops_at_the_real_limit() -> None:
    stream = Endless("x", 40 << 20)
    count, error = _read("ris", stream, "x.ris")
    assert (count, error.file_name, error.location) == (0, "x.ris", "line 1")  # type: ignore[union-attr]
    assert "longer than 32 MiB" in error.problem  # type: ignore[union-attr]
    assert stream.given <= _common.MAX_ENTRY + 2 * _ris_text.READ


def test_a_forced_csv_import_of_a_sparse_file_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "sparse.csv"
    with open(path, "wb") as handle:
        handle.truncate(40 << 20)  # sparse: all NUL bytes, no line end
    with Project.create(tmp_path / "r.db", title="r", reviewers=["alice"]) as project:
        for fmt in ("csv", "scopus-csv", "ris", "medline", "bibtex", "pubmed-xml"):
            with pytest.raises(ScreenerError) as caught:
                project.import_file(path, fmt=fmt, source="Test DB")
            assert str(caught.value).startswith("sparse.csv, line 1: "), fmt
        assert project.db.execute("SELECT count(*) FROM record").fetchone()[0] == 0
    assert os.path.getsize(path) == 40 << 20


def test_a_big_file_whose_records_all_end_in_lower_case_is_cut_at_those_lines(
    tmp_path: Path, small_limit: int
) -> None:
    """No ER line is written plainly, so the chunker finds none where it looks first: past the
    limit it looks for the loose ones, and the file reads as in one piece (not as one stretch)."""
    from screener.flows import parallel

    record = "ty  - JOUR\nti  - Record {n}\nau  - Smith, J\ner  - \n\n"
    path = tmp_path / "lower.ris"
    path.write_text(
        "".join(record.format(n=n) for n in range(8 * small_limit // len(record))), encoding="utf-8"
    )
    module = sources.get_format("ris")

    def read(workers: int) -> list:
        with open(path, encoding="utf-8") as stream:
            return [
                (row.position, row.line, row.values, row.error)
                for row in parallel.parsed(
                    module, stream, file_name="lower.ris", workers=workers, chunk_size=10_000
                )
            ]

    whole = read(0)
    assert all(row[3] is None for row in whole) and len(whole) > 1000
    assert read(2) == whole


@pytest.mark.parametrize(
    "text",
    [
        "TY  - JOUR\n" * 3000,  # every line starts a record that never ends (took 36 s for 10,000)
        "TY  - JOUR\nAU  - Smith, J\n\n" * 1500
        + "ER  - \n",  # records without ER, blank lines between
        "ER  - \n" * 3000,
    ],
    ids=["TY lines", "no ER", "ER lines"],
)
def test_finding_records_reads_each_character_a_bounded_number_of_times(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A counting check of linear time: the characters the record search steps over."""
    stepped = 0
    plain_find = _ris_text.find

    def counting_find(pattern, lead, buffer, start):
        nonlocal stepped
        found = plain_find(pattern, lead, buffer, start)
        stepped += (found.start() if found else len(buffer)) - start
        return found

    monkeypatch.setattr(_ris_text, "find", counting_find)
    list(sources.get_format("ris").parse(io.StringIO(text), file_name="x.ris"))
    assert stepped <= 10 * len(text)
