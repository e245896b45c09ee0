"""Weighted least squares with diagonal weights, and the traces the estimators need.

Every quantity metafor computes from the k x k matrix ``P = W - W X (X'WX)^-1 X'W`` is
written here through p x p matrices, so memory and time stay O(k p^2).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from screener.pooling.errors import PoolingError

Array = NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class WeightedFit:
    """The weighted least squares fit of ``y`` on ``X`` with weights ``w``."""

    X: Array
    w: Array
    y: Array
    A: Array  # (X'WX)^-1
    beta: Array
    resid: Array
    _h: Array = field(repr=False)  # x_i' A x_i

    @property
    def rss(self) -> float:
        """``Y'PY``: the weighted residual sum of squares."""
        return float(np.dot(self.w, self.resid * self.resid))

    @property
    def py_norm2(self) -> float:
        """``Y'PPY`` (``PY = W (y - X beta)``)."""
        wr = self.w * self.resid
        return float(np.dot(wr, wr))

    def tr_pd(self, d: Array | None = None) -> float:
        """``tr(P D)`` for a diagonal ``D`` (identity when ``d`` is None)."""
        w, h = self.w, self._h
        if d is None:
            return float(w.sum() - np.dot(w * w, h))
        return float(np.dot(w, d) - np.dot(w * w * h, d))

    def tr_pdpe(self, d: Array | None = None, e: Array | None = None) -> float:
        """``tr(P D P E)`` for diagonal ``D`` and ``E`` (identity when None)."""
        w, h, X, A = self.w, self._h, self.X, self.A
        ones = np.ones_like(w)
        dv = ones if d is None else d
        ev = ones if e is None else e
        w2 = w * w
        first = float(np.dot(w2, dv * ev))
        second = 2.0 * float(np.dot(w2 * w * h, dv * ev))
        md = _cross(X, w2 * dv)
        me = md if d is e else _cross(X, w2 * ev)
        third = float(np.trace(A @ md @ A @ me))
        return first - second + third


def _cross(X: Array, weights: Array) -> Array:
    return (X * weights[:, None]).T @ X


def wls(y: Array, X: Array, w: Array) -> WeightedFit:
    """Fit ``y ~ X`` by weighted least squares with weights ``w``.

    Raises
    ------
    PoolingError
        If ``X'WX`` is singular (a moderator is constant or duplicated, or a weight is zero).
    """
    xtwx = _cross(X, w)
    try:
        chol = np.linalg.cholesky(xtwx)
    except np.linalg.LinAlgError:
        raise PoolingError("the model matrix is not of full rank; cannot fit the model") from None
    inv_chol = np.linalg.inv(chol)
    A = inv_chol.T @ inv_chol
    beta = A @ (X.T @ (w * y))
    resid = y - X @ beta
    h = np.einsum("ij,jk,ik->i", X, A, X) if X.shape[1] > 1 else X[:, 0] ** 2 * A[0, 0]
    return WeightedFit(X=X, w=w, y=y, A=A, beta=beta, resid=resid, _h=h)


def logdet(matrix: Array) -> float:
    """log |matrix| of a symmetric positive definite matrix."""
    sign, value = np.linalg.slogdet(matrix)
    if sign <= 0:
        raise PoolingError("a matrix that should be positive definite is not")
    return float(value)


def xtwx(X: Array, w: Array) -> Array:
    """``X' diag(w) X``."""
    return _cross(X, w)
