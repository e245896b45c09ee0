"""The help screen (``?``): every key of the screen underneath, as the keymap has them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from screener.tui.text import content_line

CLOSE_HINT = "Esc, ? or q closes this help."
_NOTES = (
    "Each decision is saved (committed) before the next record shows.",
    "Ctrl+P opens the command palette: every action, by name.",
    "Keys can be changed in a TOML file: $SCREENER_KEYS, or ~/.config/screener/keys.toml,",
    'one [screen] table per screen, e.g.  [screening]  include = "y"',
)


def help_content(title: str, keys: list[tuple[str, str, str]]) -> Content:
    """``keys``: (key as shown, description, binding id or '')."""
    width = max((len(k) for k, _, _ in keys), default=3) + 2
    parts = [
        content_line(f"Keys — {title}", "bold underline"),
        Content.styled(CLOSE_HINT, "$text-muted"),
        Content(""),
    ]
    for key, description, binding_id in keys:
        parts.append(
            Content.assemble(
                (f"{key:<{width}}", "bold $accent"),
                description,
                (f"  [{binding_id}]" if binding_id else "", "$text-muted"),
            )
        )
    parts.append(Content(""))
    parts.extend(Content.styled(line, "italic $text-muted") for line in _NOTES)
    return Content("\n").join(parts)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, title: str, keys: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self._title, self._keys = title, keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(help_content(self._title, self._keys))

    def action_close(self) -> None:
        self.dismiss(None)
