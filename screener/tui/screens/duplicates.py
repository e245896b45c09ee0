"""Duplicates: the pairs the matcher was unsure of, side by side, for a person's verdict.

``d`` or ``m`` merges the two records (one report found twice), ``k`` keeps them apart, ``u``
undoes this session's last verdict, ``n`` / ``p`` move through the queue. Words and fields that
differ between the two records are highlighted. Verdicts are stored through the façade at once
and survive re-running dedup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from screener.dedup import QueuedPair
from screener.errors import ScreenerError
from screener.records import Record
from screener.tui.read_only import writes
from screener.tui.text import content, content_line

if TYPE_CHECKING:
    from screener.tui.app import ScreenerApp

DIFF_STYLE = "bold $text-warning on $warning-muted"
_ABSTRACT_CHARS = 900


class DuplicateDecided(Message):
    """A person merged (``same``) or kept apart a pair; ``undone`` when a verdict was taken back."""

    def __init__(self, pair_id: int, same: bool | None, undone: bool = False) -> None:
        super().__init__()
        self.pair_id, self.same, self.undone = pair_id, same, undone


def _fields(record: Record) -> list[tuple[str, str]]:
    authors = "; ".join(a.display() for a in record.authors[:12])
    if len(record.authors) > 12:
        authors += f"; et al. ({len(record.authors)})"
    where = record.volume + (f"({record.issue})" if record.issue else "")
    abstract = record.abstract[:_ABSTRACT_CHARS] + (
        "…" if len(record.abstract) > _ABSTRACT_CHARS else ""
    )
    return [
        ("Title", record.title),
        ("English title", record.title_en),
        ("Authors", authors),
        ("Year", str(record.year or "")),
        ("Journal", record.journal or record.journal_abbrev),
        ("Volume(issue)", where),
        ("Pages", record.pages),
        ("DOI", record.doi),
        ("PMID", record.pmid),
        ("ISSN", record.issn),
        ("Type", "; ".join(record.pub_types)),
        ("Language", record.language),
        ("Abstract", abstract),
    ]


def _words(text: str) -> list[str]:
    return text.split(" ")


def _marked(value: str, other: str) -> Content:
    """``value`` with the words ``other`` lacks highlighted (the whole value if short)."""
    if not value:
        return Content.styled("—", "$text-muted")
    if value.casefold() == other.casefold():
        return content(value)
    if len(value) <= 24 or not other:
        return content(value, DIFF_STYLE)
    theirs = {w.casefold().strip(".,;:()[]") for w in _words(other)}
    pieces: list[Content] = []
    for word in _words(value):
        key = word.casefold().strip(".,;:()[]")
        pieces.append(content(word, DIFF_STYLE) if key and key not in theirs else content(word))
    return Content(" ").join(pieces)


def pair_contents(
    left: Record, right: Record, left_source: str, right_source: str
) -> tuple[Content, Content]:
    """The two records' fields, each marked where it differs from the other."""
    out = []
    for mine, theirs, source in ((left, right, left_source), (right, left, right_source)):
        other = dict(_fields(theirs))
        lines = [content_line(f"Source: {source or 'unknown'}", "$text-muted")]
        for label, value in _fields(mine):
            if not value and not other.get(label):
                continue
            lines.append(
                Content.assemble((f"{label}: ", "bold"), _marked(value, other.get(label, "")))
            )
        out.append(Content("\n").join(lines))
    return out[0], out[1]


class DuplicatesScreen(Screen[None]):
    """The queue of possible duplicates, one pair at a time."""

    app: ScreenerApp  # Textual types it App[object]; this screen runs in ScreenerApp
    BINDINGS = [
        Binding("d", "decide(True)", "Merge", id="duplicates.merge"),
        Binding("m", "decide(True)", "Merge", show=False, id="duplicates.merge_m"),
        Binding("k", "decide(False)", "Keep apart", id="duplicates.keep"),
        Binding("u", "undo", "Undo", id="duplicates.undo"),
        Binding("n,right", "move(1)", "Next", id="duplicates.next"),
        Binding("p,left", "move(-1)", "Previous", id="duplicates.previous"),
        Binding("escape", "back", "Back", id="duplicates.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.queue: list[QueuedPair] = []
        self.index = 0
        self.history: list[int] = []  # pair ids decided on this screen, for undo

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="dup-status")
        with Horizontal(id="dup-pair"):
            with VerticalScroll(classes="dup-side", id="dup-left-side"):
                yield Static(id="dup-left")
            with VerticalScroll(classes="dup-side", id="dup-right-side"):
                yield Static(id="dup-right")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    @property
    def current(self) -> QueuedPair | None:
        return self.queue[self.index] if 0 <= self.index < len(self.queue) else None

    def reload(self, *, focus_pair: int | None = None) -> None:
        self.queue = self.app.project.duplicate_queue()
        if focus_pair is not None:
            ids = [p.pair_id for p in self.queue]
            if focus_pair in ids:
                self.index = ids.index(focus_pair)
        self.index = max(0, min(self.index, len(self.queue) - 1))
        self.show()

    def show(self) -> None:
        status = self.query_one("#dup-status", Static)
        left, right = self.query_one("#dup-left", Static), self.query_one("#dup-right", Static)
        self.sub_title = f"Duplicates · {self.app.reviewer}"
        pair = self.current
        if pair is None:
            status.update(
                Content.styled(
                    "No pairs wait for a verdict. Run `screener dedup` after an "
                    "import; esc goes back.",
                    "italic",
                )
            )
            left.update("")
            right.update("")
            return
        project = self.app.project
        a, b = project.record(pair.record_a), project.record(pair.record_b)
        sa = ", ".join(project.record_sources(pair.record_a))
        sb = ", ".join(project.record_sources(pair.record_b))
        status.update(
            Content.assemble(
                (f"Pair {self.index + 1} of {len(self.queue)}", "bold"),
                content_line(
                    f" · records {pair.record_a} and {pair.record_b} · similarity {pair.score:.2f}"
                    f" · why queued: {pair.rule or 'similar'}"
                ),
                ("   d/m merge · k keep apart · u undo · n/p next/previous", "$text-muted"),
            )
        )
        left_content, right_content = pair_contents(a, b, sa, sb)
        left.update(left_content)
        right.update(right_content)
        for side in ("#dup-left-side", "#dup-right-side"):
            self.query_one(side, VerticalScroll).scroll_home(animate=False)

    # --- actions ---------------------------------------------------------------------------------
    @writes
    def action_decide(self, same: bool) -> None:
        pair = self.current
        if pair is None:
            return
        try:
            self.app.project.decide_duplicate(pair.pair_id, same, self.app.reviewer)
        except ScreenerError as exc:
            self.notify(str(exc), severity="error")
            return
        self.history.append(pair.pair_id)
        self.post_message(DuplicateDecided(pair.pair_id, same))
        self.notify(
            f"records {pair.record_a} and {pair.record_b}: " + ("merged" if same else "kept apart")
        )
        self.reload()

    @writes
    def action_undo(self) -> None:
        if not self.history:
            self.notify("nothing to undo on this screen", severity="warning")
            return
        pair_id = self.history.pop()
        try:
            self.app.project.undo_duplicate_decision(pair_id)
        except ScreenerError as exc:
            self.notify(str(exc), severity="error")
            return
        self.post_message(DuplicateDecided(pair_id, None, undone=True))
        self.notify("verdict undone")
        self.reload(focus_pair=pair_id)

    def action_move(self, step: int) -> None:
        if self.queue:
            self.index = (self.index + step) % len(self.queue)
            self.show()

    def action_back(self) -> None:
        self.app.pop_screen()
