"""``screener meta``: pool the studies of a CSV file (a thin shell over :mod:`screener.pooling`)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pandas as pd

from screener.cli.output import echo, emit
from screener.pooling import PoolingError
from screener.pooling.analysis import Analysis, AnalysisSettings, method_name, run_analysis

_EXAMPLES = """\b
Example:
  screener meta trials.csv --measure RR --method REML --test knha --json
  screener meta trials.csv --measure OR --method MH --by region --plot forest.svg
  screener meta effects.csv --egger lm --trimfill      (columns yi, vi, study)
"""


def _fail(message: str) -> click.ClickException:
    return click.ClickException(message.replace("\n", " "))


def _read(path: Path) -> pd.DataFrame:
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
    help="Effect measure: OR, RR, RD, MD, SMD, ROM, SMCR, SMCC, PR, PLO, PAS, PFT, ZCOR, COR (GEN when the file has yi, vi).",
)
@click.option(
    "--method",
    default="REML",
    show_default=True,
    metavar="METHOD",
    help="FE, DL, REML, ML, PM, HE, SJ, HS, EB (tau^2 estimators), MH (Mantel-Haenszel) or PETO.",
)
@click.option(
    "--test",
    type=click.Choice(["z", "knha", "t", "adhoc"], case_sensitive=False),
    default="z",
    show_default=True,
    help="z, or knha for Hartung-Knapp-Sidik-Jonkman (t with k-1 df).",
)
@click.option("--by", metavar="COLUMN", default=None, help="Subgroup analysis by this column.")
@click.option(
    "--egger",
    type=click.Choice(["rma", "lm"]),
    is_flag=False,
    flag_value="rma",
    default=None,
    help="Egger's test: the fitted model with the SE as moderator (default), or 'lm' for the classical weighted regression.",
)
@click.option("--trimfill", is_flag=True, help="Trim-and-fill (L0, side chosen from the data).")
@click.option(
    "--plot",
    "plot_path",
    metavar="FILE",
    type=click.Path(path_type=Path),
    default=None,
    help="Write a forest plot (.svg, .pdf or .png).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object on stdout instead of the text summary.",
)
def meta_command(
    file: Path, measure: str | None, method: str, test: str, by: str | None, egger: str | None,
    trimfill: bool, plot_path: Path | None, as_json: bool,
) -> None:  # fmt: skip
    """Meta-analyse the studies in FILE.csv.

    FILE.csv holds raw columns named as metafor's escalc arguments (ai, bi, ci, di, n1i, n2i,
    m1i, m2i, sd1i, sd2i, xi, ni, ri) or yi and vi, plus an optional study column. Results are
    on the model scale (log scale for ratios); ratio and proportion measures also get the
    back-transformed estimate.
    """
    try:
        method = method_name(method)
    except PoolingError as exc:
        raise _fail(str(exc)) from None
    test = test.lower()
    if plot_path is not None and plot_path.suffix.lower() not in (".svg", ".pdf", ".png"):
        raise _fail(f"--plot {plot_path}: the file must end in .svg, .pdf or .png")
    if plot_path is not None and not plot_path.parent.exists():
        raise _fail(f"--plot {plot_path}: folder {plot_path.parent} does not exist")
    frame = _read(file)
    settings = AnalysisSettings(measure=measure, method=method, test=test, by=by, egger=egger,
                                trimfill=trimfill)
    try:
        analysis = run_analysis(frame, settings)
        if plot_path is not None:
            _plot(plot_path, analysis)
    except PoolingError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        emit(json.dumps(analysis.to_dict(), allow_nan=False))
    else:
        echo(analysis.summary())
        if plot_path is not None:
            echo(f"Forest plot written to {plot_path}", err=True)


def _plot(path: Path, analysis: Analysis) -> None:
    try:
        analysis.write_forest(path)
    except OSError as exc:
        raise _fail(f"--plot {path}: {exc.strerror or exc}") from None
