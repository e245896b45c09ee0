"""``screener prisma`` (the PRISMA 2020 diagram and counts) and ``screener report``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from screener.cli.output import RAW_HELP, check_out, echo, plural, progress_bar
from screener.errors import InvalidInputError
from screener.project import Project

_FORMATS = ("svg", "png", "pdf", "csv", "json", "txt")


def _parse_set(items: tuple[str, ...]) -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidInputError(
                f"--set needs KEY=N (e.g. excluded_automatic=120), not {item!r}"
            )
        value = value.strip()
        if value == "":
            out.append((key.strip(), None))
            continue
        try:
            out.append((key.strip(), int(value.replace(",", ""))))
        except ValueError:
            raise InvalidInputError(
                f"--set {key.strip()}: {value!r} is not a whole number"
            ) from None
    return out


@click.command("prisma")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option(
    "--out", type=click.Path(dir_okay=False), help="Write here (format from the extension)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_FORMATS),
    help="svg, png, pdf (the diagram); csv (the PRISMA2020 app's template); json; txt.",
)
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=N",
    help="Store a count screener cannot know first (repeatable): excluded_automatic, "
    "excluded_other, previous_studies, previous_reports, identified:<source>. "
    "KEY= clears it.",
)
@click.option("--strict", is_flag=True, help="Exit with status 1 when counts do not add up.")
def prisma_command(
    review: str, out: str | None, fmt: str | None, settings: tuple[str, ...], strict: bool
) -> None:
    """The PRISMA 2020 flow diagram, every number counted from the review.

    Records with conflicts or missing decisions are not counted as included or excluded: they
    are listed as counts that do not add up (on stderr, and under the diagram).

    \b
    Example:
      screener prisma il2.db --out prisma.svg
      screener prisma il2.db --format csv --out prisma.csv   # opens in the PRISMA2020 app
      screener prisma il2.db --format json | jq .records_screened
      screener prisma il2.db --set excluded_automatic=120 --set previous_studies=4
    """
    check_out(out, review)
    with Project.open(review) as project:
        for key, value in _parse_set(settings):
            project.set_prisma_count(key, value)
        if out is not None:
            path = project.write_prisma(out, fmt)
            echo(f"wrote {path}", err=True)
            counts = project.prisma_counts()
        else:
            fmt = fmt or "txt"
            if fmt in ("png", "pdf"):
                raise InvalidInputError(f"--format {fmt} needs --out FILE")
            from screener.prisma.diagram import render

            counts = project.prisma_counts()
            text = render(counts, fmt).decode("utf-8")
            if fmt == "txt":
                echo(text, nl=False)  # for people: source names' control characters escaped
            else:
                sys.stdout.write(text)
    for d in counts.discrepancies:
        echo(f"screener: does not add up: {d.message}", err=True)
    if strict and counts.discrepancies:
        raise click.exceptions.Exit(1)


@click.command("report")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option(
    "--out",
    "directory",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for report.html, report.docx, report.pdf, report.md, results.csv, "
    "analysis.R, analysis.do and figures.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace the folder if it holds an earlier report (it is refused otherwise).",
)
@click.option(
    "--pdf/--no-pdf",
    default=True,
    show_default=True,
    help="Also print report.pdf (headless Chromium, else LibreOffice, when installed).",
)
@click.option("--raw", is_flag=True, help=RAW_HELP)
def report_command(review: str, directory: str, force: bool, pdf: bool, raw: bool) -> None:
    """Write the review report as a PRISMA 2020 document (HTML, Word, PDF), plus results.csv,
    an R script for metafor and a Stata do-file.

    In PRISMA 2020's order: methods written from the data, search log, PRISMA diagram,
    full-text exclusions, agreement, studies and their references, check flags, risk of bias,
    every saved analysis, a place for GRADE's summary of findings, the search strategies and
    the PRISMA 2020 checklist mapped to the sections that answer it.

    The report is written into a new folder that replaces --out only when it is complete, so
    --out never holds half a report. An existing report folder is replaced only with --force.
    report.pdf is printed from report.html by headless Chromium (chromium or chromium-browser
    on PATH), else from report.docx by LibreOffice (soffice); with neither, one line says no
    PDF was written. analysis.do is untested: Stata is not installed where screener is built.
    CSV cells that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a
    carriage return; plain numbers excepted) start with an added ' unless --raw is given.

    \b
    Example:
      screener report il2.db --out report/
      screener report il2.db --out report/ --force    # replace last week's report
      Rscript -e 'setwd("report"); source("analysis.R")'
    """
    notes: list[str] = []
    with Project.open(review) as project, progress_bar("writing the report") as update:
        files = project.write_report(
            directory, replace=force, raw=raw, pdf=pdf, notes=notes, progress=update
        )
    for path in files:
        if path.name in _MAIN_FILES:
            echo(str(path))
    for note in notes:
        echo(f"screener: {note}", err=True)
    echo(f"{plural(len(files), 'file')} in {Path(directory)}", err=True)


_MAIN_FILES = (
    "report.html",
    "report.docx",
    "report.pdf",
    "report.md",
    "results.csv",
    "analysis.R",
    "analysis.do",
)
