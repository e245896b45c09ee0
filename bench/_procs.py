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
        found[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    return found


def tree_pids(pid: int, *, leave_out: int | None = None) -> set[int]:
    """``pid`` and all its descendants (without ``leave_out`` and its descendants)."""
    parents = _parents()
    tree, grew = {pid}, True
    while grew:
        more = {
            child for child, parent in parents.items() if parent in tree and child != leave_out
        } - tree
        grew = bool(more)
        tree |= more
    return tree


def rss_mb(pids: set[int]) -> float:
    """Resident memory of ``pids`` together, in MB (a process gone counts 0)."""
    total_kb = 0
    for member in pids:
        try:
            total_kb += int(Path(f"/proc/{member}/statm").read_text().split()[1]) * PAGE_KB
        except (OSError, IndexError, ValueError):
            continue
    return total_kb / 1024


def tree_rss_mb(pid: int, *, leave_out: int | None = None) -> float:
    """Resident memory of ``pid`` and all its descendants, in MB (0 when it is gone)."""
    return rss_mb(tree_pids(pid, leave_out=leave_out))


class PeakSampler:
    """Samples the resident memory of a process tree every 20 ms in a thread; ``peak`` in MB.

    Finding the tree's members reads every /proc/PID/stat (about 2.5 ms here), so it is done
    every quarter second; each 20 ms tick reads only the members' statm. Sampling a whole scan
    every tick took a quarter of one core, which the measured work then lacked.
    """

    def __init__(self, pid: int, *, leave_out: int | None = None) -> None:
        self.peak = 0.0
        self._pid, self._leave_out = pid, leave_out
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        members: set[int] = set()
        rescanned = 0.0
        while not self._done.is_set():
            now = time.monotonic()
            if now - rescanned >= 0.25:
                members, rescanned = tree_pids(self._pid, leave_out=self._leave_out), now
            self.peak = max(self.peak, rss_mb(members))
            time.sleep(0.02)


def run_measured(command: list[str], *, env: dict[str, str] | None = None) -> dict:
    """Run ``command``; its stdout, exit code, tree CPU seconds, peak tree RSS and largest
    single-process peak RSS (MB)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    with PeakSampler(process.pid) as sampler:
        output = process.stdout.read() if process.stdout else ""
        _, status, usage = os.wait4(process.pid, 0)
    return {
        "stdout": output,
        "returncode": os.waitstatus_to_exitcode(status),
        "tree_cpu": usage.ru_utime + usage.ru_stime,
        "tree_peak_mb": sampler.peak,
        "largest_process_mb": usage.ru_maxrss / 1024,
    }
