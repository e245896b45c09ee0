"""Importing export files: detect, decode, parse, store, all of a file or none of it.

:func:`import_file` runs one file in one transaction: a malformed entry (unless ``skip_bad``),
a Ctrl-C or a killed process leaves the review as it was. :func:`preview_file` reads a file
the same way without writing, for the TUI's "what is this file?" step and ``--dry-run``.

A file format is never a database: the database an import is counted under in PRISMA and the
search log is the ``source`` given, else the one the file names (a ``DB`` tag, a header ...),
else the saved query's. A file that names none is refused with :class:`SourceNeeded` until a
source is given. ``source`` may also be ``other:METHOD[:NAME]`` (website, organisation,
citation, register, other) for PRISMA's other identification methods; see :func:`parse_source`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

import sqlite_utils

from screener import sources
from screener.errors import AlreadyImportedError, InvalidInputError, ScreenerError
from screener.files import refuse_database, sha256_file
from screener.flows.parallel import parsed, worker_count
from screener.model import ImportResult
from screener.sources.decode import open_text, undecodable
from screener.storage import imports as import_store
from screener.storage.db import now, transaction
from screener.storage.importing import deferred_fts
from screener.storage.rows import insert_record_values

__all__ = [
    "OTHER_SOURCES",
    "ImportPreview",
    "SourceNeeded",
    "check_sources",
    "file_database",
    "import_file",
    "parse_source",
    "preview_file",
]

Progress = Callable[[int, int | None], None]

HEAD_CHARS = 64 * 1024
PROGRESS_EVERY = 500
FTS_EVERY = 1_000
"""Rows stored between two full-text indexing steps (see storage.importing.deferred_fts)."""


class SourceNeeded(InvalidInputError):  # not ...Error: it reads as what the user must give
    """The file does not say which database it came from, and no source was given."""


OTHER_SOURCES = {
    "website": "Websites",
    "organisation": "Organisations",
    "citation": "Citation searching",
    "register": "Registers",
    "other": "Other sources",
}
"""``other:METHOD`` sources (PRISMA's identification methods) and the name each gets by default."""
_METHOD_ALIASES = {
    "organization": "organisation",
    "citations": "citation",
    "websites": "website",
    "registry": "register",
}
SOURCE_HINT = (
    "give --source NAME (e.g. --source Embase), or --source other:METHOD[:NAME] for "
    "records found by other methods (METHOD: " + ", ".join(OTHER_SOURCES) + ")"
)


def parse_source(source: str | None, method: str = "database") -> tuple[str, str]:
    """``(database, method)`` from a source as the user types it.

    ``"Embase"`` is a database (``method`` kept); ``"other:website"`` or
    ``"other:citation:Reference lists"`` set the method (and name; the method's own name by
    default). ``""``/None gives ``("", method)``: the file or the saved query must name it.
    """
    text = (source or "").strip()
    head, sep, rest = text.partition(":")
    if not sep or head.strip().casefold() != "other":
        return text, method
    kind, _, name = rest.partition(":")
    kind = kind.strip().casefold()
    kind = _METHOD_ALIASES.get(kind, kind)
    if kind not in OTHER_SOURCES:
        raise InvalidInputError(
            f"--source {text!r}: after 'other:' give one of "
            f"{', '.join(OTHER_SOURCES)} (e.g. other:website)"
        )
    if method not in ("database", kind):
        raise InvalidInputError(f"--source {text!r} says {kind}, but --method says {method}")
    return name.strip() or OTHER_SOURCES[kind], kind


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """What importing a file would do: its format, database and entry counts.

    ``database`` is ``""`` when neither the source given nor the file names one: importing it
    then needs a source (:attr:`needs_source`).
    """

    file_name: str
    format: str
    label: str
    database: str
    encoding: str
    count: int
    bad: tuple[str, ...] = ()
    imported_before: str = ""
    """``"name on date"`` of an earlier import of the same bytes, or ``""``."""
    method: str = "database"

    @property
    def needs_source(self) -> bool:
        return not self.database


@dataclass(frozen=True, slots=True)
class _Export:
    stream: TextIO
    encoding: str
    module: ModuleType
    head: str


_NOT_AN_EXPORT = "a database export; nothing was imported"


@contextmanager
def _open_export(path: Path, fmt: str | None) -> Iterator[_Export]:
    if not path.is_file():
        raise ScreenerError(f"{path}: no such file")
    stream, encoding = open_text(path)
    with stream:
        try:
            head = stream.read(HEAD_CHARS)
            stream.seek(0)
        except UnicodeDecodeError:
            raise undecodable(path, encoding) from None
        module = sources.get_format(fmt) if fmt else sources.detect_format(head, path.name)
        yield _Export(stream, encoding, module, head)


def _database(export: _Export, source: str, default_source: str = "") -> str:
    """``--source``, else what the file says, else the saved query's database, else ``""``
    (a format's name is never a database)."""
    infer = getattr(export.module, "database", None)
    return source or (infer(export.head) if infer else None) or default_source.strip() or ""


def file_database(path: str | Path, *, fmt: str | None = None) -> str:
    """The database ``path`` names (from its first 64 KB), or ``""`` when it names none."""
    path = Path(path)
    with _open_export(path, fmt) as export:
        return _database(export, "")


def check_sources(paths: Sequence[str | Path], *, fmt: str | None = None) -> None:
    """Refuse (:class:`SourceNeeded`), before any is imported, files naming no database."""
    unnamed = [Path(p).name for p in paths if not file_database(p, fmt=fmt)]
    if len(paths) == 1 and unnamed:
        raise _source_needed(Path(paths[0]))
    if unnamed:
        one = len(unnamed) == 1
        raise SourceNeeded(
            f"{', '.join(unnamed)} {'does' if one else 'do'} not say which database "
            f"{'it' if one else 'they'} came from: {SOURCE_HINT}; nothing was imported"
        )


def _source_needed(path: Path) -> SourceNeeded:
    return SourceNeeded(f"{path.name} does not say which database it came from: {SOURCE_HINT}")


def _workers(path: Path, workers: int | None) -> int:
    return worker_count(path.stat().st_size) if workers is None else workers


def _earlier(db: sqlite_utils.Database, digest: str) -> str:
    found = import_store.find_import_by_sha256(db, digest)
    return f"{found[1]} on {found[2][:10]}" if found else ""


def preview_file(
    db: sqlite_utils.Database,
    path: str | Path,
    *,
    fmt: str | None = None,
    source: str | None = None,
    workers: int | None = None,
) -> ImportPreview:
    """Parse ``path`` without storing anything: format, database, entry count, bad entries."""
    path = Path(path)
    refuse_database(path.name, path, _NOT_AN_EXPORT)
    name, method = parse_source(source)
    with _open_export(path, fmt) as export:
        count, bad = 0, []
        try:
            for entry in parsed(
                export.module, export.stream, file_name=path.name, workers=_workers(path, workers)
            ):
                count += 1
                if entry.error is not None:
                    bad.append(str(entry.error))
        except UnicodeDecodeError:
            raise undecodable(path, export.encoding) from None
        return ImportPreview(
            path.name,
            export.module.NAME,
            export.module.LABEL,
            _database(export, name),
            export.encoding,
            count,
            tuple(bad),
            _earlier(db, sha256_file(path)),
            method,
        )


def import_file(
    db: sqlite_utils.Database,
    path: str | Path,
    *,
    source: str | None = None,
    fmt: str | None = None,
    again: bool = False,
    skip_bad: bool = False,
    method: str = "database",
    query_name: str = "",
    query_text: str = "",
    default_source: str = "",
    progress: Progress | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
) -> ImportResult:
    """Import one export file in one transaction (see the module docstring).

    ``default_source`` names the database when neither ``source`` nor the file does (the
    database of the saved query given with the import); when none of them does, the file is
    refused with :class:`SourceNeeded`. ``source`` may be ``other:METHOD[:NAME]``
    (:func:`parse_source`), which sets ``method``. ``workers`` processes parse the file
    (see :mod:`screener.flows.parallel`; None: as many as suit its size, 0: none), in chunks
    of ``chunk_size`` entries (None: the format's own choice).
    """
    path = Path(path)
    if not path.is_file():
        raise ScreenerError(f"{path}: no such file")
    refuse_database(path.name, path, _NOT_AN_EXPORT)
    source, method = parse_source(source, method)
    digest = sha256_file(path)
    earlier = _earlier(db, digest)
    if earlier and not again:
        raise AlreadyImportedError(
            f"{path.name} was imported before (as {earlier}); give --again to import it once more"
        )
    with _open_export(path, fmt) as export:
        database = _database(export, source, default_source)
        if not database:
            raise _source_needed(path)
        skipped: list[str] = []
        counted = 0

        def good_records() -> Iterator[tuple[int, tuple[Any, ...]]]:
            nonlocal counted
            for entry in parsed(
                export.module,
                export.stream,
                file_name=path.name,
                workers=_workers(path, workers),
                chunk_size=chunk_size,
            ):
                counted += 1
                if entry.error is not None:
                    if not skip_bad:
                        raise entry.error
                    skipped.append(str(entry.error))
                    continue
                if progress is not None and counted % PROGRESS_EVERY == 0:
                    progress(counted, None)
                assert entry.values is not None  # an entry without an error has its record
                yield entry.position, entry.values

        with transaction(db):
            import_id = import_store.start_import(
                db,
                database=database,
                method=method,
                format=export.module.NAME,
                file_name=path.name,
                sha256=digest,
                encoding=export.encoding,
                query_name=query_name,
                query_text=query_text,
            )
            try:
                with deferred_fts(db) as fts:
                    rows, imported, created = good_records(), 0, now()
                    while stored := insert_record_values(
                        db, islice(rows, FTS_EVERY), import_id=import_id, created_at=created
                    ):
                        imported += stored
                        fts.flush()
            except UnicodeDecodeError:
                raise undecodable(path, export.encoding) from None
            if counted == 0:
                raise ScreenerError(f"{path.name}: no records found in the file")
            if imported == 0:
                raise ScreenerError(
                    f"{path.name}: none of its {counted} entries could be imported; "
                    f"the first problem: {skipped[0]}"
                )
            import_store.finish_import(
                db, import_id, count_in_file=counted, count_imported=imported, skipped=skipped
            )
    if progress is not None:
        progress(counted, counted)
    return ImportResult(
        import_id,
        path.name,
        database,
        export.module.NAME,
        export.encoding,
        counted,
        imported,
        tuple(skipped),
    )
