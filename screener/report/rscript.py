"""An R script that reproduces each saved analysis with metafor from the exported CSV files.

Each analysis reads ``data/analysis-<id>.csv`` (raw data when the analysis saved them, else the
study / yi / vi screener pooled), refits it with the same measure, estimator, test and level,
prints the result, runs the small-study tests the analysis ran, draws its forest and funnel plots
to PDF, and compares metafor's numbers with screener's; the script exits with status 1 if any
differs by more than a relative 1e-6.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from screener.files import printable, spreadsheet_cell
from screener.report.analyses import RAW_COLUMNS, data_rows

__all__ = ["data_file", "r_script"]

_TESTS = {"z": "z", "t": "t", "knha": "knha", "hksj": "knha", "adhoc": "adhoc"}
_METHODS = {
    "FE",
    "EE",
    "CE",
    "DL",
    "REML",
    "ML",
    "PM",
    "HE",
    "SJ",
    "HS",
    "EB",
    "HSk",
    "GENQ",
    "PMM",
}

_HEADER = """# Reproduces the meta-analyses saved in the review "{title}" with R's metafor.
# Written by screener on {when}. Run it from the report folder:
#     Rscript analysis.R
# Each analysis reads data/analysis-<id>.csv, refits it, prints metafor's results, saves its
# forest and funnel plots as PDF, and compares metafor's numbers with screener's: the pooled
# result, small-study tests, subgroups, meta-regression, leave-one-out, influence and cumulative
# analyses, as the analysis ran them.

suppressPackageStartupMessages(library(metafor))
mismatches <- 0
check <- function(label, got, expected, tolerance = 1e-6) {{
  got <- as.numeric(got)[1]
  if (is.na(expected)) return(invisible(TRUE))
  ok <- isTRUE(all.equal(got, expected, tolerance = tolerance)) ||
        (abs(expected) < 1e-8 && abs(got) < 1e-8)
  cat(sprintf("  %-32s metafor % .8g   screener % .8g   %s\\n", label, got, expected,
              if (ok) "ok" else "DIFFERS"))
  if (!ok) mismatches <<- mismatches + 1
  invisible(ok)
}}
checkv <- function(label, got, expected, tolerance = 1e-6) {{
  got <- as.numeric(got)
  same <- function(g, e) is.na(e) || isTRUE(all.equal(g, e, tolerance = tolerance)) ||
    isTRUE(abs(e) < 1e-8 && abs(g) < 1e-8)
  ok <- length(got) == length(expected) && all(mapply(same, got, expected))
  cat(sprintf("  %-32s %d values %s\n", label, length(expected),
              if (ok) "ok" else "DIFFER"))
  if (!ok) mismatches <<- mismatches + 1
  invisible(ok)
}}
"""


def data_file(analysis_id: int) -> str:
    return f"data/analysis-{analysis_id}.csv"


def _r_char(c: str) -> str:
    if c in ('"', "\\"):
        return "\\" + c
    if c == "\x00":
        return "\\\\x00"  # R strings cannot hold NUL: the four characters \x00 instead
    if c < " " or "\x7f" <= c <= "\x9f":
        return f"\\u{{{ord(c):x}}}"
    return c


def _r_string(value: Any) -> str:
    """An R string literal holding exactly ``value`` (controls as ``\\u{..}`` escapes)."""
    return '"' + "".join(_r_char(c) for c in str(value)) + '"'


def _r_number(value: Any) -> str:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        return "NA"
    return repr(float(value))


def _comment(value: Any) -> str:
    return " ".join(printable(value).split())


def _fit(
    a: Mapping[str, Any], rows: list[dict[str, Any]], var: str, subset: str = "", mods: str = ""
) -> list[str]:
    """R lines that fit one model into ``var`` (the data frame is ``dat``); ``mods``: a
    meta-regression formula's right-hand side (MH and Peto never have one: screener refuses)."""
    s, r = a.get("settings", {}), a.get("results", {})
    measure = str(s.get("measure") or r.get("measure") or "GEN").upper()
    method = str(s.get("method") or r.get("method") or "REML").upper()
    method = {"HSK": "HSk"}.get(method, method)
    test = _TESTS.get(str(s.get("test") or r.get("test") or "z").lower(), "z")
    level = s.get("level") or r.get("level") or 95
    level = level * 100 if isinstance(level, float) and level < 1 else level
    data = f"subset(dat, {subset})" if subset else "dat"
    raw = [c for c in RAW_COLUMNS if any(c in row for row in rows)]
    cells = ", ".join(f"{c} = {c}" for c in raw)
    if method in ("MH", "PETO"):
        if not {"ai", "bi", "ci", "di"} <= set(raw) and not {"ai", "ci", "n1i", "n2i"} <= set(raw):
            return [
                f"# {method} needs the 2x2 counts, which this analysis did not save;",
                "# the common-effect inverse-variance model on yi / vi is fitted instead.",
                f'{var} <- rma(yi, vi, data = {data}, method = "EE", level = {level})',
            ]
        fn = "rma.mh" if method == "MH" else "rma.peto"
        extra = f', measure = "{measure}"' if method == "MH" else ""
        return [f"{var} <- {fn}({cells}, data = {data}{extra}, level = {level})"]
    lines = []
    if raw and measure != "GEN" and not subset:  # once: the subsets reuse its yi / vi
        lines.append(f'dat <- escalc(measure = "{measure}", {cells}, data = dat)')
    if method not in _METHODS:
        lines.append(f"# screener's method {method!r} has no metafor name; REML is used")
        method = "REML"
    slab = ", slab = study" if any("study" in row for row in rows) else ""
    lines.append(
        f"{var} <- rma(yi, vi{f', mods = ~ {mods}' if mods else ''}, data = {data}, "
        f'method = "{method}", test = "{test}", '
        f"level = {level}{slab})"
    )
    return lines


def _checks(var: str, results: Mapping[str, Any], prefix: str = "") -> list[str]:
    pairs = [
        ("estimate", "as.numeric(coef({v}))"),
        ("se", "{v}$se"),
        ("ci_lb", "{v}$ci.lb"),
        ("ci_ub", "{v}$ci.ub"),
        ("tau2", "{v}$tau2"),
        ("I2", "{v}$I2"),
        ("QE", "{v}$QE"),
    ]
    return [
        f"check({_r_string(prefix + key)}, {expr.format(v=var)}, {_r_number(results.get(key))})"
        for key, expr in pairs
        if isinstance(results.get(key), (int, float))
    ]


def _analysis(a: Mapping[str, Any], raw: bool) -> list[str]:
    s, r = a.get("settings", {}), a.get("results", {})
    rows = data_rows(s, r)
    aid = int(a["id"])
    lines = [
        "",
        f"## Analysis {aid}: {_comment(a.get('name', ''))}"
        + (f" (outcome: {_comment(a['outcome'])})" if a.get("outcome") else ""),
    ]
    if not rows:
        return [*lines, "# screener saved no per-study data for this analysis: nothing to refit."]
    var = f"res{aid}"
    lines.append(
        f'dat <- read.csv("{data_file(aid)}", stringsAsFactors = FALSE, check.names = FALSE)'
    )
    fit = _fit(a, rows, var)
    lines += [*fit, f"print({var})"]
    exact = not any("is fitted instead" in line for line in fit)
    if not exact:
        lines.append(
            f'cat("Analysis {aid}: a different model from screener\'s, so nothing is compared.\\n")'
        )
    else:
        lines += [f'cat("Analysis {aid} against screener:\\n")', *_checks(var, r)]
    if r.get("egger_p") is not None:
        model = ', model = "lm"' if r.get("egger_t") is not None else ""
        stat = "egger_t" if r.get("egger_t") is not None else "egger_z"
        lines += [
            f"egger{aid} <- regtest({var}{model})",
            f"print(egger{aid})",
            f'check("egger statistic", egger{aid}$zval, {_r_number(r.get(stat))})',
            f'check("egger p", egger{aid}$pval, {_r_number(r.get("egger_p"))})',
        ]
    if r.get("k0") is not None:
        lines += [
            f"tf{aid} <- trimfill({var})",
            f"print(tf{aid})",
            f'check("trim-and-fill k0", tf{aid}$k0, {_r_number(r.get("k0"))})',
            f'check("trim-and-fill estimate", coef(tf{aid}), '
            f"{_r_number(r.get('trimfill_estimate'))})",
        ]
    if exact:
        lines += _further(a, rows, var, aid)
    if not exact:
        lines = [line for line in lines if not line.startswith("check(")]
    groups = r.get("subgroups")
    columns = {k for row in rows for k in row}
    column = next((c for c in ("subgroup", s.get("by")) if c and c in columns), None)
    if isinstance(groups, Mapping) and groups and column and exact:
        lines.append(f"fits{aid} <- list()")
        for i, (level, values) in enumerate(groups.items()):
            sub = f"{var}_{i + 1}"
            cell = level if raw else spreadsheet_cell(level)  # as the data file holds it
            lines += _fit(a, rows, sub, subset=f"{column} == {_r_string(cell)}")
            lines += [
                f"fits{aid}[[{_r_string(cell)}]] <- {sub}",
                *(_checks(sub, values, prefix=f"{level}: ") if isinstance(values, Mapping) else []),
            ]
        lines += [
            "# test for subgroup differences (separate tau² per subgroup), as screener reports it",
            f"between{aid} <- rma(sapply(fits{aid}, coef), sei = sapply(fits{aid}, function(f) "
            "f$se),"
            f' mods = ~ factor(names(fits{aid})), method = "FE")',
            f'check("Q between subgroups", between{aid}$QM, {_r_number(r.get("Q_between"))})',
        ]
    lines += [
        f'pdf("analysis-{aid}-forest-metafor.pdf")',
        f"forest({var})",
        "invisible(dev.off())",
        f'pdf("analysis-{aid}-funnel-metafor.pdf")',
        f"funnel({var})",
        "invisible(dev.off())",
    ]
    return lines


def _r_vector(values: Any) -> str:
    items = values if isinstance(values, list) else []
    return "c(" + ", ".join(_r_number(v) for v in items) + ")"


def _checkv(label: str, expr: str, values: Any) -> str:
    return f"checkv({_r_string(label)}, {expr}, {_r_vector(values)})"


_PER_STUDY = (
    (
        "leave_one_out",
        "l1o",
        "leave1out",
        (
            ("leave-one-out estimates", "$estimate", "estimate"),
            ("leave-one-out tau2", "$tau2", "tau2"),
        ),
    ),
    (
        "influence",
        "inf",
        "influence",
        (
            ("influence rstudent", "$inf$rstudent", "rstudent"),
            ("influence cook.d", "$inf$cook.d", "cook_d"),
        ),
    ),
)
"""Per-study analyses: saved key, R variable, metafor function, (label, R field, saved key)."""


def _further(a: Mapping[str, Any], rows: list[dict[str, Any]], var: str, aid: int) -> list[str]:
    """R lines for the further analyses the saved one ran (meta-regression, Begg's test,
    leave-one-out, influence, cumulative), each compared with screener's numbers."""
    s, r = a.get("settings", {}), a.get("results", {})
    lines: list[str] = []
    columns = {k for row in rows for k in row}
    reg = r.get("meta_regression")
    mods = [m for m in s.get("mods") or [] if isinstance(m, str)]
    if isinstance(reg, Mapping) and mods:
        if not set(mods) <= columns:
            lines.append("# the moderators were not saved with this analysis: no meta-regression")
        else:
            formula = " + ".join("`" + m.replace("`", "") + "`" for m in mods)
            lines += [
                _fit(a, rows, f"reg{aid}", mods=formula)[-1],  # dat has yi, vi already
                f"print(reg{aid})",
                f'check("meta-regression QM", reg{aid}$QM, {_r_number(reg.get("QM"))})',
                f'check("meta-regression tau2", reg{aid}$tau2, {_r_number(reg.get("tau2"))})',
            ]
            coefficients = reg.get("coefficients")
            if isinstance(coefficients, Mapping):
                estimates = [
                    c.get("estimate") for c in coefficients.values() if isinstance(c, dict)
                ]
                lines.append(
                    f'checkv("meta-regression coefficients", coef(reg{aid}), '
                    f"{_r_vector(estimates)})"
                )
    if r.get("begg_tau") is not None:
        lines += [
            f"rank{aid} <- ranktest({var})",
            f"print(rank{aid})",
            f'check("Begg tau", rank{aid}$tau, {_r_number(r.get("begg_tau"))})',
            f'check("Begg p", rank{aid}$pval, {_r_number(r.get("begg_p"))})',
        ]
    for key, name, call, checks in _PER_STUDY:
        found = r.get(key)
        if isinstance(found, Mapping):
            lines += [f"{name}{aid} <- {call}({var})", f"print({name}{aid})"]
            lines += [
                _checkv(label, f"{name}{aid}{field}", found.get(value))
                for label, field, value in checks
            ]
    cum = r.get("cumulative")
    if isinstance(cum, Mapping) and isinstance(cum.get("study"), list):
        order = "c(" + ", ".join(_r_string(x) for x in cum["study"]) + ")"
        lines += [
            "# the order screener added the studies in: each study's place in it",
            f"cum{aid} <- cumul({var}, order = match(dat$study, {order}))",
            f"print(cum{aid})",
            f'checkv("cumulative estimates", cum{aid}$estimate, {_r_vector(cum.get("estimate"))})',
        ]
    return lines


def r_script(
    analyses: Sequence[Mapping[str, Any]], *, title: str, when: str, raw: bool = False
) -> str:
    """The whole script for ``analyses`` (dicts with id, name, outcome, settings, results);
    ``raw``: the data files were written without spreadsheet protection
    (:func:`screener.files.spreadsheet_cell`), so subgroup names are matched as they are."""
    lines = [_HEADER.format(title=_comment(title).replace('"', "'"), when=when).rstrip("\n")]
    if not analyses:
        lines.append("\n# No analyses saved yet.")
    for a in analyses:
        lines += _analysis(a, raw)
    lines += [
        "",
        "if (mismatches > 0) {",
        '  cat(mismatches, "value(s) differ from screener\'s\\n")',
        "  quit(status = 1)",
        "}",
        'cat("All checked values agree with screener\'s.\\n")',
    ]
    return "\n".join(lines) + "\n"
