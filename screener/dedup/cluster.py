"""Clusters from pairs: union-find with a guard against chaining distinct records together.

A chain A=B, B=C can join A and C although A and C are different works (a conference abstract
like both, two parts of a series ...). Before two groups are joined every cross pair is checked:
no two records with different PMIDs, no pair a person kept apart, no pair the rule found in hard
conflict, and no two records with different DOIs unless each such pair was checked and the rule
found no conflict (it finds one for every such pair but one text under two DOIs). Links are
taken strongest first, so a weak link cannot pull a record away from its strong partner.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Link", "build_clusters", "choose_primary"]

_CHECK_LIMIT = 400  # cross pairs checked one by one; bigger joins check identifiers only

K = TypeVar("K", bound=Hashable)
"""What a cluster is made of: record ids in a review, list positions in memory."""


@dataclass(frozen=True, slots=True)
class Link(Generic[K]):
    """A merge to make: ``forced`` links come from a person and bypass the rule's conflicts."""

    a: K
    b: K
    score: float = 1.0
    forced: bool = False


def build_clusters(
    links: Iterable[Link[K]],
    *,
    identifiers: Callable[[K], tuple[str, str]],
    apart: set[frozenset[K]] | None = None,
    conflict: Callable[[K, K], bool] | None = None,
) -> tuple[list[list[K]], list[Link[K]]]:
    """Join linked records into clusters.

    Parameters
    ----------
    links
        Pairs to merge. Person links (``forced``) go first, then rule links by score.
    identifiers
        ``item -> (doi, pmid)``; a cluster never holds two different PMIDs, nor two different
        DOIs unless ``conflict`` checked every pair of them and passed it.
    apart
        Pairs (as frozensets) a person said are different; never in one cluster.
    conflict
        ``(x, y) -> True`` when the rule sees hard evidence that x and y differ.

    Returns
    -------
    (clusters, refused)
        Clusters of two or more items, each sorted; and the links the guard refused.
    """
    apart = apart or set()
    parent: dict[K, K] = {}
    members: dict[K, list[K]] = {}
    dois: dict[K, set[str]] = {}
    pmids: dict[K, set[str]] = {}

    def find(x: K) -> K:
        if x not in parent:
            parent[x] = x
            members[x] = [x]
            doi, pmid = identifiers(x)
            dois[x] = {doi} if doi else set()
            pmids[x] = {pmid} if pmid else set()
            return x
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    refused: list[Link] = []
    ordered = sorted(links, key=lambda link: (not link.forced, -link.score))
    for link in ordered:
        ra, rb = find(link.a), find(link.b)
        if ra == rb:
            continue
        # Two DOIs in one cluster only when every cross pair was checked by ``conflict`` (which
        # lets one text under two DOIs through: a DOI recorded wrongly by one database).
        checked = (
            conflict is not None
            and not link.forced
            and len(members[ra]) * len(members[rb]) <= _CHECK_LIMIT
        )
        if (len(dois[ra] | dois[rb]) > 1 and not checked) or len(pmids[ra] | pmids[rb]) > 1:
            refused.append(link)
            continue
        if _blocked(members[ra], members[rb], apart, None if link.forced else conflict):
            refused.append(link)
            continue
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
        parent[rb] = ra
        members[ra].extend(members.pop(rb))
        dois[ra] |= dois.pop(rb)
        pmids[ra] |= pmids.pop(rb)
    clusters = [sorted(m, key=_sort_key) for m in members.values() if len(m) > 1]
    clusters.sort(key=lambda c: _sort_key(c[0]))
    return clusters, refused


def _sort_key(x: Hashable) -> tuple:
    return (0, x) if isinstance(x, int) else (1, str(x))


def _blocked(
    xs: Sequence[K],
    ys: Sequence[K],
    apart: set[frozenset[K]],
    conflict: Callable[[K, K], bool] | None,
) -> bool:
    if apart:
        for x in xs:
            for y in ys:
                if frozenset((x, y)) in apart:
                    return True
    if conflict is not None and len(xs) * len(ys) <= _CHECK_LIMIT:
        for x in xs:
            for y in ys:
                if conflict(x, y):
                    return True
    return False


def choose_primary(
    members: Sequence[K], completeness: Callable[[K], int], *, keep: K | None = None
) -> K:
    """The record screened for the cluster: ``keep`` when it is a member (a primary that
    already carries screening decisions stays), otherwise the most complete, earliest first."""
    if keep is not None and keep in members:
        return keep
    return max(members, key=lambda m: (completeness(m), _neg(m)))


def _neg(x: Hashable) -> tuple:
    return (-x,) if isinstance(x, int) else (0,)
