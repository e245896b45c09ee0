"""Dual extraction: what two extractors disagree on, and the value each field ends with."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from screener.extraction.numbers import same_number
from screener.extraction.values import Discrepancy, ExtractionValue, ValueKey

__all__ = ["FinalValues", "compare", "final_values", "same_value"]


def same_value(a: str, b: str) -> bool:
    """Equal as numbers when both are numbers (``12.0`` = ``12``), else as words (case and
    spacing aside)."""
    if same_number(a, b):
        return True
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def compare(values: Iterable[ExtractionValue], first: str, second: str) -> list[Discrepancy]:
    """Every field where extractor ``first`` and ``second`` differ, or only one gave a value,
    on the studies both have worked on; in study, outcome, timepoint, subgroup, field order."""
    mine: dict[ValueKey, str] = {}
    theirs: dict[ValueKey, str] = {}
    studies: dict[str, set[str]] = defaultdict(set)
    for v in values:
        if v.role != "extractor" or v.reviewer not in (first, second):
            continue
        (mine if v.reviewer == first else theirs)[v.key] = v.value
        studies[v.key.study].add(v.reviewer)
    both = {s for s, who in studies.items() if len(who) == 2}
    out = []
    for key in sorted(set(mine) | set(theirs)):
        if key.study not in both:
            continue
        a, b = mine.get(key, ""), theirs.get(key, "")
        if not (a and b and same_value(a, b)):
            out.append(Discrepancy(key, ((first, a), (second, b))))
    return out


@dataclass(frozen=True, slots=True)
class FinalValues:
    """The value each field ends with, and the disagreements still open."""

    values: dict[ValueKey, ExtractionValue]
    unresolved: list[Discrepancy]


def final_values(values: Iterable[ExtractionValue]) -> FinalValues:
    """A consensus value wins; otherwise the extractors' value when they agree (or only one
    gave one); extractors who disagree leave the field unresolved."""
    by_key: dict[ValueKey, list[ExtractionValue]] = defaultdict(list)
    for v in values:
        by_key[v.key].append(v)
    final: dict[ValueKey, ExtractionValue] = {}
    open_: list[Discrepancy] = []
    for key in sorted(by_key):
        found = by_key[key]
        agreed = [v for v in found if v.role == "consensus"]
        if agreed:
            final[key] = max(agreed, key=lambda v: v.entered_at)
            continue
        first = found[0]
        if all(same_value(v.value, first.value) for v in found[1:]):
            final[key] = min(found, key=lambda v: v.entered_at)
        else:
            open_.append(Discrepancy(key, tuple((v.reviewer, v.value) for v in found)))
    return FinalValues(final, open_)
