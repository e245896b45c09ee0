"""The dashboard (counts, conflicts, kappa, a way to every screen) and rebinding keys."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from textual.screen import Screen
from textual.widgets import Static

from screener.cli import main
from screener.errors import InvalidInputError
from screener.project import Project
from screener.tui import app as app_module
from screener.tui.app import make_app, rebindable_keys
from screener.tui.keys import keymap_path, load_keymap
from screener.tui.screens.conflicts import ConflictsScreen
from screener.tui.screens.dashboard import SCREENS, DashboardScreen, ScreenEntry
from screener.tui.screens.fulltext import FullTextScreen
from screener.tui.screens.help import HelpScreen
from screener.tui.screens.screening import ScreeningScreen


def _decide_some(path: Path) -> None:
    plan = {
        1: ("include", "include"),
        2: ("include", "exclude"),
        3: ("exclude", "exclude"),
        4: ("exclude", "exclude"),
    }
    with Project.open(path) as project:
        for rid, (a, b) in plan.items():
            project.record_decision(rid, "title_abstract", "alice", a)
            project.record_decision(rid, "title_abstract", "bob", b)


async def test_dashboard_counts_conflicts_and_kappa(review_path: Path) -> None:
    _decide_some(review_path)
    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        summary = str(app.screen.query_one("#summary", Static).render())
    assert "6 records · 0 duplicates set aside · 6 to screen" in summary
    assert "Title/abstract: 6 records, 2 decisions each" in summary
    assert "alice " + "█" * 11 + "░" * 5 + "      4  67%" in summary  # 16 cells * 4/6
    assert "Full text: 1 record, 1 decision each" in summary
    assert "in 1 · out 2 · conflicts 1 · to go 2" in summary
    # 2x2 = [[1, 1], [0, 2]]: p_o = .75, p_e = .5 * .25 + .5 * .75 = .5, kappa = .5
    assert "κ alice/bob 0.50 (" in summary and "75% agree · n 4" in summary


async def test_every_screen_has_a_key_and_a_palette_command(review_path: Path) -> None:
    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        keys = {b.binding.action for b in app.screen.active_bindings.values()}
        titles = {c.title for c in app.get_system_commands(app.screen)}
        for entry in SCREENS:
            assert f"app.open_screen('{entry.name}')" in keys
            assert f"Open: {entry.label}" in titles
        for key, expected in (
            ("s", ScreeningScreen),
            ("c", ConflictsScreen),
            ("f", FullTextScreen),
        ):
            await pilot.press(key)
            assert type(app.screen) is expected
            await pilot.press("escape")
            assert isinstance(app.screen, DashboardScreen)
        await pilot.press("s")  # the screen's own actions are commands too
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Include", "Exclude", "Maybe", "Undo", "Reason", "Note", "Tags", "Filter"} <= titles


def test_every_registered_screen_exists() -> None:
    for entry in SCREENS:
        module = importlib.import_module(entry.module)
        assert issubclass(getattr(module, entry.cls), Screen), entry


async def test_a_registered_screen_that_is_missing_is_a_bug_not_a_toast(
    review_path: Path, monkeypatch
) -> None:
    missing = ScreenEntry(
        "z", "missing", "A missing screen", "screener.tui.screens.no_such_module", "MissingScreen"
    )
    monkeypatch.setattr(app_module, "SCREENS", (*SCREENS, missing))
    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        with pytest.raises(ModuleNotFoundError):
            app.open_screen("missing")
        assert isinstance(app.screen, DashboardScreen) and not app._notifications


async def test_help_lists_the_keys(review_path: Path) -> None:
    app = make_app(review_path, reviewer="alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("s", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one(Static).render())
        assert "Include  [screening.include]" in text and "keys.toml" in text
        await pilot.press("escape")
        assert isinstance(app.screen, ScreeningScreen)


async def test_keys_from_a_key_file(review_path: Path, tmp_path: Path, live) -> None:
    keys = tmp_path / "keys.toml"
    keys.write_text(
        '[screening]\ninclude = "y"\nexclude = ["d", "n"]\nnote = "N"\n', encoding="utf-8"
    )
    app = make_app(review_path, reviewer="alice", keys=keys)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("s", "y", "d", "i", "n")
        assert live(review_path, "alice") == {
            1: ("include", ""),
            2: ("exclude", ""),
            3: ("exclude", ""),
        }
        assert app.screen.record_id == 4  # "i" no longer decides anything


def test_key_file_from_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SCREENER_KEYS", str(tmp_path / "k.toml"))
    assert keymap_path() == tmp_path / "k.toml"
    monkeypatch.delenv("SCREENER_KEYS")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert keymap_path() == tmp_path / "screener" / "keys.toml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[screening\n", "not valid TOML"),
        ('[screening]\nfly = "y"\n', "unknown action screening.fly"),
        ('[nowhere]\ninclude = "y"\n', "unknown action nowhere.include"),
        ("[screening]\ninclude = 3\n", "screening.include must be a key name"),
        ('[screening]\ninclude = "e"\n', "key 'e' would do both"),
        ('[screening]\nmaybe = "?"\n', "would do both"),  # ? is the help key
    ],
)
def test_bad_key_files_are_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    keys = tmp_path / "keys.toml"
    keys.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInputError, match=message) as info:
        load_keymap(keys, rebindable_keys(), app_module._KEY_SCREENS)
    assert "\n" not in str(info.value) and str(keys) in str(info.value)


def test_cli_reports_a_bad_key_file_on_one_line(
    review_path: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    keys = tmp_path / "keys.toml"
    keys.write_text('[screening]\nfly = "y"\n', encoding="utf-8")
    monkeypatch.setenv("SCREENER_KEYS", str(keys))
    assert main(["tui", str(review_path), "--reviewer", "alice"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown action screening.fly" in err
