"""The blocked matcher finds exactly what the all-pairs matcher finds (hypothesis), also in the
incremental mode that compares only new records with the rest."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener.dedup import PairOutcome, features, match, match_all_pairs
from screener.records import Record, make_record

_WORDS = [
    "myositis",
    "interleukin",
    "low",
    "dose",
    "trial",
    "randomised",
    "children",
    "adults",
    "stroke",
    "rehabilitation",
    "outcome",
    "therapy",
    "cohort",
    "screening",
    "cervical",
    "part",
]
_FAMILIES = ["Zhai", "Wang", "Smith", "Müller", "Li", "Garcia"]
_JOURNALS = ["Annals of the Rheumatic Diseases", "Ann Rheum Dis", "Stroke", "BMJ"]
_CHINESE = ["低剂量白介素治疗皮肌炎的随机对照试验", "卒中后康复训练的临床研究"]


@st.composite
def base_record(draw) -> dict:
    words = draw(st.lists(st.sampled_from(_WORDS), min_size=2, max_size=9))
    if draw(st.booleans()) and draw(st.booleans()):
        words.append(draw(st.sampled_from(["I", "II", "1", "2"])))
    fields = {
        "title": " ".join(words).capitalize(),
        "authors": [
            f"{f}, {draw(st.sampled_from('ABQ'))}."
            for f in draw(st.lists(st.sampled_from(_FAMILIES), min_size=0, max_size=3))
        ],
        "year": draw(st.sampled_from([None, 2019, 2020])),
        "journal": draw(st.sampled_from(_JOURNALS)),
        "volume": draw(st.sampled_from(["", "7", "8"])),
        "issue": draw(st.sampled_from(["", "2", "Suppl 1"])),
        "pages": draw(st.sampled_from(["", "73-76", "73-6", "80-81", "e12"])),
        "doi": draw(st.sampled_from(["", "", "10.1000/a", "10.1000/b"])),
        "pmid": draw(st.sampled_from(["", "", "", "101", "102"])),
        "issn": draw(st.sampled_from(["", "1000-3290"])),
    }
    kind = draw(st.sampled_from(["", "", "", "Erratum: ", "Comment on: "]))
    fields["title"] = kind + fields["title"]
    if draw(st.integers(0, 5)) == 0:
        fields["title_en"] = fields["title"]
        fields["title"] = draw(st.sampled_from(_CHINESE))
        fields["authors"] = draw(st.sampled_from([["翟启杰", "王明"], ["李华"]]))
    return fields


@st.composite
def variant(draw, fields: dict) -> dict:
    out = dict(fields)
    if draw(st.booleans()):
        out["title"] = out["title"].upper()
    if draw(st.booleans()):
        out["title"] = out["title"] + ". [Chinese]"
    if draw(st.booleans()) and out["authors"]:
        out["authors"] = [a.replace(", ", " ").replace(".", "") for a in out["authors"]]
    if draw(st.booleans()):
        out["year"] = (out["year"] or 2019) + draw(st.sampled_from([0, 1]))
    if draw(st.booleans()):
        out["pages"] = draw(st.sampled_from(["", "73-76", "74"]))
    return out


@st.composite
def record_sets(draw) -> list[Record]:
    bases = draw(st.lists(base_record(), min_size=1, max_size=8))
    rows = []
    for fields in bases:
        rows.append(fields)
        for _ in range(draw(st.integers(0, 2))):
            rows.append(draw(variant(fields)))
    order = draw(st.permutations(range(len(rows))))
    return [make_record(**rows[i]) for i in order]


def _key(verdicts) -> set[tuple]:
    return {(v.a, v.b, v.outcome, v.rule, round(v.score, 6)) for v in verdicts}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_sets())
def test_blocked_matcher_equals_all_pairs(records: list[Record]) -> None:
    feats = [features(r) for r in records]
    assert _key(match(feats)) == _key(match_all_pairs(feats))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_sets(), st.data())
def test_incremental_matcher_compares_only_new_records(records: list[Record], data) -> None:
    new = data.draw(st.lists(st.booleans(), min_size=len(records), max_size=len(records)))
    feats = [features(r) for r in records]
    expected = {k for k in _key(match_all_pairs(feats)) if new[k[0]] or new[k[1]]}
    assert _key(match(feats, new=new)) == expected


def test_big_blocks_are_windowed_not_quadratic(monkeypatch) -> None:
    # 600 records sharing one author-year key: a sliding window bounds the comparisons.
    import screener.dedup.blocking as matcher

    records = [
        make_record(
            title=f"Study {i} of {_WORDS[i % 16]} {_WORDS[(i * 7) % 16]} things",
            authors=["Wang, M."],
            year=2020,
        )
        for i in range(600)
    ]
    feats = [features(r) for r in records]
    calls = []
    real = matcher.compare
    monkeypatch.setattr(matcher, "compare", lambda a, b, **kw: calls.append(1) or real(a, b, **kw))
    match(feats)
    assert len(feats) > matcher.MAX_BLOCK
    assert (
        0 < len(calls) <= len(feats) * (2 * matcher.WINDOW + 1) < len(feats) * (len(feats) - 1) // 2
    )


def test_generated_sets_exercise_the_rule() -> None:
    # Guards the two tests above against vacuity: over a fixed run of generated sets, most hold
    # related pairs, and the rule both merges some and queues some for a person.
    seen: Counter[str] = Counter()

    @settings(
        max_examples=60,
        database=None,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(record_sets())
    def run(records: list[Record]) -> None:
        found = match([features(r) for r in records])
        seen["sets"] += 1
        seen["sets with verdicts"] += bool(found)
        seen.update(v.outcome for v in found)

    run()
    assert seen["sets with verdicts"] >= seen["sets"] // 2, seen
    assert seen[PairOutcome.DUPLICATE] > 0 and seen[PairOutcome.POSSIBLE] > 0, seen
