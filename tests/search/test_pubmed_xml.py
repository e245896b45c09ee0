"""The PubMed XML parser on every recorded efetch fixture (copied into tests/data/pubmed)."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest
from fake_eutils import _XML_HEAD, _XML_TAIL, compact_template, make_article, template_article
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener import sources
from screener.errors import ParseError
from screener.records import Author
from screener.sources import pubmed_xml
from screener.sources.pubmed_xml import parse, parse_efetch

DATA = Path(__file__).resolve().parents[1] / "data" / "pubmed"
EFETCH = sorted(DATA.glob("efetch_*.xml"))


def records(name: str):
    return parse_efetch((DATA / name).read_bytes(), source_name=name)


def by_pmid(name: str):
    return {r.pmid: r for r in records(name)}


@pytest.mark.parametrize("path", EFETCH, ids=lambda p: p.name)
def test_every_fixture_parses_with_a_pmid_title_and_raw_xml(path: Path) -> None:
    found = parse_efetch(path.read_bytes(), source_name=path.name)
    text = path.read_text(encoding="utf-8")
    assert len(found) == text.count("<PubmedArticle>") + text.count("<PubmedBookArticle>")
    for record in found:
        assert record.pmid.isdigit()
        assert record.raw.startswith(("<PubmedArticle>", "<PubmedBookArticle>"))
        assert f">{record.pmid}</PMID>" in record.raw
        assert record.url == f"https://pubmed.ncbi.nlm.nih.gov/{record.pmid}/"


@pytest.mark.parametrize("path", EFETCH, ids=lambda p: p.name)
def test_the_stream_parser_agrees_with_the_bytes_parser(path: Path) -> None:
    with open(path, encoding="utf-8") as stream:
        entries = list(parse(stream, file_name=path.name))
    assert [e.position for e in entries] == list(range(1, len(entries) + 1))
    assert [e.record for e in entries] == parse_efetch(path.read_bytes())


def test_two_articles_fields_match_the_fixture_text() -> None:
    found = by_pmid("efetch_2_articles.xml")
    first = found["11748933"]
    assert first.title.startswith("Is cryopreservation a homogeneous process?")
    assert first.authors[0] == Author("Taddei", "A R")
    assert len(first.authors) == 8
    assert (first.journal, first.journal_abbrev) == ("Cryobiology", "Cryobiology")
    assert (first.volume, first.issue, first.page_first, first.page_last) == (
        "42",
        "4",
        "244",
        "255",
    )
    assert first.year == 2001 and first.extra["pub_date"] == "2001 Jun"
    assert first.issn == "0011-2240"
    assert first.doi == "10.1006/cryo.2001.2328"
    assert first.language == "eng"
    assert "Journal Article" in first.pub_types
    assert "Cryopreservation/*methods" in first.mesh and "Animals" in first.mesh
    # An escaped "<" in the XML stays a "<" in the abstract (no tag stripping of real text).
    assert "(P < 0.001)" in first.abstract
    assert found["11700088"].journal_abbrev == "J Magn Reson"


def test_a_record_without_an_abstract_and_one_with_keywords() -> None:
    found = by_pmid("efetch_2_articles_one_without_abstract.xml")
    assert found["12091962"].abstract == ""
    assert found["12091962"].keywords[:2] == ("Health Care and Public Health", "Legal Approach")
    assert found["9997"].extra["pub_date"] == "1976 Sep 28"
    assert "*Acquired Immunodeficiency Syndrome" in found["12091962"].mesh


def test_structured_abstract_keeps_its_labels_in_order() -> None:
    record = by_pmid("efetch_pmid29768149_structured.xml")["29768149"]
    labels = [label for label in ("BACKGROUND:", "METHODS:", "RESULTS:", "CONCLUSIONS:")]
    positions = [record.abstract.index(label) for label in labels]
    assert record.abstract.startswith("BACKGROUND: In patients with mild asthma")
    assert positions == sorted(positions)
    assert record.doi == "10.1056/nejmoa1715274"
    assert record.authors[0] == Author("O'Byrne", "Paul M")
    other = by_pmid("efetch_structured_abstract.xml")["27797938"]
    assert other.abstract.startswith("OBJECTIVE: Telomere shortening")
    assert other.pmcid == "PMC5442267"


def test_unlabelled_sections_carry_no_label() -> None:
    found = by_pmid("efetch_mixed_article_and_book.xml")
    assert found["23633646"].abstract.startswith("BACKGROUND: Just a dummy text.")
    assert "UNLABELLED" not in found["21413195"].abstract


def test_inline_markup_keeps_its_text() -> None:
    record = by_pmid("efetch_inline_italics.xml")["29872490"]
    assert "<i>" not in record.abstract and "APOE" in record.abstract
    assert "ABCA7" in record.abstract
    assert record.authors[1] == Author("Hernández", "Isabel")


def test_mathml_text_is_kept_and_tags_dropped() -> None:
    record = by_pmid("efetch_mathml_in_abstract.xml")["32759406"]
    assert record.title == "CellML 2.0."
    assert record.abstract.startswith("Following are examples of MathML elements: η p 2")
    assert "mml" not in record.abstract and "<" not in record.abstract
    assert "Indices" not in record.abstract  # XML comments are not text
    assert (record.volume, record.issue) == ("17", "2-3")
    assert record.doi == "10.1515/jib-2020-0021"  # from the ArticleIdList / ELocationID


def test_collective_author_is_marked_collective() -> None:
    record = by_pmid("efetch_collective_author.xml")["29963580"]
    assert record.authors[-1] == Author("Canadian Respiratory Research Network", collective=True)
    assert record.authors[0] == Author("Guo", "Fumin")
    assert record.pmcid == "PMC6022861"


def test_non_ascii_text_survives_in_nfc() -> None:
    record = by_pmid("efetch_nonascii_authors.xml")["30108519"]
    assert "±" in record.abstract
    assert record.issn == "1664-042X"
    assert record.page_first == "1034"


def test_book_articles() -> None:
    first, second = records("efetch_book_article_set.xml")
    assert first.title == "Title for some article"
    assert first.journal.startswith("Rheumatoid Arthritis: National Clinical Guideline")
    assert first.authors == (
        Author("National Collaborating Centre for Chronic Conditions (UK)", collective=True),
    )
    assert first.year == 2009
    assert first.doi == "10.3275/8949"
    assert first.pub_types == ("Review", "Practice Guideline")
    assert first.extra["isbn"] == "9781860163593"
    assert first.extra["book_accession"] == "NBK51812"
    assert second.pmid == "21413195" and second.page_first == "1831"


def test_publisher_status_and_article_ids() -> None:
    record = by_pmid("efetch_publisher_status_articleids.xml")["26711635"]
    assert record.extra["status"] == "Publisher"
    assert record.doi == "10.1016/j.diagmicrobio.2015.11.017"


def test_the_html_error_page_is_rejected() -> None:
    with pytest.raises(ParseError, match="HTML page"):
        parse_efetch((DATA / "efetch_html_error_page.html").read_bytes(), source_name="page.html")


def test_an_error_element_is_an_error() -> None:
    body = b"<eFetchResult><ERROR>Empty id list - nothing todo</ERROR></eFetchResult>"
    with pytest.raises(ParseError, match="Empty id list"):
        parse_efetch(body)


@pytest.mark.parametrize("name", ["epost_error_invalid_db.xml", "epost_error_empty_ids.xml"])
def test_recorded_error_responses_are_errors(name: str) -> None:
    with pytest.raises(ParseError, match="E-utilities reported an error"):
        parse_efetch((DATA / name).read_bytes(), source_name=name)


def test_other_xml_is_not_pubmed() -> None:
    with pytest.raises(ParseError, match="eSearchResult"):
        parse_efetch((DATA / "esearch_basic.xml").read_bytes())


def test_truncated_xml_is_an_error_naming_the_source() -> None:
    body = (DATA / "efetch_structured_abstract.xml").read_bytes()
    with pytest.raises(ParseError, match=r"cut\.xml.*not well-formed"):
        parse_efetch(body[: len(body) // 2], source_name="cut.xml")


def test_an_empty_set_is_no_records() -> None:
    assert parse_efetch(b"<?xml version='1.0'?>\n<PubmedArticleSet>\n</PubmedArticleSet>\n") == []


def test_the_dtd_is_never_fetched_and_entities_are_not_expanded() -> None:
    body = (
        b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<PubmedArticleSet>"
        + make_article(template_article(), "1", _date()).replace(
            b"<ArticleTitle>", b"<ArticleTitle>&x;", 1
        )
        + b"</PubmedArticleSet>"
    )
    (record,) = parse_efetch(body)
    assert "root:" not in record.title


def _date():
    from datetime import date

    return date(2020, 5, 17)


def test_registry_detects_pubmed_xml() -> None:
    head = (DATA / "efetch_2_articles.xml").read_text(encoding="utf-8")[:4096]
    assert sources.detect_format(head, "x.xml") is pubmed_xml
    assert sources.get_format("pubmed-xml") is pubmed_xml
    assert pubmed_xml.sniff("TY  - JOUR\n") == 0


def test_import_file_stores_every_record(project, tmp_path: Path) -> None:
    result = project.import_file(DATA / "efetch_nonascii_authors.xml")
    assert (result.format, result.database, result.count_imported) == ("pubmed-xml", "PubMed", 1)
    stored = project.record(project.screened_record_ids()[0])
    assert stored == by_pmid("efetch_nonascii_authors.xml")["30108519"]


def test_streaming_keeps_memory_flat() -> None:
    """2,000 records (~3 MB of XML) parse with a Python heap that does not grow with the file
    (libxml2's own memory is not traced here; bench_import_pubmed.py reports the process RSS)."""
    template = compact_template()
    data = (
        _XML_HEAD
        + b"\n".join(make_article(template, str(1_000_000 + i), _date()) for i in range(2000))
        + _XML_TAIL
    )
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    tracemalloc.start()
    count = 0
    for entry in parse(stream, file_name="big.xml"):
        count += entry.record is not None
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 2000
    assert peak < 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=0, max_value=10_920), junk=st.binary(max_size=20))
def test_mangled_input_gives_a_parse_error_never_a_traceback(cut: int, junk: bytes) -> None:
    body = (DATA / "efetch_2_articles.xml").read_bytes()
    mangled = body[:cut] + junk
    try:
        parse_efetch(mangled)
    except ParseError as exc:
        assert str(exc)


def test_a_text_stream_without_a_byte_buffer_parses_the_same() -> None:
    text = (DATA / "efetch_inline_italics.xml").read_text(encoding="utf-8")
    entries = list(parse(io.StringIO(text), file_name="x.xml"))
    assert [e.record for e in entries] == parse_efetch(text.encode("utf-8"))


def test_a_cp1252_file_is_read_through_the_import_decoder(project, tmp_path: Path) -> None:
    text = (DATA / "efetch_inline_italics.xml").read_text(encoding="utf-8")
    text = text.replace(
        "Hern&#xe1;ndez", "Hernández"
    )  # a literal non-ASCII letter, not a reference
    legacy = tmp_path / "legacy.xml"
    legacy.write_bytes(
        text.replace(
            "<PubmedArticleSet>",
            '<?xml version="1.0" encoding="windows-1252"?>\n<PubmedArticleSet>',
            1,
        ).encode("cp1252")
    )
    result = project.import_file(legacy)
    assert result.encoding == "cp1252" and result.count_imported == 1
    stored = project.record(project.screened_record_ids()[0])
    assert stored.authors[1] == Author("Hernández", "Isabel")


def _answer(articles: list[bytes]) -> bytes:
    return _XML_HEAD + b"".join(a + b"\n" for a in articles) + _XML_TAIL


def _outcome(body: bytes, *, lean: bool):
    try:
        return parse_efetch(body, lean=lean)
    except ParseError as exc:
        return str(exc)


@pytest.mark.parametrize("path", EFETCH, ids=lambda p: p.name)
def test_reading_lean_gives_what_reading_whole_gives(path: Path) -> None:
    body = path.read_bytes()
    assert _outcome(body, lean=True) == _outcome(body, lean=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    count=st.integers(min_value=0, max_value=260),
    damage=st.sampled_from(["none", "cut", "error", "no-pmid", "junk"]),
    where=st.floats(min_value=0, max_value=1),
)
def test_a_many_piece_answer_reads_lean_as_whole(count: int, damage: str, where: float) -> None:
    # More than pubmed_xml._PIECE articles: the lean reading parses the answer in pieces.
    from datetime import date

    template = compact_template()
    articles = [make_article(template, str(30_000_000 + i), date(2001, 1, 1)) for i in range(count)]
    body = _answer(articles)
    at = int(where * max(count - 1, 0))
    if damage == "cut":
        body = body[: int(where * len(body))]
    elif damage == "error" and count:
        articles.insert(at, b"<ERROR>Unable to fetch</ERROR>")
        body = _answer(articles)
    elif damage == "no-pmid" and count:
        articles[at] = articles[at].replace(f">{30_000_000 + at}</PMID>".encode(), b"></PMID>")
        body = _answer(articles)
    elif damage == "junk":
        body = body[: int(where * len(body))] + b"<<&" + body[int(where * len(body)) :]
    assert _outcome(body, lean=True) == _outcome(body, lean=False)
