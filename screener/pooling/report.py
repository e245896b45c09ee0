"""Plain-text summaries laid out like metafor's ``print()`` output."""

from __future__ import annotations

import math

from screener.pooling.bias import EggerResult, TrimFillResult
from screener.pooling.results import PoolResult
from screener.pooling.subgroups import SubgroupResult
from screener.pooling.transforms import transformed

_MODEL_NAMES = {
    "FE": "Fixed-Effects Model", "EE": "Equal-Effects Model", "CE": "Common-Effects Model",
    "MH": "Equal-Effects Model (Mantel-Haenszel method)",
    "PETO": "Equal-Effects Model (Peto's method)",
}  # fmt: skip


def fmt_p(p: float | None) -> str:
    """A p-value as metafor prints it ("<.0001" below 1e-4)."""
    if p is None or math.isnan(p):
        return "NA"
    return "<.0001" if p < 1e-4 else f"{p:.4f}"


def _num(x: float | None, digits: int = 4) -> str:
    return "NA" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def format_summary(res: PoolResult) -> str:
    """The model, heterogeneity statistics, the test for heterogeneity and the estimate."""
    lines: list[str] = []
    title = _MODEL_NAMES.get(
        res.method, f"Random-Effects Model (k = {res.k}; tau^2 estimator: {res.method})"
    )
    if res.method in _MODEL_NAMES:
        title = f"{title} (k = {res.k})"
    lines += [title, ""]
    if res.is_random:
        se = f" (SE = {_num(res.se_tau2)})" if res.se_tau2 is not None else ""
        ci = ""
        if res.tau2_ci_lb is not None:
            ci = f"  {res.level:g}% CI [{_num(res.tau2_ci_lb)}, {_num(res.tau2_ci_ub)}]"
        lines += [
            f"tau^2 (estimated amount of total heterogeneity): {_num(res.tau2)}{se}{ci}",
            f"tau (square root of estimated tau^2 value):      {_num(res.tau)}",
        ]
    if res.I2 is not None:
        lines += [
            f"I^2 (total heterogeneity / total variability):   {res.I2:.2f}%",
            f"H^2 (total variability / sampling variability):  {_num(res.H2, 2)}",
        ]
    lines.append("")
    if res.QE is not None:
        lines += [
            "Test for Heterogeneity:",
            f"Q(df = {res.QE_df}) = {_num(res.QE)}, p-val {_p_eq(res.QEp)}",
            "",
        ]
    stat = "tval" if res.df is not None else "zval"
    lines.append(
        "Model Results"
        + (f" ({res.level:g}% CI)" if res.level != 95 else "")
        + ":"
        + (f" (t-test with df = {res.df})" if res.df is not None else "")
    )
    lines.append("")
    header = f"{'estimate':>10} {'se':>9} {stat:>9} {'pval':>8} {'ci.lb':>9} {'ci.ub':>9}"
    row = (f"{res.estimate:>10.4f} {res.se:>9.4f} {res.zval:>9.4f} {fmt_p(res.pval):>8} "
           f"{res.ci_lb:>9.4f} {res.ci_ub:>9.4f}")  # fmt: skip
    lines += [header, row, ""]
    if res.is_random:
        lines.append(f"Prediction interval: [{_num(res.pi_lb)}, {_num(res.pi_ub)}]")
    back = transformed(res)
    if back is not None:
        lines.append(
            f"Back-transformed ({res.measure}): {back.estimate:.4f} "
            f"[{back.ci_lb:.4f}, {back.ci_ub:.4f}]"
            + (
                f"; prediction interval [{back.pi_lb:.4f}, {back.pi_ub:.4f}]"
                if res.is_random
                else ""
            )
        )
    if res.mh is not None and res.mh.MH is not None:
        lines.append(
            f"Cochran-Mantel-Haenszel test: CMH = {_num(res.mh.MH)}, df = 1, p-val "
            f"{_p_eq(res.mh.MHp)}"
        )
        lines.append(
            f"Tarone's test for heterogeneity: X^2 = {_num(res.mh.TA)}, df = "
            f"{(res.mh.k_pos or 1) - 1}, p-val {_p_eq(res.mh.TAp)}"
        )
    for note in res.notes:
        lines.append(f"Note: {note}")
    return "\n".join(lines).rstrip() + "\n"


def _p_eq(p: float | None) -> str:
    text = fmt_p(p)
    return f"< {text[1:]}" if text.startswith("<") else f"= {text}"


def format_subgroups(sub: SubgroupResult) -> str:
    """One line per subgroup and the test for subgroup differences."""
    lines = ["Subgroups:"]
    if sub.fits is not None:
        for level, fit in zip(sub.levels, sub.fits, strict=True):
            lines.append(
                f"  {level}: k = {fit.k}, estimate {fit.estimate:.4f} [{fit.ci_lb:.4f}, "
                f"{fit.ci_ub:.4f}], "
                f"I^2 = {_num(fit.I2, 1)}%, tau^2 = {_num(fit.tau2)}"
            )
    lines.append(
        f"Test for subgroup differences: Q(df = {sub.df_between}) = {sub.Q_between:.4f}, "
        f"p-val {_p_eq(sub.p_between)}"
    )
    return "\n".join(lines) + "\n"


def format_egger(egger: EggerResult) -> str:
    """Egger's test as metafor's ``regtest`` prints it."""
    kind = (
        "classical Egger (weighted regression)"
        if egger.model == "lm"
        else f"mixed-effects meta-regression ({egger.method})"
    )
    df = f", df = {egger.df}" if egger.df is not None else ""
    return (
        f"Regression test for funnel plot asymmetry ({kind}; predictor: {egger.predictor}):\n"
        f"  test for asymmetry: {egger.stat_type} = {egger.stat:.4f}{df}, p = {fmt_p(egger.pval)}\n"
        f"  limit estimate (as sei -> 0): {egger.limit_estimate:.4f} "
        f"(CI: {egger.limit_ci_lb:.4f}, {egger.limit_ci_ub:.4f})\n"
    )


def format_trimfill(tf: TrimFillResult) -> str:
    """The trim-and-fill estimate of missing studies and the adjusted estimate."""
    return (
        f"Trim-and-fill ({tf.estimator}): estimated number of missing studies on the {tf.side} "
        "side: "
        f"{tf.k0} (SE = {tf.se_k0:.4f})\n"
        f"  adjusted estimate {tf.fit.estimate:.4f} (SE = {tf.fit.se:.4f}) "
        f"[{tf.fit.ci_lb:.4f}, {tf.fit.ci_ub:.4f}], k = {tf.fit.k}\n"
    )
