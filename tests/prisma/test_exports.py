"""RIS of included / excluded records with decisions in N1, and the decisions CSV; blind mode."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import rispy
from prisma_support import (
    FT_RESOLUTIONS,
    FULL_TEXT,
    NOT_RETRIEVED,
    TA_RESOLUTIONS,
    TITLE_ABSTRACT,
    record_ids,
)

from screener.cli import main
from screener.errors import ScreenerError
from screener.project import Project


def _ris(project: Project, path: Path, **options) -> dict[str, dict]:
    count, _ = project.export_ris(path, **options)
    entries = rispy.loads(path.read_text(encoding="utf-8"))
    assert len(entries) == count
    keys = {str(v): k for k, v in record_ids(project).items()}
    return {keys[e["id"]]: e for e in entries}


def test_included_records_carry_their_decisions_in_the_notes(review: Project, tmp_path: Path):
    seen: list[tuple[int, int | None]] = []
    entries = _ris(
        review,
        tmp_path / "in.ris",
        which="included",
        unblind=True,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert set(entries) == {"P1", "P2", "H1"}
    p1 = entries["P1"]
    assert p1["title"].startswith("Record P1") and p1["authors"][0] == "AuthorP1, A"
    assert "screener: included" in p1["notes"]
    assert "full_text, bob: include" in p1["notes"]
    # the cluster's databases, so EndNote keeps where the record was found
    assert p1["name_of_database"] == "CNKI; Embase; PubMed"
    assert seen[-1] == (15, 15)


def test_excluded_records_carry_stage_and_reason(review: Project, tmp_path: Path):
    entries = _ris(review, tmp_path / "out.ris", which="excluded", unblind=True)
    assert set(entries) == {"P4", "P5", "E3", "C2", "E5", "P3", "E4", "R1"}
    assert "screener: excluded at title/abstract" in entries["E5"]["notes"]
    e4 = entries["E4"]["notes"]
    assert "screener: excluded at full text: Wrong population" in e4
    assert {
        "full_text, alice: exclude (Wrong intervention)",
        "full_text, bob: exclude (Wrong population)",
    } <= set(e4)
    r1 = entries["R1"]["notes"]
    assert "full_text, resolution by carol (third reviewer): exclude (Wrong intervention)" in r1
    assert entries["R1"]["custom1"] == "excluded at full text: Wrong intervention"


def test_all_holds_every_screened_record_with_its_status(review: Project, tmp_path: Path):
    entries = _ris(review, tmp_path / "all.ris", which="all", unblind=True)
    assert (
        len(entries) == review.prisma_counts().main.records + review.prisma_counts().other.records
    )
    assert entries["P6"]["custom1"] == "undecided at title/abstract (conflict)"
    assert entries["C3"]["custom1"] == "full text not retrieved"
    assert entries["R2"]["custom1"] == "undecided at title/abstract (incomplete)"


def test_blind_export_hides_what_the_reviewer_has_not_decided(review: Project, tmp_path: Path):
    with pytest.raises(ScreenerError, match="blind"):
        review.export_ris(tmp_path / "x.ris", which="all")
    as_bob = _ris(review, tmp_path / "bob.ris", which="all", as_reviewer="bob")
    # bob has not decided R2: alice's exclusion stays hidden, and so does the outcome
    assert not any("alice" in note for note in as_bob["R2"]["notes"])
    assert as_bob["R2"]["custom1"] == "not shown (blind review)"
    # where bob decided, he sees alice's decision too
    assert "title_abstract, alice: exclude" in as_bob["P4"]["notes"]
    nobody = _ris(review, tmp_path / "dave.ris", which="included", as_reviewer="dave")
    assert nobody == {}


def test_decisions_csv_has_one_row_per_decision_and_resolution(review: Project, tmp_path: Path):
    count, text = review.export_decisions(tmp_path / "d.csv", unblind=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = (
        sum(c is not None for pair in TITLE_ABSTRACT.values() for c in pair)
        + sum(c is not None for pair in FULL_TEXT.values() for c in pair)
        + len(TA_RESOLUTIONS)
        + len(FT_RESOLUTIONS)
        + len(NOT_RETRIEVED)
    )  # a full text not retrieved is a row of its own
    assert count == len(rows) == expected
    assert (tmp_path / "d.csv").read_text(encoding="utf-8") == text
    ids = record_ids(review)
    on_duplicate = [r for r in rows if r["record_id"] == str(ids["E2"])]
    assert [(r["screened_record_id"], r["reviewer"], r["decision"]) for r in on_duplicate] == [
        (str(ids["P2"]), "bob", "include")
    ]
    r1 = [r for r in rows if r["record_id"] == str(ids["R1"]) and r["stage"] == "full_text"]
    assert {r["role"] for r in r1} == {"reviewer", "resolution:third_reviewer"}
    assert {r["final_decision"] for r in r1} == {"exclude (Wrong intervention)"}


def test_export_cli_writes_ris_and_csv(review: Project, tmp_path: Path, capsys):
    review.close()
    out = tmp_path / "in.ris"
    assert (
        main(
            [
                "export",
                "ris",
                str(review.path),
                "--which",
                "included",
                "--unblind",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert len(rispy.loads(out.read_text())) == 3
    assert main(["export", "decisions", str(review.path), "--reviewer", "alice"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("record_id,screened_record_id,title")
    assert "decisions" in captured.err
    assert main(["export", "ris", str(review.path)]) == 1
    assert "blind" in capsys.readouterr().err


def test_blind_decisions_csv_shows_others_only_where_the_reviewer_decided(review: Project):
    ids = record_ids(review)
    _, text = review.export_decisions(None, as_reviewer="bob")
    rows = list(csv.DictReader(io.StringIO(text)))
    r2 = [r for r in rows if r["screened_record_id"] == str(ids["R2"])]
    assert r2 == []  # only alice decided R2
    p4 = {r["reviewer"] for r in rows if r["record_id"] == str(ids["P4"])}
    assert p4 == {"alice", "bob"}
    c4_ft = [r for r in rows if r["record_id"] == str(ids["C4"]) and r["stage"] == "full_text"]
    assert c4_ft == []  # bob has not decided C4's full text
