"""Studies and the records behind them: linked by ``screener study``, by an extraction CSV's
record_ids column, or in the TUI; PRISMA's "studies included" and the analyses agree, and a
study no included record supports is named wherever it shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pool_review_support import screened_review

from screener.cli import main
from screener.errors import ParseError
from screener.project import Project

# Two pre/post studies from an extraction CSV; Zhang 2021 comes from records R1 and R2.
EXTRACTION = """\
study,outcome,timepoint,data_type,m1i,m2i,sd1i,sd2i,ni,ri,record_ids
Zhang 2021,CDASI,12 weeks,prepost,18.2,25.1,8.4,7.9,12,0.6,{r1};{r2}
Li 2019,CDASI,12 weeks,prepost,20.5,27.3,9.1,8.8,20,0.5,
"""


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def review(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    project, ids = screened_review(tmp_path / "il2.db")
    project.close()
    return tmp_path / "il2.db", ids


def extraction_csv(tmp_path: Path, ids: dict[str, int], text: str = EXTRACTION) -> Path:
    path = tmp_path / "extraction.csv"
    path.write_text(
        text.format(r1=ids["R1"], r2=ids["R2"], r3=ids["R3"], r4=ids["R4"]), encoding="utf-8"
    )
    return path


def test_the_record_ids_column_links_the_studies_it_creates(review, tmp_path, capsys):
    path, ids = review
    source = extraction_csv(tmp_path, ids)
    code, out, err = run(capsys, "import", path, source, "--as", "extraction", "--dry-run")
    assert code == 0, err
    assert "would link 2 records" in out
    code, out, err = run(capsys, "import", path, source, "--as", "extraction")
    assert code == 0, err
    assert "2 records linked" in out
    with Project.open(path) as project:
        linked = {s.name: s.record_ids for s in project.studies()}
        assert linked == {"Zhang 2021": (ids["R1"], ids["R2"]), "Li 2019": ()}
        counts = project.prisma_counts()
    # PRISMA: Zhang 2021 (two included reports) plus R3, an included report of no study; Li
    # 2019 has no included report: not counted, and named
    assert counts.included_studies == ("Zhang 2021",)
    assert counts.studies_without_report == ("Li 2019",)
    problems = {d.key: d for d in counts.discrepancies}
    assert problems["studies_without_included_report"].difference == 1
    assert "Li 2019" in problems["studies_without_included_report"].message
    # importing the same file again links nothing new and changes nothing
    code, out, _ = run(capsys, "import", path, source, "--as", "extraction")
    assert code == 0 and "0 records linked" in out


@pytest.mark.parametrize(
    ("cell", "where", "meaning"),
    [
        ("{r3};x", "line 3", "'x'"),  # not a record id
        ("99", "line 3", "99"),  # no such record
        ("{r1}", "line 3", "Zhang 2021"),  # listed for Zhang 2021 already
    ],
)
def test_a_bad_record_id_names_the_line_and_imports_nothing(review, tmp_path, cell, where, meaning):
    path, ids = review
    text = EXTRACTION.replace("0.5,\n", f"0.5,{cell}\n")
    source = extraction_csv(tmp_path, ids, text)
    with Project.open(path) as project:
        with pytest.raises(ParseError) as caught:
            project.import_extraction(source)
        assert (caught.value.file_name, caught.value.location) == ("extraction.csv", where)
        assert meaning in caught.value.problem
        assert project.studies() == [] and project.extraction_values() == []


def test_a_record_of_another_study_in_the_review_is_refused_at_its_line(review, tmp_path):
    path, ids = review
    with Project.open(path) as project:
        project.create_study("Li 2019 (abstract)", record_ids=[ids["R3"]])
        source = extraction_csv(tmp_path, ids, EXTRACTION.replace("0.5,\n", f"0.5,{ids['R3']}\n"))
        with pytest.raises(ParseError) as caught:
            project.import_extraction(source, dry_run=True)  # the dry run checks it too
        assert caught.value.location == "line 3" and "Li 2019 (abstract)" in caught.value.problem


def test_study_link_list_and_unlink(review, tmp_path, capsys):
    path, ids = review
    source = extraction_csv(tmp_path, ids)
    assert run(capsys, "import", path, source, "--as", "extraction")[0] == 0
    code, out, err = run(capsys, "study", "link", path, "Li 2019", ids["R3"])
    assert code == 0, err
    code, out, _ = run(capsys, "study", "list", path, "--json")
    studies = {s["study"]: s for s in json.loads(out)}
    assert studies["Li 2019"]["included"] and studies["Zhang 2021"]["included"]
    assert [r["id"] for r in studies["Li 2019"]["records"]] == [ids["R3"]]
    assert studies["Li 2019"]["records"][0]["status"] == "included"
    with Project.open(path) as project:
        counts = project.prisma_counts()
    assert counts.new_studies == 2 and counts.studies_without_report == ()
    assert "studies_without_included_report" not in {d.key for d in counts.discrepancies}
    # text list: each study with its records
    code, out, err = run(capsys, "study", "list", path)
    assert (
        code == 0 and "Li 2019" in out and f"#{ids['R3']}" in out and "2 studies, 2 counted" in err
    )
    # unlink: Li 2019 is no longer supported by an included record
    assert run(capsys, "study", "unlink", path, "Li 2019", ids["R3"])[0] == 0
    code, out, _ = run(capsys, "study", "list", path, "--json")
    li = next(s for s in json.loads(out) if s["study"] == "Li 2019")
    assert not li["included"] and li["records"] == []


def test_linking_an_excluded_record_does_not_make_a_study_included(review, tmp_path, capsys):
    path, ids = review
    assert run(capsys, "study", "add", path, "Wang 2020", ids["R4"])[0] == 0
    code, out, _ = run(capsys, "study", "list", path, "--json")
    (wang,) = json.loads(out)
    assert not wang["included"] and wang["records"][0]["status"].startswith("excluded at full text")


@pytest.mark.parametrize(
    ("args", "meaning"),
    [
        (["link", "{db}", "Nobody 2000", "{r1}"], "Nobody 2000"),
        (["link", "{db}", "Zhang 2021", "999"], "999"),
        (["link", "{db}", "Li 2019", "{r1}", "{r3}"], "Zhang 2021"),  # R1 is Zhang's: none linked
        (["unlink", "{db}", "Li 2019", "{r1}"], "not a report"),
        (["link", "{db}", "Li 2019", "x"], "x"),
    ],
)
def test_study_errors_are_one_line_and_change_nothing(review, tmp_path, capsys, args, meaning):
    path, ids = review
    assert run(capsys, "import", path, extraction_csv(tmp_path, ids), "--as", "extraction")[0] == 0
    with Project.open(path) as project:
        before = project.studies()
    values = {"{db}": str(path), "{r1}": str(ids["R1"]), "{r3}": str(ids["R3"])}
    code, out, err = run(capsys, "study", *[values.get(a, a) for a in args])
    assert code != 0 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and meaning in err
    with Project.open(path) as project:
        assert project.studies() == before


def test_pool_and_check_name_a_pooled_study_prisma_does_not_count(review, tmp_path, capsys):
    path, ids = review
    assert run(capsys, "import", path, extraction_csv(tmp_path, ids), "--as", "extraction")[0] == 0
    code, out, err = run(
        capsys, "pool", path, "--outcome", "CDASI", "--measure", "SMCR", "--method", "FE"
    )
    assert code == 0, err
    note = next(line for line in out.splitlines() if "Li 2019" in line)
    assert note.startswith("Note:") and "Zhang 2021" not in note
    code, out, _ = run(capsys, "pool", path, "--outcome", "CDASI", "--measure", "SMCR", "--json")
    assert json.loads(out)["studies_not_included"] == ["Li 2019"]
    code, out, _ = run(capsys, "check", path, "--json")
    flagged = [f["study"] for f in json.loads(out) if f["kind"] == "no_included_report"]
    assert flagged == ["Li 2019"]
    # linked: the analysis, the check and PRISMA agree
    assert run(capsys, "study", "link", path, "Li 2019", ids["R3"])[0] == 0
    code, out, _ = run(capsys, "pool", path, "--outcome", "CDASI", "--measure", "SMCR", "--json")
    result = json.loads(out)
    assert "studies_not_included" not in result and result["k"] == 2
    code, out, _ = run(capsys, "check", path, "--json")
    assert [f for f in json.loads(out) if f["kind"] == "no_included_report"] == []
    with Project.open(path) as project:
        assert project.prisma_counts().new_studies == result["k"]
