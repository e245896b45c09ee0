"""Full-text screening: the records that passed title/abstract, their PDFs, and decisions with
a mandatory exclusion reason (PRISMA's "reports excluded, with reasons")."""

from __future__ import annotations

from pathlib import Path

from textual.binding import Binding
from textual.message import Message

from screener.errors import ScreenerError
from screener.model import Choice, Stage
from screener.tui.read_only import writes
from screener.tui.screens.screening import ScreeningScreen
from screener.tui.widgets.prompts import PickList, TextPrompt


class FullTextAttached(Message):
    def __init__(self, record_id: int, sha256: str) -> None:
        super().__init__()
        self.record_id, self.sha256 = record_id, sha256


class FullTextScreen(ScreeningScreen):
    """Like title/abstract screening, plus: attach (a), open (o), not retrievable (x)."""

    STAGE = Stage.FULL_TEXT
    TITLE_TEXT = "Full-text screening"
    BINDINGS = [
        Binding("a", "attach", "Attach PDF", id="fulltext.attach"),
        Binding("o", "open", "Open PDF", id="fulltext.open"),
        Binding("x", "not_retrieved", "Not retrievable", id="fulltext.not_retrieved"),
    ]

    def extra_status(self, record_id: int) -> str:
        found = self.app.project.full_text(record_id)
        if found is None or (not found.path and not found.not_retrieved):
            return "No full text attached (a: attach a PDF · x: not retrievable)"
        if found.not_retrieved:
            return "Not retrievable" + (f": {found.note}" if found.note else "")
        return f"PDF: {Path(found.path).name} (sha256 {found.sha256[:12]}…)"

    def end_message(self) -> str:
        if not self.ids and self.filter == "undecided" and not self.search_text:
            if not self.app.project.full_text_candidates():
                return "No record has passed title/abstract screening yet."
        return super().end_message()

    @writes
    def action_exclude(self) -> None:
        # At full text every exclusion needs a reason from the review's list.
        self.action_reason()

    @writes
    def action_attach(self) -> None:
        record_id = self.record_id
        if record_id is None or self.app.refuse_server_files("Attaching a PDF"):
            return

        def attach(text: str | None) -> None:
            if not text or not text.strip():
                return
            try:
                found = self.app.project.attach_full_text(
                    record_id, text.strip(), self.app.reviewer
                )
            except ScreenerError as exc:
                self.notify(str(exc), severity="error")
                return
            self.post_message(FullTextAttached(record_id, found.sha256))
            self.notify(f"attached {Path(found.path).name}")
            self.show_record()

        self.app.push_screen(
            TextPrompt(
                f"Full text of record {record_id}",
                placeholder="path to the PDF, e.g. ~/papers/smith2019.pdf",
            ),
            attach,
        )

    def action_open(self) -> None:
        record_id = self.record_id
        found = self.app.project.full_text(record_id) if record_id is not None else None
        if found is None or not found.path:
            self.notify("no full text attached to this record (press a)", severity="warning")
            return
        if not Path(found.path).is_file():
            self.notify(f"{found.path} is no longer there", severity="error")
            return
        self.app.open_file(found.path)

    @writes
    def action_not_retrieved(self) -> None:
        record_id = self.record_id
        if record_id is None:
            return
        project, me = self.app.project, self.app.reviewer
        found = project.full_text(record_id)
        if found is not None and found.not_retrieved:
            project.mark_not_retrieved(record_id, me, not_retrieved=False)
            self.notify("no longer marked not retrievable")
            self.show_record()
            return

        def mark(note: str | None) -> None:
            if note is None:
                return
            project.mark_not_retrieved(record_id, me, note=note)
            self.show_record()

        self.app.push_screen(
            TextPrompt(
                f"Record {record_id}: report not retrievable",
                placeholder="why (optional), e.g. author did not reply",
            ),
            mark,
        )

    @writes
    def action_reason(self) -> None:
        if self.record_id is None:
            return
        reasons = self.review.exclusion_reasons
        if not reasons:
            self.notify(
                "add exclusion reasons to the review first: full-text exclusions need one",
                severity="error",
            )
            return
        self.app.push_screen(
            PickList(
                "Exclude the full text, with the reason:",
                [(r, r) for r in reasons],
                help_text="a reason is required at full text; press its number",
            ),
            lambda reason: self.decide(Choice.EXCLUDE, reason) if reason else None,
        )
