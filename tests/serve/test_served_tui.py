"""The TUI as `screener serve` runs it for a signed-in browser: a screener or an arbiter reaches
no file of the server through any screen or key, and a screener gets no arbiter's view.

Every binding of every screen is pressed in the served app; after each, no screen that names a
server path (import, PubMed strategy files, a PDF to attach) is open and no file has appeared
on disk outside the review's own (its -wal and -shm). Files sent to the browser are recorded
where the web driver would stream them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.driver import Driver
from textual.widgets import Input

from screener.project import Project
from screener.tui.app import ScreenerApp, make_app
from screener.tui.screens.conflicts import ConflictsScreen
from screener.tui.screens.dashboard import SCREENS, DashboardScreen

SIZE = (110, 36)
TA = "title_abstract"
SERVER_PATH_SCREENS = {"ImportScreen", "SearchScreen"}
SKIPPED_ACTIONS = {"quit", "app.quit"}  # ends the app: nothing left to check


@pytest.fixture(autouse=True)
def contained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """HOME and the working folder are empty folders of the test; ranking stays off; files
    delivered to the browser are recorded instead of saved (the web driver streams them)."""
    for name in ("home", "cwd"):
        (tmp_path / name).mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SCREENER_KEYS", "")
    monkeypatch.chdir(tmp_path / "cwd")
    monkeypatch.setattr(ScreenerApp, "ranking_in_background", False)
    delivered: list[str] = []

    def deliver(self, binary, *, save_path: Path, **kwargs) -> None:
        delivered.append(save_path.name)
        binary.close()

    monkeypatch.setattr(Driver, "deliver_binary", deliver)
    return delivered


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def _prepared(team_review: Path) -> Path:
    """Record 1 passed title/abstract (both screeners included it); record 2 is a conflict
    between rev_b and lena (rev_a is not part of it)."""
    with Project.open(team_review) as project:
        project.record_decision(1, TA, "rev_a", "include")
        project.record_decision(1, TA, "rev_b", "include")
        project.record_decision(2, TA, "rev_b", "include")
        project.record_decision(2, TA, "lena", "exclude")
    return team_review


def _path_inputs(app: ScreenerApp) -> list[str]:
    """Screens or inputs open anywhere in the app that ask for a path on the server."""
    found = [type(s).__name__ for s in app.screen_stack if type(s).__name__ in SERVER_PATH_SCREENS]
    for screen in app.screen_stack:
        found += [
            f"input {i.placeholder!r}"
            for i in screen.query(Input)
            if "path" in (i.placeholder or "").lower()
        ]
    return found


async def _press_every_binding(app: ScreenerApp, pilot, entry: str | None) -> list[str]:
    """Open screen ``entry`` (None: the dashboard), press each of its keys from a fresh start;
    returns what opened that should not have."""
    problems: list[str] = []

    async def arrive():
        while len(app.screen_stack) > 2:
            app.pop_screen()
            await pilot.pause()
        if entry is not None:
            app.open_screen(entry)
            await pilot.pause()
        return app.screen

    screen = await arrive()
    keys = [
        (b.binding.key.split(",")[0], b.binding.action)
        for b in screen.active_bindings.values()
        if b.binding.action not in SKIPPED_ACTIONS
    ]
    assert keys, f"no keys on {type(screen).__name__}"
    for key, action in keys:
        if app.screen is not screen:
            while app.screen is not screen and screen in app.screen_stack:
                app.pop_screen()
                await pilot.pause()
            if app.screen is not screen:
                screen = await arrive()
        await pilot.press(key)
        await pilot.pause()
        problems += [f"{entry or 'dashboard'} {key} ({action}): {p}" for p in _path_inputs(app)]
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("reviewer", ["rev_a", "arno"])
async def test_no_key_of_any_screen_reaches_a_server_file(
    team_review: Path, tmp_path: Path, contained: list[str], reviewer: str
) -> None:
    review = _prepared(team_review)
    before = _files(tmp_path)
    app = make_app(review, reviewer=reviewer, served=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        problems = await _press_every_binding(app, pilot, None)
        for entry in SCREENS:
            problems += await _press_every_binding(app, pilot, entry.name)
    assert problems == []
    own = {review.with_name(review.name + suffix) for suffix in ("-wal", "-shm", "-journal")}
    assert _files(tmp_path) - before - own == set()


async def test_the_lead_still_imports_in_a_served_review(team_review: Path) -> None:
    app = make_app(team_review, reviewer="lena", served=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_screen("import")
        await pilot.pause()
        assert type(app.screen).__name__ == "ImportScreen"


async def test_a_terminal_screener_still_imports(team_review: Path) -> None:
    """Not served: the reviewer at the terminal names their own files, as before."""
    app = make_app(team_review, reviewer="rev_a")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_screen("import")
        await pilot.pause()
        assert type(app.screen).__name__ == "ImportScreen"


async def test_a_served_screener_gets_no_arbiters_conflict_view(team_review: Path) -> None:
    review = _prepared(team_review)
    app = make_app(review, reviewer="rev_a", served=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)
        assert not screen.me.resolves
        assert 2 not in [c.record_id for c in screen.conflicts]  # others' conflict: not shown
        await pilot.press("i")
        await pilot.pause()
    with Project.open(review) as project:
        assert project.resolution(2, TA) is None


async def test_a_served_attached_pdf_goes_to_the_browser(
    team_review: Path, tmp_path: Path, contained: list[str]
) -> None:
    review = _prepared(team_review)
    pdf = tmp_path / "smith.pdf"
    pdf.write_bytes(b"%PDF-1.4 test\n")
    with Project.open(review) as project:
        project.attach_full_text(1, str(pdf), "lena")
    opened: list[str] = []
    app = make_app(review, reviewer="rev_a", served=True, opener=opened.append)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
    assert opened == []  # nothing opened on the server's screen
    assert contained and contained[0].endswith(".pdf")


def test_a_served_app_needs_its_reviewer(team_review: Path) -> None:
    with pytest.raises(ValueError):
        make_app(team_review, served=True)
