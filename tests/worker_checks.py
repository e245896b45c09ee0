"""Checks on the TUI's workers (screener/tui/workers.py): which threads use the App's
connection (only the main one may: workers open their own), and what a worker reports."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from textual.message import Message

from screener.project import Project

_ENTRY_POINTS = (
    "execute",
    "executemany",
    "executescript",
    "cursor",
    "commit",
    "rollback",
    "create_function",
    "backup",
    "iterdump",
)


def record_threads(project: Project) -> list[threading.Thread]:
    """Wrap the ways into ``project``'s connection (the real one: SQLite is not mocked) so that
    each call appends its thread to the list returned."""
    conn = project.db.conn
    seen: list[threading.Thread] = []

    def recording(method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            seen.append(threading.current_thread())
            return method(*args, **kwargs)

        return call

    for name in _ENTRY_POINTS:
        setattr(conn, name, recording(getattr(conn, name)))
    return seen


def other_threads(seen: list[threading.Thread]) -> set[str]:
    """The names of the threads other than the main one in ``seen``."""
    return {t.name for t in seen if t is not threading.main_thread()}


def watch_reports(screen: Any, kind: type[Message]) -> tuple[list[bool], threading.Event]:
    """Record whether each ``kind`` report posted to ``screen`` was queued (True) or refused by
    a closed screen (False); the event is set once one was posted, so a test can wait for a
    worker that was cancelled (its thread runs on) to finish."""
    accepted: list[bool] = []
    posted = threading.Event()
    original = screen.post_message

    def post(message: Message) -> bool:
        queued = original(message)
        if isinstance(message, kind):
            accepted.append(queued)
            posted.set()
        return queued

    screen.post_message = post
    return accepted, posted
