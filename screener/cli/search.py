"""``screener search`` and ``screener searches``: run a saved PubMed strategy, show the log."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import click

from screener.cli.output import echo, emit, progress_bar
from screener.display import count_of, one_line
from screener.model import SearchLogEntry
from screener.project import Project
from screener.queries import load_query


@click.command("search")
@click.argument("review", type=click.Path(dir_okay=False))
@click.argument("query_file", type=click.Path(dir_okay=False))
@click.option("--resume", is_flag=True, help="Continue the last unfinished run of this strategy.")
@click.option(
    "--eutils-url",
    envvar="SCREENER_EUTILS_URL",
    default=None,
    metavar="URL",
    help="E-utilities base URL (default NCBI's; env SCREENER_EUTILS_URL).",
)
@click.option(
    "--email",
    default=None,
    metavar="ADDRESS",
    help="Your email for NCBI (default: the review's ncbi_email, else env NCBI_EMAIL).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=500,
    show_default=True,
    help="Records per efetch request; each batch is saved as it arrives.",
)
def search_command(
    review: str,
    query_file: str,
    resume: bool,
    eutils_url: str | None,
    email: str | None,
    batch_size: int,
) -> None:
    """Run a saved PubMed strategy (queries/NAME.pubmed.txt) into the review.

    Fetches every record the query matches (slicing by date past PubMed's 10,000 cap), adds
    those not yet in the review, and logs the run (date, strategy, count). Set NCBI_API_KEY
    for 10 requests/s instead of 3; the key is never stored.

    \b
    Example:
      screener search il2.db queries/il2-myositis.pubmed.txt --email me@example.org
      screener search il2.db queries/il2-myositis.pubmed.txt --resume
    """
    # requests and lxml load for a search only
    from screener.search.client import EntrezOptions

    query = load_query(Path(query_file))
    with Project.open(review) as project, progress_bar(f"PubMed: {query.name}") as progress:
        result = project.search(
            query,
            eutils_url=eutils_url,
            email=email,
            resume=resume,
            options=EntrezOptions(batch_size=batch_size),
            progress=progress,
        )
    echo(
        f"PubMed, {result.started_at[:10]}: {result.count_reported or 0:,} reported, "
        f"{result.count_fetched:,} in the review, {result.count_new:,} new "
        f"(run {result.id}, {result.status})"
    )
    for note in result.notes:
        echo(f"  note: {note}")


@click.command("searches")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def searches_command(review: str, as_json: bool) -> None:
    """The search log (PRISMA-S): every search run and import, with its database, date,
    strategy, the count found and the records PRISMA counts as identified.

    A re-run of a strategy identifies only the records its earlier runs did not; a file
    imported again identifies nothing more.

    \b
    Example:
      screener searches il2.db
      screener searches il2.db --json
    """
    with Project.open(review) as project:
        log = project.search_log()
    if as_json:
        emit(json.dumps([_json(entry) for entry in log], ensure_ascii=False, indent=2))
        return
    if not log:
        echo("no searches run or files imported yet")
        return
    for n, entry in enumerate(log, start=1):
        for line in _lines(n, entry):
            echo(line)


def _json(e: SearchLogEntry) -> dict[str, Any]:
    common = {
        "kind": e.kind,
        "id": e.id,
        "database": e.database,
        "method": e.method,
        "query_name": e.query_name,
        "query": e.query_text,
        "count_reported": e.count_reported,
        "identified": e.identified,
        "identified_earlier": e.earlier,
    }
    if e.kind == "import":
        return {
            **common,
            "date": e.at,
            "date_searched": e.date if e.date_is_search else "",
            "file_name": e.file_name,
            "count_imported": e.count,
        }
    return {
        **common,
        "date": e.at,
        "finished": e.finished_at,
        "status": e.status,
        "date_from": e.date_from or "",
        "date_to": e.date_to or "",
        "count_fetched": e.count,
        "count_new": e.count_new,
        "notes": [m for m in e.message.split("\n") if m],
    }


def _lines(n: int, e: SearchLogEntry) -> list[str]:
    reported = f"{e.count_reported:,} reported, " if e.count_reported is not None else ""
    counted = f"{e.identified:,} identified"
    if e.kind == "search":
        limits = (
            f" [{e.date_from or '...'} to {e.date_to or '...'}]" if e.date_from or e.date_to else ""
        )
        if e.earlier:
            counted += f" ({e.earlier:,} found by earlier runs of this strategy)"
        head = (
            f"{n}. {e.database} {e.at[:10]} search {e.status}: {e.query_name}{limits}"
            f" — {reported or '? reported, '}{e.count:,} fetched, {e.count_new:,} new; {counted}"
        )
    else:
        if e.earlier:
            counted += " (the same file as an earlier import)"
        strategy = f": {e.query_name}" if e.query_name else ""
        head = (
            f"{n}. {e.database} {e.date[:10]} import of {one_line(e.file_name)}{strategy}"
            f" — {reported}{count_of(e.count, 'record')} imported; {counted}"
        )
    lines = [one_line(head)]
    if e.query_text:
        lines.append(textwrap.indent(e.query_text, "   "))
    lines += [f"   note: {m}" for m in e.message.split("\n") if m]
    return lines
