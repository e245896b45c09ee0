"""The second demo review: the BCG trials (Colditz et al. 1994, metafor's dat.bcg), extracted."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest

from screener.cli import main
from screener.demo_bcg import BCG_OUTCOME, bcg_rows, build_bcg_demo
from screener.project import Project

SHARED = Path(__file__).resolve().parents[3] / "shared"


@pytest.fixture(scope="module")
def bcg(tmp_path_factory) -> Path:
    return build_bcg_demo(tmp_path_factory.mktemp("demo"))


def test_the_demo_holds_the_13_trials(bcg: Path) -> None:
    with Project.open(bcg) as project:
        studies = project.studies()
        assert len(studies) == 13 and studies[0].name == "Aronson 1948"
        assert project.outcomes()[BCG_OUTCOME].data_type == "dichotomous"
        assert project.consistency_checks() == []
        traits = {r["study"]: r for r in project.study_characteristics()}
    assert traits["TPT Madras 1980"]["Absolute latitude of the study location (degrees)"] == "13"
    assert traits["Comstock et al 1974"]["Method of treatment allocation"] == "systematic"
    assert build_bcg_demo(bcg.parent) == bcg  # reused, not rebuilt


def exported(bcg: Path, capsys) -> list[dict[str, str]]:
    assert main(["export", "extraction", str(bcg), "--outcome", BCG_OUTCOME]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def test_the_export_is_the_published_2x2_tables(bcg: Path, capsys) -> None:
    rows = exported(bcg, capsys)
    source = bcg_rows()
    assert [(r["ai"], r["bi"], r["ci"], r["di"]) for r in rows] == [
        (s["tpos"], s["tneg"], s["cpos"], s["cneg"]) for s in source
    ]
    assert [r["ablat"] for r in rows] == [s["ablat"] for s in source]


@pytest.mark.corpus
def test_bundled_data_and_export_match_metafor(bcg: Path, capsys) -> None:
    reference = SHARED / "reference" / "metafor" / "a_bcg_logRR.json"
    if not reference.exists():
        pytest.skip("needs ../shared/reference/metafor/a_bcg_logRR.json (absent in this checkout)")
    inputs = json.loads(reference.read_text(encoding="utf-8"))["inputs"]
    rows = exported(bcg, capsys)
    for i, r in enumerate(rows):
        assert r["author"] == inputs["author"][i] and int(r["year"]) == inputs["year"][i]
        assert r["alloc"] == inputs["alloc"][i]
        ai, bi, ci, di = (int(r[c]) for c in ("ai", "bi", "ci", "di"))
        # escalc(measure="RR"): yi = log((ai/n1i) / (ci/n2i)), vi = 1/ai - 1/n1i + 1/ci - 1/n2i.
        n1, n2 = int(r["n1i"]), int(r["n2i"])
        assert math.log((ai / n1) / (ci / n2)) == pytest.approx(inputs["yi"][i], rel=1e-10)
        assert 1 / ai - 1 / n1 + 1 / ci - 1 / n2 == pytest.approx(inputs["vi"][i], rel=1e-10)
