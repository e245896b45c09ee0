"""Conflicts: records two reviewers decided differently, and their resolution.

The list shows the unresolved conflicts of a stage (``r``: the resolved ones, with their
resolution); the panel below shows the record, both decisions with their reasons, and the notes.
An arbiter or the lead sees every conflict and settles it: ``i`` / ``e`` record the final
decision, made as a third reviewer or for the pair together (``m`` switches; the default is
"the pair" when this reviewer was one of the two). A record someone resolved meanwhile is not
resolved again without asking; ``u`` undoes a resolution (the highlighted resolved one, or the
last one made here). In a blind review a screener sees only the conflicts on records they
decided, and resolves none. Every text from the review is shown literally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.color import ColorParseError
from rich.errors import StyleSyntaxError
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from screener.display import one_line, visible
from screener.errors import ScreenerError
from screener.model import Choice, Decision, Stage
from screener.screening import (
    Conflict,
    Resolution,
    ResolutionExistsError,
    ResolutionMethod,
    highlight_spans,
)
from screener.tui.text import line, literal
from screener.tui.widgets.prompts import PickList
from screener.tui.widgets.record_view import citation_line

if TYPE_CHECKING:
    from screener.tui.app import ScreenerApp

_METHOD_LABEL = {
    ResolutionMethod.THIRD_REVIEWER: "as third reviewer",
    ResolutionMethod.CONSENSUS: "for the pair (consensus)",
}
_STAGE_LABEL = {Stage.TITLE_ABSTRACT: "title/abstract", Stage.FULL_TEXT: "full text"}
# Theme colours as Rich styles (with plain fallbacks); "dim" stands in for muted text.
_STYLES = {
    "include": ("bold {text-success}", "bold green"),
    "exclude": ("bold {text-error}", "bold red"),
    "maybe": ("bold {text-warning}", "bold yellow"),
    "term-include": ("bold {text-success} on {success-muted}", "bold green"),
    "term-exclude": ("bold {text-error} on {error-muted}", "bold red"),
}


class ConflictResolved(Message):
    def __init__(
        self, record_id: int, stage: Stage, choice: Choice, method: ResolutionMethod
    ) -> None:
        super().__init__()
        self.record_id, self.stage, self.choice, self.method = record_id, stage, choice, method


class ResolutionUndone(Message):
    def __init__(self, resolution: Resolution) -> None:
        super().__init__()
        self.resolution = resolution


class ConflictsScreen(Screen[None]):
    app: ScreenerApp  # Textual types it App[object]; this screen runs in ScreenerApp

    BINDINGS = [
        Binding("i", "resolve('include')", "Include", id="conflicts.include"),
        Binding("e", "resolve('exclude')", "Exclude", id="conflicts.exclude"),
        Binding("m", "method", "Who decides", id="conflicts.method"),
        # the panel names u; the footer keeps to 80 columns
        Binding("u", "undo", "Undo resolution", show=False, id="conflicts.undo"),
        Binding("r", "toggle_resolved", "Resolved", id="conflicts.resolved"),
        Binding("s", "stage", "Stage", id="conflicts.stage"),
        Binding("escape", "back", "Back", id="conflicts.back"),
    ]

    def __init__(self, stage: Stage | str = Stage.TITLE_ABSTRACT) -> None:
        super().__init__()
        self.stage = Stage(stage)
        self.resolved = False  # showing the resolved conflicts instead of the open ones
        self.conflicts: list[Conflict] = []
        self._method: dict[int, ResolutionMethod] = {}
        self._last: Resolution | None = None  # the last resolution made on this screen

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="conflicts-body"):
            yield DataTable(id="conflict-list", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="conflict-detail"):
                yield Static(id="conflict-text")
        yield Footer()

    def on_mount(self) -> None:
        project = self.app.project
        self.review = project.review()
        self.me = project.reviewer(self.app.reviewer)
        variables = self.app.get_css_variables()
        self.palette = {
            key: _style(themed, plain, variables) for key, (themed, plain) in _STYLES.items()
        }
        self.reload()

    # --- list and detail -------------------------------------------------------------------------
    def reload(self, keep_row: int = 0) -> None:
        which = "Resolved conflicts" if self.resolved else "Conflicts"
        role = "" if self.me.resolves else " (view only)"
        self.sub_title = one_line(f"{which} · {_STAGE_LABEL[self.stage]} · {self.me.name}{role}")
        self.conflicts = self.app.project.conflicts(
            self.stage, as_reviewer=self.me.name, resolved=self.resolved
        )
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns(
            "record", "decisions", *(["resolution"] if self.resolved else []), "title"
        )
        for c in self.conflicts:
            said = " / ".join(f"{d.reviewer}: {d.choice.value}" for d in c.decisions)
            settled = (
                [line(f"{c.resolution.choice.value} by {c.resolution.reviewer}")]
                if self.resolved and c.resolution
                else []
            )
            table.add_row(
                str(c.record_id), line(said), *settled, line(c.title), key=str(c.record_id)
            )
        if self.conflicts:
            table.move_cursor(row=min(keep_row, len(self.conflicts) - 1))
        self.show_detail()

    @property
    def current(self) -> Conflict | None:
        row = self.query_one(DataTable).cursor_row
        return self.conflicts[row] if 0 <= row < len(self.conflicts) else None

    def method_for(self, conflict: Conflict) -> ResolutionMethod:
        if conflict.record_id in self._method:
            return self._method[conflict.record_id]
        deciders = {d.reviewer for d in conflict.decisions}
        if self.me.name in deciders:
            return ResolutionMethod.CONSENSUS
        return ResolutionMethod.THIRD_REVIEWER

    def show_detail(self) -> None:
        text = self.query_one("#conflict-text", Static)
        conflict = self.current
        if conflict is None:
            which = "resolved" if self.resolved else "unresolved"
            other = "open" if self.resolved else "resolved"
            seen = "" if self.me.resolves or not self.review.blind else " on records you decided"
            text.update(
                Text(
                    f"No {which} conflicts{seen} at {_STAGE_LABEL[self.stage]}. "
                    f"Press s for the other stage, r for the {other} ones.",
                    style="italic",
                )
            )
            return
        record = self.app.project.record(conflict.record_id)
        terms = (self.review.include_terms, self.review.exclude_terms)
        parts = [
            self._highlighted(record.title, *terms, style="bold"),
            line(citation_line(record), "dim"),
            Text(""),
            Text("Decisions", "bold underline"),
        ]
        parts.extend(self._decision_line(d) for d in conflict.decisions)
        if conflict.notes:
            parts.append(Text("Notes", "bold underline"))
            parts.extend(
                Text.assemble(line(n.reviewer), ": ", literal(n.text)) for n in conflict.notes
            )
        parts += [Text(""), self._resolution_line(conflict), Text("")]
        parts.append(
            self._highlighted(record.abstract, *terms)
            if record.abstract
            else Text("(no abstract)", "italic")
        )
        text.update(Text("\n").join(parts))

    def _decision_line(self, decision: Decision) -> Text:
        said = decision.choice.value + (f" ({decision.reason})" if decision.reason else "")
        shown = Text.assemble(
            line(decision.reviewer), ": ", line(said, self.palette[decision.choice.value])
        )
        if decision.note:
            shown.append_text(Text.assemble(" — note: ", literal(decision.note)))
        return shown

    def _resolution_line(self, conflict: Conflict) -> Text:
        if conflict.resolution is not None:
            return Text.assemble(
                ("Resolved: ", "bold"),
                line(conflict.resolution.describe()),
                ("  (u: undo · i/e: replace)", "dim"),
            )
        if not self.me.resolves:
            return Text.assemble(
                ("Resolution: ", "bold"),
                "an arbiter or the lead resolves conflicts; you are a screener",
            )
        return Text.assemble(
            ("Resolution: ", "bold"),
            "by ",
            line(self.me.name),
            f" {_METHOD_LABEL[self.method_for(conflict)]}",
            ("  (m: who · i/e: resolve · u: undo)", "dim"),
        )

    def _highlighted(
        self,
        text: str,
        include_terms: tuple[str, ...],
        exclude_terms: tuple[str, ...],
        style: str = "",
    ) -> Text:
        shown = literal(text, style)
        for span in highlight_spans(shown.plain, include_terms, exclude_terms):
            shown.stylize(self.palette[f"term-{span.kind}"], span.start, span.end)
        return shown

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def _tell(self, message: str, severity: str = "information") -> None:
        self.notify(visible(message), severity=severity, markup=False)  # type: ignore[arg-type]

    # --- actions ---------------------------------------------------------------------------------
    def action_resolve(self, choice: str) -> None:
        conflict = self.current
        if conflict is None:
            return
        if not self.me.resolves:
            self._tell(
                f"{self.me.name} is a screener: only an arbiter or the lead resolves conflicts",
                "error",
            )
            return
        if Choice(choice) is Choice.INCLUDE:
            self.resolve(conflict, Choice.INCLUDE, None)
            return
        reasons = list(self.review.exclusion_reasons)
        options = [(r, r) for r in reasons]
        if self.stage is Stage.TITLE_ABSTRACT:
            options.append(("", "No reason"))
        elif not reasons:
            self._tell(
                "add exclusion reasons to the review first: full-text exclusions need one", "error"
            )
            return
        self.app.push_screen(
            PickList(f"Exclude record {conflict.record_id}, with the reason:", options),
            lambda reason: (
                None if reason is None else self.resolve(conflict, Choice.EXCLUDE, reason or None)
            ),
        )

    def resolve(
        self, conflict: Conflict, choice: Choice, reason: str | None, *, replace: bool = False
    ) -> None:
        method = self.method_for(conflict)
        project = self.app.project
        try:
            project.resolve_conflict(
                conflict.record_id,
                self.stage,
                choice,
                self.me.name,
                method=method.value,
                reason=reason,
                replace=replace,
            )
        except ResolutionExistsError as exc:
            self._confirm_replace(conflict, choice, reason, exc.resolution)
            return
        except ScreenerError as exc:
            self._tell(str(exc), "error")
            return
        self._last = project.resolution(conflict.record_id, self.stage)
        self.post_message(ConflictResolved(conflict.record_id, self.stage, choice, method))
        self._tell(
            f"record {conflict.record_id}: {choice.value}" + (" (replaced)" if replace else "")
        )
        self.reload(keep_row=self.query_one(DataTable).cursor_row)

    def _confirm_replace(
        self, conflict: Conflict, choice: Choice, reason: str | None, live: Resolution
    ) -> None:
        def answer(value: str | None) -> None:
            if value == "replace":
                self.resolve(conflict, choice, reason, replace=True)
            else:
                self.reload(keep_row=self.query_one(DataTable).cursor_row)

        self.app.push_screen(
            PickList(
                f"Record {conflict.record_id} was resolved already: {live.describe()}. "
                f"Replace that with {choice.value}?",
                [("replace", f"Replace it with {choice.value}"), ("keep", "Keep it")],
            ),
            answer,
        )

    def action_undo(self) -> None:
        conflict = self.current
        target = conflict.resolution if self.resolved and conflict is not None else self._last
        if target is None:
            self._tell("nothing to undo here: r shows the resolved conflicts", "warning")
            return
        if target.reviewer == self.me.name:
            self._undo(target)
            return
        self.app.push_screen(
            PickList(
                f"Undo the resolution of record {target.record_id}: {target.describe()}?",
                [("undo", "Undo it"), ("keep", "Keep it")],
            ),
            lambda value: self._undo(target) if value == "undo" else None,
        )

    def _undo(self, target: Resolution) -> None:
        try:
            undone = self.app.project.undo_resolution(
                target.record_id, target.stage, self.me.name, resolution_id=target.id
            )
        except ScreenerError as exc:
            self._tell(str(exc), "error")
            self.reload(keep_row=self.query_one(DataTable).cursor_row)
            return
        if self._last is not None and self._last.id == undone.id:
            self._last = None
        self.post_message(ResolutionUndone(undone))
        self._tell(f"record {undone.record_id}: resolution undone")
        self.reload(keep_row=self.query_one(DataTable).cursor_row)

    def action_method(self) -> None:
        conflict = self.current
        if conflict is None:
            return
        other = {
            ResolutionMethod.CONSENSUS: ResolutionMethod.THIRD_REVIEWER,
            ResolutionMethod.THIRD_REVIEWER: ResolutionMethod.CONSENSUS,
        }
        self._method[conflict.record_id] = other[self.method_for(conflict)]
        self.show_detail()

    def action_toggle_resolved(self) -> None:
        self.resolved = not self.resolved
        self.reload()

    def action_stage(self) -> None:
        self.stage = Stage.FULL_TEXT if self.stage is Stage.TITLE_ABSTRACT else Stage.TITLE_ABSTRACT
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()


def _style(themed: str, plain: str, variables: dict[str, str]) -> Style:
    try:
        return Style.parse(themed.format(**variables))
    except (KeyError, StyleSyntaxError, ColorParseError):  # a theme without these colours
        return Style.parse(plain)
