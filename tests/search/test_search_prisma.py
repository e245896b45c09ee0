"""PRISMA's records identified when strategies are run again, updated or edited, and when a
file is imported twice (rules: screener.prisma.counts)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

from fake_eutils import FakeEutils, compact_template
from search_support import EMAIL

from screener.cli import main
from screener.project import Project
from screener.queries import SavedQuery
from screener.records import make_record
from screener.storage.db import now, transaction
from screener.storage.rows import insert, insert_records

DATA = Path(__file__).resolve().parents[1] / "data" / "pubmed"
TERM = "myositis[tiab] AND interleukin-2[tiab]"


def spread(n: int, start: date = date(2015, 1, 1)) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def run(
    project: Project, fake, options, text: str = "q", name: str = "test strategy", **limits: str
):
    return project.search(
        SavedQuery(name, "PubMed", text, **limits),
        eutils_url=fake.base_url,
        email=EMAIL,
        options=options,
    )


def identified(project: Project) -> list[int]:
    return [e.identified for e in project.search_log()]


def per_database(project: Project) -> dict[str, int]:
    """The search log's identified column summed per database: must equal the diagram's."""
    totals: dict[str, int] = {}
    for entry in project.search_log():
        totals[entry.database] = totals.get(entry.database, 0) + entry.identified
    return totals


def test_screener_search_twice_then_prisma_counts_the_records_once(tmp_path: Path, capsys) -> None:
    """The issue's report: 300 records, the same strategy run twice; PRISMA said 600 identified
    and 300 duplicates. The diagram, JSON, CSV and the search log now agree on 300 and 0."""
    review, query_file = tmp_path / "review.db", tmp_path / "il2.pubmed.txt"
    query_file.write_text(f"# name: il2\n# database: PubMed\n{TERM}\n", encoding="utf-8")
    Project.create(review, title="IL-2").close()
    with FakeEutils(template=compact_template()) as fake:
        fake.add_generated(TERM, spread(300))
        for _ in range(2):
            assert (
                main(
                    [
                        "search",
                        str(review),
                        str(query_file),
                        "--eutils-url",
                        fake.base_url,
                        "--email",
                        EMAIL,
                    ]
                )
                == 0
            )
    capsys.readouterr()
    assert main(["prisma", str(review), "--format", "json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert (counts["databases"], counts["duplicates"], counts["records_screened"]) == (
        {"PubMed": 300},
        0,
        300,
    )
    assert [d["key"] for d in counts["discrepancies"]] == ["records_undecided"]  # none screened yet
    assert main(["prisma", str(review), "--format", "csv"]) == 0
    rows = {r["data"]: r["n"] for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert (rows["database_results"], rows["duplicates"], rows["records_screened"]) == (
        "300",
        "0",
        "300",
    )
    assert rows["database_specific_results"] == "PubMed, 300"
    assert main(["prisma", str(review)]) == 0
    text = capsys.readouterr().out
    assert "PubMed 300" in text and "600" not in text
    # the search log still lists each run with what the database reported and what was fetched
    assert main(["searches", str(review), "--json"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert [
        (e["count_reported"], e["count_fetched"], e["count_new"], e["identified"]) for e in log
    ] == [(300, 300, 300, 300), (300, 300, 0, 0)]
    out = tmp_path / "report"
    with Project.open(review) as project:
        project.write_report(out)
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "300 identified by earlier runs of this strategy" in md


def test_an_update_of_a_strategy_identifies_only_its_new_records(project, fake, options) -> None:
    fake.add_generated("il2 AND myositis", spread(60))
    run(project, fake, options, text="il2 AND myositis")
    fake.add_generated("il2 AND myositis", spread(5, date(2024, 3, 1)), first_pmid=41_000_000)
    # An update limited to the new dates, and one over everything: both runs of one strategy,
    # and a query typed with other spacing is still the same query.
    run(project, fake, options, text="il2 AND myositis", date_from="2024/01/01")
    fake.set_query("il2  AND\nmyositis", fake.queries["il2 AND myositis"])
    assert run(project, fake, options, text="il2  AND\nmyositis").count_fetched == 65
    c = project.prisma_counts()
    assert dict(c.databases) == {"PubMed": 65}
    assert identified(project) == [60, 5, 0] and per_database(project) == {"PubMed": 65}
    assert (c.duplicates, c.main.records) == (0, 65)
    assert "identification" not in {d.key for d in c.discrepancies}


def test_an_edited_query_is_a_new_search_whose_overlap_is_duplicates(
    project, fake, options
) -> None:
    """Same saved name, different text: PRISMA counts what each version identified, and the
    records both found are duplicates, as the overlap of two databases would be."""
    old = fake.add_generated("q", spread(60))
    fake.set_query("q edited", old[:40])
    fake.add_generated("q edited", spread(10, date(2023, 1, 1)), first_pmid=42_000_000)
    run(project, fake, options)
    run(project, fake, options, text="q edited")
    c = project.prisma_counts()
    assert dict(c.databases) == {"PubMed": 110}
    assert identified(project) == [60, 50] and per_database(project) == {"PubMed": 110}
    assert (c.duplicates, c.main.records) == (40, 70)
    assert "identification" not in {d.key for d in c.discrepancies}


def test_a_pmid_found_by_two_strategies_and_a_file_is_identified_each_time(
    project, fake, options
) -> None:
    pmids = fake.add_fixtures("q")
    fake.set_query("other", pmids[:3])
    project.import_file(DATA / "efetch_2_articles.xml")  # names PubMed itself
    run(project, fake, options)
    run(project, fake, options, text="other")
    run(project, fake, options, text="other")  # a re-run: nothing more
    n = len(pmids)
    c = project.prisma_counts()
    # 2 + n + 3 identified; n records in the review, each screened once
    assert dict(c.databases) == {"PubMed": n + 5}
    assert (c.duplicates, c.main.records) == (5, n)
    assert identified(project) == [2, n, 3, 0]


def test_every_pmid_a_run_identified_is_listed_stored_or_not(project, fake, options) -> None:
    pmids = fake.add_fixtures("q")
    project.import_file(DATA / "efetch_2_articles.xml")
    result = run(project, fake, options)
    listed = {
        r[0]
        for r in project.db.execute(
            "SELECT pmid FROM search_run_pmid WHERE search_run_id = ?", [result.id]
        )
    }
    assert listed == set(pmids)
    assert len(listed) == result.count_fetched and result.count_new == len(pmids) - 2


def _legacy_run(project: Project, text: str, fetched: int, pmids: list[str]) -> int:
    """A run as screener stored it before migration 0003: its records, no PMID list beyond
    what the migration backfilled from them."""
    db = project.db
    with transaction(db):
        run_id = insert(
            db,
            "search_run",
            {
                "database": "PubMed",
                "query_text": text,
                "started_at": now(),
                "status": "complete",
                "count_fetched": fetched,
                "count_new": len(pmids),
            },
        )
        insert_records(
            db,
            [(i, make_record(title=f"{text} {p}", pmid=p)) for i, p in enumerate(pmids)],
            search_run_id=run_id,
            created_at=now(),
        )
        db.execute(
            "INSERT INTO search_run_pmid SELECT search_run_id, pmid FROM record"
            " WHERE search_run_id = ?",
            [run_id],
        )
    return run_id


def test_runs_from_before_pmid_lists_count_what_they_fetched_with_a_note(project) -> None:
    _legacy_run(project, "q", 3, ["1", "2", "3"])  # complete list: an ordinary run
    second = _legacy_run(project, "q", 5, ["4", "5"])  # 3 found again, not listed
    c = project.prisma_counts()
    assert dict(c.databases) == {"PubMed": 8} and c.duplicates == 3 and c.main.records == 5
    assert any(f"run {second}" in n and "before screener listed" in n for n in c.notes)
    assert identified(project) == [3, 5]


def test_the_same_file_imported_again_is_identified_once(project) -> None:
    project.import_file(DATA / "efetch_2_articles.xml")
    project.import_file(DATA / "efetch_2_articles.xml", again=True)
    before = project.prisma_counts()
    assert dict(before.databases) == {"PubMed": 2} and before.duplicates == 0
    # until dedup sets the copies aside they are screened twice, and that does not add up
    assert {d.key: d.difference for d in before.discrepancies}["identification"] == -2
    assert any("imported again" in n for n in before.notes)
    project.find_duplicates()
    after = project.prisma_counts()
    assert dict(after.databases) == {"PubMed": 2}
    assert (after.duplicates, after.main.records) == (0, 2)
    assert "identification" not in {d.key for d in after.discrepancies}
    assert identified(project) == [2, 0]
