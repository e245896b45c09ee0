"""Pilot tests: the extraction screen (values checked as typed, saved per extractor, conversions,
studies from included records) and the compare screen (dual extraction resolved by keys)."""

from __future__ import annotations

from pathlib import Path

import pytest
from extraction_support import CDASI, row
from textual.widgets import DataTable, Input, Select, Static

from screener.extraction.values import ValueEntry, ValueKey
from screener.project import Project
from screener.tui.app import make_app
from screener.tui.screens.extraction import (
    CompareScreen,
    ConvertPrompt,
    ExtractionResolved,
    ExtractionScreen,
)

SIZE = (140, 48)


def consensus(path: Path) -> dict[ValueKey, tuple[str, str]]:
    with Project.open(path) as project:
        return {
            v.key: (v.value, v.reviewer)
            for v in project.extraction_values()
            if v.role == "consensus"
        }


async def test_compare_and_resolve_with_keys(dual) -> None:
    path = dual.path
    dual.close()
    app = make_app(path, reviewer="carol")
    resolved = []
    posted: list[ExtractionResolved] = []
    hook = lambda m: posted.append(m) if isinstance(m, ExtractionResolved) else None  # noqa: E731
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await pilot.pause()
        screen = CompareScreen("alice", "bob")
        app.push_screen(screen)
        await pilot.pause()
        table = screen.query_one(DataTable)
        assert table.row_count == 2
        detail = str(screen.query_one("#compare-detail", Static).render())
        assert "alice: 12" in detail and "bob: 13" in detail
        await pilot.press("2")  # n: take bob's 13
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press("e")  # SD before: type the agreed value
        await pilot.pause()
        prompt_input = app.screen.query_one(Input)
        prompt_input.value = ""
        await pilot.press(*"6.10", "enter")
        await pilot.pause()
        assert table.row_count == 0
        assert "agree on every field" in str(screen.query_one("#compare-detail", Static).render())
        resolved = screen.rows
    assert resolved == []
    assert [(m.key.field, m.value) for m in posted] == [("n", "13"), ("sd_pre", "6.10")]
    agreed = consensus(path)
    assert agreed[ValueKey("Zhang 2021", field="n")] == ("13", "carol")
    assert agreed[ValueKey("Zhang 2021", CDASI, "12 weeks", "1 MIU", "sd_pre")] == ("6.10", "carol")


async def test_a_bad_resolution_is_refused_with_its_message(dual) -> None:
    path = dual.path
    dual.close()
    app = make_app(path, reviewer="carol")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = CompareScreen()  # the first pair of extractors by default
        app.push_screen(screen)
        await pilot.pause()
        assert screen.pair == ("alice", "bob")
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one(Input).value = "twelve"
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one(DataTable).row_count == 2
        assert any("'twelve' is not a number" in n.message for n in app._notifications)
    assert consensus(path) == {}


async def open_extraction(app, pilot) -> ExtractionScreen:
    await pilot.pause()
    app.push_screen(ExtractionScreen())
    await pilot.pause()
    await pilot.pause()
    return app.screen


async def test_values_are_checked_as_typed_and_saved_per_extractor(il2) -> None:
    path = il2.path
    il2.close()
    app = make_app(path, reviewer="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_extraction(app, pilot)
        assert screen.study == "Zhang 2021"
        n_input = screen.query_one("#in-study-n", Input)
        n_input.focus()
        await pilot.press(*"12.5")
        await pilot.pause()
        message = n_input.parent.query_one(".field-message", Static)
        assert "must be a whole number (got 12.5)" in str(message.render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert any("not saved" in n.message for n in app._notifications)
        await pilot.press("backspace", "backspace")
        await pilot.pause()
        assert str(message.render()) == ""
        # An outcome row: pick the outcome, timepoint and subgroup, then type its numbers.
        screen.query_one("#outcome", Select).value = CDASI
        await pilot.pause()
        await pilot.pause()
        screen.query_one("#timepoint", Input).value = "12 weeks"
        screen.query_one("#subgroup", Input).value = "1 MIU"
        await pilot.pause()
        screen.query_one("#in-row-m_pre", Input).value = "20.5"
        screen.query_one("#in-row-n", Input).value = "10"
        await pilot.pause()
        # SD before from a standard error, converted at entry (Ctrl+O on the SD field).
        screen.query_one("#in-row-sd_pre", Input).focus()
        await pilot.press("ctrl+o")
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, ConvertPrompt)
        assert prompt.query_one("#cv-n", Input).value == "10"  # n taken from the row
        prompt.query_one("#cv-se", Input).value = "2"
        await pilot.pause()
        prompt.query_one("#cv-se", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#in-row-sd_pre", Input).value == "6.3246"
        await pilot.press("ctrl+s")
        await pilot.pause()
    with Project.open(path) as project:
        saved = {
            v.key.field: v for v in project.extraction_values(reviewer="alice") if v.key.outcome
        }
        study_n = [
            v.value
            for v in project.extraction_values(reviewer="alice")
            if v.key == ValueKey("Zhang 2021", field="n")
        ]
    assert study_n == ["12"]
    assert saved["n"].value == "10" and saved["m_pre"].value == "20.5"
    assert (saved["sd_pre"].value, saved["sd_pre"].method) == ("6.3246", "se_to_sd")
    assert saved["sd_pre"].details == {"se": 2.0, "n": 10}
    assert saved["sd_pre"].key == ValueKey("Zhang 2021", CDASI, "12 weeks", "1 MIU", "sd_pre")


async def test_each_extractor_sees_only_their_own_values(dual) -> None:
    path = dual.path
    dual.close()
    app = make_app(path, reviewer="bob")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_extraction(app, pilot)
        assert screen.query_one("#in-study-n", Input).value == "13"
        screen.query_one("#outcome", Select).value = CDASI
        await pilot.pause()
        await pilot.pause()
        screen.query_one("#timepoint", Input).value = "12 weeks"
        screen.query_one("#subgroup", Input).value = "1 MIU"
        await pilot.pause()
        sd_pre = screen.query_one("#in-row-sd_pre", Input)
        assert sd_pre.value == "16.1"
        sd_pre.value = "0"
        await pilot.pause()
        assert "must be greater than 0" in str(
            sd_pre.parent.query_one(".field-message", Static).render()
        )


async def test_a_study_from_an_included_record(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with Project.create(
        path, title="R", reviewers=("alice", "bob", ("carol", "arbiter"))
    ) as project:
        project.load_form(builtin="default")
        project.db.execute(
            "INSERT INTO file_import (database, format, file_name, sha256, imported_at)"
            " VALUES ('PubMed', 'medline', 'x.nbib', 'abc', '2024-01-01')"
        )
        project.db.execute(
            "INSERT INTO record (import_id, title, authors_json, year, created_at) VALUES "
            "(1, 'Low-dose IL-2 in refractory dermatomyositis', '[[\"Zhang\", \"Li\"]]', 2021,"
            " '2024-01-01')"
        )
        project.db.conn.commit()
        project.record_decision(1, "title_abstract", "alice", "include")
        project.record_decision(1, "full_text", "alice", "include")
        assert project.included_records() == [1]
    app = make_app(path, reviewer="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_extraction(app, pilot)
        assert "1 included record(s) without a study" in str(
            screen.query_one("#included-hint", Static).render()
        )
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("1")  # the record
        await pilot.pause()
        assert app.screen.query_one(Input).value == "Zhang 2021"  # suggested from author and year
        await pilot.press("enter")
        await pilot.pause()
        assert screen.study == "Zhang 2021"
        assert "Low-dose IL-2 in refractory dermatomyositis" in str(
            screen.query_one("#study-record", Static).render()
        )
    with Project.open(path) as project:
        assert [(s.name, s.record_ids) for s in project.studies()] == [("Zhang 2021", (1,))]


async def test_the_dashboard_opens_extraction(il2) -> None:
    il2.save_extraction("Zhang 2021", "alice", row(CDASI, "", "", n="5") + [ValueEntry("n", "5")])
    path = il2.path
    il2.close()
    app = make_app(path, reviewer="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ExtractionScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExtractionScreen)


async def test_a_report_is_linked_to_an_existing_study(tmp_path: Path) -> None:
    # "Study 1" came from an extraction CSV, without a record: the included report is linked
    # to it, by picking it or by typing its name, instead of being refused
    path = tmp_path / "r.db"
    with Project.create(path, title="R", reviewers=["alice"]) as project:
        project.load_form(builtin="default")
        project.db.execute(
            "INSERT INTO file_import (database, format, file_name, sha256, imported_at)"
            " VALUES ('PubMed', 'medline', 'x.nbib', 'abc', '2024-01-01')"
        )
        for title in ("Low-dose IL-2 in dermatomyositis", "Low-dose IL-2: one-year follow-up"):
            project.db.execute(
                "INSERT INTO record (import_id, title, authors_json, year, created_at)"
                " VALUES (1, ?, '[[\"Zhang\", \"Li\"]]', 2021, '2024-01-01')",
                [title],
            )
        project.db.conn.commit()
        for rid in (1, 2):
            project.record_decision(rid, "title_abstract", "alice", "include")
            project.record_decision(rid, "full_text", "alice", "include")
        project.create_study("Study 1")
    app = make_app(path, reviewer="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_extraction(app, pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("1")  # record 1
        await pilot.pause()
        await pilot.press("2")  # the study list: 1 = a new study, 2 = Study 1
        await pilot.pause()
        assert screen.study == "Study 1"
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("1")  # record 2 (record 1 has its study now)
        await pilot.pause()
        await pilot.press("1")  # a new study... named as the existing one
        await pilot.pause()
        prompt = app.screen.query_one(Input)
        prompt.value = "Study 1"
        await pilot.press("enter")
        await pilot.pause()
    with Project.open(path) as project:
        assert [(s.name, s.record_ids) for s in project.studies()] == [("Study 1", (1, 2))]
        assert project.prisma_counts().new_studies == 1


# --- each field is saved as it is left ------------------------------------------------------


@pytest.fixture
def two_studies(tmp_path: Path) -> Path:
    path = tmp_path / "two.db"
    with Project.create(path, title="Low-dose IL-2 in myositis", reviewers=["alice"]) as project:
        project.load_form(builtin="il2_myositis")
        project.create_study("Zhang 2021")
        project.create_study("Chen 2020")
    return path


def committed(path: Path, study: str) -> dict[str, str]:
    """The study-level values alice has committed, read through another connection."""
    with Project.open(path) as project:
        return {
            v.key.field: v.value
            for v in project.extraction_values(study=study, reviewer="alice")
            if not v.key.outcome
        }


async def _type_n(app, pilot, text: str) -> tuple[ExtractionScreen, Input]:
    screen = await open_extraction(app, pilot)
    field = screen.query_one("#in-study-n", Input)
    field.focus()
    await pilot.press(*text)
    await pilot.pause()
    return screen, field


async def test_a_value_is_saved_when_its_field_loses_focus(two_studies: Path) -> None:
    app = make_app(two_studies, reviewer="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await _type_n(app, pilot, "24")
        assert committed(two_studies, screen.study) == {}
        await pilot.press("tab")
        await pilot.pause()
        assert committed(two_studies, screen.study) == {"n": "24"}


async def test_a_value_is_saved_when_leaving_with_escape(two_studies: Path) -> None:
    app = make_app(two_studies, reviewer="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await _type_n(app, pilot, "31")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExtractionScreen)
        assert committed(two_studies, screen.study) == {"n": "31"}


async def test_a_value_is_saved_when_moving_to_another_study(two_studies: Path) -> None:
    app = make_app(two_studies, reviewer="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen, field = await _type_n(app, pilot, "17")
        first = screen.study
        screen.query_one("#studies", DataTable).move_cursor(row=1)  # the focus stays in the field
        await pilot.pause()
        assert screen.study != first and field.value == ""
        assert committed(two_studies, first) == {"n": "17"}


async def test_leaving_with_an_invalid_value_warns_and_keeps_it(two_studies: Path) -> None:
    app = make_app(two_studies, reviewer="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen, field = await _type_n(app, pilot, "12.5")
        first = screen.study
        screen.query_one("#studies", DataTable).move_cursor(row=1)
        await pilot.pause()
        assert screen.study == first and field.value == "12.5"  # not dropped
        assert "whole number" in str(field.parent.query_one(".field-message", Static).render())
        app._notifications.clear()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and field.value == "12.5"
        assert any("not saved" in n.message and "12.5" in n.message for n in app._notifications)
        await pilot.press("escape")  # again: leave without it
        await pilot.pause()
        assert app.screen is not screen
    assert committed(two_studies, first) == {}
