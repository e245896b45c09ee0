"""``screener report``: every section, the embedded figures, results.csv and the R script.

The saved analysis is the BCG vaccine trials (Colditz et al. 1994, metafor's dat.bcg) pooled as
log risk ratios with REML; its numbers are metafor 3.8's own (tests/data/metafor, copied from
../shared/reference/metafor), so the exported R script must reproduce them exactly.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
from prisma_support import record_ids

from screener.cli import main
from screener.project import Project
from screener.report.render import EMPTY, SECTIONS
from screener.storage.db import now, transaction
from screener.storage.review import reviewer_id
from screener.storage.rows import insert

BCG = Path(__file__).resolve().parents[1] / "data" / "metafor" / "a_bcg_logRR.json"


def bcg_analysis() -> tuple[dict, dict]:
    """(settings, results) of the BCG REML analysis, as the pooling engine saves one."""
    ref = json.loads(BCG.read_text())
    fit, inputs = ref["tau2_estimators"]["REML"], ref["inputs"]
    egger, tf = ref["egger"]["rma_on_REML"], ref["trimfill"]["REML_L0"]
    labels = [f"{a} {y}" for a, y in zip(inputs["author"], inputs["year"], strict=True)]
    results = {
        "k": fit["k"], "estimate": fit["estimate"], "se": fit["se"], "ci_lb": fit["ci.lb"],
        "ci_ub": fit["ci.ub"], "zval": fit["stat"], "pval": fit["pval"], "tau2": fit["tau2"],
        "I2": fit["I2"], "H2": fit["H2"], "QE": fit["QE"], "QE_df": fit["QE.df"], "QEp": fit["QEp"],
        "pi_lb": fit["pi.lb"], "pi_ub": fit["pi.ub"],
        "transformed": {"estimate": math.exp(fit["estimate"]), "ci_lb": math.exp(fit["ci.lb"]),
                        "ci_ub": math.exp(fit["ci.ub"])},
        "egger_z": egger["stat"], "egger_p": egger["pval"], "k0": tf["k0"], "side": tf["side"],
        "trimfill_estimate": tf["estimate"],
        "trimfill_ci_lb": tf["ci.lb"], "trimfill_ci_ub": tf["ci.ub"],
        "studies": {"label": labels, "yi": inputs["yi"], "vi": inputs["vi"]},
        "data": [{"study": s, "ai": a, "bi": b, "ci": c, "di": d} for s, a, b, c, d in zip(
            labels, inputs["tpos"], inputs["tneg"], inputs["cpos"], inputs["cneg"], strict=True)],
    }  # fmt: skip
    return {"measure": "RR", "method": "REML", "test": "z", "level": 95}, results


def add_extraction(project: Project) -> None:
    """Study-level values (one field discordant between extractors) and RoB 2 judgements."""
    db = project.db
    with transaction(db):
        alice, bob = reviewer_id(db, "alice"), reviewer_id(db, "bob")
        studies = dict(db.execute("SELECT name, id FROM study"))
        form = insert(db, "extraction_form", {"name": "il2", "source": "", "created_at": now()})
        for pos, (key, label) in enumerate((("design", "Design"), ("country", "Country"))):
            insert(
                db,
                "form_field",
                {
                    "form_id": form,
                    "key": key,
                    "label": label,
                    "kind": "text",
                    "level": "study",
                    "position": pos,
                },
            )
        values = [
            ("Smith 2020", "design", alice, "extractor", "RCT"),
            ("Smith 2020", "design", bob, "extractor", "RCT"),
            ("Smith 2020", "country", alice, "extractor", "China"),
            ("Smith 2020", "country", bob, "extractor", "Taiwan"),
            ("Lee 2021", "design", alice, "extractor", "case series"),
            ("Lee 2021", "design", bob, "consensus", "cohort"),
        ]
        for study, field, who, role, value in values:
            insert(
                db,
                "extraction_value",
                {
                    "study_id": studies[study],
                    "field": field,
                    "reviewer_id": who,
                    "role": role,
                    "value": value,
                    "entered_at": now(),
                },
            )
        rob2 = ("randomization", "deviations", "missing_data", "measurement", "reported_result")
        for study, judgements in (
            ("Smith 2020", ("low", "some concerns", "high", "low", "low")),
            ("Lee 2021", ("low",) * 5),
        ):
            for domain, judgement in zip(rob2, judgements, strict=True):
                insert(
                    db,
                    "rob_judgement",
                    {
                        "study_id": studies[study],
                        "tool": "rob2",
                        "domain": domain,
                        "judgement": judgement,
                        "reviewer_id": alice,
                        "role": "consensus",
                        "made_at": now(),
                    },
                )
        # a tool screener does not know: shown as recorded, judgements per domain
        insert(
            db,
            "rob_judgement",
            {
                "study_id": studies["Lee 2021"],
                "tool": "local checklist",
                "domain": "Q1 consecutive inclusion",
                "judgement": "unclear",
                "reviewer_id": bob,
                "made_at": now(),
            },
        )
        settings, results = bcg_analysis()
        insert(
            db,
            "analysis",
            {
                "name": "BCG vaccine and tuberculosis",
                "settings_json": json.dumps(settings),
                "results_json": json.dumps(results),
                "created_at": now(),
            },
        )


def test_report_of_an_early_review_says_what_is_missing(project: Project, tmp_path: Path):
    files = project.write_report(tmp_path / "out")
    html = (tmp_path / "out" / "report.html").read_text()
    for heading in SECTIONS:
        assert f"<h2>{heading}</h2>" in html
    for key in ("criteria", "search", "studies", "rob", "analyses"):
        assert EMPTY[key] in html
    assert (tmp_path / "out" / "analysis.R").read_text().count("No analyses saved yet") == 1
    assert {p.name for p in files} >= {
        "report.html",
        "report.md",
        "results.csv",
        "analysis.R",
        "prisma.svg",
    }


def test_full_report_has_each_section_with_its_data(review: Project, tmp_path: Path):
    add_extraction(review)
    ids = record_ids(review)
    review.record_decision(ids["R2"], "title_abstract", "bob", "exclude")
    out = tmp_path / "report"
    review.write_report(out)
    html = unescape((out / "report.html").read_text())
    md = (out / "report.md").read_text()
    for heading in SECTIONS:
        assert f"<h2>{heading}</h2>" in html and f"## {heading}" in md
    # criteria, search log with its strategy, the diagram inline with its counts
    assert "Does low-dose IL-2 improve myositis?" in html
    assert "interleukin-2 AND myositis [embase]" in html and "ClinicalTrials.gov" in html
    assert "<svg" in html and "Records screened (n = 14)" in html
    assert "Does not add up" in html
    # agreement: alice vs bob at title/abstract, over the 14 records both decided
    assert "alice vs bob" in html and "title/abstract" in html
    # studies: the agreed value, the discordant one side by side, the consensus over an extractor
    assert "RCT" in html and "alice: China / bob: Taiwan" in html and "cohort" in html
    # RoB 2 through the extraction stage (its overall algorithm: any high -> high), a local tool as
    # is
    assert "D1 Randomisation process" in html and "some concerns" in html
    assert (
        "<td>Smith 2020</td><td>all</td><td>low</td><td>some "
        "concerns</td><td>high</td><td>low</td><td>low</td><td>high</td>" in html
    )
    assert "Q1 consecutive inclusion" in html and "unclear" in html
    # the analysis: its numbers, heterogeneity and small-study tests, forest and funnel embedded
    assert "BCG vaccine and tuberculosis" in html
    assert "-0.7145" in html and "92.22" in html
    assert "Egger's regression test" in html and "Trim-and-fill" in html
    assert html.count('src="data:image/svg+xml;base64,') == 4  # forest, funnel, two RoB plots
    assert "figures/analysis-1-forest.svg" in md
    assert "drawn by the pooling engine (refitted: same estimate)" in html
    for name in (
        "analysis-1-forest",
        "analysis-1-funnel",
        "rob-rob2",
        "rob-local-checklist",
        "prisma",
    ):
        assert (out / "figures" / f"{name}.svg").read_text().lstrip().startswith("<svg")
    rows = list(csv.DictReader((out / "results.csv").open()))
    assert rows[0]["analysis"] == "BCG vaccine and tuberculosis"
    assert float(rows[0]["estimate"]) == pytest.approx(-0.714532348365101, rel=1e-12)
    data = list(csv.DictReader((out / "data" / "analysis-1.csv").open()))
    assert len(data) == 13 and set(data[0]) == {"study", "ai", "bi", "ci", "di"}
    script = (out / "analysis.R").read_text()
    assert 'escalc(measure = "RR"' in script and 'method = "REML"' in script
    assert "regtest(res1)" in script and "trimfill(res1)" in script


def test_report_cli_prints_the_main_files(review: Project, tmp_path: Path, capsys):
    review.close()
    assert main(["report", str(review.path), "--out", str(tmp_path / "r"), "--no-pdf"]) == 0
    out = capsys.readouterr().out.split()
    assert [Path(p).name for p in out] == [
        "results.csv",
        "analysis.R",
        "analysis.do",
        "report.md",
        "report.docx",
        "report.html",
    ]
    assert main(["report", str(review.path), "--out", str(tmp_path / "missing" / "r")]) == 1


def _r_with_metafor() -> str | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    probe = subprocess.run([rscript, "-e", "library(metafor)"], capture_output=True, timeout=60)
    return rscript if probe.returncode == 0 else None


def test_exported_r_script_reproduces_the_analysis_with_metafor(review: Project, tmp_path: Path):
    rscript = _r_with_metafor()
    if rscript is None:
        pytest.skip("needs Rscript with the metafor package (not installed here)")
    add_extraction(review)
    out = tmp_path / "report"
    review.write_report(out)
    run = subprocess.run(
        [rscript, "analysis.R"], cwd=out, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "DIFFERS" not in run.stdout and "agree with screener" in run.stdout


def test_an_analysis_the_engine_cannot_refit_gets_simple_plots_and_a_note(
    project: Project, tmp_path: Path
):
    """Hand-made: an MH analysis saved without its 2x2 counts (only yi / vi)."""
    settings, results = bcg_analysis()
    del results["data"]
    with transaction(project.db):
        insert(
            project.db,
            "analysis",
            {
                "name": "BCG, Mantel-Haenszel",
                "settings_json": json.dumps({"measure": "RR", "method": "MH"}),
                "results_json": json.dumps(results),
                "created_at": now(),
            },
        )
    out = tmp_path / "r"
    project.write_report(out)
    html = unescape((out / "report.html").read_text())
    assert "Simple forest and funnel plots" in html
    assert (out / "figures" / "analysis-1-forest.svg").exists()
    script = (out / "analysis.R").read_text()
    assert "MH needs the 2x2 counts" in script and 'method = "EE"' in script
    assert "nothing is compared" in script and "check(" not in script.split("## Analysis 1")[1]
    assert list(csv.DictReader((out / "data" / "analysis-1.csv").open()))[0].keys() == {
        "study",
        "yi",
        "vi",
    }
