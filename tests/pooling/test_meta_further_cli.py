"""``screener meta`` reaches every analysis (issue 18): --mods, --leave-one-out, --influence,
--cumulative, --begg, --level, the per-study weights in --json and the k < 10 caution."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from screener.cli import main
from screener.pooling.analysis import AnalysisSettings, run_analysis
from screener.pooling.cautions import SMALL_K, SMALL_K_CAUTION, small_k
from tests.pooling.conftest import compare, load

REF = load("h_reachable_analyses.json")


@pytest.fixture
def bcg_csv(tmp_path):
    path = tmp_path / "bcg.csv"
    pd.DataFrame(REF["bcg_RR_REML"]["data"]).to_csv(path, index=False)
    return path


@pytest.fixture
def prepost_csv(tmp_path):
    path = tmp_path / "prepost.csv"
    pd.DataFrame(REF["prepost_SMCR_REML"]["data"]).to_csv(path, index=False)
    return path


def meta_json(capsys, *args):
    code = main(["meta", *map(str, args), "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_every_analysis_in_one_json_object(bcg_csv, capsys):
    ref = REF["bcg_RR_REML"]
    out = meta_json(
        capsys,
        bcg_csv,
        "-m",
        "RR",
        "--mods",
        "ablat, alloc",
        "--leave-one-out",
        "--influence",
        "--cumulative",
        "year",
        "--begg",
        "--level",
        "90",
    )
    assert out["level"] == 90
    compare(ref["fit_level90"]["weights"], out["studies"]["weight_percent"])
    compare(ref["fit_level90"]["ci.lb"], out["ci_lb"])
    reg = out["meta_regression"]
    assert reg["moderators"] == ["ablat", "alloc"] and reg["level"] == 90
    compare(ref["meta_regression"]["ablat,alloc"]["QM"], reg["QM"])
    compare(ref["meta_regression"]["ablat,alloc"]["R2"], reg["R2"])
    compare(ref["leave1out_level90"]["estimate"], out["leave_one_out"]["estimate"])
    compare(ref["cumulative_level90"]["study"], out["cumulative"]["study"])
    compare(ref["influence"]["cook.d"], out["influence"]["cook_d"])
    compare(ref["ranktest"]["pval"], out["begg_p"])
    assert "small_study_caution" not in out  # 13 studies


def test_the_text_shows_each_analysis(bcg_csv, capsys):
    code = main(
        [
            "meta",
            str(bcg_csv),
            "-m",
            "RR",
            "--mods",
            "ablat",
            "--leave-one-out",
            "--influence",
            "--cumulative",
            "precision",
            "--begg",
            "--level",
            "90",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    for heading in (
        "Test of Moderators",
        "R^2",
        "Model Results (90% CI)",
        "Leave-one-out",
        "Cumulative meta-analysis (by precision",
        "Influence diagnostics",
        "Rank correlation test",
        "90% CI [",
    ):
        assert heading in out, heading


def test_fewer_than_ten_studies_carry_the_caution(prepost_csv, capsys):
    out = meta_json(capsys, prepost_csv, "-m", "SMCR", "--begg")
    assert out["k"] == 7 and out["small_study_caution"] == SMALL_K_CAUTION
    assert main(["meta", str(prepost_csv), "-m", "SMCR", "--egger"]) == 0
    assert "Cochrane Handbook 13.3.5.4" in capsys.readouterr().out
    # no small-study method asked for: no caution
    assert "small_study_caution" not in meta_json(capsys, prepost_csv, "-m", "SMCR")


def test_the_rule():
    assert SMALL_K == 10 and small_k(9) and not small_k(10)
    frame = pd.DataFrame(REF["prepost_SMCR_REML"]["data"])
    analysis = run_analysis(frame, AnalysisSettings(measure="SMCR"))
    assert analysis.small_study_caution() is None
    assert analysis.small_study_caution(funnel=True) == SMALL_K_CAUTION


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mods", "latitude"], "--mods latitude: no such column"),
        (["--mods", ","], "--mods"),
        (["--cumulative", "nope"], "--cumulative nope: no such column"),
        (["--level", "0"], "--level 0"),
        (["--level", "100"], "--level 100"),
        (["--method", "MH", "--influence"], "inverse-variance model"),
    ],
)
def test_bad_options_are_one_line(bcg_csv, capsys, args, message):
    assert main(["meta", str(bcg_csv), "-m", "RR", *args]) != 0
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_moderator_without_a_value_leaves_its_study_out(tmp_path, capsys):
    frame = pd.DataFrame(REF["bcg_RR_REML"]["data"])
    frame.loc[0, "ablat"] = None
    path = tmp_path / "gap.csv"
    frame.to_csv(path, index=False)
    out = meta_json(capsys, path, "-m", "RR", "--mods", "ablat")
    assert out["meta_regression"]["k"] == 12 and out["k"] == 13
    assert out["meta_regression"]["studies_left_out"] == [frame.loc[0, "study"]]


def test_a_cumulative_order_without_a_value_is_refused(tmp_path, capsys):
    frame = pd.DataFrame(REF["bcg_RR_REML"]["data"])
    frame.loc[2, "year"] = None
    path = tmp_path / "gap.csv"
    frame.to_csv(path, index=False)
    assert main(["meta", str(path), "-m", "RR", "--cumulative", "year"]) != 0
    assert "--cumulative year: no value for" in capsys.readouterr().err
