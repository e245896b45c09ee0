"""Records identified, per search run and import: which runs are runs of one strategy, what
each adds to its source's count, and the sources summed (see :mod:`screener.prisma.counts`,
whose docstring says how each box is counted)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from screener.display import count_of as _plural
from screener.prisma.model import SearchEntry, Source

__all__ = ["EntryCount", "count_entries", "file_key", "sources_of", "strategy_key"]


def strategy_key(database: str, query_text: str) -> str:
    """What makes two search runs runs of one strategy: the database and the query text, with
    runs of whitespace as one space (case is kept: it can matter to a database's syntax)."""
    text = " ".join(query_text.split())
    return f"{database.strip().casefold()}\n{text}"


def file_key(sha256: str) -> str:
    """What makes two imports imports of one file: the same bytes."""
    return f"file\n{sha256}"


@dataclass(frozen=True, slots=True)
class EntryCount:
    """What one search run or import adds to its source's records identified.

    ``earlier``: records of its ``count`` that earlier runs of the same strategy (or an earlier
    import of the same file) identified already. ``legacy``: a run recorded before screener
    listed each run's PMIDs, counted by what it fetched.
    """

    identified: int
    earlier: int = 0
    legacy: bool = False


def count_entries(entries: Sequence[SearchEntry]) -> dict[tuple[str, int], EntryCount]:
    """Each entry's :class:`EntryCount`, by ``(kind, id)`` (see the module docstring)."""
    seen: dict[str, set[str]] = {}
    out: dict[tuple[str, int], EntryCount] = {}
    for entry in sorted(entries, key=lambda e: (e.kind, e.id)):
        earlier = seen.setdefault(entry.strategy, set())
        if entry.kind == "import":
            first = not earlier
            earlier.add("file")
            out[(entry.kind, entry.id)] = EntryCount(
                entry.count if first else 0, 0 if first else entry.count
            )
            continue
        pmids = entry.pmids
        if len(pmids) >= entry.count:
            new = len(pmids - earlier)
            out[(entry.kind, entry.id)] = EntryCount(new, len(pmids) - new)
        else:
            overlap = len(pmids & earlier)
            out[(entry.kind, entry.id)] = EntryCount(entry.count - overlap, overlap, legacy=True)
        earlier |= pmids
    return out


def sources_of(
    entries: Sequence[SearchEntry], counted: dict[tuple[str, int], EntryCount] | None = None
) -> tuple[list[Source], list[str]]:
    """Entries summed per source (database name, case aside, and method), and notes."""
    counted = count_entries(entries) if counted is None else counted
    grouped: dict[tuple[str, str], list[int]] = {}
    names: dict[tuple[str, str], str] = {}
    runs_of: Counter[str] = Counter(e.strategy for e in entries if e.kind == "search")
    legacy, repeated_files = [], 0
    for entry in entries:
        key = (entry.database.strip().casefold(), entry.method)
        names.setdefault(key, entry.database.strip())
        totals = grouped.setdefault(key, [0, 0, 0, 0])
        count = counted[(entry.kind, entry.id)]
        totals[0] += count.identified
        totals[1] += entry.stored
        if entry.kind == "search":
            totals[2] += max(0, count.identified - entry.stored)
            if count.legacy and runs_of[entry.strategy] > 1:
                legacy.append(entry.id)
        else:
            totals[3] += max(0, entry.stored - count.identified)
            repeated_files += count.identified == 0
    notes = []
    if legacy:
        notes.append(
            f"Search {_plural(len(legacy), 'run')} {', '.join(map(str, legacy))} "
            f"{'was' if len(legacy) == 1 else 'were'} made before screener listed each "
            "run's PMIDs: counted by what each fetched, so records an earlier or later "
            "run of the same strategy also found may be counted twice."
        )
    repeated = sum(t[3] for t in grouped.values())
    if repeated:
        notes.append(
            f"{_plural(repeated_files, 'file was', 'files were')} imported again "
            f"(--again): {_plural(repeated, 'record')} of the repeated imports are "
            "not identified a second time."
        )
    sources = [Source(names[k], k[1], t[0], t[1], t[2], repeated=t[3]) for k, t in grouped.items()]
    return sources, notes
