"""Helpers shared by the pooling-review tests (a module with a unique name, not conftest)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from screener.extraction.values import ValueEntry
from screener.project import Project

METAFOR = Path(__file__).resolve().parents[1] / "data" / "metafor"


def reference(name: str) -> dict[str, Any]:
    """A metafor 3.8 reference file (see tests/data/metafor/PROVENANCE.md)."""
    return json.loads((METAFOR / name).read_text(encoding="utf-8"))


def one_outcome_review(path: Path, *, data_type: str, fields: dict[str, list[Any]],
                       studies: list[str], outcome: str = "Outcome") -> Project:
    """A review whose form has one outcome of ``data_type``; ``fields`` holds each data field's
    values per study (internal field names, e.g. events/n for proportions), saved by one
    extractor, so they are the agreed values."""
    form = path.with_suffix(".toml")
    form.write_text(
        '[form]\nname = "test form"\nversion = 1\n\n'
        '[[field]]\nkey = "region"\nlabel = "Region"\n\n'
        f'[[outcome]]\nname = "{outcome}"\ndata_type = "{data_type}"\n', encoding="utf-8")
    project = Project.create(path, title=f"{data_type} review",
                             reviewers=("alice", "extractor", "bob", ("carol", "arbiter")))
    project.load_form(form)
    for i, study in enumerate(studies):
        project.create_study(study)
        entries = [ValueEntry("region", "north" if i % 2 else "south")]
        entries += [ValueEntry(key, str(values[i]), outcome) for key, values in fields.items()]
        project.save_extraction(study, "extractor", entries)
    return project
