"""The included studies' references: citeproc-py with the bundled Vancouver (NLM) CSL style."""

from __future__ import annotations

from importlib import resources

from screener.records import Author, Record
from screener.report import references
from screener.report.references import format_references

FULL = Record(
    title="Low-dose interleukin-2 in refractory dermatomyositis",
    authors=(Author("Zhai", "Qiu Jie"), Author("Li", "M"), Author("IL-2 Study Group", "", True)),
    year=2021,
    journal="Annals of the Rheumatic Diseases",
    journal_abbrev="Ann Rheum Dis",
    volume="80",
    issue="3",
    page_first="1245",
    page_last="1252",
    doi="10.1136/x-2021",
)


def test_a_full_record_is_formatted_in_vancouver_style():
    assert format_references([FULL]) == (
        "1. Zhai QJ, Li M, IL-2 Study Group. Low-dose interleukin-2 in refractory dermatomyositis. "
        "Ann Rheum Dis. 2021;80(3):1245–52. doi:10.1136/x-2021",
    )


def test_numbering_follows_the_order_given_and_long_author_lists_are_cut():
    many = Record(
        title="Seven authors",
        authors=tuple(Author(f"Au{i}", "B") for i in range(7)),
        year=2020,
        journal="J",
    )
    out = format_references([many, Record(title="No authors <i>at all</i>")])
    assert out[0].startswith("1. Au0 B, Au1 B, Au2 B, Au3 B, Au4 B, Au5 B, et al. Seven authors.")
    assert out[1] == "2. No authors <i>at all</i>."  # text, never markup


def test_a_record_the_processor_cannot_take_gets_a_plain_line(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("citeproc failed")

    monkeypatch.setattr("citeproc.CitationStylesBibliography", broken)
    out = format_references([FULL])
    assert out == (
        "1. Zhai QJ, Li M, IL-2 Study Group. Low-dose interleukin-2 in refractory "
        "dermatomyositis. Ann Rheum Dis. 2021;80:1245-1252. doi:10.1136/x-2021",
    )


def test_the_bundled_style_keeps_its_licence():
    folder = resources.files("screener") / "data" / "csl"
    style = (folder / references.STYLE).read_text(encoding="utf-8")
    assert "creativecommons.org/licenses/by-sa/3.0" in style
    assert "CC BY-SA 3.0" in (folder / "README.md").read_text(encoding="utf-8")
