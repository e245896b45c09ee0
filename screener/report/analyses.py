"""Saved analyses (table ``analysis``) read for the report: result tables, results.csv, data files.

A saved analysis is a dict with ``settings`` (measure, method, test, level, by ...) and
``results`` (the pooling engine's keys: k, estimate, se, ci_lb, ci_ub, zval, pval, tau2, I2, H2,
QE, QEp, pi_lb, pi_ub, ``transformed``, ``subgroups``, Egger and trim-and-fill keys, and
``studies`` with label / yi / vi). Missing keys are shown as "—", never guessed.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

from screener.files import csv_writer
from screener.report.model import Table

__all__ = [
    "RAW_COLUMNS",
    "RESULT_COLUMNS",
    "data_csv",
    "data_rows",
    "fmt",
    "heterogeneity_line",
    "p_text",
    "result_table",
    "results_csv",
    "settings_table",
    "small_study_lines",
    "study_arrays",
    "subgroup_table",
]

RAW_COLUMNS = (
    "ai",
    "bi",
    "ci",
    "di",
    "n1i",
    "n2i",
    "x1i",
    "x2i",
    "t1i",
    "t2i",
    "m1i",
    "m2i",
    "sd1i",
    "sd2i",
    "xi",
    "mi",
    "ri",
    "ti",
    "sdi",
    "ni",
)
"""Columns named as metafor's escalc arguments (raw data a saved analysis may carry)."""
RESULT_COLUMNS = (
    "k",
    "estimate",
    "se",
    "ci_lb",
    "ci_ub",
    "zval",
    "pval",
    "tau2",
    "tau2_ci_lb",
    "tau2_ci_ub",
    "I2",
    "H2",
    "QE",
    "QE_df",
    "QEp",
    "pi_lb",
    "pi_ub",
    "estimate_transformed",
    "ci_lb_transformed",
    "ci_ub_transformed",
    "egger_z",
    "egger_p",
    "k0",
    "trimfill_estimate",
    "trimfill_ci_lb",
    "trimfill_ci_ub",
)


def fmt(value: Any, digits: int = 4) -> str:
    """A number for a table; "—" when missing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        return f"{value:.{digits}f}" if abs(value) >= 1e-4 or value == 0 else f"{value:.2e}"
    return str(value)


def fmt_p(p: Any) -> str:
    if not isinstance(p, (int, float)) or math.isnan(p):
        return "—"
    return "< 0.0001" if p < 1e-4 else f"{p:.4f}"


def p_text(p: Any) -> str:
    """ "p = 0.0421" or "p < 0.0001"."""
    text = fmt_p(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def settings_table(settings: Mapping[str, Any]) -> Table:
    """The settings an analysis was run with, one per row: lists of plain values (moderators,
    the favours labels) joined; the per-study data and nested settings left to the R script."""
    rows = []
    for key, value in settings.items():
        if isinstance(value, list):
            if not value or any(isinstance(v, (dict, list)) for v in value):
                continue
            rows.append((key, ", ".join(_setting(v) for v in value)))
        elif not isinstance(value, dict) and value not in (None, ""):
            rows.append((key, _setting(value)))
    return Table(("setting", "value"), tuple(rows))


def _setting(value: Any) -> str:
    """A setting as typed: a whole number without decimals (a 90% level reads "90")."""
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return fmt(value)


def _transformed(results: Mapping[str, Any]) -> Mapping[str, Any]:
    value = results.get("transformed")
    return value if isinstance(value, Mapping) else {}


def result_table(results: Mapping[str, Any], *, level: float = 95) -> Table:
    """The pooled estimate and heterogeneity statistics, one per row."""
    t = _transformed(results)
    rows = [
        ("k (studies)", fmt(results.get("k"))),
        ("estimate", fmt(results.get("estimate"))),
        ("standard error", fmt(results.get("se"))),
        (f"{level:g}% CI", f"{fmt(results.get('ci_lb'))} to {fmt(results.get('ci_ub'))}"),
        ("z (or t)", fmt(results.get("zval"))),
        ("p", fmt_p(results.get("pval"))),
    ]
    if t:
        rows += [
            ("estimate (back-transformed)", fmt(t.get("estimate"))),
            (
                f"{level:g}% CI (back-transformed)",
                f"{fmt(t.get('ci_lb'))} to {fmt(t.get('ci_ub'))}",
            ),
        ]
    rows += [
        ("tau²", fmt(results.get("tau2"))),
        ("I² (%)", fmt(results.get("I2"), 2)),
        ("H²", fmt(results.get("H2"), 2)),
        (
            "Q (df), p",
            f"{fmt(results.get('QE'))} ({fmt(results.get('QE_df'))}), {fmt_p(results.get('QEp'))}",
        ),
        ("prediction interval", f"{fmt(results.get('pi_lb'))} to {fmt(results.get('pi_ub'))}"),
    ]
    return Table(("statistic", "value"), tuple(rows))


def heterogeneity_line(results: Mapping[str, Any]) -> str:
    if results.get("QE") is None and results.get("I2") is None:
        return ""
    return (
        f"Heterogeneity: tau² = {fmt(results.get('tau2'))}; I² = {fmt(results.get('I2'), 1)}%; "
        f"Q = {fmt(results.get('QE'), 2)} (df = {fmt(results.get('QE_df'))}), "
        f"{p_text(results.get('QEp'))}"
    )


def small_study_lines(results: Mapping[str, Any]) -> tuple[str, ...]:
    """Egger's and Begg's tests and trim-and-fill, where the analysis ran them."""
    lines = []
    if results.get("egger_p") is not None:
        stat = "t" if results.get("egger_t") is not None else "z"
        value = results.get("egger_t", results.get("egger_z"))
        lines.append(
            f"Egger's regression test: {stat} = {fmt(value)}, {p_text(results.get('egger_p'))}"
        )
    if results.get("begg_p") is not None:
        lines.append(
            f"Begg's rank correlation: tau = {fmt(results.get('begg_tau'))}, "
            f"{p_text(results.get('begg_p'))}"
        )
    if results.get("k0") is not None:
        lines.append(
            f"Trim-and-fill: {fmt(results.get('k0'))} study(ies) imputed on the "
            f"{results.get('side', '—')} side; adjusted estimate "
            f"{fmt(results.get('trimfill_estimate'))} "
            f"({fmt(results.get('trimfill_ci_lb'))} to {fmt(results.get('trimfill_ci_ub'))})"
        )
    return tuple(lines)


def subgroup_table(results: Mapping[str, Any]) -> Table:
    groups = results.get("subgroups")
    if not isinstance(groups, Mapping) or not groups:
        return Table(())
    rows = []
    for level, values in groups.items():
        values = values if isinstance(values, Mapping) else {}
        rows.append(
            (
                str(level),
                fmt(values.get("k")),
                fmt(values.get("estimate")),
                f"{fmt(values.get('ci_lb'))} to {fmt(values.get('ci_ub'))}",
                fmt(values.get("I2"), 1),
            )
        )
    if results.get("Q_between") is not None:
        rows.append(
            (
                "test for subgroup differences",
                f"Q = {fmt(results.get('Q_between'), 2)}",
                p_text(results.get("p_between")),
                "",
                "",
            )
        )
    return Table(("subgroup", "k", "estimate", "CI", "I² (%)"), tuple(rows))


def study_arrays(results: Mapping[str, Any]) -> tuple[list[str], list[float], list[float]] | None:
    """(labels, yi, vi) of the analysis's studies, or None when the results do not carry them."""
    studies = results.get("studies")
    if not isinstance(studies, Mapping):
        return None
    yi, vi = studies.get("yi"), studies.get("vi")
    if not isinstance(yi, Sequence) or not isinstance(vi, Sequence) or len(yi) != len(vi) or not yi:
        return None
    labels = studies.get("label") or studies.get("labels") or [str(i + 1) for i in range(len(yi))]
    return [str(x) for x in labels], [float(x) for x in yi], [float(x) for x in vi]


def data_rows(settings: Mapping[str, Any], results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per-study rows for the exported CSV: the raw data if saved, else study / yi / vi."""
    for source in (results, settings):
        data = source.get("data")
        if isinstance(data, list) and data and all(isinstance(r, Mapping) for r in data):
            return [dict(r) for r in data]
    arrays = study_arrays(results)
    if arrays is None:
        return []
    labels, yi, vi = arrays
    subgroups = (results.get("studies") or {}).get("subgroup")
    rows = [{"study": s, "yi": y, "vi": v} for s, y, v in zip(labels, yi, vi, strict=True)]
    if isinstance(subgroups, Sequence) and len(subgroups) == len(rows):
        for row, group in zip(rows, subgroups, strict=True):
            row["subgroup"] = group
    return rows


def data_csv(rows: list[dict[str, Any]], *, raw: bool = False) -> str:
    """The per-study rows as CSV for R's ``read.csv`` ("NA" where missing); text cells are
    protected for spreadsheets unless ``raw`` (:func:`screener.files.spreadsheet_cell`)."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    buffer = io.StringIO()
    writer = csv_writer(buffer, raw=raw)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [
                "NA"
                if row.get(k) is None
                else repr(row[k])
                if isinstance(row[k], float)
                else row[k]
                for k in columns
            ]
        )
    return buffer.getvalue()


def _result_row(results: Mapping[str, Any]) -> list[Any]:
    t = _transformed(results)
    extra = {
        "estimate_transformed": t.get("estimate"),
        "ci_lb_transformed": t.get("ci_lb"),
        "ci_ub_transformed": t.get("ci_ub"),
    }
    return [extra[c] if c in extra else results.get(c) for c in RESULT_COLUMNS]


def results_csv(analyses: Sequence[Mapping[str, Any]], *, raw: bool = False) -> str:
    """One row per analysis (and per subgroup) with its pooled estimate and statistics; text
    cells protected for spreadsheets unless ``raw``."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, raw=raw)
    writer.writerow(
        [
            "analysis_id",
            "analysis",
            "outcome",
            "measure",
            "method",
            "test",
            "subgroup",
            *RESULT_COLUMNS,
        ]
    )
    for a in analyses:
        s, r = a.get("settings", {}), a.get("results", {})
        head = [
            a["id"],
            a["name"],
            a.get("outcome", ""),
            s.get("measure", r.get("measure", "")),
            s.get("method", r.get("method", "")),
            s.get("test", r.get("test", "")),
        ]
        writer.writerow([*head, "", *("" if v is None else v for v in _result_row(r))])
        groups = r.get("subgroups")
        if isinstance(groups, Mapping):
            for level, values in groups.items():
                if isinstance(values, Mapping):
                    writer.writerow(
                        [*head, level, *("" if v is None else v for v in _result_row(values))]
                    )
    return buffer.getvalue()
