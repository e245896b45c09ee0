"""A read-only review in the TUI: it opens, says so, and every key that would write says
"this review is open read-only" instead of crashing; the file is left as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hostile import build_hostile_workbench
from read_only import read_only

from screener.project import Project
from screener.tui.app import make_app
from screener.tui.read_only import READ_ONLY_MESSAGE
from screener.tui.screens.dashboard import READ_ONLY_NOTE
from screener.tui.screens.screening import ScreeningScreen


@pytest.fixture(scope="module")
def workbench(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ro") / "hostile.db"
    with build_hostile_workbench(path) as project:
        project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def locked(workbench: Path, tmp_path: Path):
    path = tmp_path / "review.db"
    path.write_bytes(workbench.read_bytes())
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with read_only(path):
        yield path
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


# (keys from the dashboard to the screen, then keys that would each write)
WRITING_KEYS = {
    "screening": (("s",), ("i", "e", "m", "r", "u", "n", "t")),
    "full text": (("f",), ("a", "x", "e", "r")),
    "duplicates": (("d",), ("d", "k", "u")),
    "extraction": (("x",), ("ctrl+s", "ctrl+n", "ctrl+o")),
    "compare extraction": (("x", "ctrl+r"), ("1", "2", "e")),
    "risk of bias": (("b",), ("l", "enter", "backspace", "ctrl+s")),
    "compare risk of bias": (("b", "ctrl+r"), ("1",)),
    "analysis": (("a",), ("ctrl+s",)),
    "search": (("p",), ("ctrl+r", "ctrl+e")),
    "import": (("i",), ("enter",)),
}


async def test_the_dashboard_says_read_only(locked: Path) -> None:
    app = make_app(locked, reviewer="rev_a")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.project.read_only
        assert "READ-ONLY" in str(app.screen.query_one("HeaderTitle").render())
        assert READ_ONLY_NOTE in str(app.screen.query_one("#summary").render())


@pytest.mark.parametrize("screen", list(WRITING_KEYS))
async def test_keys_that_write_say_read_only(locked: Path, screen: str) -> None:
    to_screen, keys = WRITING_KEYS[screen]
    app = make_app(locked, reviewer="rev_a")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*to_screen)
        await pilot.pause()
        opened = app.screen
        for key in keys:
            app._notifications.clear()
            await pilot.press(key)
            await pilot.pause()
            assert app.is_running
            assert app.screen is opened, f"{key} opened {app.screen} on a read-only review"
            assert [n.message for n in app._notifications] == [READ_ONLY_MESSAGE], key
    assert app.return_code in (None, 0)


async def test_a_decision_slipping_through_is_refused_with_one_line(locked: Path) -> None:
    app = make_app(locked, reviewer="rev_a")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ScreeningScreen)
        screen.decide("include")  # past the key guard: the façade refuses it
        await pilot.pause()
        assert app.is_running
        assert any(n.message.endswith("review.db is read-only") for n in app._notifications)
    with Project.open(locked) as project:
        assert project.read_only
