"""The Record's normalisers: examples from real exports, and properties."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from screener.records import (
    clean_text,
    normalize_doi,
    normalize_issn,
    normalize_pmid,
    parse_author,
    parse_year,
    split_pages,
)


def test_markup_is_stripped_but_comparisons_survive() -> None:
    assert clean_text("<i>In vivo</i> IL-2<sup>+</sup> cells") == "In vivo IL-2+ cells"
    assert clean_text("P < 0.05 and n > 3") == "P < 0.05 and n > 3"
    assert clean_text("a &amp; b\n\t c") == "a & b c"


@given(st.text())
def test_clean_text_is_idempotent_and_folds_whitespace(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert "  " not in once and once == once.strip()


def test_doi_forms() -> None:
    for raw in (
        "10.1093/RHEUM/keab001",
        "doi:10.1093/rheum/keab001",
        "https://doi.org/10.1093/rheum/keab001",
        "http://dx.doi.org/10.1093/rheum/keab001.",
        "DOI: 10.1093/rheum/keab001",
    ):
        assert normalize_doi(raw) == "10.1093/rheum/keab001"
    assert normalize_doi("not a doi") == ""


def test_ids() -> None:
    assert normalize_pmid("PMID: 0012345 [Indexed for MEDLINE]") == "12345"
    assert normalize_issn("ISSN 1462-0324 (Print)") == "1462-0324"
    assert normalize_issn("0003496x") == "0003-496X"


def test_pages() -> None:
    assert split_pages("73-6") == ("73", "76")
    assert split_pages("1123-45") == ("1123", "1145")
    assert split_pages("pp. 12–19") == ("12", "19")
    assert split_pages("e1234") == ("e1234", "")
    assert split_pages("S12-S14") == ("S12", "S14")


@given(st.integers(1, 99999), st.integers(0, 9999))
def test_abbreviated_last_page_is_never_below_the_first(first: int, extra: int) -> None:
    last = first + extra
    a, b = split_pages(f"{first}-{str(last)[-len(str(last)) :]}")
    assert a == str(first) and (b == "" or int(b) >= first)


def test_author_formats_agree() -> None:
    forms = ["Zhai, Q. J.", "Zhai QJ", "Q J Zhai", "Zhai, Qing-Jun"]
    assert {parse_author(f).family for f in forms} == {"Zhai"}
    assert parse_author("张三").family == "张三"


def test_years() -> None:
    assert parse_year("2021 Mar 5") == 2021
    assert parse_year("Spring 1998-1999") == 1998
    assert parse_year("12345") is None
