"""Snapshots of the four screening screens at 80x24 and 160x48 (fixed data, no clock).

Update them on purpose only: ``pytest tests/tui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from screener.project import Project
from screener.tui.app import make_app

SIZES = pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])


@pytest.fixture
def scene(tmp_path: Path, new_review) -> Path:
    """Two reviewers part-way through, two conflicts, one record past title/abstract with a PDF."""
    path = new_review(tmp_path / "scene.db")
    with Project.open(path) as project:
        plan = {1: ("include", "include"), 2: ("include", "exclude"), 4: ("exclude", "maybe"),
                5: ("exclude", "exclude")}
        for rid, (a, b) in plan.items():
            project.record_decision(rid, "title_abstract", "alice", a)
            project.record_decision(rid, "title_abstract", "bob", b, reason="Not a trial" if b == "exclude" else None)
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
