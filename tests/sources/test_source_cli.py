"""``screener import`` through ``screener.cli.main``: results on stdout, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sources_support import DATA, HANDMADE

from screener.cli import main
from screener.project import Project

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def review(tmp_path: Path) -> Path:
    path = tmp_path / "il2.db"
    assert main(["new", str(path), "--title", "IL-2 in myositis"]) == 0
    return path


def _imports(review: Path) -> list[tuple]:
    with Project.open(review) as project:
        return project.db.execute(
            "SELECT file_name, database, format, count_imported, count_skipped, query_name FROM "
            "file_import "
            "ORDER BY id"
        ).fetchall()


def test_import_several_files(review: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [
        DATA / "embase" / "embase_com.ris",
        HANDMADE / "cnki_noteexpress_gbk.net",
        HANDMADE / "wos_tab_utf16.txt",
    ]
    assert main(["import", str(review), *map(str, files)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "embase_com.ris: 6 records imported from Embase (ris, utf-8-sig)",
        "cnki_noteexpress_gbk.net: 3 records imported from CNKI (noteexpress, gb18030)",
        "wos_tab_utf16.txt: 3 records imported from Web of Science (wos-tab, utf-16)",
    ]
    assert [row[:4] for row in _imports(review)] == [
        ("embase_com.ris", "Embase", "ris", 6),
        ("cnki_noteexpress_gbk.net", "CNKI", "noteexpress", 3),
        ("wos_tab_utf16.txt", "Web of Science", "wos-tab", 3),
    ]


def test_reimport_is_one_line_error(review: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(DATA / "embase" / "embase_com.ris")
    assert main(["import", str(review), path]) == 0
    capsys.readouterr()
    assert main(["import", str(review), path]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("screener: embase_com.ris was imported before") and "--again" in err
    assert main(["import", str(review), path, "--again"]) == 0
    assert len(_imports(review)) == 2


def test_malformed_entry_then_skip_bad(review: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(DATA / "bibtex" / "ebsco_bibtex.bib")
    assert main(["import", str(review), path]) == 1
    assert capsys.readouterr().err == (
        "screener: ebsco_bibtex.bib, record 2 (line 15): expected an entry like "
        "'@article{key, title = {...}, ...}'\n"
    )
    assert _imports(review) == []
    assert main(["import", str(review), path, "--skip-bad"]) == 0
    out = capsys.readouterr().out
    assert "ebsco_bibtex.bib: 1 record imported from EBSCO (bibtex, utf-8)" in out
    assert "  skipped: ebsco_bibtex.bib, record 2 (line 15)" in out
    assert _imports(review)[0][3:5] == (1, 1)


def test_query_and_source_and_format(review: Path) -> None:
    query = REPO / "queries" / "il2-myositis.cochrane.txt"
    assert (
        main(["import", str(review), str(HANDMADE / "cochrane_central.txt"), "--query", str(query)])
        == 0
    )
    assert (
        main(
            [
                "import",
                str(review),
                str(HANDMADE / "ris_cp1252.ris"),
                "--format",
                "ris",
                "--source",
                "Hand search",
                "--method",
                "other",
            ]
        )
        == 0
    )
    rows = _imports(review)
    assert (
        rows[0][1] == "Cochrane CENTRAL"
        and rows[0][5] == "Low-dose interleukin-2 in idiopathic inflammatory myopathies"
    )
    assert rows[1][1:3] == ("Hand search", "ris")


def test_dry_run_stores_nothing(review: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["import", str(review), str(DATA / "bibtex" / "ebsco_bibtex.bib"), "--dry-run"]) == 0
    )
    out = capsys.readouterr().out
    assert out.startswith(
        "ebsco_bibtex.bib: BibTeX (bibtex, utf-8), EBSCO, 2 entries, 1 malformed\n"
    )
    assert _imports(review) == []


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "--help"]) == 0
    assert "Example:" in capsys.readouterr().out


def test_missing_file(review: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(review), "nowhere.ris"]) == 1
    assert capsys.readouterr().err == "screener: nowhere.ris: no such file\n"


# --- a file format is never a database --------------------------------------------------------

UNNAMED = {  # exports that do not say which database they came from
    "ris": DATA / "ris" / "jabref_ris_test1.ris",
    "bibtex": DATA / "bibtex" / "colrev_dedupe_records.bib",
    "endnote-xml": DATA / "endnote" / "EndnoteXmlImporterTestArticle.xml",
}


@pytest.mark.parametrize("fmt", list(UNNAMED))
def test_a_file_naming_no_database_needs_a_source(
    review: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    path = UNNAMED[fmt]
    assert main(["import", str(review), str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and path.name in err and "--source" in err
    assert _imports(review) == []
    assert main(["import", str(review), str(path), "--source", "Embase"]) == 0
    assert [row[1:3] for row in _imports(review)] == [("Embase", fmt)]
    capsys.readouterr()
    assert main(["prisma", str(review), "--format", "json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert list(counts["databases"]) == ["Embase"]


def test_searches_and_prisma_never_show_a_format_as_a_database(
    review: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a saved strategy the import is filed under the strategy's database."""
    query = REPO / "queries" / "il2-myositis.embase.txt"
    assert main(["import", str(review), str(UNNAMED["bibtex"]), "--query", str(query)]) == 0
    capsys.readouterr()
    assert main(["searches", str(review), "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert (entry["kind"], entry["database"], entry["file_name"]) == (
        "import",
        "Embase",
        UNNAMED["bibtex"].name,
    )
    assert main(["prisma", str(review)]) == 0
    text = capsys.readouterr().out
    assert "Embase" in text and "BibTeX" not in text


def test_other_methods_are_given_as_other_sources(
    review: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(review), str(UNNAMED["ris"]), "--source", "other:citation"]) == 0
    assert (
        main(
            [
                "import",
                str(review),
                str(UNNAMED["bibtex"]),
                "--source",
                "other:website:Google Scholar",
            ]
        )
        == 0
    )
    with Project.open(review) as project:
        rows = project.db.execute("SELECT database, method FROM file_import ORDER BY id").fetchall()
        counts = project.prisma_counts()
    assert rows == [("Citation searching", "citation"), ("Google Scholar", "website")]
    assert counts.databases == () and {m for m, _, _ in counts.other_sources} == {
        "citation",
        "website",
    }
    capsys.readouterr()
    assert (
        main(["import", str(review), str(UNNAMED["endnote-xml"]), "--source", "other:hearsay"]) == 1
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "other:" in err and "website" in err


def test_dry_run_says_when_the_file_names_no_database(
    review: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(review), str(UNNAMED["ris"]), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "--source" in out and "RIS, " not in out.split("),", 1)[1]
    assert _imports(review) == []


def test_several_files_naming_no_database_are_all_refused_first(
    review: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    named = DATA / "embase" / "embase_com.ris"
    assert (
        main(["import", str(review), str(named), str(UNNAMED["ris"]), str(UNNAMED["bibtex"])]) == 1
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and UNNAMED["ris"].name in err and UNNAMED["bibtex"].name in err
    assert named.name not in err
    assert _imports(review) == []  # not even the file that names its database


def test_a_multi_file_import_that_stops_names_what_it_did_and_did_not_import(
    review: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [
        DATA / "embase" / "embase_com.ris",
        DATA / "bibtex" / "ebsco_bibtex.bib",  # bad entry 2
        HANDMADE / "cnki_noteexpress_gbk.net",
    ]
    assert main(["import", str(review), *map(str, files)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "embase_com.ris: 6 records imported from Embase (ris, utf-8-sig)\n"
    err = captured.err
    assert err.count("\n") == 1 and "ebsco_bibtex.bib, record 2" in err
    imported, _, rest = err.split(" — ", 1)[1].partition("not imported")
    assert "embase_com.ris" in imported and "ebsco_bibtex.bib" not in imported
    assert "ebsco_bibtex.bib" in rest and "cnki_noteexpress_gbk.net" in rest
    assert [row[0] for row in _imports(review)] == ["embase_com.ris"]


def test_one_record_is_one_record(review: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(UNNAMED["endnote-xml"])  # one entry
    assert main(["import", str(review), path, "--source", "Embase", "--dry-run"]) == 0
    assert capsys.readouterr().out.rstrip().endswith(", Embase, 1 entry")
    assert main(["import", str(review), path, "--source", "Embase"]) == 0
    assert ": 1 record imported from Embase" in capsys.readouterr().out


@pytest.mark.parametrize("setting", ["abc", "-1", "2.5", "٣"])
def test_a_bad_worker_setting_is_one_line_naming_the_variable(
    review: Path, setting: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCREENER_IMPORT_WORKERS", setting)
    assert main(["import", str(review), str(DATA / "embase" / "embase_com.ris")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("screener: SCREENER_IMPORT_WORKERS=")
    assert "whole number" in err and "cores" in err  # what it accepts, and the cap
    assert _imports(review) == []


def test_a_worker_setting_past_the_cores_is_capped(
    review: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screener.flows import parallel

    monkeypatch.setenv("SCREENER_IMPORT_WORKERS", "10000")
    assert parallel.worker_count(1) == parallel._cores()
    assert main(["import", str(review), str(DATA / "embase" / "embase_com.ris")]) == 0
    assert [row[3] for row in _imports(review)] == [6]
