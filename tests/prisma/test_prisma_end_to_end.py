"""One small review carried from two databases (PubMed searched twice, Embase imported) through
dedup, blind dual screening with a resolved conflict, full text, an extraction CSV that links
studies to their reports, pooling, PRISMA and the report, through the CLI and the façade: every
PRISMA box and the pooled estimate checked against numbers worked out by hand.

Hand-made: the PubMed records are recorded efetch answers (tests/data/pubmed) served by the
fake E-utilities server; the Embase RIS file is written here, two of its four records being the
same articles as two PubMed records.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from pathlib import Path

import pytest

from screener.cli import main
from screener.project import Project

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "search"))
from fake_eutils import FakeEutils  # noqa: E402

EMAIL = "reviewer@example.org"
TERM = "interleukin-2[tiab] AND myositis[tiab]"
FIRST_RUN = ["11748933", "11700088", "9997", "29963580", "29872490", "32759406"]
ADDED_LATER = ["30108519"]  # published between the two runs

# CDASI after minus before would be a pre/post outcome; here, two groups at 24 weeks (MD).
EXTRACTION = """\
study,outcome,timepoint,data_type,m1i,sd1i,n1i,m2i,sd2i,n2i,record_ids
Okafor 2021,CDASI,24 weeks,continuous,20,6,12,26,7,12,{okafor};{okafor2}
Moreau 2022,CDASI,24 weeks,continuous,18,5,10,21,4,10,{moreau}
"""

EMBASE_RIS = """\
TY  - JOUR
TI  - Is cryopreservation a homogeneous process? Ultrastructure and motility of untreated, prefreezing, and postthawed spermatozoa of Diplodus puntazzo (Cetti).
AU  - Taddei, A.R.
AU  - Barbato, F.
PY  - 2001
JO  - Cryobiology
VL  - 42
IS  - 4
SP  - 244
EP  - 255
DO  - 10.1006/cryo.2001.2328
ER  -

TY  - JOUR
TI  - Development of a pulmonary imaging biomarker pipeline for phenotyping of chronic lung disease.
AU  - Guo, Fumin
AU  - Capaldi, Dante
PY  - 2018
JO  - Journal of medical imaging (Bellingham, Wash.)
VL  - 5
IS  - 2
SP  - 026002
DO  - 10.1117/1.jmi.5.2.026002
ER  -

TY  - JOUR
TI  - Low-dose interleukin-2 for refractory dermatomyositis: an open-label trial
AU  - Okafor, Chiamaka
AU  - Lindqvist, Erik
PY  - 2021
JO  - Rheumatology International
VL  - 41
IS  - 7
SP  - 1201
EP  - 1210
DO  - 10.1007/s00296-021-04881-2
ER  -

TY  - JOUR
TI  - Regulatory T cells after interleukin-2 in idiopathic inflammatory myopathies: a cohort study
AU  - Moreau, Juliette
AU  - Tanaka, Hiroshi
PY  - 2022
JO  - Arthritis Research & Therapy
VL  - 24
SP  - 88
DO  - 10.1186/s13075-022-02777-9
ER  -
"""  # noqa: E501 (a real Embase title, kept whole)


def test_a_review_from_two_databases_to_included_studies(tmp_path: Path, capsys) -> None:
    review = tmp_path / "il2.db"
    query = tmp_path / "il2-myositis.pubmed.txt"
    query.write_text(f"# name: il2-myositis\n# database: PubMed\n{TERM}\n", encoding="utf-8")
    embase = tmp_path / "embase.ris"  # names no database: --source says it
    embase.write_text(EMBASE_RIS, encoding="utf-8")
    Project.create(
        review,
        title="Low-dose IL-2 in myositis",
        reviewers=["alice", "bob", ("carol", "arbiter")],
        reviewers_title_abstract=2,
        reviewers_full_text=1,
        blind=True,
        exclusion_reasons=("Wrong population", "Wrong design"),
    ).close()

    # --- identification: PubMed twice (an update), Embase once --------------------------------
    with FakeEutils() as fake:
        fake.add_fixtures(TERM)
        fake.set_query(TERM, FIRST_RUN)
        search = [
            "search",
            str(review),
            str(query),
            "--eutils-url",
            fake.base_url,
            "--email",
            EMAIL,
        ]
        assert main(search) == 0
        fake.set_query(TERM, FIRST_RUN + ADDED_LATER)
        assert main(search) == 0
    assert main(["import", str(review), str(embase)]) == 1  # which database? it does not say
    assert main(["import", str(review), str(embase), "--source", "Embase"]) == 0
    assert main(["dedup", str(review)]) == 0
    capsys.readouterr()

    with Project.open(review) as project:
        key = {
            pmid: rid
            for rid, pmid in project.db.execute("SELECT id, pmid FROM record WHERE pmid <> ''")
        }
        by_doi = dict(project.db.execute("SELECT doi, id FROM record WHERE import_id IS NOT NULL"))
        okafor, moreau = by_doi["10.1007/s00296-021-04881-2"], by_doi["10.1186/s13075-022-02777-9"]
        screened = set(project.screened_record_ids())
        # the two Embase copies of PubMed records were merged into their PubMed twins
        assert len(screened) == 9 and {okafor, moreau} <= screened

        # --- title/abstract: alice and bob, blind; one conflict, resolved by carol -----------
        include = [key["11748933"], key["29963580"], key["30108519"], okafor]
        exclude = [key["11700088"], key["9997"], key["29872490"], key["32759406"]]
        for reviewer in ("alice", "bob"):
            for rid in include:
                project.record_decision(rid, "title_abstract", reviewer, "include")
            for rid in exclude:
                project.record_decision(rid, "title_abstract", reviewer, "exclude")
        project.record_decision(moreau, "title_abstract", "alice", "include")
        project.record_decision(moreau, "title_abstract", "bob", "exclude")
        assert [c.record_id for c in project.conflicts("title_abstract")] == [moreau]
        project.resolve_conflict(moreau, "title_abstract", "include", "carol")

        # --- full text: one not retrieved, one excluded with a reason, three included --------
        project.mark_not_retrieved(key["30108519"], "alice")
        project.record_decision(
            key["29963580"], "full_text", "alice", "exclude", reason="Wrong population"
        )
        for rid in (key["11748933"], okafor, moreau):
            project.record_decision(rid, "full_text", "alice", "include")
        ids = {"okafor": okafor, "okafor2": key["11748933"], "moreau": moreau}

    # --- extraction: a CSV whose record_ids link each study to its reports --------------------
    # two reports of one trial (Okafor 2021), and one of another (Moreau 2022)
    extraction = tmp_path / "extraction.csv"
    extraction.write_text(EXTRACTION.format(**ids), encoding="utf-8")
    assert main(["import", str(review), str(extraction), "--as", "extraction"]) == 0
    capsys.readouterr()
    assert (
        main(
            [
                "pool",
                str(review),
                "--outcome",
                "CDASI",
                "--measure",
                "MD",
                "--method",
                "FE",
                "--json",
            ]
        )
        == 0
    )
    pooled = json.loads(capsys.readouterr().out)
    # By hand: MD = m1 - m2, var = sd1^2/n1 + sd2^2/n2. Okafor: 20 - 26 = -6 with
    # 36/12 + 49/12 = 7.0833...; Moreau: 18 - 21 = -3 with 25/10 + 16/10 = 4.1.
    # Fixed effect: weights 1/var; estimate = sum(w y) / sum(w); se = 1/sqrt(sum(w)).
    y = [20 - 26, 18 - 21]
    v = [6**2 / 12 + 7**2 / 12, 5**2 / 10 + 4**2 / 10]
    w = [1 / x for x in v]
    assert pooled["k"] == 2
    assert pooled["estimate"] == pytest.approx(
        sum(a * b for a, b in zip(w, y, strict=True)) / sum(w), rel=1e-12
    )  # -4.0993...
    assert pooled["se"] == pytest.approx(1 / math.sqrt(sum(w)), rel=1e-12)
    assert "studies_not_included" not in pooled

    assert main(["prisma", str(review), "--format", "json", "--strict"]) == 0
    c = json.loads(capsys.readouterr().out)
    # Identification. PubMed: 6 PMIDs in the first run, 7 in the second of which 6 the first run
    # had identified already: 6 + 1 = 7 (not 6 + 7 = 13). Embase: its 4 records.
    assert c["databases"] == {"PubMed": 7, "Embase": 4}
    assert c["database_results"] == 7 + 4 == 11
    # The two Embase records that are PubMed articles, merged by dedup.
    assert c["duplicates"] == 2
    assert (c["excluded_automatic"], c["excluded_other"]) == (0, 0)
    # Screening: 11 identified − 2 duplicates = 9 records.
    assert c["records_screened"] == 11 - 2 == 9
    # Both excluded the same 4; both included 4; the conflict resolved to include.
    assert c["records_excluded"] == 4
    assert c["dbr_sought_reports"] == 4 + 1 == 5
    assert c["dbr_notretrieved_reports"] == 1  # 30108519
    assert c["dbr_assessed"] == 5 - 1 == 4
    assert c["dbr_excluded"] == {"Wrong population": 1}  # 29963580
    # Included: 4 assessed − 1 excluded = 3 reports, of 2 studies (Okafor 2021 has two).
    assert c["dbr_included_reports"] == 4 - 1 == 3
    assert (c["new_reports"], c["new_studies"], c["studies_basis"]) == (3, 2, "studies")
    assert c["discrepancies"] == []
    assert c["other_methods"] is False

    # The CSV for the PRISMA2020 app, the text diagram and the search log say the same.
    assert main(["prisma", str(review), "--format", "csv"]) == 0
    rows = {r["data"]: r["n"] for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert rows["database_specific_results"] == "PubMed, 7; Embase, 4"
    assert (rows["duplicates"], rows["records_screened"], rows["dbr_excluded"]) == (
        "2",
        "9",
        "Wrong population, 1",
    )
    assert (rows["new_studies"], rows["new_reports"]) == ("2", "3")
    assert main(["searches", str(review), "--json"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert [(e["database"], e["identified"]) for e in log] == [
        ("PubMed", 6),
        ("PubMed", 1),
        ("Embase", 4),
    ]
    assert [e.get("count_reported") for e in log[:2]] == [6, 7]  # what PubMed reported each time

    # The report carries the same numbers: PRISMA's boxes and the pooled estimate.
    assert main(["report", str(review), "--out", str(tmp_path / "report")]) == 0
    capsys.readouterr()
    with (tmp_path / "report" / "prisma.csv").open(encoding="utf-8") as handle:
        assert {r["data"]: r["n"] for r in csv.DictReader(handle)} == rows
    results = list(csv.DictReader((tmp_path / "report" / "results.csv").open(encoding="utf-8")))
    assert [float(r["estimate"]) for r in results] == [pytest.approx(pooled["estimate"], rel=1e-9)]
    assert pooled["k"] == c["new_studies"]  # the analysis pools the studies PRISMA counts
