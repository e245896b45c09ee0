"""Extraction: the form beside the study's reports, values checked as typed, per extractor;
conversions at entry (:mod:`.extraction_convert`); the compare screen where two extractors'
discrepancies are resolved (:mod:`.extraction_compare`).

Each field is saved (committed through the façade, checked, on its own) when it loses focus,
when the study changes and when the screen is left, as screening commits each key press; a
value that fails its check stays in its field with the message, and leaving with it asks for
a second Escape instead of dropping it silently.

Keys work while typing (Ctrl combinations): Ctrl+S saves the changed fields now, Ctrl+N makes a
study from an included record, Ctrl+O converts into the focused field (SE, CI, median, two
groups, pre-post r), Ctrl+F opens the report's PDF, Ctrl+R compares two extractors, Ctrl+B
assesses the study's risk of bias.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static

from screener.display import one_line
from screener.errors import ScreenerError
from screener.extraction import conversions as conv
from screener.extraction.forms import FieldSpec, OutcomeSpec, data_fields
from screener.extraction.numbers import format_number
from screener.extraction.validate import check_value, row_warnings
from screener.extraction.values import ExtractionValue, ValueEntry, ValueKey
from screener.tui.read_only import READ_ONLY_MESSAGE, writes
from screener.tui.screens.extraction_compare import CompareScreen, ExtractionResolved
from screener.tui.screens.extraction_convert import ConvertPrompt
from screener.tui.screens.rob import RobScreen
from screener.tui.text import line, literal
from screener.tui.widgets.key_line import KeyLine
from screener.tui.widgets.literal_input import LiteralInput
from screener.tui.widgets.prompts import PickList, TextPrompt
from screener.tui.widgets.record_view import citation_line

if TYPE_CHECKING:
    from screener.tui.app import ScreenerApp

__all__ = [
    "CompareScreen",
    "ConvertPrompt",
    "ExtractionResolved",
    "ExtractionSaved",
    "ExtractionScreen",
]


class ExtractionSaved(Message):
    def __init__(self, study: str, count: int) -> None:
        super().__init__()
        self.study, self.count = study, count


class FieldBox(Vertical):
    """A label, the input and the field's message line."""

    def __init__(self, spec: FieldSpec, scope: str) -> None:
        super().__init__()
        self.spec, self.scope = spec, scope

    def compose(self) -> ComposeResult:
        unit = f" [{self.spec.unit}]" if self.spec.unit else ""
        hint = ", ".join(self.spec.choices) if self.spec.choices else self.spec.help
        yield Label(literal(f"{self.spec.label}{unit}"))
        yield LiteralInput(placeholder=hint, id=f"in-{self.scope}-{self.spec.key}")
        yield Static("", classes="field-message", markup=False)


def _group_targets(outcome: OutcomeSpec, key: str) -> dict[str, str]:
    """Which row fields a conversion fills when ``key`` has focus (mean/sd/n, or r)."""
    groups = {
        "continuous": (
            {"mean": "m1i", "sd": "sd1i", "n": "n1i"},
            {"mean": "m2i", "sd": "sd2i", "n": "n2i"},
        ),
        "prepost": (
            {"mean": "m_pre", "sd": "sd_pre", "n": "n"},
            {"mean": "m_post", "sd": "sd_post", "n": "n"},
        ),
    }
    if outcome.data_type == "prepost" and key == "r":
        return {"r": "r"}
    for group in groups.get(outcome.data_type, ()):
        if key in group.values() and key != "n":
            return group
    return {}


class ExtractionScreen(Screen[None]):
    """One study at a time: its reports and PDF paths, then the form, saved per extractor."""

    app: ScreenerApp  # Textual types it App[object]; this screen runs in ScreenerApp
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="extraction.save"),
        Binding("ctrl+n", "new_study", "New study", id="extraction.new_study"),
        Binding("ctrl+o", "convert", "Convert", id="extraction.convert"),
        Binding("ctrl+f", "open_pdf", "Open PDF", id="extraction.open_pdf"),
        Binding("ctrl+r", "compare", "Compare", id="extraction.compare"),
        Binding("ctrl+b", "risk_of_bias", "Risk of bias", id="extraction.risk_of_bias"),
        Binding("escape", "back", "Back", id="extraction.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.study: str | None = None
        self.loaded: dict[ValueKey, ExtractionValue] = {}
        self.pending: dict[str, tuple[str, conv.Converted]] = {}  # row field -> (text, conversion)
        self.errors: dict[str, str] = {}  # input id -> message
        self._leaving = False  # Escape pressed once with values that could not be saved

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="extraction-body"):
            with Vertical(id="extraction-left"):
                yield Label("Studies", classes="section")
                yield DataTable(id="studies", cursor_type="row", zebra_stripes=True)
                yield Static(id="included-hint", markup=False)
            with VerticalScroll(id="extraction-form"):
                yield Static(id="study-record", markup=False)
                yield Label("Study characteristics", classes="section")
                yield Vertical(id="study-fields")
                yield Label("Outcome row", classes="section")
                with Horizontal(id="row-pick"):
                    yield Select([], id="outcome", prompt="outcome")
                    yield LiteralInput(placeholder="timepoint (e.g. 12 weeks)", id="timepoint")
                    yield LiteralInput(placeholder="subgroup (e.g. 1 MIU)", id="subgroup")
                yield Vertical(id="row-fields")
                yield Static(id="row-warnings", markup=False)
        yield KeyLine(
            (
                "extraction.save",
                "extraction.new_study",
                "extraction.convert",
                "extraction.open_pdf",
                "extraction.compare",
                "extraction.risk_of_bias",
                "extraction.back",
            ),
            note="Tab next field · each value is saved when you leave its field",
        )
        yield Footer()

    async def on_mount(self) -> None:
        project = self.app.project
        self.sub_title = f"Extraction · {self.app.reviewer}"
        self.form = project.extraction_form()
        self.outcomes = project.outcomes()
        if self.form:
            await self.query_one("#study-fields").mount_all(
                FieldBox(f, "study") for f in self.form.study_fields
            )
        self.query_one("#outcome", Select).set_options((line(o), o) for o in self.outcomes)
        self.query_one("#studies", DataTable).add_columns("study", "reports")
        self.reload_studies()
        if not self.form:
            self.notify(
                "no extraction form yet: load one with `screener form REVIEW.db --builtin default`",
                severity="warning",
            )

    # --- studies ------------------------------------------------------------------------------
    def reload_studies(self, select: str | None = None) -> None:
        project = self.app.project
        self.studies = project.studies()
        table = self.query_one("#studies", DataTable)
        table.clear()
        for s in self.studies:
            table.add_row(line(s.name), str(len(s.record_ids)), key=s.name)
        linked = {r for s in self.studies for r in s.record_ids}
        free = [r for r in project.included_records() if r not in linked]
        self.query_one("#included-hint", Static).update(
            f"{len(free)} included record(s) without a study: Ctrl+N" if free else ""
        )
        if select and any(s.name == select for s in self.studies):
            table.move_cursor(row=[s.name for s in self.studies].index(select))
        if self.studies and self.study is None:
            self.show_study(self.studies[0].name)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id != "studies" or event.row_key is None or not event.row_key.value:
            return
        name = str(event.row_key.value)
        if name == self.study:
            return
        _, left = self.commit(self.query(FieldBox))
        if left and self.study in [s.name for s in self.studies]:
            # Moving on would drop what was typed: stay, and say what is wrong.
            self.notify(
                "not saved: " + "; ".join(left) + ". Correct or clear it before moving to "
                "another study.",
                severity="warning",
            )
            event.data_table.move_cursor(row=[s.name for s in self.studies].index(self.study))
            return
        self.show_study(name)

    def show_study(self, name: str) -> None:
        self.study = name
        project = self.app.project
        study = next(s for s in self.studies if s.name == name)
        lines = [name + (f" — {study.note}" if study.note else "")]
        for record_id in study.record_ids:
            record = project.record(record_id)
            full = project.full_text(record_id)
            pdf = (
                "(not retrieved)"
                if full and full.not_retrieved
                else (full.path if full and full.path else "no PDF attached")
            )
            lines += [
                f"#{record_id} {record.title}",
                f"   {citation_line(record)}",
                f"   PDF: {pdf}",
            ]
        if not study.record_ids:
            lines.append("no report linked")
        self.query_one("#study-record", Static).update(literal("\n".join(lines)))
        self._read_saved()
        for box in self.query(FieldBox):
            if box.scope == "study":
                value = self.loaded.get(ValueKey(name, field=box.spec.key))
                self._set(box, value.value if value else "")
        self.fill_row()

    def _read_saved(self) -> None:
        """This extractor's saved values of the study, to tell what changed."""
        values = self.app.project.extraction_values(study=self.study, reviewer=self.app.reviewer)
        self.loaded = {v.key: v for v in values if v.role == "extractor"}

    def _set(self, box: FieldBox, text: str) -> None:
        box.query_one(Input).value = text
        box.query_one(".field-message", Static).update("")

    # --- the outcome row ------------------------------------------------------------------------
    @property
    def outcome(self) -> OutcomeSpec | None:
        value = self.query_one("#outcome", Select).value
        return self.outcomes.get(value) if isinstance(value, str) else None

    def row_key(self, field: str) -> ValueKey:
        tp = self.query_one("#timepoint", Input).value.strip()
        sg = self.query_one("#subgroup", Input).value.strip()
        return ValueKey(self.study or "", self.outcome.name if self.outcome else "", tp, sg, field)

    async def on_select_changed(self, event: Select.Changed) -> None:
        rows = self.query_one("#row-fields")
        await rows.remove_children()
        outcome = self.outcome
        if outcome is not None:
            extra = self.form.outcome_fields if self.form else ()
            await rows.mount_all(FieldBox(f, "row") for f in (*data_fields(outcome), *extra))
            tips = [
                f"timepoints: {', '.join(outcome.timepoints)}" if outcome.timepoints else "",
                f"subgroups: {', '.join(outcome.subgroups)}" if outcome.subgroups else "",
            ]
            self.query_one("#timepoint", Input).tooltip = literal(tips[0]) if tips[0] else None
            self.query_one("#subgroup", Input).tooltip = literal(tips[1]) if tips[1] else None
        self.fill_row()

    def fill_row(self) -> None:
        self.pending.clear()
        for box in self.query(FieldBox):
            if box.scope == "row":
                value = self.loaded.get(self.row_key(box.spec.key))
                self._set(box, value.value if value else "")
        self.query_one("#row-warnings", Static).update("")

    def row_values(self) -> dict[str, str]:
        return {
            b.spec.key: b.query_one(Input).value for b in self.query(FieldBox) if b.scope == "row"
        }

    def on_input_changed(self, event: Input.Changed) -> None:
        self._leaving = False
        if event.input.id in ("timepoint", "subgroup"):
            dropped = [
                f"{box.spec.label} {box.query_one(Input).value!r}"
                for box in self.query(FieldBox)
                if box.scope == "row" and box.query_one(Input).id in self.errors
            ]
            if dropped:
                self.notify(
                    "not saved (it did not pass its check): " + "; ".join(dropped),
                    severity="warning",
                )
            self.fill_row()
            return
        box = event.input.parent
        if not isinstance(box, FieldBox):
            return
        checked = check_value(box.spec, event.value)
        box.query_one(".field-message", Static).update(literal(checked.message))
        if checked.ok:
            self.errors.pop(event.input.id or "", None)
        else:
            self.errors[event.input.id or ""] = checked.message
        if box.scope == "row" and self.outcome is not None:
            self.query_one("#row-warnings", Static).update(
                literal("\n".join(f"⚠ {w}" for w in row_warnings(self.outcome, self.row_values())))
            )

    # --- saving: each field as it is left ------------------------------------------------------
    def entry_for(self, box: FieldBox) -> ValueEntry | None:
        """What is typed in ``box`` when it differs from the value saved, else None."""
        text = box.query_one(Input).value
        if box.scope == "study":
            key = ValueKey(self.study or "", field=box.spec.key)
        elif self.outcome is not None:
            key = self.row_key(box.spec.key)
        else:
            return None
        before = self.loaded.get(key)
        checked = check_value(box.spec, text)
        typed = checked.text if checked.ok else text.strip()  # as it would be stored
        if typed == (before.value if before else ""):
            return None
        method, details, imputed = "", {}, False
        pending = self.pending.get(box.spec.key) if box.scope == "row" else None
        if pending and pending[0] == text:
            method, details, imputed = (
                pending[1].method,
                dict(pending[1].details),
                pending[1].imputed,
            )
        return ValueEntry(
            key.field, text, key.outcome, key.timepoint, key.subgroup, method, details, imputed
        )

    def changed_entries(self) -> list[ValueEntry]:
        return [entry for entry in map(self.entry_for, self.query(FieldBox)) if entry is not None]

    def commit(self, boxes: Iterable[FieldBox]) -> tuple[int, list[str]]:
        """Save each changed field of ``boxes`` on its own (all or nothing per field, with the
        façade's checks); returns how many were saved and, for each field left unsaved,
        "label 'value': why"."""
        if self.study is None:
            return 0, []
        saved, left = 0, []
        for box in list(boxes):
            entry = self.entry_for(box)
            if entry is None:
                continue
            field = box.query_one(Input)
            problem = self.errors.get(field.id or "")
            if problem is None and self.app.project.read_only:
                problem = READ_ONLY_MESSAGE
            if problem is None:
                try:
                    self.app.project.save_extraction(self.study, self.app.reviewer, [entry])
                except ScreenerError as exc:
                    problem = str(exc)
                    self.errors[field.id or ""] = problem
                    box.query_one(".field-message", Static).update(literal(problem))
            if problem:
                left.append(f"{box.spec.label} {field.value!r}: {problem}")
            else:
                saved += 1
        if saved:
            self._read_saved()
            self.post_message(ExtractionSaved(self.study, saved))
        return saved, left

    def on_input_blurred(self, event: Input.Blurred) -> None:
        box = event.input.parent
        if isinstance(box, FieldBox) and box.is_attached:
            _, left = self.commit([box])
            if left and self.app.project.read_only:
                self.notify(READ_ONLY_MESSAGE, severity="warning")

    @writes
    def action_save(self) -> None:
        if self.study is None:
            self.notify("make a study first (Ctrl+N)", severity="warning")
            return
        saved, left = self.commit(self.query(FieldBox))
        if left:
            self.notify("not saved: " + "; ".join(left), severity="error")
        elif not saved:
            self.notify("nothing changed")
        else:
            self.notify(f"saved {saved} value(s) for {self.study}")

    # --- studies from included records ------------------------------------------------------------
    @writes
    def action_new_study(self) -> None:
        project = self.app.project
        linked = {r for s in self.studies for r in s.record_ids}
        free = [r for r in project.included_records() if r not in linked]
        options = [(str(r), f"#{r} {citation_line(project.record(r))[:70]}") for r in free[:200]]
        options.append(("", "a study without a linked record"))
        self.app.push_screen(
            PickList("Which report does the study come from?", options), self._picked_record
        )

    def _picked_record(self, choice: str | None) -> None:
        if choice is None:
            return
        if choice and self.studies:
            # a report of a study that has one already (e.g. made from an extraction CSV)
            options = [("", "a new study"), *((s.name, s.name) for s in self.studies)]
            self.app.push_screen(
                PickList("Which study does the report belong to?", options),
                lambda study: self._picked_study(study, choice),
            )
            return
        self._ask_name(choice)

    def _picked_study(self, study: str | None, record: str) -> None:
        if study is None:
            return
        if study:
            self._link(study, record)
        else:
            self._ask_name(record)

    def _ask_name(self, choice: str) -> None:
        suggestion = ""
        if choice:
            record = self.app.project.record(int(choice))
            first = record.authors[0].family if record.authors else ""
            suggestion = f"{first} {record.year or ''}".strip()
        self.app.push_screen(
            TextPrompt("Study name", value=suggestion, help_text="e.g. Zhang 2021"),
            lambda name: self._create_study(name, choice),
        )

    def _create_study(self, name: str | None, record: str) -> None:
        if not name:
            return
        if record and any(s.name == " ".join(name.split()) for s in self.studies):
            self._link(name, record)  # the study exists: the report is one more of its own
            return
        try:
            self.app.project.create_study(name, record_ids=[int(record)] if record else [])
        except ScreenerError as exc:
            self.notify(str(exc), severity="error")
            return
        self.study = None
        self.reload_studies(select=" ".join(name.split()))

    def _link(self, study: str, record: str) -> None:
        try:
            self.app.project.link_records(study, [int(record)])
        except ScreenerError as exc:
            self.notify(one_line(str(exc)), severity="error", markup=False)
            return
        self.notify(one_line(f"record #{record} linked to {study}"), markup=False)
        self.study = None
        self.reload_studies(select=" ".join(study.split()))

    # --- conversions ----------------------------------------------------------------------------
    @writes
    def action_convert(self) -> None:
        focused = self.focused
        box = focused.parent if isinstance(focused, Input) else None
        outcome = self.outcome
        targets = (
            _group_targets(outcome, box.spec.key) if isinstance(box, FieldBox) and outcome else {}
        )
        if not targets:
            self.notify(
                "focus a mean, SD or r field of an outcome row to convert into it",
                severity="warning",
            )
            return
        n_text = self.row_values().get(targets.get("n", ""), "")
        self.app.push_screen(
            ConvertPrompt(targets, n_text), lambda result: self._converted(targets, result)
        )

    def _converted(self, targets: dict[str, str], result: conv.Converted | None) -> None:
        if result is None:
            return
        for name, value in result.values.items():
            key = targets.get(name)
            if key is None:
                continue
            text = format_number(int(value) if name == "n" else round(value, 4))
            self.query_one(f"#in-row-{key}", Input).value = text
            self.pending[key] = (text, result)
        self.notify(
            f"converted ({result.method}{', imputed' if result.imputed else ''}); Ctrl+S saves it"
        )

    def action_open_pdf(self) -> None:
        study = next((s for s in self.studies if s.name == self.study), None)
        for record_id in study.record_ids if study else ():
            full = self.app.project.full_text(record_id)
            if full and full.path:
                self.app.open_file(full.path)
                return
        self.notify("no PDF attached to this study's reports", severity="warning")

    def action_compare(self) -> None:
        self.app.push_screen(CompareScreen())

    def action_risk_of_bias(self) -> None:
        self.app.push_screen(RobScreen(study=self.study))

    def action_back(self) -> None:
        _, left = self.commit(self.query(FieldBox))
        if left and not self._leaving:
            self._leaving = True
            self.notify(
                "not saved: " + "; ".join(left) + ". Correct it, or press Escape again to "
                "leave without it.",
                severity="warning",
            )
            return
        self.app.pop_screen()
