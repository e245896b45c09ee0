"""Writing results: to a file given with --out, or to stdout."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click

from screener.display import visible
from screener.files import check_output, open_file

RAW_HELP = ("Write cells exactly as stored: no ' added before text a spreadsheet would run as a "
            "formula (=, +, -, @, tab, CR at the start).")


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print a line for people (stdout, or stderr with ``err``): text from records, files and
    reviewers in it shows its control characters as ``\\xNN`` escapes instead of acting on
    the terminal. Data formats written to stdout (CSV, RIS, JSON) do not go through here."""
    click.echo(visible(str(message)), err=err, nl=nl)


def _to_stdout(out: str | None) -> bool:
    return out is None or out == "-"


def check_out(out: str | None, review: str | Path) -> None:
    """Refuse ``--out`` (or ``--plot``) before any work when it must not be written: the review
    itself, its -wal/-shm/-journal file, any SQLite database, a missing folder
    (:func:`screener.files.check_output`). The write checks again."""
    if not _to_stdout(out):
        check_output(out, protect=(review,))


@contextmanager
def open_output(out: str | None, *, protect: Iterable[str | Path] = ()) -> Iterator[TextIO]:
    """A text handle for ``out`` or stdout (None or "-"). A file is written all or nothing,
    never over ``protect`` (the review) or any SQLite database (:mod:`screener.files`)."""
    if _to_stdout(out):
        yield sys.stdout
        return
    with open_file(out, "w", protect=protect) as handle:
        yield handle
