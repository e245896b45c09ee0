"""Risk-of-bias figures (issue 18, item 2): the traffic-light plot and the summary bar chart carry
a legend of the judgement colours and name the domains in words, never internal keys."""

from __future__ import annotations

from outputs_support import svg_text

from screener.extraction.rob import TOOLS, RobRow, RobSummary
from screener.extraction.rob_plot import summary_plot, traffic_light
from screener.report import figures

ROB2 = RobSummary(
    TOOLS["rob2"],
    (
        RobRow(
            "Zhang 2021", "", ("low", "high", "some concerns", "low", "low"), "high", "consensus"
        ),
        RobRow(
            "Li 2020",
            "CDASI",
            ("low", "?", "low", "low", "some concerns"),
            "some concerns",
            "agreed",
        ),
        RobRow("Wang 2022", "", ("low",) * 5, "low", "single"),
    ),
    (),
)
ROBINS = RobSummary(
    TOOLS["robins_i"],
    (
        RobRow(
            "Chen 2019",
            "",
            ("serious", "low", "moderate", "low", "no information", "low", "low"),
            "serious",
            "single",
        ),
    ),
    (),
)


def _flat(svg: bytes | str) -> str:
    return " ".join(svg_text(svg).split())


def test_traffic_light_has_a_judgement_legend_and_domains_in_words():
    texts = _flat(traffic_light(ROB2, fmt="svg"))
    for entry in (
        "Judgement",
        "Low (+)",
        "Some concerns (-)",
        "High (x)",
        "Assessors disagree (?)",
    ):
        assert entry in texts, entry
    assert "D1: Randomisation process" in texts and "D5: Selection of the reported result" in texts
    assert "randomization" not in texts and "reported_result" not in texts


def test_robins_i_legend_and_domains():
    texts = _flat(traffic_light(ROBINS, fmt="svg"))
    for entry in ("Low", "Moderate", "Serious", "Critical", "No information", "D1: Confounding"):
        assert entry in texts, entry
    assert "Assessors disagree" not in texts


def test_summary_bars_name_domains_in_words_with_a_legend():
    texts = _flat(summary_plot(ROB2, fmt="svg"))
    for entry in (
        "Randomisation process",
        "Missing outcome data",
        "Overall risk of bias",
        "Low",
        "Some concerns",
        "High",
        "Studies (%)",
    ):
        assert entry in texts, entry
    assert "missing_data" not in texts and "D3" not in texts


def test_weighted_summary_bars_say_so():
    weights = {"Zhang 2021": 50.0, "Li 2020": 30.0, "Wang 2022": 20.0}
    texts = _flat(summary_plot(ROB2, weights=weights, fmt="svg"))
    assert "Share of the meta-analysis weight (%)" in texts
    assert summary_plot(ROB2, weights=weights, fmt="png").startswith(b"\x89PNG")


def test_report_rob_summary_shows_keys_in_words_and_a_legend():
    texts = _flat(
        figures.rob_summary_svg(
            "custom tool",
            {"missing_data": ["low", "high"], "Blinding of assessors": ["some concerns", "low"]},
        )
    )
    assert "Missing data" in texts and "missing_data" not in texts
    assert "Blinding of assessors" in texts
    assert "Judgement" in texts and "Some concerns" in texts and "High" in texts
