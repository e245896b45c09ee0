"""Paths and helpers for the import-adapter tests (imported by name: pytest puts this folder on
sys.path).

Fixtures under permissive licences are copied in ``tests/data/sources`` (see its PROVENANCE.md);
the rest are read from ``../shared/fixtures`` by tests marked ``corpus``, which skip when that
folder is absent (a user's fresh clone).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from screener import sources
from screener.sources import Entry
from screener.sources.decode import open_text

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "sources"
HANDMADE = DATA / "handmade"
SHARED_FIXTURES = (REPO.parent / "shared" / "fixtures").resolve()


def fixture_path(relative: str) -> Path:
    """A fixture: the copy in tests/data/sources, else ../shared/fixtures, else skip."""
    for base in (DATA, SHARED_FIXTURES):
        if (base / relative).is_file():
            return base / relative
    pytest.skip(f"needs ../shared/fixtures/{relative} (not in this checkout)")


def read_entries(path: Path, fmt: str | None = None) -> tuple[str, str | None, list[Entry]]:
    """(format name, database named by the file, entries) read as the importer reads them."""
    stream, _ = open_text(path)
    with stream:
        head = stream.read(64 * 1024)
        stream.seek(0)
        module = sources.get_format(fmt) if fmt else sources.detect_format(head, path.name)
        infer = getattr(module, "database", None)
        return (
            module.NAME,
            infer(head) if infer else None,
            list(module.parse(stream, file_name=path.name)),
        )


def records(path: Path, fmt: str | None = None) -> list:
    """The records of a file that must parse cleanly (fails the test on any bad entry)."""
    _, _, entries = read_entries(path, fmt)
    errors = [str(e.error) for e in entries if e.error]
    assert not errors, errors
    return [e.record for e in entries]


def counts(db) -> tuple[int, int]:
    """(records, file imports) in a review: what an aborted import must leave unchanged."""
    return (
        db.execute("SELECT count(*) FROM record").fetchone()[0],
        db.execute("SELECT count(*) FROM file_import").fetchone()[0],
    )
