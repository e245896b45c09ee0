"""Mantel-Haenszel (OR, RR, RD) and Peto (OR) pooling of 2x2 tables (metafor's ``rma.mh``
and ``rma.peto``).

Tables without events (or with only events) in both groups carry no information about the
odds or risk ratio; like metafor, they are dropped from the heterogeneity test (with a note)
and add nothing to the Mantel-Haenszel sums. No continuity correction is needed for pooling.
A table with a missing count is left out of the model altogether (with a note; k counts the
tables pooled), as metafor's default ``na.action`` does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from screener.pooling._core import critical_value, level_to_alpha
from screener.pooling._wls import Array
from screener.pooling.effects import escalc
from screener.pooling.errors import PoolingError
from screener.pooling.results import MHTests, PoolResult, frozen_array

MH_MEASURES = ("OR", "RR", "RD")


def _tables(data: Mapping[str, Any] | pd.DataFrame) -> tuple[Array, Array, Array, Array]:
    def col(name: str) -> Array | None:
        keys = data.columns if isinstance(data, pd.DataFrame) else data.keys()
        if name not in keys:
            return None
        return np.asarray(pd.to_numeric(pd.Series(data[name])), dtype=float)

    ai, ci = col("ai"), col("ci")
    bi, di = col("bi"), col("di")
    n1i, n2i = col("n1i"), col("n2i")
    if bi is None and n1i is not None and ai is not None:
        bi = n1i - ai
    if di is None and n2i is not None and ci is not None:
        di = n2i - ci
    if ai is None or bi is None or ci is None or di is None:
        raise PoolingError("2x2 tables need columns ai, ci and bi, di (or n1i, n2i)")
    if np.any(np.concatenate([ai, bi, ci, di]) < 0):
        raise PoolingError("cell counts must not be negative")
    return ai, bi, ci, di


def complete_tables(data: Mapping[str, Any] | pd.DataFrame) -> NDArray[np.bool_]:
    """Which rows of ``data`` hold a whole 2x2 table (no missing count): the tables that
    :func:`rma_mh` and :func:`rma_peto` pool, in order."""
    ai, bi, ci, di = _tables(data)
    return np.isfinite(ai) & np.isfinite(bi) & np.isfinite(ci) & np.isfinite(di)


def _complete(
    data: Mapping[str, Any] | pd.DataFrame, labels: Sequence[Any] | None
) -> tuple[Array, Array, Array, Array, tuple[str, ...], list[str]]:
    """The complete tables, their labels and a note naming the tables left out.

    Like metafor (``na.action = "na.omit"``), a table with a missing count is left out of
    the model and the rest are pooled; k counts only the tables pooled.
    """
    ai, bi, ci, di = _tables(data)
    names = _labels(data, ai.size, labels)
    whole = np.isfinite(ai) & np.isfinite(bi) & np.isfinite(ci) & np.isfinite(di)
    notes: list[str] = []
    if not whole.all():
        left = [names[i] for i in np.flatnonzero(~whole)]
        if not whole.any():
            raise PoolingError("every 2x2 table has a missing count: nothing to pool")
        notes.append(f"{len(left)} table(s) with a missing count left out: {', '.join(left)}")
        ai, bi, ci, di = ai[whole], bi[whole], ci[whole], di[whole]
        names = tuple(n for n, keep in zip(names, whole, strict=True) if keep)
    return ai, bi, ci, di, names, notes


def _labels(data: Any, k: int, labels: Sequence[Any] | None) -> tuple[str, ...]:
    if labels is not None:
        return tuple(str(x) for x in labels)
    keys = data.columns if isinstance(data, pd.DataFrame) else data.keys()
    if "study" in keys:
        return tuple(str(x) for x in data["study"])
    return tuple(str(i) for i in range(1, k + 1))


def _heterogeneity(yi: Array, vi: Array, beta: float) -> tuple[float, float, float, float, int]:
    keep = np.isfinite(yi) & np.isfinite(vi)
    y, v = yi[keep], vi[keep]
    k_yi = int(y.size)
    if k_yi > 1:
        qe = max(0.0, float(np.sum((y - beta) ** 2 / v)))
        return (
            qe,
            float(stats.chi2.sf(qe, k_yi - 1)),
            max(0.0, 100 * (qe - (k_yi - 1)) / qe) if qe > 0 else 0.0,
            qe / (k_yi - 1),
            k_yi,
        )
    return 0.0, 1.0, 0.0, 1.0, k_yi


def rma_mh(
    data: Mapping[str, Any] | pd.DataFrame,
    *,
    measure: str = "OR",
    level: float = 95,
    correct: bool = True,
    labels: Sequence[Any] | None = None,
) -> PoolResult:
    """Pool 2x2 tables with the Mantel-Haenszel method.

    Parameters
    ----------
    data
        Columns ai, bi, ci, di (or ai, ci, n1i, n2i) and optionally ``study``.
    measure
        "OR" (log odds ratio, Robins-Breslow-Greenland SE), "RR" (log risk ratio,
        Greenland-Robins SE) or "RD" (risk difference, Sato-Greenland-Robins SE).
    level
        Confidence level in percent.
    correct
        Continuity correction in the Cochran-Mantel-Haenszel test (OR only).

    Returns
    -------
    PoolResult
        method "MH"; for OR, ``mh`` holds the CMH test (MH, with N-1), Cochran's test (CO, with
        N), the Breslow-Day test (BD) and Tarone's corrected version (TA).
    """
    measure = measure.upper()
    if measure not in MH_MEASURES:
        raise PoolingError(f"the Mantel-Haenszel method takes OR, RR or RD, not {measure!r}")
    ai, bi, ci, di, names, notes = _complete(data, labels)
    k = ai.size
    es = escalc(
        {"ai": ai, "bi": bi, "ci": ci, "di": di}, measure=measure, drop00=True, labels=names
    )
    n1, n2 = ai + bi, ci + di
    nn = n1 + n2
    alpha = level_to_alpha(level)
    z = critical_value(alpha, None)
    tests = MHTests()
    notes += [n for n in es.notes if "both groups" in n]
    if measure == "OR":
        r_i, s_i = ai * di / nn, bi * ci / nn
        big_r, big_s = r_i.sum(), s_i.sum()
        if big_r == 0 or big_s == 0:
            raise PoolingError("the Mantel-Haenszel odds ratio is 0 or infinite for these tables")
        p_i, q_i = (ai + di) / nn, (bi + ci) / nn
        beta = math.log(big_r / big_s)
        se = math.sqrt(
            0.5
            * (
                np.sum(p_i * r_i) / big_r**2
                + np.sum(p_i * s_i + q_i * r_i) / (big_r * big_s)
                + np.sum(q_i * s_i) / big_s**2
            )
        )
        weights = s_i
        tests = _or_tests(ai, n1, n2, ci, bi, di, nn, math.exp(beta), correct)
    elif measure == "RR":
        big_r, big_s = np.sum(ai * n2 / nn), np.sum(ci * n1 / nn)
        if ai.sum() == 0 or ci.sum() == 0:
            raise PoolingError("the Mantel-Haenszel risk ratio is 0 or infinite for these tables")
        beta = math.log(big_r / big_s)
        se = math.sqrt(np.sum(n1 / nn * (n2 / nn) * (ai + ci) - ai / nn * ci) / (big_r * big_s))
        weights = ci * n1 / nn
    else:
        denom = np.sum(n1 * (n2 / nn))
        beta = float(np.sum(ai * (n2 / nn) - ci * (n1 / nn)) / denom)
        se = math.sqrt(
            (beta * np.sum(ci * (n1 / nn) ** 2 - ai * (n2 / nn) ** 2
                           + (n1 / nn) * (n2 / nn) * (n2 - n1) / 2)
             + np.sum(ai * (n2 - ci) / nn + ci * (n1 - ai) / nn) / 2) / denom**2
        )  # fmt: skip
        weights = n1 * n2 / nn
    qe, qep, i2, h2, k_yi = _heterogeneity(np.asarray(es.yi), np.asarray(es.vi), beta)
    zval = beta / se
    return PoolResult(
        measure=measure, method="MH", test="z", level=level, k=k, estimate=beta, se=se,
        ci_lb=beta - z * se, ci_ub=beta + z * se, zval=zval,
        pval=float(2 * stats.norm.sf(abs(zval))), df=None, tau2=0.0, se_tau2=None,
        tau2_ci_lb=None, tau2_ci_ub=None, tau_ci_lb=None, tau_ci_ub=None,
        I2=i2, I2_ci_lb=None, I2_ci_ub=None, H2=h2, H2_ci_lb=None, H2_ci_ub=None,
        QE=qe, QE_df=k_yi - 1, QEp=qep, pi_lb=beta - z * se, pi_ub=beta + z * se, s2w=1.0,
        vt=None, yi=frozen_array(es.yi), vi=frozen_array(es.vi),
        weights=frozen_array(weights), labels=names, ni=frozen_array(nn), mh=tests,
        notes=tuple(notes),
    )  # fmt: skip


def _or_tests(
    ai: Array,
    n1: Array,
    n2: Array,
    ci: Array,
    bi: Array,
    di: Array,
    nn: Array,
    psi: float,
    correct: bool,
) -> MHTests:
    xt, yt = ai + ci, bi + di
    cc = 0.5 if correct else 0.0
    dev = abs(np.sum(ai - n1 / nn * xt)) - cc
    co = mh = com = mhp = None
    if xt.sum() > 0 and yt.sum() > 0:
        co = dev**2 / np.sum(n1 / nn * (n2 / nn) * (xt * (yt / nn)))
        mh = dev**2 / np.sum(n1 / nn * (n2 / nn) * (xt * (yt / (nn - 1))))
        com, mhp = float(stats.chi2.sf(co, 1)), float(stats.chi2.sf(mh, 1))
    if psi == 1:
        n11 = n1 / nn * xt
    else:
        a = psi * (n1 + xt) + (n2 - xt)
        b = np.sqrt(a * a - 4 * n1 * xt * psi * (psi - 1))
        n11 = (a - b) / (2 * (psi - 1))
    pos = (n11 > 0) & (xt > 0) & (yt > 0)
    n11 = n11[pos]
    n12 = n1[pos] - n11
    n21 = xt[pos] - n11
    n22 = n11 - n1[pos] - xt[pos] + nn[pos]
    inv = 1 / (1 / n11 + 1 / n12 + 1 / n21 + 1 / n22)
    dev_i = ai[pos] - n11
    bd = max(0.0, float(np.sum(dev_i**2 / inv)))
    ta = max(0.0, bd - float(np.sum(dev_i)) ** 2 / float(np.sum(inv)))
    k_pos = int(pos.sum())
    df = k_pos - 1
    return MHTests(
        MH=mh, MHp=mhp, CO=co, COp=com, BD=bd, BDp=float(stats.chi2.sf(bd, df)) if df > 0 else None,
        TA=ta, TAp=float(stats.chi2.sf(ta, df)) if df > 0 else None, k_pos=k_pos,
    )  # fmt: skip


def rma_peto(
    data: Mapping[str, Any] | pd.DataFrame,
    *,
    level: float = 95,
    labels: Sequence[Any] | None = None,
) -> PoolResult:
    """Pool 2x2 tables with Peto's one-step method (log odds ratio).

    Returns
    -------
    PoolResult
        method "PETO", measure "PETO" (log odds ratio scale).
    """
    ai, bi, ci, di, names, notes = _complete(data, labels)
    k = ai.size
    es = escalc({"ai": ai, "bi": bi, "ci": ci, "di": di}, measure="PETO", drop00=True, labels=names)
    n1, n2 = ai + bi, ci + di
    nn = n1 + n2
    xt, yt = ai + ci, bi + di
    expected = xt * n1 / nn
    var = xt * yt * (n1 / nn) * (n2 / nn) / (nn - 1)
    total_var = float(var.sum())
    if total_var == 0:
        raise PoolingError(
            "one of the two outcomes never occurs in any table; Peto's method cannot be used"
        )
    beta = float(np.sum(ai - expected)) / total_var
    se = math.sqrt(1 / total_var)
    pos = var > 0
    k_pos = int(pos.sum())
    qe = max(
        0.0,
        float(np.sum((ai - expected)[pos] ** 2 / var[pos]))
        - float(np.sum(ai - expected)) ** 2 / total_var,
    )
    k_yi = int(np.sum(np.isfinite(es.yi)))
    if k_pos > 1:
        qep, i2, h2 = (
            float(stats.chi2.sf(qe, k_yi - 1)),
            (max(0.0, 100 * (qe - (k_yi - 1)) / qe) if qe > 0 else 0.0),
            qe / (k_yi - 1),
        )
    else:
        qep, i2, h2 = 1.0, 0.0, 1.0
    z = critical_value(level_to_alpha(level), None)
    zval = beta / se
    notes += [n for n in es.notes if "both groups" in n]
    return PoolResult(
        measure="PETO", method="PETO", test="z", level=level, k=k, estimate=beta, se=se,
        ci_lb=beta - z * se, ci_ub=beta + z * se, zval=zval,
        pval=float(2 * stats.norm.sf(abs(zval))), df=None, tau2=0.0, se_tau2=None,
        tau2_ci_lb=None, tau2_ci_ub=None, tau_ci_lb=None, tau_ci_ub=None,
        I2=i2, I2_ci_lb=None, I2_ci_ub=None, H2=h2, H2_ci_lb=None, H2_ci_ub=None,
        QE=qe, QE_df=k_yi - 1, QEp=qep, pi_lb=beta - z * se, pi_ub=beta + z * se, s2w=1.0,
        vt=None, yi=frozen_array(es.yi), vi=frozen_array(es.vi), weights=frozen_array(var),
        labels=names, ni=frozen_array(nn), notes=tuple(notes),
    )  # fmt: skip
