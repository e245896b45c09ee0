"""The hostile review on every screen: no crash, text shown literally, no terminal control.

Every screen reachable from the dashboard is opened with Pilot at 80x24 and 120x40 on
``tests/hostile.py``'s review (markup, click actions, ESC/OSC sequences, mathtext, RTL, CJK,
emoji, a 5,000-character word) and checked three ways: the app is still running, the hostile
strings are in the widgets' rendered plain text as they are stored (controls as ``\\xNN``), and
the exported screen holds no ESC character. Plus a click on a rendered ``[@click=app.quit]``
title, a few snapshots, and a property test on random text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from hostile import (
    FULL_TEXT_NOTE,
    NOTE,
    OUTCOME,
    REASONS,
    STUDIES,
    SUPPORT,
    TAGS,
    TITLES,
    build_hostile_workbench,
)
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, OptionList, Select, Static, TextArea

from screener.display import one_line, visible
from screener.project import Project
from screener.tui.app import ScreenerApp, make_app
from screener.tui.screens.dashboard import DashboardScreen
from screener.tui.screens.screening import ScreeningScreen
from screener.tui.widgets.prompts import PickList, TextPrompt
from screener.tui.widgets.record_view import INCLUDE_STYLE

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
ME = "rev_a"
REVIEW_TITLE = "Hostile [b]review[/b] $x$"

_SVG_TEXT = re.compile(
    r'<text class="[^"]*" x="[^"]*" y="[^"]*" textLength="[^"]*" '
    r'clip-path="url\(#[^)]*-line-(\d+)\)">([^<]*)</text>'
)


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile review, built once; each test works on its own copy."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    with build_hostile_workbench(path) as project:
        project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def hostile(hostile_file: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "hostile.db"
    copy.write_bytes(hostile_file.read_bytes())
    return copy


# --- reading what is on screen ---------------------------------------------------------------


def screen_text(app: ScreenerApp) -> str:
    """The exported screen as text, one line per row (what a person sees)."""
    rows: dict[int, list[str]] = {}
    for row, text in _SVG_TEXT.findall(app.export_screenshot()):
        rows.setdefault(int(row), []).append(html.unescape(text).replace("\xa0", " "))
    return "\n".join("".join(rows[r]).rstrip("\n") for r in sorted(rows))


def _plain(visual: object) -> str:
    return getattr(visual, "plain", None) or str(visual)


def shown(widget: Widget) -> str:
    """Everything ``widget`` and its children show, as plain text (whole, not cut to the
    screen): statics and labels, table cells, options, inputs, selects, text areas."""
    parts: list[str] = []
    for node in [widget, *widget.query("*")]:
        if isinstance(node, DataTable):
            parts += [_plain(c.label) for c in node.columns.values()]
            parts += [
                _plain(cell) for row in range(node.row_count) for cell in node.get_row_at(row)
            ]
        elif isinstance(node, OptionList):
            parts += [_plain(node.get_option_at_index(i).prompt) for i in range(node.option_count)]
        elif isinstance(node, Input):
            parts += [node.value, node.placeholder]
        elif isinstance(node, TextArea):
            parts.append(node.text)
        elif isinstance(node, Select):
            parts += [_plain(prompt) for prompt, _ in node._options]
        elif isinstance(node, (Static, Label)):
            parts.append(_plain(node.render()))
    return "\n".join(parts)


def check_screen(app: ScreenerApp, *expected: str) -> str:
    """The app runs, no ESC from the data reached the screen, and each of ``expected`` is
    shown literally; returns the shown text."""
    assert app.is_running and app.return_code is None
    assert "\x1b" not in app.export_screenshot()
    text = shown(app.screen)
    for want in expected:
        assert want in text, f"{want!r} is not shown literally on {type(app.screen).__name__}"
    return text


# --- opening each screen ----------------------------------------------------------------------


async def _key(pilot: Pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()


async def dashboard(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    table = pilot.app.screen.query_one("#records", DataTable)
    titles = [table.get_row_at(r)[3].plain for r in range(min(table.row_count, len(TITLES)))]
    assert titles == [one_line(t) for t in TITLES]
    return (REVIEW_TITLE, "Hostile [DB] \\x1b[31m")


async def screening(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    app = pilot.app
    await app.push_screen(ScreeningScreen(filter="all"))
    await pilot.pause()
    seen = []
    for _ in TITLES:
        seen.append(str(app.screen.query_one("#record-text", Static).render()))
        await _key(pilot, "right")
    for title, text in zip(TITLES, seen, strict=True):
        assert visible(title) in text
    # the review's include term "[b]" is highlighted, literally
    await _key(pilot, "home")
    app.screen.goto(app.project.screened_record_ids()[2])
    app.screen.show_record()
    await pilot.pause()
    content = app.screen.query_one("#record-text", Static).render()
    marked = [content.plain[s.start : s.end] for s in content.spans if s.style == INCLUDE_STYLE]
    assert "[b]" in marked and "皮肌炎" in marked
    return (one_line(NOTE), TAGS[2])


async def reason_picker(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    app = pilot.app
    await app.push_screen(ScreeningScreen(filter="all"))
    await _key(pilot, "r")
    assert isinstance(app.screen, PickList)
    return REASONS


async def tag_filter(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    app = pilot.app
    await app.push_screen(ScreeningScreen(filter="all"))
    await _key(pilot, "f")
    assert isinstance(app.screen, PickList)
    options = shown(app.screen)
    assert all(f"Tag: {t}" in options for t in TAGS[:1])
    await _key(pilot, "7")  # the first tag: "[/x]"
    assert app.screen.tag == TAGS[0]
    await _key(pilot, "f")  # and the filter still opens afterwards
    assert isinstance(app.screen, PickList)
    return (f"Tag: {TAGS[0]}", f"Tag: {TAGS[1]}")


async def note_prompt(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    app = pilot.app
    await app.push_screen(ScreeningScreen(filter="all"))
    await _key(pilot, "t")
    assert isinstance(app.screen, TextPrompt)
    assert f"(now: {TAGS[0]})" in shown(app.screen)
    await _key(pilot, "escape", "n")
    assert isinstance(app.screen, TextPrompt)
    app.screen.query_one(Input).value = NOTE
    await _key(pilot, "enter")
    bar = str(app.screen.query_one("#decision-bar", Static).render())
    assert one_line(NOTE) in bar
    await _key(pilot, "n")
    return ("Note on record",)


async def full_text(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    await _key(pilot, "f")
    app = pilot.app
    seen = shown(app.screen)
    await _key(pilot, "right")  # the two records past title/abstract
    seen += shown(app.screen)
    assert visible(TITLES[4]) in seen and visible(TITLES[6]) in seen
    assert f"Not retrievable: {visible(FULL_TEXT_NOTE)}" in seen
    return ()


async def conflicts(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    await _key(pilot, "c")
    return (one_line(TITLES[0]),)


async def duplicates(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    await _key(pilot, "d")
    return (TITLES[2], "Other [journal] [/]", "[Journal] of $x$", "Twin [DB] [/]")


async def importing(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    name = "refs [b] [@click=app.quit]x [red]q.csv"  # no "/" in a file name
    source = tmp / name
    source.write_text(f'title,abstract\n"Imported [/] {TITLES[4]}",a\n', encoding="utf-8")
    await _key(pilot, "i")
    app = pilot.app
    app.screen.query_one("#import-path", Input).value = str(source)
    app.screen.query_one("#import-source", Input).value = "Hostile [DB] [/]"
    await _key(pilot, "enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    text = check_screen(app, name)
    assert "1 record" in text and "1 records" not in text
    await pilot.click("#import-run")
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert any(name in n.message for n in app._notifications)
    await _key(pilot, "i")
    return ()


async def pubmed_search(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    from screener.tui.screens.search import SearchScreen

    queries = tmp / "queries"
    queries.mkdir()
    (queries / "[b]q[red] [@click=app.quit]x.txt").write_text(
        f"# [/] {TITLES[4]}\n(il-2[tiab]) [/]\n", encoding="utf-8"
    )
    await pilot.app.push_screen(SearchScreen(queries))
    await pilot.pause()
    return ("[b]q[red] [@click=app.quit]x.txt", "(il-2[tiab]) [/]")


async def extraction(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    await _key(pilot, "x")
    app = pilot.app
    # the form's fields are whole (scrolled to, if need be), not squeezed by the long study text
    fields = app.screen.query_one("#study-fields")
    assert fields.outer_size.height == sum(box.outer_size.height for box in fields.children)
    app.screen.query_one("#outcome", Select).value = OUTCOME
    await pilot.pause()
    app.screen.query_one("#timepoint", Input).value = "12 weeks [/]"
    await pilot.pause()
    return (
        visible(STUDIES[0]),
        visible(STUDIES[1]),
        f"[i]{STUDIES[0]}[/i]",
        "Author(s) [/b]",
        "as printed [b]bold[/b] {x}",
        "[RCT], cohort [/]",
        OUTCOME,
        visible(TITLES[4]),
    )


async def compare_extraction(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    from hostile import OSC_TITLE

    await _key(pilot, "x", "ctrl+r")
    return (visible(STUDIES[0]), visible(f"{STUDIES[0]} {OSC_TITLE}"), f"[i]{STUDIES[0]}[/i]")


async def risk_of_bias(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    await _key(pilot, "b")
    return (visible(STUDIES[0]), visible(STUDIES[1]), visible(SUPPORT))


async def rob_compare(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    await _key(pilot, "b", "ctrl+r")
    return (visible(STUDIES[0]), visible(SUPPORT))


async def analysis(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    app = pilot.app
    for d in app.project.compare_extractions("rev_a", "rev_b"):  # pooling needs agreement
        app.project.resolve_extraction(d.key, d.values[0][1], by=ME)
    await _key(pilot, "a", "ctrl+r")
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert app.screen.pooled is not None
    return (OUTCOME, visible(STUDIES[0])[:10], visible(STUDIES[1])[:6])


async def prisma(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    await _key(pilot, "r")
    return ()


async def criteria(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    await _key(pilot, "e")  # rev_a is the lead
    return ("[b]; 皮肌炎", "$x$")


async def criteria_panel(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    await pilot.app.push_screen(ScreeningScreen(filter="all"))
    await _key(pilot, "c")
    return tuple(f" {n}. {visible(r)}" for n, r in enumerate(REASONS, 1))


async def help_screen(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    await _key(pilot, "s", "question_mark")
    return ("Keys",)


async def command_palette(pilot: Pilot, tmp: Path) -> tuple[str, ...]:
    await _key(pilot, "s", "ctrl+p")
    await _key(pilot, *"quit")
    return ()


OPENERS: dict[str, Callable[[Pilot, Path], Awaitable[tuple[str, ...]]]] = {
    "dashboard": dashboard,
    "screening": screening,
    "reason_picker": reason_picker,
    "tag_filter": tag_filter,
    "note_prompt": note_prompt,
    "full_text": full_text,
    "conflicts": conflicts,
    "duplicates": duplicates,
    "import": importing,
    "pubmed_search": pubmed_search,
    "extraction": extraction,
    "compare_extraction": compare_extraction,
    "risk_of_bias": risk_of_bias,
    "rob_compare": rob_compare,
    "analysis": analysis,
    "prisma": prisma,
    "criteria": criteria,
    "criteria_panel": criteria_panel,
    "help": help_screen,
    "command_palette": command_palette,
}


@SIZES
@pytest.mark.parametrize("name", list(OPENERS))
async def test_every_screen_shows_hostile_text_literally(
    hostile: Path, tmp_path: Path, name: str, size: tuple[int, int]
) -> None:
    app = make_app(hostile, reviewer=ME)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        expected = await OPENERS[name](pilot, tmp_path)
        await pilot.pause()
        check_screen(app, *expected)
    assert app.return_code in (None, 0)


@SIZES
async def test_clicking_a_click_action_title_does_not_quit(
    hostile: Path, size: tuple[int, int]
) -> None:
    app = make_app(hostile, reviewer=ME)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#records", DataTable)
        row = TITLES.index("[@click=app.quit]Quit me[/]")
        lines = screen_text(app).splitlines()
        y = next(i for i, text in enumerate(lines) if "Quit me" in text)
        x = lines[y].index("Quit me")
        assert table.region.y <= y < table.region.bottom
        await pilot.click(offset=(x + 2, y))
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, (DashboardScreen, ScreeningScreen))
        assert table.cursor_row == row or isinstance(app.screen, ScreeningScreen)
    assert app.return_code in (None, 0)


async def test_the_review_title_in_the_header_is_literal(hostile: Path) -> None:
    app = make_app(hostile, reviewer=ME)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.sub_title = None  # the header then shows the app's: the review title
        await pilot.pause()
        assert REVIEW_TITLE in screen_text(app).splitlines()[0]


def test_the_hostile_workbench_holds_every_kind_of_work(hostile: Path) -> None:
    with Project.open(hostile) as project:
        assert [s.name for s in project.studies()] == list(STUDIES)
        assert project.duplicate_queue() and project.analyses()
        assert project.rob_summary("rob2").disagreements
        assert project.extractors() == ["rev_a", "rev_b"]


# --- a snapshot of each main screen on the hostile review -------------------------------------
# Update on purpose only: pytest tests/tui/test_hostile_screens.py --snapshot-update


async def _screening_first(pilot: Pilot) -> None:
    await pilot.app.push_screen(ScreeningScreen(filter="all"))
    await pilot.pause()


@pytest.mark.parametrize(
    ("press", "run_before"),
    [
        ((), None),
        ((), _screening_first),
        (("f",), None),
        (("d",), None),
        (("x",), None),
        (("b",), None),
    ],
    ids=["dashboard", "screening", "full_text", "duplicates", "extraction", "risk_of_bias"],
)
def test_hostile_snapshot(snap_compare, hostile: Path, press, run_before) -> None:
    assert snap_compare(
        make_app(hostile, reviewer=ME),
        terminal_size=(80, 24),
        press=list(press),
        run_before=run_before,
    )
