"""``screener study``: the studies of a review and the records (reports) behind them."""

from __future__ import annotations

import json

import click

from screener.cli.output import echo, emit
from screener.display import one_line
from screener.project import Project

__all__ = ["study_group"]


@click.group("study")
def study_group() -> None:
    """Studies and the records (reports) that describe them.

    PRISMA counts a study as included when at least one of its linked records is included at
    full text. A study with no such record (for example one made by an extraction CSV
    without a record_ids column) is not counted, and `screener check`, `screener pool` and
    `screener prisma` name it.

    \b
    Example:
      screener study list il2.db
      screener study link il2.db "Zhang 2021" 12 15
      screener study unlink il2.db "Zhang 2021" 15
      screener study add il2.db "Li 2019" 31
    """


@study_group.command("list")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of the studies.")
def list_command(review: str, as_json: bool) -> None:
    """Each study with its linked records and their screening outcomes.

    \b
    Example:
      screener study list il2.db
      screener study list il2.db --json | jq '.[] | select(.included | not)'
    """
    with Project.open(review) as project:
        studies = project.study_records()
    if as_json:
        emit(
            json.dumps(
                [
                    {
                        "study": s.name,
                        "note": s.note,
                        "included": s.included,
                        "problem": s.problem,
                        "records": [
                            {"id": r.record_id, "citation": r.citation, "status": r.status}
                            for r in s.records
                        ],
                    }
                    for s in studies
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    if not studies:
        echo(
            "no studies yet (screener study add, or an extraction CSV: screener import --as "
            "extraction)"
        )
        return
    for s in studies:
        state = "included" if s.included else f"NOT included: {s.problem}"
        echo(one_line(f"{s.name}\t[{state}]"))
        for r in s.records:
            echo(one_line(f"  #{r.record_id}\t{r.status}\t{r.citation[:90]}"))
    counted = sum(s.included for s in studies)
    echo(f"{len(studies)} studies, {counted} counted as included by PRISMA", err=True)


@study_group.command("link")
@click.argument("review", type=click.Path(dir_okay=False))
@click.argument("study")
@click.argument("records", nargs=-1, required=True, type=int)
def link_command(review: str, study: str, records: tuple[int, ...]) -> None:
    """Link records (their ids) to STUDY as its reports: all of them, or none.

    \b
    Example:
      screener study link il2.db "Zhang 2021" 12 15
    """
    with Project.open(review) as project:
        added = project.link_records(study, records)
    echo(
        one_line(
            f"{study}: {len(added)} record(s) linked"
            + (f" ({', '.join(f'#{r}' for r in added)})" if added else "")
            + (
                f"; {len(set(records)) - len(added)} linked already"
                if len(added) < len(set(records))
                else ""
            )
        )
    )


@study_group.command("unlink")
@click.argument("review", type=click.Path(dir_okay=False))
@click.argument("study")
@click.argument("records", nargs=-1, required=True, type=int)
def unlink_command(review: str, study: str, records: tuple[int, ...]) -> None:
    """Remove records from STUDY's reports (the study and its extracted data stay).

    \b
    Example:
      screener study unlink il2.db "Zhang 2021" 15
    """
    with Project.open(review) as project:
        project.unlink_records(study, records)
    echo(one_line(f"{study}: {len(set(records))} record(s) unlinked"))


@study_group.command("add")
@click.argument("review", type=click.Path(dir_okay=False))
@click.argument("name")
@click.argument("records", nargs=-1, type=int)
@click.option("--note", default="", help="A note on the study.")
def add_command(review: str, name: str, records: tuple[int, ...], note: str) -> None:
    """Create a study, with the records (ids) that report it.

    \b
    Example:
      screener study add il2.db "Li 2019" 31 32
    """
    with Project.open(review) as project:
        study = project.create_study(name, record_ids=records, note=note)
    echo(one_line(f"study {study.name!r} created with {len(study.record_ids)} record(s)"))
