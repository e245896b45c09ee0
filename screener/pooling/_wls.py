"""Weighted least squares with diagonal weights, and the traces the estimators need.

Every quantity metafor computes from the k x k matrix ``P = W - W X (X'WX)^-1 X'W`` is
written here through p x p matrices, so memory and time stay O(k p^2). Long reductions use
``einsum`` rather than BLAS ``dot``: a multi-threaded BLAS spends milliseconds waking threads
for a single length-k dot product, which made a 100,000-study fit ~20 times slower.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from screener.pooling.errors import PoolingError

Array = NDArray[np.float64]

Index = NDArray[np.integer[Any]]
"""Positions in an array (e.g. the coefficients a test covers)."""

_BLAS_MAX = 4096  # above this length BLAS dot may start threads; einsum never does


def dims(X: Array) -> tuple[int, int]:
    """(k, p): the studies and the coefficients of a design matrix."""
    k, p = X.shape
    return int(k), int(p)


def dot(a: Array, b: Array) -> float:
    """``sum(a * b)`` for 1-d arrays, fast for short and long vectors alike."""
    if a.size < _BLAS_MAX:
        return float(np.dot(a, b))
    return float(np.einsum("i,i->", a, b))


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
        return dot(self.w * self.resid, self.resid)

    @property
    def py_norm2(self) -> float:
        """``Y'PPY`` (``PY = W (y - X beta)``)."""
        wr = self.w * self.resid
        return dot(wr, wr)

    def tr_pd(self, d: Array | None = None) -> float:
        """``tr(P D)`` for a diagonal ``D`` (identity when ``d`` is None)."""
        w, h = self.w, self._h
        if d is None:
            return float(w.sum()) - dot(w * w, h)
        return dot(w, d) - dot(w * w * h, d)

    def tr_pdpe(self, d: Array | None = None, e: Array | None = None) -> float:
        """``tr(P D P E)`` for diagonal ``D`` and ``E`` (identity when None)."""
        w, h, X, A = self.w, self._h, self.X, self.A
        ones = np.ones_like(w)
        dv = ones if d is None else d
        ev = ones if e is None else e
        w2 = w * w
        de = dv * ev
        first = dot(w2, de)
        second = 2.0 * dot(w2 * w * h, de)
        if X.shape[1] == 1:
            a, x2 = float(A[0, 0]), X[:, 0] ** 2
            third = a * a * dot(x2 * w2, dv) * dot(x2 * w2, ev)
            return first - second + third
        md = _cross(X, w2 * dv)
        me = md if d is e else _cross(X, w2 * ev)
        third = float(np.trace(A @ md @ A @ me))
        return first - second + third


def _cross(X: Array, weights: Array) -> Array:
    return np.asarray(np.einsum("ij,i,ik->jk", X, weights, X), dtype=float)


def wls(y: Array, X: Array, w: Array) -> WeightedFit:
    """Fit ``y ~ X`` by weighted least squares with weights ``w``.

    Raises
    ------
    PoolingError
        If ``X'WX`` is singular (a moderator is constant or duplicated, or a weight is zero).
    """
    if X.shape[1] == 1:
        # one column (usually the intercept): scalars instead of p x p linear algebra, which
        # costs more in call overhead than the arithmetic for the k of a typical review
        x = X[:, 0]
        wx = w * x
        sxx = dot(wx, x)
        if not sxx > 0:
            raise PoolingError("the model matrix is not of full rank; cannot fit the model")
        a = 1.0 / sxx
        b = dot(wx, y) * a
        return WeightedFit(
            X=X, w=w, y=y, A=np.array([[a]]), beta=np.array([b]), resid=y - b * x, _h=x * x * a
        )
    xtwx = _cross(X, w)
    try:
        chol = np.linalg.cholesky(xtwx)
    except np.linalg.LinAlgError:
        raise PoolingError("the model matrix is not of full rank; cannot fit the model") from None
    inv_chol = np.linalg.inv(chol)
    A = inv_chol.T @ inv_chol
    beta = A @ np.einsum("ij,i->j", X, w * y)
    resid = y - np.einsum("ij,j->i", X, beta)
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
