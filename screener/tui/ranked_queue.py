"""The screening screen's prioritised queue: its order, each record's relevance, and retraining.

A decision never waits for the model. After it is committed, :meth:`RankedQueue.schedule_ranking`
starts a thread worker that opens its own :class:`Project` and asks the app's ranking process
(``ScreenerApp.ranking_worker``) to retrain when due; when a new ranking is stored, that process
also reads the reordered queue (so this process does no heavy work for it) and the worker
reports both with :class:`RankingUpdated`. The screen then keeps the
record on screen and puts the rest of the queue in the new order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.content import Content
from textual.message import Message
from textual.worker import get_current_worker

from screener.errors import ScreenerError
from screener.model import Stage
from screener.project import Project
from screener.screening.order import MODE_LABELS, QueueMode, QueueOrder, RankingInfo
from screener.screening.stopping import StoppingStatus
from screener.tui.text import content_line

if TYPE_CHECKING:
    from screener.flows.ranking import Ranking

__all__ = ["RankedQueue", "RankingFailed", "RankingUpdated", "ranking_lines", "relevance_text"]

_BAR = 10


class RankingUpdated(Message):
    """A reviewer's ranking was retrained and stored; ``ids``: the queue in its new order (None
    when the queue's order does not follow the ranking)."""

    def __init__(
        self, token: int, order: QueueOrder, ranking: Ranking | None, ids: list[int] | None
    ) -> None:
        super().__init__()
        self.token, self.order, self.ranking, self.ids = token, order, ranking, ids


class RankingFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


def relevance_text(order: QueueOrder | None, ranking: Ranking | None, record_id: int) -> str:
    """The record's relevance and the queue's order, as one line of the decision bar."""
    if order is None:
        return ""
    shown = f"Order: {MODE_LABELS[order.effective]}"
    found = ranking.relevance(record_id) if ranking is not None else None
    if found is None:
        if order.effective is QueueMode.RELEVANCE:
            shown += (
                " (no ranking yet: file order until one is trained)"
                if ranking is None
                else " (record added since the last ranking)"
            )
        return shown
    score, rank = found
    filled = round(_BAR * score)
    return (
        f"Relevance {'█' * filled}{'░' * (_BAR - filled)} {100 * score:.0f}% · "
        f"rank {rank:,} of {len(ranking or ()):,} · " + shown
    )


def ranking_lines(order: QueueOrder | None, stopping: StoppingStatus | None) -> list[Content]:
    """The dashboard's lines on the reviewer's queue order and the stopping rule."""
    lines = []
    if order is not None:
        lines.append(content_line(f"  your queue: {order.describe()}"))
    if stopping is not None:
        rule = (
            f"  stopping rule ({100 * stopping.recall_target:.0f}% recall, "
            f"{100 * stopping.confidence:.0f}% confidence): "
        )
        style = "bold $text-success" if stopping.stop is not None or stopping.can_stop else ""
        lines.append(Content.assemble(content_line(rule), content_line(stopping.summary(), style)))
        if stopping.can_stop:
            lines.append(
                content_line(
                    "  the lead may stop: screener stopping REVIEW.db --stop --reviewer LEAD",
                    "$text-success",
                )
            )
    return lines


class RankedQueue:
    """Mixed into the screening screen (which provides ``ids``, ``pos``, ``filter``, ``tag``,
    ``search_text``, ``_token``, ``STAGE`` and ``show_record``)."""

    queue_order: QueueOrder | None = None
    ranking: Ranking | None = None
    app: Any
    ids: list[int]
    pos: int
    filter: str
    tag: str | None
    search_text: str | None
    _token: int
    STAGE: Stage

    def load_order(self, project: Project) -> None:
        """Read the reviewer's queue order and ranking (title/abstract only)."""
        if self.STAGE is not Stage.TITLE_ABSTRACT:
            return
        self.queue_order = project.queue_order(self.app.reviewer)
        self.ranking = project.ranking(self.app.reviewer)

    @property
    def in_file_order(self) -> bool:
        """Whether the queue is in record-id order (no ranking to follow yet counts too)."""
        order = self.queue_order
        return (
            order is None
            or order.effective is QueueMode.FILE
            or (order.effective is QueueMode.RELEVANCE and self.ranking is None)
        )

    def schedule_ranking(self) -> None:
        """Retrain in the background if due (after a decision, an undo, or on opening)."""
        if (
            self.STAGE is not Stage.TITLE_ABSTRACT
            or not self.app.ranking_in_background
            or self.app.project.read_only
        ):
            return
        self._retrain(
            self._token,
            self.filter,
            self.tag,
            self.ranking.info if self.ranking is not None else None,
        )

    @work(thread=True, exclusive=True, group="ranking", exit_on_error=False)
    def _retrain(self, token: int, flt: str, tag: str | None, shown: RankingInfo | None) -> None:
        # A worker this one replaced may have stored the newest ranking and then been told
        # not to report it: compare with the ranking the screen shows, not the one stored.
        worker = get_current_worker()
        me = self.app.reviewer
        try:
            with Project.open(self.app.project.path) as project:
                found = project.rerank(me, flt, tag, shown=shown, worker=self.app.ranking_worker)
        except ScreenerError as exc:
            self.post_message(RankingFailed(str(exc)))  # type: ignore[attr-defined]
            return
        if found is not None and not worker.is_cancelled:
            self.post_message(  # type: ignore[attr-defined]
                RankingUpdated(
                    token,
                    found.order,
                    found.ranking,
                    found.ids,
                )
            )

    def on_ranking_updated(self, message: RankingUpdated) -> None:
        self.queue_order, self.ranking = message.order, message.ranking
        if message.ids is not None and message.token == self._token and not self.search_text:
            current = self.ids[self.pos] if 0 <= self.pos < len(self.ids) else None
            rest = [i for i in message.ids if i != current]
            self.ids = [current, *rest] if current is not None else rest
            self.pos = 0
            self._sorted = False
        self.show_record()

    def on_ranking_failed(self, message: RankingFailed) -> None:
        self.app.notify(f"ranking: {message.error}", severity="warning")

    def choose_order(self, mode: str | None) -> None:
        """Set the reviewer's queue order (from the order picker) and reload the queue."""
        if mode is None:
            return
        try:
            self.queue_order = self.app.project.set_queue_order(self.app.reviewer, mode)
        except ScreenerError as exc:
            self.app.notify(str(exc), severity="error")
            return
        self.ranking = self.app.project.ranking(self.app.reviewer)
        self.load_queue()
        self.show_record()
        self.app.notify(f"queue order: {self.queue_order.describe()}")
        self.schedule_ranking()

    # provided by the screen
    def load_queue(self) -> None: ...
    def show_record(self) -> None: ...

    _sorted: bool


ORDER_CHOICES = [
    (QueueMode.RELEVANCE.value, "Most relevant first"),
    (QueueMode.FILE.value, "File order"),
    (QueueMode.RANDOM.value, "Random order (the stopping rule's sample)"),
    (QueueMode.AUTO.value, "Automatic (most relevant first after an include and an exclude)"),
]
