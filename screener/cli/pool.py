"""``screener pool`` (``screener meta`` on a review's extracted data, saved in the review) and
``screener analyses`` (the saved analyses)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from screener.cli.meta import forest_options, further_options, further_request, model_options
from screener.cli.output import check_out, echo, emit
from screener.errors import ScreenerError
from screener.project import Project

FORMATS = (".svg", ".pdf", ".png")
_POOL_EXAMPLES = """\b
Example:
  screener pool bcg.db --outcome Tuberculosis --measure RR --json
  screener pool bcg.db --outcome Tuberculosis --measure RR --by alloc --egger --trimfill \\
      --plot forest.svg --funnel funnel.svg --reviewer alice
  screener pool bcg.db --outcome Tuberculosis -m RR --mods ablat --leave-one-out --influence
  screener pool bcg.db --outcome Tuberculosis -m RR --cumulative year --begg --level 90
"""


def _check_plot(option: str, path: Path | None, review: str) -> None:
    if path is None:
        return
    if path.suffix.lower() not in FORMATS:
        raise ScreenerError(f"{option} {path}: the file must end in .svg, .pdf or .png")
    check_out(str(path), review)


@click.command("pool", epilog=_POOL_EXAMPLES)
@click.argument("review", type=click.Path(dir_okay=False))
@click.option(
    "--outcome", required=True, metavar="NAME", help="The outcome to pool (as named in the form)."
)
@click.option(
    "--measure",
    "-m",
    metavar="M",
    default=None,
    help="Effect measure fitting the outcome's data: OR, RR, RD (dichotomous); MD, SMD, ROM "
    "(continuous); SMCR, SMCC (pre/post); PR, PLO, PAS, PFT (proportions); ZCOR, COR. "
    "Generic outcomes use their own measure.",
)
@model_options
@click.option(
    "--by",
    metavar="COLUMN",
    default=None,
    help="Subgroup analysis by a study field (e.g. alloc) or by 'subgroup'.",
)
@click.option(
    "--egger",
    type=click.Choice(["rma", "lm"]),
    is_flag=False,
    flag_value="rma",
    default=None,
    help="Egger's test: the fitted model with the SE as moderator (default), or 'lm'.",
)
@click.option("--trimfill", is_flag=True, help="Trim-and-fill (L0, side chosen from the data).")
@click.option(
    "--timepoint", default=None, help="The timepoint to pool, when the outcome has several."
)
@further_options
@forest_options
@click.option(
    "--funnel",
    "funnel_path",
    metavar="FILE",
    type=click.Path(path_type=Path),
    default=None,
    help="Write a contour-enhanced funnel plot (.svg, .pdf or .png).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object (as screener meta --json, plus analysis_id) on stdout.",
)
@click.option(
    "--name", default=None, help="A name for the saved analysis (default: from the settings)."
)
@click.option("--reviewer", default=None, help="Who ran the analysis (stored with it).")
def pool_command(
    review: str,
    outcome: str,
    measure: str | None,
    method: str,
    test: str,
    by: str | None,
    egger: str | None,
    trimfill: bool,
    timepoint: str | None,
    level: float,
    mods: str | None,
    leave_one_out: bool,
    influence: bool,
    cumulative: str | None,
    begg: bool,
    plot_path: Path | None,
    favours: tuple[str, str] | None,
    funnel_path: Path | None,
    as_json: bool,
    name: str | None,
    reviewer: str | None,
) -> None:
    """Pool an outcome's agreed extracted data and save the analysis in the review.

    Does what `screener meta` does on a CSV file, on the review's extraction table for OUTCOME
    (one row per study; consensus values where extractors disagreed). The settings, results and
    per-study data are stored in the review with who ran it and when. Pre/post outcomes
    follow escalc's convention (the change is after minus before, SMCR standardised by the SD
    before; see `screener meta --help`). Pooled studies that PRISMA does not count as included
    (no linked record included at full text) are named in a note. --mods and --cumulative
    name study fields of the extraction form (numeric fields are continuous moderators).
    """
    _check_plot("--plot", plot_path, review)
    _check_plot("--funnel", funnel_path, review)
    further = further_request(mods, leave_one_out, influence, cumulative, begg)
    with Project.open(review) as project:
        pooled = project.run_pool(
            outcome,
            measure=measure,
            method=method,
            test=test,
            by=by,
            egger=egger,
            trimfill=trimfill,
            timepoint=timepoint,
            level=level,
            mods=further.mods,
            leave_one_out=further.leave_one_out,
            influence=further.influence,
            cumulative=further.cumulative,
            begg=further.begg,
        )
        title = name or pooled.default_name()
        for option, path in (("--plot", plot_path), ("--funnel", funnel_path)):
            if path is not None:
                try:
                    if option == "--plot":
                        pooled.analysis.write_forest(path, title=title, favours=favours)
                    else:
                        pooled.analysis.write_funnel(path, title=title)
                except OSError as exc:
                    raise ScreenerError(f"{option} {path}: {exc.strerror or exc}") from None
        saved = project.save_analysis(pooled, name=name, reviewer=reviewer, favours=favours)
    # the funnel plot carries the small-study caution too, though the saved results do not
    funnel_caution = pooled.analysis.small_study_caution(funnel=funnel_path is not None)
    if as_json:
        # the saved results (screener meta's keys, with the studies' weights and subgroups),
        # plus the studies left out or not included
        results = pooled.results()
        if funnel_caution is not None:
            results["small_study_caution"] = funnel_caution
        emit(json.dumps({**results, "analysis_id": saved.id}, allow_nan=False, ensure_ascii=False))
    else:
        echo(pooled.analysis.summary())
        for note in pooled.notes():
            echo(f"Note: {note}")
        if funnel_caution is not None and pooled.analysis.small_study_caution() is None:
            echo(funnel_caution)
    for what, path in (("Forest", plot_path), ("Funnel", funnel_path)):
        if path is not None:
            echo(f"{what} plot written to {path}", err=True)
    echo(f"Saved as analysis {saved.id} ({saved.name}) in {review}", err=True)


@click.command("analyses")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--id", "analysis_id", type=int, default=None, help="Show one analysis in full.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per analysis).")
@click.option(
    "--rename",
    nargs=2,
    type=(int, str),
    metavar="ID NAME",
    default=None,
    help="Give analysis ID a new name (the report shows it).",
)
@click.option(
    "--delete",
    "delete_id",
    type=int,
    metavar="ID",
    default=None,
    help="Delete analysis ID (the report keeps only the other analyses).",
)
def analyses_command(
    review: str,
    analysis_id: int | None,
    as_json: bool,
    rename: tuple[int, str] | None,
    delete_id: int | None,
) -> None:
    """List the analyses saved in the review (screener pool, the TUI's analysis screen).

    --rename and --delete change the list; deleting removes the analysis for good (run
    `screener pool` again to get it back).

    \b
    Example:
      screener analyses bcg.db
      screener analyses bcg.db --id 1 --json
      screener analyses bcg.db --rename 1 "Tuberculosis: main analysis"
      screener analyses bcg.db --delete 2
    """
    if rename is not None and delete_id is not None:
        raise ScreenerError("give --rename or --delete, not both")
    if rename is not None or delete_id is not None:
        with Project.open(review) as project:
            if rename is not None:
                done = project.rename_analysis(*rename)
                echo(f"Analysis {done.id} renamed: {done.name}", err=True)
            else:
                assert delete_id is not None
                done = project.delete_analysis(delete_id)
                echo(f"Analysis {done.id} ({done.name}) deleted", err=True)
        if analysis_id is None and not as_json:
            return
    with Project.open(review) as project:
        found = [project.analysis(analysis_id)] if analysis_id is not None else project.analyses()
    if as_json:
        rows = [
            {
                "id": a.id,
                "name": a.name,
                "outcome": a.outcome,
                "reviewer": a.reviewer,
                "created_at": a.created_at,
                "settings": a.settings,
                "results": a.results,
            }
            for a in found
        ]
        emit(
            json.dumps(
                rows[0] if analysis_id is not None else rows, ensure_ascii=False, allow_nan=False
            )
        )
        return
    if not found:
        echo("no saved analyses yet (screener pool, or the analysis screen of screener tui)")
    for a in found:
        r, s = a.results, a.settings
        est, lb, ub = r.get("estimate"), r.get("ci_lb"), r.get("ci_ub")
        back = r.get("transformed") or {}
        line = (
            f"{a.id:>3}  {a.name}  [{s.get('measure', '')} {s.get('method', '')}, k = "
            f"{r.get('k')}] "
            f"estimate {_num(est)} [{_num(lb)}, {_num(ub)}]"
        )
        if back:
            line += (
                f" = {s.get('measure', '')} {_num(back.get('estimate'))} "
                f"[{_num(back.get('ci_lb'))}, {_num(back.get('ci_ub'))}]"
            )
        line += f", I2 {_num(r.get('I2'), 1)}%  ({a.reviewer or 'no reviewer'}, {a.created_at})"
        echo(line)


def _num(x: object, digits: int = 4) -> str:
    return f"{x:.{digits}f}" if isinstance(x, (int, float)) else "NA"
