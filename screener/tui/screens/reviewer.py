"""Asks who is screening when --reviewer was not given.

The reviewer is picked from the review's declared reviewers: nobody types a new identity here
(the lead adds reviewers with ``screener reviewer add``). A review without a lead yet (made
with ``screener new`` without ``--reviewer``) asks once for its lead's name and declares it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from screener.display import visible
from screener.errors import ScreenerError
from screener.screening import Reviewer
from screener.tui.text import line

if TYPE_CHECKING:
    from screener.tui.app import ScreenerApp

_ADD_HINT = "Not listed? Ask the lead to add you (screener reviewer add)."


class ReviewerPrompt(ModalScreen[str | None]):
    """Pick yourself from ``reviewers`` (by number, or arrows and Enter); with no lead declared,
    give the lead's name. Dismissed with the reviewer's declared name, or None (Escape)."""

    app: ScreenerApp  # Textual types it App[object]; this screen runs in ScreenerApp

    BINDINGS = [
        Binding("escape", "cancel", "Quit"),
        *(Binding(str(n % 10), f"pick({n - 1})", show=False) for n in range(1, 11)),
    ]

    def __init__(self, reviewers: Sequence[Reviewer]) -> None:
        super().__init__()
        self.reviewers = list(reviewers)

    def compose(self) -> ComposeResult:
        with Vertical():
            if any(r.is_lead for r in self.reviewers):
                yield Label("Who is screening? Pick your name:", classes="prompt-title")
                yield OptionList(
                    *(
                        Option(_choice(n, r), id=str(n - 1))
                        for n, r in enumerate(self.reviewers, 1)
                    ),
                    id="reviewer-list",
                )
                yield Label(_ADD_HINT, classes="prompt-help")
            else:
                yield Label(
                    "This review has no lead yet. Your name (you become its lead):",
                    classes="prompt-title",
                )
                yield Input(placeholder="e.g. alice", id="reviewer-name")

    def action_pick(self, index: int) -> None:
        if self.query(Input):  # typing the lead's name: digits are part of it
            return
        if 0 <= index < len(self.reviewers):
            self.dismiss(self.reviewers[index].name)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_pick(int(event.option.id or 0))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            self.notify("a reviewer name is required", severity="error")
            return
        try:
            lead = self.app.project.declare_lead(name)
        except ScreenerError as exc:  # e.g. someone declared reviewers meanwhile
            self.notify(visible(str(exc)), severity="error", markup=False)
            self.reviewers = self.app.project.reviewers()
            self.refresh(recompose=True)
            return
        self.dismiss(lead.name)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _choice(number: int, reviewer: Reviewer) -> Text:
    label = line(f"{number % 10 if number <= 10 else ' '}  {reviewer.name}")
    label.append(f"  {reviewer.role}", style="dim")
    return label
