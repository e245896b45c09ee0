"""Brent's root finder with R's ``uniroot()`` stopping rule.

metafor finds the Paule-Mandel estimate and the Q-profile confidence bounds with R's
``uniroot()`` at its default tolerance (``.Machine$double.eps^0.25``, about 1.2e-4). The
answer is therefore only as exact as Brent's method stops, and an exact root differs from
metafor by up to ~2e-4 relative. Following the same algorithm step by step (Brent 1973,
"Algorithms for minimization without derivatives", ch. 4) with the same tolerance gives the
same iterates, so the engine reproduces metafor's printed numbers; a tight ``tol`` gives the
exact root instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from screener.pooling.errors import PoolingError

EPS = float(np.finfo(float).eps)
R_TOL = EPS**0.25


@dataclass(frozen=True, slots=True)
class Root:
    """Where ``f`` changes sign: ``root``, the iterations used and whether it converged."""

    root: float
    iterations: int
    converged: bool


def uniroot(
    f: Callable[[float], float],
    lower: float,
    upper: float,
    *,
    tol: float = R_TOL,
    maxiter: int = 1000,
) -> Root:
    """Find a root of ``f`` in ``[lower, upper]`` by Brent's method.

    Parameters
    ----------
    f
        A continuous function with opposite signs at ``lower`` and ``upper``.
    lower, upper
        The bracket.
    tol
        Absolute tolerance on the root (R's ``uniroot(tol=)``).
    maxiter
        Most function evaluations after the two at the ends.

    Returns
    -------
    Root
        ``converged`` is False when ``maxiter`` ran out; ``root`` is then the last iterate.

    Raises
    ------
    PoolingError
        If ``f`` has the same sign at both ends.
    """
    a, b = float(lower), float(upper)
    fa, fb = float(f(a)), float(f(b))
    if np.isnan(fa) or np.isnan(fb):
        raise PoolingError("the function to solve is not defined at the ends of the search")
    if fa * fb > 0:
        raise PoolingError("no sign change in the search interval for the root")
    if fa == 0.0:
        return Root(a, 0, True)
    if fb == 0.0:
        return Root(b, 0, True)
    c, fc = a, fa
    for iteration in range(maxiter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            # keep b the best approximation, c the counterpoint
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2.0 * EPS * abs(b) + tol / 2.0
        new_step = (c - b) / 2.0
        if abs(new_step) <= tol_act or fb == 0.0:
            return Root(b, iteration, True)
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                # two distinct points: secant step
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                # three points: inverse quadratic interpolation
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2.0) and p < abs(prev_step * q / 2.0):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = float(f(b))
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return Root(b, maxiter, False)
