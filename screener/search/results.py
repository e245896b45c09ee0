"""What a search run reports: the search log line for PRISMA-S and the PRISMA count."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SearchRunResult"]


@dataclass(frozen=True, slots=True)
class SearchRunResult:
    """One run of a saved strategy against a database.

    ``count_reported`` is what the database said the query matched; ``count_fetched`` how many
    of those PMIDs the review now holds (fetched by this run or already there); ``count_new``
    the records this run added. ``notes`` lists what did not add up (slices over the cap,
    PMIDs efetch never returned, a union that differs from the count).
    """

    id: int
    database: str
    query_name: str
    query_file: str
    query_text: str
    date_from: str
    date_to: str
    started_at: str
    finished_at: str
    status: str
    count_reported: int | None
    count_fetched: int
    count_new: int
    notes: tuple[str, ...] = ()
    slices: int = 0
    translation: str = ""
