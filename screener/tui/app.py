"""The application object and its factory, used by the CLI and by every test."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from screener.project import Project
from screener.tui.screens.dashboard import DashboardScreen
from screener.tui.screens.reviewer import ReviewerPrompt


class ScreenerApp(App[None]):
    """One open review, one reviewer."""

    CSS_PATH = "screener.tcss"
    TITLE = "screener"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help_panel", "Help", key_display="?"),
    ]

    def __init__(self, project: Project, reviewer: str | None = None) -> None:
        super().__init__()
        self.project = project
        self.reviewer = reviewer
        self.sub_title = project.review().title

    def on_mount(self) -> None:
        if self.reviewer:
            self.push_screen(DashboardScreen())
        else:
            self.push_screen(ReviewerPrompt(), self._reviewer_chosen)

    def _reviewer_chosen(self, name: str | None) -> None:
        self.reviewer = name or "reviewer"
        self.push_screen(DashboardScreen())

    def action_help_panel(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def on_unmount(self) -> None:
        self.project.close()


def make_app(review: str | Path, *, reviewer: str | None = None) -> ScreenerApp:
    """The app for a review file; the single factory the CLI and tests use."""
    return ScreenerApp(Project.open(review), reviewer=reviewer)


def run_app(review: str | Path, *, reviewer: str | None = None) -> None:
    make_app(review, reviewer=reviewer).run()
