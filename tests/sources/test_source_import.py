"""Importing through the façade: provenance, one transaction per file, re-import refused,
--skip-bad, unsafe XML refused, progress, and a killed import leaving nothing behind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sources_support import DATA, HANDMADE, counts

from screener.errors import AlreadyImportedError, ParseError, ScreenerError
from screener.project import Project

EMBASE_RIS = DATA / "embase" / "embase_com.ris"
EBSCO_BIB = DATA / "bibtex" / "ebsco_bibtex.bib"


def _fts_trigger(project: Project) -> bool:
    return (
        project.db.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = "
            "'record_fts_insert'"
        ).fetchone()[0]
        == 1
    )


def test_import_records_provenance_and_fields(project: Project) -> None:
    result = project.import_file(EMBASE_RIS)
    assert (result.database, result.format, result.encoding) == ("Embase", "ris", "utf-8-sig")
    assert (result.count_in_file, result.count_imported, result.skipped) == (6, 6, ())
    row = project.db.execute(
        "SELECT database, format, file_name, sha256, count_in_file, count_imported, imported_at "
        "FROM file_import"
    ).fetchone()
    assert row[:3] == ("Embase", "ris", "embase_com.ris")
    assert len(row[3]) == 64 and row[4:6] == (6, 6) and row[6]
    record_id = project.db.execute("SELECT id FROM record WHERE position = 1").fetchone()[0]
    record = project.record(record_id)
    assert record.title.startswith("Duplication cysts: Diagnosis, management")
    assert record.raw.startswith("TY  - JOUR\nM3  - Article")
    assert project.record_sources(record_id) == ["Embase"]


def test_imported_records_are_searchable(project: Project) -> None:
    project.import_file(EMBASE_RIS)
    project.import_file(HANDMADE / "cbm_sinomed_noteexpress.net")
    assert len(project.search_records("duplication cysts")) >= 1
    assert (
        len(project.search_records("refractory dermatomyositis")) == 1
    )  # the English abstract of CBM
    assert _fts_trigger(project)  # the per-row trigger is back after the bulk indexing


def test_same_file_twice_is_refused_unless_again(project: Project, tmp_path: Path) -> None:
    project.import_file(EMBASE_RIS)
    copy = tmp_path / "renamed.ris"
    copy.write_bytes(EMBASE_RIS.read_bytes())
    before = counts(project.db)
    with pytest.raises(
        AlreadyImportedError, match=r"renamed\.ris was imported before \(as embase_com\.ris on "
    ):
        project.import_file(copy)
    assert counts(project.db) == before
    again = project.import_file(copy, again=True)
    assert counts(project.db) == (before[0] + again.count_imported, before[1] + 1)


def test_malformed_entry_names_file_and_record_and_keeps_nothing(project: Project) -> None:
    project.import_file(EMBASE_RIS)
    before = counts(project.db)
    with pytest.raises(ParseError) as caught:
        project.import_file(EBSCO_BIB)
    assert str(caught.value) == (
        "ebsco_bibtex.bib, record 2 (line 15): expected an entry like "
        "'@article{key, title = {...}, ...}'"
    )
    assert counts(project.db) == before
    assert _fts_trigger(project)


def test_skip_bad_imports_the_rest_and_lists_what_was_skipped(project: Project) -> None:
    result = project.import_file(EBSCO_BIB, skip_bad=True)
    assert (result.count_in_file, result.count_imported) == (2, 1)
    assert result.skipped == (
        "ebsco_bibtex.bib, record 2 (line 15): expected an entry like "
        "'@article{key, title = {...}, ...}'",
    )
    stored = project.db.execute("SELECT count_skipped, skipped_json FROM file_import").fetchone()
    assert stored[0] == 1 and json.loads(stored[1]) == list(result.skipped)


def test_a_file_of_only_bad_entries_imports_nothing(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "cut.ris"
    path.write_text("TY  - JOUR\nTI  - never closed\n", encoding="utf-8")
    with pytest.raises(ScreenerError, match=r"cut\.ris: none of its 1 entries could be imported"):
        project.import_file(path, skip_bad=True, source="Embase")
    assert counts(project.db) == (0, 0)


def test_unknown_and_empty_files(project: Project, tmp_path: Path) -> None:
    empty = tmp_path / "empty.ris"
    empty.write_text("TY  - JOUR\n", encoding="utf-8")
    notes = tmp_path / "notes.txt"
    notes.write_text("nothing to see\n", encoding="utf-8")
    with pytest.raises(ScreenerError, match="notes.txt: format not recognised"):
        project.import_file(notes)
    with pytest.raises(ScreenerError, match="no such file"):
        project.import_file(tmp_path / "missing.ris")
    assert counts(project.db) == (0, 0)


def test_forced_format_that_does_not_fit(project: Project) -> None:
    with pytest.raises(ScreenerError):
        project.import_file(EMBASE_RIS, fmt="wos")
    assert counts(project.db) == (0, 0)


XXE = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
<xml><records><record><titles><title>&secret;</title></titles></record></records></xml>
"""
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE xml [<!ENTITY a "lol">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + "]>\n<xml><records><record><titles><title>&j;</title></titles></record></records></xml>\n"
)


@pytest.mark.parametrize("text", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_xml_with_entities_is_refused(project: Project, tmp_path: Path, text: str) -> None:
    path = tmp_path / "attack.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        ParseError, match=r"attack\.xml, DOCTYPE: the XML declares entities .*refused"
    ):
        project.import_file(path, fmt="endnote-xml", source="Embase")
    assert counts(project.db) == (0, 0)


def test_query_links_the_import_to_its_strategy(project: Project) -> None:
    from screener.queries import load_query

    query = load_query(Path(__file__).resolve().parents[2] / "queries" / "il2-myositis.embase.txt")
    project.import_file(
        HANDMADE / "ris_cp1252.ris",
        query_name=query.name,
        query_text=query.text,
        default_source=query.database,
    )
    row = project.db.execute("SELECT database, query_name, query_text FROM file_import").fetchone()
    # The file names no database, so the strategy's database is recorded.
    assert row == (
        "Embase",
        "Low-dose interleukin-2 in idiopathic inflammatory myopathies",
        query.text,
    )


def test_source_overrides_what_the_file_says(project: Project) -> None:
    assert (
        project.import_file(EMBASE_RIS, source="Embase (via Ovid)").database == "Embase (via Ovid)"
    )


def _ris_file(path: Path, n: int) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            out.write(
                f"TY  - JOUR\nTI  - Record {i}\nAU  - Doe, J\nPY  - 2020\nAB  - Text {i}\nER  - "
                "\n\n"
            )
    return path


def test_progress_moves_while_the_file_streams(project: Project, tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    project.import_file(
        _ris_file(tmp_path / "big.ris", 1_234),
        source="Embase",
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen == [(500, None), (1000, None), (1234, 1234)]


def test_interrupted_import_leaves_the_review_as_it_was(project: Project, tmp_path: Path) -> None:
    project.import_file(EMBASE_RIS)
    before = counts(project.db)

    def interrupt(done: int, total: int | None) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        project.import_file(
            _ris_file(tmp_path / "big.ris", 1_200), source="Embase", progress=interrupt
        )
    assert counts(project.db) == before
    assert _fts_trigger(project)
    project.import_file(HANDMADE / "cochrane_central.txt")
    assert project.search_records("polymyositis") != []


# The flow the façade calls, without the façade's imports of every other stage (faster start).
_KILL_CHILD = """
import sys
from screener.flows.importing import import_file
from screener.storage.db import open_review

def report(done, total):
    print(done, flush=True)
    sys.stdin.readline()  # wait here until the parent kills us

import_file(open_review(sys.argv[1]), sys.argv[2], source="Embase", progress=report)
"""


def test_killed_import_leaves_the_review_as_it_was(project: Project, tmp_path: Path) -> None:
    project.import_file(EMBASE_RIS)
    before = counts(project.db)
    big = _ris_file(tmp_path / "big.ris", 2_000)
    child = subprocess.Popen(
        [sys.executable, "-c", _KILL_CHILD, str(project.path), str(big)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout.readline().strip() == "500"  # mid-import, inside the transaction
    child.kill()
    child.wait()
    assert counts(project.db) == before
    assert _fts_trigger(project)
    again = project.import_file(big, source="Embase")
    assert again.count_imported == 2_000


def test_preview_stores_nothing(project: Project) -> None:
    preview = project.preview_import(EBSCO_BIB)
    assert (preview.format, preview.database, preview.count, len(preview.bad)) == (
        "bibtex",
        "EBSCO",
        2,
        1,
    )
    assert preview.imported_before == ""
    assert counts(project.db) == (0, 0)
    project.import_file(EMBASE_RIS)
    assert project.preview_import(EMBASE_RIS).imported_before.startswith("embase_com.ris on ")
