"""The hand-made samples (tests/data/sources/handmade, labelled in PROVENANCE.md): databases and
encodings no public export exists for. Expected values are the text written into each sample."""

from __future__ import annotations

import pytest
from sources_support import HANDMADE, read_entries, records

from screener.sources.decode import detect_encoding


@pytest.mark.parametrize(
    ("name", "fmt", "encoding", "database", "count"),
    [
        ("cochrane_central.txt", "cochrane", "utf-8", "Cochrane CENTRAL", 3),
        ("cbm_sinomed_noteexpress.net", "noteexpress", "gb18030", "CBM", 2),
        ("vip_noteexpress.net", "noteexpress", "utf-8-sig", "VIP", 2),
        ("cnki_noteexpress_gbk.net", "noteexpress", "gb18030", "CNKI", 3),
        ("cnki_endnote.txt", "refer", "utf-8", "CNKI", 2),
        ("cnki_refworks.txt", "refworks", "utf-8", "CNKI", 2),
        ("cnki_estudy.txt", "cnki-estudy", "utf-8", "CNKI", 2),
        ("wos_tab_utf16.txt", "wos-tab", "utf-16", "Web of Science", 3),
        ("scopus_export.csv", "scopus-csv", "utf-8-sig", "Scopus", 2),
        ("embase_vertical.csv", "embase-csv", "utf-8-sig", "Embase", 2),
        ("ris_cp1252.ris", "ris", "cp1252", None, 2),
    ],
)
def test_handmade_sample_detected(
    name: str, fmt: str, encoding: str, database: str | None, count: int
) -> None:
    path = HANDMADE / name
    assert detect_encoding(path) == encoding
    found_fmt, found_db, entries = read_entries(path)
    assert (found_fmt, found_db, len(entries)) == (fmt, database, count)
    assert all(e.record is not None for e in entries)


def test_cochrane_central_fields() -> None:
    first, second, third = records(HANDMADE / "cochrane_central.txt")
    assert first.source_key == "CN-02987654"
    assert first.title.startswith("Low-dose interleukin-2 in refractory dermatomyositis")
    assert [a.family for a in first.authors] == ["Zhang", "Wang", "Miller"]
    assert (first.year, first.journal, first.volume, first.issue) == (
        2022,
        "Annals of the rheumatic diseases",
        "81",
        "4",
    )
    assert (first.page_first, first.page_last) == ("512", "519")
    assert (first.doi, first.pmid) == ("10.1000/ard.2021.0001", "35012345")
    assert first.pub_types == ("Journal Article", "Randomized Controlled Trial")
    assert "Interleukin-2 [administration & dosage, therapeutic use]" in first.keywords
    assert first.extra["other_ids"] == "EMBASE 638912345"
    assert first.url.endswith("CN-02987654/full")
    assert [a.family for a in second.authors] == ["Rossi", "Bianchi"]  # "AU: Rossi M; Bianchi F"
    assert second.abstract == (
        "Low-dose IL-2 increased circulating regulatory T cells in six patients "
        "with polymyositis without serious adverse events."
    )
    assert third.pmid == "" and third.year == 2019


def test_cbm_sinomed_english_fields_beside_chinese() -> None:
    first, second = records(HANDMADE / "cbm_sinomed_noteexpress.net")
    assert first.title == "低剂量白细胞介素-2治疗难治性皮肌炎的临床观察"
    assert (
        first.title_en
        == "Clinical observation of low-dose interleukin-2 in refractory dermatomyositis"
    )
    assert first.abstract.startswith("目的 观察低剂量白细胞介素-2(IL-2)")
    assert first.abstract_en.startswith("Objective To observe the efficacy")
    assert first.keywords == ("皮肌炎", "白细胞介素-2", "调节性T细胞")
    assert first.keywords_en == ("Dermatomyositis", "Interleukin-2", "Regulatory T cells")
    assert [a.family for a in first.authors] == ["李明", "王芳", "张伟"]
    assert (first.year, first.volume, first.issue, first.pages) == (2021, "25", "6", "361-366")
    assert (first.issn, first.doi) == ("1007-7480", "10.3760/cma.j.cn141217-20210101-00001")
    assert (
        second.title_en == "Changes of peripheral regulatory T cells in patients with polymyositis"
    )
    assert second.abstract_en == "" and second.issn == "1000-484X"


def test_vip_lists_with_fullwidth_semicolons() -> None:
    first, second = records(HANDMADE / "vip_noteexpress.net")
    assert [a.family for a in first.authors] == ["赵磊", "孙丽", "周强"]
    assert first.keywords == ("皮肌炎", "白细胞介素-2", "糖皮质激素")
    assert first.extra["cn"] == "50-1097/R"
    assert first.url.startswith("http://www.cqvip.com/")
    assert second.title == "特发性炎性肌病的免疫治疗进展" and second.year == 2018


def test_gbk_cnki_noteexpress_keeps_every_character() -> None:
    first, _, third = records(HANDMADE / "cnki_noteexpress_gbk.net")
    assert first.title == "白细胞介素-2在皮肌炎发病中的作用"
    assert (
        first.abstract
        == "白细胞介素-2是调节性T细胞存活所必需的细胞因子，其在皮肌炎发病中的作用受到关注。"
    )
    assert first.keywords == ("皮肌炎", "白细胞介素-2", "发病机制")
    assert third.title == "青少年皮肌炎钙质沉着的治疗"


def test_cnki_endnote_refer() -> None:
    first, second = records(HANDMADE / "cnki_endnote.txt")
    assert (
        first.title_en
        == "Clinical observation of low-dose interleukin-2 in refractory dermatomyositis"
    )
    assert [a.family for a in first.authors] == ["李明", "王芳"]
    assert [a.family for a in second.authors] == ["赵磊", "孙丽", "周强"]  # "%A 赵磊;孙丽;周强;"
    assert (first.doi, first.issn, first.extra["call_number"]) == (
        "10.3760/cma.j.cn141217-20210101-00001",
        "1007-7480",
        "11-3766/R",
    )
    assert first.extra["database"] == "CNKI"


def test_cnki_refworks() -> None:
    first, second = records(HANDMADE / "cnki_refworks.txt")
    assert first.title == "低剂量白细胞介素-2治疗难治性皮肌炎的临床观察"
    assert (
        first.title_en
        == "Clinical observation of low-dose interleukin-2 in refractory dermatomyositis"
    )
    assert [a.family for a in first.authors] == ["李明", "王芳", "张伟"]
    assert (first.volume, first.issue, first.page_first, first.page_last) == (
        "25",
        "06",
        "361",
        "366",
    )
    assert first.language == "中文"
    assert first.url.startswith("https://kns.cnki.net/")
    assert second.title_en == ""


def test_cnki_estudy_wrapped_abstract_and_key() -> None:
    first, second = records(HANDMADE / "cnki_estudy.txt")
    assert (
        first.abstract == "目的 观察低剂量白细胞介素-2(IL-2)治疗难治性皮肌炎的疗效和安全性。 "
        "方法 纳入难治性皮肌炎患者20例。"
    )
    assert first.source_key == "ZHFS202106001"
    assert first.extra["database"] == "中国期刊全文数据库"
    assert (first.volume, first.issue) == ("25", "06")
    assert second.source_key == "ZGMY201912015"


def test_wos_tab_delimited_utf16() -> None:
    first, second, third = records(HANDMADE / "wos_tab_utf16.txt")
    assert [a.family for a in first.authors] == ["Zhang", "Wang", "Miller"]
    assert first.authors[0].given == "Qian"  # AF (full names) preferred over AU
    assert (first.journal, first.journal_abbrev) == (
        "ANNALS OF THE RHEUMATIC DISEASES",
        "Ann. Rheum. Dis.",
    )
    assert (first.doi, first.pmid, first.source_key) == (
        "10.1000/ard.2021.0001",
        "35012345",
        "WOS:000765432100012",
    )
    assert first.keywords == (
        "dermatomyositis",
        "interleukin-2",
        "regulatory T cells",
        "T-CELLS",
        "MYOSITIS",
    )
    assert [a.family for a in second.authors] == ["Müller", "Søndergaard"]
    assert third.extra["article_number"] == "108392" and third.pages == ""


def test_scopus_csv_fields() -> None:
    first, second = records(HANDMADE / "scopus_export.csv")
    assert [(a.family, a.given) for a in first.authors][:2] == [("Zhang", "Qian"), ("Wang", "Li")]
    assert (first.journal_abbrev, first.issn, first.pmid) == (
        "Ann. Rheum. Dis.",
        "0003-4967",
        "35012345",
    )
    assert first.source_key == "2-s2.0-85120000001"
    assert first.keywords[:3] == ("dermatomyositis", "interleukin-2", "regulatory T cells")
    assert second.abstract.endswith('"without" serious adverse events.')
    assert second.doi == "" and second.pub_types == ("Conference Paper",)


def test_embase_one_field_per_row() -> None:
    first, second = records(HANDMADE / "embase_vertical.csv")
    assert [a.family for a in first.authors] == ["Zhang", "Wang", "Miller"]
    assert first.mesh == (
        "interleukin 2 (clinical trial, drug therapy)",
        "placebo",
        "dermatomyositis (drug therapy)",
        "regulatory T lymphocyte",
    )
    assert (first.pmid, first.source_key, first.pages) == ("35012345", "2016543210", "512-519")
    assert first.abstract == (
        "Background: Regulatory T cells are reduced in active dermatomyositis. "
        "Methods: Adults were randomised to low-dose IL-2 or placebo."
    )
    assert (second.journal, second.year, second.volume) == (
        "Arthritis and Rheumatology",
        2020,
        "72",
    )


def test_cp1252_ris() -> None:
    first, second = records(HANDMADE / "ris_cp1252.ris")
    assert first.title == "Interleukin-2 therapy in dermatomyositis – a “case series”"
    assert [(a.family, a.given) for a in first.authors] == [("Müller", "Jürgen"), ("Señor", "José")]
    assert first.journal == "Zeitschrift für Rheumatologie"
    assert second.title == "Myosite et lymphocytes T régulateurs"
