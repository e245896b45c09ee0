"""The demo review: built from the bundled real data, opened in the TUI."""

from __future__ import annotations

import hashlib
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
        assert project.record(1).title.startswith(
            "A prospective, controlled trial of a pharmacy-driven alert"
        )
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


# What text decoded twice the wrong way looks like: UTF-8 read as Windows-1252 ("Â£" for "£",
# "â€™" for "’", "Ã©" for "é") and GBK read as Latin-1 ("¡°" for "“", "¦Á" for "α").
MOJIBAKE = (
    "Â£",
    "Â\xa0",
    "â€",
    "â‚¬",
    "â‰",
    "Ã©",
    "Ã—",
    "Î±",
    "¡°",
    "¡±",
    "¡¯",
    "¡ª",
    "¡Ý",
    "¨C",
    "¦Á",
)


def test_the_demo_text_is_decoded_right(tmp_path: Path) -> None:
    with Project.open(build_demo(tmp_path)) as project:
        texts = [
            r.record.title + "\n" + r.record.abstract for r in project.export_records(unblind=True)
        ]
    assert len(texts) == 2019
    assert [t for t in texts if any(m in t for m in MOJIBAKE)] == []
    assert any("increases costs by $20,458 (£12,780, €14," in t for t in texts)
    assert any("the term “cause” or" in t for t in texts)
    # the bundled file itself stays as published (the repair happens on the way in)
    assert hashlib.sha256(demo_data_path().read_bytes()).hexdigest() == (
        "abfbdb973aa125f26ce872a5193c931d0690f7fe2e1fb75551de9c0acecd200f"
    )
