"""Plots and SVGs take any label (issue "Plots and SVGs take any label").

Study labels, source names, reasons and analysis names are data: never matplotlib mathtext,
control characters shown as visible escapes, every SVG well-formed XML (checked with lxml, no
entity expansion, no network), whatever the text.
"""

from __future__ import annotations

import base64
import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from outputs_support import (
    ANALYSIS,
    MATHTEXT,
    OUTCOME,
    STUDIES,
    bad_xml_chars,
    hostile_review_with_analysis,
    parse_xml,
    svg_text,
)

from screener.cli import main
from screener.display import visible
from screener.extraction.rob import TOOLS, RobRow, RobSummary
from screener.extraction.rob_plot import traffic_light
from screener.pooling import rma
from screener.pooling.plots import forest_plot, funnel_plot
from screener.prisma.diagram import render, render_svg
from screener.project import Project
from screener.report import figures

# Every code point hypothesis can give (it leaves out lone surrogates, which no UTF-8 text read
# from a file or from SQLite can hold), with controls, "$" and backslashes made frequent.
LABEL = st.text(
    st.one_of(st.characters(), st.sampled_from("$\\{}^_\x00\x1b\x07\n\r\t\x85\ufffe")),
    min_size=1,
    max_size=40,
)
SLOW = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    hostile_review_with_analysis(path).close()
    return path


def test_report_of_the_hostile_review_is_written_with_well_formed_figures(
    hostile_db: Path, tmp_path: Path
):
    out = tmp_path / "report"
    assert main(["report", str(hostile_db), "--out", str(out)]) == 0
    svgs = sorted((out / "figures").glob("*.svg"))
    assert {p.stem for p in svgs} >= {
        "prisma",
        "analysis-1-forest",
        "analysis-1-funnel",
        "rob-rob2",
    }
    for path in [*svgs, out / "prisma.svg"]:
        parse_xml(path.read_bytes())
    forest = svg_text((out / "figures" / "analysis-1-forest.svg").read_bytes())
    assert MATHTEXT in forest  # shown as typed, not typeset
    assert "ctl \\x1b[31m red \\x07 bell \\x01 soh" in forest
    assert "=cmd|' /C calc'!A0" in forest
    assert "Pooled $\\frac{1}{$ and \\x1b[2J" in svg_text(
        (out / "figures" / "analysis-1-forest.svg").read_bytes()
    )
    rob = svg_text((out / "figures" / "rob-rob2.svg").read_bytes())
    assert MATHTEXT in rob and "\\x1b[31m" in rob
    prisma = svg_text((out / "prisma.svg").read_bytes())
    assert "Hostile [DB] \\x1b[31m" in prisma  # the source name, escaped
    html = (out / "report.html").read_text(encoding="utf-8")
    assert bad_xml_chars(html) == [] and "\x1b" not in html
    for data in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html):
        parse_xml(base64.b64decode(data))  # what the browser parses as XML
    inline = re.search(r'<div class="figure-svg">(<svg.*?</svg>)', html, re.S)
    assert inline is not None
    parse_xml(inline.group(1))
    assert "\x1b" not in (out / "report.md").read_text(encoding="utf-8")


def test_pool_plot_with_a_mathtext_label_writes_the_forest_and_funnel(
    hostile_db: Path, tmp_path: Path
):
    forest, funnel = tmp_path / "forest.svg", tmp_path / "funnel.png"
    code = main(
        [
            "pool",
            str(hostile_db),
            "--outcome",
            OUTCOME,
            "--measure",
            "RR",
            "--plot",
            str(forest),
            "--funnel",
            str(funnel),
            "--name",
            ANALYSIS,
            "--reviewer",
            "rev_a",
        ]
    )
    assert code == 0
    texts = svg_text(forest.read_bytes())
    for label in STUDIES[:4]:
        assert visible(label).replace("\ufffe", "\\ufffe").replace("\uffff", "\\uffff") in texts
    assert funnel.read_bytes().startswith(b"\x89PNG")


def test_a_failed_plot_leaves_the_earlier_file_whole(tmp_path: Path, monkeypatch):
    """A failure while the figure is saved (here: after half the bytes) keeps the old file."""
    from matplotlib.figure import Figure

    res = rma([0.1, 0.3, -0.2], [0.04, 0.05, 0.03], labels=["a", "b", "c"])
    path = tmp_path / "forest.svg"
    forest_plot(res, path)
    good = path.read_bytes()

    def fail_halfway(self, fname, **kwargs):
        half = good[: len(good) // 2]
        if isinstance(fname, (str, Path)):
            Path(fname).write_bytes(half)
        else:
            fname.write(half)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", fail_halfway)
    with pytest.raises(Exception, match="No space left"):
        forest_plot(res, path)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["forest.svg"]  # no temporary file left


@SLOW
@given(labels=st.lists(LABEL, min_size=2, max_size=4), title=LABEL)
def test_forest_and_funnel_take_any_label(tmp_path: Path, labels: list[str], title: str):
    k = len(labels)
    res = rma([0.1 * i for i in range(k)], [0.05 + 0.01 * i for i in range(k)], labels=labels)
    path = tmp_path / "forest.svg"
    forest_plot(res, path, title=title, columns={title: labels})
    texts = svg_text(path.read_bytes())
    assert "\x1b" not in texts
    funnel_plot(res, tmp_path / "funnel.svg", title=title)
    parse_xml((tmp_path / "funnel.svg").read_bytes())
    svg = figures.forest_svg(
        labels,
        [0.1] * k,
        [0.05] * k,
        estimate=0.1,
        ci_lb=0.0,
        ci_ub=0.2,
        heterogeneity=title,
        xlabel=title,
    )
    parse_xml(svg)
    parse_xml(figures.rob_summary_svg(title, {label: ["low", title] for label in labels}))


@SLOW
@given(study=LABEL, outcome=LABEL)
def test_the_traffic_light_plot_takes_any_label(study: str, outcome: str):
    summary = RobSummary(
        TOOLS["rob2"],
        (RobRow(study, outcome, ("low", "high", "", "low", "low"), "high", "consensus"),),
        (),
    )
    texts = svg_text(traffic_light(summary, fmt="svg", title=outcome))
    assert "\x1b" not in texts
    assert traffic_light(summary, fmt="png").startswith(b"\x89PNG")


@SLOW
@given(name=LABEL, reason=LABEL)
def test_the_prisma_diagram_takes_any_source_name_and_reason(
    project: Project, name: str, reason: str
):
    counts = project.prisma_counts()
    counts = dataclasses.replace(
        counts,
        databases=((name, 5),),
        main=dataclasses.replace(counts.main, reasons=((reason, 2),)),
        notes=(f"note on {name}",),
    )
    texts = svg_text(render_svg(counts))
    assert "\x1b" not in texts and "\x00" not in texts
    assert render(counts, "png").startswith(b"\x89PNG")


def test_the_text_diagram_on_a_terminal_shows_control_characters(hostile_db: Path, capsys):
    assert main(["prisma", str(hostile_db)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[31m" in out
