"""Pooling extracted data: an outcome's agreed values become a study table, the pooling engine
analyses it as ``screener meta`` analyses a CSV file, and the analysis is saved in the review.

The table is the analysis-ready extraction table (escalc column names, see
:mod:`screener.extraction.table`) of one outcome at one timepoint: one row per study, or per
study subgroup. Study-level fields (e.g. allocation) and the table's ``subgroup`` column can be
used as subgroup columns (``by``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sqlite_utils

from screener.errors import InvalidInputError, ScreenerError
from screener.extraction.forms import OutcomeSpec
from screener.extraction.table import COLUMNS, ESCALC_COLUMNS, export_rows, extra_column
from screener.flows import extraction as extraction_flow
from screener.flows import studies as studies_flow
from screener.model import label_text
from screener.pooling import PoolingError
from screener.pooling.analysis import Analysis, AnalysisSettings, method_name, run_analysis
from screener.pooling.further import FurtherRequest
from screener.storage import analysis as store
from screener.storage import extraction as extraction_store
from screener.storage import review as review_store
from screener.storage.analysis import SavedAnalysis
from screener.storage.db import transaction

__all__ = [
    "DATA_COLUMNS",
    "MEASURES_FOR",
    "OutcomeAnalysis",
    "OutcomeTable",
    "SavedAnalysis",
    "analyses",
    "delete",
    "get",
    "outcome_table",
    "pool",
    "rename",
    "run",
    "save",
]

MEASURES_FOR: dict[str, tuple[str, ...]] = {
    "dichotomous": ("RR", "OR", "RD", "PETO"),
    "continuous": ("SMD", "MD", "ROM"),
    "prepost": ("SMCR", "SMCC", "MC"),
    "proportion": ("PLO", "PR", "PAS", "PFT", "PLN"),
    "correlation": ("ZCOR", "COR"),
}
"""The effect measures each data type supports (the first is the TUI's default)."""
DATA_COLUMNS: dict[str, tuple[str, ...]] = {
    "dichotomous": ("ai", "bi", "ci", "di", "n1i", "n2i"),
    "continuous": ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),
    "prepost": ("m1i", "m2i", "sd1i", "sd2i", "ni", "ri"),
    "proportion": ("xi", "ni"),
    "correlation": ("ri", "ni"),
    "generic": ("yi", "vi", "ni"),
}
"""The escalc columns of the extraction table that carry each data type's data."""
# Columns escalc would read if a study field had their name; such fields are not offered.
_READ_BY_ESCALC = frozenset({*ESCALC_COLUMNS, "mi", "sei"})
_NOT_SUBGROUPS = frozenset({*COLUMNS, "study"}) - {"timepoint", "subgroup"}


@dataclass(frozen=True, slots=True, eq=False)
class OutcomeAnalysis:
    """An analysis of one outcome's extracted data, not saved yet (see :func:`save`)."""

    outcome: str
    data_type: str
    timepoint: str
    analysis: Analysis
    without_data: tuple[str, ...] = ()
    not_included: tuple[str, ...] = ()

    def default_name(self) -> str:
        s = self.analysis.settings
        parts = [self.analysis.effects.measure, s.method]
        parts += [s.test] if s.test != "z" else []
        parts += [f"by {s.by}"] if s.by else []
        parts += [f"mods {'+'.join(s.further.mods)}"] if s.further.mods else []
        parts += [f"{s.level:g}% CI"] if s.level != 95 else []
        parts += [self.timepoint] if self.timepoint else []
        return f"{self.outcome}: {', '.join(parts)}"

    def settings(self) -> dict[str, Any]:
        """What was run, and the per-study input data (``data``, for the report's R script)."""
        s = self.analysis.settings.to_dict()
        s["measure"] = self.analysis.effects.measure
        return {
            "outcome": self.outcome,
            "data_type": self.data_type,
            "timepoint": self.timepoint,
            **s,
            "data": self._data_rows(),
        }

    def results(self) -> dict[str, Any]:
        """The ``screener meta --json`` object plus ``studies`` (label, yi, vi, weight_percent
        and, with subgroups, each study's subgroup), ``studies_without_data`` and
        ``studies_not_included`` (pooled studies PRISMA does not count as included)."""
        out = self.analysis.to_dict()
        out["studies"] = self._studies()
        if self.without_data:
            out["studies_without_data"] = list(self.without_data)
        if self.not_included:
            out["studies_not_included"] = list(self.not_included)
        return out

    def notes(self) -> list[str]:
        """What the text output says besides the analysis: studies left out or not included."""
        out = []
        if self.without_data:
            out.append(f"no data for {', '.join(self.without_data)}; left out")
        if self.not_included:
            out.append(
                f"{len(self.not_included)} pooled "
                f"stud{'y' if len(self.not_included) == 1 else 'ies'} "
                f"with no report included at full text, so not among PRISMA's studies "
                f"included: {', '.join(self.not_included)} (screener study link)"
            )
        return out

    def _studies(self) -> dict[str, list[Any]]:
        a = self.analysis
        res = a.result
        rows = a.pooled_rows()
        finite = np.isfinite(np.asarray(res.yi)) & np.isfinite(np.asarray(res.vi))
        pick = np.flatnonzero(finite)
        out: dict[str, list[Any]] = {
            "label": [res.labels[i] for i in pick],
            "yi": [float(res.yi[i]) for i in pick],
            "vi": [float(res.vi[i]) for i in pick],
            "weight_percent": [float(res.weights_percent[i]) for i in pick],
        }
        by = a.settings.by
        if by is not None:
            groups = a.frame[by].astype(str).to_numpy()
            out["subgroup"] = [str(groups[rows[i]]) for i in pick]
        return out

    def _data_rows(self) -> list[dict[str, Any]]:
        frame = self.analysis.frame
        by = self.analysis.settings.by
        # generic rows carry yi, vi only: with ni beside them the report's R script would
        # call escalc() for the measure, which needs raw data
        data = ("yi", "vi") if self.data_type == "generic" else DATA_COLUMNS[self.data_type]
        keep = ["study", *(c for c in data if c in frame.columns)]
        if by is not None and by not in keep:
            keep.append(by)
        # the study fields a meta-regression or a cumulative order used, for the R script
        further = self.analysis.settings.further
        for field in (*further.mods, further.cumulative):
            if field and field in frame.columns and field not in keep:
                keep.append(field)
        return [{c: _json_value(row[c]) for c in keep} for row in frame[keep].to_dict("records")]


@dataclass(frozen=True, slots=True, eq=False)
class OutcomeTable:
    """One outcome's study table at one timepoint, ready for the pooling engine.

    ``frame`` has ``study`` (the study, with its subgroup in brackets for subgroup rows), the
    data columns of the outcome's data type (numbers), and the study-level and row fields,
    ``timepoint`` and ``subgroup`` as text (None where empty). ``measures`` are the effect
    measures that fit the data (the first is the default); ``by_columns`` the text columns that
    split the studies into subgroups (a value for every study, some level with two or more);
    ``moderators`` the field columns a meta-regression or a cumulative order can use (numeric
    form fields hold numbers, the others text).
    """

    outcome: OutcomeSpec
    frame: pd.DataFrame
    timepoints: tuple[str, ...]
    timepoint: str
    without_data: tuple[str, ...]
    measures: tuple[str, ...]
    by_columns: tuple[str, ...] = ()
    studies: tuple[str, ...] = ()  # the studies with data, by name (without subgroups)
    moderators: tuple[str, ...] = ()


def outcome_table(
    db: sqlite_utils.Database,
    outcome: str,
    *,
    timepoint: str | None = None,
    first_timepoint: bool = False,
) -> OutcomeTable:
    """The agreed values of ``outcome`` as a study table. With several timepoints, one must be
    chosen (or ``first_timepoint`` takes the first)."""
    outcomes = extraction_store.outcomes(db)
    if outcome not in outcomes:
        raise InvalidInputError(
            f"no outcome named {outcome!r}; the review's outcomes: {', '.join(outcomes) or 'none'}"
        )
    spec = outcomes[outcome]
    columns, rows, numeric = _agreed_rows(db, outcome, outcomes)
    timepoints = tuple(sorted({r["timepoint"] for r in rows}))
    if timepoint is None and timepoints and (len(timepoints) == 1 or first_timepoint):
        timepoint = timepoints[0]
    if timepoint is None and len(timepoints) > 1:
        raise InvalidInputError(
            f"outcome {outcome!r} has results at {len(timepoints)} timepoints "
            f"({_names(timepoints)}): choose one (--timepoint)"
        )
    if timepoint is not None and timepoint not in timepoints:
        raise InvalidInputError(
            f"outcome {outcome!r} has no results at timepoint {timepoint!r}; "
            f"its timepoints: {_names(timepoints)}"
        )
    rows = [r for r in rows if r["timepoint"] == timepoint]
    data = DATA_COLUMNS[spec.data_type]
    has_data = [any(r.get(c, "") for c in data) for r in rows]
    with_data = [r for r, ok in zip(rows, has_data, strict=True) if ok]
    without = tuple(
        dict.fromkeys(r["study"] for r, ok in zip(rows, has_data, strict=True) if not ok)
    )
    if not with_data:
        raise InvalidInputError(f"outcome {outcome!r} has no extracted data to pool yet")
    _check_rows(outcome, with_data)
    frame = pd.DataFrame({"study": [_label(r) for r in with_data]})
    for column in data:
        values = [r.get(column, "") for r in with_data]
        if any(values):
            frame[column] = [
                _number(v, column, r["study"]) for v, r in zip(values, with_data, strict=True)
            ]
    for column in columns:
        if column not in _NOT_SUBGROUPS and column not in _READ_BY_ESCALC:
            values = pd.Series([r.get(column, "") or None for r in with_data], dtype=object)
            # numeric form fields are continuous moderators and sort as numbers
            frame[column] = pd.to_numeric(values, errors="coerce") if column in numeric else values
    measures = MEASURES_FOR.get(spec.data_type) or _generic_measures(outcome, with_data)
    by = tuple(
        c
        for c in frame.columns
        if c not in data
        and c != "study"
        and c not in numeric
        and frame[c].notna().all()
        and 2 <= frame[c].nunique() < len(frame)
    )
    moderators = tuple(
        c for c in frame.columns if c not in data and c != "study" and frame[c].nunique() >= 2
    )
    return OutcomeTable(
        spec,
        frame,
        timepoints,
        timepoint or "",
        without,
        measures,
        by,
        tuple(dict.fromkeys(r["study"] for r in with_data)),
        moderators,
    )


def run(
    db: sqlite_utils.Database,
    outcome: str,
    *,
    measure: str | None = None,
    method: str = "REML",
    test: str = "z",
    by: str | None = None,
    egger: str | None = None,
    trimfill: bool = False,
    timepoint: str | None = None,
    level: float = 95,
    mods: tuple[str, ...] = (),
    leave_one_out: bool = False,
    influence: bool = False,
    cumulative: str | None = None,
    begg: bool = False,
) -> OutcomeAnalysis:
    """Analyse the agreed data of ``outcome`` (nothing is saved).

    ``level``, ``mods``, ``leave_one_out``, ``influence``, ``cumulative`` and ``begg`` are
    those of ``screener meta`` (:class:`~screener.pooling.further.FurtherRequest`).

    Raises
    ------
    ScreenerError
        Unknown outcome, a measure that does not fit its data type, unresolved values, or any
        error of the pooling engine (one line).
    """
    method = method_name(method)
    table = outcome_table(db, outcome, timepoint=timepoint)
    measure = _check_measure(table, measure)
    if table.outcome.data_type == "generic" and "vi" not in table.frame.columns:
        raise PoolingError(
            f"outcome {outcome!r}: no study has a variance (vi), nor a standard "
            "error or confidence interval to derive it from"
        )
    further = FurtherRequest(
        mods=tuple(mods),
        leave_one_out=leave_one_out,
        influence=influence,
        cumulative=cumulative,
        begg=begg,
    )
    settings = AnalysisSettings(
        measure=measure,
        method=method,
        test=test.lower(),
        by=by,
        egger=egger,
        trimfill=trimfill,
        level=level,
        further=further,
    )
    analysis = run_analysis(table.frame, settings)
    not_included = tuple(s.name for s in studies_flow.not_included(db, table.studies))
    return OutcomeAnalysis(
        outcome,
        table.outcome.data_type,
        table.timepoint,
        analysis,
        table.without_data,
        not_included,
    )


def save(
    db: sqlite_utils.Database,
    pooled: OutcomeAnalysis,
    *,
    name: str | None = None,
    reviewer: str | None = None,
    favours: tuple[str, str] | None = None,
) -> SavedAnalysis:
    """Store an analysis (settings, results, who, when) in one transaction; returns it.
    ``favours`` (what each side of the null line favours) is kept with the settings, so the
    report's forest plot carries the labels the analyst gave."""
    name = " ".join((name or "").split()) or pooled.default_name()
    settings, results = pooled.settings(), pooled.results()
    if favours is not None:
        settings["favours"] = [str(favours[0]), str(favours[1])]
    with transaction(db):
        oid = extraction_store.outcome_id(db, pooled.outcome)
        rid = review_store.reviewer_id(db, reviewer) if reviewer else None
        aid = store.save_analysis(
            db, name=name, outcome_id=oid, settings=settings, results=results, reviewer_id=rid
        )
    return store.get_analysis(db, aid)


def pool(
    db: sqlite_utils.Database,
    outcome: str,
    *,
    name: str | None = None,
    reviewer: str | None = None,
    **options: Any,
) -> SavedAnalysis:
    """:func:`run` then :func:`save`."""
    return save(db, run(db, outcome, **options), name=name, reviewer=reviewer)


def analyses(db: sqlite_utils.Database) -> list[SavedAnalysis]:
    return store.list_analyses(db)


def get(db: sqlite_utils.Database, analysis_id: int) -> SavedAnalysis:
    return store.get_analysis(db, analysis_id)


def rename(db: sqlite_utils.Database, analysis_id: int, name: str) -> SavedAnalysis:
    """Give a saved analysis a new name (a label: one line, not empty); returns it renamed."""
    label = label_text(name, "an analysis name")
    with transaction(db):
        store.rename_analysis(db, analysis_id, label)
    return store.get_analysis(db, analysis_id)


def delete(db: sqlite_utils.Database, analysis_id: int) -> SavedAnalysis:
    """Delete a saved analysis in one transaction (a real delete: the report, results.csv and
    the R script list only kept analyses); returns what was deleted."""
    with transaction(db):
        gone = store.get_analysis(db, analysis_id)
        store.delete_analysis(db, analysis_id)
    return gone


# --- helpers -----------------------------------------------------------------------------------


def _agreed_rows(
    db: sqlite_utils.Database, outcome: str, outcomes: dict[str, OutcomeSpec]
) -> tuple[list[str], list[dict[str, str]], set[str]]:
    """(columns, rows of ``outcome``, the numeric field columns) of the extraction table from the
    agreed values. Disagreements on other outcomes do not matter here; open ones on this outcome
    or on study fields stop the analysis."""
    result = extraction_flow.final(db)
    open_ = [d for d in result.unresolved if d.key.outcome in ("", outcome)]
    if open_:
        first = open_[0]
        raise ScreenerError(
            f"{len(open_)} value(s) of outcome {outcome!r} or of study fields differ between "
            f"extractors and are not resolved (first: {first.key.describe()}: "
            + ", ".join(f"{w} {v or '(empty)'}" for w, v in first.values)
            + "); resolve them first"
        )
    picked = {k: v.value for k, v in result.values.items() if k.outcome in ("", outcome)}
    form = extraction_store.current_form(db)
    study_fields = [f.key for f in form.study_fields] if form else []
    row_fields = [f.key for f in form.outcome_fields] if form else []
    rows = export_rows(
        picked,
        outcomes,
        [s.name for s in extraction_store.list_studies(db)],
        study_fields=study_fields,
        outcome_fields=row_fields,
    )
    columns = [*COLUMNS, *row_fields, *(extra_column(k) for k in study_fields)]
    fields = [*(form.study_fields if form else ()), *(form.outcome_fields if form else ())]
    numeric = {
        extra_column(f.key) if f.level == "study" else f.key
        for f in fields
        if f.kind in ("integer", "number")
    }
    return columns, [r for r in rows if r["outcome"] == outcome], numeric


def _check_rows(outcome: str, rows: list[dict[str, str]]) -> None:
    whole = {r["study"] for r in rows if not r["subgroup"]}
    split = [r["study"] for r in rows if r["subgroup"]]
    both = [s for s in dict.fromkeys(split) if s in whole]
    if both:
        raise InvalidInputError(
            f"study {both[0]!r} has a whole-study row and subgroup rows for outcome {outcome!r}; "
            "pooling both would count its participants twice: keep one of them in the extraction"
        )


def _label(row: dict[str, str]) -> str:
    return f"{row['study']} ({row['subgroup']})" if row["subgroup"] else row["study"]


def _number(text: str, column: str, study: str) -> float:
    if not text:
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise InvalidInputError(f"study {study!r}: {column} holds {text!r}, not a number") from None


def _names(values: tuple[str, ...]) -> str:
    return ", ".join(repr(v) if v else "(none)" for v in values)


def _generic_measures(outcome: str, rows: list[dict[str, str]]) -> tuple[str, ...]:
    """A generic outcome's measure (from its rows) and GEN (yi and vi as they are)."""
    found = sorted({r["measure"] for r in rows if r["measure"]})
    if len(found) > 1:
        raise InvalidInputError(
            f"outcome {outcome!r} mixes effect measures ({', '.join(found)}); "
            "pool results of one measure only"
        )
    return (found[0].upper(), "GEN") if found and found[0] != "other" else ("GEN",)


def _check_measure(table: OutcomeTable, measure: str | None) -> str:
    spec = table.outcome
    if measure is None:
        if spec.data_type == "generic":
            return table.measures[0]
        raise InvalidInputError(
            f"give --measure for outcome {spec.name!r} ({spec.data_type} data): "
            f"{', '.join(table.measures)}"
        )
    if measure.upper() not in table.measures:
        raise InvalidInputError(
            f"--measure {measure} does not fit outcome {spec.name!r} "
            f"({spec.data_type} data); use {', '.join(table.measures)}"
        )
    return measure.upper()


def _json_value(value: Any) -> Any:
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() else value
    return value
