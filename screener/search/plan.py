"""Splitting a search by publication date until every slice is under PubMed's paging cap.

PubMed lets one search page through only its first 10,000 records. A larger result is cut
into date ranges, halved recursively (down to single days) until each range matches at most
the cap. A day that still matches more is kept and reported: its surplus cannot be reached.
The union of the slices is checked against the count of the whole search; any difference is
reported, never hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from screener.errors import ScreenerError
from screener.queries import SavedQuery
from screener.search.client import EntrezClient

__all__ = ["Plan", "Slice", "make_plan", "parse_date", "format_date"]

EARLIEST = date(1000, 1, 1)
"""Where an open-ended split starts: earlier than any date PubMed holds."""


@dataclass(frozen=True, slots=True)
class Slice:
    """A publication-date range of the search ("" = no limit) and what PubMed counted in it."""

    date_from: str
    date_to: str
    count: int

    def to_json(self) -> dict[str, Any]:
        return {"from": self.date_from, "to": self.date_to, "count": self.count}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Slice:
        return cls(value["from"], value["to"], int(value["count"]))


@dataclass(frozen=True, slots=True)
class Plan:
    """How a search will be fetched: its count, date slices, and what did not add up."""

    count: int
    slices: tuple[Slice, ...]
    identified: int
    translation: str = ""
    webenv: str = ""
    query_key: str = ""
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "slices": [s.to_json() for s in self.slices],
            "identified": self.identified,
            "translation": self.translation,
            "webenv": self.webenv,
            "query_key": self.query_key,
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Plan:
        return cls(
            int(value["count"]),
            tuple(Slice.from_json(s) for s in value["slices"]),
            int(value["identified"]),
            value.get("translation", ""),
            value.get("webenv", ""),
            value.get("query_key", ""),
            tuple(value.get("notes", ())),
        )


_DATE = re.compile(r"^\s*(\d{4})(?:[/.-](\d{1,2}))?(?:[/.-](\d{1,2}))?\s*$")


def parse_date(value: str, *, end: bool = False) -> date | None:
    """``"2024"``, ``"2024/06"`` or ``"2024/06/30"``; a partial date is its first day (its last
    with ``end``). None for ""."""
    if not value or not value.strip():
        return None
    match = _DATE.match(value)
    if not match:
        raise ScreenerError(
            f"cannot read the date {value!r}; write it as YYYY/MM/DD, YYYY/MM or YYYY"
        )
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    try:
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if day is None:
            first = date(year, int(month), 1)
            if not end:
                return first
            following = date(year + (first.month == 12), first.month % 12 + 1, 1)
            return following - timedelta(days=1)
        return date(year, int(month), int(day))
    except ValueError:
        raise ScreenerError(f"{value!r} is not a calendar date") from None


def format_date(value: date) -> str:
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def make_plan(
    client: EntrezClient,
    query: SavedQuery,
    *,
    cap: int,
    today: date,
    on_probe: Callable[[int], None] | None = None,
) -> tuple[Plan, dict[int, tuple[str, tuple[str, ...]]]]:
    """Search ``query`` and, if it matches more than ``cap`` records, slice it by date.

    Returns the plan and, per slice index, the (WebEnv, PMIDs) its search returned: each
    range is searched once with ``retmax=cap``, so a slice small enough costs one request.
    ``on_probe(n)`` is told how many searches have been made so far.
    """
    first = client.esearch(
        query.text,
        retmax=cap,
        mindate=query.date_from,
        maxdate=query.date_to,
        datetype=query.date_type,
    )
    probes = 1
    notes = [f"PubMed says: {w}" for w in first.warnings]
    if first.count <= cap:
        single = Slice(query.date_from, query.date_to, first.count)
        ids = {0: (f"{first.webenv}\t{first.query_key}", first.ids)}
        plan = Plan(
            first.count,
            (single,),
            len(set(first.ids)),
            first.translation,
            first.webenv,
            first.query_key,
            tuple(notes + _difference(first.count, len(set(first.ids)))),
        )
        return plan, ids
    low = parse_date(query.date_from) or EARLIEST
    # Publication dates run ahead of today (issues dated next year); leave room for them.
    high = parse_date(query.date_to, end=True) or date(today.year + 3, 12, 31)
    if high < low:
        raise ScreenerError(f"date_from {query.date_from} is after date_to {query.date_to}")
    slices: list[Slice] = []
    found: dict[int, tuple[str, tuple[str, ...]]] = {}
    stack = [(low, high)]
    while stack:
        start, stop = stack.pop()
        result = client.esearch(
            query.text,
            retmax=cap,
            mindate=format_date(start),
            maxdate=format_date(stop),
            datetype=query.date_type,
        )
        probes += 1
        if on_probe is not None:
            on_probe(probes)
        if result.count > cap and start < stop:
            middle = start + (stop - start) // 2
            stack.append((middle + timedelta(days=1), stop))
            stack.append((start, middle))
            continue
        if result.count == 0:
            continue
        if result.count > cap:
            notes.append(
                f"{format_date(start)} alone matches {result.count:,} records; PubMed pages "
                f"through only {cap:,}, so {result.count - cap:,} cannot be retrieved"
            )
        found[len(slices)] = (f"{result.webenv}\t{result.query_key}", result.ids)
        slices.append(Slice(format_date(start), format_date(stop), result.count))
    union: set[str] = set()
    for _, slice_ids in found.values():
        union.update(slice_ids)
    notes += _difference(first.count, len(union))
    plan = Plan(
        first.count,
        tuple(slices),
        len(union),
        first.translation,
        first.webenv,
        first.query_key,
        tuple(notes),
    )
    return plan, found


def _difference(count: int, identified: int) -> list[str]:
    if identified == count:
        return []
    return [
        f"PubMed reported {count:,} records but the searches returned {identified:,} distinct "
        f"PMIDs ({identified - count:+,})"
    ]
