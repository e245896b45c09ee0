"""Screening with 100,000 records: start-up, key-to-next-record latency, memory.

Printed figures (targets from issue 6):
- start: app start to the first record shown on the screening screen (< 1.5 s), not counting
  Python's own import of screener, printed apart;
- latency: decision key -> next record rendered, over 1,000 decisions driven by Pilot
  (p95 < 30 ms): from the key event to the first frame written after the screen showed the next
  record (Pilot's own idle waits between keys are printed apart);
- memory: RSS after 1,000 records viewed vs after 10 (growth of at most a few MB);
- with ranking on (issue 16): two decisions first, then the wait for the first ranking (the
  ranking process builds the features of 100,000 records); the 1,000 timed decisions then run
  while that process retrains behind them, and the screen reorders its queue each time a new
  ranking arrives (counted). The RSS figures are the TUI process's; the ranking process's
  memory is bench_ranking.py's.

The records are synthetic (seeded random words, abstracts of ~200 words) so that the file is the
size of a large real review; their text does not matter to these timings.
"""

from __future__ import annotations

import asyncio
import csv
import gc
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N_RECORDS = 100_000
N_DECISIONS = 1_000
N_EXTRA_VIEWS = 500
FIRST_RANKING_WAIT = 900  # seconds at most for the ranking process's first ranking
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ["SCREENER_KEYS"] = ""  # the developer's own key file plays no part

import psutil  # noqa: E402

from screener.project import Project  # noqa: E402


def make_review(folder: Path) -> Path:
    rng = random.Random(6)
    words = [
        f"{a}{b}"
        for a in ("nud", "pre", "dos", "cli", "tri", "pat", "hos", "med", "car", "ran")
        for b in ("ge", "scrib", "age", "nic", "al", "ient", "pital", "icine", "dio", "dom")
    ]
    csv_path = folder / "records.csv"
    with open(csv_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract", "authors", "year", "journal"])
        for n in range(N_RECORDS):
            writer.writerow(
                [
                    " ".join(rng.choices(words, k=12)).capitalize(),
                    " ".join(rng.choices(words, k=200)),
                    "; ".join(f"Author{rng.randint(1, 999)}, A" for _ in range(4)),
                    1990 + n % 35,
                    "Journal of Benchmarks",
                ]
            )
    path = folder / "bench.db"
    with Project.create(
        path,
        title="Screening benchmark",
        reviewers_title_abstract=2,
        reviewers=("bench",),
        exclusion_reasons=("Wrong population", "Wrong design"),
        include_terms=("nudge", "prescrib"),
        exclude_terms=("protocol",),
    ) as project:
        project.import_file(csv_path, source="Synthetic")
    return path


def import_time() -> float:
    code = (
        "import time; t = time.perf_counter(); import screener.tui.app; "
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    return float(out.stdout.strip())


def _timed(app, screen) -> tuple[list[float], list[float], list[float]]:
    """Hook the app to time each key: when the key event is sent, when the screen has shown the
    next record, and when each frame is written (Textual internals; a benchmark, not a test)."""
    from textual import events

    keys: list[float] = []
    shown: list[float] = []
    frames: list[float] = []
    send, display, show = app._driver.send_message, app._display, screen.show_record

    def send_message(message):
        if isinstance(message, events.Key):
            keys.append(time.perf_counter())
        send(message)

    def display_frame(*args):
        display(*args)
        frames.append(time.perf_counter())

    def show_record():
        show()
        shown.append(time.perf_counter())

    app._driver.send_message, app._display, screen.show_record = (
        send_message,
        display_frame,
        show_record,
    )
    return keys, shown, frames


async def run(path: Path) -> dict[str, float]:
    from screener.tui.app import make_app
    from screener.tui.screens.screening import ScreeningScreen

    figures: dict[str, float] = {}
    started = time.perf_counter()
    app = make_app(path, reviewer="bench")
    frames: list[float] = []
    first_show: list[float] = []
    display, show = app._display, ScreeningScreen.show_record
    app._display = lambda *a: (display(*a), frames.append(time.perf_counter()))

    def show_record(self):
        show(self)
        first_show.append(time.perf_counter())

    ScreeningScreen.show_record = show_record  # the first record on screen, timed
    async with app.run_test(size=(120, 40)) as pilot:
        # The reviewer presses "s" as soon as the dashboard is up (its counts may still come).
        while not frames:
            await asyncio.sleep(0.001)
        figures["dashboard first frame, from app start (s)"] = frames[0] - started
        pressed = time.perf_counter()
        await pilot.press("s")
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.record_id is not None
        first_rendered = next(f for f in frames if f >= first_show[0])
        figures["'s' -> first record rendered (s)"] = first_rendered - pressed
        figures["first record rendered, from app start (s)"] = first_rendered - started
        ScreeningScreen.show_record = show
        await app.workers.wait_for_complete()
        await pilot.pause()
        figures["dashboard counts and whole queue read (s)"] = time.perf_counter() - started
        # ranking on: an exclude and an include, then the first ranking
        waited = time.perf_counter()
        await pilot.press("e", "i")
        while screen.ranking is None and time.perf_counter() - waited < FIRST_RANKING_WAIT:
            await asyncio.sleep(0.5)
        await pilot.pause()
        figures["first ranking on screen, from the 2nd decision (s)"] = time.perf_counter() - waited
        applied: list[float] = []
        update = screen.on_ranking_updated

        def on_ranking_updated(message):
            update(message)
            applied.append(time.perf_counter())

        screen.on_ranking_updated = on_ranking_updated

        process = psutil.Process()
        keys, shown, frame_times = _timed(app, screen)
        latencies, wall = [], []
        for n in range(N_DECISIONS):
            before, seen = screen.record_id, len(shown)
            t = time.perf_counter()
            await pilot.press("i" if n % 3 else "e")
            await pilot.pause()
            wall.append(time.perf_counter() - t)
            assert screen.record_id != before and len(shown) > seen
            # the record shown for this key (a ranking arriving may show one more after it)
            mine = next(x for x in shown[seen:] if x >= keys[n])
            rendered = next(f for f in frame_times if f >= mine)
            latencies.append(rendered - keys[n])
            if n == 9:
                gc.collect()
                rss_10 = process.memory_info().rss
        gc.collect()
        rss_1000 = process.memory_info().rss
        del screen.show_record  # untimed from here
        for _ in range(N_EXTRA_VIEWS):  # caches are bounded: RSS should stay flat now
            await pilot.press("left")
        gc.collect()
        rss_more = process.memory_info().rss
        latencies.sort()
        figures["key -> next record rendered p50 (ms)"] = 1000 * statistics.median(latencies)
        figures["key -> next record rendered p95 (ms)"] = (
            1000 * latencies[int(0.95 * len(latencies)) - 1]
        )
        figures["key -> next record rendered max (ms)"] = 1000 * latencies[-1]
        figures["Pilot press+pause wall time p50 (ms)"] = 1000 * statistics.median(wall)
        figures["RSS after 10 records (MB)"] = rss_10 / 2**20
        figures["RSS after 1,000 records (MB)"] = rss_1000 / 2**20
        figures["RSS growth 10 -> 1,000 (MB)"] = (rss_1000 - rss_10) / 2**20
        figures[f"RSS growth over {N_EXTRA_VIEWS} more records viewed (MB)"] = (
            rss_more - rss_1000
        ) / 2**20
        figures["rankings applied during the 1,000 decisions"] = len(applied)
    with Project.open(path) as project:
        assert len(project.screening_queue("title_abstract", "bench", "mine")) == N_DECISIONS + 2
    return figures


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        t = time.perf_counter()
        if os.environ.get("BENCH_SCREENING_DB"):  # reuse a copy of a review built before
            path = Path(folder) / "bench.db"
            shutil.copy(os.environ["BENCH_SCREENING_DB"], path)
        else:
            path = make_review(Path(folder))
        print(f"a review of {N_RECORDS:,} records ready in {time.perf_counter() - t:.1f} s")
        print(
            f"import screener.tui.app (python start-up, not counted below): {import_time():.2f} s"
        )
        for name, value in asyncio.run(run(path)).items():
            print(f"{name:<45} {value:10.3f}")
        print(
            "targets: first record < 1.5 s; p95 < 30 ms (ranking on); RSS growth a few MB at most"
        )


if __name__ == "__main__":
    main()
