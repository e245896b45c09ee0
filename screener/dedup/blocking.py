"""Blocking and matching: which pairs to compare, and the rule's verdict on each.

Records sharing a blocking key (an identifier, the first or last words of a title, first author
+ year, year + volume + first page, ISSN + volume + first page ...) are compared; the cost grows
with the sizes of the blocks, close to linearly in the number of records. A block larger than
``max_block`` is compared only within a sliding window of its records sorted by title, so one
very common key (a frequent surname and year) cannot make the cost quadratic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from screener.dedup.prepare import Features
from screener.dedup.rule import PairOutcome, Verdict, compare

__all__ = ["PairVerdict", "block", "drop_shared_dois", "match", "match_all_pairs", "shares_key"]

_IDENTIFIER_KEYS = ("d:", "p:", "c:")
MAX_BLOCK = 400
WINDOW = 40


@dataclass(frozen=True, slots=True)
class PairVerdict:
    """The rule's verdict on records ``a`` < ``b`` (positions in the input)."""

    a: int
    b: int
    outcome: str
    score: float
    rule: str


def shares_key(a: Features, b: Features) -> bool:
    """True when two records share a blocking key other than an identifier."""
    keys = {k for k in a.keys if not k.startswith(_IDENTIFIER_KEYS)}
    return any(k in keys for k in b.keys if not k.startswith(_IDENTIFIER_KEYS))


def drop_shared_dois(feats: Sequence[Features], *, titles: int = 3) -> list[Features]:
    """Forget DOIs that records with ``titles`` or more different titles carry.

    A conference supplement or a book sometimes has one DOI for all its abstracts or chapters;
    such a DOI identifies the volume, not the work, and would otherwise send every pair of its
    abstracts to the queue.
    """
    by_doi: dict[str, set[str]] = defaultdict(set)
    for f in feats:
        if f.doi:
            by_doi[f.doi].add(f.title_compact[:40])
    shared = {doi for doi, found in by_doi.items() if len(found) >= titles}
    if not shared:
        return list(feats)
    out = []
    for f in feats:
        if f.doi in shared:
            f = replace(f, doi="", keys=tuple(k for k in f.keys if k != "d:" + f.doi))
        out.append(f)
    return out


def block(feats: Sequence[Features]) -> dict[str, list[int]]:
    """Blocking key -> positions of the records carrying it (blocks of one are left out)."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(feats):
        for key in f.keys:
            blocks[key].append(i)
    return {k: v for k, v in blocks.items() if len(v) > 1}


def _rankings(
    feats: Sequence[Features], blocks: dict[str, list[int]], max_block: int
) -> list[tuple[list[int], dict[int, int]] | None]:
    """For each block over ``max_block``, its members sorted by title and each one's rank."""
    out: list[tuple[list[int], dict[int, int]] | None] = []
    for members in blocks.values():
        if len(members) <= max_block:
            out.append(None)
            continue
        ranked = sorted(members, key=lambda i: feats[i].title_compact)
        out.append((ranked, {i: pos for pos, i in enumerate(ranked)}))
    return out


def match(
    feats: Sequence[Features],
    *,
    new: Sequence[bool] | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    max_block: int = MAX_BLOCK,
    window: int = WINDOW,
) -> list[PairVerdict]:
    """Compare every pair of records that shares a blocking key; return the pairs judged
    duplicate or possible.

    With ``new`` (one flag per record), only pairs with at least one new record are compared:
    the incremental run after an import.
    """
    feats = drop_shared_dois(feats)
    blocks = block(feats)
    rankings = _rankings(feats, blocks, max_block)
    key_index = {k: n for n, k in enumerate(blocks)}
    block_lists = list(blocks.values())
    out: list[PairVerdict] = []
    total = len(feats)
    for i, fi in enumerate(feats):
        if progress is not None and i % 2000 == 0:
            progress(i, total)
        i_new = new is None or new[i]
        seen: set[int] = set()
        identifier_partners: set[int] = set()
        for key in fi.keys:
            n = key_index.get(key)
            if n is None:
                continue
            members = block_lists[n]
            ranking = rankings[n]
            if ranking is None:
                candidates: Iterable[int] = members
            else:
                ranked, rank = ranking
                p = rank[i]
                candidates = ranked[max(0, p - window) : p + window + 1]
            is_identifier = key.startswith(_IDENTIFIER_KEYS)
            for j in candidates:
                if j <= i or (not i_new and not new[j]):  # type: ignore[index]
                    continue
                if is_identifier:
                    identifier_partners.add(j)
                else:
                    seen.add(j)
        for j in seen | identifier_partners:
            verdict = compare(fi, feats[j], anchored=j in seen)
            if verdict.outcome != PairOutcome.DISTINCT:
                out.append(PairVerdict(i, j, verdict.outcome, verdict.score, verdict.rule))
    if progress is not None:
        progress(total, total)
    return out


def match_all_pairs(feats: Sequence[Features]) -> list[PairVerdict]:
    """The obvious quadratic matcher: every pair, same rule. For tests of :func:`match`."""
    feats = drop_shared_dois(feats)
    out = []
    for i in range(len(feats)):
        for j in range(i + 1, len(feats)):
            verdict: Verdict = compare(feats[i], feats[j], anchored=shares_key(feats[i], feats[j]))
            if verdict.outcome != PairOutcome.DISTINCT:
                out.append(PairVerdict(i, j, verdict.outcome, verdict.score, verdict.rule))
    return out
