"""The demo review: built from the bundled real data, opened in the TUI."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static

from screener.demo import build_demo, demo_data_path
from screener.project import Project
from screener.tui.app import make_app


def test_demo_builds_from_the_bundled_dataset(tmp_path: Path) -> None:
    path = build_demo(tmp_path)
    lines = demo_data_path().read_text(encoding="utf-8").count("\n")
    assert lines > 2019  # the bundled file is there (multi-line abstracts make it longer)
    with Project.open(path) as project:
        summary = project.info()
        assert summary.records == 2019
        assert project.record(1).title.startswith("A prospective, controlled trial of a pharmacy-driven alert")
    assert build_demo(tmp_path) == path  # reused, not rebuilt


async def test_dashboard_shows_the_record_count(tmp_path: Path) -> None:
    path = build_demo(tmp_path)
    app = make_app(path, reviewer="demo")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        summary = str(app.screen.query_one("#summary", Static).render())
        assert "2,019" in summary
        table = app.screen.query_one("#records", DataTable)
        assert table.row_count >= 100
