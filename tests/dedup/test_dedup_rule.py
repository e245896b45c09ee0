"""The decision rule and the chaining guard, on hand-made pairs (the situations the issue names)."""

from __future__ import annotations

from dedup_helpers import record

from screener.dedup import PairOutcome, compare, deduplicate, features
from screener.dedup.blocking import shares_key
from screener.records import Record

ARTICLE = dict(
    title="Low-dose interleukin-2 for refractory dermatomyositis: a randomised controlled trial",
    authors=["Zhai, Q. J.", "Yue, X. Y.", "Hong, Z."],
    year=2019,
    journal="Annals of the Rheumatic Diseases",
    volume="78",
    issue="4",
    pages="501-509",
)


def verdict(a: Record, b: Record):
    fa, fb = features(a), features(b)
    return compare(fa, fb, anchored=shares_key(fa, fb))


def test_same_paper_written_two_ways_is_merged() -> None:
    other = dict(
        ARTICLE,
        title="LOW-DOSE INTERLEUKIN-2 FOR REFRACTORY DERMATOMYOSITIS - A RANDOMISED "
        "CONTROLLED TRIAL. [Chinese]",
        authors=["Zhai QJ", "Yue XY", "Hong Z"],
        journal="Ann Rheum Dis",
        pages="501-9",
    )
    assert verdict(record(**ARTICLE), record(**other)).outcome == PairOutcome.DUPLICATE


def test_shared_doi_merges_and_different_titles_are_only_flagged() -> None:
    a = record(**ARTICLE, doi="10.1136/annrheumdis-2019-1")
    assert (
        verdict(
            a, record(title=ARTICLE["title"], doi="https://doi.org/10.1136/ANNRHEUMDIS-2019-1")
        ).outcome
        == PairOutcome.DUPLICATE
    )
    flagged = verdict(
        a,
        record(
            title="Cardiac outcomes of statins in older adults", doi="10.1136/annrheumdis-2019-1"
        ),
    )
    assert flagged.outcome == PairOutcome.POSSIBLE and "titles_differ" in flagged.rule


def test_different_identifiers_are_never_merged() -> None:
    a = record(**ARTICLE, doi="10.1000/a1", pmid="111")
    assert verdict(a, record(**ARTICLE, doi="10.1000/a2")).outcome != PairOutcome.DUPLICATE
    assert verdict(a, record(**ARTICLE, pmid="222")).outcome == PairOutcome.DISTINCT


def test_errata_retractions_and_replies_are_never_merged_automatically() -> None:
    article = record(**ARTICLE)
    for title, pages in (
        (f"Erratum: {ARTICLE['title']}", "1200"),
        (f"{ARTICLE['title']} (vol 78, pg 501, 2019)", "1200"),
        (f"Retraction: {ARTICLE['title']}", "1300"),
        (f"Comment on: {ARTICLE['title']}", "1100-1101"),
        (f"{ARTICLE['title']} - Reply", "1102"),
    ):
        other = record(**dict(ARTICLE, title=title, pages=pages, issue="9"))
        assert verdict(article, other).outcome != PairOutcome.DUPLICATE, title
    # ... even with the article's DOI on the erratum
    with_doi = record(**ARTICLE, doi="10.1136/x")
    erratum = record(
        **dict(ARTICLE, title=f"Erratum: {ARTICLE['title']}", pages="1200", doi="10.1136/x")
    )
    assert verdict(with_doi, erratum).outcome == PairOutcome.POSSIBLE


def test_conference_abstract_and_later_article_are_not_merged() -> None:
    abstract = record(
        **dict(
            ARTICLE,
            journal="Annals of the Rheumatic Diseases. Conference: EULAR 2019",
            volume="78",
            issue="Suppl 2",
            pages="A123",
            year=2019,
        )
    )
    article = record(**dict(ARTICLE, year=2020, volume="79", issue="1", pages="12-20"))
    assert verdict(abstract, article).outcome != PairOutcome.DUPLICATE
    # the same abstract indexed twice, once without the meeting's name, is one record
    again = record(
        **dict(
            ARTICLE,
            journal="Annals of the Rheumatic Diseases",
            volume="78",
            issue="Suppl 2",
            pages="A123",
        )
    )
    assert verdict(abstract, again).outcome == PairOutcome.DUPLICATE


def test_parts_of_a_series_and_editorials_stay_apart() -> None:
    one = record(**dict(ARTICLE, title="Myositis in adults. Part I: diagnosis"))
    two = record(**dict(ARTICLE, title="Myositis in adults. Part II: diagnosis", pages="510-519"))
    assert verdict(one, two).outcome == PairOutcome.DISTINCT
    editorial = dict(
        title="Editorial", authors=["Weber R"], year=2003, journal="MIS Quarterly", volume="27"
    )
    assert (
        verdict(
            record(**editorial, issue="2", pages="iii-xi"),
            record(**editorial, issue="3", pages="iii-xii"),
        ).outcome
        == PairOutcome.DISTINCT
    )


def test_chaining_guard_keeps_two_dois_out_of_one_cluster() -> None:
    # B (no DOI) looks like A and like C; A and C carry different DOIs: they must not meet.
    a = record(**ARTICLE, doi="10.1000/one")
    b = record(**ARTICLE)
    c = record(**ARTICLE, doi="10.1000/two")
    result = deduplicate([a, b, c])
    assert all(not {0, 2} <= set(cluster) for cluster in result.clusters)
    assert any(p.outcome == PairOutcome.DUPLICATE for p in result.pairs)


def test_primary_is_the_most_complete_record() -> None:
    bare = record(**ARTICLE)
    full = record(
        **ARTICLE,
        abstract="Background: interleukin-2 at low dose expands regulatory T cells.",
        doi="10.1136/x",
        pmid="123",
    )
    result = deduplicate([bare, full])
    assert result.clusters == ((0, 1),) and result.primaries == (1,)


def test_no_chain_joins_a_meeting_abstract_and_the_later_article() -> None:
    # X (the abstract indexed without its meeting's name, no pages) matches both the abstract A
    # and the full article C; A and C must still end in different clusters.
    title = "Saxagliptin reduces lesion formation in CETP-apoB100 mice with atherosclerosis"
    authors = ["Mason, R. P.", "Jacob, R. F.", "Corbalan, J. J."]
    a = record(
        title=title,
        authors=authors,
        year=2013,
        volume="128",
        journal="Circulation. Conference: American Heart Association Scientific Sessions",
    )
    x = record(title=title, authors=authors, year=2013, volume="128", journal="Circulation")
    c = record(
        title=title,
        authors=authors,
        year=2013,
        volume="128",
        issue="22",
        pages="2340-2349",
        journal="Circulation",
    )
    assert verdict(a, c).outcome != PairOutcome.DUPLICATE and verdict(a, c).conflict
    assert verdict(a, x).outcome == verdict(x, c).outcome == PairOutcome.DUPLICATE
    result = deduplicate([a, x, c])
    assert result.clusters and all(not {0, 2} <= set(cluster) for cluster in result.clusters)


def test_volume_and_issue_shifted_into_issue_and_pages_still_match() -> None:
    # haematology id_0000105 / id_0000106: one meeting abstract, Pediatr Nephrol 26(9):1746, one
    # export holding the volume in the issue field and the issue in the pages.
    meeting = (
        "Pediatric Nephrology.Conference: 44th Annual Scientific Meeting of the European Society "
        "for Paediatric Nephrology Cavtat, Dubrovnik Croatia."
    )
    common = dict(
        title="The treatment of atypical hus", authors=["Loirat, C."], year=2011, journal=meeting
    )
    shifted = record(**common, pages="9", issue="26")
    right = record(**common, pages="1746-1746", volume="26", issue="9")
    assert verdict(shifted, right).outcome == PairOutcome.DUPLICATE
    # a page that only happens to equal the other's issue, with a volume of its own, still differs
    assert (
        verdict(record(**common, pages="9", volume="26", issue="26"), right).outcome
        != PairOutcome.DUPLICATE
    )
    # ... and a shifted record whose numbers do not line up is no match
    assert verdict(record(**common, pages="8", issue="26"), right).outcome != PairOutcome.DUPLICATE


def test_supplement_number_exported_as_volume_is_the_same_abstract() -> None:
    # diabetes id_0001192 / id_0001592: one meeting abstract, Eur Heart J Cardiovasc Imaging
    # 16 (Suppl 1):i22-i23, the second export keeping only "1" as its volume.
    common = dict(
        title="Glucagon-like peptide-1 receptor is expressed in atherosclerotic vascular lesions: "
        "An animal study using 68Ga-NODAGA-Exendin-4 PET and immunohistochemistry",
        authors=["Stahle, M.", "Hellberg, S.", "Liljenback, H.", "Virta, J."],
        year=2015,
        journal="European Heart Journal Cardiovascular Imaging",
    )
    abstract = record(**common, volume="16", issue="SUPPL. 1")
    copy = record(**common, volume="1", pages="i22-i23")
    assert verdict(abstract, copy).outcome == PairOutcome.DUPLICATE
    # the article in a later year, or in a volume that is not the supplement's number, stays apart
    assert (
        verdict(abstract, record(**dict(common, year=2016), volume="1", pages="i22-i23")).outcome
        != PairOutcome.DUPLICATE
    )
    assert (
        verdict(abstract, record(**common, volume="2", pages="122-129")).outcome
        != PairOutcome.DUPLICATE
    )


def test_year_as_volume_month_as_issue_and_section_heading() -> None:
    # digital_work id_2002950 / id_4002951: HBR 94(5), one export with the year as its volume,
    # the month as its issue, the other with the column's heading run into the title.
    common = dict(journal="Harvard Business Review", year=2016)
    plain = record(
        **common,
        title="Upwork’s CEO on how an introverted engineer learned to lead",
        volume="2016",
        issue="May",
        authors=["Kasriel, S."],
    )
    headed = record(
        **common,
        title="How did it ... Upwork's CEO on how an introverted engineer learned to lead",
        volume="94",
        issue="5",
        pages="35+",
        authors=["Kasriel, Stephane"],
    )
    assert verdict(plain, headed).outcome == PairOutcome.DUPLICATE
    # a real volume that differs still counts against the pair
    assert (
        verdict(
            record(
                **dict(common, title=plain.title, volume="93", issue="May", authors=["Kasriel, S."])
            ),
            headed,
        ).outcome
        != PairOutcome.DUPLICATE
    )
