"""``screener import``: bring database exports into a review."""

from __future__ import annotations

from pathlib import Path

import click

from screener.cli.output import echo, progress_bar
from screener.display import count_of
from screener.errors import ScreenerError
from screener.project import Project
from screener.queries import SavedQuery, load_query
from screener.sources import format_names


@click.command("import")
@click.argument("review", type=click.Path(dir_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--source",
    metavar="NAME",
    help="The database the files came from (needed when a file does not say), or "
    "other:METHOD[:NAME] for other methods (website, organisation, citation, "
    "register, other).",
)
@click.option("--format", "fmt", type=click.Choice(format_names()), help="Skip detection.")
@click.option(
    "--again", is_flag=True, help="Import a file even if the same bytes were imported before."
)
@click.option(
    "--skip-bad", is_flag=True, help="Import the good entries and list the malformed ones."
)
@click.option(
    "--query",
    "query_file",
    type=click.Path(exists=True, dir_okay=False),
    help="The saved strategy (queries/NAME.DB.txt) that produced the export.",
)
@click.option(
    "--method",
    type=click.Choice(["database", "register", "website", "organisation", "citation", "other"]),
    default="database",
    show_default=True,
    help="How the records were identified (PRISMA).",
)
@click.option(
    "--dry-run", is_flag=True, help="Show the detected format, database and counts; import nothing."
)
@click.option(
    "--as",
    "as_kind",
    type=click.Choice(["records", "extraction"]),
    default="records",
    show_default=True,
    help="extraction: read extracted data (the `export extraction` CSV).",
)
def import_command(
    review: str,
    files: tuple[str, ...],
    source: str | None,
    fmt: str | None,
    again: bool,
    skip_bad: bool,
    query_file: str | None,
    method: str,
    dry_run: bool,
    as_kind: str,
) -> None:
    """Import export files (format detected from the content).

    Each file is one transaction: a malformed entry names the file and line, and nothing of
    that file is kept (unless --skip-bad); the files after it are not imported either, and the
    error names them. Files already imported (same bytes) are refused unless --again. A file
    that does not say which database it came from (many RIS, BibTeX, EndNote and CSV exports)
    needs --source (or --query with a saved strategy naming the database).

    \b
    Example:
      screener import il2.db embase.ris --query queries/il2-myositis.embase.txt
      screener import il2.db scopus.bib --source Scopus
      screener import il2.db reference-lists.ris --source other:citation
      screener import il2.db cnki.net wos.txt --skip-bad
      screener import il2.db export.txt --dry-run
    """
    if as_kind == "extraction":
        from screener.cli.extraction import import_extraction_files

        return import_extraction_files(review, files, dry_run=dry_run)
    query: SavedQuery | None = load_query(Path(query_file)) if query_file else None
    default_source = query.database.strip() if query else ""
    with Project.open(review) as project:
        if dry_run:
            for file in files:
                _show_preview(project, file, fmt, source)
            return
        if not (source or "").strip() and not default_source:
            project.check_sources(files, fmt=fmt)
        imported: list[str] = []
        for number, file in enumerate(files):
            try:
                with progress_bar(f"importing {Path(file).name}") as progress:
                    result = project.import_file(
                        file,
                        source=source,
                        fmt=fmt,
                        again=again,
                        skip_bad=skip_bad,
                        method=method,
                        query_name=query.name if query else "",
                        query_text=query.text if query else "",
                        default_source=default_source,
                        progress=progress,
                    )
            except ScreenerError as exc:
                if len(files) == 1:
                    raise
                raise ScreenerError(f"{exc} — {_stopped(imported, files[number:])}") from None
            imported.append(Path(file).name)
            echo(
                f"{result.file_name}: {count_of(result.count_imported, 'record')} imported from "
                f"{result.database} ({result.format}, {result.encoding})"
            )
            for message in result.skipped:
                echo(f"  skipped: {message}")


def _stopped(imported: list[str], rest: tuple[str, ...]) -> str:
    names = ", ".join(Path(f).name for f in rest)
    if not imported:
        return f"stopped; nothing was imported (not imported: {names})"
    return f"stopped; imported: {', '.join(imported)}; not imported: {names}"


def _show_preview(project: Project, file: str, fmt: str | None, source: str | None) -> None:
    preview = project.preview_import(file, fmt=fmt, source=source)
    database = preview.database or "database not named in the file (give --source)"
    line = (
        f"{preview.file_name}: {preview.label} ({preview.format}, {preview.encoding}), "
        f"{database}, {count_of(preview.count, 'entry', 'entries')}"
    )
    if preview.bad:
        line += f", {len(preview.bad):,} malformed"
    if preview.imported_before:
        line += f"; imported before as {preview.imported_before}"
    echo(line)
    for message in preview.bad:
        echo(f"  malformed: {message}")
