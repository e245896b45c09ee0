"""Field normalisers: the examples of the issue, and properties over generated input."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screener.dedup.normalize import (
    alternative_titles,
    author_key,
    fold,
    journal_tokens,
    journals_match,
    normalize_issue,
    normalize_journal,
    normalize_pages,
    normalize_title,
    normalize_volume,
    pinyin_name,
    strip_language_tags,
    title_numbers,
)
from screener.records import Author


# --- examples from the issue -------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw", ["Zhai, Q. J.", "Zhai QJ", "Q J Zhai", "Zhai, Qing-Jun", "ZHAI, Q.J."]
)
def test_author_formats_agree(raw: str) -> None:
    assert author_key(raw) == ("zhai", "qj")


def test_pinyin_for_chinese_names() -> None:
    assert author_key("翟启杰") == ("zhai", "qj")
    assert pinyin_name("曾辉光") == ("zeng", "hui guang")  # surname reading, not "ceng"
    assert pinyin_name("欧阳修文") == ("ouyang", "xiu wen")  # compound surname kept whole
    assert author_key(Author("单雪")) == ("shan", "x")


def test_page_ranges() -> None:
    assert normalize_pages("73", "6") == normalize_pages("73", "76") == ("73", "76")
    assert normalize_pages("1123", "45") == ("1123", "1145")
    assert normalize_pages("S5", "10") == ("s5", "s10")
    assert normalize_pages("e1234", "") == ("e1234", "")
    assert normalize_pages("0073", "0076") == ("73", "76")
    assert normalize_pages("Suppl", "10") == ("", "")  # a lost page, not page "suppl"
    assert normalize_pages("215p", "") == ("", "")  # a page count


def test_language_tags_and_notes() -> None:
    base = normalize_title("Efficacy observation of batroxobin for vascular cognitive impairment")
    for variant in (
        "Efficacy observation of batroxobin for vascular cognitive impairment. [Chinese]",
        "[Efficacy observation of batroxobin for vascular cognitive impairment]",
        "Efficacy observation of batroxobin for vascular cognitive impairment [Article in Chinese]",
        "Efficacy observation of batroxobin for vascular cognitive impairment. [Review] [88 refs]",
        "Efficacy observation of batroxobin for vascular cognitive impairment.[Erratum appears "
        "in Stroke. 2011;42(3):e1]",
        "EFFICACY OBSERVATION OF BATROXOBIN FOR VASCULAR COGNITIVE IMPAIRMENT (author's transl)",
        "<i>Efficacy</i> observation of batroxobin for vascular cognitive impairment",
    ):
        assert normalize_title(variant) == base, variant


def test_case_diacritics_markup_greek() -> None:
    assert fold("Écho-<i>Doppler</i> &amp; TNF-α") == "echo doppler and tnf alpha"
    assert fold("Müller") == "muller"
    assert fold("提醒系统，对医生") == "提醒系统 对医生"  # Chinese characters are kept


def test_journal_abbreviations() -> None:
    def tokens(name: str) -> tuple[str, ...]:
        return journal_tokens(normalize_journal(name))

    assert journals_match(tokens("Curr Opin Lipidol"), tokens("Current opinion in lipidology"))
    assert journals_match(
        tokens("J Natl Cancer Inst"), tokens("Journal of the National Cancer Institute")
    )
    assert journals_match(tokens("Diabetes & Metabolism"), tokens("Diabetes & metabolism"))
    assert journals_match(
        tokens("ICIS 2018"), tokens("International Conference on Information Systems")
    )
    assert journals_match(
        tokens("Microcirculation. Conference: 66th Annual Meeting"), tokens("Microcirculation")
    )
    assert not journals_match(tokens("J Clin Oncol"), tokens("Journal of Clinical Virology"))
    assert not journals_match(tokens("Stroke"), tokens("Brain"))


def test_volume_issue() -> None:
    assert normalize_volume("38 (Supplement 1)") == "38"
    assert normalize_volume("1)") == ""
    assert normalize_issue("02") == "2"
    assert normalize_issue("22 SUPPL. 1") == "22"
    assert normalize_issue("SUPPL. 1") == "s1"
    assert normalize_issue("Meeting Abstracts") == "s"


def test_title_numbers() -> None:
    assert title_numbers(normalize_title("Linomide in MS: Part I")) != title_numbers(
        normalize_title("Linomide in MS: Part II")
    )
    assert title_numbers(normalize_title("p16(INK4a) in 10 000 women")) == title_numbers(
        normalize_title("p16INK4a in 10000 women")
    )


# --- properties --------------------------------------------------------------------------------
_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)


@given(_TEXT)
def test_fold_is_idempotent_and_plain(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert once == once.strip() and "  " not in once
    assert not any(c in once for c in string.punctuation)
    assert once == once.lower()


_WORD = st.text(alphabet=string.ascii_letters, min_size=2, max_size=10)


@given(
    st.lists(_WORD, min_size=1, max_size=12),
    st.sampled_from(["Chinese", "German", "Article in Spanish"]),
    st.booleans(),
)
def test_title_survives_case_tags_and_markup(words: list[str], language: str, upper: bool) -> None:
    title = " ".join(words)
    variant = f"<b>{title.upper() if upper else title}</b>. [{language}]"
    assert normalize_title(variant) == normalize_title(title)
    assert strip_language_tags(f"{title}. [{language}]").rstrip(".") == title


_FAMILY = st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=12).map(str.capitalize)
_INITIALS = st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=3)


@given(_FAMILY, _INITIALS)
def test_three_author_formats_give_one_key(family: str, initials: str) -> None:
    dotted = " ".join(f"{c}." for c in initials)
    spaced = " ".join(initials)
    keys = {
        author_key(f"{family}, {dotted}"),
        author_key(f"{family} {initials}"),
        author_key(f"{spaced} {family}"),
    }
    assert keys == {(family.lower(), initials.lower())}


@given(st.integers(min_value=10, max_value=99999), st.integers(min_value=1, max_value=99))
def test_abbreviated_page_ranges_expand(first: int, length: int) -> None:
    last = first + length
    full, short = str(first), str(last)
    # MEDLINE drops the leading digits the last page shares with the first.
    common = 0
    while common < len(full) - 1 and len(short) == len(full) and full[common] == short[common]:
        common += 1
    assert normalize_pages(full, short[common:]) == normalize_pages(full, short) == (full, short)


@given(
    st.lists(
        st.text(alphabet=string.ascii_lowercase, min_size=3, max_size=10), min_size=1, max_size=5
    )
)
def test_journal_abbreviation_matches_full_name(words: list[str]) -> None:
    full = tuple(words)
    abbreviated = tuple(w[:3] for w in words)
    assert journals_match(abbreviated, full) and journals_match(full, abbreviated)


def test_erratum_citation_cut_short_is_dropped() -> None:
    # haematology id_0000020 / id_0000021: one erratum (J Pediatr 142(6):616), its article's
    # citation cut off by the export in one record and given as "(vol 142, pg 310, 2003)" in the
    # other.
    cut = (
        "Erratum: Severe deficiency of the specific von Willebrand factor-cleaving protease "
        "(ADAMTS 13) "
        "activity in a sub-group of children with atypical hemolytic uremic syndrome (The "
        "Journal of "
        "Pediatrics (M"
    )
    whole = (
        "Severe deficiency of the specific von Willebrand factor-cleaving protease (ADAMTS 13) "
        "activity "
        "in a subgroup of children with atypical hemolytic uremic syndrome (vol 142, pg 310, 2003)"
    )
    assert normalize_title(cut).endswith("atypical hemolytic uremic syndrome")
    assert normalize_title(cut).replace(" ", "") == normalize_title(whole).replace(" ", "")
    # a bracket the title itself opens and closes stays
    assert normalize_title("Outcomes (ADAMTS 13) in children").endswith("adamts 13 in children")


def test_section_heading_gives_an_alternative_title() -> None:
    # digital_work id_4002951 (Harvard Business Review's "How I did it" column)
    assert alternative_titles(
        "How did it ... Upwork's CEO on how an introverted engineer learned to lead"
    ) == ["upwork s ceo on how an introverted engineer learned to lead"]
    assert alternative_titles("Less is more ... or is it?") == []  # too short to be a title
    assert (
        alternative_titles(
            "A long opening phrase of many words ... then the rest of the title goes on"
        )
        == []
    )
