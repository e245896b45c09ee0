"""The analyses ``screener meta`` reaches beside the pooled model (meta-regression, leave-one-out,
influence, cumulative, Begg, --level, per-study weights) against metafor 3.8, through the path the
commands take: a study table, :func:`run_analysis` and the ``--json`` object.

The reference values are ``h_reachable_analyses.json``, written by ``h_reachable_analyses.R``;
R is needed only to regenerate them (the last test re-runs the script where Rscript exists).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pandas as pd
import pytest

from screener.pooling.analysis import AnalysisSettings, run_analysis
from screener.pooling.further import FurtherRequest
from tests.pooling.conftest import DATA, compare, load

REF = load("h_reachable_analyses.json")
BLOCKS = ("bcg_RR_REML", "prepost_SMCR_REML", "egger2001_OR_DL")


def table(block: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(block["data"])


def run(block: dict[str, Any], *, level: float = 95, test: str = "z", **further: Any) -> dict:
    settings = AnalysisSettings(
        measure=block["measure"],
        method=block["method"],
        test=test,
        level=level,
        further=FurtherRequest(**further),
    )
    return run_analysis(table(block), settings).to_dict()


def series_view(out: dict[str, Any]) -> dict[str, Any]:
    return {
        "study": out["study"],
        "estimate": out["estimate"],
        "se": out["se"],
        "pval": out["pval"],
        "ci.lb": out["ci_lb"],
        "ci.ub": out["ci_ub"],
        "Q": out["Q"],
        "tau2": out["tau2"],
        "I2": out["I2"],
    }


def regression_view(out: dict[str, Any]) -> dict[str, Any]:
    coefs = out["coefficients"]
    names = list(coefs)

    def col(key: str) -> list[float]:
        return [coefs[n][key] for n in names]

    return {
        "k": out["k"],
        "names": names,
        "estimate": col("estimate"),
        "se": col("se"),
        "zval": col("zval"),
        "pval": col("pval"),
        "ci.lb": col("ci_lb"),
        "ci.ub": col("ci_ub"),
        "QM": out["QM"],
        "QMdf": out["QM_df"],
        "QMp": out["QMp"],
        "QE": out["QE"],
        "QEdf": out["QE_df"],
        "QEp": out["QEp"],
        "tau2": out["tau2"],
        "I2": out["I2"],
        "R2": out["R2"],
    }


def fit_view(out: dict[str, Any]) -> dict[str, Any]:
    return {
        "k": out["k"],
        "level": out["level"],
        "estimate": out["estimate"],
        "se": out["se"],
        "ci.lb": out["ci_lb"],
        "ci.ub": out["ci_ub"],
        "zval": out["zval"],
        "pval": out["pval"],
        "tau2": out["tau2"],
        "I2": out["I2"],
        "QE": out["QE"],
        "weights": out["studies"]["weight_percent"],
    }


@pytest.mark.parametrize("name", BLOCKS)
def test_the_pooled_model_and_its_weights(name):
    block = REF[name]
    out = run(block)
    assert compare(block["fit"], fit_view(out)) > 10
    assert out["studies"]["yi"] == pytest.approx(block["yi"], rel=1e-9)


@pytest.mark.parametrize("name", BLOCKS)
def test_a_90_percent_level(name):
    block = REF[name]
    out = run(block, level=90, leave_one_out=True, cumulative=block["cumulative_order"])
    compare(block["fit_level90"], fit_view(out))
    compare(block["leave1out_level90"], series_view(out["leave_one_out"]))
    compare(block["cumulative_level90"], series_view(out["cumulative"]))
    assert out["ci_ub"] - out["ci_lb"] < run(block)["ci_ub"] - run(block)["ci_lb"]


@pytest.mark.parametrize(
    ("name", "mods"), [(b, m) for b in BLOCKS for m in REF[b]["meta_regression"]]
)
def test_meta_regression(name, mods):
    block = REF[name]
    out = run(block, mods=tuple(mods.split(",")))["meta_regression"]
    assert out["moderators"] == mods.split(",") and out["studies_left_out"] == []
    assert compare(block["meta_regression"][mods], regression_view(out)) > 12


@pytest.mark.parametrize("name", BLOCKS)
def test_meta_regression_with_knha(name):
    block = REF[name]
    mods = tuple(block["meta_regression_knha_mods"].split(","))
    out = run(block, test="knha", mods=mods)["meta_regression"]
    compare(block["meta_regression_knha"], regression_view(out))


@pytest.mark.parametrize("name", BLOCKS)
def test_leave_one_out(name):
    block = REF[name]
    out = run(block, leave_one_out=True)["leave_one_out"]
    assert compare(block["leave1out"], series_view(out)) >= 9 * len(block["yi"])


@pytest.mark.parametrize("test", ["z", "knha"])
@pytest.mark.parametrize("name", BLOCKS)
def test_influence(name, test):
    block = REF[name]
    ref = block["influence" if test == "z" else "influence_knha"]
    out = run(block, influence=True, test=test)["influence"]
    view = {
        "study": out["study"],
        "rstudent": out["rstudent"],
        "dffits": out["dffits"],
        "cook.d": out["cook_d"],
        "cov.r": out["cov_r"],
        "tau2.del": out["tau2_del"],
        "QE.del": out["QE_del"],
        "hat": out["hat"],
        "weight": out["weight"],
        "dfbs": out["dfbetas"],
    }
    compare({k: v for k, v in ref.items() if k != "inf"}, view)
    assert out["inf"] == ref["inf"]


@pytest.mark.parametrize("name", BLOCKS)
def test_cumulative(name):
    block = REF[name]
    order = block["cumulative_order"]
    out = run(block, cumulative=order)["cumulative"]
    assert out["order"] == order
    compare(block["cumulative"], series_view(out))
    assert out["order_values"] == sorted(out["order_values"])


@pytest.mark.parametrize("name", BLOCKS)
def test_begg(name):
    block = REF[name]
    out = run(block, begg=True)
    compare(block["ranktest"], {"tau": out["begg_tau"], "pval": out["begg_p"]})


def test_precision_order_adds_the_smallest_variance_first():
    block = REF["egger2001_OR_DL"]
    out = run(block, cumulative="precision")["cumulative"]
    variances = dict(zip(table(block)["study"], block["vi"], strict=True))
    assert [variances[s] for s in out["study"]] == sorted(block["vi"])


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="needs R with metafor")
def test_the_reference_file_is_what_the_script_writes():
    script = DATA / "h_reachable_analyses.R"
    done = subprocess.run(
        ["Rscript", str(script)], capture_output=True, text=True, check=True, timeout=600
    )
    assert json.loads(done.stdout) == REF
