"""Project.search end to end against the fake server: faults, slicing, updates, resume."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from fake_eutils import BACKEND, ERROR_200, HTML, PASS, STALL, TRUNCATED, malformed_count, status
from search_support import EMAIL

from screener.errors import ScreenerError
from screener.project import Project
from screener.queries import SavedQuery
from screener.search.client import EntrezOptions

KEY = "sekrit-api-key-42"
DATA = Path(__file__).resolve().parents[1] / "data" / "pubmed"


def query(text: str = "q", **limits: str) -> SavedQuery:
    return SavedQuery("test strategy", "PubMed", text, **limits)


def stored(project: Project) -> list[str]:
    return [r[0] for r in project.db.execute("SELECT pmid FROM record ORDER BY id")]


def run(project: Project, fake, options, text: str = "q", **kw):
    return project.search(query(text), eutils_url=fake.base_url, email=EMAIL, options=options, **kw)


def spread(n: int, start: date = date(2015, 1, 1), step: int = 1) -> list[date]:
    return [start + timedelta(days=(i * step) % 3000) for i in range(n)]


def test_a_search_stores_exactly_the_matched_records_and_logs_the_run(
    project, fake, options
) -> None:
    pmids = fake.add_fixtures("q")
    seen: list[tuple[int, int | None]] = []
    result = run(project, fake, options, progress=lambda done, total: seen.append((done, total)))
    assert sorted(stored(project)) == sorted(pmids)
    assert (result.status, result.count_reported, result.count_fetched, result.count_new) == (
        "complete",
        len(pmids),
        len(pmids),
        len(pmids),
    )
    assert result.database == "PubMed" and result.query_text == "q" and result.notes == ()
    assert seen[-1] == (len(pmids), len(pmids))
    (logged,) = project.search_runs()
    assert logged == result
    linked = project.db.execute(
        "SELECT count(*) FROM record WHERE search_run_id = ?", [result.id]
    ).fetchone()[0]
    assert linked == len(pmids)
    assert project.info().sources == {"PubMed": len(pmids)}
    record = project.record(project.screened_record_ids()[0])
    assert record.raw.startswith("<PubmedArticle") and record.title


FAULTS = {
    "429": status(429, retry_after="3"),
    "500": status(500),
    "html": HTML,
    "error-in-200": ERROR_200,
    "truncated": TRUNCATED,
    "backend": BACKEND,
}


@pytest.mark.parametrize("endpoint", ["esearch", "efetch"])
@pytest.mark.parametrize("name", list(FAULTS))
def test_faults_mid_run_end_with_the_exact_set(
    project, fake, options, clock, endpoint, name
) -> None:
    pmids = fake.add_generated("q", spread(180))
    fake.add_fixtures("other")  # noise the search must not pick up
    fake.inject(endpoint, FAULTS[name], FAULTS[name])
    result = run(project, fake, options)
    assert result.status == "complete"
    assert sorted(stored(project)) == sorted(pmids)  # exact, no duplicates
    assert len(fake.requests(endpoint)) >= 3
    if name == "429":
        assert clock.sleeps.count(3.0) == 2


def test_a_stalled_efetch_times_out_and_the_run_completes(project, fake, clock) -> None:
    pmids = fake.add_generated("q", spread(120))
    fake.inject("efetch", STALL)
    options = EntrezOptions(sleep=clock.sleep, clock=clock.time, timeout=(1.0, 0.3), batch_size=50)
    result = run(project, fake, options)
    assert result.status == "complete"
    assert sorted(stored(project)) == sorted(pmids)


def test_more_than_10000_hits_are_sliced_by_date(project, clock) -> None:
    from fake_eutils import FakeEutils, compact_template

    dates = [date(2010, 1, 1) + timedelta(days=i % 4000) for i in range(10_600)]
    with FakeEutils(template=compact_template()) as fake:
        pmids = fake.add_generated("q", dates)
        options = EntrezOptions(
            sleep=clock.sleep, clock=clock.time, timeout=(5.0, 30.0), batch_size=1000
        )
        result = run(project, fake, options)
        searches = fake.requests("esearch")
    assert result.status == "complete" and result.notes == ()
    assert result.slices >= 2
    assert result.count_reported == result.count_fetched == result.count_new == 10_600
    assert len(set(stored(project))) == len(stored(project)) == 10_600
    assert set(stored(project)) == set(pmids)
    for request in searches[1:]:
        assert request["params"]["datetype"] == "pdat" and request["params"]["mindate"]


def test_a_day_over_the_cap_is_reported_not_hidden(tmp_path, clock) -> None:
    from fake_eutils import FakeEutils

    with FakeEutils(page_cap=100) as fake, Project.create(tmp_path / "r.db", title="t") as project:
        crowded = fake.add_generated("q", [date(2020, 3, 3)] * 130)
        others = fake.add_generated("q", spread(60, date(2018, 1, 1), 5), first_pmid=40_000_000)
        options = EntrezOptions(sleep=clock.sleep, clock=clock.time, batch_size=50, page_cap=100)
        result = run(project, fake, options)
        found = stored(project)
    assert result.status == "complete"
    assert result.count_reported == 190 and result.count_fetched == 160
    assert any(
        "2020/03/03 alone matches 130 records" in n and "30 cannot be retrieved" in n
        for n in result.notes
    )
    assert set(others) <= set(found)
    assert len(set(found) & set(crowded)) == 100
    assert len(found) == len(set(found)) == 160


def test_records_outside_every_slice_make_the_union_differ_and_it_is_reported(
    tmp_path, clock
) -> None:
    from fake_eutils import FakeEutils

    with FakeEutils(page_cap=100) as fake, Project.create(tmp_path / "r.db", title="t") as project:
        fake.add_generated("q", spread(150, date(2001, 1, 1), 7))
        fake.add_generated("q", [date(2999, 1, 1)] * 2, first_pmid=50_000_000)  # beyond any slice
        options = EntrezOptions(sleep=clock.sleep, clock=clock.time, batch_size=50, page_cap=100)
        result = run(project, fake, options)
    assert result.count_reported == 152 and result.count_fetched == 150
    assert any("reported 152 records but the searches returned 150" in n for n in result.notes)


def test_date_limits_of_the_strategy_are_sent(project, fake, options) -> None:
    fake.add_generated("q", spread(40))
    project.search(
        query("q", date_from="2015/01/01", date_to="2015/01/20"),
        eutils_url=fake.base_url,
        email=EMAIL,
        options=options,
    )
    params = fake.requests("esearch")[0]["params"]
    assert (params["mindate"], params["maxdate"], params["datetype"]) == (
        "2015/01/01",
        "2015/01/20",
        "pdat",
    )
    assert len(stored(project)) == 20


def test_pmids_efetch_drops_are_fetched_again_by_id(project, fake, options) -> None:
    pmids = fake.add_generated("q", spread(120))
    fake.drop_once.update(pmids[5:8])
    fake.drop_always.add(pmids[9])
    result = run(project, fake, options)
    assert sorted(stored(project)) == sorted(p for p in pmids if p != pmids[9])
    assert result.count_fetched == 119
    assert any(pmids[9] in n and "never came back" in n for n in result.notes)
    refetch = [r for r in fake.requests("efetch") if "id" in r["params"]]
    assert any(set(pmids[5:8]) <= set(r["params"]["id"].split(",")) for r in refetch)


def test_a_later_run_adds_only_new_records_and_is_logged_separately(project, fake, options) -> None:
    first = fake.add_generated("q", spread(90))
    run(project, fake, options)
    added = fake.add_generated("q", spread(7, date(2024, 1, 1)), first_pmid=41_000_000)
    calls_before = len(fake.requests("efetch"))
    second = run(project, fake, options)
    assert (second.count_reported, second.count_fetched, second.count_new) == (97, 97, 7)
    assert sorted(stored(project)) == sorted(first + added)
    assert [r.id for r in project.search_runs()] == [1, 2]
    fetched = [r["params"].get("id", "") for r in fake.requests("efetch")[calls_before:]]
    assert sorted(",".join(fetched).split(",")) == sorted(added)  # only the new ones asked for


def test_records_imported_from_a_file_are_not_fetched_again(project, fake, options) -> None:
    pmids = fake.add_fixtures("q")
    project.import_file(DATA / "efetch_2_articles.xml")
    result = run(project, fake, options)
    assert result.count_new == len(pmids) - 2 and result.count_fetched == len(pmids)
    assert sorted(stored(project)) == sorted(pmids)


def test_cancel_stops_after_a_batch_and_resume_finishes_without_duplicates(
    project, fake, options
) -> None:
    pmids = fake.add_generated("q", spread(300))
    batches: list[int] = []

    def progress(done: int, total: int | None) -> None:
        batches.append(done)

    cancelled = run(project, fake, options, progress=progress, cancel=lambda: len(batches) >= 3)
    assert cancelled.status == "cancelled"
    partial = stored(project)
    assert 0 < len(partial) < 300 and len(partial) % 50 == 0
    resumed = run(project, fake, options, resume=True)
    assert resumed.id == cancelled.id and resumed.status == "complete"
    assert resumed.count_new == 300 and resumed.count_fetched == 300
    assert sorted(stored(project)) == sorted(pmids)
    assert len(project.search_runs()) == 1


def test_a_fresh_run_supersedes_an_unfinished_one(project, fake, options) -> None:
    pmids = fake.add_generated("q", spread(200))
    batches: list[int] = []
    first = run(
        project,
        fake,
        options,
        progress=lambda d, t: batches.append(d),
        cancel=lambda: len(batches) >= 2,
    )
    assert first.status == "cancelled"
    second = run(project, fake, options)
    old, new = project.search_runs()
    assert (old.id, old.status, new.id, new.status) == (
        first.id,
        "cancelled",
        second.id,
        "complete",
    )
    assert f"superseded by run {second.id}" in old.notes[-1]
    assert second.count_new + first.count_new == 200 and second.count_fetched == 200
    assert sorted(stored(project)) == sorted(pmids)
    with pytest.raises(ScreenerError, match="nothing to resume"):
        run(project, fake, options, resume=True)


def test_a_failed_run_is_logged_and_resumes(project, fake, options) -> None:
    pmids = fake.add_generated("q", spread(150))
    # One efetch gets through, then every attempt fails (two requests may be in flight, so
    # there are enough faults for both to use up their six attempts).
    fake.inject("efetch", PASS, *[status(503)] * 12)
    with pytest.raises(ScreenerError, match="failed 6 times"):
        run(project, fake, options)
    (failed,) = project.search_runs()
    assert failed.status == "failed" and "503" in failed.notes[-1]
    partial = stored(project)
    assert len(partial) % 50 == 0 and len(partial) < 150
    fake.faults.clear()
    resumed = run(project, fake, options, resume=True)
    assert resumed.status == "complete" and sorted(stored(project)) == sorted(pmids)
    assert resumed.id == failed.id


def test_resume_without_an_unfinished_run_says_so(project, fake, options) -> None:
    fake.add_fixtures("q")
    run(project, fake, options)
    with pytest.raises(ScreenerError, match="nothing to resume"):
        run(project, fake, options, resume=True)


def test_only_pubmed_strategies_run(project, fake, options) -> None:
    with pytest.raises(ScreenerError, match="export the results and import"):
        project.search(
            SavedQuery("e", "Embase", "x"), eutils_url=fake.base_url, email=EMAIL, options=options
        )


def test_the_email_is_required(project, fake, options) -> None:
    with pytest.raises(ScreenerError, match="email"):
        project.search(query(), eutils_url=fake.base_url, options=options)
    assert project.search_runs() == []


def test_the_review_email_is_used(project, fake, options) -> None:
    fake.add_fixtures("q")
    project.update_review(ncbi_email="team@example.org")
    project.search(query(), eutils_url=fake.base_url, options=options)
    assert fake.requests("esearch")[0]["params"]["email"] == "team@example.org"


def test_the_api_key_is_sent_but_never_stored(tmp_path, fake, options, monkeypatch) -> None:
    monkeypatch.setenv("NCBI_API_KEY", KEY)
    pmids = fake.add_generated("q", spread(60))
    path = tmp_path / "r.db"
    with Project.create(path, title="t") as project:
        run(project, fake, options)
        fake.inject("esearch", *[status(429, retry_after="1")] * 6)  # the fake echoes the key
        with pytest.raises(ScreenerError) as caught:
            run(project, fake, options, text="other")
        assert KEY not in str(caught.value)
        assert KEY not in repr(project.search_runs())
        assert len(stored(project)) == len(pmids)
    assert all(r["params"]["api_key"] == KEY for r in fake.requests())
    for file in tmp_path.iterdir():
        assert KEY.encode() not in file.read_bytes(), file.name


def test_a_malformed_answer_fails_the_run_with_one_clear_error_and_it_resumes(
    project, fake, options
) -> None:
    pmids = fake.add_generated("q", spread(120))
    fake.inject("esearch", *[malformed_count("²")] * options.max_attempts)
    with pytest.raises(ScreenerError) as caught:
        run(project, fake, options)
    assert "esearch" in str(caught.value) and "<Count>" in str(caught.value)
    (failed,) = project.search_runs()
    assert failed.status == "failed" and "<Count>" in failed.notes[-1]
    resumed = run(project, fake, options, resume=True)
    assert (resumed.id, resumed.status) == (failed.id, "complete")
    assert sorted(stored(project)) == sorted(pmids)
