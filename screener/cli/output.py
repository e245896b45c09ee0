"""Writing results: to a file given with --out, or to stdout."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click

from screener.display import visible
from screener.errors import ScreenerError


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print a line for people (stdout, or stderr with ``err``): text from records, files and
    reviewers in it shows its control characters as ``\\xNN`` escapes instead of acting on
    the terminal. Data formats written to stdout (CSV, RIS, JSON) do not go through here."""
    click.echo(visible(str(message)), err=err, nl=nl)


@contextmanager
def open_output(out: str | None) -> Iterator[TextIO]:
    """A text handle for ``out`` (written atomically: all or nothing) or stdout."""
    if out is None or out == "-":
        yield sys.stdout
        return
    target = Path(out)
    if not target.parent.exists():
        raise ScreenerError(f"{target.parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
