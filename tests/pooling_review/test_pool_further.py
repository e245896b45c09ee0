"""``screener pool`` reaches every analysis on the review's extracted data (issue 18): numeric
form fields are continuous moderators, choice fields categorical; the results match metafor."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from screener.cli import main
from tests.pooling.conftest import compare, load

REF = load("h_reachable_analyses.json")["bcg_RR_REML"]


def pool_json(capsys, path, *args):
    code = main(["pool", str(path), "--outcome", "Tuberculosis", "-m", "RR", *args, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def coefficients(reg):
    return [c["estimate"] for c in reg["coefficients"].values()]


@pytest.mark.parametrize("mods", ["ablat", "alloc", "ablat,alloc"])
def test_meta_regression_on_study_fields(bcg_path, capsys, mods):
    out = pool_json(capsys, bcg_path, "--mods", mods)
    reg, ref = out["meta_regression"], REF["meta_regression"][mods]
    assert list(reg["coefficients"]) == ref["names"]
    compare(ref["estimate"], coefficients(reg))
    compare(ref["QM"], reg["QM"])
    compare(ref["R2"], reg["R2"])


def test_sensitivity_analyses_and_begg_on_the_review(bcg_path, capsys):
    out = pool_json(
        capsys,
        bcg_path,
        "--leave-one-out",
        "--influence",
        "--cumulative",
        "year",
        "--begg",
        "--level",
        "90",
    )
    compare(REF["leave1out_level90"]["ci.lb"], out["leave_one_out"]["ci_lb"])
    compare(REF["cumulative_level90"]["study"], out["cumulative"]["study"])
    compare(REF["cumulative_level90"]["estimate"], out["cumulative"]["estimate"])
    assert out["cumulative"]["order_values"][0] == 1948.0
    compare(REF["influence"]["rstudent"], out["influence"]["rstudent"])
    compare(REF["ranktest"]["tau"], out["begg_tau"])
    compare(REF["fit_level90"]["weights"], out["studies"]["weight_percent"])


def test_the_settings_are_saved_with_the_analysis(bcg):
    saved = bcg.pool(
        "Tuberculosis",
        measure="RR",
        mods=("ablat",),
        leave_one_out=True,
        cumulative="year",
        begg=True,
        level=90,
    )
    s = saved.settings
    assert (s["mods"], s["leave_one_out"], s["cumulative"], s["begg"], s["level"]) == (
        ["ablat"],
        True,
        "year",
        True,
        90,
    )
    assert saved.name == "Tuberculosis: RR, REML, mods ablat, 90% CI"
    assert "meta_regression" in saved.results and "leave_one_out" in saved.results


def test_the_table_offers_moderators(bcg):
    table = bcg.pooling_table("Tuberculosis")
    assert {"year", "ablat", "alloc"} <= set(table.moderators)
    assert table.frame["ablat"].dtype.kind in "if"


def test_an_unknown_field_is_one_line(bcg_path, capsys):
    assert (
        main(["pool", str(bcg_path), "--outcome", "Tuberculosis", "-m", "RR", "--mods", "latitude"])
        != 0
    )
    err = capsys.readouterr().err
    assert "--mods latitude: no such column" in err and len(err.strip().splitlines()) == 1


def test_the_favours_labels_reach_the_reports_forest_plot(bcg_path, tmp_path, capsys):
    args = ["pool", str(bcg_path), "--outcome", "Tuberculosis", "-m", "RR", "--mods", "ablat"]
    assert main([*args, "--favours", "BCG [vaccine]", "no $vaccine$"]) == 0
    out = tmp_path / "report"
    assert main(["report", str(bcg_path), "--out", str(out)]) == 0
    capsys.readouterr()
    forest = next((out / "figures").glob("analysis-*-forest.svg")).read_text(encoding="utf-8")
    assert "BCG [vaccine]" in forest and "no $vaccine$" in forest
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "BCG [vaccine], no $vaccine$" in page  # the settings table names them
    assert "ablat" in page  # and the moderators


def test_the_r_script_reproduces_every_further_analysis(bcg_path, tmp_path, capsys):
    """analysis.R refits the meta-regression, Begg's test, leave-one-out, influence and the
    cumulative analysis a saved analysis ran, and metafor agrees with screener on each."""
    rscript = shutil.which("Rscript")
    probe = rscript and subprocess.run([rscript, "-e", "library(metafor)"], capture_output=True)
    if not probe or probe.returncode != 0:
        pytest.skip("needs Rscript with the metafor package (.ci/run installs them)")
    args = ["pool", str(bcg_path), "--outcome", "Tuberculosis", "-m", "RR", "--level", "90"]
    further = ["--mods", "ablat,alloc", "--leave-one-out", "--influence", "--begg"]
    assert main([*args, *further, "--cumulative", "year"]) == 0
    assert main([*args, "--cumulative", "precision"]) == 0
    out = tmp_path / "report"
    assert main(["report", str(bcg_path), "--out", str(out), "--no-pdf"]) == 0
    capsys.readouterr()
    run = subprocess.run(
        [rscript, "analysis.R"], cwd=out, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    checked = [line.split("  ")[1].strip() for line in run.stdout.splitlines() if " ok" in line]
    for label in (
        "meta-regression QM",
        "meta-regression coefficients",
        "Begg tau",
        "leave-one-out estimates",
        "influence cook.d",
        "cumulative estimates",
    ):
        assert any(c.startswith(label) for c in checked), (label, run.stdout)
    assert run.stdout.count("cumulative estimates") == 2
    assert "DIFFER" not in run.stdout and "agree with screener" in run.stdout
