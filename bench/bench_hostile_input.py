"""Hostile input under a forced format: seconds and peak memory of an import that must refuse it.

Each case writes a file, then a fresh Python process imports it through the façade with the
format forced (as ``screener import --format ris``) and reports the error it stopped with; its
time and peak RSS (with any worker processes) are measured from outside (bench/_procs.py):

* 40 MB and 400 MB of text without a line end, read as RIS (before MAX_ENTRY: 3.3 s and over
  200 s, time growing with the square of the size);
* a 2 GB sparse file (all NUL bytes, written with truncate: no disk used), read as CSV (before:
  6.4 GB of memory).

Target: each stops with one error naming the file and line 1, in time linear in the size (the
import still hashes and checks the encoding of the whole file) and memory that does not grow with
it. ``python bench/bench_hostile_input.py [--quick]`` (--quick: 40 MB and a 200 MB sparse file).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from _procs import run_measured  # noqa: E402

TARGET_MB = 300
MB = 1_000_000


def write_no_line_ends(path: Path, size: int) -> None:
    block = b"TY  - JOUR " * (MB // 11)
    with open(path, "wb") as out:
        for _ in range(size // len(block)):
            out.write(block)


def write_sparse(path: Path, size: int) -> None:
    with open(path, "wb") as out:
        out.truncate(size)


def child(review: str, export: str, fmt: str) -> None:
    """Run in the subprocess: import ``export`` as ``fmt``, print the error and the seconds."""
    from screener.errors import ScreenerError
    from screener.project import Project

    with Project.create(review, title="hostile") as project:
        started = time.perf_counter()
        try:
            project.import_file(export, fmt=fmt)
            error = ""
        except ScreenerError as exc:
            error = str(exc)
        seconds = time.perf_counter() - started
    print(json.dumps({"error": error, "seconds": seconds}))


def main(quick: bool) -> int:
    cases = [("no line ends", "ris", 40 * MB, write_no_line_ends)]
    if not quick:
        cases.append(("no line ends", "ris", 400 * MB, write_no_line_ends))
    cases.append(("sparse", "csv", (200 if quick else 2_000) * MB, write_sparse))
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for label, fmt, size, writer in cases:
            export = workdir / f"hostile-{size // MB}.{fmt}"
            writer(export, size)
            run = run_measured(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    str(workdir / f"r{size}.db"),
                    str(export),
                    fmt,
                ]
            )
            export.unlink()
            if run["returncode"] != 0:
                print(f"{label} as {fmt}: the import process failed (exit {run['returncode']})")
                failed = True
                continue
            result = json.loads(run["stdout"])
            ok = (
                result["error"].startswith(f"{export.name}, line 1: ")
                and run["tree_peak_mb"] < TARGET_MB
            )
            failed |= not ok
            print(
                f"{size / MB:6,.0f} MB {label:12s} as {fmt:4s}: {result['seconds']:6.2f} s, peak "
                "RSS "
                f"{run['tree_peak_mb']:5,.0f} MB [{'met' if ok else 'MISSED'}: one error at line "
                "1, "
                f"< {TARGET_MB} MB]\n    {result['error'][:110]}",
                flush=True,
            )
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(main("--quick" in sys.argv[1:]))
