"""The bundled demo review, built only from real public data (see screener/data/demo/PROVENANCE.md).

The records are the 2,019 titles and abstracts screened by Nagtegaal et al. (2019), a scoping
review of nudges aimed at healthcare professionals (CC0). Later stages add to the demo as they
land (more sources, duplicates). Screening: two blind reviewers at title/abstract, whose
decisions are the dataset's real labels with a seeded share flipped (see add_demo_screening),
and an arbiter for their conflicts (DEMO_REVIEWERS).
"""

from __future__ import annotations

import csv
import random
import re
import tempfile
import unicodedata
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from screener.project import Project

DEMO_FILE = "nudging.db"

DEMO_REVIEW: dict[str, Any] = dict(
    title="Nudging healthcare professionals towards evidence-based medicine: a systematic "
    "scoping review",
    question=(
        "Which nudges (changes in choice architecture that steer behaviour without forbidding "
        "options or changing incentives) have been tested on healthcare professionals, and do "
        "they move professional decisions towards evidence-based medicine?"
    ),
    population="Healthcare professionals (physicians, nurses, pharmacists) in any setting",
    intervention="Nudges: defaults, reminders, feedback and peer comparison, salience, framing",
    comparator="Usual practice or another intervention",
    outcomes="Professional behaviour in line with evidence-based guidelines",
    study_designs="Empirical studies with a comparison (trials, controlled before-after, time "
    "series)",
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
    include_terms=(
        "nudge",
        "default",
        "reminder",
        "feedback",
        "peer comparison",
        "choice architecture",
        "physician",
        "prescrib",
    ),
    exclude_terms=("patient education", "financial incentive", "protocol", "editorial"),
)


def demo_data_path() -> Path:
    return Path(str(resources.files("screener") / "data" / "demo" / "nagtegaal_2019.csv"))


# The bundled file is UTF-8 and read as UTF-8; the damage is older than the file. Some of its
# abstracts went through two wrong decodings before the dataset was published, and their
# characters are stored as the mojibake: UTF-8 bytes read as Windows-1252 ("£" stored as "Â£",
# "’" as "â€™") and GBK bytes read as Latin-1 (“cause” stored as "¡°cause¡±", "α" as "¦Á").
# The file stays byte for byte as published (see PROVENANCE.md); the demo repairs those
# sequences on the way in. A sequence is replaced only when its bytes decode cleanly.
_CP1252_TAIL = (
    "[\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039"
    "\u203a\u20ac\u2122]"
)
_UTF8_READ_AS_CP1252 = re.compile(
    f"[\xc2-\xdf]{_CP1252_TAIL}|[\xe0-\xef]{_CP1252_TAIL}{{2}}|[\xf0-\xf4]{_CP1252_TAIL}{{3}}"
)
_GBK_READ_AS_LATIN1 = re.compile("[\xa1-\xa9][\xa1-\xfe]|\xa8[\x40-\x7e]")


def _cp1252_byte(char: str) -> int:
    try:
        return char.encode("cp1252")[0]
    except UnicodeEncodeError:
        return ord(char)  # the five bytes cp1252 leaves undefined were kept as U+0081 etc.


def _from_utf8(match: re.Match[str]) -> str:
    try:
        return bytes(_cp1252_byte(c) for c in match.group()).decode("utf-8")
    except UnicodeDecodeError:
        return match.group()


def _from_gbk(match: re.Match[str]) -> str:
    try:  # NFKC: GBK's full-width pound sign is the pound sign the text meant
        return unicodedata.normalize("NFKC", match.group().encode("latin-1").decode("gbk"))
    except UnicodeDecodeError:
        return match.group()


def repair_mojibake(text: str) -> str:
    """``text`` with the dataset's doubly decoded characters put back (see above)."""
    return _GBK_READ_AS_LATIN1.sub(_from_gbk, _UTF8_READ_AS_CP1252.sub(_from_utf8, text))


def repaired_demo_data(directory: Path) -> Path:
    """A copy of the dataset in ``directory``, under its own name, with titles and abstracts
    repaired (:func:`repair_mojibake`); every other column as it is."""
    target = directory / demo_data_path().name
    with (
        open(demo_data_path(), encoding="utf-8", newline="") as source,
        open(target, "w", encoding="utf-8", newline="") as out,
    ):
        reader = csv.DictReader(source)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        for row in reader:
            writer.writerow(
                {k: repair_mojibake(v) if k in ("title", "abstract") else v for k, v in row.items()}
            )
    return target


# Dual screening in the demo. The dataset carries the review team's real title/abstract labels
# (``label_abstract_screening``, kept in each record's ``extra``). Two demo reviewers are made
# from them: "reviewer2" decided the first DEMO_SECOND_REVIEWER records and "demo" (the user of
# `make run`) the first DEMO_FIRST_REVIEWER; each copies the label except for a seeded random
# share of records where the decision is flipped (DEMO_FLIP_*), so the two disagree on some
# records and conflicts and kappa have something to show. The flips are invented for the demo;
# the labels are real.
# The demo's declared reviewers: "demo" leads the review (and screens), "reviewer2" screens,
# "arbiter" has decided nothing and resolves conflicts as a third reviewer
# (`screener demo --reviewer arbiter`).
DEMO_REVIEWERS = (("demo", "lead"), ("reviewer2", "screener"), ("arbiter", "arbiter"))
DEMO_FIRST_REVIEWER = 300
DEMO_SECOND_REVIEWER = 800
DEMO_FLIP_FIRST = 0.05
DEMO_FLIP_SECOND = 0.08
DEMO_SEED = 2019


def labelled_decisions(
    labels: list[tuple[int, str]], *, count: int, flip: float, seed: int
) -> list[tuple[int, str, None]]:
    """Decisions from real labels ("1" include, "0" exclude) on the first ``count`` records,
    with a seeded share ``flip`` turned the other way."""
    rng = random.Random(seed)
    decisions = []
    for record_id, label in labels[:count]:
        include = label == "1"
        if rng.random() < flip:
            include = not include
        decisions.append((record_id, "include" if include else "exclude", None))
    return decisions


def add_demo_screening(project: Project) -> None:
    """Two reviewers at title/abstract, blind; see the comment above for how they decided.
    ``project`` declares "demo" and "reviewer2" (DEMO_REVIEWERS)."""
    project.update_review(reviewers_title_abstract=2, blind=True)
    labels = [
        (rid, project.record(rid).extra.get("label_abstract_screening", ""))
        for rid in project.screened_record_ids()
    ]
    labels = [(rid, label) for rid, label in labels if label in ("0", "1")]
    project.record_decisions(
        labelled_decisions(labels, count=DEMO_FIRST_REVIEWER, flip=DEMO_FLIP_FIRST, seed=DEMO_SEED),
        "title_abstract",
        "demo",
    )
    project.record_decisions(
        labelled_decisions(
            labels, count=DEMO_SECOND_REVIEWER, flip=DEMO_FLIP_SECOND, seed=DEMO_SEED + 1
        ),
        "title_abstract",
        "reviewer2",
    )


def build_demo(directory: Path, *, progress: Callable[[str], None] | None = None) -> Path:
    """Build the demo review in ``directory`` (reused if it is already there)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / DEMO_FILE
    if path.exists():
        return path
    partial = directory / (DEMO_FILE + ".building")
    for leftover in directory.glob(DEMO_FILE + ".building*"):
        leftover.unlink()
    with Project.create(partial, reviewers=DEMO_REVIEWERS, **DEMO_REVIEW) as project:
        if progress:
            progress("importing 2,019 records of Nagtegaal et al. 2019 ...")
        with tempfile.TemporaryDirectory() as scratch:
            project.import_file(
                repaired_demo_data(Path(scratch)), source="Nagtegaal 2019 dataset (CC0)", fmt="csv"
            )
        if progress:
            progress(
                "adding two reviewers' title/abstract decisions (from the dataset's labels) ..."
            )
        add_demo_screening(project)
        project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    partial.rename(path)
    return path
