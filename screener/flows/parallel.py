"""Reading a big export in worker processes while this process stores what they read.

One Python process parses a 100,000-record file at one core's speed, and parsing is most of an
import. A format that can cut its files into chunks (see :mod:`screener.sources`) has its chunks
read by a pool of worker processes, each turning its entries into ready row values; this process
only cuts the file, which is cheap, and writes the rows, in file order. Everything else (the one
transaction, the errors, ``--skip-bad``) is as for a file read in one piece, because the
entries and errors that come back are the same (the formats' tests check it).

Workers are fresh interpreters (``python -m screener.flows.parse_worker``) talking through
pipes: forking the caller could copy a lock held by another of its threads (the TUI runs
imports in a thread), and multiprocessing's other start methods import the caller's main
script again. Workers ignore Ctrl-C, which reaches the caller, and end when their input
closes, that is when the caller ends, even when it is killed: the caller's transaction is then
never committed, so nothing of the import remains.
"""

from __future__ import annotations

import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import IO, Any, TextIO

from screener import sources
from screener.errors import InvalidInputError, ParseError, ScreenerError
from screener.sources import Chunk, Entry
from screener.storage.rows import record_values

__all__ = [
    "WORKERS_ENV",
    "EfetchParser",
    "Parsed",
    "StoredRow",
    "parsed",
    "search_worker_count",
    "worker_count",
]

WORKERS_ENV = "SCREENER_IMPORT_WORKERS"
"""Environment variable: how many worker processes an import or a search may use (0 = read in
one piece); more than the cores this process may run on are not started."""

MIN_BYTES = 8 << 20
"""Files smaller than this are read in one piece: starting workers would cost more than it saves."""

MIN_SEARCH_RECORDS = 2_000
"""Searches fetching fewer records parse their answers in the searching process."""


@dataclass(frozen=True, slots=True)
class Parsed:
    """One entry of the file: its row values (see ``storage.rows.record_values``) or its error."""

    position: int
    line: int | None
    values: tuple[Any, ...] | None
    error: ParseError | None


def _cores() -> int:
    return (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    )


def search_worker_count(records: int, *, environ: Mapping[str, str] | None = None) -> int:
    """How many worker processes parse a search's answers when it fetches ``records`` records:
    the setting of :data:`WORKERS_ENV`, else one per core from :data:`MIN_SEARCH_RECORDS` on."""
    setting = _setting(environ)
    if setting is not None:
        return setting
    cores = _cores()
    return cores if cores > 1 and records >= MIN_SEARCH_RECORDS else 0


def _setting(environ: Mapping[str, str] | None) -> int | None:
    """The number :data:`WORKERS_ENV` asks for, capped at the cores (None when it is not set)."""
    setting = (os.environ if environ is None else environ).get(WORKERS_ENV, "").strip()
    if not setting:
        return None
    cores = _cores()
    if not (setting.isascii() and setting.isdigit()):
        raise InvalidInputError(
            f"{WORKERS_ENV}={setting!r}: expected a whole number of worker processes, 0 (read in "
            "one "
            f"process) or more; at most {cores} (this machine's cores) are used"
        )
    # Workers past the cores would only take turns on them, each holding a chunk in memory.
    return min(int(setting), cores)


def worker_count(size: int, *, environ: Mapping[str, str] | None = None) -> int:
    """How many worker processes to read a file of ``size`` bytes with (0: none).

    ``SCREENER_IMPORT_WORKERS`` decides when set; otherwise a file of at least :data:`MIN_BYTES`
    gets one worker per core this process may run on, when there are two or more.
    """
    setting = _setting(environ)
    if setting is not None:
        return setting
    cores = _cores()
    return cores if cores > 1 and size >= MIN_BYTES else 0


def parsed(
    module: ModuleType,
    stream: TextIO,
    *,
    file_name: str,
    workers: int,
    chunk_size: int | None = None,
) -> Iterator[Parsed]:
    """Every entry of ``stream`` in file order, read by ``workers`` processes where the format
    and the file allow it, in this process otherwise.

    A ParseError that ends the reading (one the format raises rather than reports as an
    entry's error) is raised after the entries before it, as when read in one piece.
    """
    cut = getattr(module, "chunks", None)
    pieces = None
    if workers > 0 and cut is not None:
        options = {"size": chunk_size} if chunk_size else {}
        pieces = cut(stream, file_name=file_name, **options)
    if pieces is None:
        for entry in module.parse(stream, file_name=file_name):
            yield _row(entry)
        return
    yield from _in_workers(module.NAME, pieces, file_name=file_name, workers=workers)


def _row(entry: Entry) -> Parsed:
    values = record_values(entry.record) if entry.record is not None else None
    return Parsed(entry.position, entry.line, values, entry.error)


def _in_workers(
    format_name: str, pieces: Iterator[Chunk], *, file_name: str, workers: int
) -> Iterator[Parsed]:
    crew = [_Worker() for _ in range(workers)]
    # The worker of each chunk in flight, in file order, and whether the chunk was counted.
    pending: deque[tuple[_Worker, bool]] = deque()
    ahead = (
        2 * workers
    )  # chunks in flight: each worker busy with one, the next ready; memory bounded
    read = 0  # entries so far: an uncounted chunk's are numbered on from there

    def unpack() -> Iterator[Parsed]:
        nonlocal read
        worker, counted = pending.popleft()
        for row in _unpack(worker.receive(), before=None if counted else read):
            read = row.position
            yield row

    try:
        fault = None
        try:
            for index, piece in enumerate(pieces):
                worker = crew[index % workers]
                worker.send(("chunk", (format_name, piece, file_name)))
                pending.append((worker, piece.first_position > 0))
                if len(pending) >= ahead:
                    yield from unpack()
        except ParseError as exc:  # met while cutting: raised after the entries before it
            fault = exc
        while pending:
            yield from unpack()
        if fault is not None:
            raise fault
    finally:
        for worker in crew:
            worker.stop()


def _unpack(
    result: tuple[list[tuple], tuple[str, str, str] | None], *, before: int | None
) -> Iterator[Parsed]:
    """The entries a worker sent back; those of an uncounted chunk (``before`` not None) numbered
    on by :func:`screener.sources.in_file`."""
    rows, failure = result
    for position, line, values, error in rows:
        problem = ParseError(*error) if error else None
        if before is not None:
            numbered = sources.in_file(Entry(position, line, error=problem), before)
            position, problem = numbered.position, numbered.error
        yield Parsed(position, line, values, problem)
    if failure is not None:
        raise ParseError(*failure)


class _Worker:
    """One ``python -m screener.flows.parse_worker`` process and the pipes to it.

    Chunks go to it through a thread of its own, so a chunk waiting to be sent never keeps
    this process from reading an answer (either side could otherwise wait on a full pipe).
    Answers come back in the order the chunks were sent.
    """

    def __init__(self) -> None:
        package_root = str(Path(__file__).resolve().parents[2])
        environ = dict(os.environ)
        environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_root, environ.get("PYTHONPATH")) if p
        )
        self._process = subprocess.Popen(
            [sys.executable, "-m", "screener.flows.parse_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environ,
        )
        self._outbox: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._errors: deque[bytes] = deque(maxlen=40)
        self._feeder = threading.Thread(target=self._feed, name="screener-parse-feed", daemon=True)
        self._feeder.start()
        threading.Thread(
            target=self._drain_errors, name="screener-parse-stderr", daemon=True
        ).start()

    def send(self, task: object) -> None:
        self._outbox.put(task)

    def receive(self) -> tuple[list[Any], tuple[str, str, str] | None]:
        stdout = self._process.stdout
        assert stdout is not None
        try:
            answer = read_message(stdout)
        except EOFError:
            self._process.wait()
            said = b"".join(self._errors).decode("utf-8", "replace").strip().splitlines()
            raise ScreenerError(
                f"a process reading the file stopped (exit code {self._process.returncode})"
                + (f": {said[-1]}" if said else "")
            ) from None
        kind, value = answer
        if kind == "error":  # something other than a ParseError went wrong in the worker
            raise ScreenerError(f"reading the file failed in a worker process: {value}")
        return value

    def stop(self) -> None:
        self._outbox.put(None)
        process = self._process
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()

    def _feed(self) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            while (task := self._outbox.get()) is not None:
                write_message(stdin, task)
        except (BrokenPipeError, OSError):
            pass  # the worker is gone; receive() says so
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def _drain_errors(self) -> None:
        stderr = self._process.stderr
        assert stderr is not None
        try:
            for line in stderr:
                self._errors.append(line)
        except (OSError, ValueError):
            pass


def write_message(pipe: IO[bytes], message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(_LENGTH.pack(len(data)))
    pipe.write(data)
    pipe.flush()


def read_message(pipe: IO[bytes]) -> Any:
    head = pipe.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    (size,) = _LENGTH.unpack(head)
    data = pipe.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)  # safe: our own worker's answer, through a private pipe


_LENGTH = struct.Struct("!Q")


@dataclass(frozen=True, slots=True)
class StoredRow:
    """A record of an efetch answer, ready to store: its PMID and its row values."""

    pmid: str
    values: tuple[Any, ...]


class EfetchParser:
    """Parses efetch answers (bytes) into :class:`StoredRow` lists, in worker processes once
    :meth:`start` ed, in the calling thread before.

    Callable from several threads at once (a search fetches ahead in threads): each call
    borrows an idle worker. A ParseError
    raised by the parser is raised by the call, as :func:`~screener.sources.pubmed_xml.parse_efetch`
    raises it.
    """

    def __init__(self) -> None:
        self._crew: list[_Worker] = []
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()

    def start(self, workers: int) -> None:
        """Parse in ``workers`` processes from now on (call before parsing starts)."""
        while len(self._crew) < workers:
            worker = _Worker()
            self._crew.append(worker)
            self._idle.put(worker)

    @property
    def ahead(self) -> int:
        """How many answers a search should have on their way (fetched and parsed) while it
        stores one: one per process, at least two."""
        return max(2, len(self._crew))

    def __call__(self, body: bytes) -> list[StoredRow]:
        if not self._crew:
            return read_efetch(body)
        worker = self._idle.get()
        try:
            worker.send(("efetch", (body,)))
            rows, failure = worker.receive()
        finally:
            self._idle.put(worker)
        if failure is not None:
            raise ParseError(*failure)
        return rows

    def close(self) -> None:
        for worker in self._crew:
            worker.stop()
        self._crew = []

    def __enter__(self) -> EfetchParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_efetch(body: bytes) -> list[StoredRow]:
    """The records of one efetch answer as StoredRows (in a worker, or in this process).

    Read element by element (``lean``): with several workers their memory adds up, and the
    50,000-record search benchmark keeps under 300 MB that way at the same speed."""
    from screener.sources.pubmed_xml import parse_efetch

    return [
        StoredRow(record.pmid, record_values(record)) for record in parse_efetch(body, lean=True)
    ]


def _parts(error: ParseError) -> tuple[str, str, str]:
    """A ParseError as the three parts it is made from (how it travels between processes)."""
    return error.file_name, error.location, error.problem


def _read_efetch_task(body: bytes) -> tuple[list[StoredRow], tuple[str, str, str] | None]:
    try:
        return read_efetch(body), None
    except ParseError as exc:
        return [], _parts(exc)


TASKS = {"chunk": "read_chunk", "efetch": "_read_efetch_task"}
"""Task kind -> the function of this module a worker runs for it."""


def read_chunk(
    format_name: str, chunk: Chunk, file_name: str
) -> tuple[list[tuple], tuple[str, str, str] | None]:
    """In a worker: the chunk's entries as plain tuples (cheap to send back), and the error that
    ended the reading, if one did. ParseError travels as its three parts."""
    module = sources.get_format(format_name)
    rows: list[tuple] = []
    try:
        for entry in module.parse_chunk(chunk, file_name=file_name):
            error = entry.error
            rows.append(
                (
                    entry.position,
                    entry.line,
                    record_values(entry.record) if entry.record is not None else None,
                    _parts(error) if error is not None else None,
                )
            )
    except ParseError as exc:
        return rows, _parts(exc)
    return rows, None
