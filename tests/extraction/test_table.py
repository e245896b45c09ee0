"""The analysis-ready CSV: escalc column names, the round trip, and import mistakes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from extraction_support import row

from screener.cli import main
from screener.errors import ParseError
from screener.extraction.values import ValueEntry
from screener.project import Project

DATA = Path(__file__).resolve().parents[1] / "data" / "extraction"
FORM = DATA / "all_types.toml"


def fill(project: Project) -> None:
    """Two studies with every data type, timepoints and subgroups, a conversion, a resolution."""
    project.load_form(FORM)
    for name in ("Alpha 2019", "Beta 2020"):
        project.create_study(name)
    project.save_extraction(
        "Alpha 2019",
        "alice",
        [
            ValueEntry("design", "RCT"),
            ValueEntry("n", "40"),
            ValueEntry("ci", "Dr Ng"),
            ValueEntry("blinded", "yes"),
            *row(
                "Pain",
                "12 weeks",
                "",
                m1i="31.50",
                sd1i="12.2",
                n1i="20",
                m2i="40.1",
                sd2i="13.0",
                n2i="20",
                source="Table 2",
            ),
            *row("Relapse", "52 weeks", "", events1="3", total1="20", events2="9", total2="20"),
            *row("Treg vs CDASI", "baseline", "", r="-0.41", n="40"),
            *row(
                "Reported effect",
                "12 weeks",
                "",
                measure="RR",
                estimate="0.33",
                ci_lb="0.10",
                ci_ub="1.07",
                pval="0.07",
            ),
        ],
    )
    project.save_extraction(
        "Beta 2020",
        "alice",
        [
            ValueEntry("design", "case series"),
            ValueEntry("n", "9"),
            *row(
                "CDASI",
                "12 weeks",
                "1 MIU",
                m_pre="18.2",
                sd_pre="5.5",
                m_post="9.1",
                sd_post="4.0",
                n="5",
            ),
            *row(
                "CDASI",
                "12 weeks",
                "2 MIU",
                m_pre="21.0",
                sd_pre="6.2",
                m_post="8.5",
                sd_post="3.9",
                n="4",
                r="0.61",
            ),
            *row("Remission", "24 weeks", "", events="6", n="9"),
            *row(
                "Reported effect",
                "24 weeks",
                "",
                measure="SMD",
                estimate="-1.146",
                ci_lb="-1.591",
                ci_ub="-0.700",
                pval="0.007",
            ),
            *row("Reported effect", "52 weeks", "", measure="MD", estimate="-4.2", se="1.5"),
        ],
    )
    project.save_extraction(
        "Beta 2020",
        "alice",
        [
            ValueEntry(
                "sd_post",
                "4.2",
                "CDASI",
                "12 weeks",
                "1 MIU",
                method="ci_to_sd",
                details={"lower": 4.2, "upper": 12.6, "n": 5},
            )
        ],
    )
    project.save_extraction("Beta 2020", "bob", row("Remission", "24 weeks", "", events="5", n="9"))
    events = next(d for d in project.compare_extractions("alice", "bob") if d.key.field == "events")
    project.resolve_extraction(events.key, "6", by="carol")


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    path = tmp_path / "a.db"
    with Project.create(
        path, title="Every data type", reviewers=("alice", "bob", ("carol", "arbiter"))
    ) as project:
        fill(project)
    return path


def table(path: Path, capsys) -> str:
    assert main(["export", "extraction", str(path), "--format", "csv"]) == 0
    return capsys.readouterr().out


def test_columns_are_escalc_arguments(filled: Path, capsys) -> None:
    rows = list(csv.DictReader(io.StringIO(table(filled, capsys))))
    header = list(rows[0])
    for name in (
        "m1i",
        "sd1i",
        "n1i",
        "m2i",
        "sd2i",
        "n2i",
        "ai",
        "bi",
        "ci",
        "di",
        "xi",
        "ni",
        "ri",
        "yi",
        "vi",
        "study",
        "outcome",
        "timepoint",
        "subgroup",
        "estimate",
        "ci_lb",
        "ci_ub",
        "pval",
    ):
        assert name in header
    assert header[-4:] == ["design", "n", "study_ci", "blinded"]  # study-level fields; "ci" renamed
    by = {(r["study"], r["outcome"], r["timepoint"], r["subgroup"]): r for r in rows}
    assert len(rows) == 9
    pain = by[("Alpha 2019", "Pain", "12 weeks", "")]
    assert (pain["m1i"], pain["sd1i"], pain["n1i"], pain["m2i"], pain["source"]) == (
        "31.50",
        "12.2",
        "20",
        "40.1",
        "Table 2",
    )
    relapse = by[("Alpha 2019", "Relapse", "52 weeks", "")]
    assert [relapse[c] for c in ("ai", "bi", "ci", "di", "n1i", "n2i")] == [
        "3",
        "17",
        "9",
        "11",
        "20",
        "20",
    ]
    cdasi = by[("Beta 2020", "CDASI", "12 weeks", "2 MIU")]
    # metafor's SMCR convention: m1i after, m2i before, sd1i the SD before.
    assert [cdasi[c] for c in ("m1i", "m2i", "sd1i", "sd2i", "ni", "ri")] == [
        "8.5",
        "21.0",
        "6.2",
        "3.9",
        "4",
        "0.61",
    ]
    assert by[("Beta 2020", "Remission", "24 weeks", "")]["xi"] == "6"  # the agreed value
    assert by[("Alpha 2019", "Treg vs CDASI", "baseline", "")]["ri"] == "-0.41"
    assert all(
        r["study_ci"] == "Dr Ng" and r["design"] == "RCT"
        for r in rows
        if r["study"] == "Alpha 2019"
    )


def test_generic_effects_get_yi_vi_on_the_analysis_scale(filled: Path, capsys) -> None:
    import math

    rows = {
        (r["study"], r["timepoint"]): r
        for r in csv.DictReader(io.StringIO(table(filled, capsys)))
        if r["outcome"] == "Reported effect"
    }
    rr = rows[("Alpha 2019", "12 weeks")]
    assert float(rr["yi"]) == pytest.approx(math.log(0.33))
    assert float(rr["vi"]) == pytest.approx(
        ((math.log(1.07) - math.log(0.10)) / (2 * 1.959964)) ** 2
    )
    assert (rr["estimate"], rr["ci_lb"], rr["ci_ub"], rr["pval"]) == (
        "0.33",
        "0.10",
        "1.07",
        "0.07",
    )
    assert float(rows[("Beta 2020", "52 weeks")]["vi"]) == pytest.approx(2.25)


def test_round_trip_export_import_export_is_identical(filled: Path, tmp_path: Path, capsys) -> None:
    first = table(filled, capsys)
    exported = tmp_path / "extraction.csv"
    exported.write_text(first, encoding="utf-8")
    copy = tmp_path / "b.db"
    assert main(["new", str(copy), "--title", "Copy"]) == 0
    assert main(["form", str(copy), str(FORM)]) == 0
    capsys.readouterr()
    assert main(["import", str(copy), str(exported), "--as", "extraction"]) == 0
    assert "extraction.csv: 9 rows" in capsys.readouterr().out
    assert table(copy, capsys) == first
    with Project.open(copy) as project:
        assert [s.name for s in project.studies()] == ["Alpha 2019", "Beta 2020"]
        assert project.extractors() == ["csv:extraction.csv"]
    # Importing the same file again changes nothing.
    assert main(["import", str(copy), str(exported), "--as", "extraction"]) == 0
    capsys.readouterr()
    assert table(copy, capsys) == first


def test_a_spreadsheet_without_data_types_is_read(tmp_path: Path) -> None:
    # Hand-made: BOM, no data_type column, events and non-events instead of totals; no form.
    with Project.create(tmp_path / "s.db", title="Spreadsheet") as project:
        result = project.import_extraction(DATA / "spreadsheet.csv")
        assert result.studies_created == ("Alpha 2019", "Beta 2020")
        assert result.outcomes_created == ("Relapse", "Pain")
        assert {n: o.data_type for n, o in project.outcomes().items()} == {
            "Relapse": "dichotomous",
            "Pain": "continuous",
        }
        values = {
            (v.key.study, v.key.field): v.value
            for v in project.extraction_values()
            if v.key.outcome == "Relapse"
        }
        assert values[("Alpha 2019", "total1")] == "20" and values[("Beta 2020", "events1")] == "0"


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ("outcome,ai\nRelapse,3\n", "line 1", "no 'study' column"),
        ("study,outcome,dose\nA,Relapse,1\n", "line 1", "unknown column 'dose'"),
        (
            "study,outcome,ai,bi,ci,di\nA,Relapse,3,17,9,11\nB,Relapse,x,17,9,11\n",
            "line 3",
            "column ai",
        ),
        (
            "study,outcome,ai,bi,n1i,ci,di\nA,Relapse,3,17,21,9,11\n",
            "line 2",
            "n1i = 21 but ai + bi = 20",
        ),
        ("study,outcome,m1i,sd1i,n1i\nA,Pain,3,-1,20\n", "line 2", "must be greater than 0"),
        (
            "study,outcome,data_type,xi,ni\nA,Pain,proportion,3,10\n",
            "line 2",
            "outcome 'Pain' is continuous in this review",
        ),
        ("study,outcome,xi,ni\nA,New,3,10\nA,New,4,10\n", "line 3", "the same row as line 2"),
        (
            "study,outcome,timepoint\nA,Mystery,1 week\n",
            "line 2",
            "cannot tell outcome 'Mystery''s data type",
        ),
        (
            "study,outcome,ai,bi,ci,di,yi\nA,Relapse,3,17,9,11,0.2\n",
            "line 2",
            "column yi does not belong to a dichotomous",
        ),
    ],
)
def test_import_mistakes_name_the_line_and_keep_nothing(
    tmp_path: Path, text: str, where: str, problem: str
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(text, encoding="utf-8")
    with Project.create(tmp_path / "r.db", title="R") as project:
        project.import_extraction(DATA / "spreadsheet.csv")
        before = project.extraction_values()
        with pytest.raises(ParseError) as caught:
            project.import_extraction(source)
        assert (caught.value.file_name, caught.value.location) == ("bad.csv", where)
        assert problem in caught.value.problem
        assert project.extraction_values() == before
        assert [s.name for s in project.studies()] == ["Alpha 2019", "Beta 2020"]


def test_study_level_values_must_agree_across_rows(tmp_path: Path) -> None:
    source = tmp_path / "two.csv"
    source.write_text(
        "study,outcome,xi,ni,design\nA,Remission,3,10,RCT\nA,Relapse2,,,cohort\n", encoding="utf-8"
    )
    with Project.create(tmp_path / "r.db", title="R") as project:
        project.load_form(FORM)
        with pytest.raises(ParseError, match="line 3: design is 'cohort' here but 'RCT' on line 2"):
            project.import_extraction(source)


def test_cli_import_error_is_one_line(tmp_path: Path, capsys) -> None:
    review = tmp_path / "r.db"
    assert main(["new", str(review), "--title", "R"]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("study,outcome,xi,ni\nA,R,12,10x\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(review), str(bad), "--as", "extraction"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "screener: bad.csv, line 2: column ni: n: '10x' is not a number (this field has no unit)"
    ]


def test_export_to_a_file_and_one_outcome(filled: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "relapse.csv"
    assert (
        main(["export", "extraction", str(filled), "--outcome", "Relapse", "--out", str(out)]) == 0
    )
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["study"], r["ai"]) for r in rows] == [("Alpha 2019", "3")]
    assert main(["export", "extraction", str(filled), "--outcome", "Nope"]) == 1
    assert "no outcome named 'Nope'" in capsys.readouterr().err
