"""Writing results: to a file given with --out, or to stdout."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from screener.errors import ScreenerError


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
