"""A Stata do-file that reproduces each saved analysis, beside the report's analysis.R.

Each analysis reads ``data/analysis-<id>-stata.csv`` (``import delimited``): study, yi, sei (the
effects screener pooled), the subgroup when there is one, and the raw 2x2 or mean/SD/n columns
when the analysis saved them row for row. Stata 16+ refits it with the ``meta`` suite (``meta
esize`` from the raw data where Stata has the measure, else ``meta set yi sei``; ``meta
summarize``, ``meta forestplot``, ``meta funnelplot``, ``meta bias``, ``meta trimfill``); older
Stata (12-15) takes the ``else`` branch: ``insheet`` and the user-written ``metan``.

Untested here: Stata is not installed where screener is built, so the file is checked only for
its content (one block per analysis with the right measure and model), never run.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

from screener.files import csv_writer, printable
from screener.report.analyses import data_rows, study_arrays

__all__ = ["do_file", "stata_csv", "stata_data_file", "stata_rows"]

# screener's tau² estimators -> meta's random() methods (the others fall back to REML)
_RANDOM = {
    "REML": "reml",
    "ML": "mle",
    "EB": "ebayes",
    "DL": "dlaird",
    "SJ": "sjonkman",
    "HE": "hedges",
    "HS": "hschmidt",
}
_COMMON = {"FE", "EE", "CE"}
# measures meta esize computes from raw data: (esize(), the raw columns in meta esize's order)
_BINARY = {"RR": "lnrratio", "OR": "lnoratio", "RD": "rdiff"}
_CONTINUOUS = {"SMD": "hedgesg", "MD": "mdiff"}
_BINARY_COLUMNS = ("ai", "bi", "ci", "di")
_CONTINUOUS_COLUMNS = ("n1i", "m1i", "sd1i", "n2i", "m2i", "sd2i")
_RATIO = {"OR", "RR", "ROM", "IRR", "PETO", "HR"}
_METAN_BINARY = {"RR": "rr", "OR": "or", "RD": "rd"}

_HEADER = """* Reproduces the meta-analyses saved in the review "{title}" with Stata.
* Written by screener on {when}. Run it from the report folder:
*     do analysis.do
* Stata 16 or later runs the official meta suite (meta esize / meta set, meta summarize,
* meta forestplot); Stata 12-15 runs the user-written metan instead (ssc install metan).
* UNTESTED: Stata is not installed where screener is built and tested, so this file has never
* been run. analysis.R (metafor) is the tested reproduction; compare with its numbers.
set more off
"""


def stata_data_file(analysis_id: int) -> str:
    return f"data/analysis-{analysis_id}-stata.csv"


def _settings(a: Mapping[str, Any]) -> tuple[str, str, str, float]:
    s, r = a.get("settings", {}), a.get("results", {})
    measure = str(s.get("measure") or r.get("measure") or "GEN").upper()
    method = str(s.get("method") or r.get("method") or "REML").upper()
    test = str(s.get("test") or r.get("test") or "z").lower()
    level = s.get("level") or r.get("level") or 95
    level = float(level) * 100 if float(level) < 1 else float(level)
    return measure, method, test, level


def stata_rows(a: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of an analysis's Stata data file: study, yi, sei, subgroup and, when the saved
    raw data match the pooled studies row for row, the raw columns."""
    s, r = a.get("settings", {}), a.get("results", {})
    arrays = study_arrays(r)
    if arrays is None:
        return []
    labels, yi, vi = arrays
    rows: list[dict[str, Any]] = [
        {"study": label, "yi": y, "sei": math.sqrt(v) if v >= 0 else None}
        for label, y, v in zip(labels, yi, vi, strict=True)
    ]
    groups = (r.get("studies") or {}).get("subgroup")
    if isinstance(groups, Sequence) and not isinstance(groups, str) and len(groups) == len(rows):
        for row, group in zip(rows, groups, strict=True):
            row["subgroup"] = group
    measure = _settings(a)[0]
    wanted = (
        _BINARY_COLUMNS
        if measure in (*_BINARY, "PETO")
        else _CONTINUOUS_COLUMNS
        if measure in _CONTINUOUS
        else ()
    )
    raw = data_rows(s, r)
    if wanted and [str(x.get("study")) for x in raw] == labels:
        for row, data in zip(rows, raw, strict=True):
            row.update({k: v for k, v in data.items() if k in wanted})
    return rows


def stata_csv(rows: list[dict[str, Any]], *, raw: bool = False) -> str:
    """CSV for Stata's ``import delimited``: missing values as empty cells."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    buffer = io.StringIO()
    writer = csv_writer(buffer, raw=raw)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [
                "" if row.get(k) is None else repr(row[k]) if isinstance(row[k], float) else row[k]
                for k in columns
            ]
        )
    return buffer.getvalue()


def _comment(value: Any) -> str:
    return " ".join(printable(value).split())


def _model(method: str) -> tuple[str, str]:
    """(meta's model option, a note when screener's estimator has no Stata equivalent)."""
    if method in _COMMON:
        return "fixed", ""
    if method == "MH":
        return "fixed(mhaenszel)", ""
    if method in _RANDOM:
        return f"random({_RANDOM[method]})", ""
    return "random(reml)", f"* screener's estimator {method} has no meta equivalent: REML instead"


def _declare(measure: str, method: str, level: float, columns: set[str]) -> list[str]:
    """The meta esize / meta set line that declares the data."""
    model, note = _model(method)
    common = f"{model} studylabel(study) level({level:g})"
    if measure in _BINARY and set(_BINARY_COLUMNS) <= columns:
        return [note, f"meta esize ai bi ci di, esize({_BINARY[measure]}) {common}"]
    if measure == "PETO" and set(_BINARY_COLUMNS) <= columns:
        return [f"meta esize ai bi ci di, esize(lnorpeto) fixed studylabel(study) level({level:g})"]
    if measure in _CONTINUOUS and set(_CONTINUOUS_COLUMNS) <= columns:
        return [
            note,
            f"meta esize {' '.join(_CONTINUOUS_COLUMNS)}, esize({_CONTINUOUS[measure]}) {common}",
        ]
    if method == "MH":
        model, note = "fixed", "* Mantel-Haenszel needs the 2x2 counts: inverse-variance instead"
    return [
        note,
        f"* {measure}: the effects screener computed (yi) and their standard errors",
        f"meta set yi sei, {model} studylabel(study) level({level:g})",
    ]


def _metan(measure: str, method: str, level: float, columns: set[str], by: bool) -> list[str]:
    random = method not in _COMMON and method not in ("MH", "PETO")
    options = ["random" if random else "fixedi", "label(namevar=study)", f"level({level:g})"]
    if by:
        options.append("by(subgroup)")
    if measure in _METAN_BINARY and set(_BINARY_COLUMNS) <= columns:
        pooled = "peto" if method == "PETO" else "fixed" if method == "MH" else options[0]
        line = f"metan ai bi ci di, {_METAN_BINARY[measure]} {pooled} {' '.join(options[1:])}"
    elif measure in _CONTINUOUS and set(_CONTINUOUS_COLUMNS) <= columns:
        kind = "hedges" if measure == "SMD" else "nostandard"
        line = f"metan n1i m1i sd1i n2i m2i sd2i, {kind} {' '.join(options)}"
    else:
        eform = " eform" if measure in _RATIO else ""
        line = f"metan yi sei, {' '.join(options)}{eform}"
    notes = []
    if random and method != "DL":
        notes.append(
            f"* metan's random effects are DerSimonian-Laird, not {method}: "
            "tau² and the CI can differ a little."
        )
    return [*notes, line]


def _meta(
    a: Mapping[str, Any], measure: str, method: str, test: str, level: float, columns: set[str]
) -> list[str]:
    """The Stata 16+ lines: declare, summarize, plots, small-study tests."""
    aid = int(a["id"])
    by = "subgroup" in columns
    lines = [
        f'import delimited using "{stata_data_file(aid)}", clear varnames(1) '
        "encoding(utf-8) stringcols(1)"
    ]
    lines += [line for line in _declare(measure, method, level, columns) if line]
    summarize = "meta summarize" + (", subgroup(subgroup)" if by else "")
    if test in ("knha", "hksj") and method not in _COMMON:
        summarize += (" " if by else ", ") + "se(khartung)"
    eform = " eform" if measure in _RATIO else ""
    plot = "meta forestplot" + (
        f", subgroup(subgroup){eform}" if by else f",{eform}" if eform else ""
    )
    lines += [
        summarize,
        plot,
        f'graph export "analysis-{aid}-forest-stata.pdf", replace',
        "meta funnelplot",
        f'graph export "analysis-{aid}-funnel-stata.pdf", replace',
    ]
    r = a.get("results", {})
    lines += ["meta bias, egger"] if r.get("egger_p") is not None else []
    lines += ["meta bias, begg"] if r.get("begg_p") is not None else []
    lines += ["meta trimfill"] if r.get("k0") is not None else []
    return lines


def _analysis(a: Mapping[str, Any]) -> list[str]:
    aid = int(a["id"])
    measure, method, test, level = _settings(a)
    lines = [
        "",
        f"* ==== Analysis {aid}: {_comment(a.get('name', ''))}"
        + (f" (outcome: {_comment(a['outcome'])})" if a.get("outcome") else ""),
        f"* measure {measure}, method {method}, test {test}, level {level:g}%",
    ]
    rows = stata_rows(a)
    if not rows:
        return [*lines, "* screener saved no per-study data for this analysis: nothing to refit."]
    columns = {k for row in rows for k in row}
    old = [
        f'insheet using "{stata_data_file(aid)}", comma names clear',
        *_metan(measure, method, level, columns, "subgroup" in columns),
    ]
    return [
        *lines,
        "if c(stata_version) >= 16 {",
        *(f"    {line}" for line in _meta(a, measure, method, test, level, columns)),
        "}",
        "else {",
        "    * Stata 12-15: the user-written metan (ssc install metan)",
        *(f"    {line}" for line in old),
        "}",
    ]


def do_file(analyses: Sequence[Mapping[str, Any]], *, title: str, when: str) -> str:
    """The whole do-file for ``analyses`` (dicts with id, name, outcome, settings, results)."""
    lines = [_HEADER.format(title=_comment(title).replace('"', "'"), when=when).rstrip("\n")]
    if not analyses:
        lines.append("\n* No analyses saved yet.")
    for a in analyses:
        lines += _analysis(a)
    return "\n".join(lines) + "\n"
