"""Verbs on the review itself: new, info, export, tui, demo."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import click

from screener.cli.output import open_output
from screener.project import Project


@click.command("new")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--title", required=True, help="The review's title.")
@click.option("--question", default="", help="The review question (PICO in words).")
@click.option("--reviewers", type=click.IntRange(1, 2), default=1, show_default=True,
              help="Independent reviewers needed per record at each stage.")
@click.option("--reason", "reasons", multiple=True, help="An exclusion reason (repeatable).")
def new_command(review: str, title: str, question: str, reviewers: int, reasons: tuple[str, ...]) -> None:
    """Create a new review file.

    \b
    Example:
      screener new il2.db --title "Low-dose IL-2 in myositis" --reviewers 2 \\
          --reason "Wrong population" --reason "Wrong intervention"
    """
    with Project.create(review, title=title, question=question, reviewers_title_abstract=reviewers,
                        reviewers_full_text=reviewers, blind=reviewers > 1,
                        exclusion_reasons=reasons):
        pass
    click.echo(f"created {review}")


@click.command("info")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def info_command(review: str, as_json: bool) -> None:
    """Counts per source, stage and reviewer.

    \b
    Example:
      screener info il2.db
    """
    with Project.open(review) as project:
        summary = project.info()
    if as_json:
        click.echo(json.dumps({
            "title": summary.title, "records": summary.records,
            "screened_records": summary.screened_records,
            "duplicates_removed": summary.duplicates_removed, "sources": summary.sources,
            "reviewers": list(summary.reviewers),
            "decisions": [{"reviewer": c.reviewer, "stage": c.stage.value, "include": c.include,
                           "exclude": c.exclude, "maybe": c.maybe} for c in summary.per_reviewer],
        }, ensure_ascii=False, indent=2))
        return
    click.echo(summary.title)
    click.echo(f"records: {summary.records} identified, {summary.duplicates_removed} duplicates set aside, "
               f"{summary.screened_records} to screen")
    for database, n in summary.sources.items():
        click.echo(f"  {database}: {n}")
    if not summary.per_reviewer:
        click.echo("decisions: none yet")
    for c in summary.per_reviewer:
        click.echo(f"{c.stage.value} / {c.reviewer}: {c.decided} decided "
                   f"({c.include} include, {c.exclude} exclude, {c.maybe} maybe), "
                   f"{summary.screened_records - c.decided} to go")


@click.group("export")
def export_group() -> None:
    """Export records, decisions and results."""


_EXPORT_FIELDS = ("id", "source_database", "source_file", "source_key", "cluster_id", "is_primary",
                  "title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid",
                  "pmcid", "issn", "language", "abstract")


@export_group.command("records")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["csv", "ris", "json"]), default="csv",
              show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@click.option("--reviewer", help="Export as this reviewer (blind reviews hide others' decisions).")
@click.option("--unblind", is_flag=True, help="Show every reviewer's decisions (for the review lead).")
def export_records_command(review: str, fmt: str, out: str | None, reviewer: str | None, unblind: bool) -> None:
    """Every record with its source, cluster and decisions per reviewer and stage.

    \b
    Example:
      screener export records il2.db --format csv --reviewer alice --out records.csv
    """
    with Project.open(review) as project:
        rows = project.export_records(as_reviewer=reviewer, unblind=unblind)
        stages_reviewers = sorted({(d["stage"], d["reviewer"]) for r in rows for d in r["decisions"]})
    for row in rows:
        authors = json.loads(row.pop("authors_json"))
        row["authors"] = "; ".join(f"{a[0]}, {a[1]}".rstrip(", ") for a in authors)
        row["pages"] = "-".join(p for p in (row["page_first"], row["page_last"]) if p)
    with open_output(out) as handle:
        if fmt == "json":
            _write_json(handle, rows)
        elif fmt == "csv":
            _write_csv(handle, rows, stages_reviewers)
        else:
            _write_ris(handle, rows)


def _write_json(handle: io.TextIOBase, rows: list[dict]) -> None:
    keep = (*_EXPORT_FIELDS, "decisions")
    json.dump([{k: r[k] for k in keep} for r in rows], handle, ensure_ascii=False, indent=1)
    handle.write("\n")


def _write_csv(handle: io.TextIOBase, rows: list[dict], stages_reviewers: list[tuple[str, str]]) -> None:
    decision_cols = [f"{stage}:{reviewer}" for stage, reviewer in stages_reviewers]
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow([*_EXPORT_FIELDS, *decision_cols])
    for r in rows:
        live = {f"{d['stage']}:{d['reviewer']}": d["decision"] + (f" ({d['reason']})" if d["reason"] else "")
                for d in r["decisions"]}
        writer.writerow([r[k] if r[k] is not None else "" for k in _EXPORT_FIELDS]
                        + [live.get(c, "") for c in decision_cols])


def _write_ris(handle: io.TextIOBase, rows: list[dict]) -> None:
    import rispy

    entries = []
    for r in rows:
        entry = {"type_of_reference": "JOUR", "title": r["title"], "abstract": r["abstract"],
                 "authors": [a for a in r["authors"].split("; ") if a], "year": str(r["year"] or ""),
                 "secondary_title": r["journal"], "volume": r["volume"], "number": r["issue"],
                 "start_page": r["page_first"], "end_page": r["page_last"], "doi": r["doi"],
                 "id": str(r["id"]), "name_of_database": r["source_database"] or "",
                 "notes": [f"{d['stage']} {d['reviewer']}: {d['decision']}"
                           + (f" ({d['reason']})" if d["reason"] else "") for d in r["decisions"]]}
        if r["pmid"]:
            entry["accession_number"] = r["pmid"]
        entries.append({k: v for k, v in entry.items() if v})
    handle.write(rispy.dumps(entries))


@click.command("tui")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--reviewer", help="Who is screening (asked at start when missing).")
def tui_command(review: str, reviewer: str | None) -> int:
    """Open the review in the terminal interface.

    \b
    Example:
      screener tui il2.db --reviewer alice
    """
    Project.open(review).close()   # a bad file fails here with one line, before the screen opens
    from screener.tui.app import run_app

    return run_app(review, reviewer=reviewer)   # non-zero when the app died on an exception


@click.command("demo")
@click.argument("directory", type=click.Path(file_okay=False), default="demo", required=False)
@click.option("--review", "which", type=click.Choice(["nudging", "bcg"]), default="nudging",
              show_default=True, help="Which demo review to open: nudging (screening) or bcg (extraction "
                                      "and meta-analysis).")
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
        click.echo(msg, err=True)

    paths = {"nudging": build_demo(Path(directory), progress=say),
             "bcg": build_bcg_demo(Path(directory), progress=say)}
    if no_tui:
        for path in paths.values():
            click.echo(str(path))
        return
    path = paths[which]
    if not sys.stdout.isatty():
        click.echo(f"demo reviews at {paths['nudging']} and {paths['bcg']}; "
                   "not a terminal, so the TUI is not opened")
        return
    from screener.tui.app import run_app

    return run_app(str(path), reviewer=reviewer)
