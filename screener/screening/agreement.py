"""Agreement between two reviewers: percent agreement and Cohen's kappa with a 95% CI.

Kappa (Cohen 1960) is ``(p_o - p_e) / (1 - p_e)`` for a square table of two reviewers'
choices. Its standard error is the large-sample (non-null) one of Fleiss, Cohen & Everitt
(1969), *Psychol Bull* 72:323-327, as given in Fleiss, Levin & Paik (2003) *Statistical
Methods for Rates and Proportions*, 3rd ed., section 18.1, and used by SAS PROC FREQ (its
"ASE")::

    var = [ sum_i p_ii (1 - (p_i. + p_.i)(1 - k))^2
            + (1 - k)^2 sum_{i != j} p_ij (p_.i + p_j.)^2
            - (k - p_e (1 - k))^2 ] / (n (1 - p_e)^2)

The 95% interval is ``k +/- z_0.975 * se`` (Wald), clipped to [-1, 1]. Screening tables are
2x2 (include / exclude, with maybe counted as the review says), but any k x k table works.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

__all__ = ["Kappa", "PairAgreement", "cohen_kappa"]

_Z = NormalDist().inv_cdf(0.975)


@dataclass(frozen=True, slots=True)
class Kappa:
    """Cohen's kappa for one table.

    ``kappa``, ``se``, ``ci_low`` and ``ci_high`` are None when kappa is undefined: no pairs,
    or both reviewers put every record in the same single category (``p_e == 1``).
    """

    n: int
    observed: float  # p_o, the proportion of records both put in the same category
    expected: float  # p_e, the agreement expected by chance from the margins
    kappa: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None

    @property
    def percent_agreement(self) -> float:
        return 100.0 * self.observed


@dataclass(frozen=True, slots=True)
class PairAgreement:
    """Two reviewers at one stage: the 2x2 counts of their (effective) choices and kappa.

    ``a_include_b_exclude`` counts records reviewer ``a`` included and ``b`` excluded.
    """

    stage: str
    reviewer_a: str
    reviewer_b: str
    both_include: int
    a_include_b_exclude: int
    a_exclude_b_include: int
    both_exclude: int
    kappa: Kappa

    @property
    def n(self) -> int:
        return (
            self.both_include
            + self.a_include_b_exclude
            + self.a_exclude_b_include
            + self.both_exclude
        )

    @property
    def disagreements(self) -> int:
        return self.a_include_b_exclude + self.a_exclude_b_include

    def table(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """Rows: reviewer a include / exclude; columns: reviewer b include / exclude."""
        return (
            (self.both_include, self.a_include_b_exclude),
            (self.a_exclude_b_include, self.both_exclude),
        )


def cohen_kappa(table: Sequence[Sequence[int]], *, z: float = _Z) -> Kappa:
    """Cohen's kappa, its large-sample SE (Fleiss, Cohen & Everitt 1969) and a Wald CI.

    Parameters
    ----------
    table
        A square table of counts: ``table[i][j]`` records put in category ``i`` by the first
        reviewer and ``j`` by the second.
    z
        The normal quantile for the interval (1.96 for 95%).

    Returns
    -------
    Kappa
        With ``kappa`` None when it is undefined (no records, or ``p_e == 1``).
    """
    k = len(table)
    if k == 0 or any(len(row) != k for row in table):
        raise ValueError("kappa needs a square table of counts")
    if any(cell < 0 for row in table for cell in row):
        raise ValueError("counts cannot be negative")
    n = sum(sum(row) for row in table)
    if n == 0:
        return Kappa(0, 0.0, 0.0, None, None, None, None)
    p = [[cell / n for cell in row] for row in table]
    rows = [sum(p[i]) for i in range(k)]
    cols = [sum(p[i][j] for i in range(k)) for j in range(k)]
    p_o = sum(p[i][i] for i in range(k))
    p_e = sum(rows[i] * cols[i] for i in range(k))
    if math.isclose(p_e, 1.0):
        return Kappa(n, p_o, p_e, None, None, None, None)
    kappa = (p_o - p_e) / (1 - p_e)
    a = sum(p[i][i] * (1 - (rows[i] + cols[i]) * (1 - kappa)) ** 2 for i in range(k))
    b = (1 - kappa) ** 2 * sum(
        p[i][j] * (cols[i] + rows[j]) ** 2 for i in range(k) for j in range(k) if i != j
    )
    c = (kappa - p_e * (1 - kappa)) ** 2
    # Rounding can leave a tiny negative variance when agreement is perfect.
    se = math.sqrt(max(a + b - c, 0.0) / (n * (1 - p_e) ** 2))
    return Kappa(n, p_o, p_e, kappa, se, max(-1.0, kappa - z * se), min(1.0, kappa + z * se))
