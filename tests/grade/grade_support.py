"""Helpers for the GRADE tests: saved analyses with constructed results, so each rule's case
is exact."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from screener.project import Project
from screener.storage import analysis as analysis_store
from screener.storage.db import transaction

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "metafor" / "a_bcg_logRR.json"
"""metafor 3.8 on dat.bcg (see tests/data/metafor/)."""


def save_constructed(
    project: Project,
    *,
    studies: Sequence[tuple[str, float]],
    estimate: float = -0.5,
    ci: tuple[float, float] = (-0.8, -0.2),
    pi: tuple[float, float] | None = (-0.9, -0.1),
    i2: float = 20.0,
    measure: str = "SMD",
    n_per_study: int = 100,
    name: str = "constructed",
    **extra: Any,
) -> int:
    """Save an analysis with the given pooled numbers; ``studies`` are (label, weight %)
    pairs, each with ``n_per_study`` participants in its saved data. Returns its id."""
    labels = [label for label, _ in studies]
    results: dict[str, Any] = {
        "measure": measure,
        "method": "REML",
        "k": len(studies),
        "level": 95,
        "estimate": estimate,
        "ci_lb": ci[0],
        "ci_ub": ci[1],
        "I2": i2,
        "studies": {
            "label": labels,
            "yi": [estimate] * len(labels),
            "vi": [0.05] * len(labels),
            "weight_percent": [w for _, w in studies],
        },
        **extra,
    }
    if pi is not None:
        results["pi_lb"], results["pi_ub"] = pi
    data = [{"study": label, "ni": n_per_study} for label in labels]
    settings = {"measure": measure, "method": "REML", "data_type": "generic", "data": data}
    with transaction(project.db):
        return analysis_store.save_analysis(
            project.db,
            name=name,
            outcome_id=None,
            settings=settings,
            results=results,
            reviewer_id=None,
        )
