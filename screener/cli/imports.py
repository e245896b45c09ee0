"""``screener import``: bring database exports into a review."""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from screener.project import Project
from screener.sources import format_names


def _read_query(path: str | None) -> tuple[str, str]:
    if not path:
        return "", ""
    from screener.queries import load_query

    query = load_query(Path(path))
    return query.name, query.text


@click.command("import")
@click.argument("review", type=click.Path(dir_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--source", help="The database the file came from (inferred when the file says).")
@click.option("--format", "fmt", type=click.Choice(format_names()), help="Skip detection.")
@click.option("--again", is_flag=True, help="Import a file even if the same bytes were imported before.")
@click.option("--skip-bad", is_flag=True, help="Import the good entries and list the malformed ones.")
@click.option("--query", "query_file", type=click.Path(exists=True, dir_okay=False),
              help="The saved strategy (queries/NAME.DB.txt) that produced the export.")
@click.option("--method", type=click.Choice(["database", "register", "website", "organisation",
                                            "citation", "other"]), default="database",
              show_default=True, help="How the records were identified (PRISMA).")
def import_command(review: str, files: tuple[str, ...], source: str | None, fmt: str | None,
                   again: bool, skip_bad: bool, query_file: str | None, method: str) -> None:
    """Import export files (format detected from the content).

    Each file is one transaction: a malformed entry names the file and line, and nothing of
    that file is kept (unless --skip-bad).

    \b
    Example:
      screener import il2.db pubmed.nbib embase.ris cnki.net --query queries/il2-myositis.embase.txt
    """
    query_name, query_text = _read_query(query_file)
    with Project.open(review) as project:
        for file in files:
            with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}"),
                          TimeElapsedColumn(), transient=True, disable=None) as bar:
                task = bar.add_task(f"importing {Path(file).name}", total=None)
                result = project.import_file(
                    file, source=source, fmt=fmt, again=again, skip_bad=skip_bad, method=method,
                    query_name=query_name, query_text=query_text,
                    progress=lambda done, total: bar.update(task, completed=done, total=total))
            click.echo(f"{result.file_name}: {result.count_imported} records imported from "
                       f"{result.database} ({result.format}, {result.encoding})")
            for message in result.skipped:
                click.echo(f"  skipped: {message}")
