"""``screener meta``: pool the studies of a CSV file (a thin shell over :mod:`screener.pooling`)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd

from screener.pooling import (
    EffectSizes,
    PoolingError,
    PoolResult,
    SubgroupResult,
    escalc,
    format_summary,
    regtest,
    rma,
    rma_mh,
    rma_peto,
    subgroup_analysis,
    subgroup_difference,
    transformed,
)
from screener.pooling import trimfill as trim_and_fill
from screener.pooling.report import format_egger, format_subgroups, format_trimfill
from screener.pooling.transforms import PROPORTION_MEASURES, RATIO_MEASURES

_METHODS = {
    m.upper(): m
    for m in (
        "FE",
        "EE",
        "DL",
        "REML",
        "ML",
        "PM",
        "PMM",
        "HE",
        "SJ",
        "HS",
        "HSk",
        "EB",
        "MH",
        "PETO",
    )
}
_RAW = ("ai", "bi", "ci", "di", "n1i", "n2i", "m1i", "m2i", "sd1i", "sd2i", "xi", "ni", "ri")
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


def _effects(frame: pd.DataFrame, measure: str | None) -> EffectSizes:
    labels = [str(x) for x in frame["study"]] if "study" in frame.columns else None
    if "yi" in frame.columns and ("vi" in frame.columns or "sei" in frame.columns):
        es = escalc(frame, measure="GEN", labels=labels)
        return dataclasses.replace(es, measure=(measure or "GEN").upper())
    if measure is None:
        present = [c for c in _RAW if c in frame.columns]
        if not present:
            raise _fail(
                "no effect-size columns: expected yi and vi, or raw columns such as ai, bi, ci, di, m1i, xi, ri"
            )
        raise _fail(
            f"the file has raw columns ({', '.join(present)}): give --measure (e.g. OR, RR, SMD, PLO)"
        )
    return escalc(frame, measure=measure, labels=labels)


def _fit(frame: pd.DataFrame, es: EffectSizes, method: str, test: str) -> PoolResult:
    if method == "MH":
        if es.measure not in ("OR", "RR", "RD"):
            raise _fail(
                "--method MH needs --measure OR, RR or RD and columns ai, bi, ci, di (or n1i, n2i)"
            )
        return rma_mh(frame, measure=es.measure, labels=es.labels)
    if method == "PETO":
        if es.measure not in ("OR", "PETO"):
            raise _fail(
                "--method PETO pools odds ratios: use --measure OR with columns ai, bi, ci, di"
            )
        return rma_peto(frame, labels=es.labels)
    return rma(es, method=method, test=test)


def _result_dict(res: PoolResult) -> dict[str, Any]:
    out = res.to_dict()
    if res.measure in RATIO_MEASURES or res.measure in PROPORTION_MEASURES:
        back = transformed(res)
        if back is not None:
            out["transformed"] = back.to_dict()
    return out


def _subgroups(
    frame: pd.DataFrame, es: EffectSizes, by: str, method: str, test: str
) -> tuple[SubgroupResult, list[int]]:
    if by not in frame.columns:
        raise _fail(f"--by {by}: no such column (columns: {', '.join(frame.columns)})")
    groups = frame[by]
    if groups.isna().any():
        raise _fail(f"--by {by}: some studies have no value in this column")
    keep = np.isfinite(np.asarray(es.yi)) & np.isfinite(np.asarray(es.vi))
    if method in ("MH", "PETO"):
        keep = np.ones(len(frame), dtype=bool)  # MH and Peto use every table
    text = groups.astype(str).to_numpy()
    levels = sorted(set(text[keep]))
    order = [i for lvl in levels for i in np.flatnonzero((text == lvl) & keep)]
    if method in ("MH", "PETO"):
        if len(levels) < 2:
            raise _fail("a subgroup analysis needs at least two subgroups")
        fits = []
        for lvl in levels:
            part = frame[(text == lvl)].reset_index(drop=True)
            part_es = dataclasses.replace(es, labels=tuple(np.asarray(es.labels)[text == lvl]))
            fits.append(_fit(part, part_es, method, test))
        q, df, p = subgroup_difference(fits)
        counts = tuple(f.k for f in fits)
        return SubgroupResult(tuple(levels), counts, tuple(fits), None, q, df, p, False), order
    return subgroup_analysis(es, groups=list(text), method=method, test=test), order


def _columns(frame: pd.DataFrame, measure: str) -> dict[str, list[str]] | None:
    def has(*names: str) -> bool:
        return all(n in frame.columns for n in names)

    def num(x: Any) -> str:
        return f"{x:g}" if isinstance(x, (int, float, np.number)) else str(x)

    if has("ai", "ci"):
        n1 = (
            frame["n1i"] if "n1i" in frame else frame["ai"] + frame["bi"] if "bi" in frame else None
        )
        n2 = (
            frame["n2i"] if "n2i" in frame else frame["ci"] + frame["di"] if "di" in frame else None
        )
        if n1 is not None and n2 is not None:
            return {"Group 1": [f"{num(a)}/{num(n)}" for a, n in zip(frame["ai"], n1, strict=True)],
                    "Group 2": [f"{num(c)}/{num(n)}" for c, n in zip(frame["ci"], n2, strict=True)]}  # fmt: skip
    if has("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"):
        return {"Group 1": [f"{num(m)} ({num(s)}), {num(n)}" for m, s, n in zip(frame["m1i"], frame["sd1i"], frame["n1i"], strict=True)],
                "Group 2": [f"{num(m)} ({num(s)}), {num(n)}" for m, s, n in zip(frame["m2i"], frame["sd2i"], frame["n2i"], strict=True)]}  # fmt: skip
    if has("xi", "ni"):
        return {
            "Events/Total": [
                f"{num(x)}/{num(n)}" for x, n in zip(frame["xi"], frame["ni"], strict=True)
            ]
        }
    if has("ri", "ni"):
        return {
            "r (n)": [f"{num(r)} ({num(n)})" for r, n in zip(frame["ri"], frame["ni"], strict=True)]
        }
    return None


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
    method_key = method.upper()
    if method_key not in _METHODS:
        raise _fail(
            f"unknown --method {method!r}; use one of FE, DL, REML, ML, PM, HE, SJ, HS, EB, MH, PETO"
        )
    method = _METHODS[method_key]
    test = test.lower()
    if plot_path is not None and plot_path.suffix.lower() not in (".svg", ".pdf", ".png"):
        raise _fail(f"--plot {plot_path}: the file must end in .svg, .pdf or .png")
    if plot_path is not None and not plot_path.parent.exists():
        raise _fail(f"--plot {plot_path}: folder {plot_path.parent} does not exist")
    frame = _read(file)
    try:
        es = _effects(frame, measure)
        result = _fit(frame, es, method, test)
        out = _result_dict(result)
        texts = [format_summary(result)]
        sub = None
        if by is not None:
            sub, order = _subgroups(frame, es, by, method, test)
            assert sub.fits is not None
            out["subgroups"] = {
                lvl: _result_dict(fit) for lvl, fit in zip(sub.levels, sub.fits, strict=True)
            }
            out["Q_between"], out["df_between"], out["p_between"] = (
                sub.Q_between,
                sub.df_between,
                sub.p_between,
            )
            texts.append(format_subgroups(sub))
        if egger is not None or trimfill:
            if method in ("MH", "PETO"):
                raise _fail(
                    "--egger and --trimfill need an inverse-variance model: use --method FE or a tau^2 estimator"
                )
        if egger is not None:
            eg = regtest(es, model=egger, method=method, test=test)
            key = "egger_t" if egger == "lm" else "egger_z"
            out[key], out["egger_p"] = eg.stat, eg.pval
            if eg.df is not None:
                out["egger_df"] = eg.df
            texts.append(format_egger(eg))
        if trimfill:
            tf = trim_and_fill(es, method=method, test=test)
            out.update(k0=tf.k0, side=tf.side, se_k0=tf.se_k0, trimfill_k=tf.fit.k,
                       trimfill_estimate=tf.fit.estimate, trimfill_se=tf.fit.se,
                       trimfill_ci_lb=tf.fit.ci_lb, trimfill_ci_ub=tf.fit.ci_ub)  # fmt: skip
            texts.append(format_trimfill(tf))
        if plot_path is not None:
            _plot(plot_path, frame, es, result, sub, order if by is not None else None)
    except PoolingError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        click.echo(json.dumps(_clean(out), allow_nan=False))
    else:
        click.echo("\n".join(texts).rstrip())
        if plot_path is not None:
            click.echo(f"Forest plot written to {plot_path}", err=True)


def _plot(
    path: Path,
    frame: pd.DataFrame,
    es: EffectSizes,
    result: PoolResult,
    sub: SubgroupResult | None,
    order: list[int] | None,
) -> None:
    from screener.pooling.plots import forest_plot  # matplotlib is imported only when plotting

    columns = _columns(frame, es.measure)
    keep = np.isfinite(np.asarray(es.yi)) & np.isfinite(np.asarray(es.vi))
    if result.method in ("MH", "PETO"):
        keep = np.ones(len(frame), dtype=bool)
    if columns is not None:
        index = order if order is not None else list(np.flatnonzero(keep))
        columns = {name: [values[i] for i in index] for name, values in columns.items()}
    try:
        if sub is not None:
            forest_plot(sub, path, overall=result, columns=columns)
        else:
            forest_plot(result, path, columns=columns)
    except OSError as exc:
        raise _fail(f"--plot {path}: {exc.strerror or exc}") from None


def _clean(value: Any) -> Any:
    from screener.pooling.results import clean

    return clean(value)
