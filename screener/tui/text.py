"""Stored text as Rich ``Text`` or Textual ``Content``: shown literally, never read as markup or
terminal control.

Every widget that shows a title, abstract, author, reason, tag, note, study label or file name
takes it through :func:`literal` / :func:`line` (Rich ``Text``, for tables, options, labels and
selects) or :func:`content` / :func:`content_line` (Textual ``Content``, for pieces assembled
into a larger block), or gets ``markup=False``. Control characters other than tab and newline
show as ``\\xNN`` (:func:`screener.display.visible`).
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.content import Content

from screener.display import one_line, visible

__all__ = ["content", "content_line", "line", "literal"]


def literal(text: str, style: str | Style = "") -> Text:
    """``text`` as it is: brackets stay brackets, control characters show as ``\\xNN``."""
    return Text(visible(text), style=style)


def line(text: str, style: str | Style = "") -> Text:
    """:func:`literal` on one line (tabs and newlines as spaces), for list rows and cells."""
    return Text(one_line(text), style=style)


def content(text: str, style: str = "") -> Content:
    """:func:`literal` as Textual ``Content`` (which ``Content.assemble`` joins; Rich ``Text``
    it would drop)."""
    return Content.styled(visible(text), style) if style else Content(visible(text))


def content_line(text: str, style: str = "") -> Content:
    """:func:`content` on one line."""
    return Content.styled(one_line(text), style) if style else Content(one_line(text))
