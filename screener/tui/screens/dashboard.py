"""The dashboard: the review's counts per source, stage and reviewer, and its records."""

from __future__ import annotations

import json

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from screener.model import ReviewSummary

_PAGE = 200


def summary_text(summary: ReviewSummary, reviewer: str | None) -> str:
    lines = [
        f"[b]{summary.title}[/b]",
        f"Records: {summary.records:,} identified · {summary.duplicates_removed:,} duplicates set aside"
        f" · {summary.screened_records:,} to screen",
        "Sources: " + (", ".join(f"{db} {n:,}" for db, n in summary.sources.items()) or "none yet"),
    ]
    if reviewer:
        lines.append(f"Reviewer: {reviewer}")
    for c in summary.per_reviewer:
        lines.append(f"  {c.stage.value} · {c.reviewer}: {c.decided:,} decided "
                     f"({c.include} in, {c.exclude} out, {c.maybe} maybe)")
    return "\n".join(lines)


class DashboardScreen(Screen[None]):
    """Counts at the top, the records to screen below (loaded a page at a time)."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="summary")
        yield DataTable(id="records", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_counts()
        table = self.query_one("#records", DataTable)
        table.add_columns("id", "year", "first author", "title")
        self._loaded = 0
        self._load_more()

    def refresh_counts(self) -> None:
        summary = self.app.project.info()
        self.query_one("#summary", Static).update(summary_text(summary, self.app.reviewer))

    def _load_more(self) -> None:
        table = self.query_one("#records", DataTable)
        rows = self.app.project.list_records(limit=_PAGE, offset=self._loaded)
        for record_id, year, authors_json, title in rows:
            authors = json.loads(authors_json)
            table.add_row(str(record_id), str(year or ""), authors[0][0] if authors else "", title,
                          key=str(record_id))
        self._loaded += len(rows)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self._loaded - 5:
            self._load_more()
