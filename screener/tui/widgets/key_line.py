"""A line of keys on screen (above the footer), for screens with more keys than a footer holds
and keys that work while typing: each listed binding with the key it has now (a key file's
included), then a short note. It wraps instead of being cut off; the screen's body above it
takes the rest of the height (``height: 1fr``)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

__all__ = ["KeyLine"]


class KeyLine(Static):
    """Bindings of the screen with their current keys, then a note (styled in screener.tcss)."""

    def __init__(self, binding_ids: Sequence[str], note: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.binding_ids, self.note = tuple(binding_ids), note

    def on_mount(self) -> None:
        self.show_keys()

    def show_keys(self) -> None:
        found: dict[str, tuple[str, str]] = {}
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.id in self.binding_ids and binding.id not in found:
                found[binding.id] = (self.app.get_key_display(binding), binding.description)
        parts: list[Content] = []
        for binding_id in self.binding_ids:
            if binding_id in found:
                key, description = found[binding_id]
                parts.append(Content.assemble((key, "bold $text"), f" {description}"))
        if self.note:
            parts.append(Content(self.note))
        self.update(Content(" · ").join(parts))
