"""A worker process of :mod:`screener.flows.parallel`: reads chunks from stdin, answers on stdout.

Each message is a length-prefixed pickle: ``(format name, chunk, file name)`` in, ``("ok",
(rows, failure))`` or ``("error", text)`` out. The process ends when its input ends.
"""

from __future__ import annotations

import signal
import sys
import traceback


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the importing process
    from screener.flows.parallel import read_chunk, read_message, write_message

    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # stray prints must not corrupt the answers
    while True:
        try:
            format_name, chunk, file_name = read_message(requests)
        except EOFError:
            return 0
        try:
            answer: tuple[str, object] = ("ok", read_chunk(format_name, chunk, file_name))
        except Exception as exc:  # noqa: BLE001 - reported to the importing process
            answer = ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        try:
            write_message(answers, answer)
        except BrokenPipeError:
            return 0


if __name__ == "__main__":
    sys.exit(main())
