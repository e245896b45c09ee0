"""Benchmark of the pooling engine (``make bench``; run as ``.venv/bin/python
bench/bench_pooling.py``).

Prints one line per figure: REML and DL on k = 10,000 and 100,000 random studies (a full
``rma`` fit including the Q-profile CI for tau^2; best of 3 and the first run alone), a full
analysis of k = 50 (all estimators,
HKSJ, Egger, trim-and-fill, leave-one-out; no plots), and peak memory, each next to the
metafor 3.8 figures measured on the same machine (quoted from issue 8) and the targets.
"""

from __future__ import annotations

import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screener.pooling import (  # noqa: E402
    leave_one_out,
    ranktest,
    regtest,
    rma,
    trimfill,
)

SEED = 20240601
METAFOR = {
    ("DL", 10_000): "19 s",
    ("REML", 10_000): "about 45 min (dense k x k matrices)",
    ("DL", 100_000): "fails: out of memory",
    ("REML", 100_000): "fails: out of memory",
}
ESTIMATORS = ("FE", "DL", "REML", "ML", "PM", "PMM", "HE", "SJ", "SJIT", "HS", "HSk", "EB")


def studies(k: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """k random studies: vi ~ U(0.01, 0.5), yi ~ N(0.3, vi + 0.1)."""
    rng = np.random.default_rng(seed)
    vi = rng.uniform(0.01, 0.5, k)
    yi = rng.normal(0.3, np.sqrt(vi + 0.1))
    return yi, vi


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """Smallest wall time of ``repeats`` runs, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def full_analysis(yi: np.ndarray, vi: np.ndarray) -> None:
    """Everything the review's analysis screen computes for one outcome, except plots."""
    for method in ESTIMATORS:
        rma(yi, vi, method=method)
    rma(yi, vi, method="REML", test="knha")
    regtest(yi, vi, model="rma", method="REML")
    regtest(yi, vi, model="lm")
    ranktest(yi, vi)
    trimfill(yi, vi, method="REML")
    leave_one_out(yi, vi, method="REML")


def main() -> None:
    print(
        "screener pooling benchmark (best of 3; metafor 3.8 on this machine as the peer reference)"
    )
    print(
        f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (wall times "
        "grow with load)"
    )
    for k in (10_000, 100_000):
        yi, vi = studies(k)
        for method in ("REML", "DL"):

            def fit(yi: np.ndarray = yi, vi: np.ndarray = vi, method: str = method) -> object:
                return rma(yi, vi, method=method)

            first = best_of(fit, 1)  # the first fit of this size, as a review's first run meets it
            seconds = best_of(fit, 3)
            targets = (["< 1 s"] if (method, k) == ("REML", 100_000) else []) + (
                ["first run < 2 s"] if k == 100_000 else []
            )
            target = f"; target {', '.join(targets)}" if targets else ""
            print(
                f"{method:<4} k = {k:>7,}: {seconds:8.3f} s, first run {first:.3f} s   "
                f"(metafor 3.8: {METAFOR[(method, k)]}{target})"
            )
    yi, vi = studies(50)
    full_analysis(yi, vi)  # warm-up: imports and first-call costs
    ms = best_of(lambda: full_analysis(yi, vi), 5) * 1000
    cpu_start = time.process_time()
    full_analysis(yi, vi)
    cpu_ms = (time.process_time() - cpu_start) * 1000
    print(
        f"full analysis k = 50 ({len(ESTIMATORS)} estimators, HKSJ, Egger x2, Begg, trim-and-fill, "
        f"leave-one-out): {ms:.1f} ms wall, {cpu_ms:.1f} ms CPU   (target < 200 ms; metafor: "
        "DL 0.4 s at k = 2,000, REML 1.9 s at k = 1,000)"
    )
    yi, vi = studies(100_000)
    tracemalloc.start()
    rma(yi, vi, method="REML")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"peak traced memory, REML k = 100,000: {peak / 2**20:.1f} MiB   (metafor: a k x k "
        "matrix is 75 GiB)"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident set size of this process: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
