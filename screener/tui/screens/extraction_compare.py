"""Dual extraction: two extractors' discrepancies, field by field, resolved by keys (Ctrl+R on
extraction); the agreed value is saved as consensus by the reviewer at the keyboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from screener.errors import ScreenerError
from screener.extraction.values import ValueKey
from screener.tui.read_only import writes
from screener.tui.text import line, literal
from screener.tui.widgets.prompts import TextPrompt

if TYPE_CHECKING:
    from screener.tui.app import ScreenerApp


class ExtractionResolved(Message):
    def __init__(self, key: ValueKey, value: str) -> None:
        super().__init__()
        self.key, self.value = key, value


class CompareScreen(Screen[None]):
    """Two extractors' discrepancies, field by field; the reviewer at the keyboard resolves them."""

    app: ScreenerApp  # Textual types it App[object]; this screen runs in ScreenerApp
    BINDINGS = [
        Binding("1", "take(0)", "Take first", id="compare.first"),
        Binding("2", "take(1)", "Take second", id="compare.second"),
        Binding("e", "edit", "Type value", id="compare.edit"),
        Binding("p", "pair", "Other pair", id="compare.pair"),
        Binding("escape", "back", "Back", id="compare.back"),
    ]

    def __init__(self, first: str | None = None, second: str | None = None) -> None:
        super().__init__()
        self.pair = (first, second) if first and second else None
        self.rows: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="compare-detail", markup=False)
        yield DataTable(id="discrepancies", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        names = self.app.project.extractors()
        self.pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
        if self.pair is None and self.pairs:
            self.pair = self.pairs[0]
        self.query_one(DataTable).add_columns("study", "outcome row", "field", "first", "second")
        self.reload()

    def reload(self, keep: int = 0) -> None:
        table = self.query_one(DataTable)
        table.clear()
        if self.pair is None:
            self.rows = []
            self.sub_title = "Compare extractors"
            self.query_one("#compare-detail", Static).update(
                "fewer than two extractors have entered values"
            )
            return
        first, second = self.pair
        self.sub_title = f"Compare · {first} vs {second} · resolving as {self.app.reviewer}"
        self.rows = self.app.project.compare_extractions(first, second)
        for i, d in enumerate(self.rows):
            row = (
                " · ".join(p for p in (d.key.outcome, d.key.timepoint, d.key.subgroup) if p)
                or "(study)"
            )
            table.add_row(
                line(d.key.study),
                line(row),
                line(d.key.field),
                line(d.values[0][1] or "—"),
                line(d.values[1][1] or "—"),
                key=str(i),
            )
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        self.show_detail()

    @property
    def current(self):
        row = self.query_one(DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        d = self.current
        if self.pair is None:
            return
        if d is None:
            self.query_one("#compare-detail", Static).update(
                literal(
                    f"{self.pair[0]} and {self.pair[1]} agree on every field they both extracted"
                )
            )
            return
        lines = [f"{len(self.rows)} discrepancies · {d.key.describe()}"]
        for i, (who, value) in enumerate(d.values, 1):
            found = [
                v
                for v in self.app.project.extraction_values(study=d.key.study, reviewer=who)
                if v.key == d.key and v.role == "extractor"
            ]
            how = (
                f" ({found[0].method}{', imputed' if found[0].imputed else ''})"
                if found and found[0].method
                else ""
            )
            lines.append(f"{i}  {who}: {value or '(empty)'}{how}")
        lines.append(
            "1/2 take a value · e type the agreed value · recorded as agreed by "
            + str(self.app.reviewer)
        )
        self.query_one("#compare-detail", Static).update(literal("\n".join(lines)))

    @writes
    def action_take(self, index: int) -> None:
        d = self.current
        if d is None:
            return
        who, value = d.values[index]
        found = [
            v
            for v in self.app.project.extraction_values(study=d.key.study, reviewer=who)
            if v.key == d.key and v.role == "extractor"
        ]
        extra = {}
        if found:
            extra = {
                "method": found[0].method,
                "details": found[0].details,
                "imputed": found[0].imputed,
            }
        self._resolve(d.key, value, **extra)

    @writes
    def action_edit(self) -> None:
        d = self.current
        if d is None:
            return
        self.app.push_screen(
            TextPrompt(
                f"Agreed value of {d.key.field}", value=d.values[0][1], help_text=d.key.describe()
            ),
            lambda text: None if text is None else self._resolve(d.key, text),
        )

    def _resolve(self, key: ValueKey, value: str, **extra) -> None:
        keep = self.query_one(DataTable).cursor_row
        try:
            self.app.project.resolve_extraction(key, value, by=self.app.reviewer, **extra)
        except ScreenerError as exc:
            self.notify(str(exc), severity="error")
            return
        self.post_message(ExtractionResolved(key, value))
        self.reload(keep)

    def action_pair(self) -> None:
        if len(self.pairs) > 1 and self.pair in self.pairs:
            self.pair = self.pairs[(self.pairs.index(self.pair) + 1) % len(self.pairs)]
            self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
