"""PRISMA: the live PRISMA 2020 counts as a text diagram, with what does not add up in red.

``r`` recounts (after decisions made elsewhere), ``w`` writes the diagram as an SVG beside the
review file, ``escape`` goes back.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from screener.display import visible
from screener.errors import ScreenerError
from screener.prisma.text import text_diagram

if TYPE_CHECKING:
    from screener.tui.app import ScreenerApp


class PrismaCounted(Message):
    """The counts were (re)computed; ``discrepancies`` says how many do not add up."""

    def __init__(self, records_screened: int, discrepancies: int) -> None:
        super().__init__()
        self.records_screened = records_screened
        self.discrepancies = discrepancies


class PrismaScreen(Screen[None]):
    app: ScreenerApp  # Textual types it App[object]; this screen runs in ScreenerApp

    BINDINGS = [
        Binding("r", "recount", "Recount", id="prisma.recount"),
        Binding("w", "write_svg", "Write SVG", id="prisma.write"),
        Binding("escape", "back", "Back", id="prisma.back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="prisma-body"):
            yield Static(id="prisma-text")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "PRISMA 2020 flow"
        self.action_recount()

    def action_recount(self) -> None:
        counts = self.app.project.prisma_counts()
        text = Text()
        for line in visible(text_diagram(counts)).splitlines():  # database names are data
            style = (
                "bold red"
                if line.lstrip().startswith("!")
                else ("bold" if line and not line.startswith(" ") else "")
            )
            text.append(line + "\n", style=style)
        self.text = text.plain
        self.query_one("#prisma-text", Static).update(text)
        self.post_message(PrismaCounted(counts.records_screened, len(counts.discrepancies)))

    def action_write_svg(self) -> None:
        project = self.app.project
        target = Path(project.path).with_name(Path(project.path).stem + "-prisma.svg")
        if self.app.served:
            self._deliver_svg(target.name)
            return
        try:
            project.write_prisma(target)
        except ScreenerError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"wrote {target}")

    def _deliver_svg(self, name: str) -> None:
        """Served: the SVG goes to the reviewer's browser, nothing is written beside the review."""
        with tempfile.TemporaryDirectory() as folder:
            try:
                svg = self.app.project.write_prisma(Path(folder) / name).read_bytes()
            except ScreenerError as exc:
                self.notify(str(exc), severity="error")
                return
        self.app.deliver_binary(io.BytesIO(svg), save_filename=name, mime_type="image/svg+xml")
        self.notify(f"{name} sent to your browser")

    def action_back(self) -> None:
        self.app.pop_screen()
