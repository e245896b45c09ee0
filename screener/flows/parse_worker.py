"""A worker process of :mod:`screener.flows.parallel`: reads chunks from stdin, answers on stdout.

Each message is a length-prefixed pickle: ``(task kind, arguments)`` in (see
``parallel.TASKS``), ``("ok", (rows, failure))`` or ``("error", text)`` out. The process ends
when its input ends.
"""

from __future__ import annotations

import signal
import sys
import traceback


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the importing process
    from screener.flows import parallel
    from screener.flows.parallel import read_message, write_message

    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # stray prints must not corrupt the answers
    while True:
        try:
            kind, arguments = read_message(requests)
        except EOFError:
            return 0
        try:
            task = getattr(parallel, parallel.TASKS[kind])
            answer: tuple[str, object] = ("ok", task(*arguments))
        except Exception as exc:  # any failure: reported to the importing process
            answer = ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        try:
            write_message(answers, answer)
        except BrokenPipeError:
            return 0


if __name__ == "__main__":
    sys.exit(main())
