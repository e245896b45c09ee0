"""Errors a user can cause, each with a message fit to print on one line.

Every layer raises a subclass of :class:`ScreenerError` for a mistake the user can fix (a missing
file, a malformed export, a review made by a newer screener). The CLI prints ``str(error)`` on one
line of stderr and exits non-zero; the TUI shows it in a notification. Anything else is a bug and
may show a traceback.
"""

from __future__ import annotations


class ScreenerError(Exception):
    """A problem the user can act on; ``str()`` is a complete one-line message."""


class ReviewFileError(ScreenerError):
    """The review file is missing, not a screener database, or from a newer screener."""


class ParseError(ScreenerError):
    """A malformed entry in an export file.

    Parameters
    ----------
    file_name
        The file being read (its name as the user gave it).
    location
        Where in the file: ``"line 12"`` or ``"record 3"``.
    problem
        What was wrong and what was expected.
    """

    def __init__(self, file_name: str, location: str, problem: str) -> None:
        self.file_name = file_name
        self.location = location
        self.problem = problem
        super().__init__(f"{file_name}, {location}: {problem}")


class DecodeError(ScreenerError):
    """A file that decodes in none of the candidate encodings."""


class InvalidInputError(ScreenerError):
    """A value given by the user breaks a rule of the review (unknown record, empty name ...)."""


class AlreadyImportedError(ScreenerError):
    """The same file (same sha256) was imported before."""
