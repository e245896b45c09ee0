"""No record is dropped without a word: a record whose first line starts with a BOM, a space, a
tab, a no-break or zero-width space or is in lower case is read, in one piece and in chunks by
worker processes alike; files appended to each other read as the sum of their records; and a
record that still cannot be read is an error naming its line, never skipped in silence."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sources_support import DATA

from screener import sources
from screener.errors import ParseError, ScreenerError
from screener.flows import parallel
from screener.project import Project
from screener.sources.decode import open_text

RECORD = "TY  - JOUR\nTI  - Record {n}\nAU  - Smith, J\nPY  - 2020\nER  - \n\n"
# How a TY line arrives: after a byte-order mark (one export appended to another that starts
# with one), a space, a tab, a no-break space, a zero-width space, or in lower case.
LEADS = {
    "bom": "\ufeffTY",
    "space": " TY",
    "tab": "\tTY",
    "nbsp": "\u00a0TY",
    "zwsp": "\u200bTY",
    "lower": "ty",
    "lower-after-space": "  ty",
}


def _entries(text: str, fmt: str = "ris") -> list:
    return list(sources.get_format(fmt).parse(io.StringIO(text), file_name="x.ris"))


def _chunked(path: Path, fmt: str = "ris") -> list[parallel.Parsed]:
    """Every entry read as an import with workers reads it: cut after every ER line, in two
    worker processes."""
    stream, _ = open_text(path)
    with stream:
        return list(
            parallel.parsed(
                sources.get_format(fmt), stream, file_name=path.name, workers=2, chunk_size=1
            )
        )


def _one_piece(path: Path, fmt: str = "ris") -> list[parallel.Parsed]:
    stream, _ = open_text(path)
    with stream:
        return list(
            parallel.parsed(sources.get_format(fmt), stream, file_name=path.name, workers=0)
        )


@pytest.mark.parametrize("lead", LEADS.values(), ids=LEADS.keys())
def test_a_ty_line_after_invisible_or_white_space_or_in_lower_case_starts_a_record(
    tmp_path: Path, lead: str
) -> None:
    text = RECORD.format(n=1) + RECORD.format(n=2).replace("TY", lead, 1) + RECORD.format(n=3)
    path = tmp_path / "mixed.ris"
    path.write_text(text, encoding="utf-8")
    for read in (_one_piece(path), _chunked(path)):
        assert [row.error for row in read] == [None, None, None]
        assert [row.line for row in read] == [1, 7, 13]


def test_a_record_after_an_er_line_with_no_line_end_is_read() -> None:
    # `cat jstor.ris embase_com.ris`: JSTOR's export ends "ER  - " without a line end, Embase's
    # starts with a BOM, so the next record's TY sits on the ER line.
    entries = _entries(RECORD.format(n=1).rstrip("\n") + "\ufeff" + RECORD.format(n=2))
    assert [e.record.title for e in entries] == ["Record 1", "Record 2"]
    assert [e.line for e in entries] == [1, 5]


def test_jstor_and_embase_appended_give_all_ten_records(tmp_path: Path) -> None:
    parts = [DATA / "ris" / "jstor.ris", DATA / "embase" / "embase_com.ris"]
    path = tmp_path / "both.ris"
    path.write_bytes(b"".join(p.read_bytes() for p in parts))
    for read in (_one_piece(path), _chunked(path)):
        assert len(read) == 10
        assert all(row.error is None for row in read)


def test_a_record_in_lower_case_reads_its_fields() -> None:
    (entry,) = _entries("ty  - JOUR\nti  - Lower case tags\nau  - Smith, J\npy  - 2021\ner  - \n")
    assert (entry.record.title, entry.record.year) == ("Lower case tags", 2021)
    assert [a.family for a in entry.record.authors] == ["Smith"]


@pytest.mark.parametrize(
    ("stray", "found"),
    [
        ("TY-JOUR\nTI  - Mangled start\nER  - \n", "TY-JOUR"),
        ("TI  - No TY line\nAU  - Smith, J\nER  - \n", "TI  - No TY line"),
    ],
)
def test_a_record_outside_a_record_is_an_error_naming_its_line(
    tmp_path: Path, stray: str, found: str
) -> None:
    path = tmp_path / "stray.ris"
    path.write_text(RECORD.format(n=1) + stray + "\n" + RECORD.format(n=2), encoding="utf-8")
    for read in (_one_piece(path), _chunked(path)):
        assert [row.error is None for row in read] == [True, False, True]
        error = read[1].error
        assert (error.file_name, error.location) == ("stray.ris", "record 2 (line 7)")
        assert found in error.problem


def test_a_lone_tag_line_between_records_is_let_through() -> None:
    # Ovid writes "NL  - journal" after some records' ER lines.
    entries = _entries(RECORD.format(n=1) + "NL  - Clin Psychol\n\n" + RECORD.format(n=2))
    assert [e.error for e in entries] == [None, None]


def test_a_stray_record_stops_an_import_unless_skip_bad(tmp_path: Path) -> None:
    path = tmp_path / "stray.ris"
    path.write_text(
        RECORD.format(n=1) + "TI  - No TY line\nAU  - Smith, J\nER  - \n", encoding="utf-8"
    )
    with Project.create(tmp_path / "r.db", title="r", reviewers=["alice"]) as project:
        with pytest.raises(ParseError, match=r"stray\.ris, record 2 \(line 7\)"):
            project.import_file(path, source="Test DB")
        result = project.import_file(path, skip_bad=True, source="Test DB")
        assert (result.count_in_file, result.count_imported, len(result.skipped)) == (2, 1, 1)


# --- the other tagged formats ------------------------------------------------------------------
# (format, two records, the text that starts the second record)
TAGGED = {
    "medline": ("PMID- 1\nTI  - One\nSO  - J. 2020.\nPMID- 2\nTI  - Two\nSO  - J. 2020.\n", "PMID"),
    "wos": ("FN Clarivate\nVR 1.0\nPT J\nTI One\nER\nPT J\nTI Two\nER\nEF\n", "PT"),
    "refer": ("%0 Journal Article\n%T One\n\n%0 Journal Article\n%T Two\n", "%0"),
    "noteexpress": (
        "{Reference Type}: Journal Article\n{Title}: One\n"
        "{Reference Type}: Journal Article\n{Title}: Two\n",
        "{Reference Type}",
    ),
    "refworks": ("RT Journal Article\nT1 One\nRT Journal Article\nT1 Two\n", "RT"),
    "cochrane": (
        "Record #1 of 2\nID: CN-1\nTI: One\n\nRecord #2 of 2\nID: CN-2\nTI: Two\n",
        "Record",
    ),
    "cnki-estudy": ("DataType: 1\nTitle-题名: One\nDataType: 1\nTitle-题名: Two\n", "DataType"),
    "ovid": ("<1>\nTI  - One\n\n<2>\nTI  - Two\n", "<2>"),
}
MARKER_LEADS = {"bom": "\ufeff", "zwsp": "\u200b", "space": " ", "nbsp": "\u00a0"}


@pytest.mark.parametrize("lead", MARKER_LEADS.values(), ids=MARKER_LEADS.keys())
@pytest.mark.parametrize("fmt", TAGGED)
def test_tagged_formats_start_a_record_after_invisible_or_white_space(fmt: str, lead: str) -> None:
    text, marker = TAGGED[fmt]
    at = text.index(marker, 1)
    entries = _entries(text[:at] + lead + text[at:], fmt)
    assert [e.record.title if e.record else str(e.error) for e in entries] == ["One", "Two"]


@pytest.mark.parametrize("fmt", ["medline", "wos", "noteexpress", "refworks", "cochrane"])
def test_tagged_formats_start_a_record_at_a_marker_in_lower_case(fmt: str) -> None:
    text, marker = TAGGED[fmt]
    at = text.index(marker, 1)
    entries = _entries(
        text[:at] + text[at : at + len(marker)].lower() + text[at + len(marker) :], fmt
    )
    assert [e.record.title if e.record else str(e.error) for e in entries] == ["One", "Two"]


def test_wos_records_run_together_are_an_error_not_one_record() -> None:
    entries = _entries("PT J\nTI One\nPT J\nTI Two\nER\n", "wos")
    assert entries[0].error is not None and "'ER'" in entries[0].error.problem
    assert entries[1].record.title == "Two"


def test_wos_text_between_records_is_an_error_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "savedrecs.txt"
    path.write_text(
        "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI One\nER\n\n"
        "A paragraph pasted between records\n\nPT J\nTI Two\nER\n\nEF\n",
        encoding="utf-8",
    )
    for read in (_one_piece(path, "wos"), _chunked(path, "wos")):
        assert [row.error is None for row in read] == [True, False, True]
        error = read[1].error
        assert (error.file_name, error.location) == ("savedrecs.txt", "record 2 (line 7)")
        assert "A paragraph pasted" in error.problem
    with Project.create(tmp_path / "r.db", title="r", reviewers=["alice"]) as project:
        with pytest.raises(ParseError, match=r"savedrecs\.txt, record 2 \(line 7\)"):
            project.import_file(path, source="Web of Science")
        assert project.db.execute("SELECT count(*) FROM record").fetchone()[0] == 0


# --- files appended to each other read as the sum of their records ----------------------------
def _fixtures_of(fmt: str) -> list[Path]:
    """The UTF-8 fixtures in tests/data that are detected as ``fmt``."""
    found = []
    for path in sorted(DATA.parent.rglob("*")):
        if not path.is_file() or path.suffix in (".md", ".db", ".json", ".toml"):
            continue
        try:
            path.read_bytes().decode("utf-8")
            stream, _ = open_text(path)
            with stream:
                if sources.detect_format(stream.read(64 * 1024), path.name).NAME == fmt:
                    found.append(path)
        except (UnicodeDecodeError, ScreenerError):
            continue
    return found


def _outcome(rows: list[parallel.Parsed]) -> list:
    """Each entry's stored values but its raw text (an ER line with no line end takes in the next
    file's first line), or the fact of an error (its place moves with what comes before)."""
    return [row.values[:-1] if row.error is None else "error" for row in rows]  # type: ignore[index]


CONCATENATED = {
    fmt: _fixtures_of(fmt) for fmt in ("ris", "medline", "wos", "noteexpress", "ovid", "bibtex")
}
ALONE: dict[Path, list] = {}


def _alone(path: Path, fmt: str, how) -> list:
    key = (path, fmt, how.__name__)
    if key not in ALONE:
        ALONE[key] = _outcome(how(path, fmt))
    return ALONE[key]


def test_there_are_fixtures_to_append() -> None:
    assert all(len(found) >= 2 for found in CONCATENATED.values()), {
        k: len(v) for k, v in CONCATENATED.items()
    }


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(picked=st.lists(st.sampled_from(CONCATENATED["ris"]), min_size=2, max_size=4))
def test_appended_ris_files_read_as_the_sum_of_theirs_with_and_without_workers(
    tmp_path: Path, picked: list[Path]
) -> None:
    path = tmp_path / "appended.ris"
    path.write_bytes(b"".join(p.read_bytes() for p in picked))
    for how in (_one_piece, _chunked):
        expected = [row for p in picked for row in _alone(p, "ris", _one_piece)]
        assert _outcome(how(path)) == expected, how.__name__


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_appended_files_of_a_tagged_format_read_as_the_sum_of_theirs(
    tmp_path: Path, data: st.DataObject
) -> None:
    fmt = data.draw(st.sampled_from(sorted(set(CONCATENATED) - {"ris"})))
    picked = data.draw(st.lists(st.sampled_from(CONCATENATED[fmt]), min_size=2, max_size=4))
    path = tmp_path / "appended"
    path.write_bytes(b"".join(p.read_bytes() for p in picked))
    expected = [row for p in picked for row in _alone(p, fmt, _one_piece)]
    assert _outcome(_one_piece(path, fmt)) == expected
