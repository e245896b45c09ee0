"""Who screens: a review's declared reviewers and what each role may do.

A review declares its reviewers; a name nobody declared is refused, so a typo cannot become a
new reviewer. Roles, least to most: a ``screener`` screens; an ``arbiter`` also resolves
conflicts and sees both decisions of every conflict; a ``lead`` also changes settings, adds
reviewers and gives roles. While screening, every role screens blind (in a blind review): a
reviewer sees no other decision on a record before deciding it too.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ROLES", "Reviewer"]

ROLES = ("screener", "arbiter", "lead")
"""The roles, least to most."""


@dataclass(frozen=True, slots=True)
class Reviewer:
    """A declared reviewer: the name as declared and the role."""

    name: str
    role: str

    @property
    def resolves(self) -> bool:
        """Whether this reviewer may resolve conflicts (and see every conflict)."""
        return self.role in ("arbiter", "lead")

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"
