"""Small modal questions: a line of text, or one choice from a numbered list."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from screener.tui.text import line, literal
from screener.tui.widgets.literal_input import LiteralInput


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line; Enter gives it, Escape gives None. Title, help, value and placeholder
    may hold stored text (tags, a support quote): all shown literally."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, title: str, *, value: str = "", placeholder: str = "", help_text: str = ""
    ) -> None:
        super().__init__()
        self._title, self._value, self._placeholder, self._help = (
            title,
            value,
            placeholder,
            help_text,
        )

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(literal(self._title), classes="prompt-title")
            if self._help:
                yield Label(literal(self._help), classes="prompt-help")
            yield LiteralInput(value=self._value, placeholder=self._placeholder)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickList(ModalScreen[str | None]):
    """Pick one of ``options`` ((value, label) pairs) by its number, or with arrows and Enter.
    Labels (reasons, tags) are shown literally, each on one line."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        *(Binding(str(n % 10), f"pick({n - 1})", show=False) for n in range(1, 11)),
    ]

    def __init__(
        self, title: str, options: Sequence[tuple[str, str]], *, help_text: str = ""
    ) -> None:
        super().__init__()
        self._title, self._options, self._help = title, list(options), help_text

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(literal(self._title), classes="prompt-title")
            if self._help:
                yield Label(literal(self._help), classes="prompt-help")
            yield OptionList(
                *(
                    Option(Text.assemble(f"{n % 10 if n <= 10 else ' '}  ", line(label)), id=str(i))
                    for i, (n, (_, label)) in enumerate(enumerate(self._options, 1))
                )
            )

    def action_pick(self, index: int) -> None:
        if 0 <= index < len(self._options):
            self.dismiss(self._options[index][0])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_pick(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)
