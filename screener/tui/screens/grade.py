"""GRADE for one saved analysis (``g`` on the saved-analyses list): the five domains with the
suggested level and its reason, or the judgement that replaced it, and the certainty they give.

``1``, ``2``, ``3`` judge the highlighted domain not serious, serious or very serious; a reason
is asked for (the suggested one is offered) and stored with
:meth:`~screener.project.Project.judge_grade`, the verb ``screener grade --set`` uses: only the
lead or an arbiter may judge, and the history keeps every judgement. Names and reasons are
stored text: shown literally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static

from screener.errors import ScreenerError
from screener.report.grade import DOMAIN_NAMES, LEVELS
from screener.tui.read_only import writes
from screener.tui.text import line, literal
from screener.tui.widgets.prompts import TextPrompt

if TYPE_CHECKING:
    from screener.report.grade import Assessment
    from screener.tui.app import ScreenerApp

__all__ = ["GradeScreen"]

HELP = "1 not serious · 2 serious · 3 very serious (with a reason) · escape closes"


class GradeScreen(ModalScreen[None]):
    """The GRADE assessment of saved analysis ``analysis_id``."""

    app: ScreenerApp
    BINDINGS = [
        Binding("1", "judge(0)", "Not serious", id="grade.not_serious"),
        Binding("2", "judge(1)", "Serious", id="grade.serious"),
        Binding("3", "judge(2)", "Very serious", id="grade.very_serious"),
        Binding("escape", "close", "Close", id="grade.close"),
    ]

    def __init__(self, analysis_id: int) -> None:
        super().__init__()
        self.analysis_id = analysis_id
        self.assessment: Assessment | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt", id="grade"):
            yield Label("", id="grade-title", classes="prompt-title")
            yield Static("", id="grade-summary")
            yield DataTable(id="grade-domains", cursor_type="row", zebra_stripes=True)
            yield Static("", id="grade-detail")
            yield Label(HELP, classes="prompt-help")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#grade-domains", DataTable)
        table.add_column("domain", key="domain")
        table.add_column("level", key="level")
        table.add_column("by", key="by")
        table.add_column("reason", key="reason")
        self.reload()
        table.focus()

    def reload(self) -> None:
        """Read the assessment again from the review (the cursor stays on its domain)."""
        try:
            self.assessment = self.app.project.grade(self.analysis_id)[0]
        except ScreenerError as exc:
            self.notify(str(exc), severity="error")
            self.dismiss(None)
            return
        a = self.assessment
        self.query_one("#grade-title", Label).update(
            literal(f"GRADE: analysis {a.analysis_id}, {a.name}")
        )
        self.query_one("#grade-summary", Static).update(
            literal(
                f"{a.outcome or 'no outcome'} · {a.effect} · {a.design} evidence starts {a.start}"
                f" · certainty: {a.certainty}"
            )
        )
        table = self.query_one("#grade-domains", DataTable)
        row = table.cursor_row
        table.clear()
        for d in a.domains:
            table.add_row(
                literal(DOMAIN_NAMES[d.domain]),
                literal(d.level),
                line(d.by),
                line(d.reason),
                key=d.domain,
            )
        table.move_cursor(row=min(max(row, 0), len(a.domains) - 1))
        self.show_detail()

    def show_detail(self) -> None:
        """The highlighted domain's whole reason, wrapped (the table cuts it)."""
        domain = self.highlighted_domain()
        if domain is None or self.assessment is None:
            return
        d = self.assessment.domain(domain)
        self.query_one("#grade-detail", Static).update(
            literal(f"{DOMAIN_NAMES[domain]}: {d.level} ({d.by}). {d.reason}")
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "grade-domains":
            self.show_detail()

    def highlighted_domain(self) -> str | None:
        table = self.query_one("#grade-domains", DataTable)
        if self.assessment is None or not 0 <= table.cursor_row < len(self.assessment.domains):
            return None
        return self.assessment.domains[table.cursor_row].domain

    @writes
    def action_judge(self, index: int) -> None:
        domain = self.highlighted_domain()
        if domain is None or self.assessment is None:
            return
        level = LEVELS[index]
        current = self.assessment.domain(domain)

        def answered(reason: str | None) -> None:
            if reason is None:
                return
            if not reason.strip():
                self.notify("a GRADE judgement needs a reason: nothing stored", severity="error")
                return
            try:
                self.app.project.judge_grade(
                    self.analysis_id, domain, level, reason=reason, reviewer=self.app.reviewer
                )
            except ScreenerError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify(f"{DOMAIN_NAMES[domain]}: {level}")
            self.reload()

        self.app.push_screen(
            TextPrompt(
                f"{DOMAIN_NAMES[domain]}: {level}. Why?",
                value=current.reason,
                help_text="Enter stores the judgement with this reason; escape cancels.",
            ),
            answered,
        )

    def action_close(self) -> None:
        self.dismiss(None)
