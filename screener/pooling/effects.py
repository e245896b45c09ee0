"""Effect sizes and their sampling variances, computed as metafor's ``escalc()`` does.

Input columns carry escalc's argument names (ai, bi, ci, di, n1i, n2i, m1i, m2i, sd1i, sd2i,
xi, ni, ri, or yi with vi/sei). Zero cells get ``add`` (default 1/2) in the studies that have
one (``to="only0"``), as in metafor; studies whose effect size is undefined become NaN and are
left out of the model with a note.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from screener.pooling._wls import Array
from screener.pooling.errors import PoolingError
from screener.pooling.results import frozen_array

_BINARY = ("OR", "RR", "RD", "PETO")
_MEANS = ("MD", "SMD", "ROM")
_CHANGE = ("SMCR", "SMCC", "MC")
_PROPORTIONS = ("PR", "PLN", "PLO", "PAS", "PFT")
_CORRELATIONS = ("COR", "ZCOR")
MEASURES = _BINARY + _MEANS + _CHANGE + _PROPORTIONS + _CORRELATIONS + ("GEN",)

REQUIRED: dict[str, tuple[str, ...]] = {
    **{m: ("ai", "ci") for m in _BINARY},
    **{m: ("m1i", "m2i", "sd1i", "sd2i", "n1i", "n2i") for m in _MEANS},
    "SMCR": ("m1i", "m2i", "sd1i", "ni", "ri"),
    "SMCC": ("m1i", "m2i", "sd1i", "sd2i", "ni", "ri"),
    "MC": ("m1i", "m2i", "sd1i", "sd2i", "ni", "ri"),
    **{m: ("xi", "ni") for m in _PROPORTIONS},
    **{m: ("ri", "ni") for m in _CORRELATIONS},
    "GEN": ("yi",),
}
_VTYPES = {
    "MD": ("LS", "UB", "HO"), "SMD": ("LS", "UB", "AV"), "ROM": ("LS", "HO"),
    "RD": ("LS", "UB", "AV"), "PR": ("LS", "UB", "AV"), "PLO": ("LS", "AV"), "COR": ("LS", "AV"),
}  # fmt: skip
_NO_CORRECTION = ("PAS", "PFT")


@dataclass(frozen=True, slots=True, eq=False)
class EffectSizes:
    """Effect sizes ``yi`` with sampling variances ``vi`` for k studies.

    ``ni`` holds the total sample sizes where known (used by the PFT back-transformation);
    ``inputs`` the raw columns the values came from (shown in forest plots).
    """

    measure: str
    yi: Array
    vi: Array
    labels: tuple[str, ...]
    ni: Array | None = None
    inputs: Mapping[str, Array] | None = None
    notes: tuple[str, ...] = ()

    @property
    def k(self) -> int:
        """Number of studies (including any with undefined effect sizes)."""
        return int(self.yi.size)

    @property
    def sei(self) -> Array:
        """Standard errors."""
        return np.sqrt(self.vi)

    def to_frame(self) -> pd.DataFrame:
        """One row per study: label, yi, vi (and ni when known)."""
        frame = pd.DataFrame({"study": list(self.labels), "yi": self.yi, "vi": self.vi})
        if self.ni is not None:
            frame["ni"] = self.ni
        return frame


def cmi(m: Array) -> Array:
    """metafor's exact small-sample correction J(m) = Γ(m/2) / (√(m/2) Γ((m-1)/2))."""
    m = np.asarray(m, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.exp(special.gammaln(m / 2) - np.log(np.sqrt(m / 2)) - special.gammaln((m - 1) / 2))
    return np.where(m <= 1, np.nan, out)


def escalc(
    data: Mapping[str, Any] | pd.DataFrame,
    *,
    measure: str,
    add: float | None = None,
    to: str = "only0",
    drop00: bool = False,
    vtype: str = "LS",
    labels: Sequence[Any] | None = None,
) -> EffectSizes:
    """Compute effect sizes and sampling variances from study data.

    Parameters
    ----------
    data
        Columns named as escalc's arguments (a DataFrame or a mapping of sequences). A
        ``study`` column gives the labels unless ``labels`` is passed.
    measure
        OR, RR, RD, PETO (2x2 tables); MD, SMD (Hedges' g), ROM (two groups); SMCR, SMCC, MC
        (pre/post); PR, PLN, PLO, PAS, PFT (proportions); COR, ZCOR (correlations); GEN (yi with
        vi or sei given).
    add, to
        Continuity correction: ``add`` (default 1/2, 0 for PAS and PFT) is added to every cell
        of the studies with a zero cell (``to="only0"``), to all studies (``"all"``), to all if
        any has one (``"if0all"``) or never (``"none"``).
    drop00
        Make studies with no events (or only events) in both groups NaN (metafor's drop00).
    vtype
        Variance estimator: LS (large sample, default), UB (unbiased), HO (pooled SD for MD),
        AV (from averaged values).
    labels
        Study labels.

    Raises
    ------
    PoolingError
        For an unknown measure or vtype, or missing or invalid columns.
    """
    measure = measure.upper()
    if measure not in MEASURES:
        raise PoolingError(f"unknown measure {measure!r}; use one of {', '.join(MEASURES)}")
    if to not in ("only0", "all", "if0all", "none"):
        raise PoolingError(f"unknown 'to' value {to!r}; use only0, all, if0all or none")
    if measure in _VTYPES and vtype not in _VTYPES[measure]:
        raise PoolingError(f"vtype {vtype!r} is not available for {measure}")
    cols = _columns(data)
    missing = [name for name in REQUIRED[measure] if name not in cols]
    if measure in _BINARY and not missing:
        if "bi" not in cols and "n1i" not in cols:
            missing.append("bi or n1i")
        if "di" not in cols and "n2i" not in cols:
            missing.append("di or n2i")
    if measure == "GEN" and not missing and "vi" not in cols and "sei" not in cols:
        missing.append("vi or sei")
    if missing:
        raise PoolingError(f"measure {measure} needs column(s) {', '.join(missing)}")
    k = len(next(iter(cols.values())))
    if labels is None:
        raw_labels = data["study"] if "study" in _keys(data) else range(1, k + 1)
        labels = [str(x) for x in raw_labels]
    if len(labels) != k:
        raise PoolingError(f"{len(labels)} labels for {k} studies")
    if add is None:
        add = 0.0 if measure in _NO_CORRECTION else 0.5
    notes: list[str] = []
    if measure in _BINARY:
        yi, vi, ni = _binary(cols, measure, add, to, drop00, vtype, notes, labels)
    elif measure in _MEANS:
        yi, vi, ni = _means(cols, measure, vtype)
    elif measure in _CHANGE:
        yi, vi, ni = _change(cols, measure)
    elif measure in _PROPORTIONS:
        yi, vi, ni = _proportions(cols, measure, add, to, vtype, notes)
    elif measure in _CORRELATIONS:
        yi, vi, ni = _correlations(cols, measure, vtype)
    else:
        yi = cols["yi"]
        vi = cols["vi"] if "vi" in cols else cols["sei"] ** 2
        ni = cols.get("ni")
    bad = ~(np.isfinite(yi) & np.isfinite(vi)) | (vi < 0)
    if np.any(bad):
        names = ", ".join(str(labels[int(i)]) for i in np.flatnonzero(bad))
        notes.append(f"effect size undefined for {int(bad.sum())} study(ies) ({names}); left out")
        yi = np.where(bad, np.nan, yi)
        vi = np.where(bad, np.nan, vi)
    return EffectSizes(
        measure=measure, yi=frozen_array(yi), vi=frozen_array(vi), labels=tuple(labels),
        ni=None if ni is None else frozen_array(ni),
        inputs={name: frozen_array(col) for name, col in cols.items()}, notes=tuple(notes),
    )  # fmt: skip


def effects_from_ci(
    estimate: Sequence[float],
    ci_lb: Sequence[float],
    ci_ub: Sequence[float],
    *,
    level: float = 95,
    log_scale: bool = False,
    measure: str = "GEN",
    labels: Sequence[Any] | None = None,
) -> EffectSizes:
    """Effect sizes from reported estimates with confidence intervals.

    ``log_scale=True`` for ratios (OR, RR, HR): estimate and bounds are log-transformed first.
    The standard error is the CI width over 2 z_(1-alpha/2).
    """
    est, lb, ub = (np.asarray(x, dtype=float) for x in (estimate, ci_lb, ci_ub))
    if log_scale:
        if np.any((est <= 0) | (lb <= 0) | (ub <= 0)):
            raise PoolingError("ratios and their bounds must be positive to take logs")
        est, lb, ub = np.log(est), np.log(lb), np.log(ub)
    if np.any(ub < lb):
        raise PoolingError("a confidence interval has its upper bound below its lower bound")
    alpha = (100 - level) / 100 if level > 1 else 1 - level
    sei = (ub - lb) / (2 * stats.norm.isf(alpha / 2))
    k = est.size
    labels = [str(x) for x in (labels if labels is not None else range(1, k + 1))]
    return EffectSizes(measure, frozen_array(est), frozen_array(sei**2), tuple(labels))


# --- per-family computations -------------------------------------------------------------


_Effects = tuple[Array, Array, Array | None]
"""yi, vi and ni (None when the measure has no sample sizes)."""


def _keys(data: Mapping[str, Any] | pd.DataFrame) -> list[str]:
    return list(data.columns) if isinstance(data, pd.DataFrame) else list(data.keys())


def _columns(data: Mapping[str, Any] | pd.DataFrame) -> dict[str, Array]:
    names = ("ai", "bi", "ci", "di", "n1i", "n2i", "m1i", "m2i", "sd1i", "sd2i", "xi", "mi",
             "ni", "ri", "yi", "vi", "sei")  # fmt: skip
    cols: dict[str, Array] = {}
    for name in names:
        if name in _keys(data):
            try:
                cols[name] = np.asarray(pd.to_numeric(pd.Series(data[name])), dtype=float)
            except (ValueError, TypeError):
                raise PoolingError(f"column {name} must hold numbers") from None
    if not cols:
        raise PoolingError(
            "no effect-size columns found (expected escalc names such as ai, m1i, xi, yi)"
        )
    lengths = {len(col) for col in cols.values()}
    if len(lengths) != 1:
        raise PoolingError("the data columns have different lengths")
    if lengths == {0}:
        raise PoolingError("no studies in the data")
    return cols


def _zero_mask(cells: Sequence[Array], to: str) -> Array:
    has_zero = np.zeros(cells[0].shape, dtype=bool)
    for cell in cells:
        has_zero |= cell == 0
    if to == "all":
        return np.ones_like(has_zero)
    if to == "if0all":
        return np.full_like(has_zero, bool(has_zero.any()))
    if to == "none":
        return np.zeros_like(has_zero)
    return has_zero


def _binary(
    cols: dict[str, Array],
    measure: str,
    add: float,
    to: str,
    drop00: bool,
    vtype: str,
    notes: list[str],
    labels: Sequence[str],
) -> _Effects:
    ai, ci = cols["ai"], cols["ci"]
    bi = cols["bi"] if "bi" in cols else cols["n1i"] - ai
    di = cols["di"] if "di" in cols else cols["n2i"] - ci
    if np.any(np.concatenate([ai, bi, ci, di]) < 0):
        raise PoolingError("cell counts must not be negative (check ai, bi, ci, di / n1i, n2i)")
    ni = ai + bi + ci + di
    double = ((ai == 0) & (ci == 0)) | ((bi == 0) & (di == 0))
    if np.any(double):
        names = ", ".join(str(labels[int(i)]) for i in np.flatnonzero(double))
        if drop00:
            notes.append(f"no events (or only events) in both groups: {names}; dropped")
        else:
            notes.append(
                f"no events (or only events) in both groups: {names}; kept with the continuity "
                "correction as metafor's escalc does (drop00=True drops them)"
            )
    ai, bi, ci, di = (x.astype(float).copy() for x in (ai, bi, ci, di))
    if drop00:
        for x in (ai, bi, ci, di):
            x[double] = np.nan
    fix = _zero_mask([ai, bi, ci, di], to) & ~np.isnan(ai) if add else np.zeros(ai.shape, bool)
    if np.any(fix):
        notes.append(f"{add:g} added to each cell of {int(fix.sum())} study(ies) with a zero cell")
        ai, bi, ci, di = (np.where(fix, x + add, x) for x in (ai, bi, ci, di))
    n1, n2 = ai + bi, ci + di
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = ai / n1, ci / n2
        if measure == "RR":
            return np.log(p1) - np.log(p2), 1 / ai - 1 / n1 + 1 / ci - 1 / n2, ni
        if measure == "OR":
            return (
                np.log(p1 / (1 - p1)) - np.log(p2 / (1 - p2)),
                1 / ai + 1 / bi + 1 / ci + 1 / di,
                ni,
            )
        if measure == "RD":
            if vtype == "UB":
                vi = p1 * (1 - p1) / (n1 - 1) + p2 * (1 - p2) / (n2 - 1)
            elif vtype == "AV":
                q1, q2 = np.nansum(ai) / np.nansum(n1), np.nansum(ci) / np.nansum(n2)
                vi = q1 * (1 - q1) / n1 + q2 * (1 - q2) / n2
            else:
                vi = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
            return p1 - p2, vi, ni
        # PETO: Peto's one-step log odds ratio of each table
        nn = n1 + n2
        xt, yt = ai + ci, bi + di
        expected = xt * n1 / nn
        var = xt * yt * (n1 / nn) * (n2 / nn) / (nn - 1)
        return (ai - expected) / var, 1 / var, ni


def _means(cols: dict[str, Array], measure: str, vtype: str) -> _Effects:
    m1, m2, s1, s2, n1, n2 = (cols[x] for x in REQUIRED[measure])
    if np.any((s1 < 0) | (s2 < 0)):
        raise PoolingError("standard deviations must not be negative")
    if np.any((n1 <= 0) | (n2 <= 0)):
        raise PoolingError("sample sizes must be positive")
    ni = n1 + n2
    mi = ni - 2
    with np.errstate(divide="ignore", invalid="ignore"):
        sdp = np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / mi)
        if measure == "MD":
            vi = sdp**2 * (1 / n1 + 1 / n2) if vtype == "HO" else s1**2 / n1 + s2**2 / n2
            return m1 - m2, vi, ni
        if measure == "ROM":
            if vtype == "HO":
                s1 = s2 = sdp
            return np.log(m1 / m2), s1**2 / (n1 * m1**2) + s2**2 / (n2 * m2**2), ni
        j = cmi(mi)
        yi = j * (m1 - m2) / sdp
        if vtype == "UB":
            vi = 1 / n1 + 1 / n2 + (1 - (mi - 2) / (mi * j**2)) * yi**2
        elif vtype == "AV":
            mean_yi = np.nansum(ni * yi) / np.nansum(ni * np.isfinite(yi))
            vi = 1 / n1 + 1 / n2 + mean_yi**2 / (2 * ni)
        else:
            vi = 1 / n1 + 1 / n2 + yi**2 / (2 * ni)
        return yi, vi, ni


def _change(cols: dict[str, Array], measure: str) -> _Effects:
    m1, m2, s1, ni, ri = cols["m1i"], cols["m2i"], cols["sd1i"], cols["ni"], cols["ri"]
    if np.any(np.abs(ri) > 1):
        raise PoolingError("correlations must lie in [-1, 1]")
    j = cmi(ni - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "SMCR":
            yi = j * (m1 - m2) / s1
            return yi, 2 * (1 - ri) / ni + yi**2 / (2 * ni), ni
        s2 = cols["sd2i"]
        var_diff = s1**2 + s2**2 - 2 * ri * s1 * s2
        if measure == "MC":
            return m1 - m2, var_diff / ni, ni
        yi = j * (m1 - m2) / np.sqrt(var_diff)
        return yi, 1 / ni + yi**2 / (2 * ni), ni


def _proportions(
    cols: dict[str, Array], measure: str, add: float, to: str, vtype: str, notes: list[str]
) -> _Effects:
    xi = cols["xi"]
    mi = cols["mi"] if "mi" in cols else cols["ni"] - xi
    if np.any((xi < 0) | (mi < 0)):
        raise PoolingError("event counts must lie between 0 and the sample size")
    n_raw = xi + mi
    fix = _zero_mask([xi, mi], to) if add else np.zeros(xi.shape, bool)
    if np.any(fix):
        notes.append(
            f"{add:g} added to events and non-events of {int(fix.sum())} study(ies) with 0 or "
            "all events"
        )
        xi, mi = np.where(fix, xi + add, xi), np.where(fix, mi + add, mi)
    ni = xi + mi
    with np.errstate(divide="ignore", invalid="ignore"):
        pr = xi / ni
        mean_p = np.nansum(xi) / np.nansum(ni)
        if measure == "PR":
            if vtype == "UB":
                return pr, pr * (1 - pr) / (ni - 1), n_raw
            if vtype == "AV":
                return pr, mean_p * (1 - mean_p) / ni, n_raw
            return pr, pr * (1 - pr) / ni, n_raw
        if measure == "PLN":
            return np.log(pr), 1 / xi - 1 / ni, n_raw
        if measure == "PLO":
            if vtype == "AV":
                return np.log(pr / (1 - pr)), 1 / (mean_p * ni) + 1 / ((1 - mean_p) * ni), n_raw
            return np.log(pr / (1 - pr)), 1 / xi + 1 / mi, n_raw
        if measure == "PAS":
            return np.arcsin(np.sqrt(pr)), 1 / (4 * ni), n_raw
        yi = 0.5 * (np.arcsin(np.sqrt(xi / (ni + 1))) + np.arcsin(np.sqrt((xi + 1) / (ni + 1))))
        return yi, 1 / (4 * ni + 2), n_raw


def _correlations(cols: dict[str, Array], measure: str, vtype: str) -> _Effects:
    ri, ni = cols["ri"], cols["ni"]
    if np.any(np.abs(ri) > 1):
        raise PoolingError("correlations must lie in [-1, 1]")
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "ZCOR":
            yi, vi = np.arctanh(ri), 1 / (ni - 3)
        elif vtype == "AV":
            mean_r = np.nansum(ni * ri) / np.nansum(ni)
            yi, vi = ri.copy(), (1 - mean_r**2) ** 2 / (ni - 1)
        else:
            yi, vi = ri.copy(), (1 - ri**2) ** 2 / (ni - 1)
    vi = np.where(ni <= 4, np.nan, vi)
    return yi, vi, ni
