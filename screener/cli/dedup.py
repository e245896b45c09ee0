"""``screener dedup``: find duplicate records across sources."""

from __future__ import annotations

import json
from dataclasses import asdict

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from screener.project import Project


@click.command("dedup")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--report", "report_only", is_flag=True,
              help="Only print the counts (automatic, queued, decided by a person); compare nothing.")
@click.option("--full", is_flag=True,
              help="Compare every record again, not only those imported since the last run.")
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
            with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                          TimeElapsedColumn(), transient=True, disable=None) as bar:
                task = bar.add_task("comparing records", total=None)
                result = project.find_duplicates(
                    full=full, progress=lambda done, total: bar.update(task, completed=done, total=total))
    if as_json:
        payload = asdict(result)
        payload["decided_by_person"] = result.decided_by_person
        click.echo(json.dumps(payload, indent=2))
        return
    if not report_only:
        click.echo(f"compared {result.new_records} new of {result.records} records in {result.seconds:.1f} s")
    click.echo(f"automatic: {result.automatic} pairs merged by the rule")
    click.echo(f"queued: {result.queued} pairs waiting for a person")
    click.echo(f"decided by a person: {result.decided_by_person} "
               f"({result.decided_same} the same, {result.decided_apart} kept apart)")
    click.echo(f"clusters: {result.clusters}; duplicates set aside: {result.duplicates_removed}; "
               f"records to screen: {result.records - result.duplicates_removed}")
    if result.refused:
        click.echo(f"  ({result.refused} merges refused by the chaining guard went to the queue)")
