"""Showing text that came from outside (records, reviewers, files) safely, as plain characters.

Titles, abstracts, author names, reasons, tags, notes and study labels are data. Shown on a
terminal, a raw control character acts instead of showing: ``ESC [2J`` clears the screen, an
OSC sequence renames the terminal's window. :func:`visible` turns every C0 and C1 control
character except tab and newline (and DEL) into a visible escape such as ``\\x1b``, so the
text reads as what it holds and does nothing. Markup is the shells' business: the TUI wraps
text in Rich ``Text`` (see ``screener.tui.text``), the CLI prints through
``screener.cli.output.echo``; both call this module.
"""

from __future__ import annotations

import re

__all__ = ["count_of", "one_line", "visible"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPACE_RUN = re.compile(r"[\t\n\r]+")


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def visible(text: str) -> str:
    """``text`` with C0/C1 control characters (other than tab and newline) and DEL shown as
    ``\\xNN`` escapes; everything else, brackets and all, unchanged."""
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text


def one_line(text: str) -> str:
    """:func:`visible`, with tabs and newlines as single spaces: for a list row or a cell."""
    return visible(_SPACE_RUN.sub(" ", text))


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """``"1 record"``, ``"2,019 records"``: a count for people, with thousands separators and
    the noun's plural (``noun + "s"`` unless ``plural`` is given) for every n but 1."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
