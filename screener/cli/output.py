"""Writing from the CLI: lines for people, data, progress bars, files given with --out.

The rule (one rule, applied here and by :func:`screener.cli.main` while a verb runs):

- Lines for people (:func:`echo`, and every message on stderr) show control characters from
  records, files and reviewers as ``\\xNN`` escapes (:func:`screener.display.visible`), wherever
  they go: a line piped into ``grep`` still ends on a terminal.
- Data (:func:`emit`, the CSV/RIS/JSON/text formats, :func:`open_output` with no file) keeps
  its bytes in a file or a pipe, and is escaped too when stdout is a terminal: a terminal is a
  terminal, whatever was meant for it.

:func:`people_streams` makes the rule hold for the streams themselves: stderr always, stdout
when it is a terminal, are replaced for the length of a verb by :class:`Escaping` streams. So
a ``click.echo`` or ``print`` a verb adds later cannot put a raw escape sequence on a terminal;
``tests/cli/test_cli_hostile.py`` runs every verb on hostile text to hold the rest to it.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, TextIO

import click

from screener.display import count_of, one_line, visible
from screener.files import check_output, open_file

RAW_HELP = (
    "Write cells exactly as stored: no ' added before text a spreadsheet would run as a "
    "formula (=, +, -, @, tab, CR at the start)."
)

if TYPE_CHECKING:
    from rich.console import Console

    from screener.project import Progress as ProgressCallback


class Escaping(io.TextIOBase):
    """A text stream for people: writes ``visible(text)`` to ``target``.

    It has no ``buffer`` on purpose: click writes to a stream's binary buffer when the text
    layer looks misconfigured (an ASCII locale), which would go round the escaping; without
    one, click writes here.
    """

    def __init__(self, target: TextIO) -> None:
        self.target = target

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.target, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str:  # type: ignore[override]
        return getattr(self.target, "errors", None) or "strict"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.target.write(visible(text))
        return len(text)

    def flush(self) -> None:
        self.target.flush()

    def isatty(self) -> bool:
        return is_terminal(self.target)

    def fileno(self) -> int:
        return self.target.fileno()


def is_terminal(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


def _raw(stream: TextIO) -> TextIO:
    return stream.target if isinstance(stream, Escaping) else stream


@contextmanager
def people_streams() -> Iterator[None]:
    """stderr (always) and stdout (when it is a terminal) escape control characters until the
    block ends (see the module's docstring)."""
    out, err = sys.stdout, sys.stderr
    if err is not None and not isinstance(err, Escaping):
        sys.stderr = Escaping(err)
    if out is not None and not isinstance(out, Escaping) and is_terminal(out):
        sys.stdout = Escaping(out)
    ours = sys.stdout, sys.stderr
    try:
        yield
    finally:
        # only what is still ours: click swaps in its own wrappers when a pipe closes early
        if sys.stdout is ours[0]:
            sys.stdout = out
        if sys.stderr is ours[1]:
            sys.stderr = err


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print a line for people (stdout, or stderr with ``err``): text from records, files and
    reviewers in it shows its control characters as ``\\xNN`` escapes instead of acting on
    the terminal. Data formats written to stdout (CSV, RIS, JSON) go through :func:`emit`."""
    click.echo(visible(str(message)), err=err, nl=nl)


def _file_of(out: str | None) -> str | None:
    """The file ``out`` names, or None for stdout (None or "-")."""
    return None if out is None or out == "-" else out


def check_out(out: str | None, review: str | Path) -> None:
    """Refuse ``--out`` (or ``--plot``) before any work when it must not be written: the review
    itself, its -wal/-shm/-journal file, any SQLite database, a missing folder
    (:func:`screener.files.check_output`). The write checks again."""
    path = _file_of(out)
    if path is not None:
        check_output(path, protect=(review,))


def emit(data: str, *, nl: bool = True) -> None:
    """Write data (JSON, CSV, RIS, text of a --format) to stdout: its bytes as they are in a
    file or a pipe, escaped on a terminal (stdout is then an :class:`Escaping` stream)."""
    # color=True: click would otherwise strip what looks like ANSI codes off data sent to a pipe
    click.echo(data, nl=nl, color=True)


plural = count_of
"""``1 record``, ``2 records``, ``1,200 records`` (a third argument for an irregular plural)."""


def progress_console() -> Console:
    """The console for progress bars: stderr itself, not its :class:`Escaping` stream (a bar is
    made of the very cursor controls the escaping would spell out). A bar shows only on a
    terminal; text from outside in its label goes through ``visible`` first."""
    from rich.console import Console

    return Console(file=_raw(sys.stderr), stderr=True)


@contextmanager
def progress_bar(label: str, *, total: int | None = None) -> Iterator[ProgressCallback]:
    """A progress bar for a verb's long work, on stderr (stdout carries data) and only when
    stderr is a terminal; it is gone when the block ends. Yields the ``progress(done, total)``
    callback the façade's long methods take.

    ``label`` may name a file or a strategy: it is shown on one line with control characters
    escaped, and never read as Rich markup.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = progress_console()
    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task(one_line(label), total=total)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@contextmanager
def open_output(out: str | None, *, protect: Iterable[str | Path] = ()) -> Iterator[IO[str]]:
    """A text handle for ``out`` or stdout (None or "-"). A file is written all or nothing,
    never over ``protect`` (the review) or any SQLite database (:mod:`screener.files`)."""
    path = _file_of(out)
    if path is None:
        yield sys.stdout
        return
    with open_file(path, "w", protect=protect) as handle:
        yield handle
