"""What the tagged-line readers make of every fixture, kept as a snapshot to compare against.

The snapshot (``tests/data/sources/readers_snapshot.jsonl``) was written by the readers as they
stood before they were ported to the one tagged-block reader (``screener.sources._tagged``), so
``test_source_readers_same.py`` proves the port changed nothing: every fixture, read by every
tagged-line format (forced, so the error paths run too) and in a few damaged variants, gives the
same entries, the same errors (file, line, message) and the same whole-file errors.

Regenerate only on an intended change of a reader::

    .venv/bin/python tests/sources/readers_snapshot.py

Entries are kept as digests (the snapshot stays small and carries no text of the fixtures kept
in ../shared under other terms); an error that stops the reading is kept in clear for the
fixtures in tests/data, as a digest for those in ../shared.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from screener import sources
from screener.errors import ParseError
from screener.sources import _common
from screener.sources.decode import open_text

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "sources"
SHARED = (REPO.parent / "shared" / "fixtures").resolve()
SNAPSHOT = DATA / "readers_snapshot.jsonl"

FORMATS = ("noteexpress", "refworks", "cnki-estudy", "cochrane", "refer", "wos", "medline")
"""The formats read by the tagged-block reader."""

SMALL_LIMIT = 4096
"""MAX_ENTRY in the "limit" variant: the fixtures' long lines and records then stop the reading."""


def _cut(text: str) -> str:
    return text[: len(text) * 2 // 3]


def _glued(text: str) -> str:
    # An export appended, BOM and all, to a copy of itself that lost its last line end.
    return text.rstrip("\n") + "\ufeff" + text


def _indented(text: str) -> str:
    return "".join(" " + line for line in text.splitlines(keepends=True))


def _lower(text: str) -> str:
    return text.lower()


VARIANTS: dict[str, Callable[[str], str]] = {
    "whole": lambda text: text,
    "cut": _cut,
    "glued": _glued,
    "indented": _indented,
    "lower": _lower,
    "limit": lambda text: text,
}


def fixtures() -> Iterator[tuple[str, Path]]:
    """``(key, path)`` of every fixture: ``data/...`` in tests/data/sources, ``shared/...`` in
    ../shared/fixtures (when present)."""
    for prefix, base in (("data", DATA), ("shared", SHARED)):
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and path.name != "PROVENANCE.md" and path != SNAPSHOT:
                yield f"{prefix}/{path.relative_to(base).as_posix()}", path


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _error(error: ParseError, private: bool) -> list[str]:
    shown = [error.file_name, error.location, error.problem]
    return [_digest(shown)] if private else shown


def summary(text: str, fmt: str, *, private: bool, limit: int | None = None) -> list[object]:
    """What format ``fmt`` reads from ``text``: ``[entry count, digest of every entry (records and
    errors), the error that stopped the reading or None]``."""
    module = sources.get_format(fmt)
    saved = _common.MAX_ENTRY
    modules = [
        m
        for name, m in sys.modules.items()
        if name.startswith("screener.sources") and hasattr(m, "MAX_ENTRY")
    ]
    entries: list[object] = []
    stopped: object = None
    try:
        if limit is not None:
            for m in modules:
                m.MAX_ENTRY = limit  # type: ignore[attr-defined]
        for entry in module.parse(io.StringIO(text), file_name="fixture"):
            if entry.error is not None:
                entries.append([entry.position, entry.line, *_error(entry.error, private)])
            else:
                entries.append([entry.position, entry.line, dataclasses.asdict(entry.record)])
    except ParseError as error:
        stopped = _error(error, private)
    finally:
        for m in modules:
            m.MAX_ENTRY = saved  # type: ignore[attr-defined]
    return [len(entries), _digest(entries), stopped]


def read_text(path: Path) -> str:
    stream, _ = open_text(path)
    with stream:
        return stream.read()


def snapshot_of(key: str, path: Path) -> dict[str, dict[str, list[object]]]:
    """``format -> variant -> summary`` for one fixture."""
    text = read_text(path)
    private = key.startswith("shared/")
    out: dict[str, dict[str, list[object]]] = {}
    for fmt in FORMATS:
        out[fmt] = {}
        for variant, change in VARIANTS.items():
            limit = SMALL_LIMIT if variant == "limit" else None
            out[fmt][variant] = summary(change(text), fmt, private=private, limit=limit)
    return out


def load() -> dict[tuple[str, str], dict[str, list[object]]]:
    """The snapshot: ``(fixture key, format) -> variant -> summary``."""
    found = {}
    for line in SNAPSHOT.read_text(encoding="utf-8").splitlines():
        key, fmt, variants = json.loads(line)
        found[key, fmt] = variants
    return found


def main() -> None:
    # One line per fixture and format: a change shows as a readable diff.
    lines = [
        json.dumps([key, fmt, variants], ensure_ascii=False)
        for key, path in fixtures()
        for fmt, variants in snapshot_of(key, path).items()
    ]
    SNAPSHOT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} lines -> {SNAPSHOT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
