"""What the exports hold: spreadsheet-safe CSV cells (and --raw), one RIS writer whose output
parses back record for record, and "not retrieved" in the records and decisions exports."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
from pathlib import Path

import pytest
import rispy
from hostile import REASONS, TITLES
from outputs_support import OUTCOME, STUDIES, hostile_review_with_analysis

from screener.cli import main
from screener.extraction.table import write_csv
from screener.project import Project
from screener.sources import ris as ris_source

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NOTE = "Library said no\nafter two requests\r\nER  - not a tag"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "r.db"
    with hostile_review_with_analysis(path) as project:
        ids = project.screened_record_ids()
        project.mark_not_retrieved(ids[6], "rev_a", note=NOTE)
    return path


@pytest.fixture
def review(built: Path, tmp_path: Path) -> Path:
    target = tmp_path / "r.db"
    shutil.copyfile(built, target)
    return target


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _unsafe(cells: list[str]) -> list[str]:
    """Cells a spreadsheet would run as a formula (plain numbers are not formulas)."""
    out = []
    for cell in cells:
        if cell.startswith(FORMULA_START):
            try:
                float(cell)
            except ValueError:
                out.append(cell)
    return out


def _run(argv: list[str], capsys) -> str:
    assert main(argv) == 0, capsys.readouterr().err
    return capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "records", "{r}", "--unblind"],
        ["export", "decisions", "{r}", "--unblind"],
        ["export", "extraction", "{r}"],
    ],
)
def test_csv_exports_start_no_formula_unless_raw(review: Path, capsys, argv: list[str]):
    argv = [a.format(r=review) for a in argv]
    safe, raw = _run(argv, capsys), _run([*argv, "--raw"], capsys)
    assert _unsafe(_cells(raw)) != []  # the hostile text is there...
    assert _unsafe(_cells(safe)) == []  # ...and neutralised by default
    assert [c.removeprefix("'") for c in _cells(safe)] == [
        c.removeprefix("'") for c in _cells(raw)
    ]  # nothing else differs
    assert "--raw" in _run([*argv[:2], "--help"], capsys)


def test_report_csv_files_are_safe_and_keep_their_numbers(review: Path, tmp_path: Path):
    assert main(["report", str(review), "--out", str(tmp_path / "safe")]) == 0
    assert main(["report", str(review), "--out", str(tmp_path / "raw"), "--raw"]) == 0
    for name in ("results.csv", "data/analysis-1.csv"):
        safe = (tmp_path / "safe" / name).read_text(encoding="utf-8")
        raw = (tmp_path / "raw" / name).read_text(encoding="utf-8")
        assert _unsafe(_cells(safe)) == [] and _unsafe(_cells(raw)) != []
    results = next(csv.DictReader((tmp_path / "safe" / "results.csv").open(encoding="utf-8")))
    assert float(results["estimate"]) < 0 and not results["estimate"].startswith("'")
    data = list(
        csv.DictReader((tmp_path / "safe" / "data" / "analysis-1.csv").open(encoding="utf-8"))
    )
    assert "'" + STUDIES[1] in {row["study"] for row in data}


def test_a_protected_extraction_export_imports_back_as_it_was(review: Path, tmp_path: Path, capsys):
    out = tmp_path / "extraction.csv"
    assert main(["export", "extraction", str(review), "--out", str(out)]) == 0
    assert _unsafe(_cells(out.read_text(encoding="utf-8"))) == []
    with Project.open(review) as project:
        before = project.export_extraction()
    fresh = tmp_path / "fresh.db"
    with Project.create(fresh, title="round trip", reviewers=["rev_a"]) as project:
        project.load_form(_form(tmp_path))
        project.import_extraction(out)
        after = project.export_extraction()
    assert after == before
    assert STUDIES[1] in {row["study"] for row in after[1]}  # "=cmd|..." unchanged


def test_screener_meta_reads_the_same_numbers_from_a_protected_table(tmp_path: Path, capsys):
    rows = [
        {"study": "=HYPERLINK(1)", "yi": "-0.53", "vi": "0.04"},
        {"study": "@x", "yi": "-1.2e-01", "vi": "0.02"},
        {"study": "+y", "yi": "0.3", "vi": "0.05"},
    ]
    results = []
    for raw in (False, True):
        path = tmp_path / f"table-{raw}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            write_csv(rows, ("study", "yi", "vi"), handle, raw=raw)
        assert main(["meta", str(path), "--json"]) == 0
        results.append(json.loads(capsys.readouterr().out))
    assert results[0]["k"] == 3 and results[0]["estimate"] == results[1]["estimate"]


def _form(tmp_path: Path) -> Path:
    form = tmp_path / "form.toml"
    form.write_text(
        '[form]\nname = "hostile form"\nversion = 1\n\n'
        f'[[outcome]]\nname = "{OUTCOME}"\ndata_type = "dichotomous"\n',
        encoding="utf-8",
    )
    return form


def _ris_lines_are_tags(text: str) -> None:
    lines = text.split("\n")
    for line in lines:
        assert line == "" or (len(line) >= 5 and line[2:6] == "  - "), repr(line)
    assert not any(line.rstrip(".").isdigit() for line in lines)  # no "1." numbering


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "ris", "{r}", "--which", "all", "--unblind"],
        ["export", "records", "{r}", "--unblind", "--format", "ris"],
    ],
)
def test_ris_exports_keep_each_field_on_its_line_and_parse_back(
    review: Path, capsys, argv: list[str]
):
    text = _run([a.format(r=review) for a in argv], capsys)
    _ris_lines_are_tags(text)
    entries = rispy.loads(text)
    assert len(entries) == len(TITLES) == text.count("ER  - ")  # one per record, no more
    assert len(list(ris_source.parse(io.StringIO(text), file_name="export.ris"))) == len(TITLES)
    notes = [n for e in entries for n in e.get("notes", [])]
    assert any("Library said no after two requests" in n for n in notes)
    assert any(REASONS[-1] in n for n in notes)  # =cmd|' ... kept as data
    titles = {e["title"] for e in entries}
    assert "Tab\tand carriage return and newline" in titles


def test_decisions_export_says_not_retrieved(review: Path, capsys):
    with Project.open(review) as project:
        marked = project.screened_record_ids()[6]
    rows = list(
        csv.DictReader(io.StringIO(_run(["export", "decisions", str(review), "--unblind"], capsys)))
    )
    retrieval = [r for r in rows if r["record_id"] == str(marked) and r["stage"] == "full_text"]
    assert [(r["role"], r["reviewer"], r["decision"], r["final_decision"]) for r in retrieval] == [
        ("retrieval", "rev_a", "not retrieved", "not retrieved")
    ]
    # a blind reviewer sees it too: retrieval is no reviewer's decision
    rows = list(
        csv.DictReader(
            io.StringIO(_run(["export", "decisions", str(review), "--reviewer", "rev_b"], capsys))
        )
    )
    assert any(r["record_id"] == str(marked) and r["decision"] == "not retrieved" for r in rows)


def test_records_export_says_not_retrieved(review: Path, capsys):
    with Project.open(review) as project:
        marked = project.screened_record_ids()[6]
    rows = list(
        csv.DictReader(io.StringIO(_run(["export", "records", str(review), "--unblind"], capsys)))
    )
    by_id = {r["id"]: r for r in rows}
    assert by_id[str(marked)]["retrieval"].startswith("not retrieved (Library said no")
    assert {r["retrieval"] for i, r in by_id.items() if i != str(marked)} == {""}
    data = json.loads(
        _run(["export", "records", str(review), "--unblind", "--format", "json"], capsys)
    )
    assert [r["id"] for r in data if r["retrieval"].startswith("not retrieved")] == [marked]
    ris = rispy.loads(
        _run(["export", "records", str(review), "--unblind", "--format", "ris"], capsys)
    )
    notes = next(e["notes"] for e in ris if e["id"] == str(marked))
    assert any(n.startswith("full text not retrieved") for n in notes)


def test_ris_of_included_and_all_records_notes_the_retrieval(review: Path, capsys):
    entries = rispy.loads(
        _run(["export", "ris", str(review), "--which", "all", "--unblind"], capsys)
    )
    with Project.open(review) as project:
        marked = str(project.screened_record_ids()[6])
    entry = next(e for e in entries if e["id"] == marked)
    assert entry["custom1"] == "full text not retrieved"
    assert any(n.startswith("full_text, retrieval by rev_a: not retrieved") for n in entry["notes"])


def test_exported_files_get_the_mode_of_any_new_file(review: Path, tmp_path: Path):
    """0o666 less the umask (0644 with umask 022), as open() gives; not mkstemp's 0600."""
    old = os.umask(0o022)
    try:
        outs = {
            "records.csv": ["export", "records", str(review), "--unblind"],
            "extraction.csv": ["export", "extraction", str(review)],
            "all.ris": ["export", "ris", str(review), "--which", "all", "--unblind"],
            "prisma.png": ["prisma", str(review)],
        }
        for name, argv in outs.items():
            assert main([*argv, "--out", str(tmp_path / name)]) == 0
        assert (
            main(["rob", str(review), "--tool", "rob2", "--plot", str(tmp_path / "rob.svg")]) == 0
        )
        assert (
            main(
                [
                    "pool",
                    str(review),
                    "--outcome",
                    OUTCOME,
                    "--measure",
                    "RR",
                    "--plot",
                    str(tmp_path / "forest.pdf"),
                ]
            )
            == 0
        )
    finally:
        os.umask(old)
    modes = {
        p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir() if p.suffix != ".db"
    }
    assert modes == dict.fromkeys([*outs, "rob.svg", "forest.pdf"], 0o644)
