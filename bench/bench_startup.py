"""Start-up of the CLI: the wall time of a fresh process, median of N runs.

Printed figures (targets from issue 19), beside ``python -c pass`` (the interpreter alone):
- ``screener --help`` (< 0.2 s): lists the verbs without importing any verb's module;
- ``screener info demo.db`` (< 0.4 s) on the nudging demo review (2,019 records): the façade,
  storage and sqlite-utils, but not scipy or pandas.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 15
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from screener.demo import build_demo  # noqa: E402


def screener_command() -> list[str]:
    """The console script beside this interpreter (as a user runs it), else ``-m screener``."""
    script = Path(sys.executable).with_name("screener")
    return [str(script)] if script.exists() else [sys.executable, "-m", "screener"]


def wall_times(command: list[str], runs: int = RUNS) -> list[float]:
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)  # warm the .pyc files
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="screener-bench-startup-"))
    try:
        review = build_demo(folder, progress=lambda message: None)
        screener = screener_command()
        cases = [
            ("python -c pass", [sys.executable, "-c", "pass"], None),
            ("screener --help", [*screener, "--help"], 0.2),
            ("screener info demo.db", [*screener, "info", str(review)], 0.4),
        ]
        print(f"wall time of a fresh process, median (min) of {RUNS} runs")
        for label, command, target in cases:
            times = wall_times(command)
            median = statistics.median(times)
            verdict = (
                ""
                if target is None
                else (f"  target < {target:.1f} s: {'ok' if median < target else 'OVER'}")
            )
            print(f"  {label:<24} {median:.3f} s ({min(times):.3f} s){verdict}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
