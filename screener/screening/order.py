"""The order of a reviewer's screening queue: most relevant first, file order or random.

``auto`` (the default) is most relevant first once the reviewer has made at least one include
and one exclude (the model needs both), file order before. ``random`` is a permutation fixed
by a seed: a record's place is a keyed hash of its id, so the order is the same on every
machine and records added later fall in at random places without moving the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from screener.errors import InvalidInputError

if TYPE_CHECKING:
    import numpy as np

__all__ = ["MODE_LABELS", "QueueMode", "QueueOrder", "RankingInfo", "parse_mode", "random_order"]


class QueueMode(StrEnum):
    AUTO = "auto"
    RELEVANCE = "relevance"
    FILE = "file"
    RANDOM = "random"


MODE_LABELS = {
    QueueMode.AUTO: "automatic",
    QueueMode.RELEVANCE: "most relevant first",
    QueueMode.FILE: "file order",
    QueueMode.RANDOM: "random order",
}

_ALIASES = {
    "relevant": QueueMode.RELEVANCE,
    "rank": QueueMode.RELEVANCE,
    "ranked": QueueMode.RELEVANCE,
    "file-order": QueueMode.FILE,
    "id": QueueMode.FILE,
}


def parse_mode(value: QueueMode | str) -> QueueMode:
    """A queue mode from what a user typed (any case; a few aliases)."""
    text = str(value).strip().lower()
    try:
        return _ALIASES.get(text) or QueueMode(text)
    except ValueError:
        names = ", ".join(m.value for m in QueueMode)
        raise InvalidInputError(f"unknown queue order {value!r}; choose one of: {names}") from None


@dataclass(frozen=True, slots=True)
class RankingInfo:
    """What a reviewer's ranking was trained on, and when."""

    labels: int
    includes: int
    trained_at: str
    seconds: float
    model: str

    @property
    def excludes(self) -> int:
        return self.labels - self.includes


@dataclass(frozen=True, slots=True)
class QueueOrder:
    """A reviewer's chosen ``mode`` and the order it gives now (``effective``: never auto)."""

    reviewer: str
    mode: QueueMode
    effective: QueueMode
    seed: int
    ranking: RankingInfo | None = None
    sampling: bool = False  # random order walks the stopping rule's running sample

    def describe(self) -> str:
        """e.g. "most relevant first (automatic; model of 14 decisions)"."""
        text = MODE_LABELS[self.effective]
        if self.mode is QueueMode.AUTO:
            text += " (automatic" + (
                ""
                if self.effective is QueueMode.RELEVANCE
                else ": most relevant first after an include and an exclude"
            )
            text += ")"
        if self.effective is QueueMode.RELEVANCE:
            text += (
                "; ranking pending"
                if self.ranking is None
                else f"; model of {self.ranking.labels:,} decisions"
            )
        if self.effective is QueueMode.RANDOM:
            text += f", seed {self.seed}" + ("; stopping-rule sample" if self.sampling else "")
        return text


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijection of uint64 that spreads every input bit."""
    import numpy as np

    with np.errstate(over="ignore"):
        z = values + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def random_order(ids: Sequence[int] | np.ndarray, seed: int) -> np.ndarray:
    """``ids`` in the random order fixed by ``seed`` (see the module docstring)."""
    import numpy as np

    values = np.asarray(ids, dtype=np.int64)
    key = _mix(values.astype(np.uint64) ^ _mix(np.full(values.shape, seed, dtype=np.uint64)))
    return values[np.argsort(key, kind="stable")]
