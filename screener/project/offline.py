"""The façade's offline-copy verbs: a blind copy for one reviewer, and merging it back."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from screener.project._base import ProjectBase

if TYPE_CHECKING:
    from screener.flows.offline import Checkout, MergeSummary

__all__ = ["OfflineVerbs"]


class OfflineVerbs(ProjectBase):
    def checkout(self, reviewer: str, out: str | Path) -> Checkout:
        """Write to ``out`` a copy of the review for declared ``reviewer`` to work on offline:
        blind (none of the others' work that is not final) and marked as whose it is."""
        from screener.flows import offline

        return offline.checkout(self.db, self.path, reviewer, out)

    def merge(self, copy: str | Path) -> MergeSummary:
        """Bring back what the copy's reviewer did in the copy at ``copy`` (decisions, undos,
        notes, tags, full-text entries, extraction values, judgements), as appended history,
        in one transaction; merging it again adds nothing twice."""
        from screener.flows import offline

        return offline.merge(self.db, self.path, copy)
