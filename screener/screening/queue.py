"""The screening queue: which records a reviewer goes through, in which order.

Records come in the order they entered the review (record id: file by file, entry by entry),
so two reviewers meet the same records in the same order and a reviewer's place is stable.
Filters:

``undecided``  records this reviewer has not decided at the stage (the default)
``mine``       records this reviewer has decided
``maybe``      records this reviewer marked maybe
``included``   records this reviewer included
``conflicts``  records in an unresolved conflict at the stage (in a blind review, only those
               the reviewer has decided: others' disagreements are theirs)
``tag``        records carrying a tag (in a blind review, only the reviewer's own tags count)
``all``        every record of the stage

A reviewer's decision on a record is their decision on its screening unit, as the view
``unit_decision`` counts it: a decision made on a record that dedup later merged into a cluster
counts for the cluster's primary record (the one screened), the latest one winning. Only the
reviewer's own decisions decide which records are theirs.

Storage runs these as SQL; :func:`select` is the plain-Python statement of the same rules,
used by the tests to check the SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from screener.errors import InvalidInputError
from screener.model import Choice, StageOutcome, stage_outcome

__all__ = ["QueueFilter", "RecordState", "matches", "parse_filter", "select"]


class QueueFilter(StrEnum):
    UNDECIDED = "undecided"
    MINE = "mine"
    MAYBE = "maybe"
    INCLUDED = "included"
    CONFLICTS = "conflicts"
    TAG = "tag"
    ALL = "all"


def parse_filter(
    value: QueueFilter | str, tag: str | None = None
) -> tuple[QueueFilter, str | None]:
    """A filter and its tag from what a user gave (``"tag:rct"`` is accepted)."""
    text = str(value).strip()
    if text.lower().startswith("tag:"):
        text, tag = "tag", text[4:]
    try:
        flt = QueueFilter(text.lower())
    except ValueError:
        names = ", ".join(f.value for f in QueueFilter)
        raise InvalidInputError(f"unknown filter {value!r}; choose one of: {names}") from None
    if flt is QueueFilter.TAG:
        tag = (tag or "").strip()
        if not tag:
            raise InvalidInputError("the tag filter needs a tag name (e.g. tag:rct)")
        return flt, tag
    return flt, None


@dataclass(frozen=True, slots=True)
class RecordState:
    """What the queue needs to know about one record at one stage."""

    record_id: int
    mine: Choice | None = None
    others: tuple[Choice, ...] = ()
    my_tags: frozenset[str] = field(default_factory=frozenset)
    other_tags: frozenset[str] = field(default_factory=frozenset)
    resolution: Choice | None = None


def matches(
    state: RecordState,
    flt: QueueFilter,
    *,
    tag: str | None = None,
    needed: int = 1,
    maybe_counts_as: Choice | str = Choice.INCLUDE,
    blind: bool = True,
) -> bool:
    """Whether one record belongs in the queue under ``flt``."""
    if flt is QueueFilter.ALL:
        return True
    if flt is QueueFilter.UNDECIDED:
        return state.mine is None
    if flt is QueueFilter.MINE:
        return state.mine is not None
    if flt is QueueFilter.MAYBE:
        return state.mine is Choice.MAYBE
    if flt is QueueFilter.INCLUDED:
        return state.mine is Choice.INCLUDE
    if flt is QueueFilter.CONFLICTS:
        if blind and state.mine is None:
            return False
        choices = ([state.mine] if state.mine else []) + list(state.others)
        return (
            stage_outcome(
                choices, needed=needed, maybe_counts_as=maybe_counts_as, resolution=state.resolution
            )
            is StageOutcome.CONFLICT
        )
    if flt is QueueFilter.TAG:
        tags = state.my_tags if blind else state.my_tags | state.other_tags
        return tag in tags
    raise ValueError(flt)


def select(states: Iterable[RecordState], flt: QueueFilter, **options: object) -> list[int]:
    """Record ids of ``states`` in queue order (by id) that pass ``flt``."""
    return sorted(s.record_id for s in states if matches(s, flt, **options))  # type: ignore[arg-type]
