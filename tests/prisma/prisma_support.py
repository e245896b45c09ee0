"""A constructed review with a known number at every PRISMA box.

Hand-made: small CSV exports written by the test (PubMed 6, Embase 5, CNKI 4 records from
databases; ClinicalTrials.gov 2 from a register; 2 from citation searching), three duplicate
clusters plus one citation record that duplicates a PubMed record, two reviewers with conflicts
at both stages, resolutions, a report not retrieved, full-text exclusions with reasons, studies
and the previous version's numbers. The expected numbers are worked out by hand in ``EXPECTED``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from screener.project import Project
from screener.storage.db import now, transaction
from screener.storage.review import reason_id, reviewer_id
from screener.storage.rows import insert

REASONS = ("Wrong design", "Wrong population", "Wrong intervention")

SOURCES = {  # file stem: (database, method, record keys)
    "pubmed": ("PubMed", "database", ["P1", "P2", "P3", "P4", "P5", "P6"]),
    "embase": ("Embase", "database", ["E1", "E2", "E3", "E4", "E5"]),
    "cnki": ("CNKI", "database", ["C1", "C2", "C3", "C4"]),
    "ctgov": ("ClinicalTrials.gov", "register", ["R1", "R2"]),
    "citations": ("Citation searching", "citation", ["H1", "H2"]),
}
CLUSTERS = {"P1": ["E1", "C1"], "P2": ["E2"], "P3": ["H2"]}  # primary: secondary members

# Title/abstract: (alice, bob); None = no decision. A "@E2" suffix puts bob's decision on the
# cluster's secondary record E2 instead (a decision made before dedup merged them).
TITLE_ABSTRACT = {
    "P1": ("include", "include"),
    "P2": ("include", "include@E2"),
    "P3": ("include", "maybe"),
    "P4": ("exclude", "exclude"),
    "P5": ("exclude", "exclude"),
    "P6": ("include", "exclude"),
    "E3": ("exclude", "exclude"),
    "E4": ("include", "include"),
    "E5": ("include", "exclude"),
    "C2": ("exclude", "exclude"),
    "C3": ("include", "include"),
    "C4": ("exclude", "include"),
    "R1": ("include", "include"),
    "R2": ("exclude", None),
    "H1": ("include", "include"),
}
TA_RESOLUTIONS = {"E5": "exclude", "C4": "include"}  # P6 stays in conflict, R2 pending
NOT_RETRIEVED = ["C3"]
FULL_TEXT = {  # (alice, bob) as (decision, reason)
    "P1": (("include", None), ("include", None)),
    "P2": (("include", None), ("include", None)),
    "P3": (("exclude", "Wrong population"), ("exclude", "Wrong population")),
    "E4": (("exclude", "Wrong intervention"), ("exclude", "Wrong population")),  # hierarchy: WP
    "R1": (("include", None), ("exclude", "Wrong intervention")),
    "C4": (("include", None), None),
    "H1": (("include", None), ("include", None)),
}
FT_RESOLUTIONS = {"R1": ("exclude", "Wrong intervention")}
STUDIES = {"Smith 2020": ["P1", "P2"], "Lee 2021": ["H1"]}
PREVIOUS = {"previous_studies": 4, "previous_reports": 5}

EXPECTED = {
    "databases": {"PubMed": 6, "Embase": 5, "CNKI": 4}, "registers": {"ClinicalTrials.gov": 2},
    "database_results": 15, "register_results": 2, "duplicates": 3,
    "excluded_automatic": 0, "excluded_other": 0,
    "records_screened": 14, "records_excluded": 5, "records_conflict": 1, "records_pending": 1,
    "reports_sought": 7, "reports_not_retrieved": 1, "reports_assessed": 6,
    "reasons": {"Wrong population": 2, "Wrong intervention": 1},
    "reports_conflict": 0, "reports_pending": 1, "dbr_included": 2,
    "citations_results": 2, "other_duplicates": 1, "other_sought": 1, "other_not_retrieved": 0,
    "other_assessed": 1, "other_included": 1,
    "new_studies": 2, "new_reports": 3, "total_studies": 6, "total_reports": 8,
}  # fmt: skip


def _write_csv(path: Path, keys: list[str], database: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "authors", "year", "journal", "abstract"])
        for n, key in enumerate(keys):
            writer.writerow(
                [
                    key,
                    f"Record {key}: low-dose interleukin-2 trial {n}",
                    f"Author{key}, A; Second, B",
                    2015 + n,
                    f"Journal of {database}",
                    f"Abstract of {key}.",
                ]
            )


def add_cluster(project: Project, primary: int, members: list[int]) -> None:
    """A duplicate cluster as the dedup stage stores it (primary record plus members)."""
    db = project.db
    with transaction(db):
        cid = insert(db, "cluster", {"primary_record_id": primary, "created_at": now()})
        for rid in [primary, *members]:
            insert(
                db,
                "cluster_member",
                {"record_id": rid, "cluster_id": cid, "decided_by": "rule", "added_at": now()},
            )


def add_resolution(
    project: Project,
    record_id: int,
    stage: str,
    decision: str,
    reason: str | None = None,
    reviewer: str = "carol",
) -> None:
    db = project.db
    with transaction(db):
        insert(
            db,
            "resolution",
            {
                "record_id": record_id,
                "stage": stage,
                "decision": decision,
                "reason_id": reason_id(db, reason),
                "reviewer_id": reviewer_id(db, reviewer),
                "resolved_at": now(),
            },
        )


def mark_not_retrieved(project: Project, record_id: int) -> None:
    db = project.db
    with transaction(db):
        insert(
            db,
            "full_text",
            {
                "record_id": record_id,
                "not_retrieved": 1,
                "updated_at": now(),
                "reviewer_id": reviewer_id(db, "alice"),
            },
        )


def add_study(project: Project, name: str, record_ids: list[int]) -> int:
    db = project.db
    with transaction(db):
        sid = insert(db, "study", {"name": name, "created_at": now()})
        for rid in record_ids:
            insert(db, "study_report", {"study_id": sid, "record_id": rid})
    return sid


def record_ids(project: Project) -> dict[str, int]:
    return {key: rid for rid, key in project.db.execute("SELECT id, source_key FROM record")}


def build_review(path: Path, *, studies: bool = True, previous: bool = True) -> Project:
    project = Project.create(
        path / "review.db",
        title="Low-dose IL-2 in myositis",
        question="Does low-dose IL-2 improve myositis?",
        population="Adults with idiopathic inflammatory myopathy",
        reviewers_title_abstract=2,
        reviewers_full_text=2,
        blind=True,
        exclusion_reasons=REASONS,
        reviewers=("alice", "bob", ("carol", "arbiter"), "dave"),
    )
    for stem, (database, method, keys) in SOURCES.items():
        file = path / f"{stem}.csv"
        _write_csv(file, keys, database)
        project.import_file(
            file,
            fmt="csv",
            source=database,
            method=method,
            query_name=f"il2-{stem}",
            query_text=f"interleukin-2 AND myositis [{stem}]",
        )
    ids = record_ids(project)
    for primary, members in CLUSTERS.items():
        add_cluster(project, ids[primary], [ids[m] for m in members])
    for key, pair in TITLE_ABSTRACT.items():
        for reviewer, choice in zip(("alice", "bob"), pair, strict=True):
            if choice is None:
                continue
            choice, _, on = choice.partition("@")
            project.record_decision(ids[on or key], "title_abstract", reviewer, choice)
    for key, decision in TA_RESOLUTIONS.items():
        add_resolution(project, ids[key], "title_abstract", decision)
    for key in NOT_RETRIEVED:
        mark_not_retrieved(project, ids[key])
    for key, pair in FULL_TEXT.items():
        for reviewer, item in zip(("alice", "bob"), pair, strict=True):
            if item is not None:
                project.record_decision(ids[key], "full_text", reviewer, item[0], reason=item[1])
    for key, (decision, reason) in FT_RESOLUTIONS.items():
        add_resolution(project, ids[key], "full_text", decision, reason)
    if studies:
        for name, keys in STUDIES.items():
            add_study(project, name, [ids[k] for k in keys])
    if previous:
        for key, value in PREVIOUS.items():
            project.set_prisma_count(key, value)
    return project
