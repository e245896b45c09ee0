"""Import -> export -> import again gives the same records; interrupted imports leave nothing."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from screener.cli import main
from screener.project import Project

ROWS = [
    {
        "id": "a1",
        "title": "Low-dose interleukin-2 in dermatomyositis",
        "abstract": "Tregs rose.",
        "authors": "Zhai, Q. J.; Müller, Ä.",
        "year": "2021",
        "journal": "Rheumatology",
        "volume": "60",
        "issue": "4",
        "pages": "1123-45",
        "doi": "https://doi.org/10.1093/RHEUM/keab001",
        "pmid": "33512345",
    },
    {
        "id": "a2",
        "title": "低剂量白细胞介素-2治疗皮肌炎",
        "abstract": "",
        "authors": "张三; 李四",
        "year": "2022",
        "journal": "中华风湿病学杂志",
        "volume": "26",
        "issue": "3",
        "pages": "73-6",
        "doi": "",
        "pmid": "",
    },
]


def write_csv(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_import_normalises_fields(project: Project, tmp_path: Path) -> None:
    result = project.import_file(write_csv(tmp_path / "in.csv", ROWS), fmt="csv", source="PubMed")
    assert (result.count_in_file, result.count_imported) == (2, 2)
    first = project.record(1)
    assert first.doi == "10.1093/rheum/keab001"
    assert (first.page_first, first.page_last) == ("1123", "1145")
    assert [a.family for a in first.authors] == ["Zhai", "Müller"]
    assert first.source_key == "a1" and first.year == 2021
    second = project.record(2)
    assert second.title == "低剂量白细胞介素-2治疗皮肌炎"
    assert (second.page_first, second.page_last) == ("73", "76")
    assert [a.family for a in second.authors] == ["张三", "李四"]
    assert project.info().sources == {"PubMed": 2}


def test_export_round_trip_csv(project: Project, tmp_path: Path) -> None:
    project.import_file(write_csv(tmp_path / "in.csv", ROWS), fmt="csv", source="PubMed")
    project.record_decision(1, "title_abstract", "alice", "include")
    out = tmp_path / "out.csv"
    assert (
        main(
            [
                "export",
                "records",
                str(project.path),
                "--format",
                "csv",
                "--reviewer",
                "alice",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    with open(out, encoding="utf-8") as handle:
        exported = list(csv.DictReader(handle))
    assert [r["title"] for r in exported] == [r["title"] for r in ROWS]
    assert exported[0]["source_database"] == "PubMed"
    assert exported[0]["title_abstract:alice"] == "include"
    assert exported[1]["title_abstract:alice"] == ""
    # the export reads back as a new review with the same normalised records
    with Project.create(tmp_path / "again.db", title="Again") as again:
        again.import_file(out, fmt="csv", source="re-import")
        for rid in (1, 2):
            a, b = project.record(rid), again.record(rid)
            for field in (
                "title",
                "abstract",
                "year",
                "journal",
                "volume",
                "issue",
                "page_first",
                "page_last",
                "doi",
                "pmid",
            ):
                assert getattr(a, field) == getattr(b, field), field
            assert [x.family for x in a.authors] == [x.family for x in b.authors]


def test_export_json_and_ris(project: Project, tmp_path: Path, capsys) -> None:
    project.import_file(write_csv(tmp_path / "in.csv", ROWS), fmt="csv", source="PubMed")
    project.record_decision(2, "title_abstract", "alice", "exclude", reason="Wrong population")
    assert (
        main(["export", "records", str(project.path), "--format", "json", "--reviewer", "alice"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data[1]["decisions"][0]["reason"] == "Wrong population"
    assert data[0]["pmid"] == "33512345"
    assert (
        main(["export", "records", str(project.path), "--format", "ris", "--reviewer", "alice"])
        == 0
    )
    ris = capsys.readouterr().out
    assert ris.count("ER  -") == 2
    assert "TI  - 低剂量白细胞介素-2治疗皮肌炎" in ris
    assert "title_abstract alice: exclude (Wrong population)" in ris


def test_interrupted_import_leaves_nothing(project: Project, tmp_path: Path) -> None:
    rows = [dict(ROWS[0], id=f"r{i}", doi="") for i in range(1200)]
    path = write_csv(tmp_path / "big.csv", rows)

    def interrupt(done: int, total: int | None) -> None:
        if done >= 500 and total is None:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        project.import_file(path, fmt="csv", source="PubMed", progress=interrupt)
    assert project.db.execute("SELECT count(*) FROM record").fetchone()[0] == 0
    assert project.db.execute("SELECT count(*) FROM file_import").fetchone()[0] == 0
    assert project.import_file(path, fmt="csv", source="PubMed").count_imported == 1200


def test_reimport_of_same_file_is_refused(project: Project, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", ROWS)
    project.import_file(path, fmt="csv", source="PubMed")
    with pytest.raises(Exception, match="imported before"):
        project.import_file(path, fmt="csv", source="PubMed")
    assert project.import_file(path, fmt="csv", source="PubMed", again=True).count_imported == 2
    assert project.info().records == 4


def test_fts_search_finds_title_and_abstract_words(project: Project, tmp_path: Path) -> None:
    project.import_file(write_csv(tmp_path / "in.csv", ROWS), fmt="csv", source="PubMed")
    assert project.search_records("interleuk") == [1]
    assert project.search_records("tregs") == [1]
    assert project.search_records("nothing-like-this") == []
    assert project.search_records('"; DROP TABLE record; --') == []
