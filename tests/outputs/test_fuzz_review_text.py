"""Any text a record, a reviewer or a file brings goes through the whole review and out again
(issue "Text is data", done-when): random text from the full Unicode range, markup and control
characters, as a record's title, an exclusion reason, a tag, a note and a study label; no
crash, and every output well-formed and faithful: the records and decisions CSVs read back to
the same cells, the RIS export to one record per record with the title on one line, the
report's HTML and SVGs parse.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import rispy
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html
from outputs_support import parse_xml

from screener.cli import main
from screener.errors import ScreenerError
from screener.files import from_spreadsheet_cell
from screener.project import Project

# Any code point but lone surrogates, which no text decoded from a file or typed can hold.
TEXT = st.text(
    st.one_of(
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from("[]/@=$\\{}\x00\x1b\x07\n\r\t\x85\u202e"),
    ),
    min_size=1,
    max_size=30,
)
FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _review(path: Path) -> tuple[Project, list[int]]:
    source = path.with_suffix(".csv")
    source.write_text("title,abstract,year\nFirst,one,2020\nSecond,two,2021\n", encoding="utf-8")
    project = Project.create(path, title="Fuzz", reviewers=["lead"], exclusion_reasons=("Other",))
    project.import_file(source, fmt="csv", source="Fuzz DB")
    return project, project.screened_record_ids()


def _accepted(action, *args, **kwargs) -> bool:
    """Run a façade call; a refusal of the text (one clear error) is fine, a crash is not."""
    try:
        action(*args, **kwargs)
    except ScreenerError as exc:
        assert "\n" not in str(exc).strip()
        return False
    return True


@FUZZ
@example(title="t", reason="豈", tag="t", note="n", label="l")  # NFC changes it: found by CI
@given(title=TEXT, reason=TEXT, tag=TEXT, note=TEXT, label=TEXT)
def test_any_text_goes_through_the_review_and_out_well_formed(
    tmp_path_factory, title: str, reason: str, tag: str, note: str, label: str
) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    review = root / "r.db"
    project, (first, second) = _review(review)
    with project:
        # as an importer that kept every character would bring it
        project.db.execute("UPDATE record SET title = ? WHERE id = ?", [title, first])
        reason_kept = _accepted(project.update_review, exclusion_reasons=("Other", reason))
        assert _accepted(
            project.record_decision, first, "title_abstract", "lead", "include", note=note
        )
        assert _accepted(
            project.record_decision,
            second,
            "title_abstract",
            "lead",
            "exclude",
            reason=reason if reason_kept else "Other",
            note=note,
        )
        _accepted(project.tag_record, first, tag, "lead")
        _accepted(project.add_note, first, "lead", note)
        _accepted(project.create_study, label, record_ids=[first])

    # the records CSV: the same two records, the title's cell reads back exactly
    out = root / "records.csv"
    assert main(["export", "records", str(review), "--unblind", "--out", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2
    assert from_spreadsheet_cell(rows[0]["title"]) == title

    # the decisions CSV: one row per live decision, whatever the note and reason hold
    out = root / "decisions.csv"
    assert main(["export", "decisions", str(review), "--unblind", "--out", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as handle:
        decisions = [r for r in csv.DictReader(handle) if r.get("role") != "retrieval"]
    assert len(decisions) == 2

    # RIS: two records, every value on one line
    out = root / "all.ris"
    assert (
        main(["export", "ris", str(review), "--which", "all", "--unblind", "--out", str(out)]) == 0
    )
    text = out.read_text(encoding="utf-8")
    entries = rispy.loads(text)
    assert len(entries) == 2
    assert all(
        line[:2].isupper() or line[:2].isdigit() or not line.strip() for line in text.splitlines()
    ), text

    # the report: HTML that parses with the text in it, SVGs well-formed
    report = root / "report"
    assert main(["report", str(review), "--out", str(report)]) == 0
    page = (report / "report.html").read_bytes()
    tree = lxml_html.fromstring(page)
    assert tree.find(".//body") is not None
    assert not tree.xpath("//script")  # no text became markup
    for svg in report.rglob("*.svg"):
        parse_xml(svg.read_bytes())
    etree.fromstring((report / "prisma.svg").read_bytes(), etree.XMLParser(resolve_entities=False))


def test_a_lone_carriage_return_stays_inside_its_csv_cell() -> None:
    from screener.files import csv_writer

    for raw in (False, True):
        buffer = io.StringIO()
        csv_writer(buffer, raw=raw).writerows([["0\r0", "x"], ["plain", "y"]])
        assert list(csv.reader(io.StringIO(buffer.getvalue(), newline=""))) == [
            ["0\r0", "x"],
            ["plain", "y"],
        ]


def test_labels_fold_to_one_line_and_refuse_a_nul(tmp_path: Path) -> None:
    project, (first, _) = _review(tmp_path / "r.db")
    with project:
        project.tag_record(first, "two\nlines\r\tTag", "lead")
        assert project.record_tags(first) == ["two lines Tag"]
        for action in (
            lambda: project.tag_record(first, "\x00x", "lead"),
            lambda: project.create_study("\x00 Zhang 2021"),
            lambda: project.update_review(exclusion_reasons=("a\x00b",)),
        ):
            try:
                action()
            except ScreenerError as exc:
                assert "NUL" in str(exc) and "\n" not in str(exc)
            else:
                raise AssertionError("a NUL was accepted")
