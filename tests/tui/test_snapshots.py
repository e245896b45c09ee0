"""Snapshots of the main screens: the four screening screens at 80x24 and 160x48, every other
one at 80x24 (fixed data, no clock).

Update them on purpose only: ``pytest tests/tui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from screener.demo_bcg import BCG_EXTRACTOR, build_bcg_demo
from screener.extraction.values import ValueEntry
from screener.project import Project
from screener.tui.app import make_app
from screener.tui.screens.extraction_convert import ConvertPrompt

SIZES = pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])


@pytest.fixture
def scene(tmp_path: Path, new_review) -> Path:
    """Two reviewers part-way through, two conflicts, one record past title/abstract with a PDF."""
    path = new_review(tmp_path / "scene.db")
    with Project.open(path) as project:
        plan = {
            1: ("include", "include"),
            2: ("include", "exclude"),
            4: ("exclude", "maybe"),
            5: ("exclude", "exclude"),
        }
        for rid, (a, b) in plan.items():
            project.record_decision(rid, "title_abstract", "alice", a)
            project.record_decision(
                rid, "title_abstract", "bob", b, reason="Not a trial" if b == "exclude" else None
            )
        project.add_note(2, "bob", "looks like a protocol")
        project.tag_record(1, "antibiotics", "alice")
        pdf = tmp_path / "hallsworth2016.pdf"
        pdf.write_bytes(b"%PDF-1.4 hand-made stand-in\n")
        project.attach_full_text(1, pdf, "alice")
    return path


@SIZES
def test_dashboard(snap_compare, scene: Path, size) -> None:
    assert snap_compare(make_app(scene, reviewer="alice"), terminal_size=size)


@SIZES
def test_screening(snap_compare, scene: Path, size) -> None:
    # Record 3 is the Chinese one: wide characters and both highlight colours.
    assert snap_compare(make_app(scene, reviewer="alice"), terminal_size=size, press=["s"])


@SIZES
def test_conflicts(snap_compare, scene: Path, size) -> None:
    assert snap_compare(make_app(scene, reviewer="carol"), terminal_size=size, press=["c"])


@SIZES
def test_full_text(snap_compare, scene: Path, size) -> None:
    assert snap_compare(make_app(scene, reviewer="alice"), terminal_size=size, press=["f"])


# --- one snapshot of each other main screen, 80x24, on normal small reviews -------------------


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in ``tmp_path``: paths on screen (a typed file, a forest plot) are then relative,
    the same on every machine."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_reviewer_prompt(snap_compare, scene: Path) -> None:
    assert snap_compare(make_app(scene), terminal_size=(80, 24))


def test_help(snap_compare, scene: Path) -> None:
    assert snap_compare(
        make_app(scene, reviewer="alice"), terminal_size=(80, 24), press=["question_mark"]
    )


def test_criteria(snap_compare, scene: Path) -> None:
    assert snap_compare(make_app(scene, reviewer="alice"), terminal_size=(80, 24), press=["e"])


def test_prisma(snap_compare, scene: Path) -> None:
    assert snap_compare(make_app(scene, reviewer="alice"), terminal_size=(80, 24), press=["r"])


def test_import_checked(snap_compare, scene: Path, here: Path) -> None:
    (here / "more.csv").write_text(
        "title,abstract,authors,year,journal\n"
        'Audit and feedback for antibiotic prescribing,A cluster trial.,"Ivers, Noah",2014,BMJ\n'
        'Default doses in electronic prescribing,,"Delgado, M Kit",2018,JAMA\n',
        encoding="utf-8",
    )

    async def check(pilot: Pilot) -> None:
        await pilot.press("i")
        pilot.app.screen.query_one("#import-path", Input).value = "more.csv"
        pilot.app.screen.query_one("#import-source", Input).value = "Embase"
        pilot.app.screen.query_one("#import-path", Input).focus()
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(make_app(scene, reviewer="alice"), terminal_size=(80, 24), run_before=check)


def test_pubmed_search(snap_compare, scene: Path, here: Path) -> None:
    (here / "queries").mkdir()
    (here / "queries" / "nudges.txt").write_text(
        "# Nudges aimed at prescribers\n(nudge*[tiab] OR default*[tiab]) AND prescri*[tiab]\n",
        encoding="utf-8",
    )
    app = make_app(scene, reviewer="alice")
    app.animation_level = "none"  # the idle progress bar is animated: a still frame
    assert snap_compare(app, terminal_size=(80, 24), press=["p"])


def test_duplicates(snap_compare, scene: Path, here: Path) -> None:
    (here / "embase.csv").write_text(
        "title,abstract,authors,year,journal\n"  # record 1 found again, its title cut short
        'Effect of peer comparison letters on antibiotic prescribing,,"Hallsworth, Michael",2016,'
        "The Lancet\n",
        encoding="utf-8",
    )
    with Project.open(scene) as project:
        project.import_file(here / "embase.csv", source="Embase")
        project.find_duplicates()
        assert project.duplicate_queue()
    assert snap_compare(make_app(scene, reviewer="alice"), terminal_size=(80, 24), press=["d"])


@pytest.fixture(scope="module")
def bcg_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The BCG demo review (13 trials, extracted), with a lead and two assessors declared."""
    path = build_bcg_demo(tmp_path_factory.mktemp("bcg"))
    with Project.open(path) as project:
        for name, role in (("alice", "screener"), ("bob", "screener"), ("carol", "lead")):
            project.add_reviewer(name, role)
    return path


@pytest.fixture
def bcg(bcg_built: Path, here: Path) -> Path:
    """A copy of the BCG review in the working folder, opened by its relative name."""
    shutil.copy(bcg_built, here / "bcg.db")
    return Path("bcg.db")


def test_extraction(snap_compare, bcg: Path) -> None:
    assert snap_compare(make_app(bcg, reviewer=BCG_EXTRACTOR), terminal_size=(80, 24), press=["x"])


def test_conversion_prompt(snap_compare, bcg: Path) -> None:
    async def convert(pilot: Pilot) -> None:
        await pilot.press("x")
        await pilot.app.push_screen(ConvertPrompt({"mean": "m1i", "sd": "sd1i", "n": "n1i"}, "200"))

    assert snap_compare(
        make_app(bcg, reviewer=BCG_EXTRACTOR), terminal_size=(80, 24), run_before=convert
    )


def test_extraction_compare(snap_compare, bcg: Path) -> None:
    with Project.open(bcg) as project:
        theirs = [
            v
            for v in project.extraction_values()
            if v.key.study == "Aronson 1948" and v.reviewer == BCG_EXTRACTOR
        ]
        changed = {"year": "1949", "events1": "5"}
        project.save_extraction(
            "Aronson 1948",
            "alice",
            [
                ValueEntry(
                    v.key.field,
                    changed.get(v.key.field, v.value),
                    v.key.outcome,
                    v.key.timepoint,
                    v.key.subgroup,
                )
                for v in theirs
            ],
        )
    assert snap_compare(
        make_app(bcg, reviewer="carol"), terminal_size=(80, 24), press=["x", "ctrl+r"]
    )


def test_rob_compare(snap_compare, bcg: Path) -> None:
    with Project.open(bcg) as project:
        project.save_rob(
            "Aronson 1948",
            "rob2",
            "alice",
            {"randomization": "low", "measurement": "high"},
            support={"measurement": "Outcome assessors knew who was vaccinated"},
        )
        project.save_rob(
            "Aronson 1948", "rob2", "bob", {"randomization": "some concerns", "measurement": "low"}
        )
    assert snap_compare(
        make_app(bcg, reviewer="carol"), terminal_size=(80, 24), press=["b", "ctrl+r"]
    )


def test_analysis(snap_compare, bcg: Path) -> None:
    async def run(pilot: Pilot) -> None:
        await pilot.press("a", "ctrl+r")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(make_app(bcg, reviewer="carol"), terminal_size=(80, 24), run_before=run)
