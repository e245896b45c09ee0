"""Risk of bias, one study and one tool at a time, keyboard-first.

The highlighted domain takes a judgement by a single key from the tool's own vocabulary (RoB 2:
``l`` low, ``s`` some concerns, ``h`` high; ROBINS-I adds moderate, serious, critical, no
information; Newcastle-Ottawa takes stars ``0``-``2``; JBI ``y``/``u``/``n``/``a``), Enter adds
the support (a quote or a note), Ctrl+S saves through the façade. The overall judgement follows
the tool's algorithm where it has one; a key on the Overall row records an explicit one.

Blind: an assessor sees only their own judgements; Ctrl+R opens the comparison, where the lead
settles disagreements (saved as consensus), as with two extractors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from screener.errors import ScreenerError
from screener.extraction.rob import OVERALL, TOOLS, RobTool
from screener.tui.read_only import writes
from screener.tui.screens.rob_compare import RobCompareScreen
from screener.tui.text import content_line, line
from screener.tui.widgets.key_line import KeyLine
from screener.tui.widgets.prompts import PickList, TextPrompt
from screener.tui.widgets.rob import (
    JUDGEMENT_BINDINGS,
    domain_guidance,
    judgement_keys,
    judgement_text,
    overall_text,
)

if TYPE_CHECKING:
    from screener.tui.app import ScreenerApp

Draft = dict[str, tuple[str, str]]
"""domain -> (judgement, support) of one study under one tool."""


class RobSaved(Message):
    """An assessor's judgements of a study were saved (``domains``: how many changed)."""

    def __init__(self, study: str, tool: str, domains: int) -> None:
        super().__init__()
        self.study, self.tool, self.domains = study, tool, domains


class RobScreen(Screen[None]):
    """Studies on the left; the tool's domains, the highlighted one's guidance and the overall."""

    app: ScreenerApp  # Textual types it App[object]; this screen runs in ScreenerApp
    BINDINGS = [
        *JUDGEMENT_BINDINGS,
        Binding("enter", "support", "Support", priority=True, id="rob.support"),
        Binding("ctrl+s", "save", "Save", id="rob.save"),
        Binding("t", "tool", "Tool", id="rob.tool"),
        Binding("backspace,delete", "clear", "Clear", show=False, id="rob.clear"),
        Binding("right_square_bracket", "study(1)", "Next study", show=False, id="rob.next_study"),
        Binding(
            "left_square_bracket",
            "study(-1)",
            "Previous study",
            show=False,
            id="rob.previous_study",
        ),
        Binding("ctrl+r", "compare", "Compare assessors", show=False, id="rob.compare"),
        Binding("escape", "back", "Back", id="rob.back"),
    ]

    def __init__(self, study: str | None = None, tool: str | None = None) -> None:
        super().__init__()
        self.study, self._tool_key = study, tool
        self.saved: dict[str, dict[str, Draft]] = {}  # tool -> study -> my saved judgements
        self.drafts: dict[tuple[str, str], Draft] = {}  # (tool, study) -> what is on screen
        self.rows: list[str] = []
        self._leaving = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="rob-body"):
            yield DataTable(id="rob-studies", cursor_type="row")
            with Vertical(id="rob-main"):
                yield Static(id="rob-tool", markup=False)
                yield DataTable(id="rob-domains", cursor_type="row")
                yield Static(id="rob-detail")
                yield Static(id="rob-overall", markup=False)
        yield KeyLine(
            (
                "rob.support",
                "rob.save",
                "rob.tool",
                "rob.previous_study",
                "rob.next_study",
                "rob.clear",
                "rob.compare",
                "rob.back",
            ),
            note="a judgement: its key, listed above for the highlighted domain",
        )
        yield Footer()

    def on_mount(self) -> None:
        project = self.app.project
        self.sub_title = f"Risk of bias · {self.app.reviewer} · your judgements only"
        self.studies = [s.name for s in project.studies()]
        used = project.rob_tools()
        self.tool: RobTool = TOOLS[self._tool_key or (used[0] if used else "rob2")]
        if self.study not in self.studies:
            self.study = self.studies[0] if self.studies else None
        studies = self.query_one("#rob-studies", DataTable)
        studies.add_column(" ", key="mark")
        studies.add_column("study", key="study")
        domains = self.query_one("#rob-domains", DataTable)
        for label, key in (("", "code"), ("judgement", "judgement"), ("domain", "domain")):
            domains.add_column(label, key=key)
        self.show_tool()
        self.query_one("#rob-domains", DataTable).focus()
        if not self.studies:
            self.notify(
                "no studies yet: make them on the extraction screen (x, then Ctrl+N)",
                severity="warning",
            )

    # --- what is shown ----------------------------------------------------------------------------
    def mine(self, tool: str) -> dict[str, Draft]:
        """My saved judgements (study level, as assessor) for ``tool``, read once per tool."""
        if tool not in self.saved:
            found: dict[str, Draft] = {}
            for j in self.app.project.rob_judgements(tool=tool, reviewer=self.app.reviewer):
                if j.role == "assessor" and not j.outcome:
                    found.setdefault(j.study, {})[j.domain] = (j.judgement, j.support)
            self.saved[tool] = found
        return self.saved[tool]

    @property
    def draft(self) -> Draft:
        key = (self.tool.key, self.study or "")
        if key not in self.drafts:
            self.drafts[key] = dict(self.mine(self.tool.key).get(self.study or "", {}))
        return self.drafts[key]

    def unsaved(self) -> list[tuple[str, str]]:
        return [
            (tool, study)
            for (tool, study), draft in self.drafts.items()
            if study and draft != self.mine(tool).get(study, {})
        ]

    @property
    def domain(self) -> str | None:
        row = self.query_one("#rob-domains", DataTable).cursor_row
        return self.rows[row] if self.study and 0 <= row < len(self.rows) else None

    def show_tool(self, row: int | None = 0) -> None:
        """Show the tool's studies and domains, the cursor on ``row`` (None: where it was)."""
        table = self.query_one("#rob-studies", DataTable)
        table.clear()
        for name in self.studies:
            table.add_row(self._mark(name), line(name), key=name)
        if self.study:
            table.move_cursor(row=self.studies.index(self.study))
        self.show_domains(row)

    def show_heading(self) -> None:
        """Which study is being judged, with which tool."""
        study = content_line(self.study, "bold") if self.study else Content("no study yet")
        self.query_one("#rob-tool", Static).update(
            Content.assemble("Judging ", study, f" with {self.tool.name} · t: other tool")
        )

    def _mark(self, study: str) -> str:
        if (self.tool.key, study) in self.unsaved():
            return "●"
        judged = self.mine(self.tool.key).get(study, {})
        return "✓" if all(d.key in judged for d in self.tool.domains) else "…" if judged else ""

    def show_domains(self, row: int | None = None) -> None:
        self.show_heading()
        table = self.query_one("#rob-domains", DataTable)
        keep = table.cursor_row if row is None else row
        table.clear()
        self.rows = [d.key for d in self.tool.domains] + [OVERALL]
        draft = self.draft if self.study else {}
        for d in self.tool.domains:
            code, _, name = d.label.partition(" ")
            judgement, support = draft.get(d.key, ("", ""))
            table.add_row(
                code,
                judgement_text(self.tool, d.key, judgement, suffix=" ✎" if support else ""),
                name,
                key=d.key,
            )
        overall, auto, explanation = overall_text(self.tool, {k: v[0] for k, v in draft.items()})
        note = " ✎" if draft.get(OVERALL, ("", ""))[1] else ""
        table.add_row(
            "",
            judgement_text(self.tool, OVERALL, overall, suffix=" (auto)" if auto else note),
            "Overall",
            key=OVERALL,
        )
        table.move_cursor(row=min(max(keep, 0), len(self.rows) - 1))
        self.query_one("#rob-overall", Static).update(
            explanation + ("\n● unsaved: Ctrl+S saves" if self.unsaved() else "")
        )
        self.show_detail()

    def show_detail(self) -> None:
        domain = self.domain
        detail = self.query_one("#rob-detail", Static)
        if domain is None:
            detail.update("no study to assess" if not self.study else "")
        else:
            judgement, support = self.draft.get(domain, ("", ""))
            detail.update(domain_guidance(self.tool, domain, judgement, support))
        self.refresh_bindings()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if (
            event.data_table.id == "rob-studies"
            and event.row_key is not None
            and event.row_key.value
            and event.row_key.value != self.study
        ):
            self.study = str(event.row_key.value)
            self.show_domains(0)
        elif event.data_table.id == "rob-domains":
            self.show_detail()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "judge":
            domain = self.domain if hasattr(self, "tool") else None
            return (
                domain is not None
                and judgement_keys(self.tool.allowed(domain)).get(str(parameters[0]))
                == parameters[1]
            )
        return True

    # --- judging ----------------------------------------------------------------------------------
    @writes
    def action_judge(self, key: str, judgement: str) -> None:
        domain = self.domain
        if domain is None:
            return
        self.draft[domain] = (judgement, self.draft.get(domain, ("", ""))[1])
        self._changed(advance=domain != OVERALL)

    @writes
    def action_clear(self) -> None:
        if self.domain is not None and self.draft.pop(self.domain, None) is not None:
            self._changed()

    @writes
    def action_support(self) -> None:
        domain = self.domain
        if domain is None:
            return
        support = self.draft.get(domain, ("", ""))[1]
        label = (
            "Overall"
            if domain == OVERALL
            else (self.tool.domain(domain) or self.tool.domains[0]).label
        )
        self.app.push_screen(
            TextPrompt(
                f"Support for {label}",
                value=support,
                help_text="a quote from the report, or a note",
            ),
            lambda text: None if text is None else self._supported(domain, text),
        )

    def _supported(self, domain: str, text: str) -> None:
        self.draft[domain] = (self.draft.get(domain, ("", ""))[0], " ".join(text.split()))
        self._changed()

    def _changed(self, *, advance: bool = False) -> None:
        self._leaving = False
        row = self.query_one("#rob-domains", DataTable).cursor_row
        self.show_domains(row + 1 if advance else row)
        if self.study:
            self.query_one("#rob-studies", DataTable).update_cell(
                self.study, "mark", self._mark(self.study)
            )

    # --- saving and moving ------------------------------------------------------------------------
    @writes
    def action_save(self) -> None:
        pending = self.unsaved()
        if not pending:
            self.notify("nothing to save")
            return
        for tool, study in pending:
            draft, before = self.drafts[(tool, study)], self.mine(tool).get(study, {})
            changed = [d for d in {**before, **draft} if draft.get(d) != before.get(d)]
            judged = {
                d: draft.get(d, ("", ""))[0]
                for d in changed
                if draft.get(d, ("", ""))[0] or d in before
            }
            if not judged:
                continue
            try:
                self.app.project.save_rob(
                    study,
                    tool,
                    self.app.reviewer,
                    judged,
                    support={d: draft[d][1] for d in judged if d in draft},
                )
            except ScreenerError as exc:
                self.notify(f"{study}: {exc}", severity="error")
                return
            self.saved.pop(tool, None)
            self.post_message(RobSaved(study, tool, len(judged)))
            self.notify(
                f"saved {len(judged)} judgement(s) of {study} ({TOOLS[tool].name.split(' (')[0]})"
            )
        if self.unsaved():
            self.notify(
                "a support note is saved with its domain's judgement: judge the domain, then "
                "Ctrl+S",
                severity="warning",
            )
        self.show_tool(row=None)

    def action_study(self, step: int) -> None:
        table = self.query_one("#rob-studies", DataTable)
        if self.studies:
            table.move_cursor(row=(table.cursor_row + step) % len(self.studies))

    def action_tool(self) -> None:
        options = [(t.key, t.name) for t in TOOLS.values()]
        self.app.push_screen(
            PickList(
                "Which risk-of-bias tool?",
                options,
                help_text="unsaved judgements of each tool are kept",
            ),
            self._picked_tool,
        )

    def _picked_tool(self, key: str | None) -> None:
        if key and key != self.tool.key:
            self.tool = TOOLS[key]
            self.show_tool()

    def action_compare(self) -> None:
        self.app.push_screen(RobCompareScreen(self.tool.key))

    def action_back(self) -> None:
        if self.unsaved() and not self._leaving:
            self._leaving = True
            self.notify(
                "unsaved judgements: Ctrl+S saves them; Escape again leaves without saving",
                severity="warning",
            )
            return
        self.app.pop_screen()
