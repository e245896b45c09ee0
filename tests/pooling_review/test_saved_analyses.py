"""Saved analyses are renamed and deleted (``screener analyses --rename/--delete``, the façade),
and the report lists only the kept analyses, under their names (issue 18)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from screener.cli import main
from screener.errors import ScreenerError
from screener.project import Project
from screener.storage.analysis import kept_analyses


@pytest.fixture
def two_saved(bcg_path):
    with Project.open(bcg_path) as project:
        first = project.pool("Tuberculosis", measure="RR", name="Main analysis")
        second = project.pool("Tuberculosis", measure="OR", name="Odds ratios, not wanted")
    return bcg_path, first.id, second.id


def names(path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [n for (n,) in conn.execute("SELECT name FROM analysis ORDER BY id")]


def test_rename_from_the_cli(two_saved, capsys):
    path, first, _ = two_saved
    assert main(["analyses", str(path), "--rename", str(first), "  TB:\n risk ratio \t"]) == 0
    assert "renamed: TB: risk ratio" in capsys.readouterr().err
    assert names(path) == ["TB: risk ratio", "Odds ratios, not wanted"]
    main(["analyses", str(path)])
    assert "TB: risk ratio" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rename", "99", "x"], "no saved analysis with id 99"),
        (["--rename", "1", "   "], "an analysis name cannot be empty"),
        (["--rename", "1", "a\x00b"], "NUL"),
        (["--delete", "99"], "no saved analysis with id 99"),
        (["--delete", "1", "--rename", "2", "x"], "not both"),
    ],
)
def test_bad_changes_are_one_line_and_change_nothing(two_saved, capsys, args, message):
    path, _, _ = two_saved
    assert main(["analyses", str(path), *args]) != 0
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert names(path) == ["Main analysis", "Odds ratios, not wanted"]


def test_delete_from_the_cli(two_saved, capsys):
    path, first, second = two_saved
    assert main(["analyses", str(path), "--delete", str(second)]) == 0
    assert f"Analysis {second} (Odds ratios, not wanted) deleted" in capsys.readouterr().err
    assert main(["analyses", str(path), "--json"]) == 0
    assert [a["id"] for a in json.loads(capsys.readouterr().out)] == [first]


def test_the_facade_renames_and_deletes(two_saved):
    path, first, second = two_saved
    with Project.open(path) as project:
        assert project.rename_analysis(first, "Renamed").name == "Renamed"
        assert project.delete_analysis(second).name == "Odds ratios, not wanted"
        assert [a.name for a in project.analyses()] == ["Renamed"]
        with pytest.raises(ScreenerError):
            project.analysis(second)
        assert [a["name"] for a in kept_analyses(project.db)] == ["Renamed"]


def test_the_report_shows_only_kept_analyses_with_their_names(two_saved, tmp_path):
    path, first, second = two_saved
    with Project.open(path) as project:
        project.rename_analysis(first, "Tuberculosis: the kept one")
        project.delete_analysis(second)
        project.write_report(tmp_path / "report")
    html = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    results = (tmp_path / "report" / "results.csv").read_text(encoding="utf-8")
    script = (tmp_path / "report" / "analysis.R").read_text(encoding="utf-8")
    assert "Tuberculosis: the kept one" in html and "Odds ratios, not wanted" not in html
    assert "Odds ratios" not in results and "Odds ratios" not in script
    assert "Tuberculosis: the kept one" in results


def test_a_hostile_name_is_stored_as_data_and_shown_escaped(two_saved, capsys):
    path, first, _ = two_saved
    name = "[b]bold[/b] \x1b[31mred $x^2$"
    assert main(["analyses", str(path), "--rename", str(first), name]) == 0
    assert names(path)[0] == name
    capsys.readouterr()
    main(["analyses", str(path)])
    out = capsys.readouterr().out
    assert "[b]bold[/b] \\x1b[31mred $x^2$" in out and "\x1b" not in out


def test_the_report_carries_the_grade_summary_of_the_kept_analyses(two_saved, tmp_path):
    import lxml.html

    path, first, second = two_saved
    with Project.open(path) as project:
        project.rename_analysis(first, "Tuberculosis: graded")
        project.delete_analysis(second)
        project.write_report(tmp_path / "report")
    page = lxml.html.fromstring((tmp_path / "report" / "report.html").read_bytes())
    (after,) = page.xpath("//h2[.='Summary of findings']")
    table = after.xpath("following::table[1]")[0]
    cells = [td.text_content() for td in table.iter("td")]
    assert any("Tuberculosis: graded" in c for c in cells)
    assert any(level in " ".join(cells).lower() for level in ("high", "moderate", "low"))
    assert "No GRADE summary" not in page.text_content()
