"""The ranking worker: a process that trains reviewers' rankings, keeping text features between
trainings (:class:`screener.flows.ranking.FeatureCache`).

The TUI asks it through :class:`RankingWorker`, so the seconds of building features for a big
review, and the CPU of each training, never hold the interpreter lock the screen needs to show
the next record. Each message is a length-prefixed pickle (as :mod:`screener.flows.parallel`):
``(path, reviewer, filter, tag, shown)`` in, ``("ok", Reranked | None)`` (see
:func:`screener.flows.ranking.rerank`) or ``("error", text)`` out: the queue is put in its new
order here too, so the TUI process gets the list whole. The process ends when its input ends, that
is when the TUI ends, even when it is killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

from screener.errors import ScreenerError
from screener.screening.order import RankingInfo

if TYPE_CHECKING:
    from screener.flows.ranking import Reranked

__all__ = ["RankingWorker"]


class RankingWorker:
    """A ranking worker process, started on first use; :meth:`close` ends it. One request at a
    time (callers serialise: the TUI retrains in one exclusive worker thread)."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._errors: deque[bytes] = deque(maxlen=40)
        self._lock = threading.Lock()

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            package_root = str(Path(__file__).resolve().parents[2])
            environ = dict(os.environ)
            environ["PYTHONPATH"] = os.pathsep.join(
                p for p in (package_root, environ.get("PYTHONPATH")) if p
            )
            self._process = subprocess.Popen(
                [sys.executable, "-m", "screener.flows.rank_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=environ,
            )
            stderr = self._process.stderr
            threading.Thread(
                target=self._drain, args=(stderr,), name="screener-rank-stderr", daemon=True
            ).start()
        return self._process

    def _drain(self, stderr: object) -> None:
        for line in iter(getattr(stderr, "readline"), b""):  # noqa: B009 - a pipe, typed loosely
            self._errors.append(line)

    def rerank(
        self,
        path: str | Path,
        reviewer: str,
        flt: str = "undecided",
        tag: str | None = None,
        *,
        shown: RankingInfo | None = None,
    ) -> Reranked | None:
        """:func:`screener.flows.ranking.rerank` on the review at ``path``, in the worker."""
        from screener.flows.parallel import read_message, write_message

        with self._lock:
            process = self._start()
            assert process.stdin is not None and process.stdout is not None
            try:
                write_message(process.stdin, (str(path), reviewer, flt, tag, shown))
                kind, value = read_message(process.stdout)
            except (EOFError, BrokenPipeError):
                process.wait()
                said = b"".join(self._errors).decode("utf-8", "replace").strip().splitlines()
                raise ScreenerError(
                    f"the ranking process stopped (exit code {process.returncode})"
                    + (f": {said[-1]}" if said else "")
                ) from None
        if kind == "error":
            raise ScreenerError(f"ranking failed: {value}")
        return value

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            assert process.stdin is not None
            process.stdin.close()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the TUI
    from screener.errors import ScreenerError as KnownError
    from screener.flows.parallel import read_message, write_message
    from screener.flows.ranking import FeatureCache, rerank
    from screener.storage.db import open_review

    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # stray prints must not corrupt the answers
    cache = FeatureCache()
    while True:
        try:
            path, reviewer, flt, tag, shown = read_message(requests)
        except EOFError:
            return 0
        try:
            db = open_review(path)
            try:
                answer: tuple[str, object] = (
                    "ok",
                    rerank(db, reviewer, flt, tag, shown=shown, cache=cache),
                )
            finally:
                db.conn.close()
        except KnownError as exc:
            answer = ("error", str(exc))
        except Exception as exc:  # noqa: BLE001 - reported to the TUI
            answer = ("error", f"{type(exc).__name__}: {exc}")
        try:
            write_message(answers, answer)
        except BrokenPipeError:
            return 0


if __name__ == "__main__":
    sys.exit(main())
