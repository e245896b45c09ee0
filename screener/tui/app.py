"""The application object and its factory, used by the CLI and by every test."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.screen import Screen

from screener.display import one_line, visible
from screener.project import Project
from screener.tui.keys import keymap_path, load_keymap
from screener.tui.screens.conflicts import ConflictsScreen
from screener.tui.screens.dashboard import SCREENS, DashboardScreen
from screener.tui.screens.fulltext import FullTextScreen
from screener.tui.screens.help import HelpScreen
from screener.tui.screens.reviewer import ReviewerPrompt
from screener.tui.screens.screening import ScreeningScreen

if TYPE_CHECKING:
    from screener.flows.rank_worker import RankingWorker

# The rebindable screens, and which binding-id prefixes are live on each (for clash checks).
_REBINDABLE = (DashboardScreen, ScreeningScreen, FullTextScreen, ConflictsScreen)
_KEY_SCREENS = {
    "dashboard": ("app", "dashboard"),
    "screening": ("app", "screening"),
    "fulltext": ("app", "screening", "fulltext"),
    "conflicts": ("app", "conflicts"),
}


def system_opener(path: str) -> None:
    """Open a file with the system's viewer (xdg-open on Linux, open on macOS)."""
    command = {"darwin": ["open"], "win32": ["cmd", "/c", "start", ""]}.get(
        sys.platform, ["xdg-open"]
    )
    subprocess.Popen([*command, path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class ScreenerApp(App[None]):
    """One open review, one reviewer."""

    CSS_PATH = "screener.tcss"
    TITLE = "screener"
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    background_above = 20_000
    """Reviews with more records than this read their queues and counts in threads."""

    ranking_in_background = True
    """Retrain reviewers' rankings after decisions (in a worker process; tests switch it off)."""

    def __init__(
        self,
        project: Project,
        reviewer: str | None = None,
        *,
        keymap: dict[str, str] | None = None,
        opener: Callable[[str], None] = system_opener,
        served: bool = False,
    ) -> None:
        super().__init__()
        self.project = project
        self.reviewer: str = reviewer or ""
        """Who is screening; "" only until the reviewer prompt is answered (no screen before)."""
        self.served = served
        """Run by ``screener serve`` for a signed-in browser: the reviewer is fixed, files are
        delivered through the browser, and only the lead types paths on the server."""
        self.opener = opener
        self._keys = keymap or {}
        self.sub_title = project.review().title
        self._ranking_worker: RankingWorker | None = None

    # --- text from outside: never markup, never terminal control ----------------------------------
    def format_title(self, title: str, sub_title: str) -> Content:
        """The header line, on every screen (the review title and reviewer names in it are
        data); says "read-only" when the review cannot be written."""
        if self.project.read_only:
            title = f"{title} · READ-ONLY"
        return super().format_title(one_line(title), one_line(sub_title))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast, from every screen: file names, reasons and error messages hold
        brackets and control characters, so toasts are never markup (``markup`` is ignored)."""
        super().notify(
            visible(message),
            title=one_line(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def _fatal_error(self) -> None:
        """Exit after an unhandled exception, printing the traceback WITHOUT local variables.

        Textual's own version (textual 8.2, ``App._fatal_error``) prints ``show_locals=True``:
        an API key, a path or a record's text held in a local ended up on the screen and in
        terminal logs. There is no setting for it, so this replaces it; the printed text also
        goes through :func:`visible`, as an exception message may quote a record.
        """
        import rich
        from rich.segment import Segment, Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        rendered = self.console.render(traceback, self.console.options)
        self._exit_renderables.append(
            Segments(
                segment if segment.control else Segment(visible(segment.text), segment.style)
                for segment in rendered
            )
        )
        self._close_messages_no_wait()

    @property
    def big_review(self) -> bool:
        return self.project.size_hint() > self.background_above

    def on_mount(self) -> None:
        if self._keys:
            self.set_keymap(self._keys)
        if self.reviewer:
            self.push_screen(DashboardScreen())
        else:
            self.push_screen(ReviewerPrompt(self.project.reviewers()), self._reviewer_chosen)

    def _reviewer_chosen(self, name: str | None) -> None:
        if not name:  # nobody picked: there is no one to screen as
            self.exit()
            return
        self.reviewer = name
        self.push_screen(DashboardScreen())

    # --- navigation ------------------------------------------------------------------------------
    def open_screen(self, name: str) -> None:
        """Push the screen registered as ``name`` on the dashboard (imported on first use)."""
        entry = next((e for e in SCREENS if e.name == name), None)
        if entry is None:
            return
        if entry.lead_only and not self.project.can_change_settings(self.reviewer):
            self.notify(
                f"only the review's lead can change {entry.label.lower()}", severity="warning"
            )
            return
        if entry.server_files and self.refuse_server_files(entry.label):
            return
        # Every registered screen exists: a missing module or class is a bug, raised as such.
        screen_class = getattr(importlib.import_module(entry.module), entry.cls)
        self.push_screen(screen_class())

    def action_open_screen(self, name: str) -> None:
        self.open_screen(name)

    def open_file(self, path: str) -> None:
        """Show a full text or a plot in the system viewer (tests pass their own ``opener``);
        served, the browser gets it: the server's viewer is no use to a reviewer elsewhere."""
        try:
            if self.served:
                self.deliver_binary(Path(path), open_method="browser")
            else:
                self.opener(path)
        except OSError as exc:
            self.notify(f"cannot open {Path(path).name}: {exc}", severity="error")

    @property
    def server_files(self) -> bool:
        """Whether this reviewer may name files on the machine that holds the review (import,
        attach a PDF, PubMed strategy files): in a terminal they are their own files; served to
        a browser, only the lead's, as importing is."""
        return not self.served or self.project.reviewer(self.reviewer).role == "lead"

    def refuse_server_files(self, what: str) -> bool:
        """Say no, and return True, when this reviewer may not name server files (see
        :attr:`server_files`); ``what`` names the screen or key refused."""
        if self.server_files:
            return False
        self.notify(
            f"{what}: it names files on the server, which only the review's lead does "
            "in a served review",
            severity="warning",
        )
        return True

    # --- help and the command palette ------------------------------------------------------------
    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(
            HelpScreen(self.screen.sub_title or "screener", self.screen_keys(self.screen))
        )

    def screen_keys(self, screen: Screen) -> list[tuple[str, str, str]]:
        """(key as shown, description, binding id) of the screen's own actions (Textual's
        built-in focus and copy keys are left out)."""
        rows = []
        for active in screen.active_bindings.values():
            binding = active.binding
            if binding.description and binding.id:
                rows.append((self.get_key_display(binding), binding.description, binding.id or ""))
        return rows

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for entry in SCREENS:
            yield SystemCommand(
                f"Open: {entry.label}",
                f"key {entry.key} on the dashboard",
                partial(self.open_screen, entry.name),
            )
        for active in screen.active_bindings.values():
            binding = active.binding
            if binding.description and not binding.system:
                yield SystemCommand(
                    binding.description,
                    f"key {self.get_key_display(binding)}",
                    partial(self.run_action, binding.action, active.node),
                )

    @property
    def ranking_worker(self) -> RankingWorker:
        """The process that trains rankings, started on first use, ended with the app."""
        if self._ranking_worker is None:
            self._ranking_worker = Project.ranking_worker()
        return self._ranking_worker

    def on_unmount(self) -> None:
        if self._ranking_worker is not None:
            self._ranking_worker.close()
        self.project.close()


def rebindable_keys() -> dict[str, str]:
    """Every binding id a key file may change, with its default keys."""
    defaults = {b.id: b.key for b in ScreenerApp.BINDINGS if isinstance(b, Binding) and b.id}
    for screen in _REBINDABLE:
        defaults.update({b.id: b.key for b in screen.BINDINGS if isinstance(b, Binding) and b.id})
    return defaults


def make_app(
    review: str | Path,
    *,
    reviewer: str | None = None,
    keys: str | Path | None = None,
    opener: Callable[[str], None] = system_opener,
    served: bool = False,
) -> ScreenerApp:
    """The app for a review file; the single factory the CLI and tests use.

    ``reviewer`` must be one of the review's declared reviewers (any case); without it the app
    asks who is screening.

    ``keys`` is a key file (see :mod:`screener.tui.keys`); by default ``$SCREENER_KEYS`` or
    ``~/.config/screener/keys.toml`` when it exists.

    ``served``: the app runs for a browser signed in as ``reviewer`` (required), see
    :attr:`ScreenerApp.served`.
    """
    if served and reviewer is None:
        raise ValueError("a served app runs as its signed-in reviewer")
    path = Path(keys) if keys is not None else keymap_path()
    keymap = load_keymap(path, rebindable_keys(), _KEY_SCREENS)
    project = Project.open(review)
    try:
        # the reviewer as declared (an undeclared name is refused: a typo is not a new reviewer)
        reviewer = project.reviewer(reviewer).name if reviewer is not None else None
    except BaseException:
        project.close()
        raise
    return ScreenerApp(project, reviewer=reviewer, keymap=keymap, opener=opener, served=served)


def run_app(review: str | Path, *, reviewer: str | None = None, served: bool = False) -> int:
    """Run the TUI; returns the exit code: non-zero when the app died on an exception."""
    app = make_app(review, reviewer=reviewer, served=served)
    app.run()
    return app.return_code or 0
