"""The eligibility criteria beside the record (toggled with ``c``)."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from screener.model import Review
from screener.tui.text import content

_FIELDS = (
    ("Question", "question"),
    ("Population", "population"),
    ("Intervention", "intervention"),
    ("Comparator", "comparator"),
    ("Outcomes", "outcomes"),
    ("Study designs", "study_designs"),
    ("Include", "inclusion_criteria"),
    ("Exclude", "exclusion_criteria"),
)


def criteria_content(review: Review) -> Content:
    parts = [Content.styled("Eligibility criteria", "bold underline")]
    for label, name in _FIELDS:
        value = getattr(review, name)
        if value:
            parts.append(Content.assemble((f"{label}: ", "bold"), content(value)))
    if review.exclusion_reasons:
        parts.append(Content.styled("Exclusion reasons", "bold"))
        parts.extend(
            content(f" {n}. {reason}") for n, reason in enumerate(review.exclusion_reasons, 1)
        )
    if len(parts) == 1:
        parts.append(Content.styled("No criteria written down for this review yet.", "italic"))
    return Content("\n").join(parts)


class CriteriaPanel(VerticalScroll, can_focus=False):
    def compose(self):
        yield Static(id="criteria-text")

    def show(self, review: Review) -> None:
        self.query_one("#criteria-text", Static).update(criteria_content(review))
