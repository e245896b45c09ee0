"""The pieces every screen shows stored text through: each shows it literally (brackets stay
brackets, markup is never read) and never lets a control character reach the terminal."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult

from screener.tui.app import make_app
from screener.tui.widgets.literal_input import LiteralInput
from screener.tui.widgets.prompts import PickList
from screener.tui.widgets.record_view import EXCLUDE_STYLE, INCLUDE_STYLE, highlighted

HOSTILE = "[bold]x[/bold] [/] [@click=app.quit]q[/] \x1b[2J \x1b]0;pwned\x07 end"
SHOWN = "[bold]x[/bold] [/] [@click=app.quit]q[/] \\x1b[2J \\x1b]0;pwned\\x07 end"


def _marked(content, style: str) -> list[str]:
    return [content.plain[s.start : s.end] for s in content.spans if s.style == style]


def test_terms_with_brackets_and_dollars_match_literally() -> None:
    content = highlighted("a [b] and $x$ and [bold]", ["[b]"], ["$x$"])
    assert content.plain == "a [b] and $x$ and [bold]"
    assert _marked(content, INCLUDE_STYLE) == ["[b]"] and _marked(content, EXCLUDE_STYLE) == ["$x$"]


def test_highlights_fit_the_text_as_shown_after_a_control_character() -> None:
    content = highlighted("\x1b[2J then a nudge \x1b]0;t\x07", ["nudge"], [])
    assert content.plain == "\\x1b[2J then a nudge \\x1b]0;t\\x07"
    assert _marked(content, INCLUDE_STYLE) == ["nudge"]


async def test_toasts_are_never_markup(review_path: Path) -> None:
    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        app.notify(HOSTILE, title="[/] title")
        await pilot.pause()
        toasts = [str(t.render()) for t in app.screen.query("Toast")]
        assert any(SHOWN in t for t in toasts)
        assert "\x1b" not in app.export_screenshot()
        assert app.is_running


async def test_the_header_shows_the_review_title_literally(tmp_path: Path, new_review) -> None:
    from screener.project import Project

    path = new_review(tmp_path / "r.db")
    with Project.open(path) as project:
        project.update_review(title=HOSTILE)
    app = make_app(path, reviewer="alice")
    async with app.run_test(size=(160, 20)) as pilot:
        app.screen.sub_title = None
        await pilot.pause()
        header = str(app.screen.query_one("HeaderTitle").render())
        assert SHOWN in header
        assert "\x1b" not in app.export_screenshot()


class _InputApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LiteralInput(value="v [b]x[/b] \x1b[31m red", id="value")
        yield LiteralInput(placeholder="p [/] \x1b[2J", id="empty")


async def test_an_input_shows_control_characters_and_keeps_its_value() -> None:
    app = _InputApp()
    async with app.run_test(size=(60, 8)) as pilot:
        await pilot.pause()
        svg = app.export_screenshot()
        assert "\x1b" not in svg
        assert "␛[31m" in svg.replace("&#160;", " ") and "[b]x[/b]" in svg.replace("&#160;", " ")
        assert app.query_one("#value", LiteralInput).value == "v [b]x[/b] \x1b[31m red"
        assert app.query_one("#empty", LiteralInput).placeholder == "p [/] \\x1b[2J"


class _PickApp(App[str | None]):
    def on_mount(self) -> None:
        self.push_screen(
            PickList(
                "Pick [/b]",
                [("a", "Wrong design [not an RCT]"), ("b", "[/RCT]"), ("c", "two\nlines \x1b[2J")],
            ),
            self.exit,
        )


async def test_pick_list_labels_are_literal_and_one_line() -> None:
    app = _PickApp()
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        from textual.widgets import OptionList

        options = app.screen.query_one(OptionList)
        prompts = [options.get_option_at_index(i).prompt.plain for i in range(options.option_count)]
        assert prompts == ["1  Wrong design [not an RCT]", "2  [/RCT]", "3  two lines \\x1b[2J"]
        await pilot.press("2")
    assert app.return_value == "b"


async def test_a_click_action_in_a_title_is_text_not_an_action(tmp_path: Path) -> None:
    from screener.project import Project

    source = tmp_path / "one.csv"
    source.write_text('title,abstract\n"[@click=app.quit]Quit me[/]",a\n', encoding="utf-8")
    path = tmp_path / "click.db"
    with Project.create(path, title="Click", reviewers=["alice"]) as project:
        project.import_file(source, fmt="csv", source="PubMed")
    app = make_app(path, reviewer="alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#records")
        assert table.get_row_at(0)[3].plain == "[@click=app.quit]Quit me[/]"
        x = (
            table.region.x
            + sum(c.get_render_width(table) for c in list(table.columns.values())[:3])
            + 3
        )
        await pilot.click(offset=(x, table.region.y + 1))
        await pilot.pause()
        assert app.is_running and app.return_code is None
