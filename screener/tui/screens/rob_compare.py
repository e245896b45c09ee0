"""The lead's view of a risk-of-bias tool: where assessors' judgements differ, each with its
support; a number key takes that assessor's judgement as the agreed one (saved as consensus by
the reviewer at the keyboard). This is where blind assessments are unblinded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from screener.errors import ScreenerError
from screener.extraction.rob import OVERALL, TOOLS
from screener.tui.read_only import writes
from screener.tui.text import line, literal
from screener.tui.widgets.prompts import PickList

if TYPE_CHECKING:
    from screener.tui.app import ScreenerApp


class RobResolved(Message):
    def __init__(self, study: str, tool: str, domain: str, judgement: str) -> None:
        super().__init__()
        self.study, self.tool, self.domain, self.judgement = study, tool, domain, judgement


class RobCompareScreen(Screen[None]):
    app: ScreenerApp  # Textual types it App[object]; this screen runs in ScreenerApp
    BINDINGS = [
        *(
            Binding(
                str(n),
                f"take({n - 1})",
                f"Take assessor {n}",
                show=n <= 2,
                id=f"rob_compare.take_{n}",
            )
            for n in range(1, 10)
        ),
        Binding("t", "tool", "Tool", id="rob_compare.tool"),
        Binding("escape", "back", "Back", id="rob_compare.back"),
    ]

    def __init__(self, tool: str = "rob2") -> None:
        super().__init__()
        self.tool = TOOLS[tool]
        self.rows: list[tuple[str, str, str, tuple[tuple[str, str], ...]]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="rob-compare-detail", markup=False)
        yield DataTable(id="rob-disagreements", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("study", "domain", "assessors")
        self.reload()

    def label(self, domain: str) -> str:
        found = self.tool.domain(domain)
        return found.label if found else "Overall" if domain == OVERALL else domain

    def reload(self, keep: int = 0) -> None:
        self.sub_title = (
            f"Compare risk of bias · {self.tool.name.split(' (')[0]} · as {self.app.reviewer}"
        )
        self.rows = list(self.app.project.rob_summary(self.tool.key).disagreements)
        table = self.query_one(DataTable)
        table.clear()
        for i, (study, outcome, domain, judged) in enumerate(self.rows):
            where = f"{study} ({outcome})" if outcome else study
            table.add_row(
                line(where),
                self.label(domain),
                line(" · ".join(f"{who}: {j}" for who, j in judged)),
                key=str(i),
            )
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        self.show_detail()

    @property
    def current(self) -> tuple[str, str, str, tuple[tuple[str, str], ...]] | None:
        row = self.query_one(DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        found = self.current
        detail = self.query_one("#rob-compare-detail", Static)
        if found is None:
            detail.update(f"no open disagreements in {self.tool.name}")
            return
        study, outcome, domain, judged = found
        support = {
            j.reviewer: j.support
            for j in self.app.project.rob_judgements(study=study, tool=self.tool.key)
            if j.domain == domain and j.outcome == outcome and j.role == "assessor"
        }
        lines = [f"{len(self.rows)} disagreement(s) · {study} · {self.label(domain)}"]
        for n, (who, judgement) in enumerate(judged, 1):
            note = support.get(who, "")
            lines.append(f"{n}  {who}: {judgement}" + (f" — “{note}”" if note else ""))
        lines.append(
            f"1-{len(judged)} take that judgement · recorded as agreed by {self.app.reviewer}"
        )
        detail.update(literal("\n".join(lines)))

    @writes
    def action_take(self, index: int) -> None:
        found = self.current
        if found is None or index >= len(found[3]):
            return
        study, outcome, domain, judged = found
        judgement = judged[index][1]
        try:
            self.app.project.save_rob(
                study,
                self.tool.key,
                self.app.reviewer,
                {domain: judgement},
                outcome=outcome,
                consensus=True,
            )
        except ScreenerError as exc:
            self.notify(str(exc), severity="error")
            return
        self.post_message(RobResolved(study, self.tool.key, domain, judgement))
        self.reload(self.query_one(DataTable).cursor_row)

    def action_tool(self) -> None:
        self.app.push_screen(
            PickList("Which risk-of-bias tool?", [(t.key, t.name) for t in TOOLS.values()]),
            self._picked_tool,
        )

    def _picked_tool(self, key: str | None) -> None:
        if key:
            self.tool = TOOLS[key]
            self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
