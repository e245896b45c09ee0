"""What the search tests share besides fixtures (a module of its own: ``conftest`` is a name
every test folder has, so importing from it picks whichever folder pytest loaded first)."""

from __future__ import annotations

import threading

EMAIL = "reviewer@example.org"


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it; records the sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def time(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += max(0.0, seconds)
