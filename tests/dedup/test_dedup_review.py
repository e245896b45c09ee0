"""Deduplication of a review file: stored verdicts, clusters, a person's verdicts surviving
re-runs, the incremental mode, undo, and the CLI."""

from __future__ import annotations

import json

import pytest
from dedup_helpers import add_records, record

from screener.cli import main
from screener.errors import InvalidInputError

TRIAL = dict(
    title="Low-dose interleukin-2 for refractory dermatomyositis: a randomised controlled trial",
    authors=["Zhai, Q. J.", "Yue, X. Y.", "Hong, Z."],
    year=2019,
    journal="Ann Rheum Dis",
    volume="78",
    issue="4",
    pages="501-509",
)
COHORT = dict(
    title="Long-term outcomes of juvenile dermatomyositis in a national inception cohort",
    authors=["Garcia, M.", "Li, H."],
    year=2018,
    journal="Rheumatology (Oxford)",
    volume="57",
    issue="2",
    pages="210-219",
)
OTHER = dict(
    title="Statins and cardiovascular events in older adults: a cohort study",
    authors=["Smith, J."],
    year=2017,
    journal="BMJ",
    volume="356",
    pages="j1000",
)


def _clusters(project) -> dict[int, tuple[int, set[int]]]:
    out: dict[int, tuple[int, set[int]]] = {}
    for cid, primary in project.db.execute("SELECT id, primary_record_id FROM cluster"):
        members = {
            r
            for (r,) in project.db.execute(
                "SELECT record_id FROM cluster_member WHERE cluster_id = ?", [cid]
            )
        }
        out[cid] = (primary, members)
    return out


def _pair(project, a: int, b: int) -> tuple:
    return project.db.execute(
        "SELECT outcome, decided_by, rule FROM duplicate_pair WHERE record_a = ? AND record_b = ?",
        [min(a, b), max(a, b)],
    ).fetchone()


def test_merges_keep_every_record_and_screen_the_most_complete(review) -> None:
    ids = add_records(
        review, [record(**TRIAL), record(**COHORT), record(**OTHER)], database="PubMed"
    )
    more = add_records(
        review,
        [
            record(
                **dict(
                    TRIAL,
                    title=TRIAL["title"].upper() + " [Chinese]",
                    abstract="Low-dose IL-2 expanded regulatory T cells.",
                    doi="10.1136/ard-2019-1",
                    pages="501-9",
                )
            )
        ],
        database="Embase",
    )
    report = review.find_duplicates()
    assert (report.records, report.automatic, report.clusters, report.duplicates_removed) == (
        4,
        1,
        1,
        1,
    )
    [(primary, members)] = _clusters(review).values()
    assert members == {ids[0], more[0]} and primary == more[0]  # the one with abstract and DOI
    assert review.db.execute("SELECT count(*) FROM record").fetchone()[0] == 4
    assert ids[0] not in review.screened_record_ids()
    exported = {r.id: r for r in review.export_records(unblind=True)}
    assert exported[ids[0]].cluster_id == exported[more[0]].cluster_id is not None
    assert exported[ids[1]].cluster_id is None
    assert review.info().duplicates_removed == 1


def test_person_verdicts_survive_reruns(review) -> None:
    a, b, c = add_records(
        review,
        [record(**TRIAL), record(**dict(TRIAL, pages="501")), record(**dict(TRIAL, issue="5"))],
    )
    review.find_duplicates()
    # keep apart what the rule merged, merge what it only queued
    merged_by_rule = [
        (x, y)
        for x, y in ((a, b), (a, c), (b, c))
        if _pair(review, x, y) and _pair(review, x, y)[0] == "duplicate"
    ]
    assert merged_by_rule
    x, y = merged_by_rule[0]
    review.decide_duplicate((x, y), False, "alice")
    for full in (False, True):
        review.find_duplicates(full=full)
        assert _pair(review, x, y)[:2] == ("distinct", "person")
        assert not any({x, y} <= members for _, members in _clusters(review).values())
    review.decide_duplicate((x, y), True, "alice")
    review.find_duplicates(full=True)
    assert _pair(review, x, y)[:2] == ("duplicate", "person")
    assert any({x, y} <= members for _, members in _clusters(review).values())
    report = review.dedup_report()
    assert report.decided_same == 1 and report.decided_by_person == 1


def test_incremental_run_compares_only_new_records(review) -> None:
    first = add_records(
        review, [record(**TRIAL), record(**dict(TRIAL, pages="501-9")), record(**COHORT)]
    )
    review.find_duplicates()
    # Mark the stored verdict: a run that compared the old pair again would overwrite it.
    review.db.execute(
        "UPDATE duplicate_pair SET rule = 'marker' WHERE record_a = ? AND record_b = ?", first[:2]
    )
    [(cluster_id, (primary, _))] = _clusters(review).items()
    review.record_decision(primary, "title_abstract", "alice", "include")
    newer = add_records(
        review,
        [
            record(
                **dict(TRIAL, abstract="IL-2 at low dose ...", doi="10.1136/ard.3", pmid="31000000")
            ),
            record(**COHORT),
        ],
        database="Embase",
    )
    report = review.find_duplicates()
    assert report.new_records == 2 and report.records == 5
    assert _pair(review, *first[:2])[2] == "marker"
    clusters = _clusters(review)
    assert clusters[cluster_id] == (primary, {*first[:2], newer[0]})  # screened primary stays
    assert any(members == {first[2], newer[1]} for _, members in clusters.values())
    assert review.decisions(primary)[0].reviewer == "alice"
    review.find_duplicates(full=True)
    assert _pair(review, *first[:2])[2] != "marker"


def test_queue_decide_and_undo(review) -> None:
    a, b = add_records(review, [record(**TRIAL), record(**dict(TRIAL, issue="5", pages="601-609"))])
    review.find_duplicates()
    [queued] = review.duplicate_queue()
    assert (queued.record_a, queued.record_b) == (a, b) and queued.rule == "pages_differ"
    pair_id = review.decide_duplicate(queued.pair_id, True, "bob")
    assert review.duplicate_queue() == [] and _pair(review, a, b)[:2] == ("duplicate", "person")
    assert len(review.screened_record_ids()) == 1
    assert review.undo_duplicate_decision(reviewer="bob") == pair_id
    assert _pair(review, a, b) == ("possible", "rule", "pages_differ")
    assert [q.pair_id for q in review.duplicate_queue()] == [pair_id]
    assert len(review.screened_record_ids()) == 2
    assert review.undo_duplicate_decision(reviewer="bob") is None


def test_a_person_can_merge_records_the_rule_never_paired(review) -> None:
    a, b = add_records(review, [record(**TRIAL), record(**OTHER)])
    review.find_duplicates()
    assert review.dedup_report().clusters == 0
    review.decide_duplicate((b, a), True, "carol")
    assert review.dedup_report().clusters == 1
    review.undo_duplicate_decision((a, b))
    assert _pair(review, a, b) is None and review.dedup_report().clusters == 0


def test_bad_pairs_are_one_line_errors(review) -> None:
    (a,) = add_records(review, [record(**TRIAL)])
    with pytest.raises(InvalidInputError, match="no duplicate pair with id 99"):
        review.decide_duplicate(99, True, "alice")
    with pytest.raises(InvalidInputError, match="no record with id 42"):
        review.decide_duplicate((a, 42), True, "alice")
    with pytest.raises(InvalidInputError, match="itself"):
        review.decide_duplicate((a, a), True, "alice")


def test_chaining_guard_sends_the_refused_merge_to_the_queue(review) -> None:
    ids = add_records(
        review,
        [
            record(**TRIAL, doi="10.1136/ard.1"),
            record(**TRIAL),
            record(**TRIAL, doi="10.1136/ard.2"),
        ],
    )
    report = review.find_duplicates()
    assert report.refused >= 1
    doi_of = dict(review.db.execute("SELECT id, doi FROM record"))
    for _, members in _clusters(review).values():
        assert len({doi_of[m] for m in members} - {""}) <= 1
    assert any(q.rule.startswith("chain_guard:") for q in review.duplicate_queue())
    assert len(ids) == 3


def test_cli_runs_and_reports(review, capsys) -> None:
    add_records(
        review,
        [
            record(**TRIAL),
            record(**dict(TRIAL, pages="501-9")),
            record(**dict(TRIAL, issue="5", pages="601-609")),
        ],
    )
    path = str(review.path)
    assert main(["dedup", path]) == 0
    out = capsys.readouterr().out
    assert (
        "compared 3 new of 3 records" in out
        and "automatic: 1 pair merged" in out
        and "queued: 2" in out
    )
    assert main(["dedup", path, "--report", "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert (counts["automatic"], counts["queued"], counts["decided_by_person"]) == (1, 2, 0)
    assert main(["dedup", path + ".missing"]) == 1
    assert "no such file" in capsys.readouterr().err
    assert main(["dedup", "--help"]) == 0
    assert "Example:" in capsys.readouterr().out


def test_a_screened_primary_stays_primary_when_a_person_merges_more(review) -> None:
    a, b = add_records(review, [record(**TRIAL), record(**dict(TRIAL, pages="501-9"))])
    review.find_duplicates()
    [(cluster_id, (primary, _))] = _clusters(review).items()
    review.record_decision(primary, "title_abstract", "alice", "exclude")
    (rich,) = add_records(
        review,
        [
            record(
                title="Interleukin-2 in dermatomyositis (conference version)",
                abstract="A much more complete record.",
                doi="10.1136/ard.9",
                pmid="31000001",
                authors=TRIAL["authors"],
                year=2019,
            )
        ],
    )
    review.decide_duplicate((primary, rich), True, "alice")
    assert _clusters(review)[cluster_id] == (primary, {a, b, rich})
    assert rich not in review.screened_record_ids() and primary in review.screened_record_ids()
