"""One complete analysis of a study table, as ``screener meta`` and ``screener pool`` run it.

A table (columns named as escalc's arguments, or yi and vi, plus an optional ``study`` column and
any subgroup columns) becomes effect sizes, the pooled model, optionally a subgroup analysis,
Egger's test and trim-and-fill. :meth:`Analysis.to_dict` is the JSON object both commands print
(the ``screener meta`` contract), :meth:`Analysis.summary` their text output.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from screener.pooling.bias import EggerResult, TrimFillResult, regtest, trimfill
from screener.pooling.cautions import SMALL_K_CAUTION, small_k
from screener.pooling.effects import REQUIRED, EffectSizes, escalc
from screener.pooling.errors import PoolingError
from screener.pooling.forest_columns import Columns, data_columns
from screener.pooling.further import Further, FurtherRequest, run_further
from screener.pooling.mh import complete_tables, rma_mh, rma_peto
from screener.pooling.models import rma
from screener.pooling.report import format_egger, format_subgroups, format_summary, format_trimfill
from screener.pooling.results import PoolResult, clean_fields
from screener.pooling.selection import without_empty_columns
from screener.pooling.subgroups import SubgroupResult, subgroup_analysis, subgroup_difference
from screener.pooling.transforms import transformed

__all__ = [
    "METHOD_NAMES",
    "RAW_COLUMNS",
    "Analysis",
    "AnalysisSettings",
    "method_name",
    "result_dict",
    "run_analysis",
    "without_empty_columns",
]

METHOD_NAMES = (
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
"""The --method values (case-insensitive): tau^2 estimators, FE/EE, Mantel-Haenszel and Peto."""
_METHODS = {m.upper(): m for m in METHOD_NAMES}
RAW_COLUMNS = ("ai", "bi", "ci", "di", "n1i", "n2i", "m1i", "m2i", "sd1i", "sd2i", "xi", "ni", "ri")
"""Raw data columns (escalc's argument names) a table may hold instead of yi and vi."""
_INVERSE_VARIANCE_ONLY = ("MH", "PETO")


def method_name(method: str) -> str:
    """The engine's spelling of a --method value (any case), or :class:`PoolingError`."""
    key = method.upper()
    if key not in _METHODS:
        raise PoolingError(
            f"unknown --method {method!r}; use one of FE, DL, REML, ML, PM, HE, SJ, HS, EB, MH, "
            "PETO"
        )
    return _METHODS[key]


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    """What to run: the CLI options of ``screener meta`` (``egger`` is "rma", "lm" or None;
    ``further``: meta-regression, leave-one-out, influence, cumulative, Begg)."""

    measure: str | None = None
    method: str = "REML"
    test: str = "z"
    by: str | None = None
    egger: str | None = None
    trimfill: bool = False
    level: float = 95
    further: FurtherRequest = FurtherRequest()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        f = self.further
        return {
            "measure": self.measure,
            "method": self.method,
            "test": self.test,
            "level": self.level,
            "by": self.by,
            "egger": self.egger,
            "trimfill": self.trimfill,
            "mods": list(f.mods),
            "leave_one_out": f.leave_one_out,
            "influence": f.influence,
            "cumulative": f.cumulative,
            "begg": f.begg,
        }

    def small_study(self) -> bool:
        """Whether a small-study method (Egger, Begg, trim-and-fill) was asked for."""
        return self.egger is not None or self.trimfill or self.further.begg


@dataclass(frozen=True, slots=True, eq=False)
class Analysis:
    """The results of :func:`run_analysis` (``order``: row indices of the studies in forest-plot
    order when there are subgroups)."""

    settings: AnalysisSettings
    frame: pd.DataFrame
    effects: EffectSizes
    result: PoolResult
    subgroups: SubgroupResult | None = None
    order: tuple[int, ...] | None = None
    egger: EggerResult | None = None
    trimfill: TrimFillResult | None = None
    further: Further = Further()

    def small_study_caution(self, *, funnel: bool = False) -> str | None:
        """:data:`~screener.pooling.cautions.SMALL_K_CAUTION` when fewer than 10 studies are
        pooled and Egger, Begg, trim-and-fill (or, with ``funnel``, a funnel plot) are shown."""
        shown = self.settings.small_study() or funnel
        return SMALL_K_CAUTION if shown and small_k(self.result.k) else None

    def to_dict(self) -> dict[str, Any]:
        """The ``screener meta --json`` object: the pooled result on the model scale (plus
        ``transformed``, the natural scale), then ``subgroups``/``Q_between``/``df_between``/
        ``p_between``, Egger and trim-and-fill keys (plus ``trimfill_transformed``), the
        further analyses (:meth:`Further.to_dict`), ``small_study_caution`` where it applies
        and ``studies`` (label, yi, vi and weight_percent per pooled study)."""
        out = result_dict(self.result)
        res = self.result
        out["studies"] = {
            "label": list(res.labels),
            "yi": res.yi,
            "vi": res.vi,
            "weight_percent": res.weights_percent,
        }
        sub = self.subgroups
        if sub is not None:
            assert sub.fits is not None
            out["subgroups"] = {
                lvl: result_dict(fit) for lvl, fit in zip(sub.levels, sub.fits, strict=True)
            }
            out["Q_between"], out["df_between"], out["p_between"] = (
                sub.Q_between, sub.df_between, sub.p_between)  # fmt: skip
        eg = self.egger
        if eg is not None:
            key = "egger_t" if self.settings.egger == "lm" else "egger_z"
            out[key], out["egger_p"] = eg.stat, eg.pval
            if eg.df is not None:
                out["egger_df"] = eg.df
        tf = self.trimfill
        if tf is not None:
            out.update(k0=tf.k0, side=tf.side, se_k0=tf.se_k0, trimfill_k=tf.fit.k,
                       trimfill_estimate=tf.fit.estimate, trimfill_se=tf.fit.se,
                       trimfill_ci_lb=tf.fit.ci_lb, trimfill_ci_ub=tf.fit.ci_ub)  # fmt: skip
            back = transformed(tf.fit)
            if back is not None:
                out["trimfill_transformed"] = back.to_dict()
        out.update(self.further.to_dict())
        caution = self.small_study_caution()
        if caution is not None:
            out["small_study_caution"] = caution
        return clean_fields(out)

    def summary(self) -> str:
        """The text ``screener meta`` prints: the model, subgroups, Egger, trim-and-fill."""
        texts = [format_summary(self.result)]
        if self.subgroups is not None:
            texts.append(format_subgroups(self.subgroups))
        if self.egger is not None:
            texts.append(format_egger(self.egger))
        if self.trimfill is not None:
            texts.append(format_trimfill(self.trimfill))
        further = self.further.summary()
        if further:
            texts.append(further)
        caution = self.small_study_caution()
        if caution is not None:
            texts.append(caution)
        return "\n".join(texts).rstrip()

    def pooled_rows(self) -> list[int]:
        """The rows of ``frame`` behind the result's studies, in the result's order."""
        return [
            int(i) for i in np.flatnonzero(_pooled(self.frame, self.effects, self.result.method))
        ]

    def study_columns(self) -> Columns | None:
        """The data columns of the forest plot (e.g. events/total per group), in plot order."""
        columns = data_columns(self.frame, self.effects.measure)
        if columns is None:
            return None
        index = list(self.order) if self.order is not None else self.pooled_rows()
        return {name: [values[i] for i in index] for name, values in columns.items()}

    def write_forest(
        self, path: str | Path, *, title: str | None = None, favours: tuple[str, str] | None = None
    ) -> Path:
        """Write the forest plot (.svg, .pdf or .png), with ``favours`` (left, right) under
        its axis if given; OSError if the file cannot be written."""
        from screener.pooling.plots import forest_plot  # matplotlib only when plotting

        columns = self.study_columns()
        if self.subgroups is not None:
            forest_plot(
                self.subgroups,
                path,
                overall=self.result,
                columns=columns,
                title=title,
                favours=favours,
            )
        else:
            forest_plot(self.result, path, columns=columns, title=title, favours=favours)
        return Path(path)

    def write_funnel(self, path: str | Path, *, title: str | None = None) -> Path:
        """Write the contour-enhanced funnel plot (with the trim-and-fill studies if run)."""
        from screener.pooling.plots import funnel_plot

        funnel_plot(self.result, path, filled=self.trimfill, title=title)
        return Path(path)


def result_dict(res: PoolResult) -> dict[str, Any]:
    """``res.to_dict()`` (the model scale) plus ``transformed``: the estimate, CI and PI on the
    natural scale for every measure the text summary back-transforms (ratios, proportions,
    Fisher's z)."""
    out = res.to_dict()
    back = transformed(res)
    if back is not None:
        out["transformed"] = back.to_dict()
    return out


def run_analysis(frame: pd.DataFrame, settings: AnalysisSettings) -> Analysis:
    """Compute effect sizes from ``frame``, pool them and run what ``settings`` ask for.

    Raises
    ------
    PoolingError
        A one-line message naming the option or column at fault.
    """
    method, test, level = settings.method, settings.test, settings.level
    if not 0 < level < 100:
        raise PoolingError(f"--level {level:g}: give a confidence level in percent, e.g. 90 or 95")
    frame = without_empty_columns(frame)
    es = _effects(frame, settings.measure)
    result = _fit(frame, es, method, test, level)
    sub, order = None, None
    if settings.by is not None:
        sub, order = _subgroups(frame, es, settings.by, method, test, level)
    wanted = settings.further
    if method in _INVERSE_VARIANCE_ONLY and (
        settings.egger is not None or settings.trimfill or wanted.any()
    ):
        raise PoolingError(
            "--egger, --trimfill, --begg, --mods, --leave-one-out, --influence and --cumulative "
            "need an inverse-variance model: use --method FE or a tau^2 estimator"
        )
    eg = (
        regtest(es, model=settings.egger, method=method, test=test, level=level)
        if settings.egger
        else None
    )
    tf = trimfill(es, method=method, test=test, level=level) if settings.trimfill else None
    further = Further()
    if wanted.any():
        keep = _pooled(frame, es, method)
        further = run_further(
            frame[keep].reset_index(drop=True),
            np.asarray(es.yi)[keep],
            np.asarray(es.vi)[keep],
            [str(x) for x in np.asarray(es.labels)[keep]],
            wanted,
            method=method,
            test=test,
            level=level,
        )
    return Analysis(
        settings, frame, es, result, sub, None if order is None else tuple(order), eg, tf, further
    )


def _effects(frame: pd.DataFrame, measure: str | None) -> EffectSizes:
    labels = [str(x) for x in frame["study"]] if "study" in frame.columns else None
    has_effects = "yi" in frame.columns and ("vi" in frame.columns or "sei" in frame.columns)
    raw = measure is not None and _has_raw_data(frame, measure.upper())
    if has_effects and raw:
        assert measure is not None
        # --measure with its raw columns: escalc computes yi from them, as in metafor; a row
        # with only yi/vi would be dropped silently, so such a file is refused
        only_effects = [
            str(label)
            for label, has_raw, has_yi in zip(
                labels or range(1, len(frame) + 1),
                _rows_with(frame, REQUIRED[measure.upper()]),
                _rows_with(frame, ("yi",)),
                strict=True,
            )
            if has_yi and not has_raw
        ]
        if only_effects:
            raise PoolingError(
                f"--measure {measure} computes the effect sizes from the raw columns, but "
                f"{', '.join(only_effects[:3])} ha(s) only yi/vi: pool those rows separately"
            )
        return escalc(frame, measure=measure, labels=labels)
    if has_effects:
        es = escalc(frame, measure="GEN", labels=labels)
        return dataclasses.replace(es, measure=(measure or "GEN").upper())
    if measure is None:
        present = [c for c in RAW_COLUMNS if c in frame.columns]
        if not present:
            raise PoolingError(
                "no effect-size columns: expected yi and vi, or raw columns such as ai, bi, ci, "
                "di, m1i, xi, ri"
            )
        raise PoolingError(
            f"the file has raw columns ({', '.join(present)}): give --measure (e.g. OR, RR, SMD, "
            "PLO)"
        )
    return escalc(frame, measure=measure, labels=labels)


def _has_raw_data(frame: pd.DataFrame, measure: str) -> bool:
    if measure not in REQUIRED or measure == "GEN":
        return False
    if not all(c in frame.columns for c in REQUIRED[measure]):
        return False
    if measure in ("OR", "RR", "RD", "PETO"):
        return ("bi" in frame.columns or "n1i" in frame.columns) and (
            "di" in frame.columns or "n2i" in frame.columns
        )
    return True


def _rows_with(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[bool]:
    numbers = frame[list(columns)].apply(pd.to_numeric, errors="coerce")
    return [bool(x) for x in numbers.notna().all(axis=1)]


def _fit(
    frame: pd.DataFrame, es: EffectSizes, method: str, test: str, level: float = 95
) -> PoolResult:
    if method == "MH":
        if es.measure not in ("OR", "RR", "RD"):
            raise PoolingError(
                "--method MH needs --measure OR, RR or RD and columns ai, bi, ci, di (or n1i, n2i)"
            )
        return rma_mh(frame, measure=es.measure, labels=es.labels, level=level)
    if method == "PETO":
        if es.measure not in ("OR", "PETO"):
            raise PoolingError(
                "--method PETO pools odds ratios: use --measure OR with columns ai, bi, ci, di"
            )
        return rma_peto(frame, labels=es.labels, level=level)
    return rma(es, method=method, test=test, level=level)


def _subgroups(
    frame: pd.DataFrame, es: EffectSizes, by: str, method: str, test: str, level: float = 95
) -> tuple[SubgroupResult, list[int]]:
    if by not in frame.columns:
        raise PoolingError(f"--by {by}: no such column (columns: {', '.join(frame.columns)})")
    groups = frame[by]
    if groups.isna().any():
        raise PoolingError(f"--by {by}: some studies have no value in this column")
    keep = _pooled(frame, es, method)
    text = groups.astype(str).to_numpy()
    levels = sorted(set(text[keep]))
    order = [int(i) for lvl in levels for i in np.flatnonzero((text == lvl) & keep)]
    if method in _INVERSE_VARIANCE_ONLY:
        if len(levels) < 2:
            raise PoolingError("a subgroup analysis needs at least two subgroups")
        fits = []
        for lvl in levels:
            part = frame[(text == lvl)].reset_index(drop=True)
            part_es = dataclasses.replace(es, labels=tuple(np.asarray(es.labels)[text == lvl]))
            fits.append(_fit(part, part_es, method, test, level))
        q, df, p = subgroup_difference(fits)
        counts = tuple(f.k for f in fits)
        return SubgroupResult(tuple(levels), counts, tuple(fits), None, q, df, p, False), order
    return subgroup_analysis(es, groups=list(text), method=method, test=test, level=level), order


def _pooled(frame: pd.DataFrame, es: EffectSizes, method: str) -> np.ndarray:
    """Which rows the model pools: every whole 2x2 table for MH and Peto (a table without
    events in both groups included), else the rows with an effect size."""
    if method in _INVERSE_VARIANCE_ONLY:
        return complete_tables(frame)
    return np.isfinite(np.asarray(es.yi)) & np.isfinite(np.asarray(es.vi))
