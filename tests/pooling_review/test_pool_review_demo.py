"""``screener demo`` builds both demo reviews and opens the one asked for."""

from __future__ import annotations

from types import SimpleNamespace

from screener.cli import main
from screener.project import Project


def test_demo_builds_both_reviews_and_opens_the_one_asked_for(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "demo"
    assert main(["demo", str(folder), "--no-tui"]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(folder / "nudging.db"), str(folder / "bcg.db")]
    built = {name: (folder / name).stat().st_mtime_ns for name in ("nudging.db", "bcg.db")}
    assert main(["demo", str(folder), "--no-tui"]) == 0  # reused, not rebuilt
    assert capsys.readouterr().out.split() == printed
    assert built == {name: (folder / name).stat().st_mtime_ns for name in ("nudging.db", "bcg.db")}
    with Project.open(folder / "nudging.db") as nudging:
        assert nudging.info().records == 2019
    with Project.open(folder / "bcg.db") as bcg:
        assert len(bcg.studies()) == 13 and list(bcg.outcomes()) == ["Tuberculosis"]
        assert bcg.pool("Tuberculosis", measure="RR").results["k"] == 13
    # which review the TUI opens (a terminal is pretended; the TUI itself is not started)
    import screener.tui.app

    opened: list[tuple[str, str | None]] = []
    monkeypatch.setattr(
        screener.tui.app, "run_app", lambda path, reviewer=None: opened.append((path, reviewer))
    )
    monkeypatch.setattr(
        "screener.cli.review.sys", SimpleNamespace(stdout=SimpleNamespace(isatty=lambda: True))
    )
    assert main(["demo", str(folder), "--review", "bcg"]) == 0
    assert main(["demo", str(folder)]) == 0
    assert opened == [(str(folder / "bcg.db"), "demo"), (str(folder / "nudging.db"), "demo")]
    assert main(["demo", str(folder), "--review", "other"]) == 2
