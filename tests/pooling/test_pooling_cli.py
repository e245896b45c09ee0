"""``screener meta``: the CLI contract (keys, values equal to the engine's, errors on one line)."""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from screener.cli.meta import meta_command
from screener.pooling import escalc, regtest, rma, rma_mh, subgroup_analysis, transformed, trimfill

CONTRACT_KEYS = ("k", "estimate", "se", "ci_lb", "ci_ub", "zval", "pval", "tau2", "tau2_ci_lb",
                 "tau2_ci_ub", "I2", "H2", "QE", "QEp", "pi_lb", "pi_ub")  # fmt: skip


@pytest.fixture(scope="module")
def bcg_csv(golden, tmp_path_factory):
    inp = golden.load("a_bcg_logRR.json")["inputs"]
    frame = pd.DataFrame({"study": inp["author"], "ai": inp["tpos"], "bi": inp["tneg"],
                          "ci": inp["cpos"], "di": inp["cneg"], "alloc": inp["alloc"],
                          "yi": None})  # fmt: skip
    frame = frame.drop(columns="yi")
    path = tmp_path_factory.mktemp("csv") / "bcg.csv"
    frame.to_csv(path, index=False)
    return path, frame


def run(*args: str):
    result = CliRunner().invoke(meta_command, [str(a) for a in args])
    return result


def run_json(*args: str) -> dict:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _assert_same(out: dict, res) -> None:
    for key in CONTRACT_KEYS:
        assert key in out, key
        ours = getattr(res, key)
        assert (out[key] is None and ours is None) or out[key] == pytest.approx(ours, rel=1e-12), (
            key
        )


def test_json_keys_equal_the_engine_values(bcg_csv):
    path, frame = bcg_csv
    out = run_json(path, "--measure", "RR")
    res = rma(escalc(frame, measure="RR"), method="REML")
    _assert_same(out, res)
    assert "df" not in out
    back = transformed(res)
    assert out["transformed"] == pytest.approx(back.to_dict(), rel=1e-12)


@pytest.mark.parametrize("method", ["FE", "DL", "PM", "HE", "SJ", "HS", "EB", "ML"])
def test_every_tau2_method(bcg_csv, method):
    path, frame = bcg_csv
    out = run_json(path, "--measure", "OR", "--method", method.lower())
    _assert_same(out, rma(escalc(frame, measure="OR"), method=method))


def test_knha_adds_df_and_reports_t(bcg_csv):
    path, frame = bcg_csv
    out = run_json(path, "--measure", "RR", "--test", "knha")
    res = rma(escalc(frame, measure="RR"), method="REML", test="knha")
    _assert_same(out, res)
    assert out["df"] == res.k - 1 == 12


def test_by_gives_subgroups_and_the_between_test(bcg_csv):
    path, frame = bcg_csv
    out = run_json(path, "--measure", "RR", "--method", "DL", "--by", "alloc")
    sub = subgroup_analysis(escalc(frame, measure="RR"), groups=frame["alloc"], method="DL")
    assert set(out["subgroups"]) == set(sub.levels)
    for level, fit in zip(sub.levels, sub.fits, strict=True):
        _assert_same(out["subgroups"][level], fit)
        assert "transformed" in out["subgroups"][level]
    assert out["Q_between"] == pytest.approx(sub.Q_between, rel=1e-12)
    assert out["p_between"] == pytest.approx(sub.p_between, rel=1e-12)


def test_mantel_haenszel_and_peto(bcg_csv):
    path, frame = bcg_csv
    out = run_json(path, "--measure", "OR", "--method", "MH")
    _assert_same(out, rma_mh(frame, measure="OR"))
    assert out["tau2"] == 0 and out["MH"] > 0
    peto = run_json(path, "--measure", "OR", "--method", "PETO")
    assert peto["measure"] == "PETO" and "transformed" in peto


def test_egger_default_and_lm(bcg_csv):
    path, frame = bcg_csv
    es = escalc(frame, measure="RR")
    out = run_json(path, "--measure", "RR", "--egger")
    eg = regtest(es, model="rma", method="REML")
    assert out["egger_z"] == pytest.approx(eg.stat, rel=1e-12) and out["egger_p"] == pytest.approx(
        eg.pval, rel=1e-12
    )
    out = run_json(path, "--measure", "RR", "--egger", "lm")
    lm = regtest(es, model="lm")
    assert out["egger_t"] == pytest.approx(lm.stat, rel=1e-12) and out["egger_p"] == pytest.approx(
        lm.pval, rel=1e-12
    )
    assert "egger_z" not in out


def test_trimfill_keys(bcg_csv):
    path, frame = bcg_csv
    out = run_json(path, "--measure", "RR", "--trimfill")
    tf = trimfill(escalc(frame, measure="RR"), method="REML")
    assert (out["k0"], out["side"]) == (tf.k0, tf.side) == (1, "right")
    expected = {"trimfill_estimate": tf.fit.estimate, "trimfill_se": tf.fit.se,
                "trimfill_ci_lb": tf.fit.ci_lb, "trimfill_ci_ub": tf.fit.ci_ub}  # fmt: skip
    for key, value in expected.items():
        assert out[key] == pytest.approx(value, rel=1e-12), key


def test_yi_vi_file_needs_no_measure(tmp_path, bcg_csv):
    _, frame = bcg_csv
    es = escalc(frame, measure="RR")
    path = tmp_path / "effects.csv"
    pd.DataFrame({"study": es.labels, "yi": es.yi, "vi": es.vi}).to_csv(path, index=False)
    out = run_json(path)
    assert out["measure"] == "GEN" and "transformed" not in out
    _assert_same(out, rma(es))


def test_text_summary_and_plot(tmp_path, bcg_csv):
    path, _ = bcg_csv
    plot = tmp_path / "forest.svg"
    result = run(path, "--measure", "RR", "--by", "alloc", "--egger", "--trimfill", "--plot", plot)
    assert result.exit_code == 0, result.output
    assert "Random-Effects Model (k = 13; tau^2 estimator: REML)" in result.stdout
    assert "Test for subgroup differences" in result.stdout and "Trim-and-fill" in result.stdout
    assert plot.exists() and "Aronson" in plot.read_text()


def test_favours_labels_reach_the_forest_plot(tmp_path, bcg_csv):
    path, _ = bcg_csv
    plot = tmp_path / "forest.svg"
    result = run(path, "--measure", "RR", "--plot", plot, "--favours", "BCG [vaccine]", "no BCG")
    assert result.exit_code == 0, result.output
    svg = plot.read_text()
    assert "BCG [vaccine]" in svg and "no BCG" in svg


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv", "--measure", "RR"], "no such file"),
        (["{csv}"], "give --measure"),
        (["{csv}", "--measure", "XYZ"], "unknown measure"),
        (["{csv}", "--measure", "SMD"], "needs column"),
        (["{csv}", "--measure", "RR", "--method", "nope"], "unknown --method"),
        (["{csv}", "--measure", "RR", "--by", "region"], "no such column"),
        (["{csv}", "--measure", "RR", "--plot", "forest.gif"], "must end in"),
        (["{csv}", "--measure", "RR", "--method", "MH", "--egger"], "inverse-variance"),
        (["{csv}", "--measure", "SMD", "--method", "MH"], "needs column"),
    ],
)
def test_user_errors_are_one_line(bcg_csv, args, message):
    path, _ = bcg_csv
    result = run(*[a.replace("{csv}", str(path)) for a in args])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.output


def test_empty_and_malformed_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = run(empty, "--measure", "RR")
    assert result.exit_code != 0 and "empty" in result.output
    header_only = tmp_path / "header.csv"
    header_only.write_text("ai,bi,ci,di\n")
    result = run(header_only, "--measure", "RR")
    assert result.exit_code != 0 and "no studies" in result.output
    text = tmp_path / "text.csv"
    text.write_text("ai,bi,ci,di\nx,1,2,3\n")
    result = run(text, "--measure", "RR")
    assert result.exit_code != 0 and "must hold numbers" in result.output


def test_help_has_an_example():
    result = run("--help")
    assert result.exit_code == 0
    assert "Example:" in result.output and "screener meta" in result.output


def test_pft_effects_without_sample_sizes_are_not_back_transformed(tmp_path):
    path = tmp_path / "pft.csv"
    path.write_text("study,yi,vi\na,1.1,0.02\nb,1.0,0.03\nc,1.3,0.025\n")
    out = run_json(path, "--measure", "PFT")
    assert out["measure"] == "PFT" and "transformed" not in out
    with_n = tmp_path / "pft_n.csv"
    with_n.write_text("study,yi,vi,ni\na,1.1,0.02,20\nb,1.0,0.03,30\nc,1.3,0.025,25\n")
    out = run_json(with_n, "--measure", "PFT")
    assert 0 < out["transformed"]["estimate"] < 1


def _csv(tmp_path, name: str, columns: dict) -> str:
    path = tmp_path / f"{name}.csv"
    pd.DataFrame(columns).to_csv(path, index=False)
    return str(path)


@pytest.fixture
def transformed_files(golden, tmp_path):
    """One file per data type, with the measures whose results are back-transformed."""
    bcg = golden.load("a_bcg_logRR.json")["inputs"]
    pritz = golden.load("e_pritz1997_proportions.json")["inputs"]
    normand = golden.load("b_normand1999_continuous.json")["inputs"]
    molloy = golden.load("f_molloy2014_correlations.json")["inputs"]
    two_by_two = _csv(
        tmp_path,
        "bcg",
        {
            "study": bcg["author"],
            "ai": bcg["tpos"],
            "bi": bcg["tneg"],
            "ci": bcg["cpos"],
            "di": bcg["cneg"],
        },
    )
    props = _csv(tmp_path, "pritz", {"study": pritz["study"], "xi": pritz["xi"], "ni": pritz["ni"]})
    means = _csv(
        tmp_path,
        "normand",
        {k: normand[k] for k in ("study", "n1i", "m1i", "sd1i", "n2i", "m2i", "sd2i")},
    )
    cors = _csv(
        tmp_path, "molloy", {"study": molloy["authors"], "ri": molloy["ri"], "ni": molloy["ni"]}
    )
    return {
        "OR": two_by_two,
        "RR": two_by_two,
        "PETO": two_by_two,
        "PLO": props,
        "PLN": props,
        "PAS": props,
        "PFT": props,
        "PR": props,
        "ROM": means,
        "ZCOR": cors,
    }


@pytest.mark.parametrize(
    "measure", ["ZCOR", "PLO", "PLN", "PAS", "PFT", "PR", "ROM", "OR", "RR", "PETO"]
)
def test_json_carries_the_back_transformed_result_the_text_prints(transformed_files, measure):
    path = transformed_files[measure]
    out = run_json(path, "--measure", measure, "--method", "DL")
    text = run(path, "--measure", measure, "--method", "DL")
    assert text.exit_code == 0, text.output
    line = next(t for t in text.stdout.splitlines() if t.startswith("Back-transformed"))
    printed = [float(x) for x in re.findall(r"-?\d+\.\d+", line)]
    back = out["transformed"]
    assert printed == [round(back[k], 4) for k in ("estimate", "ci_lb", "ci_ub", "pi_lb", "pi_ub")]
    assert out["estimate"] != back["estimate"] or measure == "PR"  # both scales are there


def test_zcor_json_back_transformed_is_metafors(golden, transformed_files):
    ref = golden.load("f_molloy2014_correlations.json")["ZCOR"]["REML_backtransformed"]
    out = run_json(transformed_files["ZCOR"], "--measure", "ZCOR")
    back = out["transformed"]
    ours = {
        "pred": back["estimate"],
        "ci.lb": back["ci_lb"],
        "ci.ub": back["ci_ub"],
        "pi.lb": back["pi_lb"],
        "pi.ub": back["pi_ub"],
    }
    assert golden.compare(ref, ours) == golden.leaves(ref)


def test_subgroups_and_trimfill_carry_both_scales_too(transformed_files, tmp_path):
    frame = pd.read_csv(transformed_files["ZCOR"])
    frame["half"] = ["first"] * 8 + ["second"] * (len(frame) - 8)
    path = tmp_path / "halves.csv"
    frame.to_csv(path, index=False)
    out = run_json(path, "--measure", "ZCOR", "--by", "half", "--trimfill")
    for fit in out["subgroups"].values():
        assert fit["transformed"]["estimate"] == pytest.approx(
            math.tanh(fit["estimate"]), rel=1e-12
        )
    assert out["trimfill_transformed"]["estimate"] == pytest.approx(
        math.tanh(out["trimfill_estimate"]), rel=1e-12
    )


def test_log_hazard_ratios_given_as_yi_vi_are_back_transformed(tmp_path):
    # a generic outcome's hazard ratios are exported as log HR (yi) with vi, like OR and RR
    path = tmp_path / "hr.csv"
    path.write_text("study,yi,vi\na,-0.2,0.02\nb,-0.35,0.03\nc,-0.1,0.025\n")
    out = run_json(path, "--measure", "HR", "--method", "FE")
    assert out["transformed"]["estimate"] == pytest.approx(math.exp(out["estimate"]), rel=1e-12)
