"""``screener search`` and ``screener searches``: run a saved PubMed strategy, show the log."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from screener.cli.output import echo, emit, progress_console
from screener.display import visible
from screener.project import Project
from screener.queries import load_query
from screener.search.client import EntrezOptions


@click.command("search")
@click.argument("review", type=click.Path(dir_okay=False))
@click.argument("query_file", type=click.Path(dir_okay=False))
@click.option("--resume", is_flag=True, help="Continue the last unfinished run of this strategy.")
@click.option("--eutils-url", envvar="SCREENER_EUTILS_URL", default=None, metavar="URL",
              help="E-utilities base URL (default NCBI's; env SCREENER_EUTILS_URL).")
@click.option("--email", default=None, metavar="ADDRESS",
              help="Your email for NCBI (default: the review's ncbi_email, else env NCBI_EMAIL).")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=500, show_default=True,
              help="Records per efetch request; each batch is saved as it arrives.")
def search_command(review: str, query_file: str, resume: bool, eutils_url: str | None,
                   email: str | None, batch_size: int) -> None:
    """Run a saved PubMed strategy (queries/NAME.pubmed.txt) into the review.

    Fetches every record the query matches (slicing by date past PubMed's 10,000 cap), adds
    those not yet in the review, and logs the run (date, strategy, count). Set NCBI_API_KEY
    for 10 requests/s instead of 3; the key is never stored.

    \b
    Example:
      screener search il2.db queries/il2-myositis.pubmed.txt --email me@example.org
      screener search il2.db queries/il2-myositis.pubmed.txt --resume
    """
    query = load_query(Path(query_file))
    console = progress_console()
    with Project.open(review) as project, Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(visible(f"PubMed: {query.name}"), total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        result = project.search(query, eutils_url=eutils_url, email=email, resume=resume,
                                options=EntrezOptions(batch_size=batch_size), progress=progress)
    echo(f"PubMed, {result.started_at[:10]}: {result.count_reported or 0:,} reported, "
         f"{result.count_fetched:,} in the review, {result.count_new:,} new "
         f"(run {result.id}, {result.status})")
    for note in result.notes:
        echo(f"  note: {note}")


@click.command("searches")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def searches_command(review: str, as_json: bool) -> None:
    """The search log: database, date, strategy and counts of every run (PRISMA-S).

    \b
    Example:
      screener searches il2.db
    """
    with Project.open(review) as project:
        runs = project.search_runs()
    if as_json:
        emit(json.dumps([{
            "id": r.id, "database": r.database, "date": r.started_at, "finished": r.finished_at,
            "status": r.status, "query_name": r.query_name, "query": r.query_text,
            "date_from": r.date_from, "date_to": r.date_to, "count_reported": r.count_reported,
            "count_fetched": r.count_fetched, "count_new": r.count_new, "notes": list(r.notes),
        } for r in runs], ensure_ascii=False, indent=2))
        return
    if not runs:
        echo("no searches run yet")
        return
    for r in runs:
        limits = f" [{r.date_from or '...'} to {r.date_to or '...'}]" if r.date_from or r.date_to else ""
        echo(f"{r.id}. {r.database} {r.started_at[:10]} {r.status}: {r.query_name}{limits} — "
             f"{r.count_reported if r.count_reported is not None else '?'} reported, "
             f"{r.count_fetched} fetched, {r.count_new} new")
        echo(textwrap.indent(r.query_text, "   "))
        for note in r.notes:
            echo(f"   note: {note}")
