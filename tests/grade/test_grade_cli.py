"""``screener grade``: the JSON contract, storing judgements and settings (the lead or an arbiter
only), one-line errors that store nothing, and reviewer text shown as data."""

from __future__ import annotations

import json
import sqlite3

from grade_support import save_constructed

from screener.cli import main
from screener.project import Project
from screener.report.grade import DOMAINS

TWO = (("Alpha 2019", 70.0), ("Beta 2020", 30.0))


def stored(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT domain, level, reason FROM grade_judgement ORDER BY id"
        ).fetchall()


def test_json_of_one_analysis(bcg_path, capsys):
    assert main(["grade", str(bcg_path), "--analysis", "1", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["analysis_id"] == 1 and found["k"] == 13 and found["measure"] == "RR"
    assert found["certainty"] == "low" and found["start"] == "high" and found["mid"] is None
    assert [d["domain"] for d in found["domains"]] == list(DOMAINS)
    inconsistency = found["domains"][1]
    assert inconsistency["level"] == inconsistency["suggested"]["level"] == "serious"
    assert inconsistency["judgement"] is None and inconsistency["by"] == "suggested"


def test_json_of_every_analysis_is_a_list(review, capsys):
    for name in ("a", "b"):
        save_constructed(review, studies=TWO, name=name)
    assert main(["grade", str(review.path), "--json"]) == 0
    assert [a["name"] for a in json.loads(capsys.readouterr().out)] == ["a", "b"]


def test_the_lead_sets_a_judgement_and_the_table_shows_it(bcg_path, capsys):
    code = main(
        [
            "grade",
            str(bcg_path),
            "--set",
            "inconsistency=not_serious",
            "--reason",
            "explained by latitude",
            "--reviewer",
            "demo",
            "--json",
            "--history",
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    found = json.loads(out.out)
    d = found["domains"][1]
    assert (d["level"], d["reason"], d["judgement"]["reviewer"]) == (
        "not serious",
        "explained by latitude",
        "demo",
    )
    assert d["suggested"]["level"] == "serious" and found["certainty"] == "moderate"
    assert [j["level"] for j in found["history"]["judgements"]] == ["not serious"]
    assert stored(bcg_path) == [("inconsistency", "not serious", "explained by latitude")]


def test_a_screener_is_refused_in_one_line_and_nothing_is_stored(bcg_path, capsys):
    code = main(
        [
            "grade",
            str(bcg_path),
            "--set",
            "imprecision=serious",
            "--reason",
            "x",
            "--reviewer",
            "bob",
        ]
    )
    err = capsys.readouterr().err
    assert code != 0 and len(err.strip().splitlines()) == 1 and "arbiter or the lead" in err
    assert "Traceback" not in err and stored(bcg_path) == []


def test_an_arbiter_stores_a_mid_that_later_views_use(bcg_path, capsys):
    assert main(["grade", str(bcg_path), "--mid", "0.8", "--reviewer", "carol", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["mid_source"] == "set by carol"
    assert main(["grade", str(bcg_path), "--json"]) == 0
    (found,) = json.loads(capsys.readouterr().out)
    assert found["mid"] == 0.8
    # CI 0.34 to 0.70 lies beyond the threshold 0.80: precise
    assert found["domains"][3]["level"] == "not serious"


def test_a_mid_without_a_reviewer_is_for_this_view_only(bcg_path, capsys):
    assert main(["grade", str(bcg_path), "--mid", "0.5"]) == 0
    out = capsys.readouterr()
    assert "this view only" in out.err and "minimally important difference 0.5" in out.out
    with Project.open(bcg_path) as project:
        assert project.grade()[0].mid is None


def test_usage_mistakes_are_one_line_errors(review, capsys):
    for name in ("a", "b"):
        save_constructed(review, studies=TWO, name=name)
    for args in (
        ["--set", "imprecision=serious", "--reviewer", "alice"],  # no reason
        ["--set", "imprecision=serious", "--reason", "r", "--reviewer", "alice"],  # which?
        ["--analysis", "1", "--set", "imprecision", "--reason", "r", "--reviewer", "alice"],
        ["--reason", "r"],
        ["--mid", "wide"],
        ["--mid", "0"],
        ["--analysis", "7"],
        ["--design", "cohort study"],
    ):
        code = main(["grade", str(review.path), *args])
        err = capsys.readouterr().err
        assert code != 0 and len(err.strip().splitlines()) == 1, (args, err)
    assert stored(review.path) == []


def test_reviewer_text_is_shown_escaped_and_kept_in_json(review, capsys):
    evil = "why [b]x[/b] \x1b[2J $x$"
    aid = save_constructed(review, studies=TWO, name=f"name {evil}")
    assert (
        main(
            [
                "grade",
                str(review.path),
                "--analysis",
                str(aid),
                "--set",
                "indirectness=serious",
                "--reason",
                evil,
                "--reviewer",
                "alice",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "\x1b" not in out and "why [b]x[/b] \\x1b[2J $x$" in out
    assert main(["grade", str(review.path), "--analysis", str(aid), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["domains"][2]["reason"] == evil and found["name"] == f"name {evil}"
