"""Meta-analysis of the review's extracted data: choose, run, read, save.

The options on the left (outcome, effect measure, model, test, subgroup column, Egger's test and
trim-and-fill) are those of ``screener pool``. ``ctrl+r`` runs :meth:`Project.run_pool` in a
thread worker on its own connection (see :mod:`screener.tui.workers`), which also writes the
journal forest plot (matplotlib) beside the review file; the result comes back as
:class:`AnalysisFinished` or :class:`AnalysisFailed`. The right side
shows the pooled estimate, the heterogeneity line and a forest plot drawn with characters.
``ctrl+s`` saves the analysis shown to the review (:class:`AnalysisSaved`); ``ctrl+o`` opens
the forest plot file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Header, Label, Select, Static

from screener.display import one_line, visible
from screener.errors import ScreenerError
from screener.flows.pooling import OutcomeAnalysis, SavedAnalysis
from screener.pooling import PoolResult, SubgroupResult
from screener.pooling.report import fmt_p
from screener.pooling.transforms import back_transform, transformed
from screener.project import Project
from screener.tui.read_only import writes
from screener.tui.text import line, literal
from screener.tui.workers import WorkerReport

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

    from screener.tui.app import ScreenerApp

    BackTransform = Callable[[ArrayLike], NDArray[np.float64]]

# (label, --method): random-effects tau^2 estimators, then the common-effect models.
METHODS = (("REML (random)", "REML"), ("DL (random)", "DL"), ("PM (random)", "PM"),
           ("ML (random)", "ML"), ("HE (random)", "HE"), ("SJ (random)", "SJ"), ("HS (random)", "HS"),
           ("EB (random)", "EB"), ("FE (common)", "FE"), ("MH (common)", "MH"), ("Peto (common)", "PETO"))
TESTS = (("z", "z"), ("Hartung-Knapp", "knha"))
NO_SUBGROUPS = "(none)"


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
            with Vertical(id="analysis-options"):
                yield Label("Outcome")
                yield Select([], id="outcome", allow_blank=True, prompt="(no outcomes)", compact=True)
                yield Label("Timepoint", id="timepoint-label")
                yield Select([], id="timepoint", prompt="-", compact=True)
                yield Label("Effect measure")
                yield Select([], id="measure", prompt="-", compact=True)
                yield Label("Model")
                yield Select(METHODS, id="method", value="REML", allow_blank=False, compact=True)
                yield Label("Test")
                yield Select(TESTS, id="test", value="z", allow_blank=False, compact=True)
                yield Label("Subgroups by")
                yield Select([(NO_SUBGROUPS, NO_SUBGROUPS)], id="by", value=NO_SUBGROUPS,
                             allow_blank=False, compact=True)
                yield Checkbox("Egger's test", id="egger", compact=True)
                yield Checkbox("Trim-and-fill", id="trimfill", compact=True)
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
            table = self.app.project.pooling_table(outcome, timepoint=timepoint, first_timepoint=True)
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
        studies = len(table.frame)
        where = f" at {table.timepoint}" if table.timepoint else ""
        self._status(f"{outcome}{where}: {studies} stud{'y' if studies == 1 else 'ies'} with "
                     f"{table.outcome.data_type} data. ctrl+r runs the analysis.")

    def options(self) -> dict[str, object]:
        """The chosen options, as keyword arguments of :meth:`Project.run_pool`."""
        def value(name: str) -> str:
            return str(self.query_one(f"#{name}", Select).value)

        points = self.query_one("#timepoint", Select)
        return {
            "measure": value("measure"), "method": value("method"), "test": value("test"),
            "by": None if value("by") == NO_SUBGROUPS else value("by"),
            "egger": "rma" if self.query_one("#egger", Checkbox).value else None,
            "trimfill": self.query_one("#trimfill", Checkbox).value,
            "timepoint": str(points.value) if points.display else None,
        }

    # --- running -------------------------------------------------------------------------------
    @on(Button.Pressed, "#analysis-run")
    def action_run(self) -> None:
        outcome = self.query_one("#outcome", Select).value
        if self.running or not isinstance(outcome, str) or self.query_one("#analysis-run", Button).disabled:
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

    def action_back(self) -> None:
        self.app.pop_screen()

    def _status(self, text: str) -> None:
        self.status_text = text
        self.query_one("#analysis-status", Static).update(literal(text))


def _plot_path(review: Path, outcome: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", outcome.lower()).strip("-") or "outcome"
    return review.with_name(f"{review.stem}-{slug}-forest.svg")


# --- the text shown -------------------------------------------------------------------------------

def heterogeneity_text(res: PoolResult) -> str:
    """ "Heterogeneity: I² = 92.2%, τ² = 0.3132, Q = 152.23 (df = 12), p < 0.0001"."""
    if res.QE is None:
        return "Heterogeneity: not estimable"
    i2 = "NA" if res.I2 is None else f"{res.I2:.1f}%"
    p = fmt_p(res.QEp)
    p = f"p {p[0]} {p[1:]}" if p.startswith("<") else f"p = {p}"
    return f"Heterogeneity: I² = {i2}, τ² = {res.tau2:.4f}, Q = {res.QE:.2f} (df = {res.QE_df}), {p}"


def estimate_text(res: PoolResult) -> str:
    """The estimate and CI on the natural scale where there is one (with the model scale)."""
    back = transformed(res)
    line = f"{res.measure} {res.estimate:.4f} [{res.ci_lb:.4f}, {res.ci_ub:.4f}]"
    if back is not None:
        line = (f"{res.measure} {back.estimate:.4f} [{back.ci_lb:.4f}, {back.ci_ub:.4f}] "
                f"(model scale {res.estimate:.4f} [{res.ci_lb:.4f}, {res.ci_ub:.4f}])")
    return line


def pooled_text(res: PoolResult) -> str:
    """The pooled estimate with its CI, z (or t) and p."""
    stat = "t" if res.df is not None else "z"
    p = fmt_p(res.pval)
    p = f"p {p[0]} {p[1:]}" if p.startswith("<") else f"p = {p}"
    return f"{estimate_text(res)}, {stat} = {res.zval:.4f}, {p}"


def result_text(pooled: OutcomeAnalysis) -> Text:
    """The pooled result, heterogeneity and small-study lines of an analysis."""
    a = pooled.analysis
    res = a.result
    text = Text()
    text.append(visible(f"{pooled.default_name()} (k = {res.k})\n"), style="bold")
    text.append(f"Pooled {pooled_text(res)}\n")
    if res.is_random and res.k > 1:
        back = transformed(res)
        lo, hi = (back.pi_lb, back.pi_ub) if back is not None else (res.pi_lb, res.pi_ub)
        text.append(f"Prediction interval {lo:.4f} to {hi:.4f}\n")
    text.append(heterogeneity_text(res) + "\n", style="bold")
    if a.subgroups is not None:
        sub = a.subgroups
        text.append(f"Test for subgroup differences: Q = {sub.Q_between:.2f} (df = {sub.df_between}), "
                    f"p = {fmt_p(sub.p_between)}\n")
    if a.egger is not None:
        text.append(f"Egger's test: {a.egger.stat_type} = {a.egger.stat:.4f}, p = {fmt_p(a.egger.pval)}\n")
    if a.trimfill is not None:
        tf = a.trimfill
        text.append(f"Trim-and-fill: {tf.k0} missing on the {tf.side} side; adjusted "
                    f"{estimate_text(tf.fit)}\n")
    for note in (*res.notes, *(f"no data for {s}; left out" for s in pooled.without_data)):
        text.append(visible(f"Note: {note}\n"), style="dim")
    return text


def text_forest(res: PoolResult, subgroups: SubgroupResult | None, width: int
                ) -> list[tuple[str, str]]:
    """A forest plot drawn with characters: (line, style) pairs.

    Each study row shows its label, its CI as ``─`` with ``■`` at the estimate, the line of no
    effect as ``│``, then the estimate and CI (on the natural scale for ratios, proportions and
    correlations) and its weight. Pooled rows draw the CI as ``◆``.
    """
    blocks: list[tuple[str | None, PoolResult]]
    if subgroups is not None and subgroups.fits is not None:
        blocks = list(zip(subgroups.levels, subgroups.fits, strict=True))
    else:
        blocks = [(None, res)]
    z = _z_crit(res.level)
    rows: list[tuple[str, str, float, float, float, float | None]] = []  # kind, label, est, lb, ub, w
    for level, fit in blocks:
        if level is not None:
            rows.append(("header", one_line(str(level)), math.nan, math.nan, math.nan, None))
        for i, label in enumerate(fit.labels):
            y, v = float(fit.yi[i]), float(fit.vi[i])
            half = z * math.sqrt(v) if v >= 0 else math.nan
            weight = float(fit.weights_percent[i])
            rows.append(("study", one_line(label), y, y - half, y + half, weight))
        name = one_line(f"Subtotal ({level})") if level is not None else _model_name(fit)
        rows.append(("pooled", name, fit.estimate, fit.ci_lb, fit.ci_ub, None))
    if subgroups is not None:
        rows.append(("pooled", f"Overall: {_model_name(res)}", res.estimate, res.ci_lb, res.ci_ub, None))

    back = _natural(res)
    bounds = [x for kind, _, _, lb, ub, _ in rows if kind != "header" for x in (lb, ub) if math.isfinite(x)]
    lo, hi = (min(bounds), max(bounds)) if bounds else (-1.0, 1.0)
    if hi - lo < 1e-12:
        lo, hi = lo - 1.0, hi + 1.0
    numbers = [_interval(back, e, lb, ub) for kind, _, e, lb, ub, _ in rows if kind != "header"]
    num_w = max(len(n) for n in numbers)
    label_w = min(max(len(r[1]) for r in rows), max(12, width // 4))
    weights = width >= 64          # the weight column only where there is room for it
    plot_w = max(8, width - label_w - num_w - 3 - (7 if weights else 0))

    def col(x: float) -> int:
        return min(plot_w - 1, max(0, round((x - lo) / (hi - lo) * (plot_w - 1))))

    null = 0.0 if lo <= 0.0 <= hi else None
    head = f"{res.measure if back is not None else 'Estimate'} [{res.level:g}% CI]"
    out = [(f"{'Study':<{label_w}} {'':<{plot_w}} {head:<{num_w}}" + (" Weight" if weights else ""),
            "bold")]
    for kind, label, est, lb, ub, percent in rows:
        name = label if len(label) <= label_w else label[: label_w - 1] + "…"
        if kind == "header":
            out.append((name, "bold underline"))
            continue
        cells = [" "] * plot_w
        if null is not None:
            cells[col(null)] = "│"
        if math.isfinite(lb) and math.isfinite(ub):
            for c in range(col(lb), col(ub) + 1):
                if kind == "pooled":
                    cells[c] = "◆"
                else:
                    cells[c] = "┼" if cells[c] == "│" else "─"
        if kind == "study" and math.isfinite(est):
            cells[col(est)] = "■"
        share = f" {percent:5.1f}%" if weights and percent is not None else ""
        line = f"{name:<{label_w}} {''.join(cells)} {_interval(back, est, lb, ub):<{num_w}}{share}"
        out.append((line.rstrip(), "bold" if kind == "pooled" else ""))
    axis = ["─"] * plot_w
    if null is not None:
        axis[col(null)] = "┴"
    out.append((f"{'':<{label_w}} {''.join(axis)}", "dim"))
    left, right = _fmt(back, lo), _fmt(back, hi)
    gap = max(1, plot_w - len(left) - len(right))
    out.append((f"{'':<{label_w}} {left}{' ' * gap}{right}", "dim"))
    return out


def _model_name(res: PoolResult) -> str:
    if not res.is_random:
        return {"MH": "Common effect (MH)", "PETO": "Common effect (Peto)"}.get(res.method, "Common effect")
    return f"Random effects ({res.method}{', HKSJ' if res.test in ('knha', 'adhoc') else ''})"


def _z_crit(level: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(1 - (1 - level / 100) / 2)


def _natural(res: PoolResult) -> BackTransform | None:
    try:
        return back_transform(res.measure, res.ni)
    except ScreenerError:  # PFT without sample sizes: stay on the model scale
        return None


def _fmt(back: BackTransform | None, x: float) -> str:
    if not math.isfinite(x):
        return "NA"
    value = float(back([x])[0]) if back is not None else x
    return f"{value:.2f}"


def _interval(back: BackTransform | None,
              est: float, lb: float, ub: float) -> str:
    return f"{_fmt(back, est)} [{_fmt(back, lb)}, {_fmt(back, ub)}]"
