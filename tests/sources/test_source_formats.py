"""Dialect quirks of each format, on small inline samples written for each case."""

from __future__ import annotations

import io

import pytest

from screener import sources
from screener.errors import ScreenerError
from screener.sources import bibtex, endnote_xml, medline, ris, wos
from screener.sources.decode import looks_chinese


def parse(module, text: str, name: str = "sample"):
    return list(module.parse(io.StringIO(text), file_name=name))


def good(module, text: str):
    entries = parse(module, text)
    assert [str(e.error) for e in entries if e.error] == []
    return [e.record for e in entries]


# --- RIS ----------------------------------------------------------------------------------------

OVID_RIS = """1.
TY  - JOUR
ID  - 2019-65183-001
T1  - First title.
A1  - Trindade, Ines A
Y1  - 2019//
SP  - No
EP  - Specified
ER  -
NL  - Clin Psychol Psychother

Link to the Ovid Full Text or citation: http://ovidsp.ovid.com/ovidweb.cgi?T=JS&D=psyc16&AN=1

2.
TY  - JOUR
T1  - Second title.
ER  -
"""


def test_ris_ovid_numbering_and_links_are_not_records() -> None:
    first, second = good(ris, OVID_RIS)
    assert (first.title, second.title) == ("First title.", "Second title.")
    assert (first.page_first, first.page_last) == ("", "")  # "No" / "Specified"
    assert first.source_key == "2019-65183-001"
    assert ris.database(OVID_RIS) == "PsycINFO"


def test_ris_missing_er_before_blank_line_and_next_record() -> None:
    text = "TY  - JOUR\nTI  - One\nAU  - Smith, J\n\n% note\nTY  - JOUR\nTI  - Two\nER  - \n"
    assert [r.title for r in good(ris, text)] == ["One", "Two"]


def test_ris_record_cut_short_is_an_error_naming_its_line() -> None:
    entries = parse(ris, "TY  - JOUR\nTI  - One\nER  - \n\nTY  - JOUR\nTI  - Two\n", "cut.ris")
    assert entries[0].record.title == "One"
    assert str(entries[1].error) == (
        "cut.ris, record 2 (line 5): expected 'ER  -' to close the record "
        "that starts here; the file may be cut short"
    )


def test_ris_continuation_lines_and_variants() -> None:
    text = (
        "TY  - JOUR\nKW  - Humans\nInterleukin-2/*therapeutic use\nKW - Myositis\nPMID - 123\n"
        "AU  - Smith, J; Doe, A\nSP  - 349-69\nJF  - Journal of Things\nJO  - J Things\n"
        "T1  - Primary\nTI  - Secondary\nN2  - The abstract\ngoes on\nAB  - Notes\nER  - \n"
    )
    (record,) = good(ris, text)
    assert record.keywords == ("Humans", "Interleukin-2/*therapeutic use", "Myositis")
    assert record.pmid == "123"
    assert [a.family for a in record.authors] == ["Smith", "Doe"]
    assert (record.page_first, record.page_last) == ("349", "369")
    assert (record.journal, record.journal_abbrev) == ("Journal of Things", "J Things")
    assert record.title == "Primary"  # the first title tag in the file wins
    assert record.abstract == "The abstract goes on"
    assert record.raw.startswith("TY  - JOUR\nKW  - Humans\nInterleukin-2")


@pytest.mark.parametrize(
    ("tags", "pmid", "pmcid"),
    [
        (
            "DP  - NLM\nAN  - 21553931\nC2  - PMC3001234\n",
            "21553931",
            "PMC3001234",
        ),  # EndNote from PubMed
        (
            "DB  - Embase\nDB  - Medline\nC5  - 15368318\nU2  - L39097156\n",
            "15368318",
            "",
        ),  # Embase.com
        ("DB  - Scopus\nC2  - 31421429\nC7  - 104501\n", "31421429", ""),  # Scopus
        (
            "DB  - Academic Search Premier\nAN  - 117000123\n",
            "",
            "",
        ),  # an EBSCO accession is no PMID
    ],
)
def test_ris_pmid_where_each_database_puts_it(tags: str, pmid: str, pmcid: str) -> None:
    (record,) = good(ris, f"TY  - JOUR\nTI  - T\n{tags}ER  - \n")
    assert (record.pmid, record.pmcid) == (pmid, pmcid)


# --- MEDLINE ------------------------------------------------------------------------------------


def test_medline_collective_authors_in_order_and_doi_from_lid() -> None:
    text = (
        "PMID- 1\nTI  - Consensus on\n      myositis.\nFAU - Doe, Jane\nAU  - Doe J\n"
        "CN  - International Myositis Group\nFAU - Roe, Rick\nAU  - Roe R\n"
        "LID - S0000 [pii]\nLID - 10.1000/X.1 [doi]\nMH  - Myositis/*drug therapy\nPMC - PMC42\n"
    )
    (record,) = good(medline, text)
    assert record.title == "Consensus on myositis."
    assert [(a.family, a.collective) for a in record.authors] == [
        ("Doe", False),
        ("International Myositis Group", True),
        ("Roe", False),
    ]
    assert (record.doi, record.pmcid, record.mesh) == (
        "10.1000/x.1",
        "PMC42",
        ("Myositis/*drug therapy",),
    )


def test_medline_records_without_blank_line_between() -> None:
    assert [r.pmid for r in good(medline, "PMID- 1\nTI  - A\nPMID- 2\nTI  - B\n")] == ["1", "2"]


def test_medline_stray_line_names_its_line() -> None:
    entries = parse(medline, "PMID- 1\nTI  - A\nnot a tag\n", "x.nbib")
    assert str(entries[0].error) == (
        "x.nbib, record 1 (line 1): line 3: expected a tag such as 'TI  - ' or "
        "a continuation line indented by spaces, found 'not a tag'"
    )


# --- Web of Science -----------------------------------------------------------------------------

WOS = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Li, W
   Dou, Z
AF Li, Wei
   Dou, Zhiguo
TI Soil fauna diversity at different stages of reed restoration in a
   lakeshore wetland
ID ROTIFER; ECOLOGICAL RISK-ASSESSMENT; TROPHIC
   STATE INDEX
BP 10
EP 19
ER

EF
"""


def test_wos_continuations() -> None:
    (record,) = good(wos, WOS)
    assert (
        record.title
        == "Soil fauna diversity at different stages of reed restoration in a lakeshore wetland"
    )
    assert [(a.family, a.given) for a in record.authors] == [("Li", "Wei"), ("Dou", "Zhiguo")]
    assert record.keywords == ("ROTIFER", "ECOLOGICAL RISK-ASSESSMENT", "TROPHIC STATE INDEX")
    assert record.pages == "10-19"


def test_wos_cut_short_and_garbage() -> None:
    cut = parse(wos, WOS.split("ER\n")[0], "w.txt")
    assert str(cut[0].error).startswith("w.txt, record 1 (line 3): expected 'ER'")
    garbage = parse(wos, WOS.replace("BP 10", "bp ten"), "w.txt")
    assert "record 1 (line 3): line 12: expected a two-letter tag" in str(garbage[0].error)


# --- BibTeX -------------------------------------------------------------------------------------


def test_bibtex_macros_latex_and_lenient_names() -> None:
    text = (
        '@string{jn = "Journal of " # "Myositis"}\n@comment{ignored}\n'
        "@article{Key With Space,\n  title = {M{\\\"u}ller's {IL-2} \\& Co},\n  journal = jn,\n"
        '  month = mar, year = 2020,\n  funding_text 1 = {x},\n  author = {M{\\"u}ller, J. and '
        "{WHO}},\n"
        "  pages = {12--19}\n}\n"
    )
    (record,) = good(bibtex, text)
    assert record.title == "Müller's IL-2 & Co"
    assert record.journal == "Journal of Myositis"
    assert (record.year, record.page_first, record.page_last) == (2020, "12", "19")
    assert [a.family for a in record.authors] == ["Müller", "WHO"]
    assert record.source_key == "Key With Space"


def test_bibtex_unclosed_entry() -> None:
    entries = parse(bibtex, "@article{a, title={One}}\n@article{b,\n title = {Two\n", "r.bib")
    assert entries[0].record.title == "One"
    assert str(entries[1].error) == (
        "r.bib, record 2 (line 2): expected a closing brace for the entry that "
        "starts here; the file may be cut short"
    )


# --- EndNote XML --------------------------------------------------------------------------------


def test_endnote_xml_not_well_formed_names_the_line() -> None:
    text = (
        "<xml><records><record><titles><title>T</title></titles></record>\n"
        "<record><oops></record></records></xml>"
    )
    with pytest.raises(ScreenerError, match=r"^e\.xml, line 2: not well-formed XML"):
        parse(endnote_xml, text, "e.xml")


# --- detection ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        ("Record #1 of 2\nProvider: Provider\n1.\nTY  - JOUR\nT1  - x\nER  - \n", "ris"),
        ("Record #1 of 2\nID: CN-01\nAU: Doe J\nTI: Trial\nSO: J\nYR: 2020\n", "cochrane"),
        ("<1. >\nVN  - Ovid Technologies\nDB  - Embase\nTI  - x\nAU  - Doe J.\n", "ovid"),
        ("PT J\nAU Doe, J\nTI x\nSO J\nER\n", "wos"),
        ("RT Journal Article\nA1 李明\nT1 标题\nJF 杂志\n", "refworks"),
        ("%0 Journal Article\n%A 李明\n%T 标题\n", "refer"),
        ("OWN - ERIC\nTI  - Paper\nJT  - J\nDP  - 2000\nPG  - 1-9\n", "medline"),
        ("title,authors,year,doi\nA,B,2020,10.1/x\n", "csv"),
    ],
)
def test_detection_tells_neighbouring_formats_apart(head: str, fmt: str) -> None:
    assert sources.detect_format(head).NAME == fmt


def test_unrecognised_format_says_how_to_choose_one() -> None:
    with pytest.raises(
        ScreenerError, match=r"notes\.txt: format not recognised; give it with --format"
    ):
        sources.detect_format("just some notes\nnothing tagged\n", "notes.txt")


def test_looks_chinese_is_about_density_not_presence() -> None:
    assert not looks_chinese("Ab" + "ǅ" * 10)  # non-ASCII but not Chinese
