"""Text from outside shows as what it holds: controls become visible escapes, nothing else
changes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from screener.display import one_line, visible
from screener.tui.text import literal


def test_controls_become_visible_and_brackets_stay() -> None:
    assert visible("a\x1b[2Jb\x07\x9bc") == "a\\x1b[2Jb\\x07\\x9bc"
    assert (
        visible("[bold]x[/bold] [/] [@click=app.quit]q[/]\ttab\nline")
        == "[bold]x[/bold] [/] [@click=app.quit]q[/]\ttab\nline"
    )
    assert one_line("a\r\n\tb\x00") == "a b\\x00"
    assert literal("[/corrected]").plain == "[/corrected]"


@given(st.text())
def test_visible_output_carries_no_control_character(text: str) -> None:
    shown = visible(text)
    assert not any(ord(c) < 32 and c not in "\t\n" or 0x7F <= ord(c) <= 0x9F for c in shown)
    if not any(ord(c) < 32 and c not in "\t\n" or 0x7F <= ord(c) <= 0x9F for c in text):
        assert shown == text
