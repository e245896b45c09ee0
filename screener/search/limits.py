"""Request pacing and retry delays, with the clock and sleep injectable so tests never wait."""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["Backoff", "RateLimiter"]

Clock = Callable[[], float]
Sleep = Callable[[float], object]


class RateLimiter:
    """At most ``per_second`` request starts in any one-second window, across threads.

    A sliding window over the last ``per_second`` start times: a burst may use the whole
    allowance at once, then each further request waits for the oldest to fall out of the
    window. ``margin`` keeps the window strictly longer than a second, so a server counting
    requests per clock second never sees one too many.
    """

    def __init__(
        self,
        per_second: int,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        margin: float = 0.01,
    ) -> None:
        if per_second < 1:
            raise ValueError("per_second must be at least 1")
        self.per_second = per_second
        self._clock = clock
        self._sleep = sleep
        self._window = 1.0 + margin
        self._starts: deque[float] = deque(maxlen=per_second)
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Block until a request may start; returns the start time granted."""
        with self._lock:
            now = self._clock()
            start = now
            if len(self._starts) == self.per_second:
                start = max(now, self._starts[0] + self._window)
            self._starts.append(start)
        if start > now:
            self._sleep(start - now)
        return start


class Backoff:
    """Exponential backoff with jitter: ``base * 2**attempt`` (capped), times 0.5-1.0.

    A server's Retry-After is honoured: the delay is never shorter than it asks.
    """

    def __init__(
        self, *, base: float = 1.0, cap: float = 60.0, rng: Callable[[], float] = random.random
    ) -> None:
        self.base = base
        self.cap = cap
        self._rng = rng

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (0-based)."""
        wait = min(self.cap, self.base * (2**attempt)) * (0.5 + 0.5 * self._rng())
        if retry_after is not None:
            wait = max(wait, retry_after)
        return wait
