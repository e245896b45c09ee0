"""Editing the review's eligibility criteria and highlight terms (``e`` on the dashboard).

What the screening screens show beside each record (the criteria panel, ``c``) and the terms
they highlight in titles and abstracts. Only a lead may change them once the review has one
(:meth:`Project.can_change_settings`); Ctrl+S saves through :meth:`Project.update_review`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label

from screener.errors import ScreenerError
from screener.model import Review
from screener.tui.read_only import writes
from screener.tui.widgets.key_line import KeyLine
from screener.tui.widgets.literal_input import LiteralInput

if TYPE_CHECKING:
    from screener.tui.app import ScreenerApp

FIELDS = (
    ("question", "Question"),
    ("population", "Population"),
    ("intervention", "Intervention"),
    ("comparator", "Comparator"),
    ("outcomes", "Outcomes"),
    ("study_designs", "Study designs"),
    ("inclusion_criteria", "Inclusion criteria"),
    ("exclusion_criteria", "Exclusion criteria"),
)
TERMS = (
    ("include_terms", "Terms to highlight as signs to include"),
    ("exclude_terms", "Terms to highlight as signs to exclude"),
)
TERM_SEPARATOR = ";"


class CriteriaSaved(Message):
    """The criteria or highlight terms were changed (``changed``: which settings)."""

    def __init__(self, changed: tuple[str, ...]) -> None:
        super().__init__()
        self.changed = changed


def split_terms(text: str) -> tuple[str, ...]:
    """``"nudge; default ;reminder"`` -> ``("nudge", "default", "reminder")``."""
    return tuple(t.strip() for t in text.split(TERM_SEPARATOR) if t.strip())


class CriteriaScreen(Screen[None]):
    """One box per criterion and one per list of terms; Ctrl+S saves, Escape goes back."""

    app: ScreenerApp  # Textual types it App[object]; this screen runs in ScreenerApp
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="criteria.save"),
        Binding("escape", "back", "Back", id="criteria.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._leaving = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="criteria-form"):
            for name, label in FIELDS:
                yield Label(label, classes="criteria-label")
                yield LiteralInput(id=f"criteria-{name}")
            for name, label in TERMS:
                yield Label(f"{label} (separated by {TERM_SEPARATOR})", classes="criteria-label")
                yield LiteralInput(id=f"criteria-{name}", placeholder="e.g. randomi; placebo; 随机")
        yield KeyLine(
            ("criteria.save", "criteria.back"),
            note="Tab next box · screening shows these beside each record (c)",
        )
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Eligibility criteria and highlight terms"
        self.show(self.app.project.review())

    def show(self, review: Review) -> None:
        self.review = review
        for name, _ in FIELDS:
            self.query_one(f"#criteria-{name}", Input).value = getattr(review, name)
        for name, _ in TERMS:
            terms = getattr(review, name)
            self.query_one(f"#criteria-{name}", Input).value = f"{TERM_SEPARATOR} ".join(terms)

    def changes(self) -> dict[str, object]:
        """The settings whose box differs from the review's."""
        out: dict[str, object] = {}
        for name, _ in FIELDS:
            value = self.query_one(f"#criteria-{name}", Input).value.strip()
            if value != getattr(self.review, name):
                out[name] = value
        for name, _ in TERMS:
            terms = split_terms(self.query_one(f"#criteria-{name}", Input).value)
            if terms != tuple(getattr(self.review, name)):
                out[name] = terms
        return out

    def on_input_changed(self) -> None:
        self._leaving = False

    @writes
    def action_save(self) -> None:
        changes = self.changes()
        if not changes:
            self.notify("nothing changed")
            return
        try:
            review = self.app.project.update_review(**changes)
        except ScreenerError as exc:
            self.notify(str(exc), severity="error")
            return
        self.show(review)
        self.post_message(CriteriaSaved(tuple(changes)))
        saved = [label for name, label in (*FIELDS, *TERMS) if name in changes]
        self.notify(f"saved: {', '.join(saved)}")

    def action_back(self) -> None:
        if self.changes() and not self._leaving and not self.app.project.read_only:
            self._leaving = True
            self.notify(
                "unsaved changes: Ctrl+S saves them; Escape again leaves without saving",
                severity="warning",
            )
            return
        self.app.pop_screen()
