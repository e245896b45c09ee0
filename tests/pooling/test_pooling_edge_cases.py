"""Edge cases and internal consistency of the pooling engine (no reference file needed)."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from screener.pooling import (
    Control,
    PoolingError,
    effects_from_ci,
    escalc,
    estimate_tau2,
    influence,
    leave_one_out,
    ranktest,
    rma,
    rma_mh,
    rma_peto,
    subgroup_analysis,
    trimfill,
)
from screener.pooling._wls import wls
from screener.pooling.transforms import iarcsin, ilogit, ipft, pft

YI = np.array(
    [-0.89, -1.59, -1.35, -1.44, -0.22, -0.79, -1.62, 0.01, -0.47, -1.37, -0.34, 0.45, -0.02]
)
VI = np.array([0.33, 0.19, 0.42, 0.02, 0.05, 0.011, 0.22, 0.004, 0.06, 0.07, 0.012, 0.53, 0.071])


def test_single_study_has_no_heterogeneity():
    res = rma([0.5], [0.04], method="REML", test="knha")
    assert (res.k, res.tau2) == (1, 0.0)
    assert (res.estimate, res.se) == pytest.approx((0.5, 0.2), rel=1e-14)
    assert res.test == "z" and res.df is None  # metafor switches to z when k = 1
    assert res.QE == 0.0 and res.QE_df == 0 and res.QEp == 1.0  # metafor's convention
    assert res.tau2_ci_lb is None and res.se_tau2 is None
    assert any("k = 1" in note for note in res.notes)
    assert (res.pi_lb, res.pi_ub) == pytest.approx((res.ci_lb, res.ci_ub))


def test_two_studies_dl_matches_the_closed_form():
    y, v = np.array([0.1, 0.9]), np.array([0.04, 0.09])
    w = 1 / v
    q = np.sum(w * (y - np.sum(w * y) / w.sum()) ** 2)
    tau2 = max(0.0, (q - 1) / (w.sum() - np.sum(w**2) / w.sum()))
    res = rma(y, v, method="DL", test="knha")
    assert res.tau2 == pytest.approx(tau2, rel=1e-12)
    wr = 1 / (v + tau2)
    assert res.estimate == pytest.approx(np.sum(wr * y) / wr.sum(), rel=1e-12)
    assert res.df == 1 and math.isfinite(res.pval)


def test_homogeneous_studies_give_tau2_zero():
    y, v = np.full(6, 0.3), np.array([0.1, 0.2, 0.05, 0.3, 0.1, 0.2])
    for method in ("DL", "REML", "PM", "ML", "EB", "HE"):
        res = rma(y, v, method=method)
        assert res.tau2 == 0.0, method
        assert res.I2 == 0.0 and res.QE == pytest.approx(0.0, abs=1e-20)
        assert (res.pi_lb, res.pi_ub) == pytest.approx((res.ci_lb, res.ci_ub))
        assert res.tau2_ci_lb == 0.0 and res.tau2_ci_ub == 0.0  # the Q-profile CI is the null set
        assert any("null set" in note for note in res.notes)


def test_zero_cell_gets_half_added_only_in_its_study():
    data = {"ai": [0, 10], "bi": [20, 30], "ci": [5, 8], "di": [15, 32]}
    es = escalc(data, measure="OR")
    assert es.yi[0] == pytest.approx(math.log(0.5 * 15.5 / (20.5 * 5.5)))
    assert es.vi[0] == pytest.approx(1 / 0.5 + 1 / 20.5 + 1 / 5.5 + 1 / 15.5)
    assert es.yi[1] == pytest.approx(math.log(10 * 32 / (30 * 8)))
    assert any("0.5 added" in note for note in es.notes)
    no_correction = escalc(data, measure="OR", to="none")
    assert np.isnan(no_correction.yi[0]) and any("left out" in n for n in no_correction.notes)


def test_all_zero_study():
    data = {
        "ai": [0, 10, 4],
        "bi": [20, 30, 16],
        "ci": [0, 8, 9],
        "di": [25, 32, 11],
        "study": ["A", "B", "C"],
    }
    kept = escalc(data, measure="OR")
    assert np.isfinite(kept.yi[0]) and any("A" in n and "kept" in n for n in kept.notes)
    dropped = escalc(data, measure="RR", drop00=True)
    assert np.isnan(dropped.yi[0])
    res = rma(dropped, method="DL")
    assert res.k == 2 and res.labels == ("B", "C")
    assert any("left out" in note for note in res.notes)
    mh = rma_mh(data, measure="OR")
    assert mh.QE_df == 1 and any("A" in note for note in mh.notes)  # dropped from the Q test
    peto = rma_peto(data)
    assert peto.QE_df == 1
    without = rma_mh({k: v[1:] for k, v in data.items()}, measure="OR")
    assert mh.estimate == pytest.approx(without.estimate, rel=1e-14)  # adds nothing to the MH sums


@pytest.mark.slow
def test_huge_k_is_sane():
    # its speed is a figure of bench/bench_pooling.py (target < 1 s, first run < 2 s)
    rng = np.random.default_rng(20240601)
    k = 100_000
    vi = rng.uniform(0.01, 0.5, k)
    yi = rng.normal(0.3, np.sqrt(vi + 0.1))
    for method in ("REML", "DL"):
        res = rma(yi, vi, method=method)
        assert res.estimate == pytest.approx(0.3, abs=0.01)
        assert res.tau2 == pytest.approx(0.1, abs=0.01)
        assert res.tau2_ci_lb < res.tau2 < res.tau2_ci_ub


def test_non_convergence_raises_pooling_error():
    with pytest.raises(PoolingError, match="did not converge"):
        rma(YI, VI, method="REML", control=Control(maxiter=1))
    # metafor's default bound grows with the data (max(100, 10 mad(yi)^2)): only an explicit
    # tau2_max below the root stops PM, as metafor's control=list(tau2.max=100) does
    with pytest.raises(PoolingError, match="tau2_max"):
        rma(YI * 100, VI, method="PM", control=Control(tau2_max=100))
    with pytest.raises(PoolingError, match="did not converge"):
        trimfill(YI, VI, maxiter=0)


def test_invalid_inputs_raise_clear_errors():
    with pytest.raises(PoolingError, match="unknown method"):
        rma(YI, VI, method="XYZ")
    with pytest.raises(PoolingError, match="unknown test"):
        rma(YI, VI, test="w")
    with pytest.raises(PoolingError, match="sampling variances"):
        rma(YI, VI[:-1])
    with pytest.raises(PoolingError, match="negative"):
        rma(YI, -VI)
    with pytest.raises(PoolingError, match="infinite"):
        rma([0.1, 0.2], [0.0, 0.1], method="FE")
    with pytest.raises(PoolingError, match="positive"):
        rma([0.1, 0.2, 0.3], [0.0, 0.1, 0.2], method="DL")
    with pytest.raises(PoolingError, match="unknown measure"):
        escalc({"yi": [1]}, measure="XYZ")
    with pytest.raises(PoolingError, match="needs column"):
        escalc({"ai": [1], "ci": [2]}, measure="SMD")
    with pytest.raises(PoolingError, match="no studies"):
        rma([math.nan], [0.1])
    with pytest.raises(PoolingError, match="two subgroups"):
        subgroup_analysis(YI, VI, groups=["a"] * YI.size)


def test_missing_effect_sizes_are_left_out_with_a_note():
    y = YI.copy()
    y[2] = np.nan
    res = rma(y, VI, method="DL", labels=[f"s{i}" for i in range(y.size)])
    assert res.k == YI.size - 1 and "s2" not in res.labels
    assert any("s2" in note for note in res.notes)


def test_exact_control_solves_the_estimating_equations():
    exact = rma(YI, VI, method="REML", control=Control.exact())
    w = 1 / (VI + exact.tau2)
    fit = wls(YI, np.ones((YI.size, 1)), w)
    assert fit.py_norm2 - fit.tr_pd() == pytest.approx(0.0, abs=1e-9)  # REML score equation
    default = rma(YI, VI, method="REML")
    assert default.tau2 == pytest.approx(exact.tau2, rel=1e-4)  # metafor stops at 1e-5 change
    pm = rma(YI, VI, method="PM", control=Control.exact())
    q = wls(YI, np.ones((YI.size, 1)), 1 / (VI + pm.tau2)).rss
    assert q == pytest.approx(YI.size - 1, rel=1e-10)
    assert rma(YI, VI, method="EB", control=Control.exact()).tau2 == pytest.approx(
        pm.tau2, rel=1e-9
    )


@settings(max_examples=60, deadline=None)
@given(
    extra=st.integers(min_value=1, max_value=22),
    p=st.integers(min_value=1, max_value=3),
    seed=st.integers(min_value=0, max_value=2**31 - 1),
)
def test_fast_traces_match_dense_matrices(extra, p, seed):
    k = p + extra  # at least one residual degree of freedom, as every model has
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(k), rng.normal(size=(k, p - 1))])
    y, w = rng.normal(size=k), rng.uniform(0.2, 5.0, size=k)
    d, e = rng.uniform(0.1, 2.0, size=k), rng.uniform(0.1, 2.0, size=k)
    W = np.diag(w)
    P = W - W @ X @ np.linalg.inv(X.T @ W @ X) @ X.T @ W
    fit = wls(y, X, w)
    D, E = np.diag(d), np.diag(e)
    assert fit.rss == pytest.approx(y @ P @ y, rel=1e-9)
    assert fit.py_norm2 == pytest.approx(y @ P @ P @ y, rel=1e-9)
    assert fit.tr_pd() == pytest.approx(np.trace(P), rel=1e-9, abs=1e-12)
    assert fit.tr_pd(d) == pytest.approx(np.trace(P @ D), rel=1e-9, abs=1e-12)
    assert fit.tr_pdpe() == pytest.approx(np.trace(P @ P), rel=1e-9, abs=1e-12)
    assert fit.tr_pdpe(d, e) == pytest.approx(np.trace(P @ D @ P @ E), rel=1e-9, abs=1e-12)
    assert fit.tr_pdpe(d, None) == pytest.approx(np.trace(P @ D @ P), rel=1e-9, abs=1e-12)


def test_tau2_estimate_with_moderators_uses_residual_heterogeneity():
    X = np.column_stack([np.ones(YI.size), np.arange(YI.size)])
    with_mods = estimate_tau2(YI, VI, X, method="DL")
    without = estimate_tau2(YI, VI, method="DL")
    assert with_mods.tau2 != without.tau2 and with_mods.se_tau2 > 0


def test_results_are_frozen_and_json_ready():
    res = rma(YI, VI)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.estimate = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        res.yi[0] = 1.0
    text = json.dumps(res.to_dict(studies=True), allow_nan=False)
    back = json.loads(text)
    assert back["estimate"] == res.estimate and len(back["studies"]["yi"]) == res.k


def test_effects_from_ci_recover_the_standard_error():
    res = rma(YI, VI, method="FE")
    es = effects_from_ci(
        [math.exp(res.estimate)], [math.exp(res.ci_lb)], [math.exp(res.ci_ub)], log_scale=True
    )
    assert es.yi[0] == pytest.approx(res.estimate, rel=1e-12)
    assert math.sqrt(es.vi[0]) == pytest.approx(res.se, rel=1e-12)
    with pytest.raises(PoolingError):
        effects_from_ci([1.0], [2.0], [0.5])


def test_back_transformations():
    p = np.array([0.05, 0.3, 0.5, 0.9])
    assert ipft(pft(p, 40.0), 40.0) == pytest.approx(p, rel=1e-10)
    assert ilogit(np.log(p / (1 - p))) == pytest.approx(p, rel=1e-12)
    assert iarcsin(np.arcsin(np.sqrt(p))) == pytest.approx(p, rel=1e-12)
    assert list(iarcsin([-0.1, 2.0])) == [0.0, 1.0]


def test_influence_diagnostics_agree_with_leave_one_out():
    inf = influence(YI, VI, method="REML")
    l1o = leave_one_out(YI, VI, method="REML")
    assert inf.hat.sum() == pytest.approx(1.0) and inf.weight.sum() == pytest.approx(100.0)
    assert np.allclose(inf.tau2_del, l1o.tau2) and np.allclose(inf.QE_del, l1o.Q)
    expected = (YI - l1o.estimate) / np.sqrt(VI + l1o.tau2 + l1o.se**2)
    assert np.allclose(inf.rstudent, expected)
    assert np.all(inf.cov_r > 0) and len(inf.influential) == YI.size


def test_ranktest_with_ties_uses_the_normal_approximation():
    y = np.array([0.1, 0.1, 0.3, 0.5, 0.2, 0.8, 0.4, 0.35])
    v = np.array([0.1, 0.1, 0.2, 0.3, 0.15, 0.4, 0.25, 0.2])
    result = ranktest(y, v)
    assert not result.exact
    w = 1 / v
    ystar = (y - np.sum(w * y) / w.sum()) / np.sqrt(v - 1 / w.sum())
    ref = stats.kendalltau(ystar, v, method="asymptotic")
    assert result.tau == pytest.approx(ref.statistic, rel=1e-12)
    assert result.pval == pytest.approx(ref.pvalue, rel=1e-9)


def test_ranktest_exact_matches_scipy_without_ties():
    result = ranktest(YI, VI)
    assert result.exact
    w = 1 / VI
    ystar = (YI - np.sum(w * YI) / w.sum()) / np.sqrt(VI - 1 / w.sum())
    assert result.pval == pytest.approx(
        stats.kendalltau(ystar, VI, method="exact").pvalue, rel=1e-9
    )


def test_importing_the_engine_pulls_in_no_ui_or_plotting():
    import subprocess
    import sys

    code = (
        "import sys, screener.pooling; "
        "bad = [m for m in ('matplotlib', 'textual', 'sqlite3', 'click') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
