"""Helpers shared by the pooling-review tests (a module with a unique name, not conftest)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from screener.extraction.values import ValueEntry
from screener.project import Project

METAFOR = Path(__file__).resolve().parents[1] / "data" / "metafor"


def reference(name: str) -> dict[str, Any]:
    """A metafor 3.8 reference file (see tests/data/metafor/PROVENANCE.md)."""
    return json.loads((METAFOR / name).read_text(encoding="utf-8"))


def one_outcome_review(
    path: Path,
    *,
    data_type: str,
    fields: dict[str, list[Any]],
    studies: list[str],
    outcome: str = "Outcome",
) -> Project:
    """A review whose form has one outcome of ``data_type``; ``fields`` holds each data field's
    values per study (internal field names, e.g. events/n for proportions), saved by one
    extractor, so they are the agreed values."""
    form = path.with_suffix(".toml")
    form.write_text(
        '[form]\nname = "test form"\nversion = 1\n\n'
        '[[field]]\nkey = "region"\nlabel = "Region"\n\n'
        f'[[outcome]]\nname = "{outcome}"\ndata_type = "{data_type}"\n',
        encoding="utf-8",
    )
    project = Project.create(
        path,
        title=f"{data_type} review",
        reviewers=("alice", "extractor", "bob", ("carol", "arbiter")),
    )
    project.load_form(form)
    for i, study in enumerate(studies):
        project.create_study(study)
        entries = [ValueEntry("region", "north" if i % 2 else "south")]
        entries += [ValueEntry(key, str(values[i]), outcome) for key, values in fields.items()]
        project.save_extraction(study, "extractor", entries)
    return project


# As in tests/pooling: 1e-6 relative; p-values 1e-8 absolute (or 1e-6 relative).
RTOL = 1e-6
P_ATOL = 1e-8
# metafor's name -> the key of screener's results
KEYS = {
    "estimate": "estimate",
    "se": "se",
    "ci.lb": "ci_lb",
    "ci.ub": "ci_ub",
    "stat": "zval",
    "pval": "pval",
    "tau2": "tau2",
    "se.tau2": "se_tau2",
    "I2": "I2",
    "H2": "H2",
    "QE": "QE",
    "QE.df": "QE_df",
    "QEp": "QEp",
    "pi.lb": "pi_lb",
    "pi.ub": "pi_ub",
}


def assert_close(ours: float, ref: float, what: str, *, pvalue: bool = False) -> None:
    assert ours is not None, what
    if pvalue:
        assert math.isclose(ours, ref, rel_tol=RTOL, abs_tol=P_ATOL), f"{what}: {ours} != {ref}"
    else:
        assert math.isclose(ours, ref, rel_tol=RTOL, abs_tol=1e-12), f"{what}: {ours} != {ref}"


def assert_fit(results: dict, ref: dict, where: str) -> int:
    """Every scalar metafor gives for one fit, and the study weights; returns how many."""
    count = 0
    assert results["k"] == ref["k"], where
    for name, key in KEYS.items():
        if ref.get(name) is None:
            continue
        assert_close(results[key], ref[name], f"{where} {key}", pvalue=name in ("pval", "QEp"))
        count += 1
    weights = results.get("studies", {}).get("weight_percent")
    if weights is not None:
        assert len(weights) == len(ref["weights_percent"])
        for i, (w, r) in enumerate(zip(weights, ref["weights_percent"], strict=True)):
            assert_close(w, r, f"{where} weight {i}")
    return count


# --- a review with records screened to full text (hand-made) -----------------------------------

RECORDS = [  # (id in the file, first author, year, title, decision at full text)
    ("R1", "Zhang", 2021, "Low-dose IL-2 in dermatomyositis: a randomised trial", "include"),
    ("R2", "Zhang", 2022, "Low-dose IL-2 in dermatomyositis: 52-week follow-up", "include"),
    ("R3", "Li", 2019, "Interleukin-2 and regulatory T cells in myositis", "include"),
    ("R4", "Wang", 2020, "Interleukin-2 in lupus", "exclude"),
]


def screened_review(path: Path, *, reviewer: str = "alice") -> tuple[Project, dict[str, int]]:
    """A review with the four records above, screened by one reviewer: R1-R3 included at full
    text, R4 excluded there. Returns the project and the record ids by key."""
    source = path.with_name(path.stem + "-records.csv")
    lines = ["id,title,authors,year,journal,abstract"]
    lines += [
        f'{key},"{title}","{author}, A",{year},J Myositis,"Abstract of {key}."'
        for key, author, year, title, _ in RECORDS
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    project = Project.create(
        path,
        title="Low-dose IL-2 in myositis",
        reviewers=[reviewer],
        exclusion_reasons=("Wrong population",),
    )
    project.import_file(source, fmt="csv", source="PubMed")
    ids = {key: rid for rid, key in project.db.execute("SELECT id, source_key FROM record")}
    for key, *_, decision in RECORDS:
        project.record_decision(ids[key], "title_abstract", reviewer, "include")
        reason = None if decision == "include" else "Wrong population"
        project.record_decision(ids[key], "full_text", reviewer, decision, reason=reason)
    return project, ids
