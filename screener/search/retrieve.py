"""Fetching a planned search batch by batch, checking that every requested PMID came back.

:func:`retrieve` is a generator of events — a :class:`Plan` first, then per slice a
:class:`SliceStarted`, its :class:`Batch` events and a :class:`SliceDone` — so the caller can
store each batch in its own transaction together with the run's state. PMIDs already in the
review (``known``) are not fetched again. A slice whose PMIDs are all new is paged through its
WebEnv/query_key; otherwise (an update, a resume) the PMIDs are fetched by id, in the POST body.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, Protocol

from screener.errors import ParseError
from screener.queries import SavedQuery
from screener.search.client import EntrezClient, SearchCancelled
from screener.search.plan import Plan, make_plan

__all__ = ["Batch", "SliceDone", "SliceStarted", "retrieve"]


class _Fetched(Protocol):
    """What ``parse`` makes of each record of an answer: at least its PMID (a Record, or a row
    ready to store)."""

    @property
    def pmid(self) -> str: ...


Parse = Callable[[bytes], Sequence[_Fetched]]


@dataclass(frozen=True, slots=True)
class SliceStarted:
    """A slice's search ran: ``ids`` PMIDs matched, ``needed`` of them are new to the review."""

    slice_index: int
    webenv: str
    query_key: str
    ids: int
    needed: int


@dataclass(frozen=True, slots=True)
class Batch:
    """New records from one efetch (each PMID once, none already in the review)."""

    slice_index: int
    records: tuple[Any, ...]
    """What ``parse`` made of each new record (a Record, or a row ready to store)."""
    requested: int


@dataclass(frozen=True, slots=True)
class SliceDone:
    """A slice is fetched: ``ids`` PMIDs matched, ``already`` (their PMIDs) were in the review
    before this run, ``missing`` were requested but never returned (even asked again by id)."""

    slice_index: int
    ids: int
    already: tuple[str, ...]
    missing: tuple[str, ...]
    unrequested: int


Event = Plan | SliceStarted | Batch | SliceDone


def retrieve(
    client: EntrezClient,
    query: SavedQuery,
    *,
    parse: Parse,
    known: set[str],
    preexisting: set[str],
    plan: Plan | None = None,
    done: Sequence[int] = (),
    today: date | None = None,
    on_probe: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> Generator[Event, None, None]:
    """Plan (unless resuming with ``plan``) and fetch ``query``.

    Parameters
    ----------
    known
        PMIDs in the review now; updated as batches are yielded.
    preexisting
        PMIDs that were in the review before this run began (for the ``already`` counts).
    done
        indices of slices a resumed run has finished.
    cancelled
        polled while waiting for an answer; True stops with SearchCancelled.
    """
    options = client.options
    cap = options.page_cap
    if plan is None:
        plan, found = make_plan(
            client, query, cap=cap, today=today or date.today(), on_probe=on_probe
        )
    else:
        found = {}
    yield plan
    counted: set[str] = set()
    for index, piece in enumerate(plan.slices):
        if index in done:
            continue
        if index in found:
            history, ids = found.pop(index)
            webenv, query_key = history.split("\t")
        else:
            result = client.esearch(
                query.text,
                retmax=cap,
                mindate=piece.date_from,
                maxdate=piece.date_to,
                datetype=query.date_type,
            )
            webenv, query_key, ids = result.webenv, result.query_key, result.ids
        yield from _fetch_slice(
            client,
            index,
            ids,
            webenv,
            query_key,
            parse=parse,
            known=known,
            preexisting=preexisting,
            counted=counted,
            cancelled=cancelled,
        )


def _fetch_slice(
    client: EntrezClient,
    index: int,
    ids: tuple[str, ...],
    webenv: str,
    query_key: str,
    *,
    parse: Parse,
    known: set[str],
    preexisting: set[str],
    counted: set[str],
    cancelled: Callable[[], bool],
) -> Iterator[Event]:
    size = client.options.batch_size
    unique = list(dict.fromkeys(ids))
    already = [p for p in unique if p in preexisting and p not in counted]
    counted.update(already)
    needed = [p for p in unique if p not in known]
    wanted = set(needed)
    yield SliceStarted(index, webenv, query_key, len(unique), len(needed))
    got: set[str] = set()
    unrequested = 0

    def keep(records: Sequence[_Fetched]) -> tuple[Any, ...]:
        nonlocal unrequested
        fresh = []
        for record in records:
            if record.pmid not in wanted:
                unrequested += 1
                continue
            if record.pmid in got:
                continue
            got.add(record.pmid)
            known.add(record.pmid)
            fresh.append(record)
        return tuple(fresh)

    calls: list[tuple[Callable[..., Any], int]] = []
    if needed and len(needed) == len(ids) and webenv and query_key:
        for start in range(0, len(ids), size):
            count = min(size, len(ids) - start)
            calls.append(
                (
                    partial(client.efetch_history, webenv, query_key, retstart=start, retmax=count),
                    count,
                )
            )
    else:
        calls = [
            (partial(client.efetch_ids, needed[s : s + size]), len(needed[s : s + size]))
            for s in range(0, len(needed), size)
        ]
    for records, count in _pipelined(calls, parse, cancelled):
        yield Batch(index, keep(records), count)
    # Ask once more, by id, for whatever did not come back (efetch can drop records).
    missing = [p for p in needed if p not in got]
    calls = [
        (partial(client.efetch_ids, missing[s : s + size]), len(missing[s : s + size]))
        for s in range(0, len(missing), size)
    ]
    for records, count in _pipelined(calls, parse, cancelled):
        yield Batch(index, keep(records), count)
    still = tuple(p for p in needed if p not in got)
    yield SliceDone(index, len(unique), tuple(already), still, unrequested)


def _pipelined(
    calls: list[tuple[Callable[..., Any], int]], parse: Parse, cancelled: Callable[[], bool]
) -> Iterator[tuple[list[Any], int]]:
    """Run efetches ahead in background threads, each also parsing its answer, while the
    caller stores the earlier batches in order.

    The HTTP exchange waits on the network (the GIL is released); parsing is handed to
    ``parse``, which may run it in another process. How many are on their way at once is
    ``parse.ahead`` when the parser says (one per parsing process), else two.
    """
    upcoming = iter(calls)
    running: deque[tuple[_Ahead, Callable[..., Any], int]] = deque()

    def start_next() -> None:
        item = next(upcoming, None)
        if item is not None:
            call, count = item
            running.append((_Ahead(partial(_fetch_and_parse, call, parse)), call, count))

    for _ in range(max(1, int(getattr(parse, "ahead", 2)))):
        start_next()
    while running:
        ahead, call, count = running.popleft()
        start_next()
        outcome, value = ahead.result(cancelled)
        if outcome == "bad":
            # Well-formed at both ends but broken inside: fetch it again, parsing as we go.
            value = call(parse=parse)
        yield value, count


def _fetch_and_parse(call: Callable[..., bytes], parse: Parse) -> tuple[str, Any]:
    body = call(parse=complete_efetch)
    try:
        return "ok", parse(body)
    except ParseError:
        return "bad", None


class _Ahead:
    """One call running in a daemon thread (a cancelled run never waits for it to finish)."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self._done = threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None
        threading.Thread(
            target=self._run, args=(call,), name="screener-efetch", daemon=True
        ).start()

    def _run(self, call: Callable[[], Any]) -> None:
        try:
            self._value = call()
        except BaseException as error:  # handed to the waiting caller
            self._error = error
        finally:
            self._done.set()

    def result(self, cancelled: Callable[[], bool]) -> Any:
        while not self._done.wait(0.05):
            if cancelled():
                raise SearchCancelled()
        if self._error is not None:
            raise self._error
        return self._value


_ENDINGS = (b"</PubmedArticleSet>", b"</PubmedBookArticleSet>")


def complete_efetch(body: bytes) -> bytes:
    """A cheap check that an efetch answer arrived whole: it ends its set and holds no ERROR.

    Run inside the client's retry loop, so a cut-short answer is asked for again.
    """
    if b"<ERROR>" in body:
        raise ParseError(
            "efetch response", "ERROR", "E-utilities reported an error inside the answer"
        )
    if not body[-256:].rstrip().endswith(_ENDINGS):
        raise ParseError(
            "efetch response", "end", "the XML is cut short (no closing </PubmedArticleSet>)"
        )
    return body
