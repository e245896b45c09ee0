"""``screener report`` as a PRISMA 2020 document: methods written from the data, the results
sections PRISMA asks for, the DOCX reopened with python-docx, the HTML parsed with lxml.

The constructed review (prisma_support) has known numbers: PubMed, Embase, CNKI, a register and
citation searching; alice and bob screening blind, two per record; full-text exclusions P3 and
E4 (Wrong population) and R1 (Wrong intervention); P1, P2 and H1 included.
"""

from __future__ import annotations

import dataclasses
import json
import platform
from pathlib import Path

import lxml.html
import pytest
from docx import Document
from prisma_support import add_study, record_ids
from test_report import add_extraction

from screener.project import Project
from screener.report.checklist import CHECKLIST, SECTIONS
from screener.report.layout import EMPTY
from screener.report.model import Table
from screener.report.render import render_html
from screener.storage.db import now, transaction
from screener.storage.review import reviewer_id
from screener.storage.rows import insert

HOSTILE = "<script>alert(1)</script> & <b>bold</b> \x1b[2J"


def _section(md: str, heading: str) -> str:
    return md.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def _prepare(review: Project) -> None:
    """Dates searched, a converted value, an orphan study, hostile text in two records."""
    db, ids = review.db, record_ids(review)
    add_extraction(review)
    with transaction(db):
        db.execute("UPDATE file_import SET date_searched = '2024-03-01' WHERE database = 'PubMed'")
        db.execute("UPDATE file_import SET date_searched = '2024-02-15' WHERE database = 'Embase'")
        study = db.execute("SELECT id FROM study WHERE name = 'Smith 2020'").fetchone()[0]
        insert(
            db,
            "extraction_value",
            {
                "study_id": study,
                "field": "sd_baseline",
                "reviewer_id": reviewer_id(db, "alice"),
                "value": "4.2",
                "method": "se_to_sd",
                "method_json": json.dumps({"se": 1, "n": 17.64}),
                "entered_at": now(),
            },
        )
        db.execute(
            "UPDATE record SET title = ? WHERE id IN (?, ?)",
            [f"Excluded {HOSTILE}", ids["P3"], ids["P3"]],
        )
        db.execute("UPDATE record SET title = ? WHERE id = ?", [f"Included {HOSTILE}", ids["P1"]])
    add_study(review, "Orphan 2019", [ids["P4"]])  # no report included: a `check` flag


@pytest.fixture
def written(review: Project, tmp_path: Path) -> tuple[Project, Path]:
    _prepare(review)
    out = tmp_path / "report"
    review.write_report(out)
    return review, out


def test_methods_state_the_numbers_in_the_database(written):
    review, out = written
    md = (out / "report.md").read_text(encoding="utf-8")
    methods = " ".join(_section(md, "Methods").split())
    # sources and the date each was searched
    assert "PubMed, last searched 2024-03-01" in methods
    assert "Embase, last searched 2024-02-15" in methods
    assert "CNKI, date searched not recorded" in methods
    assert "ClinicalTrials.gov (register)" in methods and "5 saved search strategies" in methods
    # deduplication, counted by the dedup stage
    dedup = review.dedup_report()
    assert f"{dedup.duplicates_removed} duplicate records were set aside" in methods
    assert dedup.duplicates_removed == 4
    # screening: reviewers per stage, blinding, kappa with its CI from the screening stage
    assert "At title/abstract, each record was screened by 2 reviewers independently" in methods
    assert "2 reviewers took part (alice and bob)" in methods
    assert "Screening was blind" in methods
    assert (
        "Disagreements were resolved: 2 records at title/abstract by a third reviewer; "
        "1 record at full text by a third reviewer."
    ) in methods
    for pair in review.agreement():
        k = pair.kappa
        assert (
            f"over {pair.n} records both decided: {k.percent_agreement:.1f}%; Cohen's kappa "
            f"{k.kappa:.2f} (95% CI {k.ci_low:.2f} to {k.ci_high:.2f})"
        ) in methods
    assert "title/abstract over 14 records both decided: 78.6%; Cohen's kappa 0.55" in methods
    # extraction: Smith 2020 by alice and bob, Lee 2021 by alice (bob agreed it); a conversion
    assert "in duplicate for 1 study and by one extractor for 1 study" in methods
    assert "SD from a standard error" in methods and "(1 value)" in methods
    # risk of bias, the model, small-study tests, software
    assert "RoB 2" in methods and "(2 studies, 1 assessor)" in methods
    assert (
        "the risk ratio, pooled with a random-effects model with the restricted maximum "
        "likelihood (REML) estimator of tau²"
    ) in methods
    assert "(13 studies)" in methods and "with a prediction interval" in methods
    assert "Egger's regression test and trim-and-fill" in methods
    assert f"Python {platform.python_version()}" in methods and "metafor" in methods


def test_results_hold_exclusions_references_and_flags(written):
    _, out = written
    md = (out / "report.md").read_text(encoding="utf-8")
    exclusions = _section(md, "Full-text exclusions")
    rows = [line for line in exclusions.splitlines() if line.startswith("| Author")]
    assert [(r.split(" | ")[0][2:], r.split(" | ")[2]) for r in rows] == [
        ("AuthorE4 2018", "Wrong population"),
        ("AuthorP3 2017", "Wrong population"),
        ("AuthorR1 2015", "Wrong intervention"),
    ]
    references = _section(md, "References of included studies")
    assert (
        "1. AuthorH1 A, Second B. Record H1: low-dose interleukin-2 trial 0. Journal of "
        "Citation searching. 2015." in references
    )
    assert "3. AuthorP2 A, Second B. Record P2: low-dose interleukin-2 trial 1." in references
    assert references.count("Second B.") == 3
    checks = _section(md, "Data checks")
    assert "Orphan 2019" in checks and "no_included_report" in checks
    assert (
        md.index("## Methods")
        < md.index("## PRISMA 2020 flow diagram")
        < md.index("## Full-text exclusions")
        < md.index("## Analyses")
        < md.index("## PRISMA 2020 checklist")
    )


def test_html_parses_and_hostile_text_stays_text(written):
    _, out = written
    page = lxml.html.parse(str(out / "report.html")).getroot()
    assert [h.text_content() for h in page.iter("h2")] == [title for _, title in SECTIONS]
    assert not page.xpath("//script") and not page.xpath("//b")
    text = page.text_content()
    assert "Included <script>alert(1)</script> & <b>bold</b> \\x1b[2J" in text
    assert "Excluded <script>alert(1)</script>" in text
    assert "\x1b" not in (out / "report.html").read_text(encoding="utf-8")


def test_docx_reopens_with_headings_tables_references_and_figures(written):
    _, out = written
    doc = Document(str(out / "report.docx"))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [title for _, title in SECTIONS]
    assert "Selection process" in [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    texts = [p.text for p in doc.paragraphs]
    assert any(t.startswith("1. AuthorH1 A, Second B. Record H1") for t in texts)
    # hostile text is a run's text: kept literally, the escape shown, never parsed
    assert any("Included <script>alert(1)</script> & <b>bold</b> \\x1b[2J" in t for t in texts)
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert {"Wrong intervention", "reason for exclusion", "Cohen's kappa (95% CI)"} <= cells
    checklist = next(
        t for t in doc.tables if [c.text for c in t.rows[0].cells][:2] == ["item", "topic"]
    )
    assert len(checklist.rows) == len(CHECKLIST) + 1
    assert len(doc.inline_shapes) >= 4  # PRISMA diagram, RoB, forest and funnel as PNG


def test_the_checklist_table_maps_every_item(written):
    _, out = written
    page = lxml.html.parse(str(out / "report.html")).getroot()
    table = page.xpath("//h2[.='PRISMA 2020 checklist']/following::table[1]")[0]
    rows = [[td.text_content() for td in tr.iter("td")] for tr in table.iter("tr")][1:]
    assert [r[0] for r in rows] == [item.number for item in CHECKLIST]
    headings = {h.text_content() for h in page.iter("h2", "h3")}
    for number, _, _, where in rows:
        assert (
            where.startswith("not reported")
            or where in headings
            or where.split(": ")[-1] in headings
        ), (number, where)
    where = {r[0]: r[3] for r in rows}
    assert where["16b"] == "Full-text exclusions" and where["8"] == "Methods: Selection process"
    assert where["1"] == "not reported"
    assert where["22"] == "Summary of findings"  # GRADE, computed for the saved analysis


def test_summary_of_findings_has_its_place(review: Project):
    from screener.flows.report_parts import build_report
    from screener.storage import prisma as store
    from screener.storage.review import load_review

    report = build_report(
        review.db,
        load_review(review.db),
        review.prisma_counts(),
        store.analysis_rows(review.db),
        (),
    )
    assert EMPTY["sof"] in render_html(report)
    table = Table(("outcome", "studies", "certainty"), (("CDASI", "5", "low ⊕⊕◯◯"),))
    html = render_html(
        dataclasses.replace(report, summary_of_findings=(("CDASI [pre/post]", table),))
    )
    page = lxml.html.fromstring(html)
    section = page.xpath("//h2[.='Summary of findings']/following::h3[1]")[0]
    assert section.text_content() == "CDASI [pre/post]" and EMPTY["sof"] not in html
    assert "low ⊕⊕◯◯" in html
