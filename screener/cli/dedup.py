"""``screener dedup``: find duplicate records across sources."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from screener.cli.output import echo, emit, plural, progress_bar
from screener.project import Project


@click.command("dedup")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option(
    "--report",
    "report_only",
    is_flag=True,
    help="Only print the counts (automatic, queued, decided by a person); compare nothing.",
)
@click.option(
    "--full",
    is_flag=True,
    help="Compare every record again, not only those imported since the last run.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
def dedup_command(review: str, report_only: bool, full: bool, as_json: bool) -> None:
    """Find duplicates: merge the certain ones, queue the rest for a person.

    Only records imported since the last run are compared (with all the others) unless --full.
    A person's verdicts (in the TUI duplicates screen) are never overwritten by a run.

    \b
    Example:
      screener dedup il2.db
      screener dedup il2.db --report
    """
    with Project.open(review) as project:
        if report_only:
            result = project.dedup_report()
        else:
            with progress_bar("comparing records") as progress:
                result = project.find_duplicates(full=full, progress=progress)
    if as_json:
        payload = asdict(result)
        payload["decided_by_person"] = result.decided_by_person
        emit(json.dumps(payload, indent=2))
        return
    if not report_only:
        echo(
            f"compared {result.new_records:,} new of {plural(result.records, 'record')} "
            f"in {result.seconds:.1f} s"
        )
    echo(f"automatic: {plural(result.automatic, 'pair')} merged by the rule")
    echo(f"queued: {plural(result.queued, 'pair')} waiting for a person")
    echo(
        f"decided by a person: {result.decided_by_person:,} "
        f"({result.decided_same} the same, {result.decided_apart} kept apart)"
    )
    echo(
        f"clusters: {result.clusters}; duplicates set aside: {result.duplicates_removed}; "
        f"records to screen: {result.records - result.duplicates_removed}"
    )
    if result.refused:
        echo(
            f"  ({plural(result.refused, 'merge')} refused by the chaining guard went to the queue)"
        )
