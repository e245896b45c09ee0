"""The record being screened: title, authors, year, journal, sources and abstract, with the
review's include terms and exclude terms highlighted in two colours."""

from __future__ import annotations

from collections.abc import Sequence

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from screener.display import visible
from screener.records import Record
from screener.screening import highlight_spans
from screener.tui.text import content

INCLUDE_STYLE = "bold $text-success on $success-muted"
EXCLUDE_STYLE = "bold $text-error on $error-muted"
_MAX_AUTHORS = 8


def highlighted(
    text: str, include_terms: Sequence[str], exclude_terms: Sequence[str], style: str = ""
) -> Content:
    """``text`` as literal Content, with include terms and exclude terms in their colours.

    Terms are matched in the text as shown (control characters as ``\\xNN``), so a term is
    found where the reader sees it and the spans fit the Content.
    """
    shown = content(text, style)
    spans = highlight_spans(
        shown.plain, [visible(t) for t in include_terms], [visible(t) for t in exclude_terms]
    )
    for span in spans:
        shown = shown.stylize(
            INCLUDE_STYLE if span.kind == "include" else EXCLUDE_STYLE, span.start, span.end
        )
    return shown


def citation_line(record: Record) -> str:
    """Authors · year · journal volume(issue):pages, as one line of text."""
    names = [a.display() for a in record.authors[:_MAX_AUTHORS]]
    if len(record.authors) > _MAX_AUTHORS:
        names.append(f"et al. ({len(record.authors)} authors)")
    where = record.journal or record.journal_abbrev
    if record.volume:
        where += f" {record.volume}" + (f"({record.issue})" if record.issue else "")
    if record.pages:
        where += f":{record.pages}"
    parts = [
        ", ".join(names) or "no authors",
        str(record.year or "no year"),
        where.strip() or "no journal",
    ]
    return " · ".join(parts)


def record_content(
    record: Record,
    sources: Sequence[str],
    include_terms: Sequence[str],
    exclude_terms: Sequence[str],
) -> Content:
    """Everything a reviewer reads about one record, ready for a Static."""
    terms = (include_terms, exclude_terms)
    parts: list[Content] = [highlighted(record.title or "(no title)", *terms, style="bold")]
    if record.title_en and record.title_en != record.title:
        parts.append(highlighted(record.title_en, *terms, style="italic"))
    parts.append(content(citation_line(record), "$text-muted"))
    ids = [f"DOI {record.doi}" if record.doi else "", f"PMID {record.pmid}" if record.pmid else ""]
    found = "Sources: " + (", ".join(sources) or "unknown")
    parts.append(content(" · ".join(x for x in (found, *ids) if x), "$text-muted"))
    parts.append(Content(""))
    parts.append(
        highlighted(record.abstract, *terms)
        if record.abstract
        else Content.styled("(no abstract)", "italic $text-muted")
    )
    if record.abstract_en and record.abstract_en != record.abstract:
        parts.extend([Content(""), highlighted(record.abstract_en, *terms, style="italic")])
    if record.keywords:
        parts.extend(
            [Content(""), content("Keywords: " + "; ".join(record.keywords), "$text-muted")]
        )
    return Content("\n").join(parts)


class RecordView(VerticalScroll, can_focus=False):
    """Shows one record (or a message when the queue is empty); scrolls for long abstracts."""

    def compose(self):
        yield Static(id="record-text")

    def show(
        self,
        record: Record,
        sources: Sequence[str],
        include_terms: Sequence[str],
        exclude_terms: Sequence[str],
    ) -> None:
        self.query_one("#record-text", Static).update(
            record_content(record, sources, include_terms, exclude_terms)
        )
        if self.scroll_y:  # scrolling costs a second layout pass: only when needed
            self.scroll_home(animate=False)

    def show_message(self, text: str) -> None:
        self.query_one("#record-text", Static).update(content(text, "italic"))
        if self.scroll_y:
            self.scroll_home(animate=False)
