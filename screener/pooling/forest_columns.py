"""The data columns a forest plot shows beside each study, chosen by the effect measure.

As RevMan prints them: two-group continuous outcomes show mean, SD and n per arm; pre/post
(one group measured twice) the mean (SD) before and after and n; binary outcomes events and
total per arm; single-group proportions events and total; correlations r and n. Without the raw
columns (only yi and vi) there are none, and the plot shows only the estimates.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Columns", "data_columns"]

Columns = dict[str | tuple[str, str], list[str]]
_BINARY = ("OR", "RR", "RD", "PETO")
_MEANS = ("MD", "SMD", "ROM")
_CHANGE = ("SMCR", "SMCC", "MC")
_PROPORTIONS = ("PR", "PLN", "PLO", "PAS", "PFT")
_CORRELATIONS = ("COR", "ZCOR")


def data_columns(frame: pd.DataFrame, measure: str | None = None) -> Columns | None:
    """The columns for ``frame`` (escalc's column names), one text per row; None when the raw
    data the measure needs are absent. Without a measure the columns present decide."""
    m = (measure or "").upper()
    kinds = [
        (_BINARY, _binary),
        (_MEANS, _means),
        (_CHANGE, _prepost),
        (_PROPORTIONS, _proportion),
        (_CORRELATIONS, _correlation),
    ]
    for codes, build in kinds:
        if m in codes:
            return build(frame)
    if m and m != "GEN":
        return None
    for _, build in kinds:
        found = build(frame)
        if found is not None:
            return found
    return None


def _has(frame: pd.DataFrame, *names: str) -> bool:
    return all(n in frame.columns for n in names)


def _num(x: Any) -> str:
    if isinstance(x, (int, float, np.number)):
        return "—" if math.isnan(float(x)) else f"{x:g}"
    return "—" if x is None else str(x)


def _binary(frame: pd.DataFrame) -> Columns | None:
    if not _has(frame, "ai", "ci"):
        return None
    n1 = frame["n1i"] if "n1i" in frame else frame["ai"] + frame["bi"] if "bi" in frame else None
    n2 = frame["n2i"] if "n2i" in frame else frame["ci"] + frame["di"] if "di" in frame else None
    if n1 is None or n2 is None:
        return None
    return {
        ("Group 1", "Events"): [_num(x) for x in frame["ai"]],
        ("Group 1", "Total"): [_num(x) for x in n1],
        ("Group 2", "Events"): [_num(x) for x in frame["ci"]],
        ("Group 2", "Total"): [_num(x) for x in n2],
    }


def _means(frame: pd.DataFrame) -> Columns | None:
    if not _has(frame, "m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"):
        return None
    out: Columns = {}
    for arm, (m, sd, n) in (
        ("Group 1", ("m1i", "sd1i", "n1i")),
        ("Group 2", ("m2i", "sd2i", "n2i")),
    ):
        out[(arm, "Mean")] = [_num(x) for x in frame[m]]
        out[(arm, "SD")] = [_num(x) for x in frame[sd]]
        out[(arm, "n")] = [_num(x) for x in frame[n]]
    return out


def _prepost(frame: pd.DataFrame) -> Columns | None:
    """m1i is the mean after, m2i before, sd1i the SD before, sd2i after (as metafor's SMCR
    example passes them; see :mod:`screener.extraction.table`)."""
    if not _has(frame, "m1i", "m2i", "sd1i", "ni", "ri"):
        return None
    post_sd = frame["sd2i"] if "sd2i" in frame else [None] * len(frame)
    return {"Pre mean (SD)": [f"{_num(m)} ({_num(s)})"
                              for m, s in zip(frame["m2i"], frame["sd1i"], strict=True)],
            "Post mean (SD)": [_num(m) if s is None or _num(s) == "—" else f"{_num(m)} ({_num(s)})"
                               for m, s in zip(frame["m1i"], post_sd, strict=True)],
            "n": [_num(n) for n in frame["ni"]]}  # fmt: skip


def _proportion(frame: pd.DataFrame) -> Columns | None:
    if not _has(frame, "xi", "ni"):
        return None
    return {"Events": [_num(x) for x in frame["xi"]], "Total": [_num(n) for n in frame["ni"]]}


def _correlation(frame: pd.DataFrame) -> Columns | None:
    if not _has(frame, "ri", "ni"):
        return None
    return {"r": [_num(r) for r in frame["ri"]], "n": [_num(n) for n in frame["ni"]]}
