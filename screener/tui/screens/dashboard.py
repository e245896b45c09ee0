"""The dashboard: the review's counts, screening progress per stage and reviewer, conflicts
waiting, agreement (kappa), the way into every screen, and the records."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from screener.model import Review, ReviewSummary, Stage
from screener.project import Project
from screener.screening import PairAgreement, StageProgress
from screener.screening.order import QueueOrder
from screener.screening.stopping import StoppingStatus
from screener.tui.ranked_queue import ranking_lines
from screener.tui.text import content_line, line
from screener.tui.workers import WorkerReport

if TYPE_CHECKING:
    from screener.tui.app import ScreenerApp

_PAGE = 200
_BAR = 16


@dataclass(frozen=True, slots=True)
class ScreenEntry:
    """A screen reachable from the dashboard; its module is imported only when it is first
    opened (analysis brings scipy, PubMed search requests: start-up stays quick)."""

    key: str
    name: str
    label: str
    module: str
    cls: str
    footer: str = ""  # its label in the footer; empty: listed only in the menu
    lead_only: bool = False  # changes settings: a lead's (Project.can_change_settings)
    server_files: bool = False  # names files on the server: served, a lead's (app.server_files)


SCREENS: tuple[ScreenEntry, ...] = (
    ScreenEntry(
        "s",
        "screening",
        "Title/abstract",
        "screener.tui.screens.screening",
        "ScreeningScreen",
        footer="Screen",
    ),
    ScreenEntry(
        "c",
        "conflicts",
        "Conflicts",
        "screener.tui.screens.conflicts",
        "ConflictsScreen",
        footer="Conflicts",
    ),
    ScreenEntry(
        "f",
        "full_text",
        "Full text",
        "screener.tui.screens.fulltext",
        "FullTextScreen",
        footer="Full text",
    ),
    ScreenEntry(
        "i", "import", "Import", "screener.tui.screens.importing", "ImportScreen", server_files=True
    ),
    ScreenEntry(
        "p",
        "search",
        "Search PubMed",
        "screener.tui.screens.search",
        "SearchScreen",
        server_files=True,
    ),
    ScreenEntry(
        "d", "duplicates", "Duplicates", "screener.tui.screens.duplicates", "DuplicatesScreen"
    ),
    ScreenEntry(
        "x", "extraction", "Extraction", "screener.tui.screens.extraction", "ExtractionScreen"
    ),
    ScreenEntry("b", "rob", "Risk of bias", "screener.tui.screens.rob", "RobScreen"),
    ScreenEntry("a", "analysis", "Analysis", "screener.tui.screens.analysis", "AnalysisScreen"),
    ScreenEntry("r", "prisma", "PRISMA, report", "screener.tui.screens.prisma", "PrismaScreen"),
    ScreenEntry(
        "e",
        "criteria",
        "Criteria, terms",
        "screener.tui.screens.criteria",
        "CriteriaScreen",
        lead_only=True,
    ),
)

_STAGE_LABEL = {Stage.TITLE_ABSTRACT: "Title/abstract", Stage.FULL_TEXT: "Full text"}


def bar(done: int, total: int, width: int = _BAR) -> str:
    """A text progress bar, e.g. ``█████░░░░░``."""
    filled = 0 if total <= 0 else min(width, round(width * done / total))
    return "█" * filled + "░" * (width - filled)


def _kappa_line(pair: PairAgreement) -> Content:
    k = pair.kappa
    value = "n/a" if k.kappa is None else f"{k.kappa:.2f} ({k.ci_low:.2f} to {k.ci_high:.2f})"
    return content_line(
        f"  κ {pair.reviewer_a}/{pair.reviewer_b} {value} · "
        f"{k.percent_agreement:.0f}% agree · n {pair.n:,}"
    )


Counts = tuple[
    ReviewSummary,
    Review,
    list[StageProgress],
    list[PairAgreement],
    QueueOrder | None,
    StoppingStatus,
]


def read_counts(project: Project, reviewer: str | None = None) -> Counts:
    """What the dashboard shows, read through ``project``: the summary, the review, progress,
    agreement, ``reviewer``'s queue order and the stopping rule's status."""
    order = project.queue_order(reviewer) if reviewer else None
    return (
        project.info(),
        project.review(),
        project.screening_progress(),
        project.agreement(),
        order,
        project.stopping_status(),
    )


class CountsLoaded(WorkerReport):
    """A big review's counts were read in a thread (see :func:`read_counts`)."""

    def __init__(self, counts: Counts) -> None:
        super().__init__()
        self.counts = counts


READ_ONLY_NOTE = (
    "Read-only: the review file (or its folder) cannot be written. "
    "Everything can be read; nothing can be changed."
)


def summary_content(
    summary: ReviewSummary,
    review: Review,
    reviewer: str | None,
    progress: list[StageProgress],
    agreement: list[PairAgreement],
    *,
    read_only: bool = False,
    order: QueueOrder | None = None,
    stopping: StoppingStatus | None = None,
) -> Content:
    """Everything the dashboard says about the review, as one block of text."""
    parts = [Content.styled(READ_ONLY_NOTE, "bold $text-warning")] if read_only else []
    parts += [
        content_line(summary.title, "bold"),
        Content(
            f"{summary.records:,} records · {summary.duplicates_removed:,} duplicates set "
            f"aside · {summary.screened_records:,} to screen"
        ),
        content_line(
            "Sources: "
            + (", ".join(f"{db} {n:,}" for db, n in summary.sources.items()) or "none yet")
        ),
        content_line(
            f"Reviewer: {reviewer or '?'} · "
            + ("blind" if review.blind else "not blind")
            + f" · maybe counts as {review.maybe_counts_as}"
        ),
    ]
    width = max((len(r.reviewer) for p in progress for r in p.reviewers), default=0)
    for stage in progress:
        each = "decision" if stage.needed == 1 else "decisions"
        parts.append(
            Content.styled(
                f"{_STAGE_LABEL[stage.stage]}: {stage.records:,} "
                f"record{'' if stage.records == 1 else 's'}, "
                f"{stage.needed} {each} each",
                "bold",
            )
        )
        if not stage.reviewers:
            parts.append(Content.styled("  no decisions yet", "$text-muted"))
        for r in stage.reviewers:
            share = 100 * r.decided / stage.records if stage.records else 0
            parts.append(
                Content.assemble(
                    content_line(f"  {r.reviewer:<{width}} "),
                    (bar(r.decided, stage.records), "$accent"),
                    f" {r.decided:>6,} {share:3.0f}%",
                )
            )
        o = stage.outcomes
        parts.append(
            Content.assemble(
                f"  in {o.get('include', 0):,} · out {o.get('exclude', 0):,} · ",
                (f"conflicts {stage.conflicts:,}", "bold $text-error" if stage.conflicts else ""),
                f" · to go {o.get('pending', 0):,}",
            )
        )
        parts.extend(_kappa_line(p) for p in agreement if p.stage == stage.stage.value)
        if stage.stage is Stage.TITLE_ABSTRACT:
            parts.extend(ranking_lines(order, stopping))
    return Content("\n").join(parts)


class DashboardScreen(Screen[None]):
    """Counts and progress at the top, the screens beside them, the records below."""

    app: ScreenerApp  # Textual types it App[object]; this screen runs in ScreenerApp

    BINDINGS = [
        *(
            Binding(
                e.key,
                f"app.open_screen('{e.name}')",
                e.footer or e.label,
                show=bool(e.footer),
                id=f"dashboard.{e.name}",
            )
            for e in SCREENS
        ),
        Binding("q", "app.quit", "Quit", id="dashboard.quit"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="dashboard-top"):
            yield Static(id="summary")
            yield OptionList(
                *(Option(f"{e.key}  {e.label}", id=e.name) for e in SCREENS), id="menu"
            )
        yield DataTable(id="records", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Dashboard"
        table = self.query_one("#records", DataTable)
        table.add_columns("id", "year", "first author", "title")
        self._loaded = 0
        self._load_more()
        self.refresh_counts()

    def on_screen_resume(self) -> None:
        self.refresh_counts()

    def refresh_counts(self) -> None:
        """Count; on a big review in a thread (with its own connection), the screen stays live."""
        if not self.app.big_review:
            self._show_counts(read_counts(self.app.project, self.app.reviewer))
            return
        summary = self.query_one("#summary", Static)
        if not str(summary.render()).strip():
            summary.update(Content.styled("Counting the records and decisions …", "italic"))
        self._count_in_background(self.app.project.path)

    @work(thread=True, exclusive=True, group="counts", exit_on_error=False)
    def _count_in_background(self, review: Path) -> None:
        with Project.open(review) as project:
            counts = read_counts(project, self.app.reviewer)
        self.post_message(CountsLoaded(counts))

    def on_counts_loaded(self, message: CountsLoaded) -> None:
        if not message.stale:
            self._show_counts(message.counts)

    def _show_counts(self, counts: Counts) -> None:
        info, review, progress, agreement, order, stopping = counts
        self.query_one("#summary", Static).update(
            summary_content(
                info,
                review,
                self.app.reviewer,
                progress,
                agreement,
                read_only=self.app.project.read_only,
                order=order,
                stopping=stopping,
            )
        )

    def _load_more(self) -> None:
        table = self.query_one("#records", DataTable)
        rows = self.app.project.list_records(limit=_PAGE, offset=self._loaded)
        for row in rows:
            table.add_row(
                str(row.id),
                str(row.year or ""),
                line(row.first_author),
                line(row.title),
                key=str(row.id),
            )
        self._loaded += len(rows)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self._loaded - 5:
            self._load_more()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        from screener.tui.screens.screening import ScreeningScreen

        self.app.push_screen(ScreeningScreen(start_at=int(event.row_key.value or 0), filter="all"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.app.open_screen(event.option.id or "")
