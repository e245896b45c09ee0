"""Shared helpers for the pooling tests: load the metafor golden files and compare them,
leaf by leaf, with the engine's results rendered under metafor's names."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from screener.pooling import PoolResult, prediction_interval

DATA = Path(__file__).resolve().parents[1] / "data" / "metafor"

# The issue asks for 1e-6 relative everywhere; values that are 0 by construction (tau^2 of an
# equal-effect model, I^2 truncated at 0) need an absolute floor.
RTOL = 1e-6
ATOL_VALUE = 1e-12
# p-values: 1e-8 absolute (the reference README's suggestion) or 1e-6 relative.
ATOL_PVALUE = 1e-8
PVALUE_KEYS = frozenset({"pval", "pvals", "QEp", "Qp", "QMp", "MHp", "COp", "TAp", "BDp", "p.k0"})
# Free-text keys describe the reference, they are not results.
TEXT_KEYS = frozenset({"note", "pi_note", "args", "transf"})


def load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def compare(ref: Any, ours: Any, path: str = "", *, rtol: float = RTOL) -> int:
    """Assert that every leaf of ``ref`` is matched in ``ours``; return how many were compared.

    A key of ``ref`` that ``ours`` lacks fails the test, so no reference value is skipped
    silently.
    """
    if isinstance(ref, dict):
        assert isinstance(ours, dict), f"{path}: expected a mapping, got {type(ours).__name__}"
        count = 0
        for key, value in ref.items():
            if key in TEXT_KEYS:
                continue
            assert key in ours, f"{path}/{key}: the engine produced no value"
            count += compare(value, ours[key], f"{path}/{key}", rtol=rtol)
        return count
    if isinstance(ref, list):
        ours_list = list(np.asarray(ours).tolist()) if isinstance(ours, np.ndarray) else list(ours)
        assert len(ref) == len(ours_list), f"{path}: length {len(ours_list)} != {len(ref)}"
        return sum(
            compare(r, o, f"{path}[{i}]", rtol=rtol)
            for i, (r, o) in enumerate(zip(ref, ours_list, strict=True))
        )
    if ref is None:
        assert _is_missing(ours), f"{path}: metafor gives no value, the engine gives {ours!r}"
        return 1
    if isinstance(ref, str):
        assert ours == ref, f"{path}: {ours!r} != {ref!r}"
        return 1
    assert not _is_missing(ours), f"{path}: the engine gives no value, metafor gives {ref!r}"
    key = path.rsplit("/", 1)[-1].split("[")[0]
    atol = ATOL_PVALUE if key in PVALUE_KEYS else ATOL_VALUE
    assert math.isclose(float(ours), float(ref), rel_tol=rtol, abs_tol=atol), (
        f"{path}: {float(ours)!r} != {ref!r} (rel diff "
        f"{abs(float(ours) - ref) / max(abs(ref), 1e-300):.2e})"
    )
    return 1


def leaves(ref: Any) -> int:
    """How many values ``compare`` checks in ``ref`` (every leaf except free text)."""
    if isinstance(ref, dict):
        return sum(leaves(v) for k, v in ref.items() if k not in TEXT_KEYS)
    if isinstance(ref, list):
        return sum(leaves(v) for v in ref)
    return 1


def pool_view(res: PoolResult) -> dict[str, Any]:
    """A PoolResult under metafor's names (the keys of the golden files)."""
    lb, ub = prediction_interval(res, df=res.k - 2) if res.k > 2 else (math.nan, math.nan)
    method = "FE" if res.method in ("MH", "PETO") else res.method  # rma.mh/rma.peto report "FE"
    view: dict[str, Any] = {
        "method": method, "test": res.test, "k": res.k, "measure": res.measure,
        "estimate": res.estimate, "se": res.se, "ci.lb": res.ci_lb, "ci.ub": res.ci_ub,
        "stat": res.zval, "zval": res.zval, "stat_type": res.stat_type, "df": res.df,
        "pval": res.pval, "tau2": res.tau2, "se.tau2": res.se_tau2, "tau": res.tau,
        "I2": res.I2, "H2": res.H2, "QE": res.QE, "QE.df": res.QE_df, "QEp": res.QEp,
        "weights_percent": res.weights_percent, "s2w_knha_scale": res.s2w,
        "pi.lb": res.pi_lb, "pi.ub": res.pi_ub, "pi_t_kminus2": {"lb": lb, "ub": ub},
    }  # fmt: skip
    if res.tau2_ci_lb is not None:
        view["confint"] = {
            "type": "Q-profile",
            "tau2": {"estimate": res.tau2, "ci.lb": res.tau2_ci_lb, "ci.ub": res.tau2_ci_ub},
            "tau": {"estimate": res.tau, "ci.lb": res.tau_ci_lb, "ci.ub": res.tau_ci_ub},
            "I2": {"estimate": res.I2, "ci.lb": res.I2_ci_lb, "ci.ub": res.I2_ci_ub},
            "H2": {"estimate": res.H2, "ci.lb": res.H2_ci_lb, "ci.ub": res.H2_ci_ub},
        }
    if res.mh is not None:
        for name in ("MH", "MHp", "CO", "COp", "BD", "BDp", "TA", "TAp"):
            view[name] = getattr(res.mh, name)
    return view


def fit_view(res: PoolResult, *, confint: bool = True) -> dict[str, Any]:
    """The main numbers of a result under the names ``g_screener_cases.R`` writes."""
    view: dict[str, Any] = {
        "k": res.k, "estimate": res.estimate, "se": res.se, "ci.lb": res.ci_lb,
        "ci.ub": res.ci_ub, "zval": res.zval, "pval": res.pval, "tau2": res.tau2, "QE": res.QE,
        "QEp": res.QEp,
    }  # fmt: skip
    if confint:
        view.update({"tau2.ci.lb": res.tau2_ci_lb, "tau2.ci.ub": res.tau2_ci_ub})
    return view


@pytest.fixture(scope="session")
def golden() -> SimpleNamespace:
    """The helpers, as a fixture so every test module shares them."""
    return SimpleNamespace(
        load=load, compare=compare, leaves=leaves, pool_view=pool_view, fit_view=fit_view
    )
