"""Writing output files: all or nothing, never over a database, readable like any other file.

Every file screener writes (plots, PRISMA diagrams, exports, the report and its companions, the
R script, CSVs) goes through :func:`write_file` or :func:`open_file`, and the report folder
through :func:`output_folder`. The rules, in one place:

- **All or nothing.** The content goes to a temporary file in the target's own folder, is
  flushed to disk, and ``os.replace`` puts it in place: a reader sees the old file or the new
  one, never half of one, and a failure leaves the old file as it was.
- **Mode.** The file gets the mode ``open()`` gives a new file: ``0o666`` less the user's umask
  (0644 with the usual umask 022), whether it is new or replaces an older file. The kernel
  applies the umask as the file is created, so no thread ever changes the process's umask.
- **Never over a database.** An existing SQLite database (a screener review or any other: the
  file starts with SQLite's magic header), the review being worked on (``protect``: compared
  by resolved path and by ``os.path.samefile``, so a hard link is caught too) and a database's
  ``-wal``, ``-shm`` or ``-journal`` file are refused, as are folders and block devices.
- **Symbolic links are followed**: the file the link points to is replaced, atomically in its
  own folder, and the link stays a link.
- **FIFOs and character devices** (``/dev/stdout``, bash's ``>(gzip > x.gz)``, ``/dev/null``)
  are written straight through, without a temporary file: there is nothing to replace, and a
  FIFO's reader is waiting for the bytes.
- A missing or unwritable folder is one :class:`OutputError` naming the folder and the cause.

Beside the writing, the two rules for text that comes from outside and ends up in a file:
:func:`printable` (figures, SVG, HTML) and :func:`spreadsheet_cell` (CSV files for people).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import secrets
import shutil
import stat
import threading
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from screener.display import visible
from screener.errors import ScreenerError

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

__all__ = [
    "SQLITE_MAGIC",
    "OutputError",
    "check_output",
    "csv_writer",
    "figure_bytes",
    "from_spreadsheet_cell",
    "forget_database",
    "is_sqlite",
    "note_database",
    "refuse_database",
    "sha256_file",
    "new_file_path",
    "open_file",
    "output_folder",
    "printable",
    "spreadsheet_cell",
    "write_file",
]

SQLITE_MAGIC = b"SQLite format 3\x00"
_SIDE_FILES = ("-wal", "-shm", "-journal")


class OutputError(ScreenerError):
    """An output file or folder that must not, or cannot, be written."""


# --- where a file may be written ---------------------------------------------------------------
_OPEN_HERE: dict[tuple[int, int], int] = {}
"""(device, inode) -> how many SQLite connections of this process are open on that file."""
_COUNTING = threading.Lock()


def note_database(path: str | Path) -> tuple[int, int] | None:
    """Count a connection this process opened to ``path`` (storage's connect); returns the key
    to give :func:`forget_database` when it closes."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    key = (found.st_dev, found.st_ino)
    with _COUNTING:  # TUI workers open connections from their own threads
        _OPEN_HERE[key] = _OPEN_HERE.get(key, 0) + 1
    return key


def forget_database(key: tuple[int, int] | None) -> None:
    """A connection counted by :func:`note_database` closed (or was collected): once none is
    left the file holds no lock of this process, and its inode may belong to a new file."""
    with _COUNTING:
        if key is not None and key in _OPEN_HERE:
            _OPEN_HERE[key] -= 1
            if _OPEN_HERE[key] <= 0:
                del _OPEN_HERE[key]


def is_sqlite(path: str | Path) -> bool:
    """Whether ``path`` is a regular file that starts with SQLite's magic header.

    A database this process has open is answered without opening it: closing a file handle
    drops every POSIX lock the process holds on that file, SQLite's included, and another
    process could then delete the ``-wal`` under the open connections
    (https://sqlite.org/howtocorrupt.html, section 2.2)."""
    try:
        found = os.stat(path)
        if not stat.S_ISREG(found.st_mode):
            return False
        if (found.st_dev, found.st_ino) in _OPEN_HERE:
            return True
        # O_NONBLOCK: should the file have become a FIFO since the stat, do not wait on it
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def refuse_database(shown: str | Path, path: str | Path, what: str) -> None:
    """Refuse an SQLite file (a review, most likely the one open) given where ``what`` was
    wanted, before any handle on it is opened: closing one would drop this process's locks
    on a review it has open (see :func:`is_sqlite`)."""
    if is_sqlite(path):
        raise ScreenerError(f"{shown} is an SQLite database (a review file?), not {what}")


def sha256_file(path: str | Path) -> str:
    """The sha256 of a file's bytes, read in blocks of 1 MiB."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _same(target: Path, other: Path) -> bool:
    if target == Path(os.path.realpath(other)):
        return True
    try:
        return os.path.samefile(target, other)
    except OSError:  # one of them does not exist: not the same file
        return False


def _streams(target: Path) -> bool:
    """Whether ``target`` is a FIFO or a character device (written straight through)."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def check_output(path: str | Path, *, protect: Iterable[str | Path] = ()) -> Path:
    """The file to write for ``path`` (a symbolic link followed), or :class:`OutputError` saying
    why it must not be written (see the module's rules). ``protect``: the open review(s)."""
    given = Path(path)
    if _streams(given):
        # through /proc's links (/dev/stdout, /dev/fd/63) a pipe has no path to resolve
        return given
    target = Path(os.path.realpath(given))
    for kept in protect:
        kept = Path(kept)
        if _same(target, kept):
            raise OutputError(f"{given} is the review itself; choose another output file")
        for suffix in _SIDE_FILES:
            if _same(target, kept.with_name(kept.name + suffix)):
                raise OutputError(
                    f"{given} is the review's {suffix[1:]} file; choose another output file"
                )
    if target.is_dir():
        raise OutputError(f"{given} is a folder; give a file name")
    if is_sqlite(target):
        raise OutputError(
            f"{given} is an SQLite database (a review?); screener never writes "
            "over one: choose another output file"
        )
    for suffix in _SIDE_FILES:
        if not target.name.endswith(suffix) or target.name == suffix:
            continue
        base = target.with_name(target.name[: -len(suffix)])
        if is_sqlite(base):
            raise OutputError(
                f"{given} is the {suffix[1:]} file of the database {base.name}; "
                "choose another output file"
            )
    if target.exists() and not target.is_file():
        raise OutputError(
            f"{given} is not a regular file (a device or a socket); choose another output file"
        )
    folder = target.parent
    if not folder.exists():
        raise OutputError(f"{given}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputError(f"{given}: {folder} is not a folder")
    return target


def _temp_name(target: Path, suffix: str) -> Path:
    # the target's name shortened, so a long name stays under the 255-byte limit with the tag
    stem = target.name.encode("utf-8")[:180].decode("utf-8", "ignore")
    return target.with_name(f".{stem}.{secrets.token_hex(4)}{suffix}")


def _create_temp(target: Path) -> tuple[int, Path]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = _temp_name(target, ".tmp")
        try:
            # 0o666 and the kernel's umask: the mode open() gives a new file
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(
                f"cannot write in the folder {target.parent}: {exc.strerror or exc}"
            ) from None


@contextmanager
def open_file(
    path: str | Path, mode: str = "w", *, protect: Iterable[str | Path] = ()
) -> Iterator[IO[Any]]:
    """A handle (``mode`` "w": UTF-8 text, no newline translation; "wb": bytes) whose content
    becomes ``path`` when the block ends without an error (see the module's rules)."""
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
    encoding, newline = ("utf-8", "") if mode == "w" else (None, None)
    target = check_output(path, protect=protect)
    if _streams(target):
        try:
            with open(target, mode, encoding=encoding, newline=newline) as handle:
                yield handle
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
        return
    fd, tmp = _create_temp(target)
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def new_file_path(path: str | Path, *, protect: Iterable[str | Path] = ()) -> Iterator[Path]:
    """A temporary path in ``path``'s folder, for a file another library writes (a database
    copy); the file there becomes ``path`` when the block ends without an error (see the
    module's rules). A pipe or device, which cannot hold such a file, is refused."""
    target = check_output(path, protect=protect)
    if _streams(target):
        raise OutputError(f"{path} is a pipe or a device; give a file name")
    fd, tmp = _create_temp(target)
    os.close(fd)
    side = [tmp.with_name(tmp.name + suffix) for suffix in _SIDE_FILES]
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        for leftover in (tmp, *side):
            leftover.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        for leftover in (tmp, *side):
            leftover.unlink(missing_ok=True)
        raise
    for leftover in side:
        leftover.unlink(missing_ok=True)


def write_file(
    path: str | Path, content: str | bytes, *, protect: Iterable[str | Path] = ()
) -> Path:
    """Write ``content`` (text as UTF-8) to ``path``, all or nothing; returns ``path``."""
    with open_file(path, "w" if isinstance(content, str) else "wb", protect=protect) as handle:
        handle.write(content)
    return Path(path)


def _holds_database(folder: Path, protect: Iterable[str | Path]) -> Path | None:
    kept = [Path(p) for p in protect]
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(root) / name
            if is_sqlite(path) or any(_same(path, k) for k in kept):
                return path
    return None


@contextmanager
def output_folder(
    path: str | Path,
    *,
    replace: bool = False,
    marker: Sequence[str] = (),
    protect: Iterable[str | Path] = (),
) -> Iterator[Path]:
    """A new empty folder beside ``path`` to fill; it becomes ``path`` when the block ends
    without an error, so ``path`` is never left half-written.

    An existing non-empty folder is replaced only with ``replace``, and only if it holds one of
    the ``marker`` file names (it is an earlier output of the same kind, not a folder of the
    user's) and no SQLite database or ``protect``-ed file anywhere inside; otherwise
    :class:`OutputError`. An empty folder is simply filled. The new folder's mode is the one
    ``mkdir`` gives (0o777 less the umask).
    """
    given = Path(path)
    target = Path(os.path.realpath(given))
    if target.exists() and not target.is_dir():
        raise OutputError(f"{given} is a file, not a folder")
    if not target.parent.is_dir():
        raise OutputError(f"{given}: the folder {target.parent} does not exist")
    old = target if target.is_dir() and any(target.iterdir()) else None
    if old is not None:
        if not replace:
            raise OutputError(f"{given} already exists; give --force to replace it")
        if marker and not any((old / name).is_file() for name in marker):
            raise OutputError(
                f"{given} is not an earlier output (no {' or '.join(marker)} in "
                "it): screener does not replace it; choose a new folder"
            )
        held = _holds_database(old, protect)
        if held is not None:
            raise OutputError(f"{given} holds the database {held}; screener does not replace it")
    tmp = _make_temp_dir(target)
    try:
        yield tmp
        if old is None:
            os.replace(tmp, target)  # onto nothing, or onto an empty folder
        else:
            aside = _temp_name(target, ".old")
            os.rename(old, aside)
            try:
                os.rename(tmp, target)
            except OSError:
                os.rename(aside, old)
                raise
            shutil.rmtree(aside, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot write the folder {given}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _make_temp_dir(target: Path) -> Path:
    while True:
        tmp = _temp_name(target, ".tmp")
        try:
            os.mkdir(tmp)  # 0o777 less the umask, as mkdir gives
            return tmp
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(
                f"cannot write in the folder {target.parent}: {exc.strerror or exc}"
            ) from None


# --- text from outside, inside an output file ---------------------------------------------------
_NOT_XML = re.compile("[\ufffe\uffff\ud800-\udfff]")


def printable(text: object) -> str:
    """``text`` as a figure, an SVG or an HTML page should show it: control characters as
    visible escapes (:func:`screener.display.visible`), and the code points XML 1.0 cannot
    hold (U+FFFE, U+FFFF, lone surrogates) as ``\\uXXXX``. Markup escaping is the caller's."""
    shown = visible(str(text))
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", shown)


def figure_bytes(
    fig: Any,
    fmt: str,
    *,
    dpi: float | None = None,
    tight: bool = False,
    rc: Mapping[RcKeyType, Any] | None = None,
) -> bytes:
    """A matplotlib figure as ``fmt`` (svg, pdf, png) bytes. Text stays text (SVG, PDF), no text
    is read as mathtext, ids are stable; missing glyphs give one warning, not one per glyph.

    Text objects carrying data should still be made with ``parse_math=False``: this covers
    the ones matplotlib makes while drawing (tick labels)."""
    import matplotlib

    settings: dict[RcKeyType, Any] = {
        "text.parse_math": False,
        "svg.fonttype": "none",
        "svg.hashsalt": "screener",
        "pdf.fonttype": 42,
        **(rc or {}),
    }
    buffer = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with matplotlib.rc_context(settings):
            fig.savefig(buffer, format=fmt, dpi=dpi, **({"bbox_inches": "tight"} if tight else {}))
    missing = [w for w in caught if "missing from font" in str(w.message)]
    for w in caught:
        if w not in missing:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if missing and fmt != "svg":
        warnings.warn(
            f"the {fmt.upper()} shows some characters as empty boxes: no installed "
            "font has them (e.g. Noto Sans CJK); the SVG shows them",
            stacklevel=2,
        )
    return buffer.getvalue()


# --- CSV files people open in a spreadsheet ----------------------------------------------------
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(
    r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|infinity|nan)", re.IGNORECASE
)


def spreadsheet_cell(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet may open (OWASP's "CSV injection" advice).

    Text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (after any
    leading ``'``) gets one more ``'`` in front, so a spreadsheet shows it as text instead of
    running it as a formula. Plain numbers (``-0.53``, ``+1e-05``, ``-inf``) are left as they
    are: a spreadsheet, R and ``screener meta`` must read them as numbers, and a number cannot
    hold a formula. Values that are not text (numbers, None) are returned unchanged.
    :func:`from_spreadsheet_cell` undoes it exactly.
    """
    if (
        isinstance(value, str)
        and value.lstrip("'").startswith(_FORMULA_START)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def from_spreadsheet_cell(text: str) -> str:
    """The cell as it was before :func:`spreadsheet_cell` (for files screener reads back)."""
    if text.startswith("'") and text[1:].lstrip("'").startswith(_FORMULA_START):
        return text[1:]
    return text


class _Writer:
    """``csv.writer`` with ``\n`` line ends, and every row whose text holds a carriage return
    written fully quoted: Python's writer quotes only the line terminator's own characters, so
    a lone CR in a cell would otherwise be read back as the end of a row."""

    def __init__(self, handle: IO[str], *, safe: bool) -> None:
        self._plain = csv.writer(handle, lineterminator="\n")
        self._quoted = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)
        self._safe = safe

    def writerow(self, row: Iterable[Any]) -> Any:
        cells = [spreadsheet_cell(v) for v in row] if self._safe else list(row)
        has_cr = any(isinstance(v, str) and "\r" in v for v in cells)
        return (self._quoted if has_cr else self._plain).writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(handle: IO[str], *, raw: bool = False) -> Any:
    """A ``csv.writer`` (``\\n`` line ends) whose text cells pass through
    :func:`spreadsheet_cell`, unless ``raw``."""
    return _Writer(handle, safe=not raw)
