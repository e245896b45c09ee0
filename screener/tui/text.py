"""Stored text as Rich ``Text``: shown literally, never read as markup or terminal control.

Every widget that shows a title, abstract, author, reason, tag, note, study label or file name
takes it through :func:`literal` (or a ``Text`` built from it), or gets ``markup=False``.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from screener.display import one_line, visible

__all__ = ["line", "literal"]


def literal(text: str, style: str | Style = "") -> Text:
    """``text`` as it is: brackets stay brackets, control characters show as ``\\xNN``."""
    return Text(visible(text), style=style)


def line(text: str, style: str | Style = "") -> Text:
    """:func:`literal` on one line (tabs and newlines as spaces), for list rows and cells."""
    return Text(one_line(text), style=style)
