"""Meta-analysis of the review's extracted data: choose, run, read, save.

The options on the left (outcome, effect measure, model, test, confidence level, subgroup
column, a moderator for meta-regression, a cumulative order, Egger's and Begg's tests,
trim-and-fill, leave-one-out and influence diagnostics) are those of ``screener pool``. ``ctrl+r``
runs :meth:`Project.run_pool` in a
thread worker on its own connection (see :mod:`screener.tui.workers`), which also writes the
journal forest plot (matplotlib) beside the review file; the result comes back as
:class:`AnalysisFinished` or :class:`AnalysisFailed`. The right side
shows the pooled estimate, the heterogeneity line and a forest plot drawn with characters.
``ctrl+s`` saves the analysis shown to the review (:class:`AnalysisSaved`); ``ctrl+o`` opens
the forest plot file; ``ctrl+l`` lists the saved analyses, to rename or delete them
(:class:`~screener.tui.screens.saved_analyses.SavedAnalysesScreen`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Header, Label, Select, Static

from screener.display import visible
from screener.errors import ScreenerError
from screener.flows.pooling import OutcomeAnalysis, SavedAnalysis
from screener.project import Project
from screener.tui.read_only import writes
from screener.tui.screens.analysis_text import (
    estimate_text,
    heterogeneity_text,
    pooled_text,
    result_text,
    text_forest,
)
from screener.tui.text import line, literal
from screener.tui.workers import WorkerReport

if TYPE_CHECKING:
    from screener.tui.app import ScreenerApp

__all__ = [
    "AnalysisFailed",
    "AnalysisFinished",
    "AnalysisSaved",
    "AnalysisScreen",
    "estimate_text",
    "heterogeneity_text",
    "pooled_text",
    "result_text",
    "text_forest",
]

# (label, --method): random-effects tau^2 estimators, then the common-effect models.
METHODS = (
    ("REML (random)", "REML"),
    ("DL (random)", "DL"),
    ("PM (random)", "PM"),
    ("ML (random)", "ML"),
    ("HE (random)", "HE"),
    ("SJ (random)", "SJ"),
    ("HS (random)", "HS"),
    ("EB (random)", "EB"),
    ("FE (common)", "FE"),
    ("MH (common)", "MH"),
    ("Peto (common)", "PETO"),
)
TESTS = (("z", "z"), ("Hartung-Knapp", "knha"))
LEVELS = (("95%", "95"), ("90%", "90"), ("99%", "99"))
NO_SUBGROUPS = "(none)"
NO_CHOICE = "(none)"
PRECISION = "precision"


class AnalysisFinished(WorkerReport):
    """A run ended: the analysis (not saved yet) and the forest plot file written for it."""

    def __init__(self, pooled: OutcomeAnalysis, forest: Path) -> None:
        super().__init__()
        self.pooled = pooled
        self.forest = forest


class AnalysisFailed(WorkerReport):
    """A run stopped on the user's data or choices; ``error`` is the one-line message."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class AnalysisSaved(Message):
    """The analysis shown was saved in the review."""

    def __init__(self, saved: SavedAnalysis) -> None:
        super().__init__()
        self.saved = saved


class AnalysisScreen(Screen[None]):
    """Options on the left; pooled result, heterogeneity and a text forest plot on the right."""

    app: ScreenerApp  # Textual types it App[object]; this screen runs in ScreenerApp
    BINDINGS = [
        Binding("ctrl+r", "run", "Run", priority=True, id="analysis.run"),
        Binding("ctrl+s", "save", "Save to review", priority=True, id="analysis.save"),
        Binding("ctrl+o", "open_plot", "Open plot", priority=True, id="analysis.open"),
        Binding("ctrl+l", "saved", "Saved analyses", priority=True, id="analysis.saved"),
        Binding("escape", "back", "Back", id="analysis.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.running = False
        self.pooled: OutcomeAnalysis | None = None
        self.forest: Path | None = None
        self.saved: SavedAnalysis | None = None
        self.status_text = ""
        self.result_text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="analysis-body"):
            with VerticalScroll(id="analysis-options"):
                yield Label("Outcome")
                yield Select(
                    [], id="outcome", allow_blank=True, prompt="(no outcomes)", compact=True
                )
                yield Label("Timepoint", id="timepoint-label")
                yield Select([], id="timepoint", prompt="-", compact=True)
                yield Label("Effect measure")
                yield Select([], id="measure", prompt="-", compact=True)
                yield Label("Model")
                yield Select(METHODS, id="method", value="REML", allow_blank=False, compact=True)
                yield Label("Test")
                yield Select(TESTS, id="test", value="z", allow_blank=False, compact=True)
                yield Label("Subgroups by")
                yield Select(
                    [(NO_SUBGROUPS, NO_SUBGROUPS)],
                    id="by",
                    value=NO_SUBGROUPS,
                    allow_blank=False,
                    compact=True,
                )
                yield Label("Confidence level")
                yield Select(LEVELS, id="level", value="95", allow_blank=False, compact=True)
                yield Label("Meta-regression on")
                yield Select(
                    [(NO_CHOICE, NO_CHOICE)],
                    id="mods",
                    value=NO_CHOICE,
                    allow_blank=False,
                    compact=True,
                )
                yield Label("Cumulative, by")
                yield Select(
                    [(NO_CHOICE, NO_CHOICE), ("precision", PRECISION)],
                    id="cumulative",
                    value=NO_CHOICE,
                    allow_blank=False,
                    compact=True,
                )
                yield Checkbox("Egger's test", id="egger", compact=True)
                yield Checkbox("Begg's test", id="begg", compact=True)
                yield Checkbox("Trim-and-fill", id="trimfill", compact=True)
                yield Checkbox("Leave-one-out", id="leave_one_out", compact=True)
                yield Checkbox("Influence", id="influence", compact=True)
                yield Button("Run (ctrl+r)", id="analysis-run", variant="primary", compact=True)
            with VerticalScroll(id="analysis-results"):
                yield Static(id="analysis-status")
                yield Static(id="analysis-text")
                yield Static(id="analysis-forest")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Analysis"
        outcomes = list(self.app.project.outcomes())
        select = self.query_one("#outcome", Select)
        select.set_options([(line(name), name) for name in outcomes])
        if outcomes:
            with select.prevent(Select.Changed):
                select.value = outcomes[0]
            self._outcome_chosen(outcomes[0])
        else:
            self.query_one("#analysis-run", Button).disabled = True
            self._status("No outcomes yet: load an extraction form and extract data first.")

    # --- options -------------------------------------------------------------------------------
    @on(Select.Changed, "#outcome")
    def _outcome_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._outcome_chosen(event.value)

    @on(Select.Changed, "#timepoint")
    def _timepoint_changed(self, event: Select.Changed) -> None:
        outcome = self.query_one("#outcome", Select).value
        if isinstance(outcome, str) and isinstance(event.value, str):
            self._outcome_chosen(outcome, timepoint=event.value)

    def _outcome_chosen(self, outcome: str, timepoint: str | None = None) -> None:
        """Offer the measures, timepoints and subgroup columns that fit the outcome's data."""
        try:
            table = self.app.project.pooling_table(
                outcome, timepoint=timepoint, first_timepoint=True
            )
        except ScreenerError as exc:
            self._status(str(exc))
            self.query_one("#analysis-run", Button).disabled = True
            return
        self.query_one("#analysis-run", Button).disabled = False
        measure = self.query_one("#measure", Select)
        keep = measure.value if measure.value in table.measures else table.measures[0]
        measure.set_options([(m, m) for m in table.measures])
        measure.value = keep
        points = self.query_one("#timepoint", Select)
        many = len(table.timepoints) > 1
        points.display = many
        self.query_one("#timepoint-label", Label).display = many
        if many and timepoint is None:
            with points.prevent(Select.Changed):
                points.set_options([(line(t or "(none)"), t) for t in table.timepoints])
                points.value = table.timepoint
        by = self.query_one("#by", Select)
        current = by.value
        by.set_options([(NO_SUBGROUPS, NO_SUBGROUPS), *((line(c), c) for c in table.by_columns)])
        by.value = current if current in table.by_columns else NO_SUBGROUPS
        for name, extra in (("mods", ()), ("cumulative", ((PRECISION, PRECISION),))):
            select = self.query_one(f"#{name}", Select)
            current = select.value
            offered = [*(v for _, v in extra), *table.moderators]
            select.set_options(
                [(NO_CHOICE, NO_CHOICE), *extra, *((line(c), c) for c in table.moderators)]
            )
            select.value = current if current in offered else NO_CHOICE
        studies = len(table.frame)
        where = f" at {table.timepoint}" if table.timepoint else ""
        self._status(
            f"{outcome}{where}: {studies} stud{'y' if studies == 1 else 'ies'} with "
            f"{table.outcome.data_type} data. ctrl+r runs the analysis."
        )

    def options(self) -> dict[str, object]:
        """The chosen options, as keyword arguments of :meth:`Project.run_pool`."""

        def value(name: str) -> str:
            return str(self.query_one(f"#{name}", Select).value)

        def checked(name: str) -> bool:
            return self.query_one(f"#{name}", Checkbox).value

        points = self.query_one("#timepoint", Select)
        return {
            "measure": value("measure"),
            "method": value("method"),
            "test": value("test"),
            "by": None if value("by") == NO_SUBGROUPS else value("by"),
            "egger": "rma" if checked("egger") else None,
            "trimfill": checked("trimfill"),
            "timepoint": str(points.value) if points.display else None,
            "level": float(value("level")),
            "mods": () if value("mods") == NO_CHOICE else (value("mods"),),
            "cumulative": None if value("cumulative") == NO_CHOICE else value("cumulative"),
            "begg": checked("begg"),
            "leave_one_out": checked("leave_one_out"),
            "influence": checked("influence"),
        }

    # --- running -------------------------------------------------------------------------------
    @on(Button.Pressed, "#analysis-run")
    def action_run(self) -> None:
        outcome = self.query_one("#outcome", Select).value
        if (
            self.running
            or not isinstance(outcome, str)
            or self.query_one("#analysis-run", Button).disabled
        ):
            return
        options = self.options()
        self.running = True
        self.query_one("#analysis-run", Button).disabled = True
        self._status(f"Pooling {outcome} ...")
        target = _plot_path(Path(self.app.project.path), outcome)
        self._compute(self.app.project.path, outcome, options, target)

    @work(thread=True, exclusive=True, group="analysis", name="pool")
    def _compute(self, review: Path, outcome: str, options: dict, target: Path) -> None:
        """The analysis and its forest plot file."""
        try:
            with Project.open(review) as project:
                pooled = project.run_pool(outcome, **options)
            pooled.analysis.write_forest(target, title=pooled.default_name())
        except ScreenerError as exc:
            self.post_message(AnalysisFailed(str(exc)))
            return
        except OSError as exc:
            self.post_message(AnalysisFailed(f"cannot write {target}: {exc.strerror or exc}"))
            return
        self.post_message(AnalysisFinished(pooled, target))

    def on_analysis_finished(self, message: AnalysisFinished) -> None:
        if message.stale:
            return
        self._stopped()
        self.pooled, self.forest, self.saved = message.pooled, message.forest, None
        self._status(f"{message.pooled.default_name()}: ctrl+s saves it to the review.")
        self._show()

    def on_analysis_failed(self, message: AnalysisFailed) -> None:
        if message.stale:
            return
        self._stopped()
        self._status(f"Stopped: {message.error}")
        self.notify(message.error, severity="error")

    def on_resize(self) -> None:
        if self.pooled is not None:
            self._show()

    def _stopped(self) -> None:
        self.running = False
        self.query_one("#analysis-run", Button).disabled = False

    def _show(self) -> None:
        assert self.pooled is not None
        text = result_text(self.pooled)
        if self.forest is not None:
            text.append(visible(f"Forest plot (matplotlib): {self.forest}"), style="bold")
            text.append(" (ctrl+o opens it)\n", style="dim")
        width = self.query_one("#analysis-results").scrollable_content_region.width - 1
        a = self.pooled.analysis
        forest = Text(no_wrap=True, overflow="crop")
        for row, style in text_forest(a.result, a.subgroups, max(40, width)):
            forest.append(row + "\n", style=style)
        self.result_text = text.plain + "\n" + forest.plain
        self.query_one("#analysis-text", Static).update(text)
        self.query_one("#analysis-forest", Static).update(forest)

    # --- saving and the plot file --------------------------------------------------------------
    @writes
    def action_save(self) -> None:
        if self.pooled is None:
            self.notify("Run the analysis first (ctrl+r).", severity="warning")
            return
        if self.saved is not None:
            self.notify(f"Already saved as analysis {self.saved.id}.")
            return
        try:
            self.saved = self.app.project.save_analysis(self.pooled, reviewer=self.app.reviewer)
        except ScreenerError as exc:
            self.notify(str(exc), severity="error")
            return
        self._status(f"Saved as analysis {self.saved.id}: {self.saved.name}")
        self.notify(f"Saved as analysis {self.saved.id}")
        self.post_message(AnalysisSaved(self.saved))

    def action_open_plot(self) -> None:
        if self.forest is None or not self.forest.exists():
            self.notify("No forest plot yet: run the analysis (ctrl+r).", severity="warning")
            return
        self.app.open_file(str(self.forest))

    def action_saved(self) -> None:
        from screener.tui.screens.saved_analyses import SavedAnalysesScreen

        self.app.push_screen(SavedAnalysesScreen(), lambda _: self._saved_still_there())

    def _saved_still_there(self) -> None:
        """After the list: forget the analysis shown as saved if it was deleted there."""
        if self.saved is None:
            return
        try:
            self.saved = self.app.project.analysis(self.saved.id)
        except ScreenerError:
            self.saved = None

    def action_back(self) -> None:
        self.app.pop_screen()

    def _status(self, text: str) -> None:
        self.status_text = text
        self.query_one("#analysis-status", Static).update(literal(text))


def _plot_path(review: Path, outcome: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", outcome.lower()).strip("-") or "outcome"
    return review.with_name(f"{review.stem}-{slug}-forest.svg")
