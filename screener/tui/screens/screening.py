"""Title/abstract screening: one record at a time, one key per decision.

Every decision is committed (its own transaction, through the façade) before the next record
is shown, so a crash or a killed terminal loses at most the key being pressed. In a blind
review the screen shows only this reviewer's decisions, tags and notes.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header

from screener.errors import ScreenerError
from screener.model import Choice, Stage
from screener.project import Project
from screener.screening import QueueFilter
from screener.tui.ranked_queue import ORDER_CHOICES, RankedQueue, relevance_text
from screener.tui.read_only import writes
from screener.tui.widgets.criteria import CriteriaPanel
from screener.tui.widgets.decision_bar import DecisionBar
from screener.tui.widgets.prompts import PickList, TextPrompt
from screener.tui.widgets.record_view import RecordView
from screener.tui.workers import WorkerReport

if TYPE_CHECKING:
    from screener.tui.app import ScreenerApp

FILTER_LABELS = {
    "undecided": "undecided by you",
    "mine": "decided by you",
    "maybe": "your maybes",
    "included": "your includes",
    "conflicts": "conflicts",
    "all": "all records",
}
_WINDOW = 64  # records checked at a time when skipping ones already decided
_CRITERIA_WIDTH = 140  # terminals at least this wide show the criteria panel from the start


class DecisionRecorded(Message):
    """A decision was committed to the review file."""

    def __init__(self, record_id: int, stage: Stage, choice: Choice, reason: str | None) -> None:
        super().__init__()
        self.record_id, self.stage, self.choice, self.reason = record_id, stage, choice, reason


class QueueLoaded(WorkerReport):
    """A big review's queue was read in a thread, for the ``token``-th :meth:`load_queue`."""

    def __init__(self, token: int, ids: list[int]) -> None:
        super().__init__()
        self.token, self.ids = token, ids


class ScreeningScreen(RankedQueue, Screen[None]):
    """Screen the records of a stage: decide, undo, note, tag, filter, search."""

    app: ScreenerApp  # Textual types it App[object]; this screen runs in ScreenerApp

    STAGE = Stage.TITLE_ABSTRACT
    TITLE_TEXT = "Title/abstract screening"
    # The footer shows bindings in this order and cuts what does not fit: the decisions, then
    # the way back and the help (here, not only on the app, so they come before the rest).
    BINDINGS = [
        Binding("i", "decide('include')", "Include", id="screening.include"),
        Binding("e", "exclude", "Exclude", id="screening.exclude"),
        Binding("m", "decide('maybe')", "Maybe", id="screening.maybe"),
        Binding("r", "reason", "Reason", id="screening.reason"),
        Binding("escape", "back", "Back", id="screening.back"),
        Binding("question_mark", "app.help", "Help", key_display="?", id="app.help"),
        Binding("u", "undo", "Undo", id="screening.undo"),
        Binding("n", "note", "Note", id="screening.note"),
        Binding("t", "tags", "Tags", id="screening.tags"),
        Binding("left", "move(-1)", "Prev", key_display="←", id="screening.previous"),
        Binding("right", "move(1)", "Next", key_display="→", id="screening.next"),
        Binding("slash", "search", "Search", key_display="/", id="screening.search"),
        Binding("f", "filter", "Filter", id="screening.filter"),
        Binding("c", "criteria", "Criteria", id="screening.criteria"),
        Binding("p", "order", "Order", id="screening.order"),
        Binding("down", "scroll(1)", "Scroll down", show=False),
        Binding("up", "scroll(-1)", "Scroll up", show=False),
        Binding("pagedown", "scroll(10)", "Page down", show=False),
        Binding("pageup", "scroll(-10)", "Page up", show=False),
    ]

    def __init__(
        self, *, start_at: int | None = None, filter: str = "undecided", tag: str | None = None
    ) -> None:
        super().__init__()
        self.filter, self.tag = filter, tag
        self.search_text: str | None = None
        self.ids: list[int] = []
        self.pos = 0
        self.loading = False  # a big review's queue is still being read in a thread
        self._sorted = True
        self._start_at = start_at
        self._token = 0  # which load_queue a background result belongs to

    # --- layout and state ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="screening-body"):
            yield RecordView(id="record")
            yield CriteriaPanel(id="criteria")
        yield DecisionBar(id="decision-bar")
        yield Footer()

    def on_mount(self) -> None:
        self.review = self.app.project.review()
        self.sub_title = f"{self.TITLE_TEXT} · {self.app.reviewer}"
        criteria = self.query_one(CriteriaPanel)
        criteria.show(self.review)
        criteria.display = self.app.size.width >= _CRITERIA_WIDTH
        self.load_order(self.app.project)
        self.load_queue()
        if self._start_at is not None:
            self.goto(self._start_at)
        self.show_record()
        self.schedule_ranking()

    @property
    def record_id(self) -> int | None:
        """The record on screen, or None past the end of the queue."""
        return self.ids[self.pos] if 0 <= self.pos < len(self.ids) else None

    def load_queue(self) -> None:
        """Fill the queue for the current filter or search.

        On a big review (see ``ScreenerApp.background_above``) the first record is fetched at
        once and the whole queue is read in a thread with its own connection; until it arrives
        the screen walks on record by record.
        """
        self._token += 1
        self.pos, self.loading, self._sorted = 0, False, True
        project, reviewer = self.app.project, self.app.reviewer
        if self.search_text:
            found = project.search_records(self.search_text, limit=10_000)
            if self.STAGE is Stage.FULL_TEXT:
                allowed = set(project.full_text_candidates())
                found = [i for i in found if i in allowed]
            self.ids, self._sorted = found, False
        elif not self.app.big_review:
            self.ids = project.ordered_queue(self.STAGE, reviewer, self.filter, self.tag)
            self._sorted = self.in_file_order
        else:
            self.ids = project.ordered_queue(self.STAGE, reviewer, self.filter, self.tag, limit=1)
            self._sorted = self.in_file_order
            self.loading = True
            self._read_queue(project.path, reviewer, self._token, self.filter, self.tag)

    @work(thread=True, exclusive=True, group="queue", exit_on_error=False)
    def _read_queue(
        self, review: Path, reviewer: str, token: int, flt: str, tag: str | None
    ) -> None:
        with Project.open(review) as project:
            ids = project.ordered_queue(self.STAGE, reviewer, flt, tag)
        self.post_message(QueueLoaded(token, ids))

    def on_queue_loaded(self, message: QueueLoaded) -> None:
        if not message.stale:
            self._queue_read(message.token, message.ids)

    def _queue_read(self, token: int, ids: list[int]) -> None:
        if token != self._token:  # a later load_queue (a search, a filter) replaced it
            return
        current, exhausted = self.record_id, self.pos >= len(self.ids)
        self.ids, self.loading = ids, False
        if current is not None:
            self.goto(current)
        else:
            self.pos = len(ids) if exhausted else 0
        self.show_record()

    def _extend(self) -> bool:
        """While a big queue is read: fetch the record after the last one known."""
        if not self.loading:
            return False
        more = self.app.project.ordered_queue(
            self.STAGE,
            self.app.reviewer,
            self.filter,
            self.tag,
            after=self.ids[-1] if self.ids else 0,
            limit=1,
        )
        self.ids.extend(more)
        return bool(more)

    def queue_label(self) -> str:
        if self.search_text:
            return f"search “{self.search_text}”"
        if self.filter.startswith("tag") or self.tag:
            return f"tag {self.tag}"
        return FILTER_LABELS.get(self.filter, self.filter)

    def goto(self, record_id: int) -> None:
        """Put ``record_id`` on screen, adding it to the queue when the filter left it out."""
        if self._sorted:
            index = bisect_left(self.ids, record_id)
            if index == len(self.ids) or self.ids[index] != record_id:
                insort(self.ids, record_id)
        elif record_id in self.ids:
            index = self.ids.index(record_id)
        else:
            index = self.pos + 1 if self.ids else 0
            self.ids.insert(index, record_id)
        self.pos = index

    def show_record(self) -> None:
        view, bar = self.query_one(RecordView), self.query_one(DecisionBar)
        record_id = self.record_id
        total = None if self.loading else len(self.ids)
        if record_id is None:
            view.show_message(self.end_message())
            bar.show(
                position=0,
                total=total,
                queue=self.queue_label(),
                record_id=None,
                mine=None,
                extra="f: change the filter · /: search · ←: back · Esc: dashboard",
            )
            return
        project, me, blind = self.app.project, self.app.reviewer, self.review.blind
        view.show(
            project.record(record_id),
            project.record_sources(record_id),
            self.review.include_terms,
            self.review.exclude_terms,
        )
        decisions = project.decisions(record_id, self.STAGE, as_reviewer=me)
        mine = next((d for d in decisions if d.reviewer == me), None)
        # Blind: nothing of another reviewer's shows here, even once both have decided; the
        # conflicts screen is where their decisions meet.
        others = [] if blind else [d for d in decisions if d.reviewer != me]
        bar.show(
            position=self.pos + 1,
            total=total,
            queue=self.queue_label(),
            record_id=record_id,
            mine=mine,
            others=others,
            tags=project.record_tags(record_id, as_reviewer=me),
            notes=project.notes(record_id, as_reviewer=me),
            extra=self.extra_status(record_id),
        )

    def end_message(self) -> str:
        if not self.ids:
            return (
                f"No records in this queue ({self.queue_label()}). Press f to choose another "
                "filter."
            )
        if self.filter == QueueFilter.UNDECIDED.value and not self.search_text:
            return "You have decided every record in this queue. Press f for another filter."
        return "End of the queue. Press ← to go back or f for another filter."

    def extra_status(self, record_id: int) -> str:
        return relevance_text(self.queue_order, self.ranking, record_id)

    # --- deciding --------------------------------------------------------------------------------
    def decide(self, choice: Choice, reason: str | None = None) -> None:
        record_id = self.record_id
        if record_id is None:
            self.notify("no record on screen", severity="warning")
            return
        try:
            self.app.project.record_decision(
                record_id, self.STAGE, self.app.reviewer, choice, reason=reason
            )
        except ScreenerError as exc:
            self.notify(str(exc), severity="error")
            return
        self.post_message(DecisionRecorded(record_id, self.STAGE, choice, reason))
        self.advance()
        self.show_record()
        self.schedule_ranking()

    def advance(self) -> None:
        """Move on after a decision: in the undecided queue, to the next record still undecided."""
        if self.search_text or self.filter != QueueFilter.UNDECIDED.value:
            if self.pos + 1 >= len(self.ids):
                self._extend()
            self.pos = min(self.pos + 1, len(self.ids))
            return
        project, me = self.app.project, self.app.reviewer
        after = range(self.pos + 1, len(self.ids))
        for start, stop in ((after.start, after.stop), (0, self.pos + 1)):
            for lo in range(start, stop, _WINDOW):
                window = self.ids[lo : min(lo + _WINDOW, stop)]
                decided = project.decided_by(self.STAGE, me, window)
                for offset, record_id in enumerate(window):
                    if record_id not in decided:
                        self.pos = lo + offset
                        return
            if start == after.start and self._extend():
                self.pos = len(self.ids) - 1  # fetched as undecided just now
                return
        self.pos = len(self.ids)

    @writes
    def action_decide(self, choice: str) -> None:
        self.decide(Choice(choice))

    @writes
    def action_exclude(self) -> None:
        self.decide(Choice.EXCLUDE)

    @writes
    def action_reason(self) -> None:
        """Exclude with one of the review's reasons, picked by its number."""
        if self.record_id is None:
            return
        reasons = self.review.exclusion_reasons
        if not reasons:
            self.notify("this review has no exclusion reasons yet", severity="warning")
            return
        self.app.push_screen(
            PickList(
                "Exclude, with the reason:",
                [(r, r) for r in reasons],
                help_text="press the reason's number (Esc: cancel)",
            ),
            lambda reason: self.decide(Choice.EXCLUDE, reason) if reason else None,
        )

    @writes
    def action_undo(self) -> None:
        record_id = self.app.project.undo_decision(self.STAGE, self.app.reviewer)
        if record_id is None:
            self.notify("nothing to undo")
            return
        self.goto(record_id)
        self.show_record()
        self.notify(f"undid your last decision (record {record_id})")
        self.schedule_ranking()

    # --- notes, tags, moving, finding ------------------------------------------------------------
    @writes
    def action_note(self) -> None:
        record_id = self.record_id
        if record_id is None:
            return

        def save(text: str | None) -> None:
            if text and text.strip():
                self.app.project.add_note(record_id, self.app.reviewer, text, stage=self.STAGE)
                self.show_record()

        self.app.push_screen(
            TextPrompt(f"Note on record {record_id}", placeholder="your note"), save
        )

    @writes
    def action_tags(self) -> None:
        record_id = self.record_id
        if record_id is None:
            return
        current = self.app.project.record_tags(record_id, as_reviewer=self.app.reviewer)

        def save(text: str | None) -> None:
            if not text:
                return
            project, me = self.app.project, self.app.reviewer
            for word in (w.strip() for w in text.split(",")):
                if word.startswith("-") and word[1:].strip():
                    project.untag_record(record_id, word[1:].strip(), me)
                elif word:
                    project.tag_record(record_id, word, me)
            self.show_record()

        self.app.push_screen(
            TextPrompt(
                f"Tags for record {record_id}"
                + (f" (now: {', '.join(current)})" if current else ""),
                placeholder="rct, pilot",
                help_text="comma-separated; -name removes a tag",
            ),
            save,
        )

    def action_move(self, step: int) -> None:
        if not self.ids:
            return
        target = self.pos + step
        if step > 0 and target >= len(self.ids):
            self._extend()
        if step > 0 and target >= len(self.ids) and self.pos < len(self.ids):
            self.notify("that was the last record of this queue")
        self.pos = max(0, min(target, len(self.ids) - 1))
        self.show_record()

    def action_scroll(self, lines: int) -> None:
        view = self.query_one(RecordView)
        view.scroll_relative(y=lines, animate=False)

    def action_search(self) -> None:
        def run(text: str | None) -> None:
            if text is None:
                return
            self.search_text = text.strip() or None
            self.load_queue()
            self.show_record()
            if self.search_text:
                self.notify(f"{len(self.ids):,} records match")

        self.app.push_screen(
            TextPrompt(
                "Search titles and abstracts",
                value=self.search_text or "",
                help_text="words match as prefixes; empty: back to the queue",
            ),
            run,
        )

    def action_filter(self) -> None:
        options = [(name, label.capitalize()) for name, label in FILTER_LABELS.items()]
        options += [(f"tag:{t}", f"Tag: {t}") for t in self._tag_names()]

        def apply(choice: str | None) -> None:
            if choice is None:
                return
            self.filter, self.tag = (
                ("tag", choice[4:]) if choice.startswith("tag:") else (choice, None)
            )
            self.search_text = None
            self.load_queue()
            self.show_record()

        self.app.push_screen(PickList("Show which records?", options), apply)

    def _tag_names(self) -> list[str]:
        # Blind: only this reviewer's own tags (others' could hint at their decisions).
        return self.app.project.tags(as_reviewer=self.app.reviewer)

    @writes
    def action_order(self) -> None:
        """Choose the queue's order: most relevant first, file order, random, automatic."""
        if self.STAGE is not Stage.TITLE_ABSTRACT:
            self.notify("the full-text queue is in file order")
            return
        self.app.push_screen(PickList("Order of your queue:", ORDER_CHOICES), self.choose_order)

    def action_criteria(self) -> None:
        panel = self.query_one(CriteriaPanel)
        panel.display = not panel.display

    def action_back(self) -> None:
        self.app.pop_screen()
