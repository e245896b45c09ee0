"""Measuring a benchmark child process together with the worker processes it starts.

An import of a big file runs in several processes (the importer and its parsing workers), so
its memory is the sum of theirs: :func:`run_measured` samples the resident memory of the whole
process tree every 20 ms and also reports the CPU time of the tree (the child's, including the
workers it waited for) and the largest single process's peak, from ``os.wait4``.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process (from /proc/PID/stat)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        found[int(entry.name)] = int(stat[stat.rindex(")") + 2:].split()[1])
    return found


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, in MB (0 when it is gone)."""
    parents = _parents()
    tree, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        grew = bool(more)
        tree |= more
    total_kb = 0
    for member in tree:
        try:
            total_kb += int(Path(f"/proc/{member}/statm").read_text().split()[1]) * PAGE_KB
        except (OSError, IndexError, ValueError):
            continue
    return total_kb / 1024


def run_measured(command: list[str], *, env: dict[str, str] | None = None) -> dict:
    """Run ``command``; its stdout, exit code, tree CPU seconds, peak tree RSS and largest
    single-process peak RSS (MB)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_mb(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    done.set()
    sampler.join()
    return {"stdout": output, "returncode": os.waitstatus_to_exitcode(status),
            "tree_cpu": usage.ru_utime + usage.ru_stime, "tree_peak_mb": peak[0],
            "largest_process_mb": usage.ru_maxrss / 1024}
