"""A 50,000-record PubMed search through the fake E-utilities server at 10 requests/s.

The floor is what the rate limit alone allows: requests made / 10 per second. Target: wall time
within 1.15x the floor, peak memory under 300 MB. The fake server (tests/search/fake_eutils.py,
never shipped) runs in a child process so the figures are the client's own; its records are
generated from a recorded fixture with new PMIDs and publication dates spread over 25 years,
so the search has to be sliced by date (PubMed pages through only 10,000 records).

    .venv/bin/python bench/bench_search.py [--records N] [--batch-size N] [--compact]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "search"))
sys.path.insert(0, str(REPO / "bench"))

from _procs import PeakSampler  # noqa: E402
from fake_eutils import FakeEutils, compact_template, template_article  # noqa: E402

TERM = '("Myositis"[Mesh] OR myositis[tiab]) AND ("Interleukin-2"[Mesh] OR IL-2[tiab])'


def serve(records: int, compact: bool, ready, done, log) -> None:
    """The child process: serve the fake until told to stop, then report its request count."""
    start = date(2000, 1, 1)
    with FakeEutils(template=compact_template() if compact else template_article()) as fake:
        fake.add_generated(
            TERM, [start + timedelta(days=(i * 7919) % 9131) for i in range(records)]
        )
        ready.put(fake.base_url)
        done.wait()
        counts: dict[str, int] = {}
        for request in fake.requests():
            counts[request["endpoint"]] = counts.get(request["endpoint"], 0) + 1
        log.put(counts)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--compact", action="store_true", help="~1 KB records instead of ~7 KB")
    args = parser.parse_args()

    from screener.project import Project
    from screener.queries import SavedQuery
    from screener.search.client import EntrezOptions

    context = multiprocessing.get_context("spawn")
    ready, log, done = context.Queue(), context.Queue(), context.Event()
    server = context.Process(target=serve, args=(args.records, args.compact, ready, done, log))
    server.start()
    url = ready.get(timeout=120)
    try:
        with (
            tempfile.TemporaryDirectory() as tmp,
            Project.create(Path(tmp) / "bench.db", title="bench") as project,
        ):
            # Peak memory of this process and the parsing workers it starts (the fake server,
            # also a child of this process, left out), sampled every 20 ms.
            with PeakSampler(os.getpid(), leave_out=server.pid) as sampler:
                started = time.perf_counter()
                result = project.search(
                    SavedQuery("bench", "PubMed", TERM),
                    eutils_url=url,
                    email="bench@example.org",
                    options=EntrezOptions(batch_size=args.batch_size, rate=10),
                )
                wall = time.perf_counter() - started
    finally:
        done.set()
        by_endpoint = log.get(timeout=60)
        server.join(30)
    requests = sum(by_endpoint.values())
    floor = requests / 10
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, sampler.peak)
    ratio = wall / floor
    print(
        f"PubMed search: {result.count_new:,} of {result.count_reported:,} records, "
        f"{result.slices} date "
        f"slices, {requests} requests "
        f"({', '.join(f'{n} {e}' for e, n in sorted(by_endpoint.items()))}; "
        f"batch {args.batch_size}{', compact records' if args.compact else ''})"
    )
    print(
        f"  wall {wall:.1f} s vs floor {floor:.1f} s (10 requests/s) = {ratio:.2f}x "
        f"[target <= 1.15x: {'met' if ratio <= 1.15 else 'MISSED'}]; "
        f"{result.count_new / wall:,.0f} records/s"
    )
    print(f"  peak RSS {peak:.0f} MB [target < 300 MB: {'met' if peak < 300 else 'MISSED'}]")
    if result.notes:
        print("  notes: " + "; ".join(result.notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
