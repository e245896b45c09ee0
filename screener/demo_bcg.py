"""The second demo review: extraction and pooling on real published study-level data.

The 13 trials of the BCG vaccine against tuberculosis analysed by Colditz GA et al. (JAMA
1994;271:698-702), as distributed in metafor's ``dat.bcg`` (see screener/data/demo/PROVENANCE.md).
Each trial becomes a study with its characteristics (author, year, absolute latitude, allocation)
and a dichotomous outcome, Tuberculosis: cases and participants per arm. Nothing is invented:
the counts are the published ones, the totals their sums.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from screener.extraction.values import ValueEntry
from screener.project import Project

__all__ = ["BCG_FILE", "BCG_OUTCOME", "bcg_data_path", "bcg_rows", "build_bcg_demo"]

BCG_FILE = "bcg.db"
BCG_OUTCOME = "Tuberculosis"
BCG_EXTRACTOR = "dat.bcg (Colditz 1994)"

BCG_REVIEW: dict[str, Any] = dict(
    title="BCG vaccine for the prevention of tuberculosis: the 13 trials of Colditz et al. (1994)",
    question="Does BCG vaccination prevent tuberculosis, and does its efficacy vary with the "
    "study's distance from the equator (absolute latitude)?",
    population="Children and adults in trials of BCG vaccination",
    intervention="BCG vaccine",
    comparator="No vaccination",
    outcomes="Tuberculosis cases during follow-up",
    study_designs="Randomised and quasi-randomised (alternate or systematic allocation) trials",
)


def bcg_data_path() -> Path:
    return Path(str(resources.files("screener") / "data" / "demo" / "bcg_colditz1994.csv"))


def bcg_rows() -> list[dict[str, str]]:
    """The 13 trials as in the bundled file (dat.bcg's columns)."""
    with open(bcg_data_path(), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def study_name(row: dict[str, str]) -> str:
    return f"{row['author']} {row['year']}"


def build_bcg_demo(directory: Path, *, progress: Callable[[str], None] | None = None) -> Path:
    """Build the BCG review in ``directory`` (reused when it is already there); returns its path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / BCG_FILE
    if path.exists():
        return path
    partial = directory / (BCG_FILE + ".building")
    for leftover in directory.glob(BCG_FILE + ".building*"):
        leftover.unlink()
    rows = bcg_rows()
    # "demo" leads (the TUI's reviewer for `screener demo --review bcg`); the published data set
    # is the extractor its values are recorded under.
    with Project.create(partial, reviewers=("demo", BCG_EXTRACTOR), **BCG_REVIEW) as project:
        if progress:
            progress(f"extracting the {len(rows)} BCG trials of Colditz et al. 1994 ...")
        project.load_form(builtin="bcg")
        for row in rows:
            name = study_name(row)
            project.create_study(name, note=f"dat.bcg trial {row['trial']}")
            events1, events2 = int(row["tpos"]), int(row["cpos"])
            totals = (events1 + int(row["tneg"]), events2 + int(row["cneg"]))
            entries = [
                ValueEntry(key, row[key]) for key in ("trial", "author", "year", "ablat", "alloc")
            ]
            entries += [
                ValueEntry(field, str(value), BCG_OUTCOME)
                for field, value in (
                    ("events1", events1),
                    ("total1", totals[0]),
                    ("events2", events2),
                    ("total2", totals[1]),
                )
            ]
            project.save_extraction(name, BCG_EXTRACTOR, entries)
        project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    partial.rename(path)
    return path
