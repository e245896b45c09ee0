"""Funnel plots with legends and the small-k caution, the forest plot's data columns by measure,
and the report's fallback figures drawn by the same functions (issue 18, items 1-2)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from screener.pooling import escalc, rma, trimfill
from screener.pooling.analysis import AnalysisSettings, run_analysis
from screener.pooling.cautions import SMALL_K_CAUTION, small_k
from screener.pooling.forest_columns import data_columns
from screener.pooling.plots import funnel_plot
from screener.report import figures

SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: str | Path) -> str:
    root = ET.fromstring(svg) if isinstance(svg, str) else ET.parse(svg).getroot()
    return "\n".join("".join(n.itertext()) for n in root.iter(f"{SVG}text"))


@pytest.fixture(scope="module")
def bcg(golden):
    inp = golden.load("a_bcg_logRR.json")["inputs"]
    return escalc(
        {
            "ai": inp["tpos"],
            "bi": inp["tneg"],
            "ci": inp["cpos"],
            "di": inp["cneg"],
            "study": inp["author"],
        },
        measure="RR",
    )


def test_funnel_legend_names_the_contours_the_pseudo_ci_and_filled_studies(tmp_path, bcg):
    res = rma(bcg, method="FE")
    tf = trimfill(bcg, method="FE")
    assert tf.k0 > 0
    path = tmp_path / "funnel.svg"
    funnel_plot(res, path, filled=tf)
    texts = _texts(path)
    for entry in (
        "p < 0.01",
        "0.01 ≤ p < 0.05",
        "0.05 ≤ p < 0.10",
        "p ≥ 0.10",
        "Pseudo 95% CI",
        "Pooled estimate",
        "Studies",
        "Filled (trim-and-fill)",
    ):
        assert entry in texts, entry
    assert "Risk ratio (log scale)" in texts
    assert "13.3.5.4" not in texts  # k = 13: no small-k caution


def test_funnel_with_fewer_than_ten_studies_carries_the_caution(tmp_path):
    res = rma([0.1, 0.3, -0.2, 0.5], [0.04, 0.05, 0.03, 0.1], labels=list("abcd"))
    path = tmp_path / "funnel.svg"
    funnel_plot(res, path)
    texts = " ".join(_texts(path).split())
    assert " ".join(SMALL_K_CAUTION.split()) in texts  # the one wording, whole
    assert "Filled (trim-and-fill)" not in texts


def test_small_k_rule_is_one_place():
    assert small_k(9) and not small_k(10)
    assert "13.3.5.4" in SMALL_K_CAUTION and "\n" not in SMALL_K_CAUTION


PREPOST = pd.DataFrame(
    {
        "study": ["A", "B", "C"],
        "m1i": [10.0, 12.0, 9.0],
        "m2i": [20.0, 21.0, 18.0],
        "sd1i": [5.0, 6.0, 4.0],
        "sd2i": [4.5, 5.5, 4.2],
        "ni": [12, 15, 9],
        "ri": [0.5, 0.5, 0.5],
    }
)


def test_prepost_columns_are_pre_and_post_means_with_sds_and_n_not_r():
    cols = data_columns(PREPOST, "SMCR")
    assert list(cols) == ["Pre mean (SD)", "Post mean (SD)", "n"]
    assert cols["Pre mean (SD)"][0] == "20 (5)" and cols["Post mean (SD)"][0] == "10 (4.5)"
    assert cols["n"] == ["12", "15", "9"]


def test_prepost_forest_shows_the_data_columns(tmp_path):
    analysis = run_analysis(PREPOST, AnalysisSettings(measure="SMCR"))
    path = analysis.write_forest(
        tmp_path / "forest.svg", favours=("Favours IL-2", "Favours baseline")
    )
    texts = _texts(path)
    assert "Pre mean (SD)" in texts and "20 (5)" in texts and "r (n)" not in texts
    assert "Standardised mean change (SMCR)" in texts and "Favours IL-2" in texts


@pytest.mark.parametrize(
    ("frame", "measure", "headers"),
    [
        (
            {"ai": [3], "bi": [7], "ci": [5], "di": [5]},
            "RR",
            [
                ("Group 1", "Events"),
                ("Group 1", "Total"),
                ("Group 2", "Events"),
                ("Group 2", "Total"),
            ],
        ),
        (
            {"m1i": [1.0], "sd1i": [1.0], "n1i": [10], "m2i": [2.0], "sd2i": [1.0], "n2i": [11]},
            "MD",
            [
                ("Group 1", "Mean"),
                ("Group 1", "SD"),
                ("Group 1", "n"),
                ("Group 2", "Mean"),
                ("Group 2", "SD"),
                ("Group 2", "n"),
            ],
        ),
        ({"xi": [4], "ni": [20]}, "PLO", ["Events", "Total"]),
        ({"ri": [0.3], "ni": [50]}, "ZCOR", ["r", "n"]),
    ],
)
def test_columns_fit_the_measure(frame, measure, headers):
    assert list(data_columns(pd.DataFrame(frame), measure)) == headers


def test_without_raw_data_there_are_only_the_estimate_columns():
    assert data_columns(pd.DataFrame({"yi": [0.1], "vi": [0.02]}), "SMCR") is None
    assert data_columns(pd.DataFrame({"yi": [0.1], "vi": [0.02]}), None) is None


def test_report_forest_is_the_journal_forest(bcg):
    svg = figures.forest_svg(
        list(bcg.labels),
        list(bcg.yi),
        list(bcg.vi),
        estimate=-0.7,
        ci_lb=-1.1,
        ci_ub=-0.3,
        heterogeneity="Heterogeneity: I² = 92%",
        exp=True,
        xlabel="RR",
        favours=("Favours BCG", "Favours control"),
    )
    texts = _texts(svg)
    assert "Risk ratio (log scale)" in texts and "Favours BCG" in texts
    assert "Pooled estimate" in texts and "Heterogeneity: I² = 92%" in texts
    assert "0.50 [0.33, 0.74]" in texts  # exp(-0.7), exp(-1.1), exp(-0.3)


def test_report_funnel_has_the_legend_and_takes_the_caution():
    svg = figures.funnel_svg(
        [0.1, 0.3, -0.2], [0.04, 0.05, 0.03], estimate=0.05, xlabel="MD", caution=SMALL_K_CAUTION
    )
    texts = " ".join(_texts(svg).split())
    assert "Mean difference" in texts and "Pseudo 95% CI" in texts and "13.3.5.4" in texts


def test_a_failed_funnel_leaves_the_earlier_file_whole(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    res = rma([0.1, 0.3, -0.2], [0.04, 0.05, 0.03], labels=["a", "b", "c"])
    path = tmp_path / "funnel.png"
    funnel_plot(res, path)
    good = path.read_bytes()

    def fail(self, fname, **kwargs):
        fname.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", fail)
    with pytest.raises(OSError, match="No space left"):
        funnel_plot(res, path)
    assert path.read_bytes() == good and [p.name for p in tmp_path.iterdir()] == ["funnel.png"]
