"""A MEDLINE/.nbib file cut short (inside an abstract) is refused, or its last record skipped and
listed with --skip-bad, as RIS, Web of Science and XML files cut short are: MEDLINE has no
end-of-record mark, so PubMed's habit of writing SO last in every record stands in for one."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sources_support import DATA

from screener.errors import ParseError
from screener.project import Project
from screener.sources import medline

PUBMED = (DATA / "pubmed" / "medline_result2.txt").read_text(
    encoding="utf-8"
)  # 4 records, each ending in SO


def _read(text: str, name: str = "cut.nbib") -> list:
    return list(medline.parse(io.StringIO(text), file_name=name))


def _fields(record) -> object:
    return dataclasses.replace(record, raw="")


WHOLE = [_fields(e.record) for e in _read(PUBMED)]


def test_a_file_cut_inside_an_abstract_at_a_line_end_is_cut_short() -> None:
    last = PUBMED.rindex("\nPMID-") + 1
    cut = (
        PUBMED.index("\n", PUBMED.index("\nAB  -", last) + 1) + 1
    )  # after the abstract's first line
    entries = _read(PUBMED[:cut])
    assert [e.error is None for e in entries] == [True, True, True, False]
    error = entries[-1].error
    line = PUBMED[:last].count("\n") + 1
    assert (error.file_name, error.location) == ("cut.nbib", f"record 4 (line {line})")
    assert "cut short" in error.problem


def test_a_lone_record_cut_in_the_middle_of_a_line_is_cut_short() -> None:
    first = PUBMED[: PUBMED.index("\nPMID-", 1) + 1]
    cut = first.index("\nAB  -") + 40
    (entry,) = _read(first[:cut])
    assert entry.error is not None and "cut short" in entry.error.problem


def test_a_whole_file_without_its_last_line_end_is_not_cut_short() -> None:
    assert [e.error for e in _read(PUBMED.rstrip("\n"))] == [None] * 4


def test_an_eric_record_after_pubmed_ones_is_not_cut_short() -> None:
    eric = (DATA / "pubmed" / "medline_colrev.nbib").read_text(encoding="utf-8")
    assert [e.error for e in _read(PUBMED + eric)] == [None] * 5


@settings(
    max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(cut=st.integers(PUBMED.index("\nPMID-", 1) + 1, len(PUBMED)))
def test_a_cut_anywhere_gives_the_whole_last_record_or_says_so(cut: int) -> None:
    """Cut after the first record, the last entry read is the record the whole file holds there
    (a cut in its SO line loses nothing screener keeps) or an error saying the file is cut short."""
    entries = _read(PUBMED[:cut])
    *before, last = entries
    assert [_fields(e.record) for e in before] == WHOLE[: len(before)]
    if last.error is not None:
        assert "cut short" in last.error.problem
    else:
        assert _fields(last.record) == WHOLE[len(before)]


def test_an_import_of_a_cut_file_is_refused_or_skips_the_cut_record(tmp_path: Path) -> None:
    last = PUBMED.rindex("\nPMID-") + 1
    path = tmp_path / "cut.nbib"
    path.write_text(PUBMED[: PUBMED.index("\nAB  -", last) + 60], encoding="utf-8")
    with Project.create(tmp_path / "r.db", title="r", reviewers=["alice"]) as project:
        with pytest.raises(ParseError, match=r"cut\.nbib, record 4 \(line \d+\): .*cut short"):
            project.import_file(path)
        assert project.db.execute("SELECT count(*) FROM record").fetchone()[0] == 0
        result = project.import_file(path, skip_bad=True)
        assert (result.count_in_file, result.count_imported) == (4, 3)
        assert "cut short" in result.skipped[0]
