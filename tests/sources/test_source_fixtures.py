"""Every real export fixture: detected as the right format, the right number of records, and the
first record's fields as the file writes them.

Expected values were read off the fixture text (the first record's TI/AU/PY/DO/AB lines or
columns), not taken from the parsers. Files only in ../shared (GPL-3, CC BY-NC-SA, no licence)
run as ``corpus`` tests and skip without it. PubMed efetch XML is tested with the search stage.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sources_support import DATA, fixture_path, read_entries


@dataclass(frozen=True)
class Expect:
    fmt: str
    count: int
    database: str | None = None
    title: str = ""
    author: str = ""
    year: int | None = None
    doi: str = ""
    pmid: str = ""
    abstract: str = ""
    title_en: str = ""


FIXTURES: dict[str, Expect] = {
    # --- RIS, every dialect ---
    "embase/embase_com.ris": Expect(
        "ris",
        6,
        "Embase",
        "Duplication cysts: Diagnosis, management",
        "Liu",
        2014,
        "10.4103/2303-9027.138783",
        abstract="Gastrointestinal tract duplication cysts are rare",
    ),
    "ris/colrev_ris_data.ris": Expect(
        "ris",
        2,
        None,
        "Title of a conference paper",
        "Author-One",
        2020,
        "10.1234/random-name55555.2020.00050",
        "12345678",
    ),
    "ris/ieee.ris": Expect(
        "ris",
        2,
        None,
        "Title of a conference paper",
        "Author-One",
        2020,
        "10.1234/random-name55555.2020.00050",
    ),
    "ris/jabref_ris_dates.ris": Expect(
        "ris",
        1,
        None,
        "Hydration forces between silica surfaces",
        "Valle-Delgado",
        2005,
        "10.1063/1.1954747",
    ),
    "ris/jabref_ris_doi_journal.ris": Expect("ris", 1, None, year=2014, doi="10.1201/b19107-2"),
    "ris/jabref_ris_test1.ris": Expect(
        "ris", 1, None, "Editorial: Open Source and Empirical Software Engineering:", "Cocke", 2001
    ),
    "ris/jstor.ris": Expect(
        "ris",
        4,
        "JSTOR",
        "This is the title - charset UTF-8 used",
        "Lastname",
        2016,
        abstract="[This is the abstract.]",
    ),
    "ris/proquest.ris": Expect(
        "ris",
        6,
        "PTSDpubs",
        "Predictors of posttraumatic stress symptom trajectories",
        "Jones",
        2019,
        "10.1002/jts.22387",
        abstract="People respond differently",
    ),
    "ris/psycinfo_ris.ris": Expect(
        "ris",
        1,
        "PsycINFO",
        "Primary Title",
        "Author-One",
        2020,
        "10.1011/hea0004444",
        "33355555",
        "Abstract. This is a free text field",
    ),
    "ris/pubmed_via_endnote.ris": Expect(
        "ris",
        6,
        "PubMed",
        "Boswellia serrata: an overall assessment",
        "Abdel-Tawab",
        2011,
        "10.2165/11586800-000000000-00000",
        "21553931",
        "Non-steroidal anti-inflammatory drug (NSAID) intake",
    ),
    "ris/pubmed_via_zotero.ris": Expect(
        "ris",
        6,
        None,
        "The importance of cognitive flexibility",
        "Rudnik",
        2019,
        "10.5114/pg.2018.81081",
        abstract="Introduction: There are studies",
    ),
    "ris/ris_asreview_issue_1099.txt": Expect(
        "ris",
        7,
        "Scopus",
        "Design and prototyping of directly driven",
        "Vaimann",
        2018,
        "10.15598/aeee.v16i3.2698",
        abstract="The paper is about the design",
    ),
    "ris/ris_asreview_issue_992.txt": Expect(
        "ris", 19, None, "Overcoming Medication Reconciliation Challenges", year=2011
    ),
    "ris/ris_empty_values.ris": Expect("ris", 4, None, "Title of reference"),
    "ris/rispy_bom.ris": Expect("ris", 1, None, doi="10.1186/s40981-020-0316-0"),
    "ris/rispy_empty_tag.ris": Expect(
        "ris",
        1,
        None,
        "Outcome Measures After Shoulder Stabilization",
        "Fanning",
        2020,
        "10.1177/2325967120950040",
        abstract="Background: Athletic endeavor",
    ),
    "ris/rispy_extraneous_data.ris": Expect(
        "ris", 2, None, "Title of reference", "Marx", 2014, abstract="BACKGROUND: Lorem ipsum"
    ),
    "ris/rispy_full.ris": Expect(
        "ris", 2, None, "Title of reference", "Marx", 2014, abstract="BACKGROUND: Lorem ipsum"
    ),
    "ris/rispy_multiline.ris": Expect(
        "ris", 3, None, abstract="first line, ER then second line and at the end the last line"
    ),
    "ris/rispy_utf_chars.ris": Expect(
        "ris",
        1,
        None,
        author="Dobrokhotova",
        year=2009,
        abstract="Состояние рецепторного аппарата эндометрия",
    ),
    "scopus/scopus_asreview.ris": Expect(
        "ris",
        6,
        "Scopus",
        "Stress and the brain-gut axis",
        "Labanski",
        2020,
        "10.1016/j.psyneuen.2019.104501",
        abstract="The broad role of stress",
    ),
    "scopus/scopus_jabref.ris": Expect(
        "ris",
        1,
        "Scopus",
        "A transversely isotropic composite",
        "Federico",
        2004,
        "10.1016/j.jmps.2004.03.010",
    ),
    "wos/wos_ris_export.ris": Expect(
        "ris",
        10,
        "Web of Science",
        "Holding Yourself Captive",
        "Alceste",
        2018,
        "10.1016/j.jarmac.2018.03.001",
        abstract="Police custody activates",
    ),
    "ovid/ovid_psycinfo.ris": Expect(
        "ris",
        6,
        "PsycINFO",
        "The influence of self-criticism on depression",
        "Trindade",
        2019,
        "10.1002/cpp.2398",
        abstract="Considering that self-criticism",
    ),
    "ovid/ovid_psycinfo_via_zotero.ris": Expect(
        "ris",
        6,
        None,
        "The influence of self-criticism on depression",
        "Trindade",
        2019,
        "10.1002/cpp.2398",
    ),
    "ovid/ovid_cab_ris_example.ris": Expect(
        "ris",
        4,
        "CAB Abstracts",
        "Detection of retention trees on clearcuts",
        "Holmstrom",
        2020,
        "10.4236/ojf.2020.101008",
        abstract="Changes in clearcut management",
    ),
    "ris/ebsco_asp_crlf.ris": Expect(
        "ris",
        4,
        "Academic Search Premier",
        "“Living on the edge”",
        "Rodríguez-Pastor",
        2016,
        "10.1016/j.agee.2016.06.041",  # EBSCO puts it in L3
        abstract="Small rodents are common",
    ),
    "ris/ris_utf8_bom_citesource.ris": Expect(
        "ris",
        17,
        "Dimensions",
        "Effects of artificial light on bird movement",
        "Adams",
        2021,
        "10.1186/s13750-021-00246-8",
        abstract="BackgroundArtificial light is ubiquitous",
    ),
    "scopus/scopus_revtools_restoration.ris": Expect(
        "ris",
        30,
        "Scopus",
        "LONG-TERM FOLLOW-UP OF RETINAL PIGMENT",
        "Zahid",
        2019,
        "10.1097/icb.0000000000000530",
        abstract="PURPOSE: To demonstrate",
    ),
    "scopus/scopus_synthesisr_example.ris": Expect(
        "ris",
        3,
        "Scopus",
        "Soil fauna diversity",
        "Li",
        2020,
        "10.1080/20964129.2020.1722034",
        abstract="Introduction: Wetland soil fauna",
    ),
    "scopus/scopus_synthesisr_woodpecker.ris": Expect(
        "ris",
        40,
        "Scopus",
        "Black-backed woodpecker occupancy",
        "Tingley",
        2020,
        "10.1016/j.foreco.2019.117694",
    ),
    # --- MEDLINE / .nbib ---
    "pubmed/medline_colrev.nbib": Expect(
        "medline",
        1,
        "ERIC",
        "Paper title",
        "Smith",
        2000,
        "10.1000/123456789",
        abstract="Abstract ...",
    ),
    "ris/eric_nbib.nbib": Expect(
        "medline", 1, "ERIC", "Paper title", "Smith", 2000, "10.1000/123456789"
    ),
    "pubmed/medline_complete_entry_jabref.txt": Expect(
        "medline",
        1,
        "PubMed",
        "From danger and motherhood",
        "Long",
        2009,
        pmid="20481061",
        abstract="Lorem ipsum abstract",
    ),
    "pubmed/medline_multiple_entries_jabref.txt": Expect(
        "medline", 7, "PubMed", "From danger and motherhood", "Long", 2009, pmid="20481061"
    ),
    "pubmed/medline_nbib_jabref.nbib": Expect(
        "medline",
        1,
        "PubMed",
        "Proteomics: A new perspective for cancer.",
        "Shruthi",
        2016,
        "10.4103/2277-9175.180636",
        "27169098",
        "some things will be described",
    ),
    "pubmed/medline_result1.txt": Expect(
        "medline",
        1,
        "PubMed",
        "The Bio* toolkits--a brief overview.",
        "Mangalam",
        2002,
        pmid="12230038",
        abstract="Bioinformatics research is often difficult",
    ),
    "pubmed/medline_result2.txt": Expect(
        "medline",
        4,
        "PubMed",
        "A high level interface to SCOP and ASTRAL",
        "Casbon",
        2006,
        "10.1186/1471-2105-7-10",
        "16403221",  # AID [doi]
        "BACKGROUND: Benchmarking algorithms",
    ),
    "pubmed/medline_result3.txt": Expect(
        "medline",
        1,
        "PubMed",
        "Effects of different parameters in the fast",
        "Qiao",
        2012,
        "10.1118/1.4748329",
        "23039619",
        "PURPOSE: High-intensity focused ultrasound",
    ),
    "pubmed/medline_mrhelper_202101.nbib": Expect(
        "medline",
        10,
        "PubMed",
        "Switching of Hormone Therapies",
        "de Medeiros",
        2021,
        "10.1055/s-0040-1719149",
        "33465792",
        "OBJECTIVE: The objective of the present study",
    ),
    "pubmed/medline_res_synth_methods.txt": Expect(
        "medline",
        2,
        "PubMed",
        "Risk-Of-Bias VISualization (robvis)",
        "McGuinness",
        2020,
        "10.1002/jrsm.1411",
        "32336025",
        "Despite a major increase",
    ),
    "pubmed/medline_revtools_restoration.nbib": Expect(
        "medline",
        30,
        "PubMed",
        "Ecosystem services changes between",
        "Wu",
        2019,
        "10.1371/journal.pone.0209483",
        "30689646",
        "The Loess Plateau of China",
    ),
    "pubmed/medline_synthesisr_example.txt": Expect(
        "medline",
        3,
        "PubMed",
        "Differences in nitrate and phosphorus",
        "Neilen",
        2017,
        "10.1016/j.scitotenv.2017.04.075",
        "28441597",
        "Agricultural activities in catchments",
    ),
    # --- Web of Science plain text ---
    "wos/wos_jabref_isi.isi": Expect(
        "wos",
        2,
        "Web of Science",
        "Optical and photoelectric spectroscopy of photorefractive Sn2P2S6 crystals",
        "Gamernyk",
        2006,
        abstract="Lorem ipsum abstract",
    ),
    "wos/wos_rispy_ris.ris": Expect(
        "wos",
        2,
        "Web of Science",
        "Interactions stabilizing the structure of the core light-harvesting complex",
        "Parkes-Loach",
        2004,
        "10.1021/bi049798f",
        "15170338",
        "Reconstitution experiments",
    ),
    "pubmed/medline_in_isi_wrapper_jabref.isi": Expect(
        "wos",
        2,
        "Web of Science",
        "Effects of modafinil on cognitive",
        "Wesensten",
        2006,
        pmid="16842170",
    ),
    "wos/wos_bibliometrix_sample.txt": Expect(
        "wos",
        8,
        "Web of Science",
        "Mapping the application of Geographic Information System (GIS) in real estate",
        "Toh",
        2026,
        "10.1080/00396265.2026.2635057",
        abstract="This study presents a comprehensive",
    ),
    "wos/wos_mrhelper_202101.txt": Expect(
        "wos",
        10,
        "Web of Science",
        "Review of cyclin-dependent kinase 4/6",
        "Husinka",
        2021,
        "10.1080/21556660.2020.1857103",
        "33414982",
        "Objective",
    ),
    "wos/wos_other_ref_software_bom.txt": Expect(
        "wos",
        6,
        "Web of Science",
        "Caregivers' views on stigmatization",
        "Asampong",
        2018,
        "10.1371/journal.pntd.0006219",
        "29377890",
        "Background",
    ),
    "wos/wos_synthesisr_example.txt": Expect(
        "wos",
        4,
        "Web of Science",
        "Soil fauna diversity",
        "Li",
        2020,
        "10.1080/20964129.2020.1722034",
        abstract="Introduction: Wetland soil fauna",
    ),
    "wos/wos_synthesisr_example.ciw": Expect(
        "wos",
        5,
        "Web of Science",
        "Soil fauna diversity",
        "Li",
        2020,
        "10.1080/20964129.2020.1722034",
    ),
    "wos/wos_thomson_reuters_bom.txt": Expect(
        "wos",
        10,
        "Web of Science",
        "Sex Differences in Social Cognition",
        "Proverbio",
        2017,
        "10.1002/jnr.23817",
        "27870403",
        "Several studies have demonstrated",
    ),
    "wos/wos_zoological_record_bom.txt": Expect(
        "wos",
        15,
        "Zoological Record",
        "Nest site selection and nest survival",
        "Stillman",
        2019,
        abstract="Recently burned coniferous forests",
    ),
    "wos/wos_revtools_restoration.ciw": Expect(
        "wos",
        25,
        "Web of Science",
        "Do magnetic phosphorus adsorbents",
        "Alvarez-Manzaneda",
        2019,
        "10.1016/j.scitotenv.2018.11.375",
        "30529964",
        "Magnetic microparticles (MPs)",
    ),
    # --- CSV exports ---
    "embase/embase_com.csv": Expect(
        "embase-csv",
        6,
        "Embase",
        "Duplication cysts: Diagnosis, management",
        "Liu",
        2014,
        "10.4103/2303-9027.138783",
        abstract="Gastrointestinal tract duplication cysts are rare",
    ),
    "embase/embase_com_newpage.csv": Expect(
        "embase-csv",
        6,
        "Embase",
        "Duplication cysts: Diagnosis, management",
        "Liu",
        2014,
        "10.4103/2303-9027.138783",
    ),
    "embase/embase_com_vertical_fields.csv": Expect(
        "embase-csv",
        3,
        "Embase",
        "A comparison of McGrath video",
        "Wang",
        2026,
        "10.1186/s12871-025-03498-w",
        abstract="Background: Unexpected difficult intubation",
    ),
    "scopus/scopus_bibliometrix_sample.csv": Expect(
        "scopus-csv",
        8,
        "Scopus",
        "Quantitative analysis of studies that use artificial intelligence",
        "Liu",
        2026,
        "10.1177/20552076261415846",
        abstract="Objective: This study aimed",
    ),
    "pubmed/pubmed_csv_export_chatbot.csv": Expect(
        "pubmed-csv",
        6,
        "PubMed",
        "Chatbot-Delivered Psychotherapy",
        "Lim",
        2022,
        "10.1016/j.beth.2021.09.007",
        "35227408",
    ),
    "pubmed/pubmed_csv_export_colrev.csv": Expect(
        "pubmed-csv", 1, "PubMed", "Paper title", "Smith", 2021, "10.1111/nature1111", "11223344"
    ),
    "ris/eviatlas_generic.csv": Expect(
        "csv",
        1,
        None,
        "EviAtlas: a tool for visualising evidence synthesis",
        "Haddaway",
        2019,
        "10.1186/s13750-019-0167-1",
    ),
    # --- Ovid text ---
    "ovid/ovid_jabref_test1.txt": Expect(
        "ovid", 5, "Ovid", "Musterbuch", "Mustermann", 2015, abstract="Short abstract"
    ),
    "ovid/ovid_jabref_test3.txt": Expect(
        "ovid",
        1,
        "Ovid",
        "Effects of computer-aided clinical decision support",
        "Holstiege",
        2014,
        "10.1136/amiajnl-2014-002886",
        abstract="Lorem ipsum abstract",
    ),
    "ovid/ovid_jabref_test4.txt": Expect(
        "ovid",
        1,
        "Ovid",
        "Cloud water interception and element deposition",
        "Kohler",
        2015,
        "10.1002/eco.1563",
    ),
    "ovid/ovid_jabref_test5.txt": Expect(
        "ovid",
        1,
        "Ovid",
        "Listening: Important to the Stuff of a Life.",
        "Bunkers",
        2015,
        "10.1177/0894318415571606",
    ),
    "ovid/ovid_jabref_test6.txt": Expect(
        "ovid",
        1,
        "Ovid",
        "Correct positioning of percutaneous iliosacral screws",
        "Verbeek",
        2015,
        "10.1097/bot.0000000000000502",
    ),
    "ovid/ovid_jabref_test7.txt": Expect(
        "ovid",
        1,
        "Ovid",
        "Comparing Computer Adaptive and Curriculum-Based",
        "Shapiro",
        2015,
        "10.1037/spq0000116",
    ),
    "ovid/ovid_embase_citavi.ovd": Expect(
        "ovid",
        2,
        "Embase",
        "Quality of life in patients with primary ciliary",
        "Behan",
        2018,
        "10.1186/s12919-018-0099-8",
        abstract="Background: As in most rare diseases",
    ),
    "embase/ovid_embase_endnote.cgi": Expect(
        "ovid",
        2,
        "Embase",
        "Quality of life in patients with primary ciliary",
        "Behan",
        2018,
        "10.1186/s12919-018-0099-8",
        abstract="Background: As in most rare diseases",
    ),
    # --- EndNote XML and refer ---
    "endnote/EndnoteXmlImporterTestArticle.xml": Expect(
        "endnote-xml",
        1,
        None,
        "Trends in the lifetime risk of developing",
        "Ahmad",
        2015,
        "10.1038/bjc.2014.606",
        abstract="test abstract",
    ),
    "endnote/EndnoteXmlImporterTestArticle2.xml": Expect(
        "endnote-xml", 2, None, "An ecological basis for reforestation", "Chapman", 1937
    ),
    "endnote/EndnoteXmlImporterTestLabelAndMultiTitle.xml": Expect(
        "endnote-xml", 3, None, "An ecological basis for reforestation", "Chapman", 1937
    ),
    "endnote/EndnoteXmlImporterTest_EmptyKeywordStyle.xml": Expect(
        "endnote-xml",
        1,
        None,
        "Painless Laser Acupuncture for Smoking Cessation.",
        "Lim",
        2018,
        "10.1089/acu.2018.1295",
    ),
    "endnote/EndnoteXmlImporterTest_WithoutUrlStyle.xml": Expect(
        "endnote-xml",
        1,
        None,
        "Trends in the lifetime risk of developing",
        "Ahmad",
        2015,
        "10.1038/bjc.2014.606",
    ),
    "endnote/ais_enl_refer.txt": Expect(
        "refer",
        6,
        None,
        "How Trust Leads to Commitment on Microsourcing",
        "Guo",
        2021,
        abstract="IS research has extensively examined",
    ),
    "endnote/jabref_book.enw": Expect(
        "refer", 1, None, "Git : dezentrale Versionsverwaltung im Team", "Preißel", 2016
    ),
    "endnote/jabref_entries.enw": Expect("refer", 5, None, "testT", "testA0"),
    "endnote/refer_bibix.ref": Expect(
        "refer", 4, None, "TitleTest", "AuthorL", abstract="Abstract"
    ),
    # --- BibTeX ---
    "bibtex/colrev_dedupe_records.bib": Expect(
        "bibtex",
        21,
        None,
        "Understanding the role of managerial agency",
        "Staehr",
        2010,
        "10.1111/j.1365-2575.2008.00316.x",
    ),
    "bibtex/colrev_dedupe_records_expected.bib": Expect(
        "bibtex", 19, None, "Classifying the Ideational Impact", "Prester", 2018
    ),
    "bibtex/europe_pmc_bibtex.bib": Expect(
        "bibtex",
        2,
        "Europe PMC",
        "When there is a PERCENTAGE symbol anywhere",
        "Articlewriter",
        2023,
        "10.1111/s5555-333-55555-1",
        abstract="Be Aware of percentage symbols",
    ),
    "bibtex/scopus_bibtex.bib": Expect(
        "bibtex",
        11,
        "Scopus",
        "Article classified as document_type Article, NO Volume",
        "Firstwriter",
        2022,
        "10.1111/88888888.2022.7777777",
    ),
    "bibtex/wos_bibtex.bib": Expect(
        "bibtex",
        2,
        "Web of Science",
        "Inproceedings Title",
        "Writerone",
        2017,
        "10.1007/999-9-999-99999-9_3",
    ),
    "scopus/scopus_synthesisr_example.bib": Expect(
        "bibtex",
        3,
        "Scopus",
        "Soil fauna diversity",
        "Li",
        2020,
        "10.1080/20964129.2020.1722034",
        abstract="Introduction: Wetland soil fauna",
    ),
    # --- Chinese databases ---
    "cnki/cnki_noteexpress_ChineseColon.net": Expect(
        "noteexpress",
        1,
        "《中华医学杂志》社有限责任公司",
        "软组织肉瘤诊治中国专家共识(2015年版)",
        "中国抗癌协会肉瘤专业委员会",
        2016,
        title_en="Chinese expert consensus on diagnosis and treatment",
    ),
    "cnki/cnki_noteexpress_Classic5Test.net": Expect(
        "noteexpress",
        5,
        "CNKI",
        "Share-option based compensation expense",
        "Alhaj-Ismail",
        2019,
        abstract="Abstract This paper contributes",
    ),
    "cnki/cnki_noteexpress_CoverAllTest15Entries.net": Expect(
        "noteexpress", 15, "CNKI", "Does converting abandoned railways to greenways", "Noh", 2019
    ),
    "cnki/cnki_noteexpress_mixed.net": Expect(
        "noteexpress", 12, "CNKI", "基于深度信念网络资源需求预测的虚拟网络功能动态迁移算法", "唐伦"
    ),
    "cnki/cnki_noteexpress_withLineBreakInAddress.net": Expect(
        "noteexpress", 1, "CNKI", "基于公共行政理念的政府公共关系发展历程探析", "谢昕", 2005
    ),
    "wanfang/wanfang_noteexpress_202101.net": Expect(
        "noteexpress",
        20,
        "Wanfang",
        "超声引导下前锯肌平面阻滞对乳腺癌改良根治术术后肿瘤转移、复发的影响",
        "江文杰",
        2020,
        title_en="Influence of ultrasound-guided serratus plane block",
    ),
    "cnki/cnki_estudy_202101.txt": Expect(
        "cnki-estudy",
        20,
        "CNKI",
        "1例卡培他滨与苯妥英钠相互作用致乳腺癌合并癫痫患者小脑功能障碍的病例分析",
        "柯洪琴",
        2021,
        abstract="苯妥英钠作为一种传统抗癫痫药物",
    ),
}


def _param(relative: str) -> object:
    copied = (DATA / relative).is_file()
    return pytest.param(relative, id=relative, marks=() if copied else pytest.mark.corpus)


@pytest.mark.parametrize("relative", [_param(r) for r in FIXTURES])
def test_fixture_detected_and_read(relative: str) -> None:
    expect = FIXTURES[relative]
    fmt, database, entries = read_entries(fixture_path(relative))
    assert fmt == expect.fmt
    assert database == expect.database
    assert [str(e.error) for e in entries if e.error] == []
    assert len(entries) == expect.count
    assert [e.position for e in entries] == list(range(1, expect.count + 1))
    record = entries[0].record
    assert record.raw.strip(), "the entry's text is kept verbatim"
    assert record.title.startswith(expect.title)
    if expect.author:
        assert record.authors[0].family == expect.author
    assert record.year == expect.year
    assert record.doi == expect.doi
    assert record.pmid == expect.pmid
    assert record.abstract.startswith(expect.abstract)
    assert record.title_en.startswith(expect.title_en)


def test_every_copied_fixture_is_in_the_table() -> None:
    """A fixture copied into tests/data without expectations would go untested."""
    copied = {
        str(p.relative_to(DATA))
        for p in DATA.rglob("*")
        if p.is_file() and p.parent != DATA and p.parent.name != "handmade"
    }
    assert copied - set(FIXTURES) == {
        "bibtex/ebsco_bibtex.bib"
    }  # malformed: see test_source_bad_input
