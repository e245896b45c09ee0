"""Converting at entry: pick a conversion (SE, CI, median, two groups, pre-post r), type its
inputs, get the values it gives with the method and inputs recorded (Ctrl+O on extraction)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from screener.extraction import conversions as conv
from screener.tui.text import literal
from screener.tui.widgets.literal_input import LiteralInput


class ConvertPrompt(ModalScreen[conv.Converted | None]):
    """Pick a conversion, type its inputs, get the converted values (with method and inputs)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "apply", "Convert")]

    def __init__(self, targets: dict[str, str], n_text: str = "") -> None:
        super().__init__()
        self.targets, self.n_text = targets, n_text
        self.kinds = ["r_sds", "r_impute"] if "r" in targets else ["se", "ci", "median", "combine"]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Convert into: " + ", ".join(self.targets.values()), classes="prompt-title")
            yield Select(
                [(conv.CONVERSIONS[k][0], k) for k in self.kinds],
                value=self.kinds[0],
                allow_blank=False,
                id="convert-kind",
            )
            yield Vertical(id="convert-inputs")
            yield Static(id="convert-error", markup=False)
            yield Label("Enter or Ctrl+S converts; Escape cancels", classes="prompt-help")

    async def on_mount(self) -> None:
        await self._inputs(self.kinds[0])

    async def on_select_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            await self._inputs(event.value)

    async def _inputs(self, kind: str) -> None:
        box = self.query_one("#convert-inputs")
        await box.remove_children()
        await box.mount_all(
            LiteralInput(
                value=self.n_text if name == "n" else "", placeholder=name, id=f"cv-{name}"
            )
            for name in conv.CONVERSIONS[kind][1]
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_apply()

    def action_apply(self) -> None:
        kind = str(self.query_one("#convert-kind", Select).value)
        raw = {
            i.id.removeprefix("cv-"): i.value.strip()
            for i in self.query("#convert-inputs Input").results(Input)
            if i.id
        }
        try:
            self.dismiss(conv.convert(kind, raw))
        except conv.ConversionError as exc:
            self.query_one("#convert-error", Static).update(literal(str(exc)))

    def action_cancel(self) -> None:
        self.dismiss(None)
