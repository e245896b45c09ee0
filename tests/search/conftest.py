"""Fixtures for the search tests: the fake E-utilities server, a fake clock, client options."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_eutils import FakeEutils  # noqa: E402

from screener.search.client import EntrezOptions  # noqa: E402

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


@pytest.fixture(autouse=True)
def _no_ncbi_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own NCBI settings must not leak into the tests."""
    for name in ("NCBI_API_KEY", "NCBI_EMAIL", "SCREENER_EUTILS_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake():
    with FakeEutils(stall_seconds=3.0) as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def options(clock: FakeClock) -> EntrezOptions:
    """No real waiting: pacing and backoff sleep on the fake clock; a short read timeout."""
    return EntrezOptions(sleep=clock.sleep, clock=clock.time, timeout=(2.0, 2.0), batch_size=50,
                         rng=lambda: 0.5)
