"""Chinese-database records and their English twins: found, and queued for a person unless an
identifier agrees (records from real CNKI exports, twins hand-made; see tests/data/dedup)."""

from __future__ import annotations

from dedup_helpers import add_records, twins

from screener.dedup import PairOutcome, compare, deduplicate, features
from screener.dedup.blocking import shares_key
from screener.records import make_record


def _pairs():
    data = twins()
    return [(case, make_record(**case["zh"]), make_record(**case["en"])) for case in data["pairs"]]


def test_twins_are_found_and_queued_unless_an_identifier_agrees() -> None:
    for case, zh, en in _pairs():
        fz, fe = features(zh), features(en)
        assert fz.cjk and not fe.cjk
        verdict = compare(fz, fe, anchored=shares_key(fz, fe))
        expected = PairOutcome.DUPLICATE if case.get("merged") else PairOutcome.POSSIBLE
        assert verdict.outcome == expected, case["case"]


def test_unrelated_english_records_are_not_queued_with_the_chinese_ones() -> None:
    data = twins()
    chinese = [make_record(**case["zh"]) for case in data["pairs"]]
    others = [make_record(**fields) for fields in data["unrelated_english"]]
    result = deduplicate(chinese + others)
    n = len(chinese)
    assert not [p for p in result.pairs if (p.a < n) != (p.b < n)]


def test_cross_language_pairs_land_in_the_review_queue(review) -> None:
    pairs = _pairs()
    zh_ids = add_records(review, [zh for _, zh, _ in pairs], database="CNKI", file_name="cnki.net")
    en_ids = add_records(
        review, [en for _, _, en in pairs], database="PubMed", file_name="pubmed.nbib"
    )
    report = review.find_duplicates()
    queued = {(q.record_a, q.record_b) for q in review.duplicate_queue()}
    for (case, _, _), z, e in zip(pairs, zh_ids, en_ids, strict=True):
        if case.get("merged"):
            assert (z, e) not in queued
        else:
            assert (z, e) in queued, case["case"]
    assert report.automatic == 1 and report.clusters == 1
    # the merged pair is one cluster whose records keep their own provenance
    merged = [
        (z, e)
        for (case, _, _), z, e in zip(pairs, zh_ids, en_ids, strict=True)
        if case.get("merged")
    ]
    z, e = merged[0]
    assert review.record_sources(z) == review.record_sources(e) == ["CNKI", "PubMed"]
