"""Risk of bias: the tools' domains and algorithms, per reviewer and consensus, table and plot."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from xml.etree import ElementTree

import pytest

from screener.cli import main
from screener.errors import InvalidInputError
from screener.extraction.rob import TOOLS, get_tool

ROB2_DOMAINS = ("randomization", "deviations", "missing_data", "measurement", "reported_result")


def judged(tool: str, *values: str) -> dict[str, str]:
    return dict(zip((d.key for d in TOOLS[tool].domains), values, strict=True))


@pytest.mark.parametrize(
    ("values", "overall"),
    [
        (("low",) * 5, "low"),
        (("low", "some concerns", "low", "low", "low"), "some concerns"),
        (("low", "some concerns", "some concerns", "low", "some concerns"), "some concerns"),
        (("low", "low", "high", "low", "some concerns"), "high"),
    ],
)
def test_rob2_overall_algorithm(values: tuple[str, ...], overall: str) -> None:
    # Sterne et al. 2019: low if all domains low; high if any domain high; else some concerns.
    assert get_tool("rob2").overall(judged("rob2", *values)) == overall


def test_rob2_explicit_overall_wins_and_partial_gives_none() -> None:
    tool = get_tool("rob2")
    several = judged("rob2", "low", "some concerns", "some concerns", "some concerns", "low")
    assert tool.overall({**several, "overall": "high"}) == "high"  # several concerns judged high
    assert tool.overall({"randomization": "low"}) is None


@pytest.mark.parametrize(
    ("values", "overall"),
    [
        (("low",) * 7, "low"),
        (("low", "moderate", "low", "low", "low", "moderate", "low"), "moderate"),
        (("moderate", "serious", "low", "low", "no information", "low", "low"), "serious"),
        (("critical", "serious", "low", "low", "low", "low", "low"), "critical"),
        (("moderate", "low", "low", "low", "no information", "low", "low"), "no information"),
    ],
)
def test_robins_i_overall_algorithm(values: tuple[str, ...], overall: str) -> None:
    # Sterne et al. 2016: the worst domain; "no information" when information is lacking and
    # nothing is serious or critical.
    assert get_tool("robins_i").overall(judged("robins_i", *values)) == overall


@pytest.mark.parametrize(
    ("stars", "grade"),
    [
        (
            ("1", "1", "1", "0", "2", "1", "1", "0"),
            "good",
        ),  # selection 3, comparability 2, outcome 2
        (("1", "1", "0", "0", "1", "1", "1", "1"), "fair"),  # selection 2
        (("1", "1", "1", "1", "0", "1", "1", "1"), "poor"),  # no comparability star
        (("1", "1", "1", "1", "2", "1", "0", "0"), "poor"),  # outcome 1
    ],
)
def test_newcastle_ottawa_ahrq_conversion(stars: tuple[str, ...], grade: str) -> None:
    assert get_tool("nos_cohort").overall(judged("nos_cohort", *stars)) == grade


def test_jbi_case_series_has_ten_questions_and_no_algorithm() -> None:
    tool = get_tool("jbi_case_series")
    assert len(tool.domains) == 10
    assert tool.overall(judged("jbi_case_series", *["yes"] * 10)) is None
    assert tool.allowed("q4") == ("yes", "unclear", "no", "not applicable")
    assert tool.allowed("overall") == ("include", "seek further info", "exclude")


def test_judgements_are_checked(il2) -> None:
    with pytest.raises(
        InvalidInputError, match="randomization: 'moderate' is not one of: low, some concerns, high"
    ):
        il2.save_rob("Zhang 2021", "rob2", "alice", {"randomization": "moderate"})
    with pytest.raises(InvalidInputError, match="RoB 2 .* has no domain 'confounding'"):
        il2.save_rob("Zhang 2021", "rob2", "alice", {"confounding": "low"})
    with pytest.raises(InvalidInputError, match="unknown risk-of-bias tool 'rob3'"):
        il2.save_rob("Zhang 2021", "rob3", "alice", {})
    assert il2.rob_tools() == []


def assess(project) -> None:
    project.create_study("Li 2020")
    project.create_study("Wang 2022")
    for who in ("alice", "bob"):
        project.save_rob(
            "Zhang 2021",
            "robins_i",
            who,
            judged("robins_i", "serious", "low", "low", "moderate", "low", "low", "low"),
        )
    project.save_rob("Li 2020", "robins_i", "alice", judged("robins_i", *["low"] * 7))
    project.save_rob(
        "Li 2020",
        "robins_i",
        "bob",
        {**judged("robins_i", *["low"] * 7), "measurement": "Moderate"},
        support={"measurement": "outcome assessors knew the treatment"},
    )
    project.save_rob("Wang 2022", "robins_i", "alice", {"confounding": "critical"})


def test_summary_per_study_with_consensus(il2) -> None:
    assess(il2)
    summary = il2.rob_summary("robins_i")
    rows = {r.study: r for r in summary.rows}
    assert rows["Zhang 2021"].overall == "serious" and rows["Zhang 2021"].source == "agreed"
    assert rows["Li 2020"].cells[5] == "?" and rows["Li 2020"].overall == "?"
    assert summary.disagreements == (
        ("Li 2020", "", "measurement", (("alice", "low"), ("bob", "moderate"))),
    )
    assert rows["Wang 2022"].source == "incomplete" and rows["Wang 2022"].overall == ""
    il2.save_rob("Li 2020", "robins_i", "carol", {"measurement": "moderate"}, consensus=True)
    rows = {r.study: r for r in il2.rob_summary("robins_i").rows}
    assert rows["Li 2020"].cells[5] == "moderate" and rows["Li 2020"].overall == "moderate"
    assert il2.rob_summary("robins_i").disagreements == ()


def test_a_disagreement_that_cannot_change_the_overall(il2) -> None:
    il2.save_rob("Zhang 2021", "rob2", "alice", judged("rob2", "low", "low", "high", "low", "low"))
    il2.save_rob(
        "Zhang 2021", "rob2", "bob", judged("rob2", "some concerns", "low", "high", "low", "low")
    )
    row = il2.rob_summary("rob2").rows[0]
    assert row.cells[0] == "?" and row.overall == "high"


def test_traffic_light_plot_and_cli(il2, tmp_path: Path, capsys) -> None:
    assess(il2)
    svg = il2.write_rob_plot("robins_i", tmp_path / "rob.svg")
    tree = ElementTree.parse(svg)
    text = ElementTree.tostring(tree.getroot(), encoding="unicode")
    assert "Zhang 2021" in text and "Li 2020" in text and "Overall" in text
    assert text.count("#bf0000") >= 2 or text.count("#BF0000") >= 2  # serious: red, in two cells
    png = il2.write_rob_plot("robins_i", tmp_path / "rob.png")
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    assert width > 400 and height > 200
    with pytest.raises(
        InvalidInputError, match=r"rob\.gif: the plot is written as \.svg, \.pdf or \.png"
    ):
        il2.write_rob_plot("robins_i", tmp_path / "rob.gif")
    il2.close()
    assert main(["rob", str(il2.path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["tool"] == "robins_i"
    assert {r["study"]: r["overall"] for r in data[0]["rows"]} == {
        "Zhang 2021": "serious",
        "Li 2020": "?",
        "Wang 2022": "",
    }
    assert (
        main(["rob", str(il2.path), "--tool", "robins_i", "--plot", str(tmp_path / "cli.svg")]) == 0
    )
    out = capsys.readouterr().out
    assert "disagreement: Li 2020 measurement: alice low, bob moderate" in out
    assert (tmp_path / "cli.svg").stat().st_size > 1000
