"""The numbers from records to forest plot, scripted through the CLI: two included studies'
records, studies created from an extraction CSV whose record_ids column links them, pooled by
``screener pool``; the estimate is checked against a hand computation and PRISMA's "studies
included" against the number of studies pooled."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from pool_review_support import screened_review

from screener.cli import main

# Mean differences (continuous, two groups). Zhang 2021 is reported by records R1 and R2 (the
# trial and its follow-up), Li 2019 by R3; R4 was excluded at full text.
EXTRACTION = """\
study,outcome,timepoint,data_type,m1i,sd1i,n1i,m2i,sd2i,n2i,record_ids
Zhang 2021,Pain,12 weeks,continuous,10,4,20,12,5,25,{r1};{r2}
Li 2019,Pain,12 weeks,continuous,8,3,30,11,3.5,30,{r3}
"""


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_records_to_pooled_estimate_and_prisma_agree(tmp_path: Path, capsys) -> None:
    review = tmp_path / "il2.db"
    project, ids = screened_review(review)
    project.close()
    source = tmp_path / "extraction.csv"
    source.write_text(EXTRACTION.format(r1=ids["R1"], r2=ids["R2"], r3=ids["R3"]), encoding="utf-8")
    code, out, err = run(capsys, "import", review, source, "--as", "extraction")
    assert code == 0, err
    code, out, err = run(
        capsys, "pool", review, "--outcome", "Pain", "--measure", "MD", "--method", "FE", "--json"
    )
    assert code == 0, err
    pooled = json.loads(out)

    # By hand: MD = m1 - m2, var = sd1^2/n1 + sd2^2/n2 (metafor's heteroscedastic MD);
    # Zhang: -2 with 16/20 + 25/25 = 1.8; Li: -3 with 9/30 + 12.25/30 = 0.708333...
    # Inverse-variance FE: weights 1/var, estimate = sum(w y) / sum(w), se = 1/sqrt(sum(w)).
    y = [10 - 12, 8 - 11]
    v = [4**2 / 20 + 5**2 / 25, 3**2 / 30 + 3.5**2 / 30]
    w = [1 / x for x in v]
    estimate = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)
    se = 1 / math.sqrt(sum(w))
    assert pooled["k"] == 2
    assert pooled["estimate"] == pytest.approx(estimate, rel=1e-12)  # -2.7174...
    assert pooled["se"] == pytest.approx(se, rel=1e-12)
    assert pooled["ci_lb"] == pytest.approx(estimate - 1.959963984540054 * se, rel=1e-12)
    assert "studies_not_included" not in pooled  # both studies are supported by records

    code, out, err = run(capsys, "prisma", review, "--format", "json")
    assert code == 0, err
    prisma = json.loads(out)
    assert prisma["new_studies"] == pooled["k"] == 2
    assert prisma["new_reports"] == 3  # R1, R2 (one study) and R3
    assert sorted(prisma["included_studies"]) == ["Li 2019", "Zhang 2021"]
    assert "studies_without_included_report" not in {d["key"] for d in prisma["discrepancies"]}
