"""One text under two DOIs: a DOI recorded wrongly by one database, an article printed twice.

Different DOIs stay a hard conflict for everything else: a commentary carrying the article's
title and abstract, a reply by the same authors, next year's meeting abstract, an updated
version, a preprint, an erratum, a recurring introduction without an abstract.
"""

from __future__ import annotations

from dedup_helpers import add_records, record

from screener.dedup import PairOutcome, compare, deduplicate, features
from screener.dedup.blocking import shares_key
from screener.dedup.cluster import Link, build_clusters
from screener.dedup.normalize import abstract_signature
from screener.records import Record

ABSTRACT = (
    "Background: Golden Syrian hamsters fed a high-fat diet with cholesterol supplementation "
    "quickly develop hyperlipidaemia and hypercholesterolaemia. Methods: We compared liraglutide "
    "and linagliptin for four weeks in diet-induced obese hamsters, measuring body weight, food "
    "intake, plasma lipids and glucose tolerance. Results: Both drugs improved glycaemic control; "
    "only liraglutide reduced body weight and plasma cholesterol. Conclusions: The two "
    "incretin-based "
    "drugs differ in their anti-obesity and hypolipidaemic efficacy in this model."
)
TITLE = (
    "Liraglutide and linagliptin improve glycaemic control but show differential anti-obesity "
    "and hypolipidaemic efficacy in a hamster model of diet-induced obesity"
)
AUTHORS = ["Hansen, F.", "Hansen, G.", "Pedersen, P. J.", "Jelsing, J.", "Vrang, N."]
ABSTRACT_ITEM = dict(
    title=TITLE, authors=AUTHORS, year=2012, journal="Appetite", pages="e24", abstract=ABSTRACT
)


def verdict(a: Record, b: Record):
    fa, fb = features(a), features(b)
    return compare(fa, fb, anchored=shares_key(fa, fb))


# --- the fingerprint ---------------------------------------------------------------------------
def test_abstract_signature_ignores_typing_and_sees_every_word() -> None:
    typed = (
        ABSTRACT.upper()
        .replace("hamsters", "<i>hamsters</i>")
        .replace(";", " ;")
        .replace("glycaemic", "glycæmic")
    )
    assert abstract_signature(ABSTRACT) == abstract_signature(typed) != 0
    assert abstract_signature(ABSTRACT) != abstract_signature(
        ABSTRACT.replace("four weeks", "six weeks")
    )
    assert abstract_signature(ABSTRACT) != abstract_signature(
        ABSTRACT + " Funded by the Foundation."
    )
    # a placeholder or a sentence is no text to compare
    assert abstract_signature("No abstract available.") == 0
    assert abstract_signature(ABSTRACT[:250]) == 0


# --- a DOI recorded wrongly ----------------------------------------------------------------------
def test_same_citation_and_text_with_another_journals_doi_is_merged() -> None:
    # diabetes id_0000599 / id_0001610: one meeting abstract in Appetite, one database giving it
    # a Regulatory Peptides DOI.
    right = record(
        **ABSTRACT_ITEM, volume="59", issue="SUPPL. 1", doi="10.1016/j.appet.2012.05.003"
    )
    wrong = record(**ABSTRACT_ITEM, volume="1", doi="10.1016/j.regpep.2012.05.039")
    found = verdict(right, wrong)
    assert (found.outcome, found.rule, found.conflict) == (
        PairOutcome.DUPLICATE,
        "same_citation_other_doi",
        False,
    )
    # the copies of each DOI join them in one cluster (the chaining guard lets the two DOIs meet)
    copies = [
        right,
        record(**ABSTRACT_ITEM, doi="10.1016/j.appet.2012.05.003"),
        wrong,
        record(**ABSTRACT_ITEM, volume="1", doi="10.1016/j.regpep.2012.05.039"),
    ]
    assert deduplicate(copies).clusters == ((0, 1, 2, 3),)


def test_another_doi_without_the_same_whole_text_stays_apart() -> None:
    right = record(**ABSTRACT_ITEM, doi="10.1016/j.appet.2012.05.003")
    others = {
        "no abstract": dict(ABSTRACT_ITEM, abstract=""),
        "abstract changed": dict(
            ABSTRACT_ITEM, abstract=ABSTRACT.replace("four weeks", "six weeks")
        ),
        "an author less": dict(ABSTRACT_ITEM, authors=AUTHORS[:1] + ["Smith, J."]),
        "another page": dict(ABSTRACT_ITEM, pages="e31"),
        "another year": dict(ABSTRACT_ITEM, year=2013),
        "another journal": dict(ABSTRACT_ITEM, journal="Regulatory Peptides"),
    }
    for what, fields in others.items():
        found = verdict(right, record(**fields, doi="10.1016/j.regpep.2012.05.039"))
        assert found.outcome != PairOutcome.DUPLICATE and found.conflict, what


# --- an article printed twice ---------------------------------------------------------------------
ARTICLE = dict(
    title="Sponsorship and IT vendor management of projects",
    authors=["Liu, L.", "Yetton, P."],
    journal="Journal of Information Technology",
    abstract=ABSTRACT,
)


def test_article_printed_again_in_the_next_volume_is_merged() -> None:
    # digital_work id_1003663 / id_1003664: JIT 24(1):46-54 (2009) and 25(1):56-64 (2010), one
    # text under two DOIs.
    first = record(
        **ARTICLE, year=2009, volume="24", issue="1", pages="46-54", doi="10.1057/jit.2009.2"
    )
    again = record(
        **ARTICLE, year=2010, volume="25", issue="1", pages="56-64", doi="10.1057/jit.2008.23"
    )
    found = verdict(first, again)
    assert (found.outcome, found.rule, found.conflict) == (
        PairOutcome.DUPLICATE,
        "same_text_reprinted",
        False,
    )
    assert deduplicate([first, again]).clusters == ((0, 1),)


def test_one_text_in_other_places_is_not_a_reprint() -> None:
    first = record(
        **ARTICLE, year=2009, volume="24", issue="1", pages="46-54", doi="10.1057/jit.2009.2"
    )
    others = {
        # a reply by the same authors in the same issue, its database copying title and abstract
        "same issue": dict(ARTICLE, year=2009, volume="24", issue="1", pages="60-61"),
        "two years later": dict(ARTICLE, year=2011, volume="26", issue="1", pages="56-64"),
        "another journal (a preprint)": dict(
            ARTICLE, journal="SSRN Electronic Journal", year=2009, volume="", pages="1-30"
        ),
        "another abstract (an update)": dict(
            ARTICLE,
            abstract=ABSTRACT.replace("four", "eight"),
            year=2010,
            volume="25",
            issue="1",
            pages="56-64",
        ),
        "a commentary by another author": dict(
            ARTICLE, authors=["Zimmer, M."], year=2010, volume="25", issue="1", pages="56-64"
        ),
        "an erratum": dict(
            ARTICLE,
            title="Erratum: " + ARTICLE["title"],
            year=2010,
            volume="25",
            issue="1",
            pages="56",
        ),
        "next year's meeting abstract": dict(
            ARTICLE,
            journal="Journal of Information Technology. Conference: Annual Meeting",
            year=2010,
            volume="25",
            issue="Suppl 1",
            pages="S56",
        ),
    }
    for what, fields in others.items():
        found = verdict(first, record(**fields, doi="10.1057/other"))
        assert found.outcome != PairOutcome.DUPLICATE and found.conflict, what
    # two meeting abstracts of one text in two years' supplements stay apart too
    meeting = dict(ARTICLE, journal="Journal of Information Technology. Conference: Annual Meeting")
    assert (
        verdict(
            record(
                **meeting, year=2009, volume="24", issue="Suppl 1", pages="S46", doi="10.1057/a"
            ),
            record(
                **meeting, year=2010, volume="25", issue="Suppl 1", pages="S56", doi="10.1057/b"
            ),
        ).outcome
        != PairOutcome.DUPLICATE
    )


def test_recurring_introduction_without_abstract_stays_apart() -> None:
    # special_cases id_0000003 / id_0000004: one minitrack's introduction in two years
    intro = dict(
        title="Introduction to the Minitrack on Crowdsourcing and Digital Workforce in the Gig "
        "Economy",
        authors=["Deng, X.", "Taylor, J.", "Moussawi, S."],
        journal="Proceedings of the Annual Hawaii International Conference on System Sciences",
    )
    found = verdict(
        record(**intro, year=2021, doi="10.24251/hicss.2021.510"),
        record(**intro, year=2022, doi="10.24251/hicss.2022.544"),
    )
    assert found.outcome != PairOutcome.DUPLICATE and found.conflict


# --- the chaining guard ---------------------------------------------------------------------------
def test_two_dois_meet_only_through_a_checked_pair() -> None:
    dois = {"a": ("10.1/a", ""), "b": ("10.1/b", ""), "c": ("", "")}
    passes = build_clusters(
        [Link("a", "b")], identifiers=dois.__getitem__, conflict=lambda x, y: False
    )
    assert passes == ([["a", "b"]], [])
    # without a conflict check, or on a person's forced link, two DOIs never meet
    assert build_clusters([Link("a", "b")], identifiers=dois.__getitem__)[0] == []
    assert (
        build_clusters(
            [Link("a", "b", forced=True)], identifiers=dois.__getitem__, conflict=lambda x, y: False
        )[0]
        == []
    )
    # a chain through a record without a DOI is refused when the rule sees the two DOIs conflict
    clusters, refused = build_clusters(
        [Link("a", "c", 0.9), Link("c", "b", 0.8)],
        identifiers=dois.__getitem__,
        conflict=lambda x, y: {x, y} == {"a", "b"},
    )
    assert clusters == [["a", "c"]] and refused == [Link("c", "b", 0.8)]


def test_two_dois_conflict_whatever_else_the_rule_says() -> None:
    # titles too far apart for the rule to look further: the DOIs alone keep them apart
    a = record(**ABSTRACT_ITEM, doi="10.1016/j.appet.2012.05.003")
    b = record(
        title="Cardiac outcomes of statins in older adults", year=2012, doi="10.1136/bmj.j1000"
    )
    assert verdict(a, b).outcome == PairOutcome.DISTINCT and verdict(a, b).conflict
    assert not verdict(
        a, record(title="Cardiac outcomes of statins in older adults", year=2012)
    ).conflict


def test_review_keeps_one_text_under_two_dois_in_one_cluster(review) -> None:
    ids = add_records(
        review,
        [record(**ABSTRACT_ITEM, volume="59", issue="SUPPL. 1", doi="10.1016/j.appet.2012.05.003")],
        database="Embase",
    )
    ids += add_records(
        review,
        [record(**ABSTRACT_ITEM, volume="1", doi="10.1016/j.regpep.2012.05.039")],
        database="Web of Science",
    )
    report = review.find_duplicates()
    assert (report.automatic, report.clusters, report.duplicates_removed, report.refused) == (
        1,
        1,
        1,
        0,
    )
    rule = review.db.execute(
        "SELECT rule FROM duplicate_pair WHERE record_a = ? AND record_b = ?", ids
    ).fetchone()
    assert rule == ("same_citation_other_doi",)
