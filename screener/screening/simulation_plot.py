"""The recall curves of a simulation: relevant records found against records screened.

One line per seed, the diagonal of screening in random order, and a mark where the stopping rule
would have stopped each run. Dataset names are data: drawn as plain text (never mathtext),
control characters shown as escapes.
"""

from __future__ import annotations

from collections.abc import Sequence

from screener.files import figure_bytes, printable
from screener.screening.simulation import SimulationRun

__all__ = ["recall_curves"]


def recall_curves(runs: Sequence[SimulationRun], *, title: str, fmt: str) -> bytes:
    """The figure as ``fmt`` (png or svg) bytes."""
    import numpy as np
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 5))
    ax = fig.subplots()
    first = runs[0]
    n = len(first.order) - len(first.priors)
    relevant = int(first.recall_curve()[-1]) if n else 0
    for run in runs:
        curve = run.recall_curve()
        x = np.arange(1, len(curve) + 1)
        (line,) = ax.plot(x, curve / max(relevant, 1), linewidth=1.2, label=f"seed {run.seed}")
        if run.stop_at is not None and run.stop_recall is not None:
            ax.plot(
                [run.stop_at - len(run.priors)],
                [run.stop_recall],
                marker="o",
                color=line.get_color(),
                markersize=6,
            )
    ax.plot([0, n], [0, 1], linestyle="--", color="grey", linewidth=1, label="random order")
    ax.axhline(0.95, color="grey", linewidth=0.6, linestyle=":")
    ax.set_xlim(0, n)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("Records screened (after the priors)", fontsize=9, parse_math=False)
    ax.set_ylabel("Recall (relevant records found)", fontsize=9, parse_math=False)
    ax.set_title(printable(title), fontsize=10, parse_math=False)
    ax.text(
        0.99,
        0.02,
        "dots: where the stopping rule would have stopped",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=7,
        parse_math=False,
    )
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 0.08), fontsize=7, frameon=False)
    ax.grid(True, linewidth=0.3)
    fig.set_layout_engine("tight")
    return figure_bytes(fig, fmt, dpi=120 if fmt == "png" else None)
