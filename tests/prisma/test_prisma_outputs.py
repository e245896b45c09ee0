"""The PRISMA diagram (SVG, PNG, PDF), the PRISMA2020 CSV template, JSON and the CLI."""

from __future__ import annotations

import csv
import io
import json
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from prisma_support import EXPECTED

from screener.cli import main
from screener.prisma.diagram import PNG_DPI
from screener.prisma.layout import layout
from screener.prisma.template import COLUMNS, ROWS
from screener.project import Project

SVG = "{http://www.w3.org/2000/svg}"


def _box_texts(svg_path: Path) -> dict[str, str]:
    root = ET.parse(svg_path).getroot()
    out = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("id", "").startswith("box-"):
            out[group.get("id")[4:]] = " ".join(t.text or "" for t in group.iter(f"{SVG}tspan"))
    return out


def test_svg_parses_and_every_box_holds_its_count(review: Project, tmp_path: Path):
    path = review.write_prisma(tmp_path / "prisma.svg")
    boxes = _box_texts(path)
    e = EXPECTED
    expected = {
        "identified": [
            f"Databases (n = {e['database_results']})",
            f"Registers (n = {e['register_results']})",
            *(f"{db} (n = {n})" for db, n in {**e["databases"], **e["registers"]}.items()),
        ],
        "removed": [
            f"Duplicate records removed (n = {e['duplicates']})",
            "automation tools (n = 0)",
            "other reasons (n = 0)",
        ],
        "screened": [f"Records screened (n = {e['records_screened']})"],
        "excluded": [f"(n = {e['records_excluded']})"],
        "sought": [f"(n = {e['reports_sought']})"],
        "not_retrieved": [f"(n = {e['reports_not_retrieved']})"],
        "assessed": [f"(n = {e['reports_assessed']})"],
        "reasons": [
            f"Reports excluded: (n = {sum(e['reasons'].values())})",
            *(f"{r} (n = {n})" for r, n in e["reasons"].items()),
        ],
        "included": [f"(n = {e['new_studies']})", f"(n = {e['new_reports']})"],
        "total": [f"(n = {e['total_studies']})", f"(n = {e['total_reports']})"],
        "previous": ["(n = 4)", "(n = 5)"],
        "other_identified": [f"Citation searching (n = {e['citations_results']})"],
        "other_sought": [f"(n = {e['other_sought']})"],
        "other_assessed": [f"(n = {e['other_assessed']})"],
    }
    for key, fragments in expected.items():
        for fragment in fragments:
            assert fragment in boxes[key], (key, fragment, boxes[key])
    root = ET.parse(path).getroot()
    bands = [
        t.text
        for t in root.iter(f"{SVG}text")
        if t.text in ("Identification", "Screening", "Included")
    ]
    assert bands == ["Identification", "Screening", "Included"]
    warnings = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "warning"]
    assert any("no final title/abstract decision" in w for w in warnings)
    assert len(list(root.iter(f"{SVG}polyline"))) == len(layout(review.prisma_counts()).arrows)


def test_without_other_methods_or_previous_the_columns_are_left_out(
    tmp_path: Path, project: Project
):
    path = project.write_prisma(tmp_path / "p.svg")
    boxes = _box_texts(path)
    assert "other_identified" not in boxes and "previous" not in boxes
    assert "Studies included in review (n = 0)" in boxes["included"]


def test_png_renders_at_the_expected_size(review: Project, tmp_path: Path):
    from PIL import Image

    path = review.write_prisma(tmp_path / "prisma.png")
    lay = layout(review.prisma_counts())
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (lay.width * PNG_DPI // 100, lay.height * PNG_DPI // 100)
        # not blank: the boxes' black outlines are drawn
        assert image.convert("L").getextrema()[0] < 50


def test_pdf_is_written(review: Project, tmp_path: Path):
    path = review.write_prisma(tmp_path / "prisma.pdf")
    assert path.read_bytes().startswith(b"%PDF-")


def test_csv_has_the_template_columns_keys_and_counts(review: Project, tmp_path: Path):
    path = review.write_prisma(tmp_path / "prisma.csv")
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert (
            tuple(reader.fieldnames)
            == COLUMNS
            == ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")
        )
        rows = list(reader)
    assert [(r["data"], r["node"], r["box"]) for r in rows] == [row[:3] for row in ROWS]
    n = {r["data"]: r["n"] for r in rows if r["data"] != "NA"}
    for key in (
        "previous_studies",
        "database_results",
        "register_results",
        "duplicates",
        "records_screened",
        "records_excluded",
        "dbr_sought_reports",
        "dbr_notretrieved_reports",
        "dbr_assessed",
        "new_studies",
        "new_reports",
        "total_studies",
        "citations_results",
        "other_sought_reports",
    ):
        assert key in n
    e = EXPECTED
    assert int(n["database_results"]) == e["database_results"]
    assert int(n["records_screened"]) == e["records_screened"]
    assert int(n["dbr_assessed"]) == e["reports_assessed"]
    assert int(n["total_reports"]) == e["total_reports"]
    assert n["database_specific_results"] == "PubMed, 6; Embase, 5; CNKI, 4"
    assert n["dbr_excluded"] == "Wrong population, 2; Wrong intervention, 1"


def test_cli_json_goes_to_stdout_and_problems_to_stderr(review: Project, capsys):
    review.close()
    assert main(["prisma", str(review.path), "--format", "json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["records_screened"] == EXPECTED["records_screened"]
    assert data["dbr_excluded"] == EXPECTED["reasons"]
    assert "does not add up" in captured.err
    assert main(["prisma", str(review.path), "--strict", "--format", "txt"]) == 1


def test_cli_sets_manual_counts_and_writes_by_extension(review: Project, tmp_path: Path, capsys):
    review.close()
    out = tmp_path / "flow.svg"
    assert (
        main(
            [
                "prisma",
                str(review.path),
                "--set",
                "excluded_other=0",
                "--set",
                "previous_studies=7",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    ET.parse(out)
    assert "(n = 7)" in _box_texts(out)["previous"]
    capsys.readouterr()
    assert main(["prisma", str(review.path), "--set", "records_screened=3"]) == 1
    assert main(["prisma", str(review.path), "--out", str(tmp_path / "flow.docx")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert "unknown PRISMA count 'records_screened'" in err[0]
    assert "flow.docx: cannot tell the format" in err[-1]


@pytest.mark.parametrize(
    "command", [["prisma"], ["report"], ["export", "ris"], ["export", "decisions"]]
)
def test_every_command_has_help_with_an_example(command, capsys):
    assert main([*command, "--help"]) == 0
    assert "Example:" in capsys.readouterr().out


def test_txt_diagram_lists_the_counts(review: Project):
    text = io.StringIO()
    from screener.prisma.text import text_diagram

    text.write(text_diagram(review.prisma_counts()))
    body = text.getvalue()
    assert "Records screened" in body and "Wrong population 2" in body and "Does not add up" in body


def test_chinese_source_and_reason_reach_every_output(tmp_path: Path):
    """Hand-made: a CNKI export named in Chinese, a reason in Chinese, one reviewer."""
    source = tmp_path / "cnki.csv"
    source.write_text(
        "title,authors,year\n低剂量白细胞介素-2治疗皮肌炎,张三,2020\n"
        "白细胞介素-2与调节性T细胞,李四,2021\n",
        encoding="utf-8",
    )
    with Project.create(
        tmp_path / "zh.db", title="IL-2", exclusion_reasons=("研究类型不符",), reviewers=("王",)
    ) as project:
        project.import_file(source, fmt="csv", source="中国知网")
        first, second = project.screened_record_ids()
        project.record_decision(first, "title_abstract", "王", "include")
        project.record_decision(first, "full_text", "王", "exclude", reason="研究类型不符")
        project.record_decision(second, "title_abstract", "王", "exclude")
        boxes = _box_texts(project.write_prisma(tmp_path / "zh.svg"))
        assert "中国知网 (n = 2)" in boxes["identified"]
        assert "研究类型不符 (n = 1)" in boxes["reasons"]
        rows = {
            r["data"]: r["n"]
            for r in csv.DictReader(
                io.StringIO(project.write_prisma(tmp_path / "zh.csv").read_text(encoding="utf-8"))
            )
        }
        assert rows["dbr_excluded"] == "研究类型不符, 1"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert project.write_prisma(tmp_path / "zh.png").stat().st_size > 0
        # at most one warning (when no CJK font is installed), never one per glyph
        assert len(caught) <= 1
