"""Cohen's kappa, its SE (Fleiss, Cohen & Everitt 1969) and CI against published worked examples."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screener.screening import cohen_kappa


def test_two_by_two_worked_example_statpsych() -> None:
    # statpsych (Bonett), documented example of ci.kappa(.05, 31, 12, 4, 58), citing Fleiss,
    # Levin & Paik (2003): "Cohen kappa: 0.6756757 0.07344761 0.5317210 0.8196303".
    # Rows: rater 1 = 0 / 1; columns: rater 2 = 0 / 1 (f00, f01; f10, f11).
    k = cohen_kappa([[31, 12], [4, 58]])
    assert k.n == 105
    assert k.kappa == pytest.approx(0.6756757, abs=5e-8)
    assert k.se == pytest.approx(0.07344761, abs=5e-9)
    assert k.ci_low == pytest.approx(0.5317210, abs=5e-8)
    assert k.ci_high == pytest.approx(0.8196303, abs=5e-8)
    assert k.percent_agreement == pytest.approx(100 * 89 / 105)


def test_four_category_worked_example_sas_agreement_study() -> None:
    # SAS/STAT PROC FREQ, "Getting Started: Agreement Study" (skin condition rated by two
    # dermatologists): simple kappa 0.3449, ASE 0.0724, 95% confidence limits 0.2030 to 0.4868.
    # Printed to 4 decimals, hence the tolerance.
    table = [[10, 4, 1, 0], [5, 10, 12, 2], [2, 4, 12, 5], [0, 2, 6, 13]]
    k = cohen_kappa(table)
    assert k.kappa == pytest.approx(0.3449, abs=5e-5)
    assert k.se == pytest.approx(0.0724, abs=5e-5)
    assert k.ci_low == pytest.approx(0.2030, abs=5e-5)
    assert k.ci_high == pytest.approx(0.4868, abs=5e-5)


def test_three_category_textbook_example_fleiss() -> None:
    # Fleiss, Levin & Paik (2003), Statistical Methods for Rates and Proportions, table 18.1
    # (Fleiss 1981, p. 213): 100 patients, two raters, psychotic / neurotic / organic;
    # p_o = .89, p_e = .66, kappa = .676.
    k = cohen_kappa([[75, 1, 4], [5, 4, 1], [0, 0, 10]])
    assert k.observed == pytest.approx(0.89)
    assert k.expected == pytest.approx(0.66)
    assert k.kappa == pytest.approx(0.676, abs=5e-4)


def test_perfect_agreement_has_zero_se() -> None:
    k = cohen_kappa([[7, 0], [0, 13]])
    assert k.kappa == pytest.approx(1.0)
    assert k.se == pytest.approx(0.0, abs=1e-12)
    assert (k.ci_low, k.ci_high) == (pytest.approx(1.0), pytest.approx(1.0))


def test_chance_agreement_is_zero() -> None:
    k = cohen_kappa([[25, 25], [25, 25]])
    assert k.kappa == pytest.approx(0.0, abs=1e-12)
    assert k.percent_agreement == pytest.approx(50.0)


def test_undefined_kappa_when_everyone_agrees_on_one_category() -> None:
    k = cohen_kappa([[0, 0], [0, 40]])
    assert k.kappa is None and k.se is None and k.ci_low is None
    assert k.percent_agreement == 100.0


def test_no_pairs() -> None:
    k = cohen_kappa([[0, 0], [0, 0]])
    assert k.n == 0 and k.kappa is None


@pytest.mark.parametrize("table", [[[1, 2]], [], [[1, -1], [0, 2]]])
def test_bad_tables_are_refused(table) -> None:
    with pytest.raises(ValueError):
        cohen_kappa(table)


def _naive_kappa(a: list[int], b: list[int]) -> float:
    """Kappa from two lists of 0/1 ratings, the long way."""
    n = len(a)
    p_o = sum(x == y for x, y in zip(a, b, strict=True)) / n
    p_e = (sum(a) / n) * (sum(b) / n) + (1 - sum(a) / n) * (1 - sum(b) / n)
    return (p_o - p_e) / (1 - p_e)


cells = st.integers(min_value=0, max_value=60)


@given(cells, cells, cells, cells)
def test_kappa_matches_the_definition_and_is_symmetric(ii: int, ie: int, ei: int, ee: int) -> None:
    k = cohen_kappa([[ii, ie], [ei, ee]])
    swapped = cohen_kappa([[ii, ei], [ie, ee]])  # the two reviewers swapped
    relabelled = cohen_kappa([[ee, ei], [ie, ii]])  # include/exclude swapped
    if k.kappa is None:
        assert swapped.kappa is None
        return
    a = [1] * (ii + ie) + [0] * (ei + ee)
    b = [1] * ii + [0] * ie + [1] * ei + [0] * ee
    assert k.kappa == pytest.approx(_naive_kappa(a, b), abs=1e-9)
    assert -1.0 <= k.ci_low <= k.kappa <= k.ci_high <= 1.0
    assert swapped.kappa == pytest.approx(k.kappa, abs=1e-12)
    assert swapped.se == pytest.approx(k.se, abs=1e-12)
    assert relabelled.kappa == pytest.approx(k.kappa, abs=1e-12)
    assert math.isfinite(k.se)
