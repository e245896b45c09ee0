"""Asks who is screening when --reviewer was not given."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class ReviewerPrompt(ModalScreen[str]):
    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Who is screening? (your reviewer name)")
            yield Input(placeholder="e.g. alice", id="reviewer-name")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if name:
            self.dismiss(name)
        else:
            self.notify("a reviewer name is required", severity="error")
