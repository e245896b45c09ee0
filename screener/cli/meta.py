"""``screener meta``: pool the studies of a CSV file (a thin shell over :mod:`screener.pooling`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from screener.cli.output import check_out, echo, emit
from screener.display import one_line

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

    from screener.pooling.analysis import Analysis
    from screener.pooling.further import FurtherRequest

_EXAMPLES = """\b
Example:
  screener meta trials.csv --measure RR --method REML --test knha --json
  screener meta trials.csv --measure OR --method MH --by region --plot forest.svg
  screener meta effects.csv --egger lm --trimfill      (columns yi, vi, study)
  screener meta bcg.csv -m RR --mods ablat,alloc --level 90
  screener meta bcg.csv -m RR --leave-one-out --influence --cumulative year --begg
  screener export extraction review.db --out all.csv
  screener meta all.csv --outcome CDASI --timepoint "12 weeks" --measure SMCR
"""


def model_options(command: Callable[..., None]) -> Callable[..., None]:
    """--method and --test, the pooled model's options, shared by meta and pool."""
    command = click.option(
        "--test",
        type=click.Choice(["z", "knha", "t", "adhoc"], case_sensitive=False),
        default="z",
        show_default=True,
        help="z, or knha for Hartung-Knapp-Sidik-Jonkman (t with k-1 df).",
    )(command)
    return click.option(
        "--method",
        default="REML",
        show_default=True,
        metavar="METHOD",
        help="FE, DL, REML, ML, PM, HE, SJ, HS, EB (tau^2 estimators), MH (Mantel-Haenszel) "
        "or PETO.",
    )(command)


def forest_options(command: Callable[..., None]) -> Callable[..., None]:
    """--plot and --favours, the forest plot's options, shared by meta and pool."""
    command = click.option(
        "--favours",
        nargs=2,
        metavar="LEFT RIGHT",
        default=None,
        help="Forest plot: what each side of the line of no effect favours, e.g. "
        "--favours 'IL-2' 'placebo'.",
    )(command)
    return click.option(
        "--plot",
        "plot_path",
        metavar="FILE",
        type=click.Path(path_type=Path),
        default=None,
        help="Write a forest plot (.svg, .pdf or .png).",
    )(command)


def further_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options of the analyses beside the pooled model, shared by meta and pool."""
    options = [
        click.option(
            "--level",
            type=float,
            default=95.0,
            show_default=True,
            metavar="PERCENT",
            help="Confidence level of every interval, in percent (e.g. 90).",
        ),
        click.option(
            "--mods",
            metavar="COL[,COL]",
            default=None,
            help="Meta-regression on these columns (numbers: continuous; text: "
            "categorical): QM test, coefficients with CI, R^2.",
        ),
        click.option(
            "--leave-one-out",
            "leave_one_out",
            is_flag=True,
            help="Refit without each study in turn.",
        ),
        click.option(
            "--influence",
            is_flag=True,
            help="Influence diagnostics as metafor's influence() (rstudent, dffits, "
            "cook.d, cov.r, tau2.del, QE.del, hat, weight, inf).",
        ),
        click.option(
            "--cumulative",
            metavar="ORDER",
            default=None,
            help="Cumulative meta-analysis, adding studies in the order of a column "
            "(e.g. year) or by 'precision' (smallest variance first).",
        ),
        click.option(
            "--begg",
            is_flag=True,
            help="Begg and Mazumdar's rank correlation test for funnel plot asymmetry.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def further_request(
    mods: str | None, leave_one_out: bool, influence: bool, cumulative: str | None, begg: bool
) -> FurtherRequest:
    """The :class:`FurtherRequest` of the options of :func:`further_options`."""
    from screener.pooling.further import FurtherRequest

    names = tuple(n.strip() for n in (mods or "").split(",") if n.strip())
    if mods is not None and not names:
        raise _fail("--mods: give one or more column names, separated by commas")
    cumulative = cumulative.strip() if cumulative is not None else None
    if cumulative == "":
        raise _fail("--cumulative: give a column name, or 'precision'")
    return FurtherRequest(
        mods=names,
        leave_one_out=leave_one_out,
        influence=influence,
        cumulative=cumulative,
        begg=begg,
    )


def _fail(message: str) -> click.ClickException:
    # outcome and study names in messages come from the file: one line, controls visible
    return click.ClickException(one_line(message))


def _read(path: Path) -> pd.DataFrame:
    import pandas as pd

    if not path.exists():
        raise _fail(f"{path}: no such file")
    if path.is_dir():
        raise _fail(f"{path} is a directory, not a CSV file")
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise _fail(f"{path} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise _fail(f"{path}: not a readable CSV file ({str(exc).splitlines()[0]})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise _fail(f"{path} has a header but no studies")
    return frame


@click.command("meta", epilog=_EXAMPLES)
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--measure",
    "-m",
    metavar="M",
    default=None,
    help="Effect measure: OR, RR, RD, MD, SMD, ROM, SMCR, SMCC, PR, PLO, PAS, PFT, ZCOR, COR "
    "(GEN when the file has yi, vi).",
)
@model_options
@click.option(
    "--outcome",
    metavar="NAME",
    default=None,
    help="Pool this outcome's rows (files with an outcome column).",
)
@click.option(
    "--timepoint",
    metavar="T",
    default=None,
    help="Pool the rows at this timepoint (files with a timepoint column).",
)
@click.option("--by", metavar="COLUMN", default=None, help="Subgroup analysis by this column.")
@click.option(
    "--egger",
    type=click.Choice(["rma", "lm"]),
    is_flag=False,
    flag_value="rma",
    default=None,
    help="Egger's test: the fitted model with the SE as moderator (default), or 'lm' for the "
    "classical weighted regression.",
)
@click.option("--trimfill", is_flag=True, help="Trim-and-fill (L0, side chosen from the data).")
@further_options
@forest_options
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object on stdout instead of the text summary.",
)
def meta_command(
    file: Path, measure: str | None, method: str, test: str, outcome: str | None,
    timepoint: str | None, by: str | None, egger: str | None, trimfill: bool, level: float,
    mods: str | None, leave_one_out: bool, influence: bool, cumulative: str | None, begg: bool,
    plot_path: Path | None, favours: tuple[str, str] | None, as_json: bool,
) -> None:  # fmt: skip
    """Meta-analyse the studies in FILE.csv.

    FILE.csv holds raw columns named as metafor's escalc arguments, or yi and vi (the effect
    on the model scale and its variance), plus an optional study column. A column with no
    value in any row counts as absent. With --measure and its raw columns, the effect sizes
    are computed from those columns. The raw columns:

    
      two groups (MD, SMD, ROM): m1i sd1i n1i (group 1), m2i sd2i n2i (group 2)
      2x2 tables (OR, RR, RD): ai bi ci di (events, non-events per group) or n1i n2i
      pre/post, one group (SMCR, SMCC, MC): m1i = mean AFTER, m2i = mean BEFORE,
        sd1i = SD BEFORE, sd2i = SD after, ni, ri = correlation of before and after;
        metafor's escalc convention: the change is m1i - m2i (positive when the mean
        rose) and SMCR standardises it by sd1i, the pre-test SD
      proportions (PR, PLO, PLN, PAS, PFT): xi ni; correlations (ZCOR, COR): ri ni

    A file from `screener export extraction` can be pooled as it is: it has outcome,
    timepoint and measure columns, and rows of different outcomes, timepoints or measures
    are never pooled together (choose with --outcome and --timepoint). Results are on the
    model scale (log scale for ratios, Fisher's z for ZCOR); measures with a
    back-transformation also get it (the JSON key "transformed"). The JSON holds each
    study's weight (studies.weight_percent) and, with fewer than 10 studies, a caution on
    Egger, Begg and trim-and-fill (small_study_caution).
    """
    # pandas and scipy load here, not when the CLI starts (they take most of a second)
    from screener.pooling import PoolingError
    from screener.pooling.analysis import AnalysisSettings, method_name, run_analysis
    from screener.pooling.selection import select_rows

    try:
        method = method_name(method)
    except PoolingError as exc:
        raise _fail(str(exc)) from None
    test = test.lower()
    further = further_request(mods, leave_one_out, influence, cumulative, begg)
    if plot_path is not None and plot_path.suffix.lower() not in (".svg", ".pdf", ".png"):
        raise _fail(f"--plot {plot_path}: the file must end in .svg, .pdf or .png")
    if plot_path is not None:
        check_out(str(plot_path), file)
    frame = _read(file)
    try:
        chosen = select_rows(frame, outcome=outcome, timepoint=timepoint, measure=measure)
        settings = AnalysisSettings(
            measure=measure or chosen.measure,
            method=method,
            test=test,
            by=by,
            egger=egger,
            trimfill=trimfill,
            level=level,
            further=further,
        )
        analysis = run_analysis(chosen.frame, settings)
        if plot_path is not None:
            _plot(plot_path, analysis, favours)
    except PoolingError as exc:
        raise _fail(str(exc)) from None
    if chosen.describe():
        echo(f"{file}: {chosen.describe()}", err=True)
    if as_json:
        emit(json.dumps(analysis.to_dict(), allow_nan=False))
    else:
        echo(analysis.summary())
        if plot_path is not None:
            echo(f"Forest plot written to {plot_path}", err=True)


def _plot(path: Path, analysis: Analysis, favours: tuple[str, str] | None = None) -> None:
    try:
        analysis.write_forest(path, favours=favours)
    except OSError as exc:
        raise _fail(f"--plot {path}: {exc.strerror or exc}") from None
