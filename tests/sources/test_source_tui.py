"""The TUI import dialog (Pilot): type a path, see format and count, confirm, records stored."""

from __future__ import annotations

from pathlib import Path

from sources_support import DATA, HANDMADE
from textual.widgets import Button, Checkbox, Input, ProgressBar

from screener.model import ImportResult
from screener.project import Project
from screener.tui.app import make_app
from screener.tui.screens.importing import ImportScreen


def _review(tmp_path: Path) -> Path:
    path = tmp_path / "il2.db"
    Project.create(path, title="IL-2 in myositis", reviewers=("alice",)).close()
    return path


async def _type(pilot, text: str) -> None:
    for char in text:
        await pilot.press(char)


async def test_type_path_check_and_import(tmp_path: Path) -> None:
    export = tmp_path / "cbm.net"
    export.write_bytes((HANDMADE / "cbm_sinomed_noteexpress.net").read_bytes())
    results: list[ImportResult | None] = []
    app = make_app(_review(tmp_path), reviewer="alice")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = ImportScreen()
        await app.push_screen(screen, results.append)
        await pilot.pause()
        assert screen.query_one("#import-run", Button).disabled  # nothing checked yet
        screen.query_one("#import-path", Input).focus()
        await _type(pilot, str(export))
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.preview is not None
        assert screen.status_text == (
            "cbm.net: NoteExpress (CNKI, Wanfang, VIP, CBM) · CBM · 2 records · gb18030"
        )
        assert screen.query_one("#import-progress", ProgressBar).total == 2
        assert app.project.info().records == 0  # checking stores nothing
        await pilot.click("#import-run")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is not screen  # dismissed
        (result,) = results
        assert (result.database, result.count_imported) == ("CBM", 2)
        assert app.project.info().sources == {"CBM": 2}


async def test_malformed_file_needs_skip_bad(tmp_path: Path) -> None:
    results: list[ImportResult | None] = []
    app = make_app(_review(tmp_path), reviewer="alice")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = ImportScreen(str(DATA / "bibtex" / "ebsco_bibtex.bib"))
        await app.push_screen(screen, results.append)
        await pilot.click("#import-check")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "1 malformed: ebsco_bibtex.bib, record 2 (line 15)" in screen.status_text
        await pilot.click("#import-run")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.status_text.startswith("Stopped: ebsco_bibtex.bib, record 2 (line 15)")
        assert results == [] and app.project.info().records == 0
        screen.query_one("#import-skip-bad", Checkbox).value = True
        # The error toast may lie over the button now, so press it rather than click its place.
        screen.query_one("#import-run", Button).press()
        await pilot.pause()  # the Pressed message starts the worker: wait for that first
        await app.workers.wait_for_complete()
        await pilot.pause()
        (result,) = results
        assert (result.count_imported, len(result.skipped)) == (1, 1)
        assert app.project.info().records == 1


async def test_missing_file_and_escape(tmp_path: Path) -> None:
    results: list[ImportResult | None] = []
    app = make_app(_review(tmp_path), reviewer="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = ImportScreen(str(tmp_path / "nowhere.ris"))
        await app.push_screen(screen, results.append)
        await pilot.click("#import-check")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.status_text == f"Stopped: {tmp_path / 'nowhere.ris'}: no such file"
        assert screen.query_one("#import-run", Button).disabled
        await pilot.press("escape")
        await pilot.pause()
        assert results == [None]


async def test_a_file_naming_no_database_waits_for_its_source(tmp_path: Path) -> None:
    """A file format is never a database: Import stays off until a source is typed."""
    results: list[ImportResult | None] = []
    app = make_app(_review(tmp_path), reviewer="alice")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = ImportScreen(str(DATA / "ris" / "jabref_ris_test1.ris"))
        await app.push_screen(screen, results.append)
        await pilot.click("#import-check")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.preview is not None and screen.preview.needs_source
        assert "does not say which database" in screen.status_text
        assert screen.query_one("#import-run", Button).disabled
        assert screen.focused is screen.query_one("#import-source", Input)
        await pilot.press("enter")  # Enter with the field empty imports nothing
        await pilot.pause()
        assert results == [] and app.project.info().records == 0
        await _type(pilot, "Embase")
        await pilot.pause()
        assert not screen.query_one("#import-run", Button).disabled
        assert " · Embase · " in screen.status_text
        await pilot.click("#import-run")
        await app.workers.wait_for_complete()
        await pilot.pause()
        (result,) = results
        assert result.database == "Embase"
        assert app.project.info().sources == {"Embase": result.count_imported}


async def test_a_source_of_another_method(tmp_path: Path) -> None:
    results: list[ImportResult | None] = []
    app = make_app(_review(tmp_path), reviewer="alice")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = ImportScreen(str(DATA / "bibtex" / "colrev_dedupe_records.bib"))
        await app.push_screen(screen, results.append)
        screen.query_one("#import-source", Input).value = "other:citation"
        await pilot.click("#import-check")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.query_one("#import-run", Button).disabled
        screen.query_one("#import-run", Button).press()
        await pilot.pause()  # the Pressed message starts the worker: wait for that first
        await app.workers.wait_for_complete()
        await pilot.pause()
        (result,) = results
        assert result.database == "Citation searching"
        method = app.project.db.execute("SELECT method FROM file_import").fetchone()[0]
        assert method == "citation"
