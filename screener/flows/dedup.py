"""Deduplication over a review: run the matcher, store its verdicts, keep clusters up to date,
take a person's verdicts. Each writer is one transaction, committed before it returns.

Incremental by default: a run compares only records added since the last run with all the
others. A person's verdict is never overwritten by a run; a cluster whose primary record carries
screening decisions keeps that primary.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import sqlite_utils

from screener.dedup import DedupReport, PairOutcome, QueuedPair
from screener.dedup.blocking import drop_shared_dois, match, shares_key
from screener.dedup.cluster import Link, build_clusters
from screener.dedup.prepare import Features, completeness, features
from screener.dedup.rule import compare
from screener.errors import InvalidInputError
from screener.records import Record
from screener.storage import dedup as store
from screener.storage.db import now, transaction
from screener.storage.records import count_records, count_screened
from screener.storage.review import reviewer_id

__all__ = ["decide", "find_duplicates", "queue", "report", "undo"]

Progress = Callable[[int, int | None], None]
_GUARD = "chain_guard:"  # rule prefix of a merge the chaining guard refused


def find_duplicates(
    db: sqlite_utils.Database, *, full: bool = False, progress: Progress | None = None
) -> DedupReport:
    """Compare the review's records (only the new ones unless ``full``), store the verdicts and
    rebuild the clusters."""
    started = time.monotonic()
    loaded = store.load_records(db)
    ids = [i for i, _ in loaded]
    last = 0 if full else store.last_compared_id(db)
    new = [i > last for i in ids]
    n = len(ids)
    feats: list[Features] = []
    for k, (_, record) in enumerate(loaded):
        feats.append(features(record))
        if progress is not None and k % 2000 == 0:
            progress(k, 2 * n)
    feats = drop_shared_dois(feats)
    verdicts = []
    if any(new):
        verdicts = match(
            feats,
            new=None if full else new,
            progress=None if progress is None else lambda d, t: progress(n + d, 2 * n),
        )
    with transaction(db):
        stamp = now()
        if full:
            store.delete_rule_pairs(db)
        store.upsert_rule_pairs(
            db,
            ((ids[v.a], ids[v.b], round(v.score, 4), v.outcome, v.rule) for v in verdicts),
            decided_at=stamp,
        )
        by_id = {i: (f, r) for i, f, (_, r) in zip(ids, feats, loaded, strict=True)}
        refused = _rebuild_clusters(db, lambda wanted: {i: by_id[i] for i in wanted if i in by_id})
        if ids:
            store.set_last_compared_id(db, max(max(ids), last))
    if progress is not None:
        progress(2 * n, 2 * n)
    done = report(db)
    return DedupReport(
        records=done.records,
        new_records=sum(new),
        automatic=done.automatic,
        queued=done.queued,
        decided_same=done.decided_same,
        decided_apart=done.decided_apart,
        clusters=done.clusters,
        duplicates_removed=done.duplicates_removed,
        refused=refused,
        seconds=round(time.monotonic() - started, 3),
    )


def report(db: sqlite_utils.Database) -> DedupReport:
    """The review's deduplication state, without comparing anything."""
    counts = store.count_pairs(db)
    records = count_records(db)
    return DedupReport(
        records=records,
        automatic=counts.get(("rule", PairOutcome.DUPLICATE), 0),
        queued=len(store.queue(db)),
        decided_same=counts.get(("person", PairOutcome.DUPLICATE), 0),
        decided_apart=counts.get(("person", PairOutcome.DISTINCT), 0),
        clusters=store.count_clusters(db),
        duplicates_removed=records - count_screened(db),
    )


def queue(db: sqlite_utils.Database) -> list[QueuedPair]:
    return store.queue(db)


def _pair_records(db: sqlite_utils.Database, pair: int | tuple[int, int]) -> tuple[int, int]:
    if isinstance(pair, tuple):
        a, b = pair
        if a == b:
            raise InvalidInputError("a record cannot be a duplicate of itself")
        found = {i for i, _ in store.load_records(db, (a, b))}
        for r in (a, b):
            if r not in found:
                raise InvalidInputError(f"no record with id {r} in this review")
        return min(a, b), max(a, b)
    row = store.get_pair(db, int(pair))
    return row.record_a, row.record_b


def decide(
    db: sqlite_utils.Database, pair: int | tuple[int, int], same: bool, reviewer: str
) -> int:
    """A person's verdict on a pair (by pair id or by its two record ids); returns the pair id.
    The clusters of the two records are rebuilt at once."""
    with transaction(db):
        a, b = _pair_records(db, pair)
        pair_id = store.set_person_verdict(
            db, a, b, same=same, reviewer_id=reviewer_id(db, reviewer), decided_at=now()
        )
        _rebuild_clusters(db, _loader(db), scope={a, b})
    return pair_id


def undo(
    db: sqlite_utils.Database,
    pair: int | tuple[int, int] | None = None,
    *,
    reviewer: str | None = None,
) -> int | None:
    """Take back a person's verdict (the given pair's, or the last one ``reviewer`` made); the
    pair returns to the rule's verdict. Returns the pair id, or None when there was nothing."""
    with transaction(db):
        if pair is None:
            rid = reviewer_id(db, reviewer) if reviewer else None
            row = store.last_person_pair(db, rid)
            if row is None:
                return None
        else:
            a, b = _pair_records(db, pair)
            row = store.find_pair(db, a, b)
            if row is None or row.decided_by != "person":
                raise InvalidInputError(f"records {a} and {b} carry no person's verdict to undo")
        records = dict(store.load_records(db, (row.record_a, row.record_b)))
        fa, fb = features(records[row.record_a]), features(records[row.record_b])
        verdict = compare(fa, fb, anchored=shares_key(fa, fb))
        if verdict.outcome == PairOutcome.DISTINCT:
            store.delete_pair(db, row.id)
        else:
            store.restore_rule_verdict(
                db,
                row.id,
                outcome=verdict.outcome,
                score=round(verdict.score, 4),
                rule=verdict.rule,
                decided_at=now(),
            )
        _rebuild_clusters(db, _loader(db), scope={row.record_a, row.record_b})
        return row.id


# --- clusters -----------------------------------------------------------------------------------

Loader = Callable[[Iterable[int]], dict[int, tuple[Features, Record]]]


def _loader(db: sqlite_utils.Database) -> Loader:
    def load(wanted: Iterable[int]) -> dict[int, tuple[Features, Record]]:
        return {i: (features(r), r) for i, r in store.load_records(db, wanted)}

    return load


def _rebuild_clusters(
    db: sqlite_utils.Database, load: Loader, *, scope: set[int] | None = None
) -> int:
    """Recompute clusters from the stored pairs (within the records linked to ``scope``, or
    everywhere); returns how many rule merges the chaining guard refused."""
    region: set[int] | None = None
    if scope is None:
        rows, existing = store.pairs(db), store.clusters(db)
    else:
        region, rows, existing = store.pairs_around(db, scope, guard_prefix=_GUARD)

    def inside(*xs: int) -> bool:
        return region is None or all(x in region for x in xs)

    links, apart, pair_of = [], set(), {}
    for row in rows:
        if not inside(row.record_a, row.record_b):
            continue
        # A rule merge the guard refused before is tried again: the records around it may
        # have changed since.
        if row.outcome == PairOutcome.DUPLICATE or row.rule.startswith(_GUARD):
            links.append(
                Link(
                    row.record_a,
                    row.record_b,
                    row.score if row.score is not None else 1.0,
                    forced=row.decided_by == "person",
                )
            )
            pair_of[(row.record_a, row.record_b)] = row
        elif row.decided_by == "person":
            apart.add(frozenset((row.record_a, row.record_b)))
    involved = {x for link in links for x in (link.a, link.b)}
    data = load(involved)
    groups, refused = build_clusters(
        links,
        identifiers=lambda x: (data[x][0].doi, data[x][0].pmid),
        apart=apart,
        conflict=lambda x, y: compare(data[x][0], data[y][0]).conflict,
    )
    refused_pairs = {(link.a, link.b) for link in refused}
    for key, row in pair_of.items():
        if row.decided_by != "rule":
            continue
        if key in refused_pairs and not row.rule.startswith(_GUARD):
            store.set_rule_verdict(db, row.id, outcome=PairOutcome.POSSIBLE, rule=_GUARD + row.rule)
        elif key not in refused_pairs and row.rule.startswith(_GUARD):
            store.set_rule_verdict(
                db, row.id, outcome=PairOutcome.DUPLICATE, rule=row.rule[len(_GUARD) :]
            )

    decided = store.records_with_decisions(db, region)
    was_primary = {primary for primary, _ in existing.values()}
    member_info: dict[int, tuple[str, float | None]] = {}
    for link in links:
        for x in (link.a, link.b):
            by, score = member_info.get(x, ("rule", None))
            member_info[x] = (
                "person" if link.forced or by == "person" else "rule",
                max(score or 0.0, link.score),
            )
    chosen = []
    for members in groups:
        # A record people have screened stays the one screened; otherwise the earlier primary,
        # otherwise the most complete record (the earliest of equals).
        primary = max(
            members,
            key=lambda m: (
                m in was_primary and m in decided,
                decided.get(m, 0),
                m in was_primary,
                completeness(data[m][1]),
                -m,
            ),
        )
        chosen.append((primary, members))
    store.apply_clusters(db, chosen, existing=existing, member_info=member_info, created_at=now())
    return len(refused)
