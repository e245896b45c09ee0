"""Keys that would change a read-only review say so instead of trying.

A review file (or its folder) that cannot be written opens read-only
(:attr:`screener.project.Project.read_only`): every screen can be looked at; an action marked
:func:`writes` tells the reviewer, and the façade refuses any write that slips through with a
:class:`~screener.errors.ReviewFileError`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

__all__ = ["READ_ONLY_MESSAGE", "writes"]

READ_ONLY_MESSAGE = "this review is open read-only: nothing can be changed here"

Action = TypeVar("Action", bound=Callable[..., Any])


def writes(action: Action) -> Action:
    """Mark a screen's method as one that changes the review: on a read-only review it shows
    :data:`READ_ONLY_MESSAGE` and does nothing."""

    @wraps(action)
    def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
        if self.app.project.read_only:
            self.notify(READ_ONLY_MESSAGE, severity="warning")
            return None
        return action(self, *args, **kwargs)

    return guarded  # type: ignore[return-value]
