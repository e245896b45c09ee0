"""Deduplication: the same study found in several databases, merged where certain, queued for a
person where not. Pure functions over Records; the review file is read and written by
``screener.storage.dedup`` and orchestrated by ``screener.flows.dedup``.

Pipeline: :func:`~screener.dedup.prepare.features` per record -> blocking and the rule
(:func:`~screener.dedup.blocking.match`, :func:`~screener.dedup.rule.compare`) -> clusters
(:func:`~screener.dedup.cluster.build_clusters`) with one primary record each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from screener.dedup.blocking import PairVerdict, drop_shared_dois, match, match_all_pairs
from screener.dedup.cluster import Link, build_clusters, choose_primary
from screener.dedup.prepare import Features, completeness, features
from screener.dedup.rule import PairOutcome, Verdict, compare
from screener.records import Record

__all__ = [
    "DedupReport",
    "DedupResult",
    "Features",
    "PairOutcome",
    "PairVerdict",
    "QueuedPair",
    "Verdict",
    "compare",
    "deduplicate",
    "features",
    "match",
    "match_all_pairs",
]


@dataclass(frozen=True, slots=True)
class DedupResult:
    """Pairs and clusters over positions in the input sequence."""

    pairs: tuple[PairVerdict, ...]  # duplicate and possible verdicts
    clusters: tuple[tuple[int, ...], ...]  # two or more positions each, sorted
    primaries: tuple[int, ...]  # one per cluster
    refused: tuple[PairVerdict, ...] = ()  # duplicate verdicts the chaining guard refused

    @property
    def queued(self) -> tuple[PairVerdict, ...]:
        return tuple(p for p in self.pairs if p.outcome == PairOutcome.POSSIBLE)


@dataclass(frozen=True, slots=True)
class DedupReport:
    """What a dedup run did, or the review's dedup state (``screener dedup --report``)."""

    records: int
    new_records: int = 0  # records compared for the first time in this run
    automatic: int = 0  # pairs merged by the rule
    queued: int = 0  # pairs waiting for a person
    decided_same: int = 0  # pairs a person merged
    decided_apart: int = 0  # pairs a person kept apart
    clusters: int = 0
    duplicates_removed: int = 0  # records set aside as secondary members of a cluster
    refused: int = 0  # rule merges the chaining guard sent to the queue
    seconds: float = 0.0

    @property
    def decided_by_person(self) -> int:
        return self.decided_same + self.decided_apart


@dataclass(frozen=True, slots=True)
class QueuedPair:
    """A pair waiting for a person's verdict."""

    pair_id: int
    record_a: int
    record_b: int
    score: float
    rule: str


def deduplicate(
    records: Sequence[Record], *, progress: Callable[[int, int | None], None] | None = None
) -> DedupResult:
    """Match, then cluster, a list of records held in memory (no review file involved)."""
    feats = drop_shared_dois([features(r) for r in records])
    pairs = match(feats, progress=progress)
    links = [Link(p.a, p.b, p.score) for p in pairs if p.outcome == PairOutcome.DUPLICATE]
    by_link = {(p.a, p.b): p for p in pairs}
    clusters, refused = build_clusters(
        links,
        identifiers=lambda i: (feats[i].doi, feats[i].pmid),
        conflict=lambda x, y: compare(feats[x], feats[y]).conflict,
    )
    weight = [completeness(r) for r in records]
    primaries = tuple(int(choose_primary(c, weight.__getitem__)) for c in clusters)
    return DedupResult(
        pairs=tuple(pairs),
        clusters=tuple(tuple(int(i) for i in c) for c in clusters),
        primaries=primaries,
        refused=tuple(by_link[(int(r.a), int(r.b))] for r in refused),
    )
