"""Cautions printed beside small-study analyses (plain text: the CLI, the TUI, the report and
the funnel plot all use these, so the wording and the threshold live once)."""

from __future__ import annotations

__all__ = ["SMALL_K", "SMALL_K_CAUTION", "small_k"]

#: The fewest studies for which the Cochrane Handbook (13.3.5.4) supports funnel-plot
#: asymmetry tests.
SMALL_K = 10

SMALL_K_CAUTION = (
    f"Fewer than {SMALL_K} studies: funnel plots, Egger's and Begg's tests and trim-and-fill "
    "have too little power to tell chance from real asymmetry (Cochrane Handbook 13.3.5.4)."
)


def small_k(k: int) -> bool:
    """Whether ``k`` studies are too few for funnel-plot asymmetry methods (k < 10)."""
    return k < SMALL_K
