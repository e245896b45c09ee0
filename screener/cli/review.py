"""Verbs on the review itself: new, info, export records, tui, demo."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from screener.cli.output import RAW_HELP, check_out, echo, emit, open_output
from screener.model import StageCounts
from screener.project import Project
from screener.screening import ROLES


def parse_reviewer(entry: str) -> tuple[str, str | None]:
    """``NAME`` or ``NAME:ROLE`` (a colon not followed by a role is part of the name)."""
    name, _, role = entry.rpartition(":")
    return (name, role) if name and role in ROLES else (entry, None)


@click.command("new")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--title", required=True, help="The review's title.")
@click.option("--question", default="", help="The review question (PICO in words).")
@click.option(
    "--reviewer",
    "names",
    multiple=True,
    metavar="NAME[:ROLE]",
    help="Declare a reviewer (repeatable): the first is the lead, the rest screeners "
    "unless NAME:ROLE says (screener, arbiter, lead).",
)
@click.option(
    "--reviewers",
    type=click.IntRange(1, 2),
    default=1,
    show_default=True,
    help="Independent reviewers needed per record at each stage (2: dual review).",
)
@click.option(
    "--not-blind",
    is_flag=True,
    help="Let reviewers see each other's decisions before deciding (blind by default).",
)
@click.option("--reason", "reasons", multiple=True, help="An exclusion reason (repeatable).")
def new_command(
    review: str,
    title: str,
    question: str,
    names: tuple[str, ...],
    reviewers: int,
    not_blind: bool,
    reasons: tuple[str, ...],
) -> None:
    """Create a new review file.

    Without --reviewer nobody is declared yet: the first `screener reviewer add` (or the name
    `screener tui` asks for when the review has no lead) is the lead. A review is blind unless
    --not-blind: no reviewer sees another's decision on a record before deciding it too.

    \b
    Example:
      screener new il2.db --title "Low-dose IL-2 in myositis" --reviewers 2 \\
          --reviewer alice --reviewer bob --reviewer carol:arbiter \\
          --reason "Wrong population" --reason "Wrong intervention"
    """
    declared = []
    for position, entry in enumerate(names):
        name, role = parse_reviewer(entry)
        declared.append((name, role or ("lead" if position == 0 else "screener")))
    with Project.create(
        review,
        reviewers=declared,
        title=title,
        question=question,
        reviewers_title_abstract=reviewers,
        reviewers_full_text=reviewers,
        blind=not not_blind,
        exclusion_reasons=reasons,
    ):
        pass
    echo(
        f"created {review}"
        + (
            f" with reviewers {', '.join(n for n, _ in declared)}"
            if declared
            else f"; add its lead with: screener reviewer add {review} NAME"
        )
    )


@click.command("info")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def info_command(review: str, as_json: bool) -> None:
    """Counts per source, stage and reviewer.

    A reviewer's "to go" at a stage counts the records that reached it (at full text: those
    that passed title/abstract screening) and that the reviewer has not decided yet.

    \b
    Example:
      screener info il2.db
    """
    with Project.open(review) as project:
        summary = project.info()
        stages = {p.stage: p for p in project.screening_progress()}

    def to_go(c: StageCounts) -> int:
        stage = stages.get(c.stage)
        if stage is None:
            return 0
        decided = next((r.decided for r in stage.reviewers if r.reviewer == c.reviewer), 0)
        return max(0, stage.records - decided)

    if as_json:
        emit(
            json.dumps(
                {
                    "title": summary.title,
                    "records": summary.records,
                    "screened_records": summary.screened_records,
                    "duplicates_removed": summary.duplicates_removed,
                    "sources": summary.sources,
                    "reviewers": list(summary.reviewers),
                    "stages": {stage.value: p.records for stage, p in stages.items()},
                    "decisions": [
                        {
                            "reviewer": c.reviewer,
                            "stage": c.stage.value,
                            "include": c.include,
                            "exclude": c.exclude,
                            "maybe": c.maybe,
                            "to_go": to_go(c),
                        }
                        for c in summary.per_reviewer
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    echo(summary.title)
    echo(
        f"records: {summary.records:,} identified, {summary.duplicates_removed:,} "
        f"{'duplicate' if summary.duplicates_removed == 1 else 'duplicates'} set aside, "
        f"{summary.screened_records:,} to screen"
    )
    for database, n in summary.sources.items():
        echo(f"  {database}: {n:,}")
    if not summary.per_reviewer:
        echo("decisions: none yet")
    for c in summary.per_reviewer:
        echo(
            f"{c.stage.value} / {c.reviewer}: {c.decided:,} decided "
            f"({c.include:,} include, {c.exclude:,} exclude, {c.maybe:,} maybe), "
            f"{to_go(c):,} to go"
        )


@click.command("records")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "ris", "json"]), default="csv", show_default=True
)
@click.option("--out", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@click.option("--reviewer", help="Export as this reviewer (blind reviews hide others' decisions).")
@click.option(
    "--unblind", is_flag=True, help="Show every reviewer's decisions (for the review lead)."
)
@click.option("--raw", is_flag=True, help=RAW_HELP)
def export_records_command(
    review: str, fmt: str, out: str | None, reviewer: str | None, unblind: bool, raw: bool
) -> None:
    """Every record with its source, cluster, decisions per reviewer and stage, and whether its
    full text was marked not retrievable (column retrieval).

    CSV cells that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a
    carriage return; plain numbers excepted) start with an added ' unless --raw is given.

    \b
    Example:
      screener export records il2.db --format csv --reviewer alice --out records.csv
    """
    from screener.report.exports import records_csv, records_json, records_ris

    check_out(out, review)
    with Project.open(review) as project:
        rows = project.export_records(as_reviewer=reviewer, unblind=unblind)
    if fmt == "json":
        text = records_json(rows)
    elif fmt == "csv":
        text = records_csv(rows, raw=raw)
    else:
        text = records_ris(rows)
    with open_output(out, protect=(review,)) as handle:
        handle.write(text)


@click.command("tui")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option(
    "--reviewer", help="Who is screening: a declared reviewer (picked at start when missing)."
)
# Set only by `screener serve` on the command it runs for a signed-in browser; the browser has
# no say in the command line.
@click.option("--served", is_flag=True, hidden=True)
def tui_command(review: str, reviewer: str | None, served: bool) -> int:
    """Open the review in the terminal interface.

    \b
    Example:
      screener tui il2.db --reviewer alice
    """
    # a bad or damaged file or an undeclared reviewer fails here with one line, before the
    # screen opens
    if served and reviewer is None:
        raise click.UsageError("--served needs --reviewer")
    with Project.open(review) as project:
        project.verify()
        if reviewer is not None:
            reviewer = project.reviewer(reviewer).name
    from screener.tui.app import run_app

    # non-zero when the app died on an exception
    return run_app(review, reviewer=reviewer, served=served)


@click.command("demo")
@click.argument("directory", type=click.Path(file_okay=False), default="demo", required=False)
@click.option(
    "--review",
    "which",
    type=click.Choice(["nudging", "bcg"]),
    default="nudging",
    show_default=True,
    help="Which demo review to open: nudging (screening) or bcg (extraction and meta-analysis).",
)
@click.option("--no-tui", is_flag=True, help="Only build the demo reviews; print their paths.")
@click.option("--reviewer", default="demo", show_default=True, help="Reviewer name in the TUI.")
def demo_command(directory: str, which: str, no_tui: bool, reviewer: str) -> int | None:
    """Build the two bundled demo reviews (real public data) and open one.

    nudging.db: 2,019 records of a scoping review to screen (Nagtegaal et al. 2019).
    bcg.db: the 13 BCG vaccine trials (Colditz et al. 1994), extracted, ready to pool.

    \b
    Example:
      screener demo                  # builds demo/nudging.db and demo/bcg.db, opens nudging.db
      screener demo --review bcg     # opens the BCG review (press a for the analysis screen)
      screener demo /tmp/d --no-tui
    """
    from screener.demo import build_demo
    from screener.demo_bcg import build_bcg_demo

    def say(msg: str) -> None:
        echo(msg, err=True)

    paths = {
        "nudging": build_demo(Path(directory), progress=say),
        "bcg": build_bcg_demo(Path(directory), progress=say),
    }
    if no_tui:
        for path in paths.values():
            echo(str(path))
        return None
    path = paths[which]
    if not sys.stdout.isatty():
        echo(
            f"demo reviews at {paths['nudging']} and {paths['bcg']}; "
            "not a terminal, so the TUI is not opened"
        )
        return None
    from screener.tui.app import run_app

    return run_app(str(path), reviewer=reviewer)
