"""Importing an export file from the TUI: type its path, see what it is, confirm, watch.

Enter (or Check) reads the file without storing anything (:meth:`Project.preview_import`) and
shows its format, database and record count; Import then runs :meth:`Project.import_file` in a
thread worker with a progress bar. A file that does not say which database it came from needs
its source typed in the Source field (a database, or ``other:website`` ... for PRISMA's other
methods) before Import is enabled: a file format is never a database. The screen dismisses
with the :class:`ImportResult`, or with None when left with Escape. The workers follow
:mod:`screener.tui.workers`: their own connection, and the messages below to report back.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, ProgressBar, Static

from screener.display import count_of
from screener.errors import ScreenerError
from screener.flows.importing import ImportPreview
from screener.model import ImportResult
from screener.project import Project
from screener.tui.read_only import writes
from screener.tui.text import literal
from screener.tui.widgets.literal_input import LiteralInput
from screener.tui.workers import WorkerReport

if TYPE_CHECKING:
    from screener.tui.app import ScreenerApp


class ImportChecked(WorkerReport):
    """The chosen file was read without storing anything."""

    def __init__(self, preview: ImportPreview) -> None:
        super().__init__()
        self.preview = preview


class ImportProgressed(WorkerReport):
    """``done`` records read so far (``total`` once the importer knows it)."""

    def __init__(self, done: int, total: int | None) -> None:
        super().__init__()
        self.done, self.total = done, total


class ImportFinished(WorkerReport):
    """The file is in the review."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__()
        self.result = result


class ImportFailed(WorkerReport):
    """Checking or importing stopped on an error the user can act on (one line)."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


SOURCE_NEEDED = (
    "The file does not say which database it came from: type its source above "
    "(e.g. Embase, or other:citation for citation searching) to import it."
)


def preview_text(preview: ImportPreview, source: str = "") -> str:
    """One short paragraph describing what importing ``preview``'s file would do (under
    ``source`` when one is typed)."""
    database = source.strip() or preview.database or "source not named in the file"
    lines = [
        f"{preview.file_name}: {preview.label} · {database} · "
        f"{count_of(preview.count, 'record')} · {preview.encoding}"
    ]
    if preview.needs_source and not source.strip():
        lines.append(SOURCE_NEEDED)
    if preview.bad:
        lines.append(f"{len(preview.bad):,} malformed: {preview.bad[0]}")
        lines.append("Tick 'Skip malformed entries' to import the rest.")
    if preview.imported_before:
        lines.append(
            f"Imported before as {preview.imported_before}; importing again adds the records twice."
        )
    return "\n".join(lines)


class ImportScreen(ModalScreen[ImportResult | None]):
    """A dialog: path, what the file is, skip-bad, progress, Import / Cancel."""

    app: ScreenerApp  # Textual types it App[object]; this screen runs in ScreenerApp
    BINDINGS = [Binding("escape", "close", "Close", id="import.close")]

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.initial_path = path
        self.preview: ImportPreview | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                "Import a database export (RIS, MEDLINE, Web of Science, Embase, Scopus, CNKI ...)",
                id="import-title",
            )
            yield LiteralInput(
                self.initial_path,
                placeholder="path to the export file, then Enter",
                id="import-path",
            )
            yield LiteralInput(
                "",
                id="import-source",
                placeholder="source: the database (needed if the file does not "
                "say), or other:website, other:citation ...",
            )
            yield Static(
                "Enter a path and press Enter to see what the file holds.", id="import-preview"
            )
            yield Checkbox("Skip malformed entries", id="import-skip-bad")
            yield ProgressBar(id="import-progress", show_eta=False)
            with Horizontal(id="import-buttons"):
                yield Button("Check", id="import-check")
                yield Button("Import", id="import-run", variant="primary", disabled=True)
                yield Button("Cancel", id="import-cancel")

    def path(self) -> Path:
        return Path(self.query_one("#import-path", Input).value.strip()).expanduser()

    def source(self) -> str:
        return self.query_one("#import-source", Input).value.strip()

    def can_import(self) -> bool:
        """Checked, and the file names its database or a source is typed."""
        return self.preview is not None and not (self.preview.needs_source and not self.source())

    # --- checking ------------------------------------------------------------------------------
    @on(Input.Submitted, "#import-path")
    @on(Button.Pressed, "#import-check")
    @writes
    def check(self) -> None:
        if self.busy:
            return
        if not self.query_one("#import-path", Input).value.strip():
            self._say("Type the path of an export file first.")
            return
        self._set_busy(True)
        self.preview = None
        path = self.path()
        self._say(f"Reading {path.name} ...")
        self._check(self.app.project.path, path)

    @work(thread=True, exclusive=True, group="import", name="import-check")
    def _check(self, review: Path, path: Path) -> None:
        try:
            with Project.open(review) as project:
                # Without the typed source: the preview says whether the file names a database.
                preview = project.preview_import(path)
        except ScreenerError as exc:
            self.post_message(ImportFailed(str(exc)))
            return
        self.post_message(ImportChecked(preview))

    def on_import_checked(self, message: ImportChecked) -> None:
        if message.stale:
            return
        self._set_busy(False)
        self.preview = message.preview
        self._say(preview_text(message.preview, self.source()))
        self.query_one("#import-progress", ProgressBar).update(
            total=message.preview.count, progress=0
        )
        self.query_one("#import-run", Button).disabled = not self.can_import()
        if message.preview.needs_source and not self.source():
            self.query_one("#import-source", Input).focus()

    @on(Input.Changed, "#import-source")
    def source_changed(self) -> None:
        if self.busy or self.preview is None:
            return
        self._say(preview_text(self.preview, self.source()))
        self.query_one("#import-run", Button).disabled = not self.can_import()

    @on(Input.Submitted, "#import-source")
    def source_submitted(self) -> None:
        if self.preview is None:
            self.check()
        else:
            self.start_import()

    # --- importing -----------------------------------------------------------------------------
    @on(Button.Pressed, "#import-run")
    @writes
    def start_import(self) -> None:
        if self.busy or self.preview is None:
            return
        if not self.can_import():
            self._say(preview_text(self.preview))
            self.query_one("#import-source", Input).focus()
            return
        self._set_busy(True)
        path, skip_bad = self.path(), self.query_one("#import-skip-bad", Checkbox).value
        again, source = bool(self.preview.imported_before), self.source() or None
        self._say(f"Importing {path.name} ...")
        self._import(self.app.project.path, path, skip_bad, again, source)

    @work(thread=True, exclusive=True, group="import", name="import-run")
    def _import(
        self, review: Path, path: Path, skip_bad: bool, again: bool, source: str | None
    ) -> None:
        def progress(done: int, total: int | None) -> None:
            self.post_message(ImportProgressed(done, total))

        try:
            with Project.open(review) as project:
                result = project.import_file(
                    path, source=source, skip_bad=skip_bad, again=again, progress=progress
                )
        except ScreenerError as exc:
            self.post_message(ImportFailed(str(exc)))
            return
        self.post_message(ImportFinished(result))

    def on_import_progressed(self, message: ImportProgressed) -> None:
        if message.stale:
            return
        bar = self.query_one("#import-progress", ProgressBar)
        # Mid-import the total is unknown to the importer; keep the checked count as the total.
        if message.total is None:
            bar.update(progress=message.done)
        else:
            bar.update(progress=message.done, total=message.total)

    def on_import_finished(self, message: ImportFinished) -> None:
        if message.stale:
            return
        self._set_busy(False)
        result = message.result
        self.notify(
            f"{result.file_name}: {count_of(result.count_imported, 'record')} imported from "
            f"{result.database}",
            markup=False,
        )
        self.dismiss(result)

    def on_import_failed(self, message: ImportFailed) -> None:
        if message.stale:
            return
        self._set_busy(False)
        self.query_one("#import-run", Button).disabled = not self.can_import()
        self._say(f"Stopped: {message.error}")
        self.notify(message.error, severity="error", markup=False)

    # --- helpers -------------------------------------------------------------------------------
    @on(Button.Pressed, "#import-cancel")
    def action_close(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for button in ("#import-check", "#import-run", "#import-cancel"):
            self.query_one(button, Button).disabled = busy
        if not busy:
            self.query_one("#import-run", Button).disabled = not self.can_import()

    def _say(self, text: str) -> None:
        self.status_text = text
        # File names and messages may hold [brackets] and control characters.
        self.query_one("#import-preview", Static).update(literal(text))
