"""Which rows of a study table one analysis pools (``screener meta`` on a file).

A file written by ``screener export extraction`` holds one row per study x outcome x timepoint
x subgroup, with the columns ``outcome``, ``timepoint``, ``subgroup``, ``data_type`` and
``measure`` beside the data columns, and every column written whether it holds a value or not.
One analysis pools one outcome at one timepoint with one effect measure: rows of different
outcomes, timepoints or measures are never pooled together. When a file holds several, the
caller names the one to pool (``outcome``, ``timepoint``) or the selection fails with a message
that lists what the file holds.

Rows without an outcome and without data (studies the export lists with no result for any
outcome) belong to no group; they stay in the table so the analysis names them as studies
without an effect size.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from screener.pooling.errors import PoolingError

__all__ = ["DATA_COLUMNS", "Selection", "select_rows", "without_empty_columns"]

DATA_COLUMNS = (
    "ai",
    "bi",
    "ci",
    "di",
    "n1i",
    "n2i",
    "m1i",
    "m2i",
    "sd1i",
    "sd2i",
    "xi",
    "mi",
    "ni",
    "ri",
    "yi",
    "vi",
    "sei",
)
"""The numeric columns escalc reads (a row with a value in one of them has data)."""
_NO_MEASURE = frozenset({"", "OTHER", "GEN"})


@dataclass(frozen=True, slots=True, eq=False)
class Selection:
    """The rows to pool and what they are: ``outcome``/``timepoint`` when the file has those
    columns (None otherwise) and ``measure``, the file's own measure column when it names one."""

    frame: pd.DataFrame
    outcome: str | None = None
    timepoint: str | None = None
    measure: str | None = None

    def describe(self) -> str:
        """'outcome X at timepoint T' (empty when the file has no outcome column)."""
        if self.outcome is None:
            return ""
        at = f" at timepoint {self.timepoint!r}" if self.timepoint else ""
        return f"outcome {self.outcome!r}{at}"


def select_rows(
    frame: pd.DataFrame,
    *,
    outcome: str | None = None,
    timepoint: str | None = None,
    measure: str | None = None,
) -> Selection:
    """The rows of ``frame`` one analysis pools.

    Raises
    ------
    PoolingError
        The file holds several outcomes, timepoints or measures and none was chosen (the message
        lists them), a chosen one is not in the file, ``measure`` contradicts the file's measure
        column, or a study has a whole-study row beside subgroup rows.
    """
    has_data = _has_data(frame)
    outcomes = _text(frame, "outcome")
    timepoints = _text(frame, "timepoint")
    if outcome is not None and outcomes is None:
        raise PoolingError("--outcome: the file has no outcome column")
    if timepoint is not None and timepoints is None:
        raise PoolingError("--timepoint: the file has no timepoint column")
    grouped = has_data if outcomes is None else has_data | (outcomes != "")
    keep = np.ones(len(frame), dtype=bool)
    if outcomes is not None:
        named = _ordered(outcomes[grouped])
        if outcome is not None:
            wanted = " ".join(outcome.split())
            if wanted not in named:
                raise PoolingError(
                    f"--outcome {outcome!r}: not in the file; its outcomes: "
                    f"{_listing(named, outcomes, timepoints, grouped)}"
                )
            keep = (outcomes == wanted) | ~grouped
        elif len(named) > 1:
            raise PoolingError(
                f"the file holds {len(named)} outcomes, never pooled together: "
                f"{_listing(named, outcomes, timepoints, grouped)}; pool one with --outcome NAME "
                "(and --timepoint T), or keep only its rows in the file"
            )
    if timepoints is not None:
        found = _ordered(timepoints[grouped & keep])
        if timepoint is not None:
            wanted = " ".join(timepoint.split())
            if wanted not in found:
                raise PoolingError(
                    f"--timepoint {timepoint!r}: no such rows; the timepoints: {_names(found)}"
                )
            keep &= (timepoints == wanted) | ~grouped
        elif len(found) > 1:
            what = (
                f"outcome {_ordered(outcomes[grouped & keep])[0]!r}"
                if outcomes is not None
                else "the file"
            )
            raise PoolingError(
                f"{what} has results at {len(found)} timepoints ({_names(found)}), "
                "never pooled together: choose one with --timepoint T"
            )
    chosen = grouped & keep
    for column, what in (("data_type", "data types"), ("measure", "effect measures")):
        values = _text(frame, column)
        found = (
            []
            if values is None
            else _ordered(v.upper() if column == "measure" else v for v in values[chosen] if v)
        )
        if len(found) > 1:
            raise PoolingError(
                f"the rows to pool mix {what} ({_names(found)}), never pooled "
                "together: keep the rows of one"
            )
    file_measure = _file_measure(frame, chosen)
    if measure is not None and file_measure is not None and measure.upper() != file_measure:
        raise PoolingError(
            f"--measure {measure} contradicts the file's measure column "
            f"({file_measure}): the yi and vi there are {file_measure}s"
        )
    rows = frame[keep].reset_index(drop=True)
    rows = _label_subgroups(rows)
    picked_outcome = (
        _ordered(outcomes[chosen])[0] if outcomes is not None and chosen.any() else None
    )
    picked_time = (
        _ordered(timepoints[chosen])[0] if timepoints is not None and chosen.any() else None
    )
    return Selection(rows, picked_outcome, picked_time, file_measure)


def without_empty_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the data columns that hold no value in any row: a column written
    empty (as the extraction export writes yi and vi for 2x2 tables) is not given."""
    empty = [c for c in DATA_COLUMNS if c in frame.columns and frame[c].map(_blank).all()]
    return frame.drop(columns=empty) if empty else frame


def _text(frame: pd.DataFrame, column: str) -> np.ndarray | None:
    if column not in frame.columns:
        return None
    values = frame[column].map(
        lambda v: (
            "" if v is None or (isinstance(v, float) and np.isnan(v)) else " ".join(str(v).split())
        )
    )
    text: np.ndarray = values.to_numpy(dtype=object)
    return text


def _has_data(frame: pd.DataFrame) -> np.ndarray:
    present = [c for c in DATA_COLUMNS if c in frame.columns]
    if not present:
        return np.zeros(len(frame), dtype=bool)
    cells = frame[present].apply(lambda col: col.map(lambda v: not _blank(v)))
    has: np.ndarray = cells.any(axis=1).to_numpy(dtype=bool)
    return has


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return bool(np.isnan(value))
    return isinstance(value, str) and not value.strip()


def _ordered(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(str(v) for v in values))


def _names(values: Sequence[str]) -> str:
    return ", ".join(repr(v) if v else "(none)" for v in values)


def _listing(
    named: list[str], outcomes: np.ndarray, timepoints: np.ndarray | None, grouped: np.ndarray
) -> str:
    parts = []
    for name in named:
        label = repr(name) if name else "(no outcome)"
        if timepoints is not None:
            found = _ordered(timepoints[grouped & (outcomes == name)])
            if found != [""]:
                label += f" (timepoints {_names(found)})"
        parts.append(label)
    return ", ".join(parts)


def _file_measure(frame: pd.DataFrame, chosen: np.ndarray) -> str | None:
    values = _text(frame, "measure")
    if values is None:
        return None
    found = [v.upper() for v in _ordered(values[chosen]) if v.upper() not in _NO_MEASURE]
    return found[0] if found else None


def _label_subgroups(rows: pd.DataFrame) -> pd.DataFrame:
    """Subgroup rows are labelled 'study (subgroup)'; a study with a whole-study row beside
    subgroup rows would count its participants twice, so it is refused."""
    groups = _text(rows, "subgroup")
    if groups is None or "study" not in rows.columns or not (groups != "").any():
        return rows
    studies = _text(rows, "study")
    assert studies is not None
    whole = {s for s, g in zip(studies, groups, strict=True) if not g}
    both = [s for s, g in zip(studies, groups, strict=True) if g and s in whole]
    if both:
        raise PoolingError(
            f"study {both[0]!r} has a whole-study row and subgroup rows: pooling "
            "both would count its participants twice; keep one of them"
        )
    rows = rows.copy()
    rows["study"] = [f"{s} ({g})" if g else s for s, g in zip(studies, groups, strict=True)]
    return rows
