"""Extraction verbs: ``form``, ``check``, ``rob``, ``export extraction`` and the body of
``import --as extraction``."""

from __future__ import annotations

import json

import click

from screener.cli.output import RAW_HELP, check_out, echo, emit, open_output, plural
from screener.errors import ScreenerError
from screener.extraction.rob import TOOLS
from screener.extraction.table import write_csv
from screener.project import Project


@click.command("form")
@click.argument("review", type=click.Path(dir_okay=False))
@click.argument("form_file", required=False, type=click.Path(dir_okay=False))
@click.option("--builtin", help="Load a form shipped with screener (default, il2_myositis, bcg).")
def form_command(review: str, form_file: str | None, builtin: str | None) -> None:
    """Load an extraction form (TOML), or show the review's form.

    \b
    Example:
      screener form il2.db --builtin il2_myositis
      screener form il2.db my_form.toml
      screener form il2.db                 # show the form in use
    """
    with Project.open(review) as project:
        if form_file or builtin:
            loaded = project.load_form(form_file, builtin=builtin)
            echo(
                f"form {loaded.name!r} (version {loaded.version}) loaded: "
                f"{plural(len(loaded.study_fields), 'study field')}, "
                f"{plural(len(loaded.outcomes), 'outcome')}"
            )
            return
        form = project.extraction_form()
        outcomes = project.outcomes()
    if form is None:
        echo("no form yet; load one with: screener form REVIEW.db --builtin default")
    else:
        echo(f"{form.name} (version {form.version})")
        for spec in form.study_fields:
            unit = f" [{spec.unit}]" if spec.unit else ""
            echo(f"  {spec.key}: {spec.label} ({spec.kind}{unit})")
    for outcome in outcomes.values():
        unit = f", {outcome.unit}" if outcome.unit else ""
        echo(f"outcome {outcome.name}: {outcome.data_type}{unit}")


@click.command("check")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of the flags.")
def check_command(review: str, as_json: bool) -> None:
    """Consistency checks on the extracted numbers (flags, with why), and the studies that no
    record included at full text supports.

    Kinds: grim, p_vs_ci, ci_asymmetric, sd_implausible, out_of_range, events_gt_total, and
    no_included_report (a study PRISMA does not count as included: link its records with
    `screener study link`).

    \b
    Example:
      screener check il2.db
      screener check il2.db --json | jq '.[] | select(.kind == "p_vs_ci")'
    """
    with Project.open(review) as project:
        flags = project.consistency_checks() + project.study_flags()
    if as_json:
        emit(
            json.dumps(
                [
                    {
                        "study": f.study,
                        "outcome": f.outcome,
                        "timepoint": f.timepoint,
                        "subgroup": f.subgroup,
                        "kind": f.kind,
                        "explanation": f.explanation,
                        "reviewers": list(f.reviewers),
                    }
                    for f in flags
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    if not flags:
        echo("no flags: every check passed")
        return
    for f in flags:
        where = " · ".join(p for p in (f.study, f.outcome, f.timepoint, f.subgroup) if p)
        who = f" [{', '.join(f.reviewers)}]" if f.reviewers else ""
        echo(f"{where}\t{f.kind}\t{f.explanation}{who}")
    echo(plural(len(flags), "flag"), err=True)


@click.command("extraction")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option("--out", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@click.option("--outcome", help="Only this outcome's rows.")
@click.option("--reviewer", help="One extractor's values instead of the agreed ones.")
@click.option("--raw", is_flag=True, help=RAW_HELP)
def export_extraction_command(
    review: str, fmt: str, out: str | None, outcome: str | None, reviewer: str | None, raw: bool
) -> None:
    """The analysis-ready extraction table: one row per study x outcome x timepoint x subgroup,
    columns named as metafor's escalc arguments (m1i sd1i n1i m2i sd2i n2i ai bi ci di xi ni ri
    yi vi), plus estimate, ci_lb, ci_ub, pval for results reported only as an effect. The
    file feeds `screener meta` as it is (choose an outcome with meta's --outcome).

    CSV text cells that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or
    a carriage return) start with an added ' unless --raw is given; numbers are never changed.
    screener import --as extraction removes that ', so the file reads back as exported.

    \b
    Example:
      screener export extraction il2.db --format csv --out extraction.csv
      screener export extraction bcg.db --outcome Tuberculosis --out bcg.csv
    """
    check_out(out, review)
    with Project.open(review) as project:
        columns, rows = project.export_extraction(reviewer=reviewer, outcome=outcome)
    with open_output(out, protect=(review,)) as handle:
        if fmt == "json":
            json.dump(rows, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
        else:
            write_csv(rows, columns, handle, raw=raw)


@click.command("rob")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--tool", type=click.Choice(sorted(TOOLS)), help="The tool (default: each one used).")
@click.option(
    "--plot", type=click.Path(dir_okay=False), help="Write the traffic-light plot (.svg/.pdf/.png)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def rob_command(review: str, tool: str | None, plot: str | None, as_json: bool) -> None:
    """Risk-of-bias summary per study (consensus, or the assessors' agreed judgement).

    \b
    Example:
      screener rob il2.db --tool robins_i --plot rob.svg
    """
    check_out(plot, review)
    with Project.open(review) as project:
        tools = [tool] if tool else project.rob_tools()
        if plot and len(tools) != 1:
            raise ScreenerError("give --tool to say which tool's plot to draw")
        summaries = [project.rob_summary(t) for t in tools]
        if plot:
            project.write_rob_plot(tools[0], plot)
    if as_json:
        emit(
            json.dumps(
                [
                    {
                        "tool": s.tool.key,
                        "domains": [d.key for d in s.tool.domains],
                        "rows": [
                            {
                                "study": r.study,
                                "outcome": r.outcome,
                                "judgements": dict(
                                    zip([d.key for d in s.tool.domains], r.cells, strict=True)
                                ),
                                "overall": r.overall,
                                "source": r.source,
                                "score": r.score,
                            }
                            for r in s.rows
                        ],
                        "disagreements": [
                            {"study": st, "outcome": oc, "domain": dm, "judgements": dict(js)}
                            for st, oc, dm, js in s.disagreements
                        ],
                    }
                    for s in summaries
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    if not summaries:
        echo("no risk-of-bias judgements yet")
    for s in summaries:
        echo(f"{s.tool.name} ({s.tool.reference})")
        heads = [d.label.split(" ", 1)[0] for d in s.tool.domains]
        echo("\t".join(["study", *heads, "overall"]))
        for r in s.rows:
            name = r.study + (f" ({r.outcome})" if r.outcome else "")
            echo("\t".join([name, *(c or "-" for c in r.cells), r.overall or "-"]))
        for study, _outcome, domain, found in s.disagreements:
            echo(f"  disagreement: {study} {domain}: " + ", ".join(f"{w} {j}" for w, j in found))
    if plot:
        echo(f"plot written to {plot}", err=True)


def import_extraction_files(review: str, files: tuple[str, ...], *, dry_run: bool = False) -> None:
    """``screener import REVIEW.db FILE.csv --as extraction``: each file in one transaction
    (``--dry-run``: each file read and checked, nothing written)."""
    with Project.open(review) as project:
        for file in files:
            result = project.import_extraction(file, dry_run=dry_run)
            if result.dry_run:
                echo(
                    f"{result.file_name}: {plural(result.rows, 'row')}; would save "
                    f"{plural(result.values_saved, 'value')} as extractor {result.reviewer!r}"
                    + _names("new studies", result.studies_created)
                    + _names("new outcomes", result.outcomes_created)
                    + f"; would link {result.records_linked} records to studies"
                    + " (dry run: nothing written)"
                )
                continue
            echo(
                f"{result.file_name}: {plural(result.rows, 'row')}, "
                f"{plural(result.values_saved, 'value')} as extractor {result.reviewer!r}; "
                f"{plural(len(result.studies_created), 'new study', 'new studies')}, "
                f"{plural(len(result.outcomes_created), 'new outcome')}, "
                f"{plural(result.records_linked, 'record')} linked to studies"
            )


def _names(what: str, names: tuple[str, ...]) -> str:
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    return f"; {len(names)} {what}" + (f" ({shown})" if names else "")


__all__ = [
    "check_command",
    "export_extraction_command",
    "form_command",
    "import_extraction_files",
    "rob_command",
]
