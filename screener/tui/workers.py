"""Background work in the TUI: one pattern for every screen.

Slow work (counting a big review, reading its queue, checking and importing a file, a PubMed
search, pooling) runs in a thread worker, ``@work(thread=True, exclusive=True, group=...)`` on
the screen that shows it, and keeps to three rules:

- it opens its own :class:`~screener.project.Project` on the review file
  (``with Project.open(path) as project:``, closed when the block ends, error or not): the
  App's connection (``app.project``) is used on the main thread only;
- it reports back only by posting :class:`WorkerReport` messages, named in the past tense
  (``ImportFinished``, ``QueueLoaded`` ...), never by touching widgets from its thread;
- it belongs to its screen: Textual cancels a node's workers when the node is unmounted, and
  an exclusive worker when a newer one in its group starts. A report from a cancelled worker
  is :attr:`~WorkerReport.stale`, and its handler drops it instead of applying it.
"""

from __future__ import annotations

from textual.message import Message
from textual.worker import NoActiveWorker, Worker, get_current_worker

__all__ = ["WorkerReport"]


class WorkerReport(Message):
    """A message from a thread worker: what it found, or how far it got.

    Made outside a worker (a test posting one by hand), it is never stale.
    """

    def __init__(self) -> None:
        super().__init__()
        try:
            self.worker: Worker | None = get_current_worker()
        except NoActiveWorker:
            self.worker = None

    @property
    def stale(self) -> bool:
        """The worker was cancelled (its screen closed, or a newer run replaced it) or its
        screen is gone: the report is dropped, not applied. Read it on the main thread, where
        workers are cancelled, so the answer cannot change under the handler."""
        if self.worker is None:
            return False
        return self.worker.is_cancelled or not self.worker.node.is_attached
