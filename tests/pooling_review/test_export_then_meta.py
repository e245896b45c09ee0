"""``screener export extraction`` feeds ``screener meta``: the exported file pools as it is,
and rows of different outcomes, timepoints or measures are never pooled together."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pool_review_support import assert_fit, reference

from screener.cli import main
from screener.pooling import escalc, rma
from screener.project import Project

# Two pre/post outcomes (CDASI at two timepoints, Treg at one), as a whole-review export holds
# them: m1i = mean after, m2i = mean before, sd1i = SD before, sd2i = SD after.
PREPOST_CSV = """\
study,outcome,timepoint,data_type,m1i,m2i,sd1i,sd2i,ni,ri
Zhang 2016,CDASI,12 weeks,prepost,18.2,25.1,8.4,7.9,12,0.6
Zhang 2016,CDASI,24 weeks,prepost,15.0,25.1,8.4,7.1,12,0.6
Li 2019,CDASI,12 weeks,prepost,20.5,27.3,9.1,8.8,20,0.5
Li 2019,Treg,12 weeks,prepost,6.1,4.2,1.3,1.5,20,0.4
"""


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def prepost_export(tmp_path: Path, capsys) -> Path:
    """A review with the rows above, imported as extraction, then exported whole."""
    review = tmp_path / "myositis.db"
    Project.create(review, title="IL-2 in myositis", reviewers=["alice"]).close()
    source = tmp_path / "extraction.csv"
    source.write_text(PREPOST_CSV, encoding="utf-8")
    assert run(capsys, "import", review, source, "--as", "extraction")[0] == 0
    exported = tmp_path / "all.csv"
    assert run(capsys, "export", "extraction", review, "--out", exported)[0] == 0
    return exported


@pytest.mark.parametrize("method", ["REML", "DL", "FE"])
def test_the_bcg_demo_exported_then_pooled_gives_metafors_rr(bcg_path, tmp_path, capsys, method):
    exported = tmp_path / "bcg.csv"
    assert (
        run(
            capsys, "export", "extraction", bcg_path, "--outcome", "Tuberculosis", "--out", exported
        )[0]
        == 0
    )
    frame = pd.read_csv(exported)
    assert {"yi", "vi"} <= set(frame.columns) and frame["yi"].isna().all()  # written, empty
    code, out, err = run(capsys, "meta", exported, "--measure", "RR", "--method", method, "--json")
    assert code == 0, err
    result = json.loads(out)
    ref = reference("a_bcg_logRR.json")["tau2_estimators"][method]
    assert result["measure"] == "RR"
    assert assert_fit(result, ref, f"exported BCG RR {method}") >= 10
    assert "Tuberculosis" in err  # which outcome was pooled is said on stderr


def test_a_whole_review_export_is_refused_listing_its_outcomes_and_timepoints(
    prepost_export, capsys
):
    code, out, err = run(capsys, "meta", prepost_export, "--measure", "SMCR")
    assert code != 0 and out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err
    for name in ("CDASI", "Treg", "12 weeks", "24 weeks", "--outcome", "--timepoint"):
        assert name in lines[0], name
    # the outcome alone is not enough: CDASI has two timepoints
    code, _, err = run(capsys, "meta", prepost_export, "--measure", "SMCR", "--outcome", "CDASI")
    assert code != 0 and "12 weeks" in err and "24 weeks" in err and "--timepoint" in err


def test_outcome_and_timepoint_pick_the_rows_to_pool(prepost_export, capsys):
    code, out, err = run(
        capsys,
        "meta",
        prepost_export,
        "--measure",
        "SMCR",
        "--method",
        "FE",
        "--outcome",
        "CDASI",
        "--timepoint",
        "12 weeks",
        "--json",
    )
    assert code == 0, err
    result = json.loads(out)
    # SMCR as metafor's escalc computes it: (m1i - m2i) / sd1i with the exact correction
    rows = pd.read_csv(pd.io.common.StringIO(PREPOST_CSV))
    rows = rows[(rows.outcome == "CDASI") & (rows.timepoint == "12 weeks")]
    expected = rma(escalc(rows, measure="SMCR"), method="FE")
    assert result["k"] == 2
    assert result["estimate"] == pytest.approx(expected.estimate, rel=1e-12)
    # the mean fell after treatment in both studies: the change is negative
    assert result["estimate"] < 0
    code, out, _ = run(
        capsys,
        "meta",
        prepost_export,
        "--measure",
        "SMCR",
        "--method",
        "FE",
        "--outcome",
        "Treg",
        "--json",
    )
    assert code == 0 and json.loads(out)["k"] == 1


@pytest.mark.parametrize(
    ("args", "meaning"),
    [
        (["--outcome", "Fatigue"], "CDASI"),  # unknown: the outcomes listed
        (["--outcome", "CDASI", "--timepoint", "1 year"], "24 weeks"),
    ],
)
def test_unknown_outcome_or_timepoint_lists_what_is_there(prepost_export, capsys, args, meaning):
    code, _, err = run(capsys, "meta", prepost_export, "--measure", "SMCR", *args)
    assert code != 0 and meaning in err and len(err.strip().splitlines()) == 1


def test_generic_rows_of_different_measures_are_never_pooled_together(tmp_path, capsys):
    path = tmp_path / "generic.csv"
    path.write_text(
        "study,outcome,measure,yi,vi\na,Death,OR,-0.2,0.04\nb,Death,RR,-0.1,0.02\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "meta", path)
    assert code != 0 and "OR" in err and "RR" in err
    one = tmp_path / "one.csv"
    one.write_text(
        "study,outcome,measure,yi,vi\na,Death,HR,-0.2,0.04\nb,Death,HR,-0.1,0.02\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "meta", one, "--method", "FE", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["measure"] == "HR"  # the file's measure column names the scale
    assert result["transformed"]["estimate"] == pytest.approx(np.exp(result["estimate"]))
    code, _, err = run(capsys, "meta", one, "--measure", "OR")
    assert code != 0 and "HR" in err


def test_raw_columns_win_over_yi_vi_when_the_measure_is_given(tmp_path, capsys):
    # a file with 2x2 cells and yi/vi of another measure (log RR) pooled as OR
    inp = reference("a_bcg_logRR.json")["inputs"]
    frame = pd.DataFrame(
        {
            "study": inp["author"],
            "ai": inp["tpos"],
            "bi": inp["tneg"],
            "ci": inp["cpos"],
            "di": inp["cneg"],
        }
    )
    rr = escalc(frame, measure="RR")
    frame["yi"], frame["vi"] = rr.yi, rr.vi
    path = tmp_path / "both.csv"
    frame.to_csv(path, index=False)
    code, out, err = run(capsys, "meta", path, "--measure", "OR", "--method", "FE", "--json")
    assert code == 0, err
    ref = reference("d_bcg_binary.json")["OR"]["FE"]
    assert json.loads(out)["estimate"] == pytest.approx(ref["estimate"], rel=1e-10)


def test_subgroup_rows_are_labelled_and_never_counted_twice(tmp_path, capsys):
    path = tmp_path / "sub.csv"
    path.write_text(
        "study,outcome,subgroup,ai,bi,ci,di\nA,Death,men,3,40,6,37\n"
        "A,Death,women,2,30,5,28\nB,Death,,4,50,8,46\n",
        encoding="utf-8",
    )
    plot = tmp_path / "forest.svg"
    code, _, err = run(capsys, "meta", path, "--measure", "RR", "--method", "FE", "--plot", plot)
    assert code == 0, err
    assert "A (men)" in plot.read_text() and "A (women)" in plot.read_text()
    twice = tmp_path / "twice.csv"
    twice.write_text(path.read_text() + "A,Death,,5,70,11,65\n", encoding="utf-8")
    code, _, err = run(capsys, "meta", twice, "--measure", "RR")
    assert code != 0 and "'A'" in err


def test_meta_help_states_the_pre_post_columns(capsys):
    code, out, _ = run(capsys, "meta", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "m1i = mean AFTER" in text and "m2i = mean BEFORE" in text and "sd1i = SD BEFORE" in text
    assert "--outcome" in text and "--timepoint" in text
