"""An input box that shows its value and placeholder literally, control characters included.

A stored value (an extraction value, a support quote, a study name) may hold an ESC or another
control character. Textual's ``Input`` renders its value as Rich ``Text``: brackets are safe,
but a raw ESC would reach the terminal. Here each control character is drawn as one visible
stand-in (``␛`` for ESC, the Unicode control pictures for C0, ``�`` for C1), one character for
one, so the cursor stays where it is in the value; the value itself is never changed.
"""

from __future__ import annotations

from rich.highlighter import Highlighter
from rich.text import Text
from textual.widgets import Input

from screener.display import visible

__all__ = ["LiteralInput", "ShowControls"]

_PICTURES = {
    **{code: 0x2400 + code for code in range(0x20)},
    0x7F: 0x2421,
    **{code: 0xFFFD for code in range(0x80, 0xA0)},
}


class ShowControls(Highlighter):
    """Draws each control character as a visible stand-in of the same length."""

    def highlight(self, text: Text) -> None:
        plain = text.plain
        shown = plain.translate(_PICTURES)
        if shown != plain:
            text.plain = shown  # same length: the spans and the cursor stay in place


class LiteralInput(Input):
    """``Input`` whose value and placeholder can never act on the terminal."""

    def __init__(self, value: str | None = None, placeholder: str = "", **kwargs) -> None:
        kwargs.setdefault("highlighter", ShowControls())
        super().__init__(value, placeholder, **kwargs)

    def validate_placeholder(self, placeholder: str) -> str:
        return visible(placeholder)
