"""Fixtures for the search tests: the fake E-utilities server, a fake clock, client options."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_eutils import FakeEutils  # noqa: E402
from search_support import FakeClock  # noqa: E402

from screener.search.client import EntrezOptions  # noqa: E402


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
    return EntrezOptions(
        sleep=clock.sleep, clock=clock.time, timeout=(2.0, 2.0), batch_size=50, rng=lambda: 0.5
    )
