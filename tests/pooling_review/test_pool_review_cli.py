"""``screener pool`` and ``screener analyses``: the meta JSON contract on a review's data, the
analysis stored, plots written, and one-line errors that save nothing."""

from __future__ import annotations

import json
import sqlite3

import pytest

from screener.cli import main
from screener.project import Project

CONTRACT_KEYS = (
    "k",
    "estimate",
    "se",
    "ci_lb",
    "ci_ub",
    "zval",
    "pval",
    "tau2",
    "tau2_ci_lb",
    "tau2_ci_ub",
    "I2",
    "H2",
    "QE",
    "QEp",
    "pi_lb",
    "pi_ub",
)


def stored(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT id, name, reviewer_id, results_json FROM analysis ORDER BY id"
        ).fetchall()


def test_pool_json_is_meta_json_plus_the_analysis_id(bcg_path, capsys):
    code = main(
        [
            "pool",
            str(bcg_path),
            "--outcome",
            "Tuberculosis",
            "--measure",
            "RR",
            "--json",
            "--reviewer",
            "alice",
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    result = json.loads(out.out)
    with Project.open(bcg_path) as project:
        engine = project.run_pool("Tuberculosis", measure="RR").analysis.result
        (saved,) = project.analyses()
    for key in CONTRACT_KEYS:
        assert result[key] == pytest.approx(getattr(engine, key), rel=1e-12), key
    assert "df" not in result and result["transformed"]["estimate"] == pytest.approx(
        0.4894209, rel=1e-6
    )
    assert result["analysis_id"] == saved.id and saved.reviewer == "alice"
    # the saved results, per-study weights included (issue 18)
    assert saved.results == {k: v for k, v in result.items() if k != "analysis_id"}
    assert result["studies"]["weight_percent"] == pytest.approx(list(engine.weights_percent))
    assert f"Saved as analysis {saved.id}" in out.err


def test_pool_text_with_subgroups_tests_and_plots(bcg_path, tmp_path, capsys):
    forest, funnel = tmp_path / "forest.svg", tmp_path / "funnel.png"
    code = main(
        [
            "pool",
            str(bcg_path),
            "--outcome",
            "Tuberculosis",
            "-m",
            "RR",
            "--by",
            "alloc",
            "--egger",
            "--trimfill",
            "--test",
            "knha",
            "--plot",
            str(forest),
            "--funnel",
            str(funnel),
            "--name",
            "TB by allocation",
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "Random-Effects Model (k = 13; tau^2 estimator: REML)" in out.out
    assert "Test for subgroup differences" in out.out and "Trim-and-fill" in out.out
    assert "Aronson 1948" in forest.read_text(encoding="utf-8")
    assert funnel.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ((_, name, reviewer, results),) = stored(bcg_path)
    results = json.loads(results)
    assert name == "TB by allocation" and reviewer is None
    assert results["df"] == 12 and {
        "egger_z",
        "egger_p",
        "k0",
        "trimfill_estimate",
        "Q_between",
    } <= set(results)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--outcome", "TB", "--measure", "RR"], "no outcome named 'TB'"),
        (
            ["--outcome", "Tuberculosis", "--measure", "SMD"],
            "--measure SMD does not fit outcome 'Tuberculosis' (dichotomous data); use RR, OR, "
            "RD, PETO",
        ),
        (["--outcome", "Tuberculosis"], "give --measure for outcome 'Tuberculosis'"),
        (
            ["--outcome", "Tuberculosis", "--measure", "RR", "--method", "nope"],
            "unknown --method 'nope'",
        ),
        (
            ["--outcome", "Tuberculosis", "--measure", "RR", "--by", "region"],
            "--by region: no such column",
        ),
        (
            ["--outcome", "Tuberculosis", "--measure", "RR", "--plot", "forest.gif"],
            "must end in .svg, .pdf or .png",
        ),
        (
            ["--outcome", "Tuberculosis", "--measure", "RR", "--funnel", "/no/such/dir/f.svg"],
            "does not exist",
        ),
        (
            ["--outcome", "Tuberculosis", "--measure", "OR", "--method", "MH", "--egger"],
            "inverse-variance",
        ),
    ],
)
def test_errors_are_one_line_and_save_nothing(bcg_path, capsys, args, message):
    code = main(["pool", str(bcg_path), *args])
    err = capsys.readouterr().err
    assert code != 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in err, err
    assert stored(bcg_path) == []


def test_not_a_review(tmp_path, capsys):
    assert main(["pool", str(tmp_path / "missing.db"), "--outcome", "x", "--measure", "RR"]) != 0
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "missing.db" in err


def test_analyses_lists_and_shows(bcg_path, capsys):
    assert main(["analyses", str(bcg_path)]) == 0
    assert "no saved analyses yet" in capsys.readouterr().out
    with Project.open(bcg_path) as project:
        first = project.pool("Tuberculosis", measure="RR", reviewer="alice")
        second = project.pool("Tuberculosis", measure="OR", method="MH")
    assert main(["analyses", str(bcg_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert (
        lines[0].split()[0] == str(first.id)
        and "Tuberculosis: RR, REML" in lines[0]
        and "alice" in lines[0]
    )
    assert f"{first.results['estimate']:.4f}" in lines[0] and "RR 0.4894" in lines[0]
    assert lines[1].split()[0] == str(second.id) and "no reviewer" in lines[1]
    assert main(["analyses", str(bcg_path), "--id", str(second.id), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["results"] == second.results and shown["settings"]["method"] == "MH"
    assert main(["analyses", str(bcg_path), "--id", "99"]) == 1
    assert "no saved analysis with id 99" in capsys.readouterr().err


@pytest.mark.parametrize("verb", ["pool", "analyses"])
def test_help_has_an_example(verb, capsys):
    assert main([verb, "--help"]) == 0
    text = capsys.readouterr().out
    assert "Example:" in text and f"screener {verb} bcg.db" in text
