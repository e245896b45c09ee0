"""``screener export ris`` and ``screener export decisions``."""

from __future__ import annotations

import sys

import click

from screener.cli.output import RAW_HELP, check_out, echo, plural, progress_bar
from screener.project import Project


def _emit(out: str | None, count: int, text: str, what: str) -> None:
    if out is None:
        sys.stdout.write(text)
    echo(plural(count, what) + (f" written to {out}" if out else ""), err=True)


@click.command("ris")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option(
    "--which",
    type=click.Choice(["included", "excluded", "all"]),
    default="included",
    show_default=True,
    help="Included reports, excluded records (either stage) or all.",
)
@click.option("--out", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@click.option("--reviewer", help="Export as this reviewer (blind reviews hide others' decisions).")
@click.option(
    "--unblind", is_flag=True, help="Show every reviewer's decisions (for the review lead)."
)
def export_ris_command(
    review: str, which: str, out: str | None, reviewer: str | None, unblind: bool
) -> None:
    """Screened records as RIS, with the final decision, each reviewer's decision and the
    exclusion reason in the notes (N1), ready for EndNote or Zotero.

    \b
    Example:
      screener export ris il2.db --which included --unblind --out included.ris
      screener export ris il2.db --which excluded --reviewer alice --out excluded.ris
    """
    check_out(out, review)
    with Project.open(review) as project, progress_bar("exporting RIS") as update:
        count, text = project.export_ris(
            out, which=which, as_reviewer=reviewer, unblind=unblind, progress=update
        )
    _emit(out, count, text, "record")


@click.command("decisions")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@click.option("--reviewer", help="Export as this reviewer (blind reviews hide others' decisions).")
@click.option(
    "--unblind", is_flag=True, help="Show every reviewer's decisions (for the review lead)."
)
@click.option("--raw", is_flag=True, help=RAW_HELP)
def export_decisions_command(
    review: str, out: str | None, reviewer: str | None, unblind: bool, raw: bool
) -> None:
    """Every live decision and resolution as CSV: one row per record, stage and reviewer, with
    the reason, note, time and the record's final decision at that stage. A full text marked
    not retrievable is a row of its own (role retrieval, decision "not retrieved").

    CSV cells that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a
    carriage return; plain numbers excepted) start with an added ' unless --raw is given.

    \b
    Example:
      screener export decisions il2.db --unblind --out decisions.csv
    """
    check_out(out, review)
    with Project.open(review) as project, progress_bar("exporting decisions") as update:
        count, text = project.export_decisions(
            out, as_reviewer=reviewer, unblind=unblind, raw=raw, progress=update
        )
    _emit(out, count, text, "decision")
