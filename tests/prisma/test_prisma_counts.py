"""PRISMA counts from a constructed review with a known number at every box."""

from __future__ import annotations

from pathlib import Path

import pytest
from prisma_support import EXPECTED, add_cluster, add_study, build_review, record_ids

from screener.errors import InvalidInputError
from screener.project import Project
from screener.records import make_record
from screener.storage.db import now, transaction
from screener.storage.rows import insert, insert_records


def test_every_box_of_the_constructed_review(review: Project):
    c = review.prisma_counts()
    e = EXPECTED
    assert dict(c.databases) == e["databases"]
    assert dict(c.registers) == e["registers"]
    assert (c.database_results, c.register_results) == (
        e["database_results"],
        e["register_results"],
    )
    assert c.duplicates == e["duplicates"]
    assert (c.excluded_automatic, c.excluded_other) == (
        e["excluded_automatic"],
        e["excluded_other"],
    )
    m = c.main
    assert (m.records, m.records_excluded) == (e["records_screened"], e["records_excluded"])
    assert (m.records_conflict, m.records_pending) == (e["records_conflict"], e["records_pending"])
    assert (m.reports_sought, m.reports_not_retrieved, m.reports_assessed) == (
        e["reports_sought"],
        e["reports_not_retrieved"],
        e["reports_assessed"],
    )
    assert dict(m.reasons) == e["reasons"]
    assert m.reports_excluded == sum(e["reasons"].values())
    assert (m.reports_conflict, m.reports_pending) == (e["reports_conflict"], e["reports_pending"])
    assert m.reports_included == e["dbr_included"]
    o = c.other
    assert c.other_results("citation") == e["citations_results"]
    assert c.other_duplicates == e["other_duplicates"]
    assert (o.reports_sought, o.reports_not_retrieved, o.reports_assessed, o.reports_included) == (
        e["other_sought"],
        e["other_not_retrieved"],
        e["other_assessed"],
        e["other_included"],
    )
    assert (c.new_studies, c.new_reports, c.studies_basis) == (
        e["new_studies"],
        e["new_reports"],
        "studies",
    )
    assert (c.total_studies, c.total_reports) == (e["total_studies"], e["total_reports"])


def test_undecided_records_are_reported_not_papered_over(review: Project):
    c = review.prisma_counts()
    found = {d.key: d.difference for d in c.discrepancies}
    assert found == {"records_undecided": 2, "reports_undecided": 1}
    # the boxes still add up once the undecided are counted
    m = c.main
    assert m.records - m.records_excluded - m.reports_sought == m.records_undecided
    assert m.reports_assessed - m.reports_excluded - m.reports_included == m.reports_undecided
    assert c.records_identified - c.duplicates == m.records


def test_settling_the_undecided_clears_the_discrepancies(review: Project):
    ids = record_ids(review)
    review.record_decision(ids["R2"], "title_abstract", "bob", "exclude")
    review.record_decision(ids["P6"], "title_abstract", "bob", "include")  # now both include
    for reviewer in ("alice", "bob"):
        review.record_decision(ids["P6"], "full_text", reviewer, "exclude", reason="Wrong design")
    review.record_decision(ids["C4"], "full_text", "bob", "include")
    add_study(review, "Chen 2019", [ids["C4"]])
    c = review.prisma_counts()
    assert c.discrepancies == ()
    m = c.main
    assert (m.records_excluded, m.reports_sought, m.reports_assessed) == (6, 8, 7)
    assert dict(m.reasons) == {"Wrong population": 2, "Wrong intervention": 1, "Wrong design": 1}
    assert (m.reports_included, c.new_reports, c.new_studies) == (3, 4, 3)


def test_manual_removals_must_be_in_the_identified_counts(review: Project):
    review.set_prisma_count("excluded_automatic", 20, note="RobotSearch RCT classifier")
    c = review.prisma_counts()
    identity = next(d for d in c.discrepancies if d.key == "identification")
    assert identity.difference == -20
    # the PubMed export held 26 records before the classifier removed 20
    review.set_prisma_count("identified:PubMed", 26)
    c = review.prisma_counts()
    assert dict(c.databases)["PubMed"] == 26
    assert "identification" not in {d.key for d in c.discrepancies}
    assert any("PubMed" in n for n in c.notes)


def test_unknown_or_negative_manual_count_is_refused(review: Project):
    with pytest.raises(InvalidInputError, match="unknown PRISMA count"):
        review.set_prisma_count("records_screened", 3)
    with pytest.raises(InvalidInputError, match="negative"):
        review.set_prisma_count("excluded_other", -1)
    review.set_prisma_count("previous_studies", None)
    assert review.prisma_counts().previous_studies is None


def test_search_runs_count_what_they_fetched(tmp_path: Path):
    """A re-run fetches 5 PMIDs of which 2 were in the review already: identified 5, 2
    duplicates."""
    with Project.create(tmp_path / "r.db", title="runs") as project:
        db = project.db
        with transaction(db):
            for fetched, new in ((3, 3), (5, 3)):
                run = insert(
                    db,
                    "search_run",
                    {
                        "database": "PubMed",
                        "query_text": "il2",
                        "started_at": now(),
                        "status": "complete",
                        "count_fetched": fetched,
                        "count_new": new,
                    },
                )
                records = [(i, make_record(title=f"run {run} record {i}")) for i in range(new)]
                insert_records(db, records, search_run_id=run, created_at=now())
        c = project.prisma_counts()
        assert dict(c.databases) == {"PubMed": 8}
        assert c.duplicates == 2
        assert c.main.records == 6
        assert "identification" not in {d.key for d in c.discrepancies}


def test_without_studies_the_count_is_of_reports(tmp_path: Path):
    with build_review(tmp_path, studies=False, previous=False) as project:
        c = project.prisma_counts()
        assert (c.new_studies, c.new_reports, c.studies_basis) == (3, 3, "reports")
        assert not c.has_previous and c.total_studies == 3


def test_an_included_report_without_a_study_is_flagged(review: Project):
    ids = record_ids(review)
    review.db.execute("DELETE FROM study_report WHERE record_id = ?", [ids["H1"]])
    c = review.prisma_counts()
    assert c.new_studies == 2  # Smith 2020, plus H1 counted as its own study
    assert {d.key: d.difference for d in c.discrepancies}["reports_without_study"] == 1


def test_a_cluster_counts_once_even_if_decided_on_a_duplicate(tmp_path: Path):
    with build_review(tmp_path) as project:
        ids = record_ids(project)
        before = project.prisma_counts()
        # merge P4 (both excluded) into P5's cluster: one fewer screened, one more duplicate
        add_cluster(project, ids["P5"], [ids["P4"]])
        after = project.prisma_counts()
        assert after.duplicates == before.duplicates + 1
        assert after.main.records == before.main.records - 1
        assert after.main.records_excluded == before.main.records_excluded - 1


def test_an_empty_review_counts_zero_everywhere(project: Project):
    c = project.prisma_counts()
    assert (c.records_identified, c.duplicates, c.main.records, c.new_studies) == (0, 0, 0, 0)
    assert c.discrepancies == ()
    assert not c.has_other_methods
