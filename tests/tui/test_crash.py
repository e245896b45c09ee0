"""When the TUI dies on a bug: the exit code says so, and the traceback shows no local variables
(they held an API key) and no raw control characters."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App

from screener.cli import main
from screener.tui.app import ScreenerApp
from screener.tui.screens.dashboard import DashboardScreen

SECRET = "topsecret123"


@pytest.fixture
def headless(monkeypatch: pytest.MonkeyPatch) -> None:
    """`screener tui` runs its real code path, on Textual's headless driver (no terminal here)."""
    monkeypatch.setattr(
        ScreenerApp, "run", lambda self, **kw: App.run(self, headless=True, size=(80, 24))
    )


def _secret() -> str:
    return SECRET  # far from the crash: the traceback's source lines do not show it


def _crash_on_mount(self: DashboardScreen) -> None:
    # The locals hold the secret (as a real screen's settings would), the source does not.
    api_key = _secret()  # noqa: F841
    settings = {"api_key": _secret(), "title": "x \x1b[2J y"}  # noqa: F841
    raise RuntimeError("boom in the dashboard \x1b]0;pwned\x07")


def test_a_crash_exits_non_zero_without_locals(
    review_path: Path, headless, monkeypatch, capfd
) -> None:
    monkeypatch.setattr(DashboardScreen, "on_mount", _crash_on_mount)
    code = main(["tui", str(review_path), "--reviewer", "alice"])
    out, err = capfd.readouterr()
    assert code != 0
    assert "RuntimeError" in err and "boom in the dashboard" in err  # the traceback is shown
    assert SECRET not in out + err
    assert "\x1b]0;pwned" not in err and "\\x1b]0;pwned" in err


def test_a_clean_quit_exits_zero(review_path: Path, headless, monkeypatch) -> None:
    monkeypatch.setattr(DashboardScreen, "on_mount", lambda self: self.app.exit())
    assert main(["tui", str(review_path), "--reviewer", "alice"]) == 0


def test_textual_still_has_the_hook_we_replace() -> None:
    # ScreenerApp._fatal_error replaces Textual's (which prints locals); if Textual renames it,
    # the override would silently stop applying: fail here instead.
    assert "_fatal_error" in vars(App) and "_fatal_error" in vars(ScreenerApp)
