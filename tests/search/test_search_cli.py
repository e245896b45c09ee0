"""``screener search`` / ``screener searches``, and a real kill (SIGKILL) and resume."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from fake_eutils import FakeEutils, compact_template, malformed_count
from search_support import EMAIL

from screener.cli import main
from screener.project import Project
from screener.search.client import EntrezOptions

REPO = Path(__file__).resolve().parents[2]
QUERY = "# name: test strategy\n# database: PubMed\nmyositis[tiab] AND interleukin-2[tiab]\n"
TERM = "myositis[tiab] AND interleukin-2[tiab]"


@pytest.fixture
def review(tmp_path: Path) -> Path:
    path = tmp_path / "review.db"
    Project.create(path, title="IL-2 in myositis").close()
    return path


@pytest.fixture
def query_file(tmp_path: Path) -> Path:
    path = tmp_path / "test.pubmed.txt"
    path.write_text(QUERY, encoding="utf-8")
    return path


def pmids_in(path: Path) -> list[str]:
    with Project.open(path) as project:
        return [r[0] for r in project.db.execute("SELECT pmid FROM record")]


def test_search_then_searches(fake, review, query_file, capsys, monkeypatch) -> None:
    monkeypatch.setenv("NCBI_API_KEY", "cli-test-key")
    pmids = fake.add_fixtures(TERM)
    code = main(
        ["search", str(review), str(query_file), "--eutils-url", fake.base_url, "--email", EMAIL]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert f"{len(pmids)} reported, {len(pmids)} in the review, {len(pmids)} new" in out
    assert sorted(pmids_in(review)) == sorted(pmids)
    assert main(["searches", str(review)]) == 0
    listing = capsys.readouterr().out
    assert "PubMed" in listing and "test strategy" in listing and TERM in listing
    assert main(["searches", str(review), "--json"]) == 0
    (logged,) = json.loads(capsys.readouterr().out)
    assert (logged["count_reported"], logged["count_new"], logged["status"]) == (
        len(pmids),
        len(pmids),
        "complete",
    )
    assert "cli-test-key" not in listing


def test_the_url_can_come_from_the_environment(
    fake, review, query_file, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("SCREENER_EUTILS_URL", fake.base_url)
    monkeypatch.setenv("NCBI_EMAIL", EMAIL)
    monkeypatch.setenv("NCBI_API_KEY", "k")
    fake.add_fixtures(TERM, "efetch_2_articles.xml")
    assert main(["search", str(review), str(query_file)]) == 0
    assert "2 new" in capsys.readouterr().out


def test_missing_email_is_one_line_on_stderr(fake, review, query_file, capsys) -> None:
    code = main(["search", str(review), str(query_file), "--eutils-url", fake.base_url])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "NCBI_EMAIL" in err


def test_resume_with_nothing_to_resume(fake, review, query_file, capsys) -> None:
    code = main(
        [
            "search",
            str(review),
            str(query_file),
            "--eutils-url",
            fake.base_url,
            "--email",
            EMAIL,
            "--resume",
        ]
    )
    assert code == 1 and "nothing to resume" in capsys.readouterr().err


def test_help_has_examples(capsys) -> None:
    for command in ("search", "searches"):
        assert main([command, "--help"]) == 0
        assert "Example:" in capsys.readouterr().out


def test_kill_mid_run_then_resume_gives_the_exact_set(review, query_file) -> None:
    dates = [date(2016, 1, 1) + timedelta(days=i) for i in range(1200)]
    with FakeEutils(template=compact_template()) as fake:
        pmids = fake.add_generated(TERM, dates)
        reached, release = fake.pause_at("efetch", 5)
        env = {
            **os.environ,
            "SCREENER_EUTILS_URL": fake.base_url,
            "NCBI_EMAIL": EMAIL,
            "NCBI_API_KEY": "kill-test-key",
        }
        command = [
            sys.executable,
            "-m",
            "screener",
            "search",
            str(review),
            str(query_file),
            "--batch-size",
            "100",
        ]
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            assert reached.wait(60), "the search never reached the fifth efetch"
            process.kill()  # SIGKILL: no cleanup, no final commit
            process.wait(30)
        finally:
            release.set()
        assert process.returncode == -9
        with Project.open(review) as project:
            (run,) = project.search_runs()
            partial = pmids_in(review)
            listed = [r[0] for r in project.db.execute("SELECT pmid FROM search_run_pmid")]
        assert run.status == "running"
        # the run's PMID list was written in the transactions of its batches: it matches them
        assert sorted(listed) == sorted(partial)
        assert len(partial) % 100 == 0 and len(partial) < 1200
        assert run.count_new == len(partial)
        before = len(fake.requests("efetch"))

        resumed = subprocess.run(
            [*command, "--resume"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
        )
        assert resumed.returncode == 0, resumed.stderr
        assert "1,200 reported, 1,200 in the review" in resumed.stdout
        asked = [
            p
            for r in fake.requests("efetch")[before:]
            for p in r["params"].get("id", "").split(",")
            if p
        ]
    found = pmids_in(review)
    assert len(found) == len(set(found)) == 1200
    assert set(found) == set(pmids)
    assert sorted(asked) == sorted(set(pmids) - set(partial))  # only what was missing
    with Project.open(review) as project:
        (run,) = project.search_runs()
        listed = project.db.execute("SELECT count(DISTINCT pmid) FROM search_run_pmid").fetchone()[
            0
        ]
    assert (run.status, run.count_new, run.count_fetched, listed) == ("complete", 1200, 1200, 1200)


def test_a_malformed_answer_is_one_line_and_the_run_resumes(
    fake, review, query_file, capsys, monkeypatch
) -> None:
    import functools

    from screener.search import client

    # One attempt per request, so the CLI's real backoff never waits (the CLI imports the
    # options class when a search runs).
    monkeypatch.setattr(client, "EntrezOptions", functools.partial(EntrezOptions, max_attempts=1))
    pmids = fake.add_generated(TERM, [date(2020, 1, 1) + timedelta(days=i) for i in range(30)])
    fake.inject("esearch", malformed_count("²"))
    args = ["search", str(review), str(query_file), "--eutils-url", fake.base_url, "--email", EMAIL]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "esearch" in err and "<Count>" in err
    assert main([*args, "--resume"]) == 0
    assert sorted(pmids_in(review)) == sorted(pmids)


def test_searches_lists_imports_linked_to_a_strategy(review, capsys) -> None:
    query = REPO / "queries" / "il2-myositis.embase.txt"
    export = REPO / "tests" / "data" / "sources" / "embase" / "embase_com.ris"
    assert main(["searches", str(review)]) == 0
    assert capsys.readouterr().out.startswith("no searches")
    assert main(["import", str(review), str(export), "--query", str(query)]) == 0
    capsys.readouterr()
    assert main(["searches", str(review)]) == 0
    out = capsys.readouterr().out
    assert "no searches" not in out
    first = out.splitlines()[0]
    assert "Embase" in first and "embase_com.ris" in first and "6 records imported" in first
    assert "6 identified" in first and "interleukin" in out  # the strategy's text below it
