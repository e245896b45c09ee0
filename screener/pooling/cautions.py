"""When small-study methods say little: the k < 10 rule of the Cochrane Handbook (13.3.5.4).

Egger's and Begg's tests, trim-and-fill and the funnel plot are shown with
:data:`SMALL_K_CAUTION` when fewer than :data:`SMALL_K` studies are pooled.
"""

from __future__ import annotations

__all__ = ["SMALL_K", "SMALL_K_CAUTION", "small_k"]

SMALL_K = 10
"""The fewest studies for which tests for funnel plot asymmetry are recommended."""

SMALL_K_CAUTION = (
    "Caution: fewer than 10 studies. Tests for funnel plot asymmetry (Egger, Begg), "
    "trim-and-fill and the funnel plot have too little power to tell chance from real "
    "asymmetry (Cochrane Handbook 13.3.5.4)."
)


def small_k(k: int) -> bool:
    """Whether ``k`` studies are too few for small-study methods."""
    return k < SMALL_K
