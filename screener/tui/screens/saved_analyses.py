"""The analyses saved in the review, to rename or delete (``ctrl+l`` on the analysis screen),
and to open one's GRADE assessment (``g``, :class:`~screener.tui.screens.grade.GradeScreen`).

The same verbs as ``screener analyses --rename/--delete``: :meth:`Project.rename_analysis` and
:meth:`Project.delete_analysis`. Deleting asks first. Names are stored text: shown literally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from screener.errors import ScreenerError
from screener.flows.pooling import SavedAnalysis
from screener.tui.read_only import writes
from screener.tui.text import line, literal
from screener.tui.widgets.prompts import PickList, TextPrompt

if TYPE_CHECKING:
    from screener.tui.app import ScreenerApp

__all__ = ["AnalysisDeleted", "AnalysisRenamed", "SavedAnalysesScreen", "describe"]

EMPTY = "No saved analyses yet: run one (ctrl+r) and save it (ctrl+s)."


class AnalysisRenamed(Message):
    """A saved analysis has a new name."""

    def __init__(self, saved: SavedAnalysis) -> None:
        super().__init__()
        self.saved = saved


class AnalysisDeleted(Message):
    """A saved analysis was deleted (``saved``: what it was)."""

    def __init__(self, saved: SavedAnalysis) -> None:
        super().__init__()
        self.saved = saved


def describe(a: SavedAnalysis) -> str:
    """One line: id, name, measure and model, k and the estimate with its CI."""
    r, s = a.results, a.settings
    est, lb, ub = (r.get(k) for k in ("estimate", "ci_lb", "ci_ub"))
    numbers = (
        f"{est:.3f} [{lb:.3f}, {ub:.3f}]"
        if all(isinstance(x, (int, float)) for x in (est, lb, ub))
        else "NA"
    )
    return (
        f"{a.id:>3}  {a.name}  ({s.get('measure', '')} {s.get('method', '')}, "
        f"k = {r.get('k', '?')}: {numbers})"
    )


class SavedAnalysesScreen(ModalScreen[None]):
    """The saved analyses, one per line; ``r`` renames, ``d`` deletes the highlighted one."""

    app: ScreenerApp
    BINDINGS = [
        Binding("r", "rename", "Rename", id="saved.rename"),
        Binding("d", "delete", "Delete", id="saved.delete"),
        Binding("g", "grade", "GRADE", id="saved.grade"),
        Binding("escape", "close", "Close", id="saved.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.analyses: list[SavedAnalysis] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt", id="saved-analyses"):
            yield Label(
                "Saved analyses (r rename, d delete, g GRADE, escape closes)",
                classes="prompt-title",
            )
            yield Label("", id="saved-empty", classes="prompt-help")
            yield OptionList(id="saved-list")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def reload(self, *, highlight: int | None = None) -> None:
        """Read the list again from the review."""
        self.analyses = self.app.project.analyses()
        options = self.query_one("#saved-list", OptionList)
        options.clear_options()
        options.add_options([Option(line(describe(a)), id=str(a.id)) for a in self.analyses])
        self.query_one("#saved-empty", Label).update(literal("" if self.analyses else EMPTY))
        if self.analyses:
            ids = [a.id for a in self.analyses]
            index = ids.index(highlight) if highlight in ids else 0
            options.highlighted = min(index, len(ids) - 1)
            options.focus()

    def current(self) -> SavedAnalysis | None:
        index = self.query_one("#saved-list", OptionList).highlighted
        if index is None or not 0 <= index < len(self.analyses):
            return None
        return self.analyses[index]

    @writes
    def action_rename(self) -> None:
        chosen = self.current()
        if chosen is None:
            self.notify(EMPTY, severity="warning")
            return

        def renamed(name: str | None) -> None:
            if name is None:
                return
            try:
                saved = self.app.project.rename_analysis(chosen.id, name)
            except ScreenerError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify(f"Analysis {saved.id} renamed")
            self.post_message(AnalysisRenamed(saved))
            self.reload(highlight=saved.id)

        self.app.push_screen(
            TextPrompt(f"New name for analysis {chosen.id}", value=chosen.name), renamed
        )

    @writes
    def action_delete(self) -> None:
        chosen = self.current()
        if chosen is None:
            self.notify(EMPTY, severity="warning")
            return

        def answered(choice: str | None) -> None:
            if choice != "delete":
                return
            try:
                gone = self.app.project.delete_analysis(chosen.id)
            except ScreenerError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify(f"Analysis {gone.id} deleted")
            self.post_message(AnalysisDeleted(gone))
            self.reload()

        self.app.push_screen(
            PickList(
                f"Delete analysis {chosen.id}? The report will no longer show it.",
                [("delete", f"Delete: {chosen.name}"), ("keep", "Keep it")],
            ),
            answered,
        )

    def action_grade(self) -> None:
        chosen = self.current()
        if chosen is None:
            self.notify(EMPTY, severity="warning")
            return
        from screener.tui.screens.grade import GradeScreen

        self.app.push_screen(GradeScreen(chosen.id))

    def action_close(self) -> None:
        self.dismiss(None)
