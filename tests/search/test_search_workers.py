"""A big search parses its efetch answers in worker processes: the stored records, the
fault handling and the exact PMID set are those of a search parsed in one process."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path

import pytest
from fake_eutils import ERROR_200, TRUNCATED, status
from search_support import EMAIL

from screener.flows import parallel
from screener.project import Project
from screener.queries import SavedQuery
from screener.search.client import EntrezOptions

COLUMNS = (
    "pmid, position, title, abstract, authors_json, year, journal, doi, raw, extra_json, mesh_json"
)


def _search(project: Project, fake, options: EntrezOptions):
    return project.search(
        SavedQuery("s", "PubMed", "q"), eutils_url=fake.base_url, email=EMAIL, options=options
    )


def _rows(project: Project) -> list[tuple]:
    return project.db.execute(f"SELECT {COLUMNS} FROM record ORDER BY id").fetchall()


def _dates(n: int) -> list[date]:
    return [date(2010, 1, 1) + timedelta(days=(i * 37) % 4000) for i in range(n)]


@pytest.mark.parametrize(
    "fault",
    [None, status(500), TRUNCATED, ERROR_200],
    ids=["clean", "500", "truncated", "error-in-200"],
)
def test_a_search_parsed_by_workers_stores_what_one_process_stores(
    tmp_path: Path, fake, options, clock, monkeypatch: pytest.MonkeyPatch, fault
) -> None:
    pmids = fake.add_generated("q", _dates(230))
    pmids += fake.add_generated("q", _dates(20), first_pmid=31_000_000)
    options = dataclasses.replace(options, batch_size=40)
    monkeypatch.setenv(parallel.WORKERS_ENV, "0")
    with Project.create(tmp_path / "one.db", title="one") as one:
        single = _search(one, fake, options)
        expected = _rows(one)
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    if fault is not None:
        fake.inject("efetch", fault, fault)
    with Project.create(tmp_path / "many.db", title="many") as many:
        result = _search(many, fake, options)
        assert result.status == "complete"
        assert (result.count_reported, result.count_new) == (
            single.count_reported,
            single.count_new,
        )
        assert _rows(many) == expected
    assert sorted(row[0] for row in expected) == sorted(pmids)


def test_small_searches_parse_in_the_searching_process_and_big_ones_in_workers() -> None:
    assert parallel.search_worker_count(500, environ={}) == 0
    cores = parallel._cores()
    assert parallel.search_worker_count(parallel.MIN_SEARCH_RECORDS, environ={}) == (
        cores if cores > 1 else 0
    )
    assert parallel.search_worker_count(10, environ={parallel.WORKERS_ENV: "2"}) == min(2, cores)


def test_the_parser_parses_the_same_in_workers_and_in_process() -> None:
    body = (
        Path(__file__).resolve().parents[1]
        / "data"
        / "pubmed"
        / "efetch_mixed_article_and_book.xml"
    ).read_bytes()
    with parallel.EfetchParser() as here, parallel.EfetchParser() as there:
        there.start(2)
        there.start(3)
        assert there.ahead == 3 and here.ahead == 2
        assert there(body) == here(body) != []
