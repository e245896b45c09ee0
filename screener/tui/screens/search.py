"""Searching PubMed from the TUI: pick a saved strategy, edit it, run it, watch, cancel.

The strategies are the ``queries/*.txt`` files. The search runs in a thread worker calling
:meth:`Project.search` on its own connection (see :mod:`screener.tui.workers`); progress comes
back as :class:`SearchProgressed` messages and the outcome as :class:`SearchFinished` or
:class:`SearchFailed`. Cancel stops after the batch being stored; the run can be resumed (here
with ``ctrl+e``, or ``screener search --resume``).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Label, OptionList, ProgressBar, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from screener.display import visible
from screener.errors import ScreenerError
from screener.project import Project
from screener.queries import SavedQuery, parse_query
from screener.search.client import EntrezOptions
from screener.search.results import SearchRunResult
from screener.tui.read_only import writes
from screener.tui.text import line, literal
from screener.tui.workers import WorkerReport

if TYPE_CHECKING:
    from screener.tui.app import ScreenerApp


class SearchProgressed(WorkerReport):
    """``done`` of ``total`` records in the review (``total`` None while planning)."""

    def __init__(self, done: int, total: int | None) -> None:
        super().__init__()
        self.done, self.total = done, total


class SearchFinished(WorkerReport):
    """A run ended (complete or cancelled); ``result`` is its log line."""

    def __init__(self, result: SearchRunResult) -> None:
        super().__init__()
        self.result = result


class SearchFailed(WorkerReport):
    """A run stopped on an error the user can act on; ``error`` is the one-line message."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class SearchScreen(Screen[None]):
    """The saved strategies on the left, the chosen one (editable) and the run on the right."""

    app: ScreenerApp  # Textual types it App[object]; this screen runs in ScreenerApp
    BINDINGS = [
        Binding("ctrl+r", "run", "Run", priority=True, id="search.run"),
        Binding("ctrl+e", "resume", "Resume", priority=True, id="search.resume"),
        Binding("ctrl+s", "save", "Save strategy", priority=True, id="search.save"),
        Binding("escape", "cancel", "Cancel / back", priority=True, id="search.cancel"),
    ]

    def __init__(
        self,
        queries_dir: Path | None = None,
        *,
        eutils_url: str | None = None,
        email: str | None = None,
        options: EntrezOptions | None = None,
    ) -> None:
        super().__init__()
        self.queries_dir = queries_dir
        self.eutils_url = eutils_url
        self.email = email
        self.options = options
        self.files: list[Path] = []
        self.current: Path | None = None
        self.running = False
        self._cancel = threading.Event()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="search-body"):
            with Vertical(id="queries-box"):
                yield Label("Saved strategies", classes="box-label", id="queries-label")
                yield OptionList(id="queries")
            with Vertical():
                yield Label(
                    "Strategy (edit it here; ctrl+s saves the file)",
                    classes="box-label",
                    id="strategy-label",
                )
                yield TextArea(id="strategy", soft_wrap=True)
                yield ProgressBar(id="search-progress", show_eta=False)
                yield Static("Pick a strategy; ctrl+r runs it.", id="search-status")
                with Horizontal(id="search-buttons"):
                    yield Button("Run", id="search-run", variant="primary")
                    yield Button("Cancel", id="search-cancel", disabled=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Search PubMed"
        folder = self.queries_dir or _default_queries_dir(Path(self.app.project.path))
        self.files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
        self.query_one("#queries-label", Label).update(
            literal(f"Saved strategies ({folder.name}/*.txt)")
        )
        options = self.query_one("#queries", OptionList)
        options.add_options([Option(line(f.name), id=str(i)) for i, f in enumerate(self.files)])
        if self.files:
            options.highlighted = 0
            self._show(self.files[0])
        else:
            self._status(f"No strategies in {folder}/ (one .txt file per query).")

    # --- choosing and editing ------------------------------------------------------------------
    @on(OptionList.OptionHighlighted, "#queries")
    def _picked(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_id is not None and not self.running:
            self._show(self.files[int(event.option_id)])

    def _show(self, path: Path) -> None:
        self.current = path
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.query_one("#strategy", TextArea).load_text("")
            self._status(f"{path.name}: cannot be read ({exc})")
            return
        # The editor would pass a control character to the terminal: it shows as \xNN instead.
        shown = visible(text)
        self.query_one("#strategy", TextArea).load_text(shown)
        self._status(
            f"{path.name}: ctrl+r runs it, ctrl+s saves your edits."
            + (" Its control characters are shown as \\xNN." if shown != text else "")
        )

    def strategy(self) -> SavedQuery:
        """The strategy as it stands in the editor (edits included)."""
        name = str(self.current) if self.current else "query.pubmed.txt"
        return parse_query(self.query_one("#strategy", TextArea).text, file_name=name)

    def action_save(self) -> None:
        if self.current is None:
            return
        self.current.write_text(self.query_one("#strategy", TextArea).text, encoding="utf-8")
        self.notify(f"saved {self.current.name}")

    # --- running -------------------------------------------------------------------------------
    @on(Button.Pressed, "#search-run")
    @writes
    def action_run(self) -> None:
        self._start(resume=False)

    @writes
    def action_resume(self) -> None:
        self._start(resume=True)

    def _start(self, *, resume: bool) -> None:
        if self.running:
            return
        try:
            query = self.strategy()
        except ScreenerError as exc:
            self.notify(str(exc), severity="error")
            return
        self.running = True
        self._cancel.clear()
        self.query_one("#search-run", Button).disabled = True
        self.query_one("#search-cancel", Button).disabled = False
        self.query_one("#search-progress", ProgressBar).update(total=None, progress=0)
        self._status(f"Searching PubMed: {query.name} ...")
        self._search(self.app.project.path, query, resume)

    @work(thread=True, exclusive=True, group="search", name="pubmed-search")
    def _search(self, review: Path, query: SavedQuery, resume: bool) -> None:
        worker = get_current_worker()

        def progress(done: int, total: int | None) -> None:
            self.post_message(SearchProgressed(done, total))

        try:
            with Project.open(review) as project:
                # Cancel (Escape) stops after the batch being stored, and so does closing the
                # screen or the app (the worker is cancelled then).
                result = project.search(
                    query,
                    eutils_url=self.eutils_url,
                    email=self.email,
                    resume=resume,
                    options=self.options,
                    progress=progress,
                    cancel=lambda: self._cancel.is_set() or worker.is_cancelled,
                )
        except ScreenerError as exc:
            self.post_message(SearchFailed(str(exc)))
            return
        self.post_message(SearchFinished(result))

    def on_search_progressed(self, message: SearchProgressed) -> None:
        if message.stale:
            return
        done, total = message.done, message.total
        self.query_one("#search-progress", ProgressBar).update(total=total, progress=done)
        if total is None:
            self._status(f"Planning the search ({done} searches so far) ...")
        else:
            self._status(f"{done:,} of {total:,} records in the review ...")

    @on(Button.Pressed, "#search-cancel")
    def action_cancel(self) -> None:
        if not self.running:
            self.app.pop_screen()
            return
        self._cancel.set()
        self._status("Stopping after the batch being saved ...")

    def on_search_finished(self, message: SearchFinished) -> None:
        if message.stale:
            return
        result = message.result
        self._stopped()
        word = "Cancelled" if result.status == "cancelled" else "Done"
        text = (
            f"{word}: {result.count_reported or 0:,} reported, {result.count_fetched:,} in the "
            f"review, {result.count_new:,} new."
        )
        if result.status == "cancelled":
            text += " ctrl+e resumes."
        self._status("\n".join([text, *(f"note: {n}" for n in result.notes)]))

    def on_search_failed(self, message: SearchFailed) -> None:
        if message.stale:
            return
        self._stopped()
        self._status(f"Stopped: {message.error}")
        self.notify(message.error, severity="error")

    def _stopped(self) -> None:
        self.running = False
        self.query_one("#search-run", Button).disabled = False
        self.query_one("#search-cancel", Button).disabled = True

    def _status(self, text: str) -> None:
        self.status_text = text
        self.query_one("#search-status", Static).update(literal(text))  # queries hold [brackets]


def _default_queries_dir(review: Path) -> Path:
    """``queries/`` in the working folder, else beside the review file."""
    here = Path.cwd() / "queries"
    return here if here.is_dir() else review.resolve().parent / "queries"
