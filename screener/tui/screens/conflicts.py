"""Conflicts: records two reviewers decided differently, and their resolution.

The list shows every unresolved conflict of a stage; the panel below shows the record, both
decisions with their reasons, and every note. ``i`` / ``e`` record the final decision, made
by the reviewer at the keyboard either as a third reviewer or for the pair together (``m``
switches; the default is "the pair" when this reviewer was one of the two).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from screener.errors import ScreenerError
from screener.model import Choice, Stage
from screener.screening import Conflict, ResolutionMethod
from screener.tui.widgets.decision_bar import decision_content
from screener.tui.widgets.prompts import PickList
from screener.tui.widgets.record_view import citation_line, highlighted

_METHOD_LABEL = {ResolutionMethod.THIRD_REVIEWER: "as third reviewer",
                 ResolutionMethod.CONSENSUS: "for the pair (consensus)"}
_STAGE_LABEL = {Stage.TITLE_ABSTRACT: "title/abstract", Stage.FULL_TEXT: "full text"}


class ConflictResolved(Message):
    def __init__(self, record_id: int, stage: Stage, choice: Choice, method: ResolutionMethod) -> None:
        super().__init__()
        self.record_id, self.stage, self.choice, self.method = record_id, stage, choice, method


class ConflictsScreen(Screen[None]):
    BINDINGS = [
        Binding("i", "resolve('include')", "Include", id="conflicts.include"),
        Binding("e", "resolve('exclude')", "Exclude", id="conflicts.exclude"),
        Binding("m", "method", "Who decides", id="conflicts.method"),
        Binding("s", "stage", "Other stage", id="conflicts.stage"),
        Binding("escape", "back", "Back", id="conflicts.back"),
    ]

    def __init__(self, stage: Stage | str = Stage.TITLE_ABSTRACT) -> None:
        super().__init__()
        self.stage = Stage(stage)
        self.conflicts: list[Conflict] = []
        self._method: dict[int, ResolutionMethod] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="conflicts-body"):
            yield DataTable(id="conflict-list", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="conflict-detail"):
                yield Static(id="conflict-text")
        yield Footer()

    def on_mount(self) -> None:
        self.review = self.app.project.review()
        self.query_one(DataTable).add_columns("record", "decisions", "title")
        self.reload()

    # --- list and detail -------------------------------------------------------------------------
    def reload(self, keep_row: int = 0) -> None:
        self.sub_title = f"Conflicts · {_STAGE_LABEL[self.stage]} · {self.app.reviewer}"
        self.conflicts = self.app.project.conflicts(self.stage)
        table = self.query_one(DataTable)
        table.clear()
        for c in self.conflicts:
            said = " / ".join(f"{d.reviewer}: {d.choice.value}" for d in c.decisions)
            table.add_row(str(c.record_id), said, c.title, key=str(c.record_id))
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
        if self.app.reviewer in deciders:
            return ResolutionMethod.CONSENSUS
        return ResolutionMethod.THIRD_REVIEWER

    def show_detail(self) -> None:
        text = self.query_one("#conflict-text", Static)
        conflict = self.current
        if conflict is None:
            text.update(Content.styled(
                f"No unresolved conflicts at {_STAGE_LABEL[self.stage]}. Press s for the other stage.",
                "italic"))
            return
        record = self.app.project.record(conflict.record_id)
        terms = (self.review.include_terms, self.review.exclude_terms)
        parts = [highlighted(record.title, *terms, style="bold"),
                 Content.styled(citation_line(record), "$text-muted"), Content(""),
                 Content.styled("Decisions", "bold underline")]
        for d in conflict.decisions:
            line = decision_content(d, d.reviewer)
            parts.append(Content.assemble(line, f" — note: {d.note}") if d.note else line)
        if conflict.notes:
            parts.append(Content.styled("Notes", "bold underline"))
            parts.extend(Content(f"{n.reviewer}: {n.text}") for n in conflict.notes)
        parts += [Content(""), Content.assemble(
            ("Resolution: ", "bold"), f"by {self.app.reviewer} {_METHOD_LABEL[self.method_for(conflict)]}",
            ("  (m: change · i: include · e: exclude)", "$text-muted")), Content("")]
        parts.append(highlighted(record.abstract, *terms) if record.abstract
                     else Content.styled("(no abstract)", "italic"))
        text.update(Content("\n").join(parts))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    # --- actions ---------------------------------------------------------------------------------
    def action_resolve(self, choice: str) -> None:
        conflict = self.current
        if conflict is None:
            return
        if Choice(choice) is Choice.INCLUDE:
            self.resolve(conflict, Choice.INCLUDE, None)
            return
        reasons = list(self.review.exclusion_reasons)
        options = [(r, r) for r in reasons]
        if self.stage is Stage.TITLE_ABSTRACT:
            options.append(("", "No reason"))
        elif not reasons:
            self.notify("add exclusion reasons to the review first: full-text exclusions need one",
                        severity="error")
            return
        self.app.push_screen(
            PickList(f"Exclude record {conflict.record_id}, with the reason:", options),
            lambda reason: None if reason is None else self.resolve(conflict, Choice.EXCLUDE, reason or None))

    def resolve(self, conflict: Conflict, choice: Choice, reason: str | None) -> None:
        method = self.method_for(conflict)
        try:
            self.app.project.resolve_conflict(conflict.record_id, self.stage, choice, self.app.reviewer,
                                              method=method.value, reason=reason)
        except ScreenerError as exc:
            self.notify(str(exc), severity="error")
            return
        self.post_message(ConflictResolved(conflict.record_id, self.stage, choice, method))
        self.notify(f"record {conflict.record_id}: {choice.value}")
        self.reload(keep_row=self.query_one(DataTable).cursor_row)

    def action_method(self) -> None:
        conflict = self.current
        if conflict is None:
            return
        other = {ResolutionMethod.CONSENSUS: ResolutionMethod.THIRD_REVIEWER,
                 ResolutionMethod.THIRD_REVIEWER: ResolutionMethod.CONSENSUS}
        self._method[conflict.record_id] = other[self.method_for(conflict)]
        self.show_detail()

    def action_stage(self) -> None:
        self.stage = Stage.FULL_TEXT if self.stage is Stage.TITLE_ABSTRACT else Stage.TITLE_ABSTRACT
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
