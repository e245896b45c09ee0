"""The line under the record: where the reviewer is in the queue and what they decided."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from screener.model import Decision
from screener.screening import Note
from screener.tui.text import content_line

CHOICE_STYLE = {
    "include": "bold $text-success",
    "exclude": "bold $text-error",
    "maybe": "bold $text-warning",
}


def decision_content(decision: Decision | None, who: str = "You") -> Content:
    if decision is None:
        return Content.assemble(content_line(f"{who}: "), ("undecided", "$text-muted"))
    text = decision.choice.value + (f" ({decision.reason})" if decision.reason else "")
    return Content.assemble(
        content_line(f"{who}: "), content_line(text, CHOICE_STYLE[decision.choice.value])
    )


class DecisionBar(Static):
    """Position · queue · your decision (and others', when not blind); the full-text status
    when there is one; tags and notes."""

    def show(
        self,
        *,
        position: int,
        total: int | None,
        queue: str,
        record_id: int | None,
        mine: Decision | None,
        others: Sequence[Decision] = (),
        tags: Sequence[str] = (),
        notes: Sequence[Note] = (),
        extra: str = "",
    ) -> None:
        if record_id is None:
            where = f"{total:,} records in {queue}" if total else f"no records in {queue}"
            if total is None:
                where = f"reading {queue} …"
            self.update(
                Content.assemble(content_line(where, "bold"), "\n", content_line(extra)),
                layout=False,
            )
            return
        first = Content.assemble(
            (f"{position:,} / " + ("…" if total is None else f"{total:,}"), "bold"),
            content_line(f" · {queue} · record {record_id} · "),
            decision_content(mine),
        )
        for other in others:
            first = Content.assemble(first, " · ", decision_content(other, other.reviewer))
        last = " · ".join(
            [
                f"Tags: {', '.join(tags)}" if tags else "No tags",
                f"Notes: {len(notes)}"
                + (f" (last: {notes[-1].reviewer}: {notes[-1].text})" if notes else ""),
            ]
        )
        lines = (
            [first, content_line(extra), content_line(last)]
            if extra
            else [first, content_line(last)]
        )
        # The bar has a fixed height (see the .tcss): no relayout of the screen per record.
        self.update(Content("\n").join(lines), layout=False)
