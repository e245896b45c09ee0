"""The bundled demo review, built only from real public data (see screener/data/demo/PROVENANCE.md).

The records are the 2,019 titles and abstracts screened by Nagtegaal et al. (2019), a scoping
review of nudges aimed at healthcare professionals (CC0). Later stages add to the demo as they
land (more sources, duplicates, a second reviewer).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

from screener.project import Project

DEMO_FILE = "nudging.db"

DEMO_REVIEW = dict(
    title="Nudging healthcare professionals towards evidence-based medicine: a systematic scoping review",
    question=(
        "Which nudges (changes in choice architecture that steer behaviour without forbidding "
        "options or changing incentives) have been tested on healthcare professionals, and do "
        "they move professional decisions towards evidence-based medicine?"
    ),
    population="Healthcare professionals (physicians, nurses, pharmacists) in any setting",
    intervention="Nudges: defaults, reminders, feedback and peer comparison, salience, framing",
    comparator="Usual practice or another intervention",
    outcomes="Professional behaviour in line with evidence-based guidelines",
    study_designs="Empirical studies with a comparison (trials, controlled before-after, time series)",
    inclusion_criteria=(
        "Empirical study; intervention is a nudge; aimed at healthcare professionals; "
        "reports a behavioural outcome of the professionals."
    ),
    exclusion_criteria=(
        "Targets patients only; education or incentives only (not a nudge); no behavioural "
        "outcome; not an empirical study (editorial, protocol, review)."
    ),
    exclusion_reasons=(
        "Not a nudge",
        "Not aimed at healthcare professionals",
        "No behavioural outcome",
        "Not an empirical study",
    ),
    include_terms=("nudge", "default", "reminder", "feedback", "peer comparison",
                   "choice architecture", "physician", "prescrib"),
    exclude_terms=("patient education", "financial incentive", "protocol", "editorial"),
)


def demo_data_path() -> Path:
    return Path(str(resources.files("screener") / "data" / "demo" / "nagtegaal_2019.csv"))


def build_demo(directory: Path, *, progress: Callable[[str], None] | None = None) -> Path:
    """Build the demo review in ``directory`` (reused if it is already there)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / DEMO_FILE
    if path.exists():
        return path
    partial = directory / (DEMO_FILE + ".building")
    for leftover in directory.glob(DEMO_FILE + ".building*"):
        leftover.unlink()
    with Project.create(partial, **DEMO_REVIEW) as project:
        if progress:
            progress("importing 2,019 records of Nagtegaal et al. 2019 ...")
        project.import_file(demo_data_path(), source="Nagtegaal 2019 dataset (CC0)", fmt="csv")
        project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    partial.rename(path)
    return path
