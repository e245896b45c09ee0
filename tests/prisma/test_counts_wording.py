"""Counts as people read them: one number format in the diagram, text and report (JSON and CSV
keep plain integers), "1 record" not "1 records", and ``screener info``'s "to go"."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from screener.cli import main
from screener.prisma.diagram import render
from screener.project import Project

# A number of four digits or more written without a thousands separator ("1713").
BARE = re.compile(r"(?<![\d,.])\d{4,}(?![\d,])")


def _csv(path: Path, n: int) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "year", "abstract"])
        for i in range(n):
            writer.writerow(
                [f"r{i}", f"Low-dose interleukin-2 trial number {i}", 2020, f"Abstract {i}."]
            )
    return path


@pytest.fixture
def big(tmp_path: Path) -> Project:
    """1,200 records from Embase, none decided: every box and message has a number past 999."""
    project = Project.create(tmp_path / "big.db", title="Big", reviewers=["alice"])
    project.import_file(_csv(tmp_path / "embase.csv", 1200), fmt="csv", source="Embase")
    yield project
    project.close()


def test_every_count_people_read_has_thousands_separators(big: Project, tmp_path: Path) -> None:
    counts = big.prisma_counts()
    text = render(counts, "txt").decode("utf-8").replace("PRISMA 2020", "PRISMA")
    messages = [d.message for d in counts.discrepancies] + list(counts.notes)
    assert any(m.startswith("1,200 of 1,200 records") for m in messages)
    assert "1,200" in text and not BARE.search(text)
    for message in messages:
        assert not BARE.search(message), message
    big.write_report(tmp_path / "report")
    md = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    section = md.split("## PRISMA 2020 flow diagram", 1)[1].split("\n## ", 1)[0]
    section = section.replace("PRISMA 2020", "")
    assert "Does not add up:** 1,200 of 1,200 records" in section and "| 1,200 |" in section
    assert not BARE.search(section)


def test_json_and_csv_keep_plain_integers(big: Project) -> None:
    counts = big.prisma_counts()
    data = json.loads(render(counts, "json"))
    assert data["records_screened"] == 1200 and data["databases"] == {"Embase": 1200}
    rows = {r["data"]: r["n"] for r in csv.DictReader(io.StringIO(render(counts, "csv").decode()))}
    assert (
        rows["records_screened"] == "1200" and rows["database_specific_results"] == "Embase, 1200"
    )


def test_one_record_is_one_record(tmp_path: Path) -> None:
    with Project.create(tmp_path / "one.db", title="One", reviewers=["alice"]) as project:
        project.import_file(_csv(tmp_path / "one.csv", 1), fmt="csv", source="Embase")
        (message,) = [d.message for d in project.prisma_counts().discrepancies]
    assert message.startswith("1 of 1 record (databases and registers) has no final")


def test_info_counts_to_go_only_among_records_that_reached_the_stage(
    tmp_path: Path, capsys
) -> None:
    path = tmp_path / "review.db"
    with Project.create(
        path, title="Info", reviewers=["alice"], reviewers_title_abstract=1, reviewers_full_text=1
    ) as project:
        project.import_file(_csv(tmp_path / "ten.csv", 10), fmt="csv", source="Embase")
        ids = project.screened_record_ids()
        for n, record_id in enumerate(ids):
            project.record_decision(
                record_id, "title_abstract", "alice", "include" if n < 5 else "exclude"
            )
        for record_id in ids[:2]:
            project.record_decision(record_id, "full_text", "alice", "include")
    assert main(["info", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    # 5 records passed title/abstract; alice has decided 2 of them at full text
    assert "full_text / alice: 2 decided (2 include, 0 exclude, 0 maybe), 3 to go" in lines
    assert "title_abstract / alice: 10 decided (5 include, 5 exclude, 0 maybe), 0 to go" in lines
    assert main(["info", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {(d["stage"], d["to_go"]) for d in data["decisions"]} == {
        ("title_abstract", 0),
        ("full_text", 3),
    }
