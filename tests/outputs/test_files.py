"""screener.files: the one way output files are written (all or nothing, mode, never over a
database, symlinks followed, FIFOs written through) and the two rules for text in them."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from outputs_support import bad_xml_chars

from screener.files import (
    OutputError,
    from_spreadsheet_cell,
    open_file,
    output_folder,
    printable,
    spreadsheet_cell,
    write_file,
)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _sqlite(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    return path


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_file_gets_the_mode_open_gives_whatever_it_replaces(tmp_path: Path):
    """0o666 less the umask, new or replacing (mkstemp's 0600 would hide an export)."""
    old = os.umask(0o022)
    try:
        path = write_file(tmp_path / "out.csv", "a\n")
        assert _mode(path) == 0o644
        path.chmod(0o600)
        write_file(path, "b\n")
        assert _mode(path) == 0o644 and path.read_text() == "b\n"
        os.umask(0o077)
        write_file(path, "c\n")
        assert _mode(path) == 0o600
    finally:
        os.umask(old)


def test_a_failure_inside_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path):
    path = write_file(tmp_path / "out.txt", "old")
    with pytest.raises(RuntimeError), open_file(path) as handle:
        handle.write("half of the new")
        raise RuntimeError("stopped")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


@pytest.mark.parametrize("name", ["review.db", "other.sqlite", "notes.txt"])
def test_any_sqlite_database_is_refused_whatever_its_name(tmp_path: Path, name: str):
    path = _sqlite(tmp_path / name)
    before = path.read_bytes()
    with pytest.raises(OutputError, match="SQLite database"):
        write_file(path, "x")
    assert path.read_bytes() == before


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_a_databases_side_files_are_refused(tmp_path: Path, suffix: str):
    db = _sqlite(tmp_path / "r.db")
    with pytest.raises(OutputError, match=suffix[1:]):
        write_file(tmp_path / f"r.db{suffix}", "x")
    with pytest.raises(OutputError, match="the review's"):
        write_file(tmp_path / f"r.db{suffix}", "x", protect=[db])
    assert not (tmp_path / f"r.db{suffix}").exists()


def test_the_review_is_refused_by_path_symlink_and_hard_link(tmp_path: Path):
    review = tmp_path / "r.db"
    review.write_bytes(b"not yet a database")  # the name check alone must catch it
    os.link(review, tmp_path / "hard.txt")
    (tmp_path / "soft.txt").symlink_to(review)
    for target in (review, tmp_path / "." / "r.db", tmp_path / "hard.txt", tmp_path / "soft.txt"):
        with pytest.raises(OutputError, match="the review itself"):
            write_file(target, "x", protect=[review])
    assert review.read_bytes() == b"not yet a database"


def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path):
    (tmp_path / "real").mkdir()
    real = write_file(tmp_path / "real" / "out.csv", "old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_file(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "real" / "made.csv")
    write_file(dangling, "made")
    assert dangling.is_symlink() and (tmp_path / "real" / "made.csv").read_text() == "made"


def test_a_fifo_is_written_through_and_stays_a_fifo(tmp_path: Path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_file(fifo, "through the pipe\n")
    reader.join(timeout=60)
    assert got == [b"through the pipe\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    write_file(Path(os.devnull), "nothing")  # a character device: written through too


def test_a_folder_a_missing_folder_and_an_unwritable_one_are_one_clear_error(tmp_path: Path):
    with pytest.raises(OutputError, match="is a folder"):
        write_file(tmp_path, "x")
    with pytest.raises(OutputError, match=f"folder {tmp_path / 'missing'} does not exist"):
        write_file(tmp_path / "missing" / "out.csv", "x")
    if os.geteuid() == 0:
        locked = Path("/sys")  # refuses new files even to root
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
    with pytest.raises(OutputError, match=f"cannot write in the folder {locked}: "):
        write_file(locked / "out.csv", "x")


def test_an_output_folder_appears_whole_or_not_at_all(tmp_path: Path):
    target = tmp_path / "report"
    with pytest.raises(RuntimeError), output_folder(target) as fresh:
        (fresh / "report.html").write_text("half")
        raise RuntimeError("stopped")
    assert not target.exists() and list(tmp_path.iterdir()) == []
    with output_folder(target) as fresh:
        (fresh / "report.html").write_text("one")
        assert not target.exists()
    assert (target / "report.html").read_text() == "one"
    assert _mode(target) == 0o777 & ~_umask()


def _umask() -> int:
    old = os.umask(0)
    os.umask(old)
    return old


def test_an_existing_folder_is_replaced_only_when_told_and_only_an_earlier_output(tmp_path: Path):
    target = tmp_path / "report"
    with output_folder(target) as fresh:
        (fresh / "report.html").write_text("one")
    with pytest.raises(OutputError, match="--force"), output_folder(target, marker=["report.html"]):
        pass
    with output_folder(target, replace=True, marker=["report.html"]) as fresh:
        (fresh / "report.html").write_text("two")
    assert [p.name for p in target.iterdir()] == ["report.html"]
    assert (target / "report.html").read_text() == "two"
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("years of work")
    with (
        pytest.raises(OutputError, match="not an earlier output"),
        output_folder(mine, replace=True, marker=["report.html"]),
    ):
        pass
    _sqlite(target / "r.db")
    with (
        pytest.raises(OutputError, match="holds the database"),
        output_folder(target, replace=True, marker=["report.html"]),
    ):
        pass
    assert (mine / "thesis.docx").exists() and (target / "r.db").exists()


@given(st.text())
def test_spreadsheet_cells_never_start_a_formula_and_read_back_exactly(text: str):
    cell = spreadsheet_cell(text)
    assert from_spreadsheet_cell(cell) == text
    if cell.startswith(FORMULA_START):
        float(cell)  # only a plain number may still start so


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_numbers_stay_numbers(x: float):
    for text in (repr(x), str(x), f"{x:g}", f"{x:.4f}"):
        assert spreadsheet_cell(text) == text
    assert spreadsheet_cell(x) is x


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+1 -1", "'+1 -1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("-0.53", "-0.53"),
        ("-1e-05", "-1e-05"),
        ("-inf", "-inf"),
        ("'t Hooft", "'t Hooft"),
        ("Smith 2020", "Smith 2020"),
    ],
)
def test_spreadsheet_cell_examples(raw: str, safe: str):
    assert spreadsheet_cell(raw) == safe and from_spreadsheet_cell(safe) == raw


@given(st.text())
def test_printable_text_is_valid_xml_character_data(text: str):
    shown = printable(text)
    assert bad_xml_chars(shown) == []
    assert "\x1b" not in shown and "\x00" not in shown
